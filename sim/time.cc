#include "sim/time.h"

#include <cmath>

#include "sim/assert.h"

namespace sim {

SimTime SimTime::from_seconds(double s) {
  SIM_ASSERT(std::isfinite(s), "time in seconds must be finite");
  const double ns = std::nearbyint(s * 1e9);
  SIM_ASSERT(ns < 9.2e18 && ns > -9.2e18, "time in seconds out of range");
  return SimTime(static_cast<int64_t>(ns));
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

}  // namespace sim
