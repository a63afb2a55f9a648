// tests/support/small_sweep.h: a sweep of twelve short runs for tests of sweeping, sharding and
// merging.
#pragma once

#include <string>

namespace support {

// 3 weights x 2 balancing variants x 2 replications = 12 runs of the two-site example.
inline std::string small_sweep(const std::string& name = "small",
                               const std::string& duration = "3m") {
  return "name: " + name + "\nscenario: " + HCSIM_SOURCE_DIR +
         "/scenarios/examples/two-sites-30-70.yaml\n"
         "set: {allow_late: true, duration: " +
         duration +
         ", metrics.warmup: 30s}\n"
         "axes:\n"
         "  - {name: private, set: [gslb.weights.private], values: [20, 25, 30]}\n"
         "  - name: lb\n"
         "    values:\n"
         "      - {label: least-request, set: {}}\n"
         "      - {label: random, set: {sites.private.deployment.balancing: random}}\n"
         "replications: 2\n"
         "seed: 7\n";
}

}  // namespace support
