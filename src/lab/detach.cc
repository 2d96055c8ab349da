#include "lab/detach.h"

#include <fcntl.h>
#include <unistd.h>

namespace microseg::lab {

Result<pid_t> SpawnDetached(const std::string& log, const std::function<void()>& body) {
  pid_t pid = fork();
  if (pid < 0) return Status::Error("lab: fork failed");
  if (pid > 0) return pid;
  setsid();
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  // dup2 clears O_CLOEXEC on 0, 1 and 2, so an exec'd body keeps them.
  if (in >= 0) dup2(in, 0);
  if (out >= 0) {
    dup2(out, 1);
    dup2(out, 2);
  } else {
    close(1);  // nothing to write to, but never the caller's pipe
    close(2);
  }
  if (in > 2) close(in);
  if (out > 2) close(out);
  body();
  _exit(0);
}

}  // namespace microseg::lab
