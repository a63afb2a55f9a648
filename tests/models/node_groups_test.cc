// Node groups against cluster-autoscaler 1.32's rules and the cloud's: a scale-up into a
// stockout waits out max_node_provision_time, backs the group off and falls back to the next
// group the expander picks, at the loop the rules give; backoff doubles only after the previous
// one ended; the quota refuses the node that would exceed it; spot nodes are interrupted at their
// rate and drained within the notice; the expanders choose as documented.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "models/site/node_autoscaler.h"
#include "models/site/site.h"
#include "sim/memory_recorder.h"

using namespace models;
using sim::minutes;
using sim::seconds;
using sim::SimTime;

namespace {

NodeGroupConfig group(const std::string& name, int count, double cpu, int priority, int max) {
  NodeGroupConfig g;
  g.name = name;
  g.count = count;
  g.shape = {cpu, 110};
  g.priority = priority;
  g.autoscale = max > 0;
  g.min = count;
  g.max = std::max(max, count);
  g.provisioning = Distribution::constant(60);
  return g;
}

struct Cloud {
  sim::Simulator sim;
  RequestPool pool;
  sim::MemoryRecorder rec;
  std::unique_ptr<Site> site;
  std::unique_ptr<NodeAutoscaler> ca;

  Cloud(std::vector<NodeGroupConfig> groups, int replicas, double pod_cpu, NodeAutoscalerConfig cfg,
        double quota = 0, uint64_t seed = 7) {
    SiteConfig c;
    c.name = "s";
    c.public_cloud = true;
    c.node_groups = std::move(groups);
    c.quota_cpu = quota;
    c.deployment.replicas = replicas;
    c.deployment.pod = {pod_cpu, 4, 10};
    c.deployment.termination_grace = seconds(30);
    StartupConfig& st = c.deployment.startup;
    st.scheduling = st.pull = st.container = st.boot = Distribution::constant(1);
    site = std::make_unique<Site>(
        sim, SiteRngs{sim::RngStream(1), sim::RngStream(2), sim::RngStream(seed)}, pool, c, 0, rec);
    bool autoscaled = false;
    for (const auto& g : c.node_groups) autoscaled = autoscaled || g.autoscale;
    if (autoscaled) {
      ca = std::make_unique<NodeAutoscaler>(sim, sim::RngStream(seed + 1), cfg, site->node_pool(),
                                            site->deployment(), rec, "site/s");
    }
    site->start();
    if (ca) ca->start();
  }
  // Times of events of `kind` whose message contains `what`.
  std::vector<SimTime> events(const std::string& kind, const std::string& what) const {
    std::vector<SimTime> out;
    for (const auto& e : rec.events_) {
      if (e.kind == kind && e.message.find(what) != std::string::npos) out.push_back(e.t);
    }
    return out;
  }
  int ready_in(const std::string& g) const {
    int n = 0;
    const NodePool& p = site->node_pool();
    for (const Node& node : p.nodes())
      n += p.group(node.group).name == g && node.state == Node::State::kReady ? 1 : 0;
    return n;
  }
};

NodeAutoscalerConfig priority_first() {
  NodeAutoscalerConfig cfg;
  cfg.expanders = {Expander::kPriority};
  return cfg;
}

}  // namespace

