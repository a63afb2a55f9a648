// The kernel and the request path allocate nothing per event once warmed up: this binary
// replaces the global operator new with a counting one and runs the M/M/c validation scenario
// (events, pods, shared queue, metrics buckets) with a recorder that stores nothing.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "config/loader.h"
#include "engine/world.h"
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
