// The kubelet's probes and pod termination, on a real site with a memory recorder: probe timing
// against its definition, readiness flapping under overload, liveness restarts with
// CrashLoopBackOff, the startup probe's protection, and requests refused during termination.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "fakes.h"
#include "models/site/site.h"
#include "sim/memory_recorder.h"

using namespace models;
using sim::seconds;
using sim::SimTime;

namespace {

SiteConfig config(int replicas, PodConfig pod) {
  SiteConfig c;
  c.name = "s";
  c.balancing = Balancing::kRoundRobin;
  c.deployment.replicas = replicas;
  c.deployment.pod = pod;
  StartupConfig& st = c.deployment.startup;
  st.scheduling = Distribution::constant(0);
  st.pull = Distribution::constant(0);
  st.container = Distribution::constant(0);
  st.boot = Distribution::constant(5);
  return c;
}
SiteRngs rngs() { return {sim::RngStream(1), sim::RngStream(2)}; }

ProbeSpec probe(int period_s, int failure_threshold, int timeout_s = 1) {
  ProbeSpec p;
  p.enabled = true;
  p.period = seconds(period_s);
  p.timeout = seconds(timeout_s);
  p.failure_threshold = failure_threshold;
  return p;
}

std::vector<SimTime> times_of(const sim::MemoryRecorder& rec, const std::string& what) {
  std::vector<SimTime> out;
  for (const auto& e : rec.events_) {
    if (e.kind == "pod" && e.message.find(what) != std::string::npos) out.push_back(e.t);
  }
  return out;
}

// Poisson arrivals of `demand_s` requests at `rate` per second from `from` to `to`.
struct Arrivals {
  sim::Simulator& sim;
  Site& site;
  fakes::Client& client;
  double rate, demand_s;
  SimTime from, to;
  sim::RngStream rng;
  void start() {
    sim.schedule_at(from, [this] { next(); });
  }
  void next() {
    site.submit(client.make(demand_s));
    const SimTime at = sim.now() + SimTime::from_seconds(rng.exponential_mean(1.0 / rate));
    if (at < to) sim.schedule_at(at, [this] { next(); });
  }
};

}  // namespace

TEST_CASE("a stalled pod is marked NotReady within [(f-1)p + timeout, f p + timeout]") {
  // Readiness: period 10 s, timeout 1 s, failureThreshold 3. The pod stalls (a brown-out to
  // 0.01% speed makes the 1 ms probe take 10 s) at a time spread over a whole period.
  std::vector<double> detect;
  for (int k = 0; k < 40; ++k) {
    sim::Simulator sim;
    RequestPool pool;
    sim::MemoryRecorder rec;
    SiteConfig c = config(1, {1, 4, 10});
    c.deployment.probes.readiness = probe(10, 3);
    Site site(sim, rngs(), pool, c, 0, rec);
    site.start();
    // Probe ticks are at 0, 10, 20, ...: stall at 100 s + 0.25 s + k x 0.25 s.
    const SimTime stall = SimTime::from_seconds(100.25 + 0.25 * k);
    sim.schedule_at(stall, [&] { site.set_brownout(1e-4); });
    sim.run_until(seconds(200));
    const auto not_ready = times_of(rec, "NotReady");
    REQUIRE(not_ready.size() == 1);
    detect.push_back((not_ready[0] - stall).seconds());
  }
  for (double d : detect) {
    CHECK(d >= 2 * 10 + 1 - 1e-9);
    CHECK(d <= 3 * 10 + 1 + 1e-9);
  }
  CHECK(*std::min_element(detect.begin(), detect.end()) < 21.5);
  CHECK(*std::max_element(detect.begin(), detect.end()) > 30.5);
}

TEST_CASE("under overload readiness flaps: probes wait behind requests, pods leave and return") {
  sim::Simulator sim;
  RequestPool pool;
  sim::MemoryRecorder rec;
  fakes::Client client(sim, pool);
  SiteConfig c = config(4, {1, 2, 50});
  c.deployment.probes.readiness = probe(5, 3);
  Site site(sim, rngs(), pool, c, 0, rec);
  site.start();
  // Four one-core pods serve 40 requests/s of 100 ms; 120/s for a minute, then 10/s.
  Arrivals overload{sim, site, client, 120, 0.1, seconds(10), seconds(70), sim::RngStream(7)};
  Arrivals after{sim, site, client, 10, 0.1, seconds(70), seconds(300), sim::RngStream(8)};
  overload.start();
  after.start();
  sim.run_until(seconds(300));
  const auto not_ready = times_of(rec, "NotReady");
  const auto ready_again = times_of(rec, "Ready again");
  REQUIRE(!not_ready.empty());
  CHECK(not_ready.front() > seconds(10));
  CHECK(not_ready.front() < seconds(70));
  REQUIRE(!ready_again.empty());
  CHECK(ready_again.back() > seconds(70));
  CHECK(site.ready_pods() == 4);  // all back once the overload is over
}

