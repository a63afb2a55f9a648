#include <catch2/catch.hpp>

#include <functional>

#include "fakes.h"
#include "models/site/site.h"
#include "sim/memory_recorder.h"
#include "sim/recorder.h"

using namespace models;
using sim::seconds;

namespace {
SiteConfig config(Balancing b, int replicas, PodConfig pod) {
  SiteConfig c;
  c.name = "s";
  c.balancing = b;
  c.deployment.replicas = replicas;
  c.deployment.pod = pod;
  return c;
}
SiteRngs rngs() { return {sim::RngStream(1), sim::RngStream(2)}; }
}  // namespace

TEST_CASE("round-robin spreads requests evenly over the pods") {
  sim::Simulator sim;
  RequestPool pool;
  sim::NullRecorder rec;
  fakes::Client client(sim, pool);
  Site site(sim, rngs(), pool, config(Balancing::kRoundRobin, 4, {1, 100, 0}), 0, rec);
  site.start();
  for (int i = 0; i < 8; ++i) site.submit(client.make(10.0));
  for (std::size_t p = 0; p < 4; ++p) CHECK(site.pod(p).in_service() == 2);
  CHECK(site.inflight() == 8);
}

TEST_CASE("least-request picks the least loaded pod") {
  sim::Simulator sim;
  RequestPool pool;
  sim::NullRecorder rec;
  fakes::Client client(sim, pool);
  Site site(sim, rngs(), pool, config(Balancing::kLeastRequest, 3, {1, 100, 0}), 0, rec);
  site.start();
  site.pod(0).offer(client.make(10.0));
  site.pod(0).offer(client.make(10.0));
  site.pod(1).offer(client.make(10.0));
  site.submit(client.make(10.0));
  CHECK(site.pod(2).in_service() == 1);
  site.submit(client.make(10.0));
  site.submit(client.make(10.0));
  CHECK(site.pod(0).load() == 2);
  CHECK(site.pod(1).load() == 2);
  CHECK(site.pod(2).load() == 2);
}

TEST_CASE("shared-queue dispatches to a free worker and bounds the queue by ready pods") {
  sim::Simulator sim;
  RequestPool pool;
  sim::NullRecorder rec;
  fakes::Client client(sim, pool);
  // 2 pods x 1 worker, queue 3 per pod: 2 in service + 6 waiting, the 9th is rejected.
  Site site(sim, rngs(), pool, config(Balancing::kSharedQueue, 2, {1, 1, 3}), 0, rec);
  site.start();
  for (int i = 0; i < 9; ++i) site.submit(client.make(1.0));
  CHECK(site.pod(0).in_service() == 1);
  CHECK(site.pod(1).in_service() == 1);
  CHECK(site.shared_queue_length() == 6);
  REQUIRE(client.failed.size() == 1);
  CHECK(client.failed[0].cause == FailureCause::kRejected);
  sim.run_until(seconds(100));
  REQUIRE(client.done.size() == 8);
  // Two at a time, one second each.
  CHECK(client.done[1].at == seconds(1));
  CHECK(client.done[7].at == seconds(4));
  CHECK(site.inflight() == 0);
}

TEST_CASE("a site without ready pods fails requests as unavailable") {
  sim::Simulator sim;
  RequestPool pool;
  sim::NullRecorder rec;
  fakes::Client client(sim, pool);
  Site site(sim, rngs(), pool, config(Balancing::kRandom, 0, {}), 0, rec);
  site.start();
  site.submit(client.make(1.0));
  REQUIRE(client.failed.size() == 1);
  CHECK(client.failed[0].cause == FailureCause::kUnavailable);
}

TEST_CASE("gauges integrate in-flight requests, CPU and capacity") {
  sim::Simulator sim;
  RequestPool pool;
  sim::NullRecorder rec;
  fakes::Client client(sim, pool);
  Site site(sim, rngs(), pool, config(Balancing::kRoundRobin, 2, {2, 8, 0}), 0, rec);
  site.start();
  site.submit(client.make(1.0));  // pod 0, 1 s
  site.submit(client.make(3.0));  // pod 1, 3 s
  sim.run_until(seconds(4));
  const SiteGauges g = site.gauges();
  CHECK(g.inflight == 0);
  CHECK(g.inflight_area == Approx(4e9));  // 1 + 3 request-seconds
  CHECK(g.cpu_used == Approx(4e9));       // 4 core-seconds
  CHECK(g.cpu_capacity == Approx(16e9));  // 2 pods x 2 cores x 4 s
  CHECK(g.pod_time == Approx(8e9));
  CHECK(g.replicas_ready == 2);
}

