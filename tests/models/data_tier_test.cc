// The data tier: a replication link's backlog (RPO growing with it), a replica that is down, the
// primary write path with promotion, and multi-primary conflicts against their analytic rate.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "models/dr/replication.h"
#include "models/dr/write_path.h"
#include "sim/memory_recorder.h"

using namespace models;
using sim::seconds;
using sim::SimTime;

namespace {

struct Latencies final : WriteLatencySink {
  std::vector<SimTime> extra = std::vector<SimTime>(2);
  void set_write_latency(int site, SimTime e) override {
    extra[static_cast<std::size_t>(site)] = e;
  }
};

struct Tier {
  sim::Simulator sim;
  sim::MemoryRecorder rec;
  std::unique_ptr<Replication> rep;
  Latencies latency;
  std::unique_ptr<WritePath> path;

  explicit Tier(std::vector<ReplicationLink> links, WritePathConfig cfg = {}, uint64_t seed = 5) {
    std::vector<sim::RngStream> rngs;
    for (std::size_t i = 0; i < links.size(); ++i) rngs.emplace_back(seed + i);
    rep = std::make_unique<Replication>(sim, links, std::move(rngs),
                                        std::vector<std::string>{"a", "b"}, rec);
    if (cfg.site_rtt.empty()) {
      cfg.site_rtt = {{SimTime::zero(), sim::milliseconds(30)},
                      {sim::milliseconds(30), SimTime::zero()}};
    }
    path = std::make_unique<WritePath>(sim, cfg, rep.get(), sim::RngStream(seed + 100),
                                       std::vector<std::string>{"a", "b"}, latency, rec);
  }
  // Writes at `site` every `gap` in [from, until).
  void writes(int site, SimTime from, SimTime until, SimTime gap) {
    for (SimTime t = from; t < until; t += gap) path->on_write_commit(site, t);
  }
};

ReplicationLink async_link(int from, int to, double lag_s, double throughput = 0) {
  ReplicationLink l;
  l.from = from;
  l.to = to;
  l.lag = Distribution::constant(lag_s);
  l.throughput = throughput;
  return l;
}

}  // namespace

TEST_CASE("RPO grows linearly with the backlog when writes exceed the link's throughput") {
  // 100 writes per second into a link that applies 60: after T seconds the oldest unapplied
  // write is T (1 - 60/100) = 0.4 T old, and (100 - 60) T writes are lost.
  for (int T : {10, 20, 40, 80}) {
    INFO("overloaded for " << T << " s");
    Tier tier({async_link(0, 1, 0.0, 60)});
    tier.writes(0, SimTime::zero(), seconds(T), sim::milliseconds(10));
    tier.rep->on_fault_begin(0, FaultKind::kFull, seconds(T));
    const DataLoss& loss = tier.rep->losses().at(0);
    CHECK(loss.rpo_s == Approx(0.4 * T).margin(1.0 / 60));
    CHECK(static_cast<double>(loss.lost_writes) == Approx(40.0 * T).margin(1));
    // The last write of the surge waits longest for the link: T (100/60 - 1), the replica's
    // peak lag (it keeps growing while the backlog drains).
    CHECK(tier.rep->backlog_max_s(0) == Approx(T * (100.0 / 60 - 1)).margin(0.05));
  }
  // Poisson writes at the same mean rate: the same law on average.
  double rpo = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Tier tier({async_link(0, 1, 0.0, 60)});
    sim::RngStream rng(seed);
    SimTime t = SimTime::zero();
    while ((t += SimTime::from_seconds(rng.exponential_mean(0.01))) < seconds(60))
      tier.path->on_write_commit(0, t);
    tier.rep->on_fault_begin(0, FaultKind::kFull, seconds(60));
    rpo += tier.rep->losses().at(0).rpo_s / 20;
  }
  CHECK(rpo == Approx(24.0).margin(1.5));
  // Under the throughput nothing queues: RPO is the lag alone.
  Tier calm({async_link(0, 1, 0.5, 200)});
  calm.writes(0, SimTime::zero(), seconds(30), sim::milliseconds(10));
  calm.rep->on_fault_begin(0, FaultKind::kFull, seconds(30));
  CHECK(calm.rep->losses().at(0).rpo_s == Approx(0.5).margin(0.006));
  CHECK(calm.rep->losses().at(0).lost_writes == 50);
}

