// models/site/node_pool.h: a site's nodes: capacity, placement, the per-node image cache and
// image pulls.
//
// Placement follows kube-scheduler's default scoring in spirit: among ready nodes with room
// for the pod's CPU request and a free pod slot, prefer one that already has the image
// (ImageLocality), then the least allocated (NodeResourcesFit LeastAllocated), then the lowest
// id. Pulls on a node are serialized (kubelet serializeImagePulls: true); a second pod waiting
// for an image already being pulled on its node waits for the same pull.
//
// Nodes are provisioned (ready after a delay) and removed by the node autoscaler; a private
// site's pool is fixed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/recorder.h"
#include "sim/simulator.h"

namespace models {

struct NodeShape {
  double cpu = 16;     // allocatable cores
  int max_pods = 110;  // pods per node (kubelet default)
};

struct Node {
  enum class State { kProvisioning, kReady, kDraining, kRemoved, kDown };
  uint32_t id = 0;
  State state = State::kReady;
  double cpu_used = 0;  // sum of pod CPU requests placed here
  int pods = 0;
  std::vector<std::string> images;  // cached images
  struct Pull {
    std::string image;
    sim::SimTime done;
  };
  std::vector<Pull> pulls;    // pulls started, oldest first
  sim::SimTime pull_free_at;  // the node's puller is busy until then
  sim::SimTime since;         // when the node reached its current state
  sim::SimTime unneeded_since = sim::SimTime::max();
};

class NodePool {
 public:
  // `on_capacity` is called whenever room may have appeared (a node became ready).
  NodePool(sim::Simulator& sim, const NodeShape& shape, int initial_nodes, sim::Recorder& rec,
           std::string component);

  const NodeShape& shape() const { return shape_; }
  void set_on_capacity(std::function<void()> cb) { on_capacity_ = std::move(cb); }

  // Places a pod, reserving its request; nullopt when no ready node has room.
  std::optional<uint32_t> place(double cpu, const std::string& image);
  void release(uint32_t node, double cpu);
  bool fits_somewhere(double cpu) const;

  // When `image` is (or will be) on `node`, starting a pull of `duration` if needed.
  sim::SimTime pull(uint32_t node, const std::string& image, sim::SimTime duration);
  bool has_image(uint32_t node, const std::string& image) const;
  void cache_image(uint32_t node, const std::string& image);

  // Adds a node that becomes ready after `delay` (0: ready now). Returns its id.
  uint32_t provision(sim::SimTime delay, const std::string& reason);
  // Starts removing a node: it takes no new pods; `finish_removal` when its pods are gone.
  void drain(uint32_t node);
  void finish_removal(uint32_t node);

  // Faults: a node lost (the caller then kills its pods) and a node back, empty;
  // a recovered node has lost its image cache when `cold`.
  void set_down(uint32_t node);
  void restore(uint32_t node, bool cold);

  const std::vector<Node>& nodes() const { return nodes_; }
  Node& node(uint32_t id) { return nodes_[id]; }
  int count(Node::State s) const;
  // Node-nanoseconds of nodes that exist (provisioning, ready or draining): what a cloud bills.
  double node_time();

 private:
  void on_ready(uint32_t id);
  void account();

  sim::Simulator& sim_;
  NodeShape shape_;
  sim::Recorder& rec_;
  std::string component_;
  std::vector<Node> nodes_;
  std::function<void()> on_capacity_;
  int live_ = 0;  // nodes that exist (billing)
  double node_time_ = 0;
  sim::SimTime accounted_;
};

}  // namespace models
