// Topology, the DNS GSLB's policies, resolver caching and health checks, against fake sites.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "models/gslb/dns_gslb.h"
#include "models/gslb/topology.h"
#include "sim/memory_recorder.h"

using namespace models;
using sim::seconds;
using sim::SimTime;

namespace {

// A site that answers checks at once while ok, and cannot be reached otherwise; checkers whose
// index within the site is below `failing_checkers` always get an error answer.
struct FakeSite final : SiteHealth {
  bool ok = true;
  double util = 0;
  uint32_t per_site = 1, failing_checkers = 0;
  void send_health_check(HealthCheckObserver& observer, uint64_t token, double) override {
    const uint32_t checker = static_cast<uint32_t>(token >> 32) % per_site;
    if (checker < failing_checkers) {
      observer.on_check_result(token, CheckOutcome::kFailed);
      return;
    }
    observer.on_check_result(token, ok ? CheckOutcome::kAnswered : CheckOutcome::kUnreachable);
  }
  double report_utilization() override { return util; }
};

struct World {
  sim::Simulator sim;
  sim::MemoryRecorder rec;
  std::vector<FakeSite> sites;
  std::unique_ptr<Topology> topology;
  std::unique_ptr<DnsGslb> gslb;

  World(int n, DnsGslbConfig cfg, TopologyConfig topo = {}, uint64_t seed = 7)
      : sites(static_cast<std::size_t>(n)) {
    std::vector<std::string> names;
    std::vector<SiteHealth*> health;
    for (int i = 0; i < n; ++i) {
      names.push_back("s" + std::to_string(i));
      health.push_back(&sites[static_cast<std::size_t>(i)]);
    }
    topology = std::make_unique<Topology>(
        topo, names, std::vector<SimTime>(static_cast<std::size_t>(n), sim::milliseconds(5)));
    gslb = std::make_unique<DnsGslb>(sim, sim::RngStream(seed), cfg, health, names, *topology, rec);
  }
  // Shares of answers over every resolver of region 0, each asked once.
  std::vector<double> shares(int resolvers) {
    std::vector<double> count(sites.size(), 0);
    for (int r = 0; r < resolvers; ++r) {
      const int s = gslb->select({0, static_cast<uint32_t>(r)}).site;
      if (s >= 0) count[static_cast<std::size_t>(s)] += 1;
    }
    for (double& c : count) c /= resolvers;
    return count;
  }
};

DnsGslbConfig config(GslbPolicy p, int resolvers = 1000) {
  DnsGslbConfig c;
  c.policy = p;
  c.resolvers_per_region = resolvers;
  c.stale = StaleClientMix::none();
  c.health.interval = seconds(10);
  c.health.timeout = seconds(2);
  return c;
}

}  // namespace

TEST_CASE("topology: round trips are twice the shortest path, nearest sites first") {
  TopologyConfig t;
  t.regions = {{"seoul", 0.7}, {"tokyo", 0.3}};
  t.hubs = {"ix"};
  t.links = {{"seoul", "private", sim::milliseconds(3)},
             {"seoul", "ix", sim::milliseconds(2)},
             {"ix", "public", sim::milliseconds(4)},
             {"tokyo", "ix", sim::milliseconds(10)},
             {"tokyo", "private", sim::milliseconds(30)}};
  const std::vector<std::string> sites{"private", "public"};
  REQUIRE(check_topology(t, sites).empty());
  const Topology topo(t, sites, {});
  CHECK(topo.region_count() == 2);
  CHECK(topo.rtt(0, 0) == sim::milliseconds(6));
  CHECK(topo.rtt(0, 1) == sim::milliseconds(12));
  // tokyo reaches private via ix -> seoul (10 + 2 + 3 = 15 ms) rather than the 30 ms link.
  CHECK(topo.rtt(1, 0) == sim::milliseconds(30));
  CHECK(topo.rtt(1, 1) == sim::milliseconds(28));
  CHECK(topo.nearest(0) == std::vector<int>{0, 1});
  CHECK(topo.nearest(1) == std::vector<int>{1, 0});
}

TEST_CASE("topology: problems are named") {
  const std::vector<std::string> sites{"a", "b"};
  TopologyConfig t;
  t.regions = {{"r", 1}};
  t.links = {{"r", "c", sim::milliseconds(1)}};
  CHECK(check_topology(t, sites).find("'c'") != std::string::npos);
  t.links = {{"r", "r", sim::milliseconds(1)}};
  CHECK(check_topology(t, sites).find("itself") != std::string::npos);
  t.links = {{"a", "b", sim::milliseconds(1)}};
  CHECK(check_topology(t, sites).find("no path") != std::string::npos);
  t.regions = {{"a", 1}};
  CHECK(check_topology(t, sites).find("twice") != std::string::npos);
}

