// models/site/node_autoscaler.h: the cluster autoscaler of a public site.
//
// Every scan interval (10 s) it looks for Pending pods. If some cannot be placed, it provisions
// enough nodes for them (first-fit on fresh nodes, counting nodes already being provisioned),
// up to `max` nodes; each node is ready after a provisioning delay drawn from a distribution
// (default 45 s + LogN(135 s, 0.35): median about 3 minutes, models.md §3.6). A ready node
// whose requested CPU stays under the utilization threshold (0.5) for scale_down_unneeded_time
// (10 min), whose pods fit elsewhere, and no sooner than scale_down_delay_after_add (10 min)
// after the last scale-up, is drained (its pods are deleted and recreated elsewhere) and
// removed, down to `min` nodes. Defaults are the Cluster Autoscaler's flags (CA FAQ).
#pragma once

#include <string>

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
  double scale_down_utilization_threshold = 0.5;
};

class NodeAutoscaler {
 public:
  NodeAutoscaler(sim::Simulator& sim, sim::RngStream rng, const NodeAutoscalerConfig& cfg,
                 NodePool& nodes, Deployment& deployment, sim::Recorder& rec,
                 std::string component);
  void start();

 private:
  void scan();
  void scale_up();
  void scale_down();

  sim::Simulator& sim_;
  sim::RngStream rng_;
  NodeAutoscalerConfig cfg_;
  NodePool& nodes_;
  Deployment& deployment_;
  sim::Recorder& rec_;
  std::string component_;
  sim::SimTime last_scale_up_ = sim::SimTime::from_ns(-(int64_t{1} << 60));
  bool warned_too_big_ = false;
};

}  // namespace models