TEST_CASE("starting a site logs its deployment and its pods") {
  sim::Simulator sim;
  RequestPool pool;
  sim::MemoryRecorder rec;
  Site site(sim, rngs(), pool, config(Balancing::kSharedQueue, 3, {2, PodConfig::kUnlimited, 5}), 0,
            rec);
  site.start();
  REQUIRE(rec.events_.size() == 1 + 3 * 2);  // the deployment, then each pod created and ready
  CHECK(rec.events_[0].component == "site/s");
  CHECK(rec.events_[0].kind == "deployment");
  CHECK(rec.events_[0].message == "3 pods of app:1 (shared-queue)");
  const sim::EventDetails& d = rec.events_[0].details;
  CHECK(d.number("replicas") == 3);
  CHECK(d.number("cpu") == 2);
  CHECK(d.text("concurrency") == "unlimited");
  CHECK(d.number("queue") == 5);
  CHECK(d.text("balancing") == "shared-queue");
  CHECK(d.text("image") == "app:1");
  CHECK(d.number("nodes") == 0);
  CHECK(rec.events_[1].kind == "pod");
  CHECK(rec.events_[2].message == "s-r1-1 ready");
  CHECK(site.ready_pods() == 3);
}

namespace {
// The least-request rule by brute force: lowest load, ties to the first at or after start.
std::size_t brute_least(const std::vector<int>& loads, std::size_t start) {
  std::size_t best = start;
  for (std::size_t k = 0; k < loads.size(); ++k) {
    const std::size_t i = (start + k) % loads.size();
    if (loads[i] < loads[best]) best = i;
  }
  return best;
}
}  // namespace

TEST_CASE("the load index picks what a scan of the loads picks") {
  sim::RngStream rng(5);
  for (const std::size_t n : {1, 2, 63, 64, 65, 130, 300}) {
    const int levels = 20;
    LoadIndex index(levels);
    REQUIRE(index.usable(n));
    std::vector<int> loads(n);
    for (int& l : loads) l = static_cast<int>(rng.uniform_int(0, levels - 1));
    index.reset(n);
    for (std::size_t i = 0; i < n; ++i) index.set(i, loads[i]);
    for (int step = 0; step < 20000; ++step) {
      // Loads move by one, as requests arrive and leave; sometimes they jump (a pod killed).
      const std::size_t pos = rng.uniform_int(0, n - 1);
      int& l = loads[pos];
      const uint64_t op = rng.uniform_int(0, 20);
      l = op == 0 ? 0 : op < 11 ? std::min(l + 1, levels - 1) : std::max(l - 1, 0);
      index.set(pos, l);
      const std::size_t start = rng.uniform_int(0, n - 1);
      REQUIRE(index.first_least(start) == brute_least(loads, start));
    }
  }
  CHECK_FALSE(LoadIndex(0).usable(1));
  CHECK_FALSE(LoadIndex(1 << 16).usable(std::size_t{1} << 20));  // too many words: scan instead
}

TEST_CASE("an index grown by appending picks what a scan picks") {
  // Endpoints join one at a time (a scale-up): each is appended, across word boundaries, while
  // the others keep their loads.
  sim::RngStream rng(9);
  const int levels = 12;
  LoadIndex index(levels);
  index.reset(0);
  std::vector<int> loads;
  for (int step = 0; step < 30000; ++step) {
    if (loads.size() < 200 && rng.uniform_int(0, 99) < 2) {
      index.append();
      loads.push_back(static_cast<int>(rng.uniform_int(0, levels - 1)));
      index.set(loads.size() - 1, loads.back());
    }
    if (loads.empty()) continue;
    const std::size_t pos = rng.uniform_int(0, loads.size() - 1);
    loads[pos] = static_cast<int>(rng.uniform_int(0, levels - 1));
    index.set(pos, loads[pos]);
    const std::size_t start = rng.uniform_int(0, loads.size() - 1);
    REQUIRE(index.first_least(start) == brute_least(loads, start));
  }
  CHECK(index.positions() == loads.size());
  CHECK(loads.size() > 130);
}

