#include "netns/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

extern char** environ;

namespace microseg {

Status RunCommand(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  char err_path[] = "/tmp/microseg-lab-XXXXXX";
  int err_fd = mkstemp(err_path);
  if (err_fd < 0) return Status::Error("cannot create a temp file for: " + line);
  unlink(err_path);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    close(err_fd);
    return Status::Error("cannot run " + line + ": " + std::strerror(rc));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string err;
  char buf[512];
  lseek(err_fd, 0, SEEK_SET);
  for (ssize_t n; (n = read(err_fd, buf, sizeof(buf))) > 0;) err.append(buf, n);
  close(err_fd);
  while (!err.empty() && err.back() == '\n') err.pop_back();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Error("`" + line + "` failed" + (err.empty() ? "" : ": " + err));
  }
  return Status::Ok();
}

ScopedNetns::ScopedNetns(const std::string& name) {
  original_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  int fd = open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || original_fd_ < 0) {
    status_ = Status::Error("cannot open network namespace " + name);
  } else if (setns(fd, CLONE_NEWNET) != 0) {
    status_ = Status::Error("cannot enter network namespace " + name + ": " + std::strerror(errno));
  }
  if (fd >= 0) close(fd);
}

ScopedNetns::ScopedNetns(int fd) {
  original_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original_fd_ < 0) {
    status_ = Status::Error("cannot open the thread's network namespace");
  } else if (setns(fd, CLONE_NEWNET) != 0) {
    status_ = Status::Error(std::string("cannot enter a network namespace: ") + std::strerror(errno));
  }
}

ScopedNetns::~ScopedNetns() {
  if (original_fd_ >= 0) {
    if (status_.ok()) setns(original_fd_, CLONE_NEWNET);
    close(original_fd_);
  }
}

Status SetSysctl(const std::string& netns, const std::string& key, const std::string& value) {
  Status result;
  // A short-lived thread, so the caller's namespace never changes.
  std::thread t([&] {
    ScopedNetns in(netns);
    if (!in.status().ok()) {
      result = in.status();
      return;
    }
    std::string path = "/proc/sys/" + key;
    std::replace(path.begin() + 10, path.end(), '.', '/');
    std::ofstream f(path);
    f << value;
    f.flush();
    if (!f) result = Status::Error("cannot set " + key + " in " + netns);
  });
  t.join();
  return result;
}

std::vector<std::string> ListNetns(const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/run/netns", ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status DeleteNetns(const std::string& name) { return RunCommand({"ip", "netns", "delete", name}); }

}  // namespace microseg
