#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "sim/event_queue.h"
#include "sim/rng.h"

using namespace sim;

namespace {
struct Log {
  std::vector<int> order;
};
}  // namespace

TEST_CASE("events pop in (time, priority, insertion) order") {
  EventQueue q;
  Log log;
  auto push = [&](int64_t t, int prio, int tag) {
    q.push(SimTime::from_ns(t), prio, [&log, tag] { log.order.push_back(tag); });
  };
  push(5, 0, 1);
  push(3, 0, 2);
  push(5, -1, 3);  // same time, earlier priority
  push(5, 0, 4);   // same time and priority: after 1
  push(3, 0, 5);
  while (!q.empty()) {
    SimTime t;
    int p;
    q.pop(&t, &p)();
  }
  CHECK(log.order == std::vector<int>{2, 5, 3, 1, 4});
}

TEST_CASE("cancel removes an event at once and stale ids cancel nothing") {
  EventQueue q;
  int fired = 0;
  const EventId a = q.push(seconds(1), 0, [&fired] { fired += 1; });
  const EventId b = q.push(seconds(2), 0, [&fired] { fired += 10; });
  CHECK(q.pending(a));
  CHECK(q.cancel(a));
  CHECK_FALSE(q.pending(a));
  CHECK_FALSE(q.cancel(a));
  CHECK(q.size() == 1);
  // The freed slot is reused by a new event; the old id must not cancel it.
  const EventId c = q.push(seconds(3), 0, [&fired] { fired += 100; });
  CHECK(c.slot == a.slot);
  CHECK_FALSE(q.cancel(a));
  CHECK(q.pending(c));
  while (!q.empty()) {
    SimTime t;
    int p;
    q.pop(&t, &p)();
  }
  CHECK(fired == 110);
  CHECK_FALSE(q.pending(b));
  CHECK_FALSE(q.cancel(EventId{}));
}

TEST_CASE("heap order holds under random pushes and cancels") {
  EventQueue q;
  RngStream rng(7);
  std::vector<EventId> ids;
  std::vector<int64_t> popped;
  for (int round = 0; round < 20000; ++round) {
    const uint64_t op = rng.uniform_int(0, 9);
    if (op < 6) {
      ids.push_back(q.push(SimTime::from_ns(static_cast<int64_t>(rng.uniform_int(0, 1000))),
                           static_cast<int>(rng.uniform_int(0, 4)) - 2, [] {}));
    } else if (op < 8 && !ids.empty()) {
      const std::size_t k = rng.uniform_int(0, ids.size() - 1);
      q.cancel(ids[k]);
      ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(k));
    } else if (!q.empty()) {
      SimTime t;
      int p;
      q.pop(&t, &p);
      popped.push_back(t.ns());
    }
  }
  // Drain: times never decrease once draining starts.
  int64_t last = -1;
  while (!q.empty()) {
    SimTime t;
    int p;
    q.pop(&t, &p);
    CHECK(t.ns() >= last);
    last = t.ns();
  }
}

TEST_CASE("move orders an event exactly as cancel and push again would") {
  // Two queues under the same random operations: one moves events in place, the other cancels
  // and pushes them again. They must run the same callbacks in the same order.
  EventQueue moved, pushed;
  std::vector<int> log_moved, log_pushed;
  RngStream rng(11);
  struct Live {
    EventId in_moved, in_pushed;
    int prio, tag;
  };
  std::vector<Live> live;
  int next_tag = 0;
  auto push_both = [&](int64_t t, int prio, int tag) {
    Live l{
        moved.push(SimTime::from_ns(t), prio, [&log_moved, tag] { log_moved.push_back(tag); }),
        pushed.push(SimTime::from_ns(t), prio, [&log_pushed, tag] { log_pushed.push_back(tag); }),
        prio, tag};
    live.push_back(l);
  };
  int moves = 0;
  for (int round = 0; round < 20000; ++round) {
    const uint64_t op = rng.uniform_int(0, 9);
    // Few distinct times, so ties (decided by insertion sequence) are common.
    const int64_t t = static_cast<int64_t>(rng.uniform_int(0, 50));
    if (op < 4) {
      push_both(t, static_cast<int>(rng.uniform_int(0, 2)) - 1, next_tag++);
    } else if (op < 8 && !live.empty()) {
      Live& l = live[rng.uniform_int(0, live.size() - 1)];
      if (!moved.pending(l.in_moved)) continue;
      REQUIRE(moved.move(l.in_moved, SimTime::from_ns(t)));
      REQUIRE(pushed.cancel(l.in_pushed));
      const int tag = l.tag;
      l.in_pushed = pushed.push(SimTime::from_ns(t), l.prio,
                                [&log_pushed, tag] { log_pushed.push_back(tag); });
      ++moves;
    } else if (!moved.empty()) {
      SimTime ta, tb;
      int pa, pb;
      moved.pop(&ta, &pa)();
      pushed.pop(&tb, &pb)();
      REQUIRE(ta == tb);
      REQUIRE(pa == pb);
    }
    REQUIRE(moved.size() == pushed.size());
  }
  while (!moved.empty()) {
    SimTime t;
    int p;
    moved.pop(&t, &p)();
    pushed.pop(&t, &p)();
  }
  CHECK(moves > 1000);
  CHECK(log_moved.size() > 1000);
  CHECK(log_moved == log_pushed);
}