TEST_CASE("least-request with the load index runs the same as with the scan") {
  // A queue limit never reached keeps the index (loads are bounded); an unlimited queue makes
  // the site scan. Same arrivals, same demands, endpoints added and removed on the way: the
  // same pods must get the same requests at the same times.
  struct Outcome {
    uint64_t fingerprint;
    std::vector<uint64_t> completed;
    std::size_t done, failed;
  };
  auto run = [](int queue) {
    sim::Simulator sim;
    RequestPool pool;
    sim::NullRecorder rec;
    fakes::Client client(sim, pool);
    Site site(sim, rngs(), pool, config(Balancing::kLeastRequest, 6, {1, 4, queue}), 0, rec);
    site.start();
    sim::RngStream arrivals(3), demands(4);
    std::function<void()> arrive = [&] {
      site.submit(client.make(demands.exponential_mean(0.03)));
      if (sim.now() < seconds(600)) {
        sim.schedule_in(sim::SimTime::from_seconds(arrivals.exponential_mean(0.01)),
                        [&arrive] { arrive(); });
      }
    };
    sim.schedule_at(seconds(0), [&arrive] { arrive(); });
    sim.schedule_at(seconds(100), [&] { site.scale_to(12, "test"); });
    sim.schedule_at(seconds(300), [&] { site.scale_to(4, "test"); });
    sim.schedule_at(seconds(450), [&] { site.scale_to(8, "test"); });
    sim.run_until(seconds(700));
    Outcome o{sim.fingerprint(), {}, client.done.size(), client.failed.size()};
    for (std::size_t i = 0; i < site.pod_count(); ++i)
      o.completed.push_back(site.pod(i).completed());
    // The only failures: requests the balancer sent to a pod in the second between its SIGTERM
    // and its leaving the endpoints (no preStop hook in this configuration).
    for (const auto& f : client.failed) CHECK(f.cause == FailureCause::kRefused);
    return o;
  };
  const Outcome indexed = run(1000);
  const Outcome scanned = run(PodConfig::kUnlimited);
  CHECK(indexed.done > 50000);
  CHECK(indexed.fingerprint == scanned.fingerprint);
  CHECK(indexed.completed == scanned.completed);
  CHECK(indexed.done == scanned.done);
  CHECK(indexed.failed == scanned.failed);
}

TEST_CASE("a Burstable pod uses spare cores of its node up to its limit, never more") {
  // Pods request 0.5 core with a 2-core limit on 4-core nodes; each is given four long requests
  // (more work than its limit can serve). CPU used per second and pod = the cores it could use.
  auto used_per_pod = [](int pods_per_node, double limit) {
    sim::Simulator sim;
    RequestPool pool;
    sim::NullRecorder rec;
    fakes::Client client(sim, pool);
    SiteConfig c = config(Balancing::kRoundRobin, pods_per_node, {0.5, 8, 0});
    c.deployment.pod.limit = limit;
    models::NodeGroupConfig g;
    g.count = 1;
    g.shape.cpu = 4;
    g.shape.max_pods = 8;
    c.node_groups = {g};
    Site site(sim, rngs(), pool, c, 0, rec);
    site.start();
    for (int i = 0; i < 4 * pods_per_node; ++i) site.submit(client.make(1000.0));
    sim.run_until(seconds(10));
    std::vector<PodSnapshot> pods;
    site.snapshot_pods(&pods);
    REQUIRE(pods.size() == static_cast<std::size_t>(pods_per_node));
    return pods[0].cpu_used_core_ns / 10e9 / pods[0].cpu_request;  // utilization of the request
  };
  CHECK(used_per_pod(1, 0) == Approx(1.0));    // Guaranteed: the request, no more
  CHECK(used_per_pod(1, 2.0) == Approx(4.0));  // alone on the node: its limit, 400% of request
  CHECK(used_per_pod(1, 8.0) == Approx(8.0));  // a higher limit: the whole node
  CHECK(used_per_pod(4, 2.0) == Approx(2.0));  // four share the node: one core each
  CHECK(used_per_pod(8, 2.0) == Approx(1.0));  // eight: their requests
}
