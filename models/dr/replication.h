// models/dr/replication.h: data replication between sites, its backlog, and the writes an outage
// loses (docs/models.md §2.1).
//
// A write is committed at a site (which one is the write path's choice: models/dr/write_path.h).
// With a replication link from that site:
//   async  every write joins the link's FIFO log. The link applies `throughput` writes per
//          second (unlimited by default): write i leaves the log at
//            a_i = max(t_i, a_{i-1}) + 1/throughput,
//          so the log backs up while writes come faster than that. On top, the replica trails by
//          the replication lag, a distribution of the lag at a random instant. When the source
//          suffers a full outage at t_o, the lag L at that instant is drawn: the replica holds
//          the writes with a_i <= t_o - L and the others are lost. RPO = t_o minus the commit
//          time up to which the replica is complete = max(L, t_o - t_first_lost). While writes
//          exceed the throughput by a constant factor for a time T, the backlog's age grows as
//          T (1 - throughput / rate), and so does the RPO.
//   sync   the write is acknowledged only once the replica has it: nothing is lost (RPO 0), and
//          the client waits `write_latency` longer (the write path adds it).
// While the replica's site is in a full outage the link applies nothing; the log drains when it
// returns. Only full outages of the source lose data; partitions, brown-outs and partial node
// losses do not (the database survives). A site without a link has no RPO.
//
// Applied writes are kept for a retention window (30 mean lags, at least 1 min, at most 1 h)
// beyond the backlog, so memory follows the write rate and the backlog (16 bytes a write); no
// event is scheduled per write.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "models/common/distribution.h"
#include "models/common/fault_target.h"
#include "models/common/ring_queue.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

struct ReplicationLink {
  int from = 0;
  int to = 1;
  bool sync = false;
  Distribution lag = Distribution::exponential(1.0);  // seconds (async)
  sim::SimTime write_latency;                         // added to each write's response (sync)
  double throughput = 0;  // writes per second the link applies (async); 0 = unlimited
  // Seconds for the replica to become the primary (models.md §2.4): Amazon RDS documents 60 to
  // 120 s for a Multi-AZ failover.
  Distribution promotion = Distribution::uniform(60, 120);
};

// What one full outage of a replicated site cost in data.
struct DataLoss {
  int site = 0;
  sim::SimTime at;
  uint64_t lost_writes = 0;
  double rpo_s = 0;  // how far back the replica was complete at the outage instant
};

class Replication final : public OutageObserver {
 public:
  // One RNG stream per link ("replication/<from>"), given in link order.
  Replication(sim::Simulator& sim, std::vector<ReplicationLink> links,
              std::vector<sim::RngStream> rngs, std::vector<std::string> site_names,
              sim::Recorder& rec);
  Replication(const Replication&) = delete;
  Replication& operator=(const Replication&) = delete;

  // A write committed at `site`. Returns its sequence number on the site's link (for
  // applied_at), or kNoSequence when the site has no async link.
  static constexpr uint64_t kNoSequence = std::numeric_limits<uint64_t>::max();
  uint64_t commit(int site, sim::SimTime at);
  // When write `seq` of `site`'s link leaves the log (before the replication lag):
  // kLongAgo when it is long applied (no longer retained) or was lost in an outage.
  static constexpr sim::SimTime kLongAgo = sim::SimTime::from_ns(-(int64_t{1} << 62));
  sim::SimTime applied_at(int site, uint64_t seq) const;

  void on_fault_begin(int site, FaultKind kind, sim::SimTime at) override;
  void on_fault_end(int site, FaultKind kind, sim::SimTime at) override;

  bool replicates(int site) const { return link_of(site) >= 0; }
  const ReplicationLink* link_from(int site) const {
    const int l = link_of(site);
    return l < 0 ? nullptr : &links_[static_cast<std::size_t>(l)].link;
  }
  // Writes committed at `site` in (now - window, now].
  uint64_t writes_within(int site, sim::SimTime window);
  // The longest a write of `site` waited in the link's log (seconds; 0 without a limit).
  double backlog_max_s(int site) const;
  const std::vector<DataLoss>& losses() const { return losses_; }
  uint64_t writes_committed() const { return committed_; }

 private:
  struct Write {
    sim::SimTime committed;
    sim::SimTime applied;  // leaves the log (provisional while the replica is down)
  };
  struct LinkState {
    LinkState(const ReplicationLink& l, sim::RngStream r) : link(l), rng(std::move(r)) {}
    ReplicationLink link;
    sim::RngStream rng;
    sim::SimTime retention;
    sim::SimTime service;       // 1 / throughput (0: unlimited)
    RingQueue<Write> log;       // applied within the retention window, and the backlog
    uint64_t pushed = 0;        // sequence number of the next write
    sim::SimTime last_applied;  // a of the newest write
    sim::SimTime paused_since = sim::SimTime::max();  // the replica is down
    bool behind = false;                              // "falling behind" was reported
    sim::SimTime worst_wait;                          // this episode's longest wait in the log
    sim::SimTime backlog_max;                         // the run's
  };
  int link_of(int site) const;
  void trim(LinkState& s, sim::SimTime now) const;
  void report_backlog(LinkState& s, sim::SimTime at, sim::SimTime wait);

  sim::Simulator& sim_;
  std::vector<LinkState> links_;
  std::vector<int> link_by_site_;
  std::vector<std::string> names_;
  sim::Recorder& rec_;
  std::vector<DataLoss> losses_;
  uint64_t committed_ = 0;
};

}  // namespace models
