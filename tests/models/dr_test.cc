// Replication and data loss, the RTO tracker, and cost rates.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/cost/cost_model.h"
#include "models/dr/replication.h"
#include "models/dr/rto_tracker.h"
#include "sim/memory_recorder.h"

using namespace models;
using sim::seconds;
using sim::SimTime;

namespace {

struct Rep {
  sim::Simulator sim;
  sim::MemoryRecorder rec;
  std::unique_ptr<Replication> r;
  explicit Rep(ReplicationLink link, uint64_t seed = 3) {
    std::vector<sim::RngStream> rngs;
    rngs.emplace_back(seed);
    r = std::make_unique<Replication>(sim, std::vector<ReplicationLink>{link}, std::move(rngs),
                                      std::vector<std::string>{"primary", "replica"}, rec);
  }
  // Commits a write every `gap` from `from` until `until` at site 0.
  void writes(SimTime from, SimTime until, SimTime gap) {
    for (SimTime t = from; t < until; t += gap) r->commit(0, t);
  }
};

}  // namespace

TEST_CASE("async replication with a constant lag loses the writes of the last lag window") {
  ReplicationLink link;
  link.lag = Distribution::constant(2.0);
  Rep rep(link);
  rep.writes(SimTime::zero(), seconds(100), sim::milliseconds(10));  // 100 writes per second
  rep.sim.run_until(seconds(100));
  rep.r->on_fault_begin(0, FaultKind::kFull, seconds(100));
  REQUIRE(rep.r->losses().size() == 1);
  const DataLoss& l = rep.r->losses()[0];
  // The replica holds everything committed up to 98 s: writes at 98.01 .. 99.99 s are lost.
  CHECK(l.lost_writes == 199);
  CHECK(l.rpo_s == 2.0);
  REQUIRE(rep.rec.events_.size() == 1);
  CHECK(rep.rec.events_[0].kind == "data_loss");
  // The log starts afresh after the outage.
  CHECK(rep.r->writes_within(0, seconds(10)) == 0);
}

TEST_CASE("the RPO of an outage is the replication lag drawn at that instant") {
  ReplicationLink link;
  link.lag = Distribution::exponential(2.0);
  double sum = 0;
  constexpr int kOutages = 400;
  for (uint64_t seed = 1; seed <= kOutages; ++seed) {
    Rep rep(link, seed);
    rep.writes(SimTime::zero(), seconds(60), sim::milliseconds(50));
    rep.sim.run_until(seconds(60));
    rep.r->on_fault_begin(0, FaultKind::kFull, seconds(60));
    const DataLoss& l = rep.r->losses()[0];
    // 20 writes per second: the lost writes are those of the last RPO seconds.
    CHECK(std::abs(static_cast<double>(l.lost_writes) - 20.0 * l.rpo_s) <= 1.0);
    sum += l.rpo_s;
  }
  // The lag at a random instant has the configured distribution: mean 2 s (standard error 0.1).
  INFO("mean RPO " << sum / kOutages << " s over " << kOutages << " outages");
  CHECK(sum / kOutages == Approx(2.0).margin(0.3));
}

TEST_CASE(
    "sync replication and non-full faults lose nothing, sites without a link are not tracked") {
  ReplicationLink sync;
  sync.sync = true;
  sync.write_latency = sim::milliseconds(20);
  Rep rep(sync);
  rep.writes(SimTime::zero(), seconds(10), sim::milliseconds(10));
  rep.sim.run_until(seconds(10));
  rep.r->on_fault_begin(0, FaultKind::kFull, seconds(10));
  CHECK(rep.r->losses()[0].lost_writes == 0);
  CHECK(rep.r->losses()[0].rpo_s == 0);

  ReplicationLink async;
  async.lag = Distribution::constant(5.0);
  Rep rep2(async);
  rep2.writes(SimTime::zero(), seconds(10), sim::milliseconds(10));
  rep2.sim.run_until(seconds(10));
  CHECK(rep2.r->writes_within(0, seconds(5)) == 499);  // 5.01 .. 9.99 s: the window is (5 s, 10 s]
  rep2.r->on_fault_begin(0, FaultKind::kPartition, seconds(10));
  rep2.r->on_fault_begin(0, FaultKind::kBrownout, seconds(10));
  rep2.r->on_fault_begin(1, FaultKind::kFull, seconds(10));
  CHECK(rep2.r->losses().empty());
  CHECK_FALSE(rep2.r->replicates(1));
  CHECK(rep2.r->writes_committed() == 1000);
}