TEST_CASE("a scale-up into a stockout waits max_node_provision_time, backs off, falls back") {
  // Two groups of 4-core nodes, full at t = 0 (one node, four 1-core pods in "base"). The
  // preferred "spot" group is out of capacity for an hour. Eight more pods at 35 s.
  NodeGroupConfig base = group("base", 1, 4, 0, 0);
  NodeGroupConfig spot = group("spot", 0, 4, 20, 10);
  spot.stockouts = {{SimTime::zero(), sim::hours(1)}};
  NodeGroupConfig ondemand = group("ondemand", 0, 4, 10, 10);
  Cloud c({base, spot, ondemand}, 4, 1.0, priority_first());
  c.sim.schedule_at(seconds(35), [&] { c.site->scale_to(12, "surge"); });
  c.sim.run_until(minutes(25));
  // The scan at 40 s asks "spot" (priority 20) for two nodes: they wait for capacity.
  const auto waiting = c.events("node", "waiting, out of capacity");
  REQUIRE(waiting.size() == 2);
  CHECK(waiting[0] == seconds(40));
  // Expected by 40 s + 15 min = 940 s; "before now" is strict, so the scan at 950 s times out.
  const auto timed_out = c.events("autoscaler", "timed out:");
  REQUIRE(timed_out.size() == 1);
  CHECK(timed_out[0] == seconds(950));
  const auto backoff = c.events("autoscaler", "backed off for 5m");
  REQUIRE(backoff.size() == 1);
  CHECK(backoff[0] == seconds(950));
  // The size was first seen wrong at 50 s: decreased at the first scan after 50 s + 15 min.
  const auto decreased = c.events("autoscaler", "decreasing the size of node group spot by 2");
  REQUIRE(decreased.size() == 1);
  CHECK(decreased[0] == seconds(960));
  // The loop after the decrease picks the next group by priority: "ondemand", ready 60 s later.
  const auto fallback = c.events("autoscaler", "scale-up: node group ondemand +2");
  REQUIRE(fallback.size() == 1);
  CHECK(fallback[0] == seconds(970));
  CHECK(c.ready_in("ondemand") == 2);
  CHECK(c.ready_in("spot") == 0);
  CHECK(c.site->deployment().count(PodState::kPending) == 0);
  const auto act = c.ca->activity();
  CHECK(act[1].timeouts == 1);
  CHECK(act[1].given_up == 2);
  CHECK(act[1].backoff_s == Approx(5 * 60));
  CHECK(act[2].scale_ups == 1);
}

TEST_CASE("nodes requested in a stockout launch when capacity returns, before the timeout") {
  NodeGroupConfig base = group("base", 1, 4, 0, 0);
  NodeGroupConfig spot = group("spot", 0, 4, 20, 10);
  spot.stockouts = {{SimTime::zero(), minutes(5)}};
  NodeGroupConfig ondemand = group("ondemand", 0, 4, 10, 10);
  Cloud c({base, spot, ondemand}, 4, 1.0, priority_first());
  c.sim.schedule_at(seconds(35), [&] { c.site->scale_to(12, "surge"); });
  c.sim.run_until(minutes(20));
  const auto started = c.events("node", "provisioning started in group spot");
  REQUIRE(started.size() == 2);
  CHECK(started[0] == minutes(5));  // the end of the stockout, not a scan
  CHECK(c.ready_in("spot") == 2);
  CHECK(c.ready_in("ondemand") == 0);
  CHECK(c.events("autoscaler", "timed out:").empty());
}

TEST_CASE("backoff doubles only after the previous one ended, up to its maximum") {
  // One group, out of capacity for ten hours: each try times out. Tries at 40 s, then when the
  // backoff ends: 5 min, 10, 20, 30, 30 (the cap).
  NodeGroupConfig base = group("base", 1, 4, 0, 0);
  NodeGroupConfig spot = group("spot", 0, 4, 20, 10);
  spot.stockouts = {{SimTime::zero(), sim::hours(10)}};
  Cloud c({base, spot}, 4, 1.0, priority_first());
  c.sim.schedule_at(seconds(35), [&] { c.site->scale_to(8, "surge"); });
  c.sim.run_until(sim::hours(5));
  std::vector<std::string> durations;
  for (const auto& e : c.rec.events_) {
    if (e.kind == "autoscaler" && e.message.find("backed off for") != std::string::npos)
      durations.push_back(e.message.substr(
          e.message.find("for ") + 4,
          e.message.find(' ', e.message.find("for ") + 4) - e.message.find("for ") - 4));
  }
  REQUIRE(durations.size() >= 5);
  CHECK(durations[0] == "5m");
  CHECK(durations[1] == "10m");
  CHECK(durations[2] == "20m");
  CHECK(durations[3] == "30m");
  CHECK(durations[4] == "30m");
  // A retry comes at the first scan after the backoff ends (backed off while until >= now).
  const auto tries = c.events("node", "waiting, out of capacity");
  const auto offs = c.events("autoscaler", "backed off");
  REQUIRE(tries.size() >= 2);
  CHECK(tries[1] > offs[0] + minutes(5));
  CHECK(tries[1] <= offs[0] + minutes(5) + seconds(20));
}

