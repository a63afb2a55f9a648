// store/writer_lock.h: one writer per results file, and what a results file already holds.
//
// Every command that writes a results file (run, sweep, merge) holds its WriterLock for the
// whole write. The lock is an advisory flock(2) on a file next to the results, `<results>.lock`,
// which also records who holds it (pid, command line, start time): a second writer is refused at
// once with that description, and the kernel releases the lock when the holder exits, even when
// it is killed. SQLite's own locking still guards each transaction; this lock keeps two writers
// from interleaving whole runs, replacing each other's files or sharing a sweep's scratch folder.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace store {

// Another process is writing the results file. what() names it.
class WriterBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class WriterLock {
 public:
  // Takes the lock of `results_path` for `command` (the command line, shown to a second
  // writer). Throws WriterBusy when another process holds it, std::runtime_error when the lock
  // file cannot be created.
  WriterLock(const std::string& results_path, const std::string& command);
  ~WriterLock();
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  static std::string lock_path(const std::string& results_path) { return results_path + ".lock"; }

 private:
  int fd_ = -1;
  std::string path_;
};

// "pid 123 (hcsim sweep a.yaml), writing since 2026-11-30T10:40:02Z" when a process holds the
// lock of `results_path`, "" when none does.
std::string current_writer(const std::string& results_path);

// What an existing file at a results path holds, for commands that would replace it.
struct Holdings {
  bool exists = false;
  bool is_results = false;  // an hcsim results file (any schema version)
  std::string sweep_name;   // "" when no sweep wrote it
  std::string sweep_hash;
  std::string scenarios;  // the distinct scenario names of its runs, comma-separated
  int64_t runs = 0, completed = 0;
};
Holdings inspect_results(const std::string& path);

}  // namespace store