namespace {
// Feeds one-second buckets: `good` seconds OK, then `bad` seconds with `fail` failures in 100.
struct Slo {
  sim::MemoryRecorder rec;
  RtoTracker t{SloConfig{}, {"a", "b"}, rec};
  SimTime now;
  int paused = 0;  // users pausing after abandonment
  void feed(int seconds_, uint64_t completed, uint64_t failed, uint64_t slow = 0) {
    for (int i = 0; i < seconds_; ++i) {
      t.on_bucket(now, now + seconds(1), completed, failed, slow, paused);
      now += seconds(1);
    }
  }
};
}  // namespace

TEST_CASE("RTO: from the fault until the sliding window meets the SLO again") {
  Slo s;
  s.feed(120, 100, 0);
  s.t.on_fault_begin(0, FaultKind::kFull, s.now);  // at 120 s
  s.feed(30, 50, 50);                              // half the requests fail for 30 s
  s.t.on_fault_end(0, FaultKind::kFull, s.now);
  s.feed(200, 100, 0);
  const Incident& inc = s.t.incidents().at(0);
  REQUIRE(inc.violated);
  // The window holds the 60 buckets that start in [t - 60 s, t). One bad bucket is 50 failures in
  // 6,000 requests (0.83%, within 99%); two are 1.67%: violated at the second bad bucket's end.
  CHECK(*inc.violated == seconds(122));
  // Recovered when only one bad bucket is left in the window: the last one starts at 149 s and
  // the windows ending at 209 s hold the buckets starting at 149..208 s.
  REQUIRE(inc.recovered);
  CHECK(*inc.recovered == seconds(209));
  CHECK(*inc.rto_s() == Approx(89));
}

TEST_CASE("RTO: slow responses violate the p95 part, none when the SLO holds, none recovered") {
  {
    Slo s;
    s.feed(60, 100, 0);
    s.t.on_fault_begin(1, FaultKind::kBrownout, s.now);
    s.feed(10, 100, 0, 20);  // 20% slower than 1 s: p95 above it
    s.feed(100, 100, 0, 4);  // 4%: the window's p95 is back under 1 s when it is diluted enough
    const Incident& inc = s.t.incidents().at(0);
    REQUIRE(inc.violated);
    REQUIRE(inc.recovered);
    CHECK(inc.rto_s().value() > 0);
  }
  {
    Slo s;
    s.feed(60, 1000, 0);
    s.t.on_fault_begin(0, FaultKind::kPartial, s.now);
    s.feed(30, 1000, 5);  // 0.5% failures: within the 99% success ratio
    s.t.on_fault_end(0, FaultKind::kPartial, s.now);
    s.feed(60, 1000, 0);
    const Incident& inc = s.t.incidents().at(0);
    CHECK_FALSE(inc.violated);
    CHECK(inc.rto_s().value() == 0);
  }
  {
    Slo s;
    s.feed(60, 100, 0);
    s.t.on_fault_begin(0, FaultKind::kFull, s.now);
    s.feed(300, 0, 100);
    CHECK_FALSE(s.t.incidents().at(0).rto_s().has_value());
  }
}

TEST_CASE("RTO: a fault that finds the SLO violated runs from that violation, flagged") {
  Slo s;
  s.feed(120, 100, 0);
  s.feed(20, 50, 50);  // the service is already failing (violated from the second bad bucket)
  REQUIRE_FALSE(s.t.within_slo());
  s.t.on_fault_begin(0, FaultKind::kFull, s.now);  // at 140 s
  s.feed(10, 50, 50);
  s.t.on_fault_end(0, FaultKind::kFull, s.now);
  s.feed(200, 100, 0);
  const Incident& inc = s.t.incidents().at(0);
  CHECK(inc.violated_before);
  REQUIRE(inc.violated);
  CHECK(*inc.violated == seconds(122));  // not "+ a few seconds after the fault"
  CHECK(inc.origin() == seconds(122));
  REQUIRE(inc.recovered);
  CHECK(*inc.rto_s() == Approx((*inc.recovered - seconds(122)).seconds()));
  CHECK(*inc.rto_s() > (*inc.recovered - seconds(140)).seconds());
}

