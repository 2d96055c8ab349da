// The controller's data directory: its lock and its admin token.
#pragma once

#include <string>

#include "common/status.h"

namespace microseg {

// Holds an exclusive lock (flock) on DIR/controller.lock for its lifetime,
// so that two controllers never share one directory. Released by the
// kernel if the process dies.
class DataDirLock {
 public:
  // Creates the directory (0700) when absent.
  static Result<DataDirLock> Acquire(const std::string& dir);
  DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DataDirLock& operator=(DataDirLock&&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

// Reads DIR/admin.token, or on first start writes 32 random bytes (OpenSSL
// RAND_bytes) there as 64 hex digits, mode 0600, synced to disk.
Result<std::string> LoadOrCreateToken(const std::string& dir);

// Compares in time independent of where they differ.
bool TokensEqual(const std::string& a, const std::string& b);

}  // namespace microseg
