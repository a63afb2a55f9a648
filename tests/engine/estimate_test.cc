// validate's resource estimate (engine/estimate.h): the memory it predicts grows by the measured
// cost of each thing alive at once (docs/performance.md, "National scale"), and not with the
// horizon: requests are pooled and results written in batches.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "config/loader.h"
#include "engine/estimate.h"

namespace {
double memory(const std::string& file, const std::vector<std::string>& sets) {
  return engine::estimate(
             config::load_scenario_file(std::string(HCSIM_SOURCE_DIR) + "/" + file, sets))
      .memory_bytes;
}
const char* kUsers = "tests/perf/flash-crowd-1h-dns.yaml";
const char* kPods = "tests/perf/pods-scale.yaml";
}  // namespace

TEST_CASE("the memory estimate counts 150 to 200 bytes per user at the peak") {
  // The flash crowd peaks at 5x its base: 100,000 more base users are 500,000 more at the peak.
  const double small = memory(kUsers, {"traffic.users.base=5000"});
  const double large = memory(kUsers, {"traffic.users.base=105000"});
  const double per_user = (large - small) / 500000.0;
  INFO("bytes per peak user: " << per_user);
  CHECK(per_user >= 150.0);  // the user itself, idle
  CHECK(per_user < 200.0);   // plus its share of requests in flight
}

TEST_CASE("the memory estimate counts a few KB per pod the autoscaler may hold") {
  auto pods = [](int n) {
    const std::string s = std::to_string(n);
    return memory(kPods, {"sites.dc.replicas=" + s, "sites.dc.autoscaler.hpa.minReplicas=" + s,
                          "sites.dc.autoscaler.hpa.maxReplicas=" + s,
                          "sites.dc.nodes.count=" + std::to_string(n / 16 + 1)});
  };
  const double per_pod = (pods(10000) - pods(100)) / 9900.0;
  INFO("bytes per pod: " << per_pod);
  CHECK(per_pod > 2000.0);
  CHECK(per_pod < 3500.0);
  // The HPA's maximum counts, not the starting replicas: the pods may all be there at the peak.
  const double room =
      memory(kPods, {"sites.dc.autoscaler.hpa.maxReplicas=5000", "sites.dc.nodes.count=400"});
  CHECK(room - pods(100) > 4900 * 2000.0);
}

TEST_CASE("the memory estimate counts resolvers and not the horizon") {
  const double few = memory(kUsers, {"gslb.dns.resolvers_per_region=200"});
  const double many = memory(kUsers, {"gslb.dns.resolvers_per_region=100200"});
  CHECK((many - few) / 200000.0 == Approx(24.0));  // two regions
  CHECK(memory(kUsers, {"duration=24h"}) == memory(kUsers, {"duration=1h"}));
  CHECK(memory(kPods, {"duration=720h"}) == memory(kPods, {}));
}
