// models/site/node_autoscaler.h: the cluster autoscaler of a public site, following
// kubernetes/autoscaler cluster-autoscaler 1.32 (docs/models.md §3.6 and §3.9 cite each rule).
//
// Every scan interval (10 s), in RunOnce's order:
//  1. Nodes drained empty are deleted.
//  2. Scale-up requests are updated (clusterstate): a group's request is done when the group
//     has no node on its way; a request not done by its expected time (the last increase plus
//     max_node_provision_time, 15 min) has timed out: the group is backed off. Backoff is
//     exponential per group: 5 min, doubled when a failure comes after the previous backoff
//     ended (kept, and restarted, when it comes during one), at most 30 min, forgotten 3 h
//     after the last failure.
//  3. Launched nodes not ready max_node_provision_time after launch are deleted (old
//     unregistered nodes), down to the group's min.
//  4. Creation errors the cloud reported (quota exceeded, out of capacity) back the group off at
//     once and reduce its request; the failed nodes are gone.
//  5. A group whose requested nodes have not been created (waiting for capacity) with the same
//     target and ready count for max_node_provision_time has its target size decreased: the
//     waiting nodes are given up, and the loop ends there.
//  6. Scale-up: if Pending pods cannot be placed and the nodes on their way will not take them,
//     each autoscaled group that is not backed off, is below its max and whose nodes can hold
//     the pod is an option, sized to the nodes it needs (first-fit on fresh nodes, up to max).
//     The expanders choose (a chain: each keeps its best options; one left wins, else random):
//       random       any option (cluster-autoscaler's default)
//       most-pods    the options that schedule the most Pending pods
//       least-waste  the least idle CPU on the new nodes: (cores - requests) / cores
//       priority     the highest `priority`
//     The chosen group's nodes are requested from the cloud (node_pool.h). A loop that scaled up
//     does nothing more (1.32: "No scale down in this iteration"); a loop whose Pending pods no
//     new node could help goes on to scale-down.
//  7. Unneeded nodes are updated, whatever the cooldowns: a ready node of an autoscaled group
//     is unneeded while the CPU requests on it are under `scale_down_utilization_threshold`
//     (0.5) of its cores and each of its pods can be placed on a specific other node (its free
//     cores and pod slots), pods of earlier candidates counted where they were placed and nodes
//     already chosen for removal excluded; candidates go empty first, then those already
//     unneeded. A node keeps its "unneeded since" while it stays unneeded.
//  8. Only then the cooldowns: no removal within scale_down_delay_after_add (10 min) of the
//     last scale-up or scale_down_delay_after_delete (0: the scan interval) of the last removal.
//  9. Removal of nodes unneeded for scale_down_unneeded_time (10 min), keeping each group's
//     `min`: empty nodes at once, up to max_scale_down_parallelism (10) removals in flight;
//     non-empty nodes are drained (their pods deleted and recreated elsewhere) at most
//     max_drain_parallelism (1) at a time.
// Nodes under a spot interruption notice belong to the cloud: they are neither removed nor
// counted as the autoscaler's drains.
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

enum class Expander { kRandom, kMostPods, kLeastWaste, kPriority };
const char* expander_name(Expander e);  // random, most-pods, least-waste, priority

struct NodeAutoscalerConfig {
  sim::SimTime scan_interval = sim::seconds(10);
  std::vector<Expander> expanders{Expander::kRandom};
  sim::SimTime max_node_provision_time = sim::minutes(15);
  sim::SimTime initial_backoff = sim::minutes(5);
  sim::SimTime max_backoff = sim::minutes(30);
  sim::SimTime backoff_reset = sim::hours(3);
  sim::SimTime scale_down_unneeded_time = sim::minutes(10);
  sim::SimTime scale_down_delay_after_add = sim::minutes(10);
  sim::SimTime scale_down_delay_after_delete;  // 0: the scan interval
  double scale_down_utilization_threshold = 0.5;
  int max_scale_down_parallelism = 10;
  int max_drain_parallelism = 1;
};

// What the autoscaler did with one node group over the run.
struct NodeGroupActivity {
  int scale_ups = 0;    // scale-ups that chose this group
  int nodes_added = 0;  // nodes it asked for
  int timeouts = 0;     // scale-ups not done within max_node_provision_time
  int errors = 0;       // creation errors reported (quota, capacity)
  int backoffs = 0;
  double backoff_s = 0;  // time spent backed off (within the run so far)
  int given_up = 0;      // nodes given up (target decreased, old unregistered)
};

