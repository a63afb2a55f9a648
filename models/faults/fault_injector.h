// models/faults/fault_injector.h: site faults at given times or at random.
//
//   full       the whole site is down: its pods die (their requests fail as site_down), new
//              requests fail as site_down, health checks fail; at the end the nodes come back
//              and the pods restart from scratch (cold: image caches lost, by default)
//   partial    a fraction of the ready nodes is lost with their pods (requests aborted); the
//              deployment recreates them where room is; the nodes return at the end, empty
//   partition  the site runs but cannot be reached from the GSLB's health checkers, from the
//              clients, or both
//   brownout   every pod serves at `factor` of its speed (noisy neighbours, throttling)
// Scheduled faults have a start and a duration (forever when absent). Random faults alternate
// up time ~ Exp(MTBF) and repair time ~ Exp(MTTR) (stream "faults/<site>"). Outage observers
// (RTO, replication) hear every start and end; both go to the event log.
#pragma once

#include <memory>
#include <vector>

#include "models/common/distribution.h"
#include "models/common/fault_target.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

struct FaultSpec {
  FaultKind kind = FaultKind::kFull;
  int site = 0;
  double fraction = 0.5;                       // partial
  bool from_gslb = true, from_clients = true;  // partition
  double factor = 0.5;                         // brownout
  bool cold = true;                            // recovery restarts pods without cached images
};

struct ScheduledFault {
  // The start: `at`, or, when latest > at, a time drawn uniformly in [at, latest] per run
  // (stream faults/starts, in scenario order), so replications see the outage at different
  // moments of the load.
  sim::SimTime at;
  sim::SimTime latest;
  sim::SimTime duration = sim::SimTime::max();
  FaultSpec spec;
};

struct RandomFault {
  FaultSpec spec;
  sim::SimTime mtbf = sim::hours(720);
  sim::SimTime mttr = sim::hours(1);
};

class FaultInjector {
 public:
  FaultInjector(sim::Simulator& sim, sim::RngFactory& rngs, std::vector<FaultTarget*> sites,
                std::vector<ScheduledFault> scheduled, std::vector<RandomFault> random,
                sim::Recorder& rec);
  void add_observer(OutageObserver* o) { observers_.push_back(o); }
  void start();

 private:
  struct Active {
    FaultSpec spec;
    std::vector<uint32_t> nodes;  // partial: the nodes lost
  };
  void begin(std::size_t active_slot);
  void end(std::size_t active_slot);
  void random_cycle(std::size_t r, bool failing);

  sim::Simulator& sim_;
  std::vector<FaultTarget*> sites_;
  std::vector<ScheduledFault> scheduled_;
  std::vector<RandomFault> random_;
  std::vector<sim::RngStream> random_rngs_;
  sim::RngStream start_rng_;
  std::vector<Active> active_;  // one slot per scheduled fault, then one per random fault
  std::vector<OutageObserver*> observers_;
  sim::RngStream pick_rng_;
  sim::Recorder& rec_;
};

}  // namespace models
