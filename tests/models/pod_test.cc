#include <catch2/catch.hpp>

#include "fakes.h"
#include "models/site/pod.h"

using namespace models;
using sim::seconds;

namespace {
struct Listener final : PodListener {
  explicit Listener(fakes::Client& c) : client(c) {}
  void on_pod_done(Pod&, RequestId id) override { client.on_response(id); }
  void on_pod_failed(Pod&, RequestId id, FailureCause c) override { client.on_failure(id, c); }
  fakes::Client& client;
};

struct Fixture {
  sim::Simulator sim;
  RequestPool pool;
  fakes::Client client{sim, pool};
  Listener listener{client};
  Pod make(double cores, int concurrency, int queue) {
    return Pod(sim, pool, PodConfig{cores, concurrency, queue}, listener, 0);
  }
};
}  // namespace

TEST_CASE("a lone request takes exactly its demand") {
  Fixture f;
  Pod pod(f.sim, f.pool, PodConfig{1, 8, 0}, f.listener, 0);
  pod.offer(f.client.make(0.25));
  f.sim.run_until(seconds(10));
  REQUIRE(f.client.done.size() == 1);
  CHECK(f.client.done[0].at == sim::milliseconds(250));
  CHECK(pod.cpu_used_ns() == Approx(0.25e9));
}

TEST_CASE("processor sharing splits one core equally") {
  Fixture f;
  Pod pod(f.sim, f.pool, PodConfig{1, PodConfig::kUnlimited, 0}, f.listener, 0);
  const RequestId a = f.client.make(1.0), b = f.client.make(2.0);
  pod.offer(a);
  pod.offer(b);
  f.sim.run_until(seconds(10));
  // Both progress at 1/2 until a finishes at 2 s; b then runs alone for its last second.
  REQUIRE(f.client.done.size() == 2);
  CHECK(f.client.done[0].id == a);
  CHECK(f.client.done[0].at == seconds(2));
  CHECK(f.client.done[1].at == seconds(3));
  CHECK(pod.cpu_used_ns() == Approx(3e9));
}

TEST_CASE("a request uses at most one core and more requests than cores share them") {
  Fixture f;
  Pod pod(f.sim, f.pool, PodConfig{2, PodConfig::kUnlimited, 0}, f.listener, 0);
  for (int i = 0; i < 3; ++i) pod.offer(f.client.make(1.0));
  f.sim.run_until(seconds(10));
  // Three 1 s jobs on 2 cores: each runs at 2/3, all finish at 1.5 s.
  REQUIRE(f.client.done.size() == 3);
  for (const auto& d : f.client.done) CHECK(d.at == sim::milliseconds(1500));
  CHECK(pod.cpu_used_ns() == Approx(3e9));

  Fixture g;
  Pod wide(g.sim, g.pool, PodConfig{4, PodConfig::kUnlimited, 0}, g.listener, 0);
  wide.offer(g.client.make(1.0));
  g.sim.run_until(seconds(10));
  CHECK(g.client.done[0].at == seconds(1));  // not 0.25 s: one request, one core
}

TEST_CASE("an arrival mid-service slows the others down") {
  Fixture f;
  Pod pod(f.sim, f.pool, PodConfig{1, PodConfig::kUnlimited, 0}, f.listener, 0);
  pod.offer(f.client.make(2.0));
  f.sim.schedule_at(seconds(1), [&] { pod.offer(f.client.make(0.5)); });
  f.sim.run_until(seconds(10));
  // First has 1 s left at t=1; both at 1/2: second done at t=2, first at 2 + 0.5 = 2.5.
  REQUIRE(f.client.done.size() == 2);
  CHECK(f.client.done[0].at == seconds(2));
  CHECK(f.client.done[1].at == sim::milliseconds(2500));
}

TEST_CASE("worker limit queues FIFO and the accept queue limit rejects") {
  Fixture f;
  Pod pod(f.sim, f.pool, PodConfig{1, 1, 1}, f.listener, 0);
  const RequestId a = f.client.make(1.0), b = f.client.make(1.0), c = f.client.make(1.0);
  CHECK(pod.offer(a));
  CHECK(pod.offer(b));
  CHECK(pod.queued() == 1);
  CHECK_FALSE(pod.offer(c));  // caller fails it
  f.pool.free(c);
  f.sim.run_until(seconds(10));
  REQUIRE(f.client.done.size() == 2);
  CHECK(f.client.done[0].at == seconds(1));
  CHECK(f.client.done[1].at == seconds(2));  // FCFS, not shared
}

TEST_CASE("a speed change takes effect for the remaining work") {
  Fixture f;
  Pod pod(f.sim, f.pool, PodConfig{1, 8, 0}, f.listener, 0);
  pod.set_speed(0.5);
  pod.offer(f.client.make(1.0));
  f.sim.schedule_at(seconds(1), [&] { pod.set_speed(1.0); });
  f.sim.run_until(seconds(10));
  // 0.5 s of work done in the first second at half speed, the other 0.5 s at full speed.
  CHECK(f.client.done.at(0).at == sim::milliseconds(1500));
}

TEST_CASE("killing a pod fails every request in service and queued") {
  Fixture f;
  Pod pod(f.sim, f.pool, PodConfig{1, 1, 5}, f.listener, 0);
  for (int i = 0; i < 3; ++i) pod.offer(f.client.make(1.0));
  f.sim.schedule_at(sim::milliseconds(500), [&] { pod.kill(FailureCause::kAborted); });
  f.sim.run_until(seconds(10));
  CHECK(f.client.done.empty());
  REQUIRE(f.client.failed.size() == 3);
  for (const auto& x : f.client.failed) CHECK(x.cause == FailureCause::kAborted);
  CHECK(pod.load() == 0);
  CHECK(pod.cpu_used_ns() == Approx(0.5e9));
}
