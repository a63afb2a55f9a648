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
