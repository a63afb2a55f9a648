// models/common/text.h: numbers in text meant for people (event-log messages, descriptions).
// Machine-readable values go into typed event details (sim/event_details.h), never into text.
#pragma once

#include <iomanip>
#include <sstream>
#include <string>

namespace models {

// Like printf's %g: six significant digits, no trailing zeros.
inline std::string general(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

// A fixed number of decimals, like printf's %.Nf.
inline std::string fixed(double v, int decimals) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(decimals) << v;
  return o.str();
}

}  // namespace models