TEST_CASE("the backlog is reported falling behind and caught up in the event log") {
  Tier tier({async_link(0, 1, 0.0, 60)});
  tier.writes(0, SimTime::zero(), seconds(20), sim::milliseconds(10));  // 100/s for 20 s
  tier.writes(0, seconds(20), seconds(60), sim::milliseconds(100));     // 10/s: it drains
  std::vector<std::string> kinds;
  for (const auto& e : tier.rec.events_) kinds.push_back(e.kind);
  REQUIRE(kinds == std::vector<std::string>{"backlog", "caught_up"});
  // 800 writes are queued at 20 s; the link takes them at 60/s while 10/s more arrive, so the
  // log is empty after 800 / 50 = 16 s: the first write to find it empty is at about 36 s.
  CHECK(tier.rec.events_[1].t > seconds(35));
  CHECK(tier.rec.events_[1].t < seconds(37));
}

TEST_CASE("a replica that is down applies nothing: a second failure loses everything since") {
  Tier tier({async_link(0, 1, 1.0)});
  tier.writes(0, SimTime::zero(), seconds(80), sim::milliseconds(100));  // 10 writes per second
  tier.rep->on_fault_begin(1, FaultKind::kFull, seconds(50));            // the replica fails
  tier.rep->on_fault_begin(0, FaultKind::kFull, seconds(80));            // then the primary
  const DataLoss& loss = tier.rep->losses().at(0);
  CHECK(loss.rpo_s == Approx(30));  // complete only up to when the replica went down
  CHECK(loss.lost_writes == 299);   // those of (50 s, 80 s)

  // When the replica returns, the log drains at the link's pace (20/s) from then on.
  Tier back({async_link(0, 1, 0.0, 20)});
  back.writes(0, SimTime::zero(), seconds(10), sim::milliseconds(100));  // 10/s, under the pace
  back.rep->on_fault_begin(1, FaultKind::kFull, seconds(10));
  back.writes(0, seconds(10), seconds(20), sim::milliseconds(100));
  back.rep->on_fault_end(1, FaultKind::kFull, seconds(20));
  back.writes(0, seconds(20), seconds(25), sim::milliseconds(100));
  back.rep->on_fault_begin(0, FaultKind::kFull, seconds(25));
  // The 100 writes of the replica's outage leave the log from 20 s to 25 s; the 50 written
  // since are lost, and the replica is complete up to 20 s.
  const DataLoss& mid = back.rep->losses().at(0);
  CHECK(mid.lost_writes == 50);
  CHECK(mid.rpo_s == Approx(5));
}

TEST_CASE("primary write path: remote writes pay the round trip, promotion restores writes") {
  ReplicationLink l = async_link(0, 1, 1.0);
  l.promotion = Distribution::constant(90);
  WritePathConfig cfg;
  cfg.mode = WriteMode::kPrimary;
  cfg.primary = 0;
  Tier tier({l}, cfg);
  CHECK(tier.latency.extra[0] == SimTime::zero());
  CHECK(tier.latency.extra[1] == sim::milliseconds(30));  // b's writes cross to a
  CHECK(tier.path->on_write_commit(1, seconds(1)));
  CHECK(tier.rep->writes_committed() == 1);
  tier.sim.run_until(seconds(100));
  tier.path->on_fault_begin(0, FaultKind::kFull, seconds(100));
  CHECK_FALSE(tier.path->on_write_commit(1, seconds(101)));
  tier.sim.run_until(seconds(130));
  tier.path->on_health_change(0, false, seconds(130));  // the GSLB marks a down: promote b
  tier.sim.run_until(seconds(219));
  CHECK_FALSE(tier.path->on_write_commit(1, seconds(219)));
  tier.sim.run_until(seconds(221));
  CHECK(tier.path->primary() == 1);
  CHECK(tier.path->on_write_commit(1, seconds(221)));
  CHECK(tier.latency.extra[1] == SimTime::zero());
  CHECK(tier.latency.extra[0] == sim::milliseconds(30));
  const WriteOutage& o = tier.path->outages().at(0);
  CHECK(*o.restored == seconds(220));  // detection + 90 s
  CHECK(*o.promotion_s == 90);
  // The old primary returns as a replica: writes stay with b.
  tier.path->on_fault_end(0, FaultKind::kFull, seconds(300));
  CHECK(tier.path->primary() == 1);
  CHECK(tier.path->writes_failed() == 2);
}