TEST_CASE("a capacity error reported by the cloud backs the group off at once") {
  NodeGroupConfig base = group("base", 1, 4, 0, 0);
  NodeGroupConfig spot = group("spot", 0, 4, 20, 10);
  spot.stockouts = {{SimTime::zero(), sim::hours(1)}};
  spot.capacity_error_after = seconds(5);
  NodeGroupConfig ondemand = group("ondemand", 0, 4, 10, 10);
  Cloud c({base, spot, ondemand}, 4, 1.0, priority_first());
  c.sim.schedule_at(seconds(35), [&] { c.site->scale_to(12, "surge"); });
  c.sim.run_until(minutes(5));
  // Requested at 40 s, failed at 45 s, seen and backed off at the 50 s scan, which goes on to
  // scale up the fallback.
  const auto failed = c.events("autoscaler", "scale-up of node group spot failed");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0] == seconds(50));
  CHECK(c.events("autoscaler", "backed off for 5m").front() == seconds(50));
  const auto fallback = c.events("autoscaler", "scale-up: node group ondemand");
  REQUIRE(fallback.size() == 1);
  CHECK(fallback[0] == seconds(50));
  CHECK(c.ready_in("ondemand") == 2);
}

TEST_CASE("the priority expander picks the highest group whose nodes can hold the pod") {
  // "tiny" has the highest priority but 1-core nodes; pods ask for 2 cores.
  NodeGroupConfig base = group("base", 1, 4, 0, 0);
  NodeGroupConfig tiny = group("tiny", 0, 1, 50, 10);
  NodeGroupConfig mid = group("mid", 0, 8, 30, 10);
  NodeGroupConfig big = group("big", 0, 16, 10, 10);
  Cloud c({base, tiny, mid, big}, 2, 2.0, priority_first());
  c.sim.schedule_at(seconds(35), [&] { c.site->scale_to(6, "surge"); });
  c.sim.run_until(minutes(3));
  CHECK(c.events("autoscaler", "scale-up: node group mid +1").size() == 1);
  CHECK(c.ready_in("mid") == 1);
  CHECK(c.ready_in("big") == 0);
}

TEST_CASE("least-waste picks the group that leaves the fewest idle cores, ties go random") {
  // Five pending 1.5-core pods. "four" (4-core nodes, two pods each) needs three nodes: 7.5 of
  // 12 cores used, waste 0.375. "eight" (five pods each) needs one: waste 0.5 / 8 = 0.0625.
  NodeGroupConfig base = group("base", 1, 4, 0, 0);
  NodeGroupConfig four = group("four", 0, 4, 0, 10);
  NodeGroupConfig eight = group("eight", 0, 8, 0, 10);
  NodeAutoscalerConfig cfg;
  cfg.expanders = {Expander::kLeastWaste};
  Cloud c({base, four, eight}, 2, 1.5, cfg);
  c.sim.schedule_at(seconds(35), [&] { c.site->scale_to(7, "surge"); });
  c.sim.run_until(minutes(3));
  CHECK(c.events("autoscaler", "scale-up: node group eight +1").size() == 1);
  // Two identical groups: random picks each about half the time.
  std::map<std::string, int> picks;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    NodeGroupConfig a = group("a", 0, 4, 0, 10), b = group("b", 0, 4, 0, 10);
    Cloud t({base, a, b}, 2, 1.0, cfg, 0, seed);
    t.sim.schedule_at(seconds(35), [&] { t.site->scale_to(6, "surge"); });
    t.sim.run_until(seconds(45));
    if (!t.events("autoscaler", "node group a +").empty()) ++picks["a"];
    if (!t.events("autoscaler", "node group b +").empty()) ++picks["b"];
  }
  CHECK(picks["a"] + picks["b"] == 60);
  CHECK(picks["a"] >= 15);  // binomial(60, 1/2): 15 is over 3.8 sigma below the mean
  CHECK(picks["b"] >= 15);
}