TEST_CASE("RTO: a second collapse during the outage is part of the incident, recovery the last") {
  Slo s;
  s.feed(120, 100, 0);
  s.t.on_fault_begin(0, FaultKind::kFull, s.now);  // 120 s
  s.feed(30, 50, 50);                              // first collapse
  s.feed(120, 100, 0);                             // recovers within the outage
  const sim::SimTime first = *s.t.incidents().at(0).recovered;
  s.feed(30, 50, 50);  // users come back, the site collapses again: still the same outage
  s.feed(120, 100, 0);
  s.t.on_fault_end(0, FaultKind::kFull, s.now);
  s.feed(120, 100, 0);
  const Incident& inc = s.t.incidents().at(0);
  CHECK(inc.collapses == 1);
  REQUIRE(inc.recovered);
  CHECK(*inc.recovered >= first + seconds(150));
  CHECK(*inc.rto_s() == Approx((*inc.recovered - seconds(120)).seconds()));
  // Both intervals are on record, and their total.
  REQUIRE(s.t.violations().size() == 2);
  CHECK(s.t.violation_seconds(SimTime::zero(), s.now) ==
        Approx((*s.t.violations()[0].end - s.t.violations()[0].start).seconds() +
               (*s.t.violations()[1].end - s.t.violations()[1].start).seconds()));
}

TEST_CASE("RTO: the service is not recovered while the users who gave up are still away") {
  Slo s;
  s.feed(120, 100, 0);
  s.t.on_fault_begin(0, FaultKind::kFull, s.now);
  s.feed(5, 50, 50);
  s.paused = 300;  // users give up during the outage...
  s.feed(25, 50, 50);
  s.t.on_fault_end(0, FaultKind::kFull, s.now);
  s.feed(120, 100, 0);  // ...so the few still trying are served well: the window is fine
  CHECK(s.t.within_slo());
  CHECK_FALSE(s.t.incidents().at(0).recovered);
  s.paused = 0;  // they are back
  s.feed(1, 100, 0);
  REQUIRE(s.t.incidents().at(0).recovered);
  CHECK(*s.t.incidents().at(0).recovered == s.now);
}

TEST_CASE("SLO violations are recorded whether or not a fault caused them") {
  Slo s;
  s.feed(120, 100, 0);
  s.feed(30, 50, 50);
  s.feed(120, 100, 0);
  CHECK(s.t.incidents().empty());
  REQUIRE(s.t.violations().size() == 1);
  CHECK(s.t.violations()[0].start == seconds(122));
  CHECK(s.t.violation_seconds(seconds(0), s.now) > 0);
  CHECK(s.t.violation_seconds(seconds(200), s.now) <
        s.t.violation_seconds(seconds(0), s.now));  // clipped to the measured period
}

TEST_CASE("RTO: detection is the GSLB marking the faulty site down during the fault") {
  Slo s;
  s.feed(10, 100, 0);
  s.t.on_health_change(0, false, seconds(5));  // before the fault: not this incident's
  s.t.on_fault_begin(0, FaultKind::kFull, seconds(10));
  s.t.on_health_change(1, false, seconds(20));  // another site
  s.t.on_health_change(0, false, seconds(31));
  CHECK(s.t.incidents()[0].detected == seconds(31));
}

TEST_CASE("cost rates bill per second") {
  CostRates r;
  r.pod_per_hour = 0.05;
  r.node_per_hour = 0.8;
  r.fixed_per_hour = 12;
  // Half an hour, 10 pods and 4 nodes throughout.
  CHECK(r.cost(1800, 10 * 1800, 4 * 1800) == Approx(6 + 0.25 + 1.6));
  CHECK(CostRates{}.cost(3600, 3600, 3600) == 0);
  CHECK_FALSE(CostRates{}.any());
}