TEST_CASE(
    "weighted: answers follow the weights over resolvers, zero weight and fail-open like Route "
    "53") {
  DnsGslbConfig c = config(GslbPolicy::kWeighted, 20000);
  c.weights = {30, 70, 0};
  World w(3, c);
  std::vector<double> s = w.shares(20000);
  CHECK(s[0] == Approx(0.3).margin(0.015));
  CHECK(s[1] == Approx(0.7).margin(0.015));
  CHECK(s[2] == 0);
  // The two weighted sites unhealthy: the zero-weight site answers.
  w.gslb->start();
  w.sites[0].ok = w.sites[1].ok = false;
  w.sim.run_until(seconds(60));
  CHECK_FALSE(w.gslb->believes_healthy(0));
  CHECK_FALSE(w.gslb->believes_healthy(1));
  w.sim.run_until(seconds(200));  // every cached answer has expired (TTL 60 s)
  s = w.shares(20000);
  CHECK(s[2] == 1.0);
  // Everything unhealthy: fail open to the weighted records.
  w.sites[2].ok = false;
  w.sim.run_until(seconds(400));
  s = w.shares(20000);
  CHECK(s[2] == 0);
  CHECK(s[0] == Approx(0.3).margin(0.015));
}

TEST_CASE("fail_open false: no healthy site means no answer") {
  DnsGslbConfig c = config(GslbPolicy::kWeighted, 100);
  c.weights = {1, 1};
  c.fail_open = false;
  World w(2, c);
  w.gslb->start();
  w.sites[0].ok = w.sites[1].ok = false;
  w.sim.run_until(seconds(200));
  CHECK(w.shares(100) == std::vector<double>{0, 0});
  CHECK(w.gslb->select({0, 3}).site == kNoSite);
}

TEST_CASE("failover: the first healthy site in order, with failback") {
  DnsGslbConfig c = config(GslbPolicy::kFailover, 50);
  c.failover_order = {1, 0};
  c.ttl = seconds(5);
  World w(2, c);
  w.gslb->start();
  CHECK(w.shares(50)[1] == 1.0);
  w.sites[1].ok = false;
  w.sim.run_until(seconds(60));
  CHECK(w.shares(50)[0] == 1.0);
  w.sites[1].ok = true;
  w.sim.run_until(seconds(120));  // 3 passing checks, then the TTL
  CHECK(w.gslb->believes_healthy(1));
  CHECK(w.shares(50)[1] == 1.0);
  int health_events = 0;
  for (const auto& e : w.rec.events_) health_events += e.kind == "health" ? 1 : 0;
  CHECK(health_events == 2);
}

TEST_CASE("latency: the nearest healthy site from the client's region") {
  TopologyConfig t;
  t.regions = {{"east", 1}, {"west", 1}};
  t.links = {{"east", "s0", sim::milliseconds(2)},
             {"east", "s1", sim::milliseconds(20)},
             {"west", "s0", sim::milliseconds(25)},
             {"west", "s1", sim::milliseconds(3)}};
  DnsGslbConfig c = config(GslbPolicy::kLatency, 10);
  c.ttl = seconds(1);
  World w(2, c, t);
  w.gslb->start();
  CHECK(w.gslb->select({0, 0}).site == 0);
  CHECK(w.gslb->select({1, 0}).site == 1);
  w.sites[0].ok = false;
  w.sim.run_until(seconds(60));
  CHECK(w.gslb->select({0, 1}).site == 1);
}

TEST_CASE("least-loaded: the healthy site with the lowest reported utilization") {
  DnsGslbConfig c = config(GslbPolicy::kLeastLoaded, 10);
  c.ttl = seconds(1);
  World w(3, c);
  w.sites[0].util = 0.8;
  w.sites[1].util = 0.3;
  w.sites[2].util = 0.5;
  w.gslb->start();
  w.sim.run_until(seconds(11));  // the first load report
  CHECK(w.gslb->select({0, 0}).site == 1);
  w.sites[1].util = 0.9;
  w.sim.run_until(seconds(21));
  CHECK(w.gslb->select({0, 1}).site == 2);
}

