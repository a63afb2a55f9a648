// Scenario-level checks of the Kubernetes dynamics: how a cluster actually responds to load.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "config/loader.h"
#include "engine/run.h"
#include "sim/memory_recorder.h"

using config::Scenario;
using sim::MemoryRecorder;
using sim::SimTime;

namespace {

MemoryRecorder run(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  const Scenario s = config::load_scenario_text(yaml, "test.yaml", sets);
  MemoryRecorder rec;
  const engine::RunResult r = engine::execute(s, s.seed, rec, {});
  REQUIRE(r.status == "completed");
  return rec;
}

std::vector<const MemoryRecorder::Event*> events(const MemoryRecorder& rec,
                                                 const std::string& component,
                                                 const std::string& kind) {
  std::vector<const MemoryRecorder::Event*> out;
  for (const auto& e : rec.events_) {
    if (e.component == component && e.kind == kind) out.push_back(&e);
  }
  return out;
}

// A site of 4 one-core pods (100 ms of CPU per request) under an HPA on 50% CPU.
const char* kHpaSite = R"(
name: dyn
duration: 20m
seed: 5
metrics: {bucket: 5s}
traffic:
  rate: {profile: steps, steps: [{at: 0s, value: 20/s}, {at: 2m, value: 60/s}]}
  request:
    cpu: {dist: constant, value: 100ms}
sites:
  dc:
    cloud: public
    replicas: 4
    deployment:
      pod: {cpu: 1, concurrency: unlimited, queue: 0}
      startup:
        scheduling: {dist: constant, value: 1s}
        container: {dist: constant, value: 1s}
        boot: {dist: constant, value: 5s}
        readiness: {periodSeconds: 5}
    autoscaler:
      hpa:
        minReplicas: 2
        maxReplicas: 30
        metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
)";

}  // namespace

TEST_CASE("a load step is answered at the first HPA sync whose metrics show it") {
  const MemoryRecorder rec = run(kHpaSite);
  // The utilization each sync saw, and the syncs that scaled.
  std::vector<std::pair<SimTime, double>> seen;
  for (const auto& s : rec.samples_) {
    if (s.component == "hpa/dc" && s.name == "cpu.utilization") seen.push_back({s.t, s.value});
  }
  const auto scales = events(rec, "hpa/dc", "scale");
  const MemoryRecorder::Event* first_up = nullptr;
  for (const auto* e : scales) {
    if (e->message.rfind("scaled 4 -> ", 0) == 0) {
      first_up = e;
      break;
    }
  }
  REQUIRE(first_up != nullptr);
  const SimTime t = first_up->t;
  CHECK(t > sim::minutes(2));
  CHECK(t < sim::minutes(2) + sim::seconds(45));  // one metrics window plus one sync, at most
  // That sync is the first after the step to see utilization beyond the tolerance band...
  for (const auto& [when, util] : seen) {
    if (when > sim::minutes(2) && when < t) CHECK(util <= 55);
    if (when == t) CHECK(util > 55);
  }
  // ...and the syncs are 15 s apart: the HPA reacts in steps, not continuously.
  REQUIRE(seen.size() > 10);
  CHECK((seen[5].first - seen[4].first) == sim::seconds(15));
}

