// report/text.h: printf-style formatting into a std::string, for text meant for people.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>

#include "sim/time.h"

namespace report {

__attribute__((format(printf, 1, 2))) inline std::string strf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, format, again);
  va_end(again);
  return out;
}

// A simulated moment or span for people: 3.9s, 11m36.1s, 2h05m00.0s.
inline std::string clock_time(double s) { return sim::format_clock(s); }

}  // namespace report
