#include "store/writer_lock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>

#include "store/files.h"
#include "store/runs.h"
#include "store/sqlite.h"

namespace store {

namespace {

// Open-file-description locks (Linux 3.15+): owned by the open file like flock(2), so a second
// lock in the same process conflicts too, and testable with F_OFD_GETLK without taking them.
bool lock_whole_file(int fd, short type, int cmd, struct flock* fl) {
  std::memset(fl, 0, sizeof *fl);
  fl->l_type = type;
  fl->l_whence = SEEK_SET;
  return fcntl(fd, cmd, fl) == 0;
}

std::string read_fd(int fd) {
  std::string text;
  char buf[1024];
  off_t at = 0;
  for (;;) {
    const ssize_t n = pread(fd, buf, sizeof buf, at);
    if (n <= 0 || text.size() > 16384) break;
    text.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
  return text;
}

std::string field(const std::string& text, const std::string& key) {
  const std::string k = key + "=";
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? end : end - at);
    if (line.compare(0, k.size(), k) == 0) return line.substr(k.size());
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "";
}

std::string describe_holder(const std::string& text) {
  const std::string pid = field(text, "pid");
  if (pid.empty()) return "another process (starting up)";
  return "pid " + pid + " (" + field(text, "command") + "), writing since " + field(text, "since");
}

bool same_file(int fd, const std::string& path) {
  struct stat a {
  }, b{};
  return fstat(fd, &a) == 0 && stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

}  // namespace

WriterLock::WriterLock(const std::string& results_path, const std::string& command)
    : path_(lock_path(results_path)) {
  // The previous holder unlinks the lock file as it lets go: a lock taken on a file that is no
  // longer at the path is worthless, so open again.
  for (int attempt = 0; attempt < 100; ++attempt) {
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw std::runtime_error(path_ +
                               ": cannot create the writer's lock file: " + std::strerror(errno));
    }
    struct flock fl;
    if (!lock_whole_file(fd_, F_WRLCK, F_OFD_SETLK, &fl)) {
      const int err = errno;
      const std::string holder = read_fd(fd_);
      close(fd_);
      fd_ = -1;
      if (err == EACCES || err == EAGAIN) {
        throw WriterBusy(results_path + " is being written by " + describe_holder(holder) +
                         "; wait for it to end, or write to another file (--out)");
      }
      throw std::runtime_error(path_ + ": cannot lock: " + std::strerror(err));
    }
    if (same_file(fd_, path_)) {
      const std::string info = "pid=" + std::to_string(getpid()) + "\ncommand=" + command +
                               "\nsince=" + utc_now() + "\n";
      if (ftruncate(fd_, 0) != 0 ||
          pwrite(fd_, info.data(), info.size(), 0) != static_cast<ssize_t>(info.size())) {
        // The description is a courtesy to a second writer; the lock itself holds.
      }
      return;
    }
    close(fd_);
    fd_ = -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  throw std::runtime_error(path_ + ": the lock file keeps being replaced");
}

WriterLock::~WriterLock() {
  if (fd_ < 0) return;
  unlink(path_.c_str());  // while still holding the lock: see the constructor
  close(fd_);
}

std::string current_writer(const std::string& results_path) {
  const std::string path = WriterLock::lock_path(results_path);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct flock fl;
  std::string who;
  if (lock_whole_file(fd, F_RDLCK, F_OFD_GETLK, &fl) && fl.l_type != F_UNLCK)
    who = describe_holder(read_fd(fd));
  close(fd);
  return who;
}

Holdings inspect_results(const std::string& path) {
  Holdings h;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return h;
  h.exists = true;
  try {
    Db db(path, Db::Mode::kReadOnly);
    Stmt tables(db,
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runs', "
                "'meta')");
    if (!tables.step() || tables.int64(0) != 2) return h;
    h.is_results = true;
    const auto meta = read_meta(db);
    if (const auto it = meta.find("sweep_name"); it != meta.end()) h.sweep_name = it->second;
    if (const auto it = meta.find("sweep_hash"); it != meta.end()) h.sweep_hash = it->second;
    Stmt runs(db, "SELECT count(*), coalesce(sum(status = 'completed'), 0) FROM runs");
    if (runs.step()) {
      h.runs = runs.int64(0);
      h.completed = runs.int64(1);
    }
    Stmt names(db, "SELECT DISTINCT scenario_name FROM runs ORDER BY scenario_name LIMIT 6");
    while (names.step()) h.scenarios += (h.scenarios.empty() ? "" : ", ") + names.text(0);
  } catch (const std::exception&) {
    h.is_results = false;
  }
  return h;
}

}  // namespace store