TEST_CASE("new pods are ready only after scheduling, pull, container start, boot and probes") {
  // A rollout to an image no node has: the surge pod walks every stage. Constant latencies:
  // bind 1 s, pull 100 MB at 10 MB/s = 10 s, container 2 s, boot 5 s, probes from 3 s after
  // container start every 4 s, 2 successes needed, endpoints 1 s later.
  const std::string yaml = R"(
name: stages
duration: 3m
traffic:
  rate: 10/s
  request: {cpu: {dist: constant, value: 10ms}}
sites:
  dc:
    cloud: private
    nodes: {count: 1, cpu: 8}
    replicas: 2
    deployment:
      image: {name: app:1, size: 100MB}
      pod: {cpu: 1}
      startup:
        scheduling: {dist: constant, value: 1s}
        pull: {bandwidth: 10MB/s}
        container: {dist: constant, value: 2s}
        boot: {dist: constant, value: 5s}
        readiness: {initialDelaySeconds: 3, periodSeconds: 4, successThreshold: 2}
        endpoint_delay: 1s
events:
  - {at: 10s, rollout: {site: dc, image: {name: app:2, size: 100MB}, maxSurge: 1, maxUnavailable: 0}}
)";
  const MemoryRecorder rec = run(yaml);
  auto at = [&](const std::string& msg) {
    for (const auto& e : rec.events_) {
      if (e.message == msg) return e.t;
    }
    FAIL("no event '" << msg << "'");
    return SimTime::zero();
  };
  const SimTime t0 = sim::seconds(10);
  CHECK(at("dc-r2-3 created") == t0);
  CHECK(at("dc-r2-3 scheduling") == t0);
  CHECK(at("dc-r2-3 pulling") == t0 + sim::seconds(1));
  CHECK(at("dc-r2-3 booting") == t0 + sim::seconds(11));
  // Container started at +13 s, app up at +18 s; probes at +16, +20, +24: Ready at +24 s.
  CHECK(at("dc-r2-3 Ready") == t0 + sim::seconds(24));
  CHECK(at("dc-r2-3 ready") == t0 + sim::seconds(25));
  // The second new pod lands on the same node, where the image is now cached: no pull.
  const SimTime second = at("dc-r2-4 created");
  CHECK(at("dc-r2-4 booting") == second + sim::seconds(1));
  bool pulled = false;
  for (const auto& e : rec.events_) pulled |= e.message == "dc-r2-4 pulling";
  CHECK_FALSE(pulled);
  CHECK(at("rollout to app:2 complete") > second);
}

std::string with(std::string yaml, const std::string& from, const std::string& to) {
  const std::size_t p = yaml.find(from);
  REQUIRE(p != std::string::npos);
  return yaml.replace(p, from.size(), to);
}

TEST_CASE("the HPA scales down only after the stabilization window") {
  // Load rises at 2 m and falls at 8 m. Without `behavior`, a scale-down goes only as low as
  // the highest recommendation of the last 300 s (hpa.md §5).
  const std::string yaml =
      with(kHpaSite, "{at: 2m, value: 60/s}]", "{at: 2m, value: 60/s}, {at: 8m, value: 10/s}]");
  const MemoryRecorder rec = run(yaml);
  std::vector<std::pair<SimTime, double>> proposals;
  for (const auto& smp : rec.samples_) {
    if (smp.component == "hpa/dc" && smp.name == "proposal")
      proposals.push_back({smp.t, smp.value});
  }
  int downs = 0;
  SimTime last_high = SimTime::zero(), below_high = SimTime::max();
  for (const auto* e : events(rec, "site/dc", "deployment")) {
    const auto arrow = e->message.find(" -> ");
    if (arrow == std::string::npos) continue;
    const int from = std::stoi(e->message.substr(9, arrow - 9));
    const int to = std::stoi(e->message.substr(arrow + 4));
    if (to >= from) continue;
    ++downs;
    double window_max = 0;
    for (const auto& [t, v] : proposals) {
      if (t >= e->t - sim::seconds(300) && t <= e->t) window_max = std::max(window_max, v);
    }
    INFO("scale-down to " << to << " at " << e->t.seconds() << " s");
    CHECK(to == std::max(2, static_cast<int>(window_max)));
    if (to < 12 && below_high.is_max()) below_high = e->t;
  }
  for (const auto& [t, v] : proposals) {
    if (v >= 12) last_high = t;
  }
  CHECK(downs >= 2);
  // The size falls below the busy level only once the last busy recommendation is 300 s old.
  REQUIRE(!below_high.is_max());
  CHECK(last_high >= sim::minutes(8));
  CHECK(below_high > last_high + sim::seconds(300));
  CHECK(below_high <= last_high + sim::seconds(315));
}

