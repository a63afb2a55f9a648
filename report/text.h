// report/text.h: printf-style formatting into a std::string, for text meant for people.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>

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
inline std::string clock_time(double s) {
  if (s < 60) return strf("%.1fs", s);
  const long long whole = static_cast<long long>(s);
  const double frac = s - static_cast<double>(whole - whole % 60);
  if (s < 3600) return strf("%lldm%04.1fs", whole / 60, frac);
  return strf("%lldh%02lldm%04.1fs", whole / 3600, (whole % 3600) / 60, frac);
}

}  // namespace report
