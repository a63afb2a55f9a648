// tests/support/spawn.h: running the hcsim executable from tests (a separate process, as users
// and CI run it), with a scratch directory.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace support {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir()
      : path_(fs::temp_directory_path() /
              ("hcsim-cli-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// A program started in the background; wait() collects its exit code and output.
class Spawned {
 public:
  Spawned(pid_t pid, std::string out, std::string err)
      : pid_(pid), out_(std::move(out)), err_(std::move(err)) {}
  pid_t pid() const { return pid_; }
  // True while the process has not exited (it is reaped when it has: call wait() then).
  bool running() {
    if (done_) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      done_ = true;
      status_ = status;
    }
    return !done_;
  }
  Result wait() {
    if (!done_) {
      waitpid(pid_, &status_, 0);
      done_ = true;
    }
    Result r;
    r.code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
    r.out = slurp(out_);
    r.err = slurp(err_);
    return r;
  }

 private:
  pid_t pid_;
  std::string out_, err_;
  bool done_ = false;
  int status_ = 0;
};

// Starts a program (argv[0] is its path) with extra "NAME=value" environment entries, which
// replace inherited ones of the same name; its output goes to stdout<tag>.txt and
// stderr<tag>.txt in `dir`.
inline Spawned start(std::vector<std::string> argv_s, const TempDir& dir,
                     const std::vector<std::string>& env = {}, const std::string& tag = "") {
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = dir / ("stdout" + tag + ".txt"), err = dir / ("stderr" + tag + ".txt");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  std::vector<std::string> env_s(env);
  auto overridden = [&env](const std::string& entry) {
    const std::string name = entry.substr(0, entry.find('=') + 1);
    for (const std::string& e : env) {
      if (e.compare(0, name.size(), name) == 0) return true;
    }
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e) {
    if (!overridden(*e)) env_s.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data()) == 0);
  posix_spawn_file_actions_destroy(&fa);
  return Spawned(pid, out, err);
}

// Runs a program to its end (see start()); if interrupt_after_ms > 0, sends `signal_number`
// (SIGINT) after that long.
inline Result run(std::vector<std::string> argv_s, const TempDir& dir, int interrupt_after_ms = 0,
                  const std::vector<std::string>& env = {}, int signal_number = SIGINT) {
  Spawned p = start(std::move(argv_s), dir, env);
  if (interrupt_after_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(interrupt_after_ms));
    kill(p.pid(), signal_number);
  }
  return p.wait();
}

// Starts the hcsim executable under test with args, in the background.
inline Spawned hcsim_start(const std::vector<std::string>& args, const TempDir& dir,
                           const std::string& tag) {
  std::vector<std::string> argv{HCSIM_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  return start(argv, dir, {}, tag);
}

// Runs the hcsim executable under test with args.
inline Result hcsim(const std::vector<std::string>& args, const TempDir& dir,
                    int interrupt_after_ms = 0, const std::vector<std::string>& env = {},
                    int signal_number = SIGINT) {
  std::vector<std::string> argv{HCSIM_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, dir, interrupt_after_ms, env, signal_number);
}

}  // namespace support
