// Files that hold secrets or flows (state.db, flows.db) are owner-only,
// whatever the umask.
#pragma once

#include <string>

#include "common/status.h"

namespace microseg {

// Creates `path` mode 0600, or narrows an existing file (from an older
// release) to 0600, before SQLite opens it. SQLite gives its -wal, -shm and
// -journal files the database file's mode; existing ones are narrowed too.
// Errors read "PATH: reason"; callers add what the file is.
Status MakeOwnerOnlyDatabase(const std::string& path);

}  // namespace microseg
