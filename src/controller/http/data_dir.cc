#include "controller/http/data_dir.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace microseg {

namespace {

std::string Errno() { return std::strerror(errno); }

Status MakeDir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) return Status::Ok();
  return Status::Error(dir + ": " + Errno());
}

}  // namespace

Result<DataDirLock> DataDirLock::Acquire(const std::string& dir) {
  if (Status s = MakeDir(dir); !s.ok()) return s;
  const std::string path = dir + "/controller.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Error(path + ": " + Errno());
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return Status::Error(dir + ": another controller is using this data directory");
  }
  return DataDirLock(fd);
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) close(fd_);
}

Result<std::string> LoadOrCreateToken(const std::string& dir) {
  if (Status s = MakeDir(dir); !s.ok()) return s;
  const std::string path = dir + "/admin.token";
  std::ifstream in(path);
  if (in) {
    std::string token;
    in >> token;
    if (token.empty()) return Status::Error(path + ": empty token file");
    return token;
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Status::Error("cannot generate a token: RAND_bytes failed");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  OPENSSL_cleanse(bytes, sizeof bytes);
  const std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Error(tmp + ": " + Errno());
  const std::string line = token + "\n";
  bool ok =
      write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && fsync(fd) == 0;
  std::string error = ok ? "" : Errno();
  close(fd);
  if (!ok) return Status::Error(tmp + ": " + error);
  if (rename(tmp.c_str(), path.c_str()) != 0) return Status::Error(path + ": " + Errno());
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return token;
}

bool TokensEqual(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace microseg
