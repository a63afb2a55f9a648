#include "report/gnuplot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace report::gnuplot {

namespace {

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// Starts `argv` without a shell, stdin and stdout on /dev/null and stderr into `log` ("" =
// /dev/null); returns its exit status, or -1 when it could not be started or was killed.
int spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.empty() ? "/dev/null" : log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The first lines of gnuplot's error output.
std::string head(const std::string& path, int lines) {
  std::ifstream in(path);
  std::string line, out;
  for (int i = 0; i < lines && std::getline(in, line); ++i) out += (i ? " / " : "") + line;
  return out;
}

}  // namespace

std::string quote(std::string_view s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "''";
    } else {
      out += is_control(c) ? ' ' : c;
    }
  }
  return out + "'";
}

std::string data_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? '\'' : is_control(c) ? ' ' : c;
  return out + "\"";
}

std::string messages(const std::string& script_path) { return head(script_path + ".log", 4); }

bool available() { return spawn({"gnuplot", "-e", "set terminal pngcairo"}, "") == 0; }

void run(const std::string& script_path) {
  const std::string log = script_path + ".log";
  const int status = spawn({"gnuplot", script_path}, log);
  if (status == -1) throw Error("cannot start gnuplot for " + script_path);
  if (status != 0) {
    const std::string errors = head(log, 4);
    throw Error("gnuplot failed on " + script_path + " (exit " + std::to_string(status) +
                "): " + (errors.empty() ? "no message" : errors));
  }
  std::error_code ec;
  if (std::filesystem::file_size(log, ec) == 0) std::filesystem::remove(log, ec);
}

}  // namespace report::gnuplot