TEST_CASE("primary write path: a short outage ends before promotion, no replica, no promotion") {
  ReplicationLink l = async_link(0, 1, 1.0);
  WritePathConfig cfg;
  cfg.mode = WriteMode::kPrimary;
  {
    Tier tier({l}, cfg);
    tier.path->on_fault_begin(0, FaultKind::kFull, seconds(10));
    tier.path->on_fault_end(0, FaultKind::kFull, seconds(20));  // back before detection
    CHECK(tier.path->primary() == 0);
    CHECK(tier.path->primary_available());
    CHECK(*tier.path->outages().at(0).restored == seconds(20));
    CHECK_FALSE(tier.path->outages().at(0).promotion_s);
  }
  {
    // b replicates to a, so a (the primary) has no replica to promote.
    Tier tier({async_link(1, 0, 1.0)}, cfg);
    tier.path->on_fault_begin(0, FaultKind::kFull, seconds(10));
    tier.path->on_health_change(0, false, seconds(40));
    tier.sim.run_until(seconds(1000));
    CHECK_FALSE(tier.path->primary_available());
    CHECK(tier.rec.events_.back().kind == "no_replica");
    tier.path->on_fault_end(0, FaultKind::kFull, seconds(1000));
    CHECK(tier.path->primary_available());
    CHECK(tier.path->primary() == 0);
  }
  {
    // A brown-out had the site marked down already: the full outage promotes at once.
    Tier tier({l}, cfg);
    tier.path->on_health_change(0, false, seconds(5));
    tier.path->on_fault_begin(0, FaultKind::kFull, seconds(10));
    tier.sim.run_until(seconds(200));
    CHECK(tier.path->primary() == 1);
    const double p = *tier.path->outages().at(0).promotion_s;
    CHECK(*tier.path->outages().at(0).restored == seconds(10) + SimTime::from_seconds(p));
  }
}

TEST_CASE("multi-primary: conflicts at the analytic rate of concurrent writes to a record") {
  // Both sites write Poisson at 100/s to 1,000 uniform records; each write reaches the other
  // site after a constant 1 s. A write conflicts when the other site wrote the same record in
  // the last second: probability 1 - exp(-100 x 1 / 1000), so 2 x 100 x T x 0.0952 in T s.
  WritePathConfig cfg;
  cfg.mode = WriteMode::kMultiPrimary;
  cfg.primary = 0;
  cfg.partner = 1;
  cfg.keys = 1000;
  cfg.key_skew = 0;
  double total = 0;
  const double T = 100;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Tier tier({async_link(0, 1, 1.0), async_link(1, 0, 1.0)}, cfg, seed);
    sim::RngStream arrivals(seed * 7);
    SimTime t;
    while ((t += SimTime::from_seconds(arrivals.exponential_mean(1.0 / 200))) < seconds(T))
      tier.path->on_write_commit(arrivals.uniform01() < 0.5 ? 0 : 1, t);
    total += static_cast<double>(tier.path->conflicts());
    CHECK(tier.latency.extra[0] == SimTime::zero());  // local commits
  }
  const double expected = 5 * 2 * 100 * T * (1 - std::exp(-0.1));
  INFO("conflicts " << total << ", expected " << expected);
  CHECK(total == Approx(expected).epsilon(0.05));

  // Zipf popularity (YCSB's 0.99) concentrates the writes: more conflicts on the same keys.
  cfg.key_skew = 0.99;
  Tier skewed({async_link(0, 1, 1.0), async_link(1, 0, 1.0)}, cfg);
  skewed.writes(0, SimTime::zero(), seconds(T), sim::milliseconds(10));
  skewed.writes(1, sim::milliseconds(5), seconds(T), sim::milliseconds(10));
  CHECK(static_cast<double>(skewed.path->conflicts()) > 3 * expected / 5);
}
