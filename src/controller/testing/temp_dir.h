// A fresh directory under $TMPDIR (or /tmp), removed with everything in it
// when the object goes, even when the test failed.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace microseg::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/microseg-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }  // "" when creation failed

 private:
  std::string path_;
};

}  // namespace microseg::testing
