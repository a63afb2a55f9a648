// models/site/node_autoscaler.h: the cluster autoscaler of a public site, following
// kubernetes/autoscaler cluster-autoscaler 1.32 (docs/models.md §3.6 cites each rule).
//
// Every scan interval (10 s), as RunOnce does:
//  1. Nodes drained empty are deleted.
//  2. Scale-up: if Pending pods cannot be placed and the nodes on their way will not take them,
//     it provisions enough nodes (first-fit on fresh nodes) up to `max`; each node is ready
//     after a provisioning delay (default 45 s + LogN(135 s, 0.35), median about 3 minutes). A
//     loop that scaled up does nothing more (1.32: "No scale down in this iteration"); a loop
//     whose Pending pods no new node could help goes on to scale-down.
//  3. Unneeded nodes are updated, whatever the cooldowns: a ready node is unneeded while the
//     CPU requests on it are under `scale_down_utilization_threshold` (0.5) of its cores and
//     each of its pods can be placed on a specific other node (its free cores and pod slots),
//     pods of earlier candidates counted where they were placed and nodes already chosen for
//     removal excluded; candidates go empty first, then those already unneeded. A node keeps
//     its "unneeded since" while it stays unneeded.
//  4. Only then the cooldowns: no removal within scale_down_delay_after_add (10 min) of the
//     last scale-up or scale_down_delay_after_delete (0: the scan interval) of the last removal.
//  5. Removal of nodes unneeded for scale_down_unneeded_time (10 min), keeping `min` nodes:
//     empty nodes at once, up to max_scale_down_parallelism (10) removals in flight; non-empty
//     nodes are drained (their pods deleted and recreated elsewhere) at most
//     max_drain_parallelism (1) at a time.
#pragma once

#include <string>
#include <vector>

#include "models/common/distribution.h"
#include "models/site/deployment.h"
#include "models/site/node_pool.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

struct NodeAutoscalerConfig {
  int min_nodes = 0;
  int max_nodes = 10;
  sim::SimTime scan_interval = sim::seconds(10);
  Distribution provisioning = Distribution::lognormal_median_sigma(135, 0.35).with_offset(45);
  sim::SimTime scale_down_unneeded_time = sim::minutes(10);
  sim::SimTime scale_down_delay_after_add = sim::minutes(10);
  sim::SimTime scale_down_delay_after_delete;  // 0: the scan interval
  double scale_down_utilization_threshold = 0.5;
  int max_scale_down_parallelism = 10;
  int max_drain_parallelism = 1;
};

class NodeAutoscaler {
 public:
  NodeAutoscaler(sim::Simulator& sim, sim::RngStream rng, const NodeAutoscalerConfig& cfg,
                 NodePool& nodes, Deployment& deployment, sim::Recorder& rec,
                 std::string component);
  void start();

 private:
  void scan();
  // True when it provisioned nodes.
  bool scale_up();
  // Marks which ready nodes are unneeded (and since when).
  void update_unneeded();
  bool in_cooldown() const;
  void remove_unneeded();
  // Simulates moving the pods of `node` onto other nodes; commits the placements into `free`
  // and `slots` when all fit.
  bool pods_fit_elsewhere(const Node& node, const std::vector<bool>& excluded,
                          std::vector<double>* free, std::vector<int>* slots);

  sim::Simulator& sim_;
  sim::RngStream rng_;
  NodeAutoscalerConfig cfg_;
  NodePool& nodes_;
  Deployment& deployment_;
  sim::Recorder& rec_;
  std::string component_;
  std::vector<bool> removable_;       // by node id, from the last update
  std::size_t next_destination_ = 0;  // where the placement simulation starts looking
  sim::SimTime last_scale_up_ = sim::SimTime::from_ns(-(int64_t{1} << 60));
  sim::SimTime last_delete_ = sim::SimTime::from_ns(-(int64_t{1} << 60));
  bool warned_too_big_ = false;
};

}  // namespace models
