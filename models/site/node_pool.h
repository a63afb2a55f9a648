// models/site/node_pool.h: a site's nodes as the cloud gives them: node groups (each with its
// machine shape, price, capacity and spot behaviour), placement, the per-node image cache and
// image pulls.
//
// Placement follows kube-scheduler's default scoring in spirit: among ready nodes with room
// for the pod's CPU request and a free pod slot, prefer one that already has the image
// (ImageLocality), then the least allocated (NodeResourcesFit LeastAllocated), then the lowest
// id. Pulls on a node are serialized (kubelet serializeImagePulls: true); a second pod waiting
// for an image already being pulled on its node waits for the same pull.
//
// The cloud side (docs/models.md §3.6 and §3.9 cite each rule):
//  - A node is requested in a group (by the cluster autoscaler, or by the group itself to
//    replace an interrupted spot node). If the group has capacity it is launched at once and is
//    ready after its provisioning delay; it is billed from launch until removal.
//  - A group may be out of capacity: in `stockouts` windows and in the "short" phases of a
//    random alternating process (`shortage: {mtbf, mttr}`, time between shortages and their
//    length, both exponential, the group starting with capacity). A request made in a shortage
//    waits, unbilled, and is launched when capacity returns. If the group reports capacity
//    errors (`capacity_error_after`), a request still waiting that long fails with
//    "out of capacity"; otherwise it waits until the cluster autoscaler gives up on it.
//  - A regional vCPU quota (per site, across groups) counts the cores of launched nodes; a
//    launch that would exceed it fails at once with "quota exceeded".
//  - Creation failures are kept for the cluster autoscaler, which reads them on its next loop
//    (take_errors), as cluster-autoscaler reads instance errors from the cloud provider.
//  - A spot node is interrupted at a rate of 1/mtbf from the moment it is ready: it gets a
//    notice, is cordoned and drained (its listener deletes its pods), and disappears `notice`
//    later (pods still on it die). The group then requests a replacement, as an auto scaling
//    group that keeps its desired capacity does.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/common/distribution.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

struct NodeShape {
  double cpu = 16;     // allocatable cores
  int max_pods = 110;  // pods per node (kubelet default)
};

struct CapacityWindow {
  sim::SimTime at;
  sim::SimTime duration;
};

struct SpotConfig {
  sim::SimTime mtbf = sim::hours(6);      // mean time between interruptions of one node
  sim::SimTime notice = sim::minutes(2);  // EC2's interruption notice
};

// A random shortage process: capacity available for Exp(mtbf), then short for Exp(mttr).
struct ShortageProcess {
  sim::SimTime mtbf;
  sim::SimTime mttr;
};

struct NodeGroupConfig {
  std::string name = "default";
  NodeShape shape;
  int count = 0;              // nodes at t = 0
  int priority = 0;           // for the priority expander: highest first
  double price_per_hour = 0;  // per node
  // Cluster autoscaling of the group: nodes between min and max. Without it the group is fixed
  // (the cluster autoscaler neither adds nor removes its nodes).
  bool autoscale = false;
  int min = 0, max = 0;
  Distribution provisioning = Distribution::lognormal_median_sigma(135, 0.35).with_offset(45);
  std::optional<SpotConfig> spot;
  std::vector<CapacityWindow> stockouts;
  std::optional<ShortageProcess> shortage;
  // When the cloud reports a request it cannot fill as an error (nullopt: never; the request
  // waits until the cluster autoscaler's max_node_provision_time).
  std::optional<sim::SimTime> capacity_error_after;
};

struct Node {
  enum class State { kRequested, kProvisioning, kReady, kDraining, kRemoved, kDown };
  uint32_t id = 0;
  uint16_t group = 0;
  State state = State::kReady;
  bool interrupted = false;  // a spot node under interruption notice
  double cpu_used = 0;       // sum of pod CPU requests placed here
  int pods = 0;
  std::vector<std::string> images;  // cached images
  struct Pull {
    std::string image;
    sim::SimTime done;
  };
  std::vector<Pull> pulls;    // pulls started, oldest first
  sim::SimTime pull_free_at;  // the node's puller is busy until then
  sim::SimTime since;         // when the node reached its current state
  sim::SimTime provisioning_delay;
  sim::SimTime unneeded_since = sim::SimTime::max();
  bool upcoming() const { return state == State::kRequested || state == State::kProvisioning; }
  bool exists() const { return state != State::kRemoved && state != State::kDown; }
};

// A node the cloud could not create, as the cluster autoscaler learns it.
struct CreationError {
  uint16_t group = 0;
  std::string reason;  // "out of capacity", "quota exceeded"
  int nodes = 0;
  sim::SimTime at;
};

