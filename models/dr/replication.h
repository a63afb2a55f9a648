// models/dr/replication.h: data replication between sites, and the writes an outage loses.
//
// A write is committed at the site that served it when the site finishes the request. With a
// replication link from that site:
//   async  the replica trails the primary by the replication lag, a distribution of the lag at a
//          random instant (models.md §2.1). When the site suffers a full outage at t_o, the lag
//          L at that instant is drawn: the replica holds every write committed up to t_o - L,
//          and the writes committed in (t_o - L, t_o] are lost. RPO = L.
//   sync   the write is acknowledged only once the replica has it: nothing is lost (RPO 0), and
//          the client waits `write_latency` longer (ClientNetwork adds it).
// Only full outages lose data; partitions, brown-outs and partial node losses do not (the
// database survives). A site without a replication link has no RPO (its incidents report none).
//
// Commit times are kept for a retention window (30 mean lags, at least 1 min, at most 1 h), so
// memory follows the write rate, and no event is scheduled per write. A lag longer than the
// window counts only the writes it retains.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/common/distribution.h"
#include "models/common/fault_target.h"
#include "models/common/request.h"
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
};

// What one full outage of a replicated site cost in data.
struct DataLoss {
  int site = 0;
  sim::SimTime at;
  uint64_t lost_writes = 0;
  double rpo_s = 0;  // the replication lag at the outage instant
};

class Replication final : public WriteObserver, public OutageObserver {
 public:
  // One RNG stream per link ("replication/<from>"), given in link order.
  Replication(sim::Simulator& sim, std::vector<ReplicationLink> links,
              std::vector<sim::RngStream> rngs, std::vector<std::string> site_names,
              sim::Recorder& rec);
  Replication(const Replication&) = delete;
  Replication& operator=(const Replication&) = delete;

  void on_write_commit(int site, sim::SimTime at) override;
  void on_fault_begin(int site, FaultKind kind, sim::SimTime at) override;
  void on_fault_end(int site, FaultKind kind, sim::SimTime at) override;

  bool replicates(int site) const { return link_of(site) >= 0; }
  // Writes committed at `site` in (now - window, now].
  uint64_t writes_within(int site, sim::SimTime window);
  const std::vector<DataLoss>& losses() const { return losses_; }
  uint64_t writes_committed() const { return committed_; }

 private:
  struct LinkState {
    ReplicationLink link;
    sim::RngStream rng;
    sim::SimTime retention;
    RingQueue<sim::SimTime> commits;  // newer than now - retention
  };
  int link_of(int site) const;
  static void trim(LinkState& s, sim::SimTime now);
  static uint64_t count_after(const LinkState& s, sim::SimTime after);

  sim::Simulator& sim_;
  std::vector<LinkState> links_;
  std::vector<int> link_by_site_;
  std::vector<std::string> names_;
  sim::Recorder& rec_;
  std::vector<DataLoss> losses_;
  uint64_t committed_ = 0;
};

}  // namespace models
