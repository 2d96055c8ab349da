#include "common/owner_only_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace microseg {

Status MakeOwnerOnlyDatabase(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::fchmod(fd, 0600) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return Status::Error(path + ": " + why);
  }
  ::close(fd);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    if (::chmod((path + suffix).c_str(), 0600) != 0 && errno != ENOENT) {
      return Status::Error(path + suffix + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

}  // namespace microseg
