#include "ingest/manifest_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "ingest/field.h"
#include "ingest/manifest_text.h"

namespace microseg {

namespace fs = std::filesystem;

namespace {

constexpr char kStdinName[] = "<stdin>";

bool IsManifestFile(const fs::path& path) {
  std::string ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": " + std::strerror(errno));
  std::string text;
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size > 0) {
    // One allocation for large JSON dumps; fall back to streaming otherwise.
    text.resize(static_cast<size_t>(size));
    in.seekg(0, std::ios::beg);
    in.read(text.data(), size);
    text.resize(static_cast<size_t>(in.gcount()));
  } else {
    in.clear();
    in.seekg(0, std::ios::beg);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (in.bad()) return Status::Error(path + ": read error");
  return text;
}

// The manifest files under `dir`, recursively, in sorted order so that
// "the later duplicate wins" does not depend on the file system.
Result<std::vector<std::string>> ListDirectory(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && IsManifestFile(it->path())) {
      files.push_back(it->path().string());
    }
  }
  if (ec) return Status::Error(dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

Status LoadPath(const std::string& path, bool* stdin_read, ObjectSink* sink) {
  if (path == "-") {
    if (*stdin_read) return Status::Ok();  // stdin is read once
    *stdin_read = true;
    std::ostringstream text;
    text << std::cin.rdbuf();
    return DecodeManifestText(text.str(), kStdinName, sink);
  }
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return Status::Error(path + ": no such file or directory");
  std::vector<std::string> files = {path};
  if (fs::is_directory(status)) {
    Result<std::vector<std::string>> listed = ListDirectory(path);
    if (!listed.ok()) return listed.status();
    files = std::move(*listed);
  }
  for (const std::string& file : files) {
    Result<std::string> text = ReadFile(file);
    if (!text.ok()) return text.status();
    MICROSEG_RETURN_IF_ERROR(DecodeManifestText(*text, file, sink));
  }
  return Status::Ok();
}

}  // namespace

Result<LoadedManifests> ParseManifests(std::string_view text, const std::string& source) {
  LoadedManifests loaded;
  ObjectSink sink(&loaded.objects, &loaded.warnings);
  MICROSEG_RETURN_IF_ERROR(DecodeManifestText(text, source, &sink));
  return loaded;
}

Result<LoadedManifests> ParseStoredManifests(std::string_view text, const std::string& source) {
  LoadedManifests loaded;
  ObjectSink sink(&loaded.objects, &loaded.warnings);
  DecodeOptions options;
  options.unknown_fields_are_errors = false;
  MICROSEG_RETURN_IF_ERROR(DecodeManifestText(text, source, &sink, options));
  return loaded;
}

Result<LoadedManifests> ParseStoredDocument(const Json& document, const std::string& source) {
  LoadedManifests loaded;
  ObjectSink sink(&loaded.objects, &loaded.warnings);
  DecodeOptions options;
  options.unknown_fields_are_errors = false;
  MICROSEG_RETURN_IF_ERROR(DecodeManifestJson(document, source, &sink, options));
  return loaded;
}

Result<LoadedManifests> LoadManifests(const std::vector<std::string>& paths) {
  LoadedManifests loaded;
  ObjectSink sink(&loaded.objects, &loaded.warnings);
  bool stdin_read = false;
  for (const std::string& path : paths) {
    MICROSEG_RETURN_IF_ERROR(LoadPath(path, &stdin_read, &sink));
  }
  return loaded;
}

}  // namespace microseg
