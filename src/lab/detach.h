// SpawnDetached: a child process that outlives the command that started it
// (`lab up`'s listener server and agents) without holding the caller's
// terminal or pipes: `microseg lab up | tee log` must end when `lab up`
// does, not at `lab down`.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "common/status.h"

namespace microseg::lab {

// Forks; the child starts a new session, takes stdin from /dev/null and
// stdout and stderr from `log` (created or truncated; /dev/null when it
// cannot be opened: never the caller's), runs `body` and exits 0 (body may
// exec or _exit itself). Returns the child's pid.
Result<pid_t> SpawnDetached(const std::string& log, const std::function<void()>& body);

}  // namespace microseg::lab
