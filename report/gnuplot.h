// report/gnuplot.h: drawing charts with gnuplot, safely.
//
// Everything from a user's file that reaches a gnuplot script (labels, scenario, site and axis
// names, titles, file paths) goes through quote(): a single-quoted gnuplot string, in which
// gnuplot interprets nothing but a doubled quote, with control characters (a newline would end
// the command and start another) replaced by spaces. gnuplot is started without a shell
// (posix_spawnp with an argument vector), and its exit status is checked: a chart that was not
// drawn is an error, never a silently missing file.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace report::gnuplot {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `s` as a gnuplot single-quoted string literal, quotes included.
std::string quote(std::string_view s);

// `s` as a double-quoted string column of a gnuplot data file: double quotes become single
// quotes and control characters spaces (a data file is never executed, but a newline would
// split the row).
std::string data_string(std::string_view s);

// Whether gnuplot with the pngcairo terminal can be started.
bool available();

// Runs `gnuplot script_path`, its output discarded and its error output (warnings included) kept
// in script_path + ".log" (removed when empty). Throws Error with gnuplot's first error lines
// when it cannot be started or exits with a failure (gnuplot stops a script at its first
// error). Callers check that each image they link was written.
void run(const std::string& script_path);

// The first lines of what gnuplot printed running `script_path` ("" if nothing).
std::string messages(const std::string& script_path);

}  // namespace report::gnuplot