TEST_CASE(
    "resolvers cache for the TTL, drained sites and new weights take effect as caches expire") {
  DnsGslbConfig c = config(GslbPolicy::kWeighted, 1);
  c.weights = {1, 1};
  c.ttl = seconds(30);
  World w(2, c);
  w.gslb->select({0, 0});  // the first answer is held for a residual time (equilibrium start)
  w.sim.run_until(seconds(100));
  const SiteAnswer first = w.gslb->select({0, 0});  // now a full TTL
  for (int i = 0; i < 100; ++i) CHECK(w.gslb->select({0, 0}).site == first.site);
  CHECK_FALSE(first.stale);
  w.sim.run_until(seconds(110));
  w.gslb->set_drained(first.site, true);
  const SiteAnswer cached = w.gslb->select({0, 0});
  CHECK(cached.site == first.site);  // still cached
  CHECK(cached.stale);               // but older than the GSLB's change
  w.sim.run_until(seconds(131));
  const SiteAnswer fresh = w.gslb->select({0, 0});
  CHECK(fresh.site == 1 - first.site);
  CHECK_FALSE(fresh.stale);
}

TEST_CASE(
    "health checks: down after failure_threshold probes plus the timeout, up after "
    "success_threshold") {
  DnsGslbConfig c = config(GslbPolicy::kWeighted, 1);
  c.weights = {1, 1};
  c.health.interval = seconds(10);
  c.health.timeout = seconds(2);
  c.health.failure_threshold = 3;
  c.health.success_threshold = 2;
  World w(2, c);
  w.gslb->start();
  w.sim.run_until(seconds(100));
  w.sites[0].ok = false;
  // Find when it is marked down: between 2 and 3 intervals after the failure, plus the timeout.
  SimTime down = SimTime::max();
  for (int ms = 0; ms < 60000 && down.is_max(); ms += 100) {
    w.sim.run_until(seconds(100) + sim::milliseconds(ms));
    if (!w.gslb->believes_healthy(0)) down = w.sim.now();
  }
  const double d = (down - seconds(100)).seconds();
  CHECK(d >= 22.0 - 0.1);
  CHECK(d <= 32.0 + 0.1);
  w.sites[0].ok = true;
  w.sim.run_until(down + seconds(21));
  CHECK(w.gslb->believes_healthy(0));
}

TEST_CASE("stale-client mixture: the share of resolvers still on the old answer follows its CDF") {
  // Every resolver is asked every second, so its hold is what decides; after a change at t0, the
  // fraction of stale answers at t0 + x must match the mixture's survival within a few points.
  DnsGslbConfig c = config(GslbPolicy::kWeighted, 4000);
  c.stale = StaleClientMix{};
  c.ttl = seconds(20);
  c.weights = {1, 0};
  World w(2, c, {}, 11);
  auto ask_all = [&] {
    int stale = 0;
    for (int r = 0; r < 4000; ++r)
      stale += w.gslb->select({0, static_cast<uint32_t>(r)}).stale ? 1 : 0;
    return stale / 4000.0;
  };
  struct Tick {
    World* w;
    std::function<double()>* ask;
    void operator()() const {
      (*ask)();
      w->sim.schedule_in(seconds(1), *this);
    }
  };
  std::function<double()> ask = ask_all;
  w.sim.schedule_at(SimTime::zero(), Tick{&w, &ask});
  w.sim.run_until(seconds(1800));  // caches in steady state
  w.gslb->set_weights({0, 1});
  auto survival = [](double t) {
    const double ttl = 20, floor = 60;
    return 0.6 * std::max(0.0, 1 - t / ttl) + 0.3 * std::max(0.0, 1 - t / std::max(ttl, floor)) +
           0.1 * (t < 60 ? 1.0 : std::exp(-(t - 60) / 520));
  };
  for (double x : {10.0, 60.0, 300.0, 900.0}) {
    w.sim.run_until(seconds(1800) + SimTime::from_seconds(x) - sim::milliseconds(1));
    const double got = ask_all();
    INFO("t0 + " << x << " s: stale " << got << ", mixture " << survival(x));
    CHECK(std::abs(got - survival(x)) < 0.03);
  }
}

TEST_CASE("several checkers: the site is healthy while more than healthy_fraction of them say so") {
  // Route 53: healthy when more than 18% of its checkers report healthy.
  auto healthy_with = [](uint32_t failing) {
    DnsGslbConfig c = config(GslbPolicy::kWeighted);
    c.weights = {1, 1};
    c.health.checkers = 10;
    World w(2, c);
    for (FakeSite& s : w.sites) s.per_site = 10;
    w.sites[0].failing_checkers = failing;
    w.gslb->start();
    w.sim.run_until(seconds(200));
    return w.gslb->believes_healthy(0);
  };
  CHECK(healthy_with(0));
  CHECK(healthy_with(8));        // 2 of 10 = 20% > 18%
  CHECK_FALSE(healthy_with(9));  // 1 of 10 = 10%
}
