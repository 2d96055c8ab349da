// Network-namespace plumbing: run `ip`, enter a namespace on the calling
// thread, list and delete namespaces by name prefix. Low in the layers
// because both the lab (which builds namespaces) and the agent daemon
// (which enforces in one with --netns) enter them.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace microseg {

// Runs argv[0] (searched in PATH) and waits. The error names the command
// and carries its stderr.
Status RunCommand(const std::vector<std::string>& argv);

// Moves the calling thread into network namespace `name` (/run/netns/NAME)
// and back on destruction. Sockets created meanwhile stay in `name`.
class ScopedNetns {
 public:
  explicit ScopedNetns(const std::string& name);
  // The namespace `fd` refers to (an open /proc/.../ns/net; not closed).
  // A thread inside a node's namespace uses it to step back to the host's
  // for a moment, e.g. to reach a controller on the host's loopback.
  explicit ScopedNetns(int fd);
  ~ScopedNetns();
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;
  const Status& status() const { return status_; }

 private:
  int original_fd_ = -1;
  Status status_;
};

// Writes `value` to /proc/sys/<key with dots as slashes> inside `netns`.
Status SetSysctl(const std::string& netns, const std::string& key, const std::string& value);

std::vector<std::string> ListNetns(const std::string& prefix);
Status DeleteNetns(const std::string& name);

}  // namespace microseg