TEST_CASE("move keeps the id and does nothing to an event that is not pending") {
  EventQueue q;
  int fired = 0;
  const EventId a = q.push(seconds(5), 0, [&fired] { fired += 1; });
  q.push(seconds(3), 0, [&fired] { fired += 10; });
  CHECK(q.move(a, seconds(1)));  // earlier: now first
  CHECK(q.pending(a));
  SimTime t;
  int p;
  q.pop(&t, &p)();
  CHECK(t == seconds(1));
  CHECK(fired == 1);
  CHECK_FALSE(q.move(a, seconds(9)));  // already ran
  CHECK_FALSE(q.move(EventId{}, seconds(9)));
  CHECK(q.size() == 1);
  q.pop(&t, &p)();
  CHECK(t == seconds(3));
  CHECK(fired == 11);
}

namespace {
// Random pushes, cancels, moves and pops on a queue that uses its calendar ring early
// (first_spill) and on one that keeps everything in its heap: the callbacks must run in the same
// order. Times mix ties, a dense near future, a long tail and events at SimTime::max().
void check_ring_against_heap(uint64_t seed, std::size_t first_spill, int rounds) {
  EventQueue ring(first_spill), heap(std::size_t{1} << 40);
  std::vector<int> log_ring, log_heap;
  RngStream rng(seed);
  struct Live {
    EventId a, b;
  };
  std::vector<Live> live;
  int64_t now = 0;
  int next_tag = 0;
  auto draw_time = [&]() -> int64_t {
    switch (rng.uniform_int(0, 9)) {
      case 0:
        return now;  // a tie with now
      case 1:
        return now + static_cast<int64_t>(rng.uniform_int(0, 3));  // near ties
      case 2:
        return now + static_cast<int64_t>(rng.uniform_int(0, 1'000'000'000));  // far tail
      case 3:
        return rng.uniform_int(0, 99) == 0 ? SimTime::max().ns() : now + 500;
      default:
        return now + static_cast<int64_t>(rng.exponential_mean(5000.0));
    }
  };
  int spills_seen = 0;
  for (int round = 0; round < rounds; ++round) {
    // Phases: grow the population, then shrink it, so the ring is entered and left again.
    const bool growing = (round / (rounds / 6)) % 2 == 0;
    const uint64_t op = rng.uniform_int(0, 9);
    if (op < (growing ? 6u : 2u)) {
      const int64_t t = draw_time();
      const int prio = static_cast<int>(rng.uniform_int(0, 2)) - 1;
      const int tag = next_tag++;
      live.push_back(
          {ring.push(SimTime::from_ns(t), prio, [&log_ring, tag] { log_ring.push_back(tag); }),
           heap.push(SimTime::from_ns(t), prio, [&log_heap, tag] { log_heap.push_back(tag); })});
    } else if (op < 4 && !live.empty()) {
      const std::size_t k = rng.uniform_int(0, live.size() - 1);
      const int64_t t = draw_time();
      if (op == 2) {
        REQUIRE(ring.cancel(live[k].a) == heap.cancel(live[k].b));
      } else {
        REQUIRE(ring.move(live[k].a, SimTime::from_ns(t)) ==
                heap.move(live[k].b, SimTime::from_ns(t)));
      }
    } else if (!heap.empty()) {
      REQUIRE_FALSE(ring.empty());
      SimTime ta, tb;
      int pa, pb;
      REQUIRE(ring.top_time() == heap.top_time());
      ring.pop(&ta, &pa)();
      heap.pop(&tb, &pb)();
      REQUIRE(ta == tb);
      REQUIRE(pa == pb);
      if (ta != SimTime::max()) now = ta.ns();
    }
    REQUIRE(ring.size() == heap.size());
    if (ring.size() > first_spill) ++spills_seen;
  }
  while (!heap.empty()) {
    SimTime t;
    int p;
    ring.pop(&t, &p)();
    heap.pop(&t, &p)();
  }
  CHECK(ring.empty());
  CHECK(spills_seen > 0);
  CHECK(log_ring.size() > static_cast<std::size_t>(rounds) / 10);
  CHECK(log_ring == log_heap);
}
}  // namespace

TEST_CASE("the calendar ring pops exactly what the heap alone pops") {
  check_ring_against_heap(3, 16, 200000);
  check_ring_against_heap(5, 64, 200000);
  check_ring_against_heap(9, 1024, 400000);
}

TEST_CASE("a ring of tied events and stale entries still pops in order") {
  // Every event at one of two instants: buckets cannot split them, the heap orders them.
  EventQueue q(8);
  std::vector<int> order;
  std::vector<EventId> ids;
  for (int i = 0; i < 5000; ++i) {
    ids.push_back(q.push(SimTime::from_ns(i % 2 == 0 ? 10 : 1'000'000), 0,
                         [&order, i] { order.push_back(i); }));
  }
  for (int i = 0; i < 5000; i += 3) q.cancel(ids[static_cast<std::size_t>(i)]);
  for (int i = 1; i < 5000; i += 7) q.move(ids[static_cast<std::size_t>(i)], SimTime::from_ns(10));
  std::vector<int> expected;
  for (int pass = 0; pass < 3; ++pass) {
    for (int i = 0; i < 5000; ++i) {
      if (i % 3 == 0) continue;
      const bool moved = i % 7 == 1;
      const bool early = i % 2 == 0 && !moved;
      if ((pass == 0 && early) || (pass == 1 && moved) || (pass == 2 && !early && !moved)) {
        expected.push_back(i);
      }
    }
  }
  while (!q.empty()) {
    SimTime t;
    int p;
    q.pop(&t, &p)();
  }
  CHECK(order == expected);
}

namespace {
// Records which events the queue asked to prefetch, and which ran after being prefetched.
struct PrefetchLog {
  std::vector<char> prefetched;
  int calls = 0;
  int prefetched_then_ran = 0;
};
struct Prefetched {
  PrefetchLog* log;
  int i;
  void operator()() const {
    if (log->prefetched[static_cast<std::size_t>(i)] != 0) ++log->prefetched_then_ran;
  }
  void prefetch() const {
    ++log->calls;
    log->prefetched[static_cast<std::size_t>(i)] = 1;
  }
};
}  // namespace

TEST_CASE("a callable's prefetch hook is kept and called before it runs from the ring") {
  PrefetchLog log;
  log.prefetched.assign(2000, 0);
  Callback with(Prefetched{&log, 0});
  with.prefetch();
  CHECK(log.calls == 1);
  int plain_runs = 0;
  Callback plain([&plain_runs] { ++plain_runs; });
  plain.prefetch();  // no hook: nothing happens
  plain();
  CHECK(plain_runs == 1);

  // Far events go through the calendar ring; each is prefetched as its bucket moves into the
  // heap, before it runs (those still in the heap when the ring was first used are not).
  log = PrefetchLog{};
  log.prefetched.assign(2000, 0);
  EventQueue q(16);
  for (int i = 0; i < 2000; ++i) q.push(SimTime::from_ns(1000 + 37 * i), 0, Prefetched{&log, i});
  while (!q.empty()) {
    SimTime t;
    int p;
    q.pop(&t, &p)();
  }
  CHECK(log.prefetched_then_ran == log.calls);
  CHECK(log.calls > 1800);  // 1,879 of 2,000: the rest stayed in the heap at the spill
}

TEST_CASE("slots past the first committed block keep their callbacks, and stale ids stay stale") {
  // 4,096 slots are committed at a time: 10,000 pending events use three blocks.
  EventQueue q(std::size_t{1} << 40);  // the heap alone, so pops follow push order exactly
  std::vector<int> order;
  std::vector<EventId> ids;
  for (int i = 0; i < 10000; ++i) {
    ids.push_back(q.push(SimTime::from_ns(i), 0, [&order, i] { order.push_back(i); }));
  }
  CHECK(q.size() == 10000);
  CHECK(q.cancel(ids[9999]));
  SimTime t;
  int p;
  while (!q.empty()) q.pop(&t, &p)();
  REQUIRE(order.size() == 9999);
  for (int i = 0; i < 9999; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
  // Every slot is free again: the old ids cancel nothing, new events reuse the slots.
  for (const EventId id : ids) CHECK_FALSE(q.pending(id));
  const EventId again = q.push(SimTime::from_ns(20000), 0, [&order] { order.push_back(-1); });
  CHECK(again.slot < 10000);
  CHECK_FALSE(q.cancel(ids[again.slot]));
  CHECK(q.pending(again));
  q.pop(&t, &p)();
  CHECK(order.back() == -1);
}
