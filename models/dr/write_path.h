// models/dr/write_path.h: where a write is committed, what it costs its client, and what happens
// to writes while the database primary is lost (docs/models.md §2.4).
//
// Three write paths:
//   local          every site commits its own writes (no dr: section): replication links only
//                  decide what an outage loses.
//   primary        one site holds the primary database. A write served elsewhere crosses to it
//                  (its client waits one more round trip between the sites) and is committed
//                  there; the primary's replication link carries it on. When the primary's site
//                  has a full outage, no write can commit (they fail as no_primary) until either
//                  the site returns, or the GSLB has marked it down and its replica (the target
//                  of its replication link) has been promoted, which takes the link's
//                  `promotion` time. The promoted site stays the primary when the old one
//                  returns (no automatic fail-back). Without a replica, writes wait for the
//                  primary's return.
//   multi-primary  the two DR sites both commit locally and replicate to each other. Each write
//                  touches one of `keys` records (Zipf popularity `key_skew`, the generator of
//                  YCSB); it conflicts when the other site's latest write to that record had
//                  not reached this site yet (left the other link's log, plus a lag drawn from
//                  that link's distribution for each write). Conflicts are counted, not
//                  resolved.
// Synchronous links add their write_latency to a write committed at their source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/common/fault_target.h"
#include "models/common/request.h"
#include "models/common/site_health.h"
#include "models/dr/replication.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

enum class WriteMode { kLocal, kPrimary, kMultiPrimary };
const char* write_mode_name(WriteMode m);

struct WritePathConfig {
  WriteMode mode = WriteMode::kLocal;
  int primary = 0;  // primary: where the primary is at the start; multi-primary: one of the pair
  int partner = 1;  // multi-primary: the other site of the pair
  // Round trip between sites [from][to], for writes served away from the primary.
  std::vector<std::vector<sim::SimTime>> site_rtt;
  // Per site: its writes run on the primary's database (the database tier pays the round trip),
  // so the client is not delayed by it here.
  std::vector<bool> writes_through_db;
  uint64_t keys = 0;       // multi-primary: records written
  double key_skew = 0.99;  // multi-primary: Zipf exponent in [0, 1); 0 = uniform
};

// Writes could not commit anywhere because the primary's site was down.
struct WriteOutage {
  int site = 0;  // the primary that was lost
  sim::SimTime start;
  std::optional<sim::SimTime> restored;  // a primary took writes again
  std::optional<double> promotion_s;     // the promotion that restored it
  int primary_after = 0;
};

class WritePath final : public WriteObserver, public OutageObserver, public HealthListener {
 public:
  // `replication` may be null (no links). `latency` is told each site's extra write latency now
  // and whenever the primary moves.
  WritePath(sim::Simulator& sim, const WritePathConfig& cfg, Replication* replication,
            sim::RngStream rng, std::vector<std::string> site_names, WriteLatencySink& latency,
            sim::Recorder& rec);
  WritePath(const WritePath&) = delete;
  WritePath& operator=(const WritePath&) = delete;

  bool on_write_commit(int site, sim::SimTime at) override;
  void on_fault_begin(int site, FaultKind kind, sim::SimTime at) override;
  void on_fault_end(int site, FaultKind kind, sim::SimTime at) override;
  void on_health_change(int site, bool healthy, sim::SimTime at) override;

  int primary() const { return primary_; }
  bool primary_available() const { return available_; }
  const std::vector<WriteOutage>& outages() const { return outages_; }
  uint64_t conflicts() const { return conflicts_; }
  uint64_t writes_failed() const { return failed_; }

 private:
  // Zipf(θ) over [0, n): Gray et al., "Quickly generating billion-record synthetic databases"
  // (SIGMOD 1994), as YCSB's ZipfianGenerator implements it.
  class Zipf {
   public:
    Zipf(uint64_t n, double theta);
    uint64_t sample(sim::RngStream& rng) const;

   private:
    uint64_t n_;
    double theta_, zetan_, alpha_, eta_;
  };
  struct LastWrite {
    uint64_t seq = Replication::kNoSequence;
    float lag_s = 0;
  };

  void publish_latency();
  void try_promote(sim::SimTime at);
  void finish_promotion(int target, sim::SimTime started);
  void restore(sim::SimTime at, std::optional<double> promotion_s);
  bool conflicting(int site, uint64_t seq, sim::SimTime at);

  sim::Simulator& sim_;
  WritePathConfig cfg_;
  Replication* replication_;
  sim::RngStream rng_;
  std::vector<std::string> names_;
  WriteLatencySink& latency_;
  sim::Recorder& rec_;
  int primary_;
  bool available_ = true;
  bool promoting_ = false;
  std::vector<bool> down_;         // full outage now
  std::vector<bool> marked_down_;  // the GSLB says unhealthy
  std::vector<WriteOutage> outages_;
  std::optional<Zipf> zipf_;
  std::vector<LastWrite> last_[2];  // multi-primary: per record, the pair's latest writes
  uint64_t conflicts_ = 0;
  uint64_t failed_ = 0;
};

}  // namespace models
