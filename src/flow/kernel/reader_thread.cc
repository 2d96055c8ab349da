#include "flow/kernel/reader_thread.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace microseg {

Status ReaderThread::Start(int fd, std::function<void()> on_readable) {
  if (running()) return Status::Error("reader already started");
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return Status::Error(std::string("fcntl(O_NONBLOCK): ") + std::strerror(errno));
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) return Status::Error(std::string("eventfd: ") + std::strerror(errno));
  thread_ = std::thread([fd, wake = wake_fd_, on_readable = std::move(on_readable)] {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake, POLLIN, 0}};
    while (true) {
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents) return;
      // POLLERR is how a netlink socket reports ENOBUFS (overrun): the read
      // returns the error and the callback counts it.
      if (fds[0].revents) on_readable();
    }
  });
  return Status::Ok();
}

void ReaderThread::Stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  if (wake_fd_ >= 0) close(wake_fd_);
  wake_fd_ = -1;
}

}  // namespace microseg
