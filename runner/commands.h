// runner/commands.h: the hcsim subcommands, callable without the command-line parser (tests call
// them directly). Each returns the process exit code:
//   0 success; 1 an expect: gate failed; 2 bad input (message names file:line:col and key);
//   3 an internal or I/O error; 130 interrupted by SIGINT/SIGTERM (results marked interrupted).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace runner {

inline constexpr int kExitOk = 0;
inline constexpr int kExitExpectFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitError = 3;
inline constexpr int kExitInterrupted = 130;

struct RunArgs {
  std::string scenario;
  std::optional<uint64_t> seed;
  std::vector<std::string> sets;
  std::string out;           // "" = results/<scenario name>.sqlite
  std::string summary_json;  // "" = none, "-" = stdout
  bool quiet = false;
  bool force = false;  // run even when the estimate is over the limits (runner/estimate.h)
};

int cmd_run(const RunArgs& args, const std::atomic<bool>* stop);
int cmd_validate(const std::string& scenario, const std::vector<std::string>& sets, bool quiet);
// Exit 0 when every evaluated case agrees, 1 when one does not, 2 when the file is unreadable.
int cmd_hpa_check(const std::string& cases_file, bool verbose);

// Writes `text` to `path` atomically (a temporary file renamed into place).
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace runner
