// cli/exit_codes.h: the process exit codes of hcsim and hcsim-viewer, in one place.
//   0 success; 1 an expect: gate failed, or a compare --fail-if-worse gate (a CI gate); 2 bad input
//   (the message names file, line, column and key; nothing is written); 3 an internal or I/O error;
//   130 interrupted by SIGINT or SIGTERM (results are kept, the run marked interrupted).
#pragma once

namespace cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitExpectFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitError = 3;
inline constexpr int kExitInterrupted = 130;

}  // namespace cli
