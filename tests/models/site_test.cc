#include <catch2/catch.hpp>

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
  CHECK(
      rec.events_[0].details ==
      "{\"replicas\":3,\"cpu\":2,\"concurrency\":\"unlimited\",\"queue\":5,\"balancing\":\"shared-"
      "queue\",\"image\":\"app:1\",\"nodes\":0}");
  CHECK(rec.events_[1].kind == "pod");
  CHECK(rec.events_[2].message == "s-r1-1 ready");
  CHECK(site.ready_pods() == 3);
}