// What the site does when the cloud takes a node back.
class NodeListener {
 public:
  virtual ~NodeListener() = default;
  virtual void capacity_appeared() = 0;                 // a node became ready
  virtual void interruption_notice(uint32_t node) = 0;  // cordoned: delete its pods
  virtual void node_terminated(uint32_t node) = 0;      // gone: kill what is left on it
};

class NodePool {
 public:
  // `quota_cpu` <= 0: no quota. `rng` drives shortages and spot interruptions (drawn only when a
  // group has them).
  NodePool(sim::Simulator& sim, std::vector<NodeGroupConfig> groups, double quota_cpu,
           sim::RngStream rng, sim::Recorder& rec, std::string component);

  void set_listener(NodeListener* l) { listener_ = l; }
  // Schedules the groups' stockout windows and shortage processes.
  void start();

  const std::vector<NodeGroupConfig>& groups() const { return groups_; }
  const NodeGroupConfig& group(uint16_t g) const { return groups_[g]; }
  const NodeShape& shape_of(uint32_t node) const { return groups_[nodes_[node].group].shape; }
  bool has_capacity(uint16_t g) const { return short_[g] == 0; }

  // Places a pod, reserving its request; nullopt when no ready node has room.
  std::optional<uint32_t> place(double cpu, const std::string& image);
  void release(uint32_t node, double cpu);
  bool fits_somewhere(double cpu) const;

  // When `image` is (or will be) on `node`, starting a pull of `duration` if needed.
  sim::SimTime pull(uint32_t node, const std::string& image, sim::SimTime duration);
  bool has_image(uint32_t node, const std::string& image) const;
  void cache_image(uint32_t node, const std::string& image);

  // Asks the cloud for a node of group `g` that is ready `delay` after its launch (0: ready
  // now). Returns its id, or nullopt when the quota refuses it (a CreationError is kept).
  std::optional<uint32_t> request(uint16_t g, sim::SimTime delay, const std::string& reason);
  // Gives up a node that has not come (requested or provisioning): it is deleted.
  void cancel(uint32_t node, const std::string& why);
  // Starts removing a node: it takes no new pods; `finish_removal` when its pods are gone.
  void drain(uint32_t node);
  void finish_removal(uint32_t node);
  // The creation failures since the last call, oldest first.
  std::vector<CreationError> take_errors();
  // Nodes of group g that failed and are not taken yet: the cloud still lists them (with their
  // error), so they are still on their way for the autoscaler's bookkeeping.
  int failed_not_taken(uint16_t g) const;

  // Faults: a node lost (the caller then kills its pods) and a node back, empty;
  // a recovered node has lost its image cache when `cold`.
  void set_down(uint32_t node);
  void restore(uint32_t node, bool cold);

  const std::vector<Node>& nodes() const { return nodes_; }
  Node& node(uint32_t id) { return nodes_[id]; }
  int count(Node::State s) const;
  int count(uint16_t g, Node::State s) const;
  // Nodes of group g that exist or are on their way (the group's target size).
  int target_size(uint16_t g) const;
  double quota_used() const;
  // Node-nanoseconds of launched nodes (provisioning, ready or draining), per group: what a
  // cloud bills.
  std::vector<double> node_time();
  // Peak of launched nodes, per group.
  const std::vector<int>& peak_nodes() const { return peak_; }
  // Per group: spot interruptions, nodes requested, creation failures.
  struct GroupCounts {
    int requested = 0, launched = 0, failed = 0, interruptions = 0;
  };
  const std::vector<GroupCounts>& group_counts() const { return counts_; }

 private:
  void launch(uint32_t id, const std::string& reason);
  void on_ready(uint32_t id);
  void account();
  void set_short(uint16_t g, int delta, const char* why);
  void schedule_shortage(uint16_t g, bool now_short);
  void schedule_interruption(uint32_t id);
  void notice(uint32_t id);
  void terminate(uint32_t id);
  void fail_waiting(uint32_t id);
  void error(uint16_t g, const char* reason, int nodes);
  void change_live(uint16_t g, int delta);

  sim::Simulator& sim_;
  std::vector<NodeGroupConfig> groups_;
  double quota_cpu_;
  sim::RngStream rng_;
  sim::Recorder& rec_;
  std::string component_;
  std::vector<Node> nodes_;
  NodeListener* listener_ = nullptr;
  std::vector<int> short_;  // per group: shortage causes in effect (0: capacity)
  std::vector<int> live_;   // per group: launched nodes that exist (billing)
  std::vector<int> peak_;
  std::vector<double> node_time_;
  std::vector<GroupCounts> counts_;
  std::vector<CreationError> errors_;
  sim::SimTime accounted_;
};

}  // namespace models
