// Clang's thread-safety annotations (-Wthread-safety, on for clang builds in
// CMakeLists.txt): which mutex guards which member, which functions need it
// held. Other compilers see nothing. libstdc++'s std::mutex carries no
// annotations, so annotated state is guarded by Mutex and held by MutexLock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define MICROSEG_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define MICROSEG_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) MICROSEG_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY MICROSEG_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) MICROSEG_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) MICROSEG_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) MICROSEG_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) MICROSEG_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) MICROSEG_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define EXCLUDES(...) MICROSEG_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS MICROSEG_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace microseg {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope; Unlock() and Lock() around a blocking call.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : lock_(mu->mu_) {}
  ~MutexLock() RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() RELEASE() { lock_.unlock(); }
  void Lock() ACQUIRE() { lock_.lock(); }

  // Waits on `cv` until `done()` or `timeout`; the mutex is released
  // meanwhile and held again on return (so `done` runs with it held).
  template <typename Rep, typename Period, typename Done>
  bool WaitFor(std::condition_variable& cv, std::chrono::duration<Rep, Period> timeout, Done done) {
    return cv.wait_for(lock_, timeout, done);
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace microseg
