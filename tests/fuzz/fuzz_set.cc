// Fuzz target: `--set` overrides (one per line of the input) on a valid scenario that has every
// section, so paths reach deep into the loader.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/loader.h"

namespace {

const char* kBase = R"(name: fuzz
duration: 10m
seed: 1
metrics: {bucket: 10s, apdex_t: 500ms}
topology:
  regions: {a: {share: 0.6}, b: {share: 0.4}}
  links:
    - {from: a, to: private, latency: 3ms}
    - {from: b, to: public, latency: 8ms}
    - {from: a, to: public, latency: 9ms}
traffic:
  kind: closed
  users: {profile: flash_crowd, base: 100, shock: 5, decay: 2, start: 2m, unit: 1m}
  think_time: {dist: exponential, mean: 5s}
  client: {timeout: 10s, retries: {count: 2, backoff: 500ms, jitter: 0.5}}
  request: {cpu: {dist: lognormal, mean: 40ms, cv: 1.0}, write_fraction: 0.1}
gslb:
  policy: weighted
  weights: {private: 30, public: 70}
  dns: {ttl: 30s, resolvers_per_region: 100}
  health_check: {interval: 10s, timeout: 2s}
sites:
  private:
    cloud: private
    nodes: {count: 2, cpu: 8, max_pods: 30}
    replicas: 3
    deployment:
      image: {name: app:1, size: 600MB}
      pod: {cpu: 1, concurrency: 8, queue: 64}
    autoscaler:
      hpa:
        minReplicas: 3
        maxReplicas: 20
        metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]
  public:
    cloud: public
    cost: {pod_per_hour: 0.05, node_per_hour: 0.40}
    nodes: {count: 2, cpu: 8, max_pods: 30, autoscale: {max: 10}}
    replicas: 6
    deployment:
      pod: {cpu: 1, concurrency: 8, queue: 64}
    autoscaler: {knative: {max: 30}}
replication: {from: private, to: public, mode: async, lag: {dist: exponential, mean: 2s}}
events:
  - {at: 5m, outage: {site: private, kind: full, duration: 2m}}
expect: {apdex_min: 0.8}
narration:
  - {at: 0s, text: hello}
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> sets;
  std::string line;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      sets.push_back(line);
      line.clear();
    } else {
      line += static_cast<char>(data[i]);
    }
  }
  if (!line.empty()) sets.push_back(line);
  if (sets.size() > 16) sets.resize(16);
  try {
    (void)config::load_scenario_text(kBase, "base.yaml", sets);
  } catch (const config::ScenarioError&) {
  }
  return 0;
}