TEST_CASE("liveness failures restart the container with CrashLoopBackOff, capped at 300 s") {
  // The application needs 100 s to boot; liveness probes every 10 s from the container's start
  // fail 3 times (at 0, 10 and 20 s) and the container is restarted: it never comes up.
  sim::Simulator sim;
  RequestPool pool;
  sim::MemoryRecorder rec;
  SiteConfig c = config(0, {1, 4, 10});
  c.deployment.startup.boot = Distribution::constant(100);
  c.deployment.probes.liveness = probe(10, 3);
  Site site(sim, rngs(), pool, c, 0, rec);
  site.start();
  sim.schedule_at(seconds(1), [&] { site.scale_to(1, "test"); });
  sim.run_until(sim::hours(2));
  std::vector<double> backoff;
  std::vector<SimTime> kills;
  for (const auto& e : rec.events_) {
    if (e.message.find("container restarted") == std::string::npos) continue;
    kills.push_back(e.t);
    backoff.push_back(e.details.number("backoff_s"));
    CHECK(e.details.text("reason") == "liveness probe failed");
  }
  REQUIRE(kills.size() > 10);
  CHECK(kills[0] == seconds(21));  // created at 1 s, failures at 1, 11, 21 s
  CHECK(backoff[0] == 0);          // the first restart is immediate
  for (std::size_t i = 1; i < kills.size(); ++i) {
    // Each container runs 20 s (three failing probes) after its restart.
    CHECK((kills[i] - kills[i - 1]).seconds() == Approx(20 + backoff[i - 1]));
    CHECK(backoff[i] >= backoff[i - 1]);
    CHECK(backoff[i] <= 300);
  }
  // Back-off 10, 20, 40, ...: it waits once the back-off outgrows the 20 s a container lives.
  CHECK(backoff.back() == Approx(300 - 20));
  CHECK(site.ready_pods() == 0);
}

TEST_CASE("a startup probe holds liveness off until the slow application is up") {
  sim::Simulator sim;
  RequestPool pool;
  sim::MemoryRecorder rec;
  SiteConfig c = config(0, {1, 4, 10});
  c.deployment.startup.boot = Distribution::constant(100);
  c.deployment.probes.liveness = probe(10, 3);
  c.deployment.probes.startup = probe(10, 30);  // up to 300 s to start
  Site site(sim, rngs(), pool, c, 0, rec);
  site.start();
  sim.schedule_at(seconds(1), [&] { site.scale_to(1, "test"); });
  sim.run_until(seconds(400));
  CHECK(times_of(rec, "container restarted").empty());
  CHECK(site.ready_pods() == 1);
  const auto ready = times_of(rec, " Ready");
  REQUIRE(ready.size() == 1);
  // Container at 1 s, up at 101 s; the startup probe at 101 s (1, 11, ... 101) is answered in
  // 1 ms, and without a readiness probe the pod is ready once it has started.
  CHECK(ready[0].seconds() == Approx(101.001));
}

TEST_CASE("requests routed to a terminating pod are refused unless preStop covers the delay") {
  auto refused = [](SimTime pre_stop) {
    sim::Simulator sim;
    RequestPool pool;
    sim::NullRecorder rec;
    fakes::Client client(sim, pool);
    SiteConfig c = config(4, {1, 8, 100});
    c.deployment.pre_stop = pre_stop;  // endpoint_delay is the default 1 s
    Site site(sim, rngs(), pool, c, 0, rec);
    site.start();
    Arrivals load{sim, site, client, 20, 0.05, seconds(0), seconds(60), sim::RngStream(9)};
    load.start();
    sim.schedule_at(seconds(30), [&] { site.scale_to(2, "test"); });
    sim.run_until(seconds(90));
    int n = 0;
    for (const auto& f : client.failed) n += f.cause == FailureCause::kRefused ? 1 : 0;
    CHECK(n == static_cast<int>(client.failed.size()));
    return n;
  };
  CHECK(refused(SimTime::zero()) > 5);  // ~20/s x 1 s x half of the pods
  CHECK(refused(seconds(5)) == 0);
}
