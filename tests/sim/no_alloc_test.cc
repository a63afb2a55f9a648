// The kernel and the request path allocate nothing per event once warmed up: this binary
// replaces the global operator new with a counting one and runs the M/M/c validation scenario
// (events, pods, shared queue, metrics buckets) with a recorder that stores nothing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <new>
#include <vector>

#include "config/loader.h"
#include "engine/world.h"
#include "models/common/inline_vector.h"
#include "models/common/ring_queue.h"
#include "models/site/pod.h"
#include "sim/recorder.h"

namespace {
std::atomic<long> g_allocations{0};
}

// AddressSanitizer brings its own allocator; counting there would test ASan, not hcsim.
#if !defined(__SANITIZE_ADDRESS__)
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

TEST_CASE("no allocation per event in steady state") {
#if defined(__SANITIZE_ADDRESS__)
  WARN("not measured under AddressSanitizer");
  return;
#endif
  const config::Scenario s = config::load_scenario_file(
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/validation/mmc-shared-queue.yaml",
      {"metrics.bucket=1s"});
  sim::NullRecorder rec;
  engine::World world(s, 1, rec);
  world.start();
  // Warm up: pools, queues and the event heap reach their working size.
  world.simulator().run_until(sim::hours(2));
  const long before = g_allocations.load();
  const uint64_t events_before = world.simulator().events_executed();
  world.simulator().run_until(sim::hours(4));
  const uint64_t events = world.simulator().events_executed() - events_before;
  const long allocations = g_allocations.load() - before;
  INFO(events << " events, " << allocations << " allocations");
  CHECK(events > 100000);
  // Zero here; a container reaching a new high-water mark (a queue longer than ever before)
  // may double once or twice, which is not per event.
  CHECK(allocations <= 4);
}

// Memory per pod (issue #15, ~2 KB a pod): a pod that has not served anything owns no heap
// memory besides itself (its queues allocate on first use), and its accept queue keeps FIFO
// order through growth and wrap-around.
namespace {
struct NoListener final : models::PodListener {
  void on_pod_done(models::Pod&, models::RequestId) override {}
  void on_pod_failed(models::Pod&, models::RequestId, models::FailureCause) override {}
};
}  // namespace

TEST_CASE(
    "an idle pod and an unused queue allocate nothing, and a pod's hot fields are prefetched") {
#if defined(__SANITIZE_ADDRESS__)
  WARN("not measured under AddressSanitizer");
  return;
#endif
  sim::Simulator sim;
  models::RequestPool pool;
  NoListener listener;
  const long before = g_allocations.load();
  {
    models::Pod pod(sim, pool, models::PodConfig{2, 16, 128}, listener, 0);
    models::RingQueue<int> unused;
    CHECK(unused.empty());
    // What the site reads per request lies in the prefetched lines.
    const auto offset = [&pod](const void* field) {
      return static_cast<std::size_t>(static_cast<const char*>(field) -
                                      reinterpret_cast<const char*>(&pod));
    };
    CHECK(offset(&pod.life.state) < models::Pod::kHotBytes);
    CHECK(offset(&pod.life.refusing) < models::Pod::kHotBytes);
  }
  CHECK(g_allocations.load() - before == 0);
}

TEST_CASE("a ring queue keeps FIFO order through growth and wrap-around") {
  models::RingQueue<int> q;
  int next_in = 0, next_out = 0;
  // Pushes run ahead of pops by a widening margin, so the buffer wraps and then doubles.
  for (int round = 0; round < 200; ++round) {
    for (int k = 0; k < 3; ++k) q.push_back(next_in++);
    for (int k = 0; k < 2; ++k) REQUIRE(q.pop_front() == next_out++);
    REQUIRE(q.size() == static_cast<std::size_t>(next_in - next_out));
    REQUIRE(q.front() == next_out);
    REQUIRE(q[q.size() - 1] == next_in - 1);
  }
  while (!q.empty()) REQUIRE(q.pop_front() == next_out++);
  CHECK(next_out == next_in);
  q.push_back(7);
  q.clear();
  CHECK(q.empty());
}

TEST_CASE("an inline vector keeps its first elements inside and moves to the heap past them") {
  models::InlineVector<int, 4> v;
  [[maybe_unused]] const long before = g_allocations.load();
  for (int i = 0; i < 4; ++i) v.push_back(i);
#if !defined(__SANITIZE_ADDRESS__)
  CHECK(g_allocations.load() - before == 0);
#endif
  CHECK(v.capacity() == 4);
  for (int i = 4; i < 40; ++i) v.push_back(i);
  CHECK(v.capacity() == 64);
  REQUIRE(v.size() == 40);
  for (int i = 0; i < 40; ++i) REQUIRE(v[static_cast<std::size_t>(i)] == i);
  // A heap in it, as the pod keeps its jobs: pops come out smallest first.
  models::InlineVector<int, 4> h;
  for (int x : {5, 3, 9, 1, 7, 2}) {
    h.push_back(x);
    std::push_heap(h.begin(), h.end(), std::greater<>());
  }
  std::vector<int> out;
  while (!h.empty()) {
    std::pop_heap(h.begin(), h.end(), std::greater<>());
    out.push_back(h.back());
    h.pop_back();
  }
  CHECK(out == std::vector<int>{1, 2, 3, 5, 7, 9});
  v.clear();
  CHECK(v.empty());
}

TEST_CASE("an inline vector can push one of its own elements while it grows") {
  models::InlineVector<int, 2> v;
  for (int i = 0; i < 4; ++i) v.push_back(40 + i);  // on the heap now, capacity 4
  REQUIRE(v.capacity() == 4);
  v.push_back(v[0]);  // growing frees the block v[0] is in (AddressSanitizer sees a misuse)
  REQUIRE(v.size() == 5);
  CHECK(v[4] == 40);
  CHECK(v[3] == 43);
}