TEST_CASE("the quota refuses the node that would exceed it, with a quota reason") {
  // 4-core nodes, 16 cores of quota: the base node plus three more; the scale-up asks for four.
  NodeGroupConfig base = group("base", 1, 4, 0, 0);
  NodeGroupConfig pool = group("pool", 0, 4, 0, 10);
  Cloud c({base, pool}, 4, 1.0, NodeAutoscalerConfig{}, 16);
  c.sim.schedule_at(seconds(35), [&] { c.site->scale_to(20, "surge"); });
  c.sim.run_until(minutes(5));
  CHECK(c.events("node", "provisioning started").size() == 3);
  const auto refused = c.events("capacity", "vCPU quota exceeded");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0] == seconds(40));
  CHECK(c.events("autoscaler", "failed: quota exceeded").front() == seconds(50));
  CHECK(c.site->node_pool().quota_used() == Approx(16));
  CHECK(c.site->deployment().count(PodState::kPending) == 4);
}

TEST_CASE("spot nodes are interrupted at their rate and drained within the notice") {
  // Twenty fixed spot nodes, mean time between interruptions 1 h, 2 min notice, replacements
  // ready 60 s after launch. The interruptions over their exposure (ready time before a notice)
  // are Poisson: the count is within 4 sigma of exposure / mtbf.
  NodeGroupConfig spot = group("spot", 20, 4, 0, 0);
  spot.spot = SpotConfig{sim::hours(1), minutes(2)};
  Cloud c({spot}, 40, 1.0, NodeAutoscalerConfig{}, 0, 11);
  const SimTime end = sim::hours(50);
  c.sim.run_until(end);
  std::map<uint32_t, SimTime> ready_at;
  for (uint32_t i = 0; i < 20; ++i) ready_at[i] = SimTime::zero();
  double exposure_s = 0;
  int notices = 0;
  std::map<uint32_t, SimTime> notice_at;
  for (const auto& e : c.rec.events_) {
    if (e.kind != "node") continue;
    const auto id =
        static_cast<uint32_t>(std::stoul(e.message.substr(e.message.find("node ") + 5)));
    if (e.message.find(" ready") != std::string::npos) ready_at[id] = e.t;
    if (e.message.rfind("spot interruption notice", 0) == 0) {
      exposure_s += (e.t - ready_at[id]).seconds();
      ready_at.erase(id);
      notice_at[id] = e.t;
      ++notices;
    }
    if (e.message.find("interrupted (spot)") != std::string::npos) {
      REQUIRE(notice_at.count(id) == 1);
      CHECK(e.t - notice_at[id] == minutes(2));  // gone exactly at the end of the notice
    }
  }
  for (const auto& [id, t] : ready_at) exposure_s += (end - t).seconds();
  const double expected = exposure_s / 3600.0;
  INFO("notices " << notices << " expected " << expected);
  CHECK(std::abs(notices - expected) < 4 * std::sqrt(expected));
  CHECK(notices > 500);
  // Drained within the notice: the pods of an interrupted node are deleted at the notice and,
  // with a 30 s grace, none is left to be killed when the node goes.
  CHECK(!c.events("pod", "deleted (spot interruption)").empty());
  CHECK(c.events("pod", " killed").empty());
  const auto& counts = c.site->node_pool().group_counts()[0];
  CHECK(counts.interruptions == notices);
}
