// models/dr/replication.h: data replication between sites, and the writes an outage loses.
//
// A write is committed at the site that served it when the site finishes the request. With a
// replication link from that site:
//   async  the write reaches the replica after a lag (a distribution, sampled per write). The
//          replica applies the log in order, so a write is replicated at
//          max(its commit + lag, when the previous write was replicated).
//   sync   the write is acknowledged only once the replica has it: no write is ever lost, and
//          the client waits `write_latency` longer (ClientNetwork adds it).
// When a site suffers a full outage at t_o, every write it committed but had not replicated by
// t_o is lost. RPO of the incident = t_o - commit time of the oldest lost write (0 when none is
// lost): the window of data lost. Only full outages lose data; partitions, brown-outs and partial
// node losses do not (the database survives). A site without a replication link has no RPO (its
// incidents report none).
//
// Writes are tracked in a FIFO of (commit, replicated) pairs trimmed lazily, so memory follows
// the writes within one lag window, and no event is scheduled per write.
#pragma once

#include <cstdint>
#include <optional>
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
  double rpo_s = 0;
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
  // Writes committed at `site` and not yet at its replica, as of now.
  uint64_t unreplicated(int site);
  // The age of the oldest unreplicated write at `site` now: the RPO an outage now would give.
  double exposure_s(int site);
  const std::vector<DataLoss>& losses() const { return losses_; }
  uint64_t writes_committed() const { return committed_; }

 private:
  struct Pending {
    sim::SimTime commit, replicated;
  };
  struct LinkState {
    ReplicationLink link;
    sim::RngStream rng;
    RingQueue<Pending> pending;
    sim::SimTime last_replicated;
  };
  int link_of(int site) const;
  void trim(LinkState& s, sim::SimTime now);

  sim::Simulator& sim_;
  std::vector<LinkState> links_;
  std::vector<int> link_by_site_;
  std::vector<std::string> names_;
  sim::Recorder& rec_;
  std::vector<DataLoss> losses_;
  uint64_t committed_ = 0;
};

}  // namespace models
