// Test helpers for code that enters network namespaces.
#pragma once

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>

#include <functional>
#include <thread>

namespace microseg {

// The inode of the calling thread's network namespace: equal inodes, same
// namespace.
inline ino_t ThreadNetnsInode() {
  struct stat st {};
  EXPECT_EQ(stat("/proc/thread-self/ns/net", &st), 0);
  return st.st_ino;
}

// Runs `body` on a new thread inside a private network namespace of its
// own (gone when the thread ends), and waits for it. Needs root.
inline void RunInPrivateNetns(const std::function<void()>& body) {
  std::thread t([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      ADD_FAILURE() << "unshare(CLONE_NEWNET) failed";
      return;
    }
    body();
  });
  t.join();
}

}  // namespace microseg
