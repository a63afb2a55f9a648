#include "models/site/node_autoscaler.h"

#include <algorithm>
#include <cmath>

namespace models {

NodeAutoscaler::NodeAutoscaler(sim::Simulator& sim, sim::RngStream rng,
                               const NodeAutoscalerConfig& cfg, NodePool& nodes,
                               Deployment& deployment, sim::Recorder& rec, std::string component)
    : sim_(sim),
      rng_(std::move(rng)),
      cfg_(cfg),
      nodes_(nodes),
      deployment_(deployment),
      rec_(rec),
      component_(std::move(component)) {}

void NodeAutoscaler::start() {
  struct Tick {
    NodeAutoscaler* self;
    void operator()() const {
      self->scan();
      self->sim_.schedule_in(self->cfg_.scan_interval, *this);
    }
  };
  sim_.schedule_in(cfg_.scan_interval, Tick{this});
}

void NodeAutoscaler::scan() {
  // Drained nodes whose pods are gone are deleted.
  for (const Node& n : nodes_.nodes()) {
    if (n.state == Node::State::kDraining && deployment_.pods_on_node(n.id) == 0) {
      nodes_.finish_removal(n.id);
    }
  }
  if (!deployment_.pending_cpu_requests().empty()) {
    scale_up();
  } else {
    scale_down();
  }
}

void NodeAutoscaler::scale_up() {
  const std::vector<double> pending = deployment_.pending_cpu_requests();
  const NodeShape& shape = nodes_.shape();
  const double request = pending.front();  // one deployment: every pod asks the same
  if (request > shape.cpu) {
    if (!warned_too_big_) {
      warned_too_big_ = true;
      rec_.event(sim_.now(), component_, "autoscaler",
                 "pods request more CPU than a node has: no node can help");
    }
    return;
  }
  const int per_node =
      std::min(shape.max_pods, static_cast<int>(std::floor(shape.cpu / request + 1e-9)));
  const int provisioning = nodes_.count(Node::State::kProvisioning);
  const int uncovered = static_cast<int>(pending.size()) - provisioning * per_node;
  if (uncovered <= 0) return;  // nodes on their way will take them
  const int existing =
      static_cast<int>(nodes_.nodes().size()) - nodes_.count(Node::State::kRemoved);
  int add = (uncovered + per_node - 1) / per_node;
  add = std::min(add, cfg_.max_nodes - existing);
  if (add <= 0) {
    return;  // at the quota: pods stay Pending
  }
  last_scale_up_ = sim_.now();
  const std::string reason = std::to_string(pending.size()) + " pending pods";
  for (int i = 0; i < add; ++i) {
    const double d = cfg_.provisioning.sample(rng_);
    nodes_.provision(sim::SimTime::from_seconds(std::max(0.0, d)), reason);
  }
}

void NodeAutoscaler::scale_down() {
  const sim::SimTime now = sim_.now();
  if (now - last_scale_up_ < cfg_.scale_down_delay_after_add) return;
  const NodeShape& shape = nodes_.shape();
  int ready = nodes_.count(Node::State::kReady);
  double free_cpu = 0;
  int free_slots = 0;
  for (const Node& n : nodes_.nodes()) {
    if (n.state != Node::State::kReady) continue;
    free_cpu += shape.cpu - n.cpu_used;
    free_slots += shape.max_pods - n.pods;
  }
  bool removed_busy_node = false;
  for (const Node& n : nodes_.nodes()) {
    if (n.state != Node::State::kReady) continue;
    const double util = n.cpu_used / shape.cpu;
    // Its pods must fit into the free room of the other ready nodes.
    const double other_free_cpu = free_cpu - (shape.cpu - n.cpu_used);
    const int other_free_slots = free_slots - (shape.max_pods - n.pods);
    const bool movable =
        n.pods == 0 || (n.cpu_used <= other_free_cpu + 1e-9 && n.pods <= other_free_slots);
    Node& node = nodes_.node(n.id);
    if (util >= cfg_.scale_down_utilization_threshold || !movable || ready <= cfg_.min_nodes) {
      node.unneeded_since = sim::SimTime::max();
      continue;
    }
    if (node.unneeded_since.is_max()) {
      node.unneeded_since = now;
      continue;
    }
    if (now - node.unneeded_since < cfg_.scale_down_unneeded_time) continue;
    if (n.pods > 0 && removed_busy_node) continue;  // one non-empty node per scan
    removed_busy_node |= n.pods > 0;
    const uint32_t id = n.id;
    free_cpu -= shape.cpu - n.cpu_used;
    free_slots -= shape.max_pods - n.pods;
    --ready;
    nodes_.drain(id);
    deployment_.evict_node(id);
    if (deployment_.pods_on_node(id) == 0) nodes_.finish_removal(id);
  }
}

}  // namespace models