// One node group of a site over the run: its nodes, their cost, what the cloud refused and what
// the cluster autoscaler did about it.
struct NodeGroupSummary {
  std::string name;
  bool spot = false;
  double price_per_hour = 0;
  double node_seconds = 0;
  double cost = 0;  // node cost only (price_per_hour x node-hours)
  int peak_nodes = 0;
  int requested = 0, launched = 0, failed = 0, interruptions = 0;
  bool autoscaled = false;
  NodeGroupActivity activity;  // zero without a cluster autoscaler
};

class NodeAutoscaler {
 public:
  NodeAutoscaler(sim::Simulator& sim, sim::RngStream rng, const NodeAutoscalerConfig& cfg,
                 NodePool& nodes, Deployment& deployment, sim::Recorder& rec,
                 std::string component);
  void start();

  const NodeAutoscalerConfig& config() const { return cfg_; }
  // Per node group (in the pool's order); backoff_s counted up to now.
  std::vector<NodeGroupActivity> activity() const;
  bool backed_off(uint16_t g) const;

 private:
  struct ScaleUpRequest {
    bool active = false;
    int increase = 0;
    sim::SimTime expected_add;
  };
  struct Backoff {
    bool known = false;
    sim::SimTime duration, until, last_failure;
  };
  struct IncorrectSize {
    bool active = false;
    int target = 0, registered = 0;
    sim::SimTime first_observed;
  };
  struct Window {  // the union of a group's backoffs, for backoff_s
    bool open = false;
    sim::SimTime start, until;
  };
  struct Option {
    uint16_t group = 0;
    int nodes = 0;
    int pods = 0;
  };

  void scan();
  void update_scale_requests();
  void remove_old_unregistered();
  void handle_creation_errors();
  // True when a group's size was decreased (the loop ends).
  bool fix_group_sizes();
  // True when it requested nodes.
  bool scale_up();
  Option choose(std::vector<Option> options);
  void back_off(uint16_t g, const std::string& why);
  // Marks which ready nodes are unneeded (and since when).
  void update_unneeded();
  bool in_cooldown() const;
  void remove_unneeded();
  // Simulates moving the pods of `node` onto other nodes; commits the placements into `free`
  // and `slots` when all fit.
  bool pods_fit_elsewhere(const Node& node, const std::vector<bool>& excluded,
                          std::vector<double>* free, std::vector<int>* slots);
  int per_node(uint16_t g, double request) const;
  bool managed(const Node& n) const;
  // With a tracing recorder: the loop's reasoning as a "decision" event (hcsim explain).
  void trace_scan(const std::string& outcome);

  sim::Simulator& sim_;
  sim::RngStream rng_;
  NodeAutoscalerConfig cfg_;
  NodePool& nodes_;
  Deployment& deployment_;
  sim::Recorder& rec_;
  std::string component_;
  std::vector<bool> removable_;  // by node id, from the last update
  // Why a ready node is not removable, by node id, from the last update (kept for explanations).
  enum class Verdict : uint8_t { kNotCandidate, kGroupAtMin, kPodsDoNotFit, kUnneeded };
  std::vector<Verdict> verdicts_;
  // What the last scale-up evaluation found (explanations): pending pods, how many the nodes on
  // their way take, and why no node was requested when none was.
  int pending_seen_ = 0, covered_seen_ = 0;
  std::string scale_up_note_;
  std::vector<uint32_t> removed_now_;  // nodes this loop removed or drained
  std::size_t next_destination_ = 0;   // where the placement simulation starts looking
  sim::SimTime last_scale_up_ = sim::SimTime::from_ns(-(int64_t{1} << 60));
  sim::SimTime last_delete_ = sim::SimTime::from_ns(-(int64_t{1} << 60));
  std::vector<ScaleUpRequest> requests_;
  std::vector<Backoff> backoffs_;
  std::vector<IncorrectSize> incorrect_;
  std::vector<NodeGroupActivity> activity_;
  std::vector<Window> backoff_windows_;
  bool warned_too_big_ = false;
};

}  // namespace models
