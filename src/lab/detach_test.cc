#include "lab/detach.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "lab/load_wait.h"

namespace microseg::lab {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `microseg lab up | tee log` must end when `lab up` returns: a detached
// child that is still running holds none of the caller's stdout/stderr.
TEST(SpawnDetached, TheCallersStdoutClosesWhileTheChildRuns) {
  std::string dir = ::testing::TempDir() + "detach-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string log = dir + "/child.log";
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  fflush(stdout);
  fflush(stderr);
  int saved_out = dup(1), saved_err = dup(2);
  dup2(p[1], 1);
  dup2(p[1], 2);
  close(p[1]);
  auto pid = SpawnDetached(log, [] {
    (void)!write(1, "started\n", 8);
    pause();  // runs until killed, like the listener server
  });
  dup2(saved_out, 1);
  dup2(saved_err, 2);
  close(saved_out);
  close(saved_err);
  ASSERT_TRUE(pid.ok()) << pid.status().message();

  // The child is running once it wrote to its log.
  auto deadline = std::chrono::steady_clock::now() + LoadScaledWait(std::chrono::seconds(5));
  while (ReadFile(log).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(ReadFile(log), "started\n");
  ASSERT_EQ(waitpid(*pid, nullptr, WNOHANG), 0) << "the child must still run";
  // Nobody else holds the pipe's write end: the reader sees EOF now.
  pollfd r{p[0], POLLIN, 0};
  EXPECT_EQ(poll(&r, 1, 0), 1) << "the detached child holds the caller's stdout or stderr";
  char c;
  EXPECT_EQ(read(p[0], &c, 1), 0);
  close(p[0]);
  kill(*pid, SIGKILL);
  waitpid(*pid, nullptr, 0);
  std::filesystem::remove_all(dir);
}

TEST(LoadWait, ScalesWithLoadPerCpuUpToTheCap) {
  using std::chrono::seconds;
  struct Row {
    const char* description;
    double load;
    int cpus;
    seconds want;
  } rows[] = {
      {"idle: the base", 0.1, 2, seconds(20)},
      {"one task per CPU: the base", 2.0, 2, seconds(20)},
      {"load 14 on 2 CPUs: 7 times", 14.0, 2, seconds(140)},
      {"load 100 on 2 CPUs: the cap", 100.0, 2, seconds(300)},
      {"unknown CPU count counts as one", 3.0, 0, seconds(60)},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(ScaleWaitForLoad(seconds(20), r.load, r.cpus, kMaxAgentWait), r.want) << r.description;
  }
  EXPECT_GE(LoadScaledWait(seconds(20)), seconds(20));
}

}  // namespace
}  // namespace microseg::lab
