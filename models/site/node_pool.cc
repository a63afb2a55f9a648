#include "models/site/node_pool.h"

#include <algorithm>

#include "sim/assert.h"

namespace models {

NodePool::NodePool(sim::Simulator& sim, const NodeShape& shape, int initial_nodes,
                   sim::Recorder& rec, std::string component)
    : sim_(sim), shape_(shape), rec_(rec), component_(std::move(component)) {
  nodes_.reserve(static_cast<std::size_t>(initial_nodes));
  for (int i = 0; i < initial_nodes; ++i) {
    Node n;
    n.id = static_cast<uint32_t>(nodes_.size());
    n.since = sim_.now();
    nodes_.push_back(n);
  }
  live_ = initial_nodes;
  accounted_ = sim_.now();
}

void NodePool::account() {
  const sim::SimTime now = sim_.now();
  node_time_ += static_cast<double>(live_) * static_cast<double>((now - accounted_).ns());
  accounted_ = now;
}

double NodePool::node_time() {
  account();
  return node_time_;
}

int NodePool::count(Node::State s) const {
  int c = 0;
  for (const Node& n : nodes_) c += n.state == s ? 1 : 0;
  return c;
}

bool NodePool::fits_somewhere(double cpu) const {
  for (const Node& n : nodes_) {
    if (n.state == Node::State::kReady && n.pods < shape_.max_pods &&
        n.cpu_used + cpu <= shape_.cpu + 1e-9) {
      return true;
    }
  }
  return false;
}

std::optional<uint32_t> NodePool::place(double cpu, const std::string& image) {
  const Node* best = nullptr;
  bool best_local = false;
  for (const Node& n : nodes_) {
    if (n.state != Node::State::kReady || n.pods >= shape_.max_pods) continue;
    if (n.cpu_used + cpu > shape_.cpu + 1e-9) continue;
    const bool local = std::find(n.images.begin(), n.images.end(), image) != n.images.end();
    if (best == nullptr || (local && !best_local) ||
        (local == best_local && n.cpu_used < best->cpu_used)) {
      best = &n;
      best_local = local;
    }
  }
  if (best == nullptr) return std::nullopt;
  Node& n = nodes_[best->id];
  n.cpu_used += cpu;
  ++n.pods;
  n.unneeded_since = sim::SimTime::max();
  return n.id;
}

void NodePool::release(uint32_t node, double cpu) {
  Node& n = nodes_[node];
  n.cpu_used = std::max(0.0, n.cpu_used - cpu);
  SIM_ASSERT(n.pods > 0, "releasing a pod from an empty node");
  --n.pods;
}

bool NodePool::has_image(uint32_t node, const std::string& image) const {
  const Node& n = nodes_[node];
  return std::find(n.images.begin(), n.images.end(), image) != n.images.end();
}

void NodePool::cache_image(uint32_t node, const std::string& image) {
  if (!has_image(node, image)) nodes_[node].images.push_back(image);
}

sim::SimTime NodePool::pull(uint32_t node, const std::string& image, sim::SimTime duration) {
  Node& n = nodes_[node];
  const sim::SimTime now = sim_.now();
  if (has_image(node, image)) return now;
  for (const Node::Pull& p : n.pulls) {
    if (p.image == image && p.done >= now) return p.done;  // join the pull under way
  }
  // Forget finished pulls, then queue behind the node's current pull.
  std::erase_if(n.pulls, [&](const Node::Pull& p) { return p.done < now; });
  const sim::SimTime start = std::max(now, n.pull_free_at);
  const sim::SimTime done = start + duration;
  n.pull_free_at = done;
  n.pulls.push_back({image, done});
  return done;
}

uint32_t NodePool::provision(sim::SimTime delay, const std::string& reason) {
  account();
  Node n;
  n.id = static_cast<uint32_t>(nodes_.size());
  n.state = delay > sim::SimTime::zero() ? Node::State::kProvisioning : Node::State::kReady;
  n.since = sim_.now();
  nodes_.push_back(n);
  ++live_;
  const uint32_t id = n.id;
  rec_.event(sim_.now(), component_, "node",
             "node " + std::to_string(id) + " provisioning started (" + reason + ")",
             sim::EventDetails()
                 .add("node", id)
                 .add("state", "provisioning")
                 .add("ready_in_s", delay.seconds()));
  if (delay > sim::SimTime::zero()) {
    struct Ready {
      NodePool* pool;
      uint32_t id;
      void operator()() const { pool->on_ready(id); }
    };
    sim_.schedule_in(delay, Ready{this, id});
  } else {
    on_ready(id);
  }
  return id;
}

void NodePool::on_ready(uint32_t id) {
  Node& n = nodes_[id];
  if (n.state != Node::State::kProvisioning && n.state != Node::State::kReady) return;
  n.state = Node::State::kReady;
  n.since = sim_.now();
  rec_.event(sim_.now(), component_, "node", "node " + std::to_string(id) + " ready",
             sim::EventDetails().add("node", id).add("state", "ready"));
  if (on_capacity_) on_capacity_();
}

void NodePool::drain(uint32_t node) {
  Node& n = nodes_[node];
  n.state = Node::State::kDraining;
  n.since = sim_.now();
  rec_.event(sim_.now(), component_, "node", "node " + std::to_string(node) + " draining",
             sim::EventDetails().add("node", node).add("state", "draining"));
}

void NodePool::finish_removal(uint32_t node) {
  account();
  Node& n = nodes_[node];
  SIM_ASSERT(n.pods == 0, "removing a node that still has pods");
  n.state = Node::State::kRemoved;
  n.since = sim_.now();
  n.images.clear();
  --live_;
  rec_.event(sim_.now(), component_, "node", "node " + std::to_string(node) + " removed",
             sim::EventDetails().add("node", node).add("state", "removed"));
}

}  // namespace models

namespace models {

void NodePool::set_down(uint32_t node) {
  account();
  Node& n = nodes_[node];
  if (n.state == Node::State::kDown || n.state == Node::State::kRemoved) return;
  n.state = Node::State::kDown;  // its pods are killed next and released from it
  n.pulls.clear();
  n.since = sim_.now();
  --live_;  // a dead node is not billed
}

void NodePool::restore(uint32_t node, bool cold) {
  account();
  Node& n = nodes_[node];
  if (n.state != Node::State::kDown) return;
  n.state = Node::State::kReady;
  n.since = sim_.now();
  n.pull_free_at = sim_.now();
  n.unneeded_since = sim::SimTime::max();
  if (cold) n.images.clear();
  ++live_;
  if (on_capacity_) on_capacity_();
}

}  // namespace models
