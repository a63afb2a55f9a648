#include <catch2/catch.hpp>

#include <vector>

#include "sim/simulator.h"

using namespace sim;

TEST_CASE("run_until executes events before the end and stops the clock at the end") {
  Simulator s;
  std::vector<int64_t> at;
  s.schedule_at(seconds(1), [&] { at.push_back(s.now().ns()); });
  s.schedule_at(seconds(5), [&] { at.push_back(s.now().ns()); });
  s.schedule_at(seconds(10), [&] { at.push_back(s.now().ns()); });  // at the end: not run
  CHECK(s.run_until(seconds(10)) == Simulator::RunStatus::kReachedEnd);
  CHECK(at == std::vector<int64_t>{seconds(1).ns(), seconds(5).ns()});
  CHECK(s.now() == seconds(10));
  CHECK(s.events_pending() == 1);
  CHECK(s.run_until(seconds(11)) == Simulator::RunStatus::kReachedEnd);
  CHECK(at.size() == 3);
}

TEST_CASE("events can schedule and cancel other events") {
  Simulator s;
  int hits = 0;
  EventId later = s.schedule_in(seconds(3), [&] { hits += 100; });
  s.schedule_in(seconds(1), [&] {
    ++hits;
    s.cancel(later);
    s.schedule_in(seconds(1), [&] { hits += 10; });
  });
  s.run_until(seconds(10));
  CHECK(hits == 11);
}

TEST_CASE("the event budget and stop() return control early") {
  Simulator s;
  int n = 0;
  struct Tick {
    Simulator* s;
    int* n;
    void operator()() const {
      ++*n;
      s->schedule_in(seconds(1), *this);
    }
  };
  s.schedule_at(SimTime::zero(), Tick{&s, &n});
  CHECK(s.run_until(seconds(100), 5) == Simulator::RunStatus::kEventBudget);
  CHECK(n == 5);
  s.schedule_at(s.now(), [&] { s.stop(); });
  CHECK(s.run_until(seconds(100)) == Simulator::RunStatus::kStopped);
  CHECK(s.run_until(seconds(100)) == Simulator::RunStatus::kReachedEnd);
  CHECK(n == 100);
}

TEST_CASE("the fingerprint depends on the event sequence") {
  auto run = [](int64_t shift) {
    Simulator s;
    for (int i = 0; i < 10; ++i)
      s.schedule_at(SimTime::from_ns(i * 1000 + (i == 7 ? shift : 0)), [] {});
    s.run_until(seconds(1));
    return s.fingerprint();
  };
  CHECK(run(0) == run(0));
  CHECK(run(0) != run(1));
}