TEST_CASE("a full private site leaves the extra pods Pending") {
  // Two nodes of 2 cores: room for 4 one-core pods. The load needs about 12.
  std::string yaml = with(kHpaSite, "cloud: public\n    replicas: 4",
                          "cloud: private\n    nodes: {count: 2, cpu: 2}\n    replicas: 4");
  yaml = with(yaml, "{at: 2m, value: 60/s}", "{at: 2m, value: 120/s}");
  const MemoryRecorder rec = run(yaml);
  int max_pending = 0, max_ready = 0, max_desired = 0;
  for (const auto* row : rec.rows("site", "dc")) {
    max_pending = std::max(max_pending, static_cast<int>(row->get("replicas_pending")));
    max_ready = std::max(max_ready, static_cast<int>(row->get("replicas_ready")));
    max_desired = std::max(max_desired, static_cast<int>(row->get("replicas_desired")));
    CHECK(row->get("nodes") == 2);
  }
  CHECK(max_ready == 4);
  // The HPA counts the Pending pods as using nothing, which damps its next step (hpa.md §3.3).
  CHECK(max_desired >= 8);
  CHECK(max_pending == max_desired - 4);
  bool unschedulable = false;
  for (const auto& e : rec.events_)
    unschedulable |= e.message.find("unschedulable") != std::string::npos;
  CHECK(unschedulable);
}

TEST_CASE("node provisioning delay shows in the replicas series") {
  // A public site with one 2-core node; new nodes take exactly 2 minutes.
  std::string yaml = with(
      kHpaSite, "cloud: public\n    replicas: 4",
      "cloud: public\n    nodes:\n      count: 2\n      cpu: 2\n"
      "      autoscale: {max: 10, scan_interval: 10s, provisioning: {dist: constant, value: 2m}}\n"
      "    replicas: 4");
  const MemoryRecorder rec = run(yaml);
  SimTime first_pending = SimTime::max(), more_nodes = SimTime::max(), more_ready = SimTime::max();
  for (const auto* row : rec.rows("site", "dc")) {
    if (first_pending.is_max() && row->get("replicas_pending") > 0) first_pending = row->t;
    if (more_nodes.is_max() && row->get("nodes") > 2) more_nodes = row->t;
    if (more_ready.is_max() && row->get("replicas_ready") > 4) more_ready = row->t;
  }
  REQUIRE(!first_pending.is_max());
  REQUIRE(!more_nodes.is_max());
  // Pending pods are noticed within a scan (10 s), the node is ready 120 s later; buckets are 5 s.
  CHECK(more_nodes - first_pending >= sim::seconds(115));
  CHECK(more_nodes - first_pending <= sim::seconds(135));
  CHECK(more_ready >= more_nodes);
  const auto nodes = events(rec, "site/dc", "node");
  REQUIRE(nodes.size() >= 2);
  CHECK(nodes[0]->message.find("provisioning started") != std::string::npos);
  for (const auto* n : nodes) {
    if (n->message.find(" ready") != std::string::npos) {
      CHECK(n->t - nodes[0]->t == sim::minutes(2));
      break;
    }
  }
}

TEST_CASE("the HPA sees Burstable pods above 100% of their CPU request") {
  // Pods request 500m with a 2-core limit, two per 4-core node: each may use 2 cores. At 20
  // requests/s of 100 ms each of the 2 pods uses about 1 core: 200% of its request.
  const char* yaml = R"(
name: burst
duration: 5m
seed: 3
traffic: {rate: 20/s, request: {cpu: {dist: constant, value: 100ms}}}
sites:
  dc:
    cloud: public
    replicas: 2
    nodes: {count: 1, cpu: 4, max_pods: 8}
    deployment: {pod: {cpu: 500m, cpu_limit: 2, concurrency: unlimited, queue: 0}}
    autoscaler:
      hpa:
        minReplicas: 2
        maxReplicas: 2
        metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
)";
  const MemoryRecorder rec = run(yaml);
  double sum = 0;
  int n = 0;
  for (const auto& s : rec.samples_) {
    if (s.component == "hpa/dc" && s.name == "cpu.utilization" && s.t > sim::seconds(60)) {
      sum += s.value;
      ++n;
    }
  }
  REQUIRE(n > 10);
  CHECK(sum / n == Approx(200).margin(10));
  // Without the limit the same pods are capped at their request: 100%.
  const MemoryRecorder capped = run(yaml, {"sites.dc.deployment.pod.cpu_limit=500m"});
  double capped_seen = 0;
  for (const auto& s : capped.samples_) {
    if (s.component == "hpa/dc" && s.name == "cpu.utilization" && s.t > sim::seconds(60))
      capped_seen = std::max(capped_seen, s.value);
  }
  CHECK(capped_seen <= 100);
}
