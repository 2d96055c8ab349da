// Files of the PKI and of join tokens: written whole (temp file, fsync,
// rename, fsync of the directory) with a given mode, so that a crash leaves
// the old or the new content, and keys are never readable by others.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/status.h"

namespace microseg::pki {

Status WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode);

// The whole file; an error naming the path when it cannot be read.
Result<std::string> ReadFileText(const std::string& path);

bool FileExists(const std::string& path);

// Creates `dir` with mode 0700 when absent.
Status MakePrivateDir(const std::string& dir);

}  // namespace microseg::pki
