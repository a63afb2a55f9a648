#include "sim/time.h"

#include <cmath>
#include <cstdio>

#include "sim/assert.h"

namespace sim {

SimTime SimTime::from_seconds(double s) {
  const double ns = s * 1e9;
  // One range test also rejects NaN (every comparison with NaN is false).
  SIM_ASSERT(ns < 9.2e18 && ns > -9.2e18, "time in seconds out of range or not finite");
  // Round half away from zero (std::nearbyint is a library call on baseline x86-64).
  return SimTime(static_cast<int64_t>(ns < 0 ? ns - 0.5 : ns + 0.5));
}

std::string format_duration(SimTime t) {
  if (t.is_max()) return "never";
  int64_t ns = t.ns();
  std::string out;
  if (ns < 0) {
    out = "-";
    ns = -ns;
  }
  if (ns == 0) return "0s";
  struct Unit {
    int64_t ns;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{3600'000'000'000, "h"}, {60'000'000'000, "m"},
                                    {1'000'000'000, "s"},    {1'000'000, "ms"},
                                    {1'000, "us"},           {1, "ns"}};
  for (const Unit& u : kUnits) {
    if (ns >= u.ns) {
      out += std::to_string(ns / u.ns) + u.name;
      ns %= u.ns;
    }
  }
  return out;
}

std::string format_clock(double s) {
  char buf[64];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  } else {
    const long long whole = static_cast<long long>(s);
    const double frac = s - static_cast<double>(whole - whole % 60);
    if (s < 3600)
      std::snprintf(buf, sizeof buf, "%lldm%04.1fs", whole / 60, frac);
    else
      std::snprintf(buf, sizeof buf, "%lldh%02lldm%04.1fs", whole / 3600, (whole % 3600) / 60,
                    frac);
  }
  return buf;
}

}  // namespace sim
