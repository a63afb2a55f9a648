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
  if (!deployment_.pending_cpu_requests().empty() && scale_up()) return;
  update_unneeded();
  if (!in_cooldown()) remove_unneeded();
}

bool NodeAutoscaler::scale_up() {
  const std::vector<double> pending = deployment_.pending_cpu_requests();
  const NodeShape& shape = nodes_.shape();
  const double request = pending.front();  // one deployment: every pod asks the same
  if (request > shape.cpu) {
    if (!warned_too_big_) {
      warned_too_big_ = true;
      rec_.event(sim_.now(), component_, "autoscaler",
                 "pods request more CPU than a node has: no node can help");
    }
    return false;
  }
  const int per_node =
      std::min(shape.max_pods, static_cast<int>(std::floor(shape.cpu / request + 1e-9)));
  const int provisioning = nodes_.count(Node::State::kProvisioning);
  const int uncovered = static_cast<int>(pending.size()) - provisioning * per_node;
  if (uncovered <= 0) return false;  // nodes on their way will take them
  const int existing =
      static_cast<int>(nodes_.nodes().size()) - nodes_.count(Node::State::kRemoved);
  int add = (uncovered + per_node - 1) / per_node;
  add = std::min(add, cfg_.max_nodes - existing);
  if (add <= 0) return false;  // at the maximum: pods stay Pending
  last_scale_up_ = sim_.now();
  const std::string reason = std::to_string(pending.size()) + " pending pods";
  for (int i = 0; i < add; ++i) {
    const double d = cfg_.provisioning.sample(rng_);
    nodes_.provision(sim::SimTime::from_seconds(std::max(0.0, d)), reason);
  }
  return true;
}

bool NodeAutoscaler::pods_fit_elsewhere(const Node& node, const std::vector<bool>& excluded,
                                        std::vector<double>* free, std::vector<int>* slots) {
  // The scheduler simulation: each pod onto a specific node with room for its request and a pod
  // slot, looking round-robin from after the last node that fitted (cluster-autoscaler's
  // predicate runner).
  const double request = deployment_.config().pod.cores;
  const std::size_t n = nodes_.nodes().size();
  std::vector<std::pair<std::size_t, double>> placed;
  for (int p = 0; p < node.pods; ++p) {
    bool fitted = false;
    for (std::size_t k = 0; k < n && !fitted; ++k) {
      const std::size_t d = (next_destination_ + k) % n;
      const Node& dest = nodes_.nodes()[d];
      if (d == node.id || excluded[d] || dest.state != Node::State::kReady) continue;
      if ((*free)[d] + 1e-9 < request || (*slots)[d] < 1) continue;
      (*free)[d] -= request;
      --(*slots)[d];
      placed.emplace_back(d, request);
      next_destination_ = (d + 1) % n;
      fitted = true;
    }
    if (!fitted) {
      for (const auto& [d, r] : placed) {  // roll back this candidate
        (*free)[d] += r;
        ++(*slots)[d];
      }
      return false;
    }
  }
  return true;
}

void NodeAutoscaler::update_unneeded() {
  const sim::SimTime now = sim_.now();
  const NodeShape& shape = nodes_.shape();
  const std::size_t n = nodes_.nodes().size();
  std::vector<double> free(n, 0);
  std::vector<int> slots(n, 0);
  std::vector<std::size_t> candidates;
  for (const Node& node : nodes_.nodes()) {
    if (node.state != Node::State::kReady) continue;
    free[node.id] = shape.cpu - node.cpu_used;
    slots[node.id] = shape.max_pods - node.pods;
    // Underutilized: the requests on it strictly below the threshold of its cores.
    if (node.cpu_used / shape.cpu < cfg_.scale_down_utilization_threshold)
      candidates.push_back(node.id);
  }
  // Empty nodes first, then those already unneeded, then by id.
  std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
    const Node& x = nodes_.nodes()[a];
    const Node& y = nodes_.nodes()[b];
    if ((x.pods == 0) != (y.pods == 0)) return x.pods == 0;
    return !x.unneeded_since.is_max() && y.unneeded_since.is_max();
  });
  removable_.assign(n, false);
  int remaining = nodes_.count(Node::State::kReady);
  for (std::size_t c : candidates) {
    if (remaining <= cfg_.min_nodes) break;
    if (!pods_fit_elsewhere(nodes_.nodes()[c], removable_, &free, &slots)) continue;
    removable_[c] = true;
    --remaining;
  }
  for (const Node& node : nodes_.nodes()) {
    Node& mut = nodes_.node(node.id);
    if (node.state == Node::State::kReady && removable_[node.id]) {
      if (mut.unneeded_since.is_max()) mut.unneeded_since = now;
    } else {
      mut.unneeded_since = sim::SimTime::max();
    }
  }
}

bool NodeAutoscaler::in_cooldown() const {
  const sim::SimTime now = sim_.now();
  return now - last_scale_up_ < cfg_.scale_down_delay_after_add ||
         now - last_delete_ < cfg_.scale_down_delay_after_delete;
}

void NodeAutoscaler::remove_unneeded() {
  const sim::SimTime now = sim_.now();
  int in_flight = 0, drains = 0;
  for (const Node& node : nodes_.nodes()) {
    if (node.state != Node::State::kDraining) continue;
    ++in_flight;
    drains += deployment_.pods_on_node(node.id) > 0 ? 1 : 0;
  }
  std::vector<uint32_t> empty, busy;
  for (const Node& node : nodes_.nodes()) {
    if (node.state != Node::State::kReady || !removable_[node.id]) continue;
    if (now - node.unneeded_since < cfg_.scale_down_unneeded_time) continue;
    (node.pods == 0 ? empty : busy).push_back(node.id);
  }
  // Empty nodes first, then drains, within the budgets (budgets.go CropNodes).
  int budget = cfg_.max_scale_down_parallelism - in_flight;
  int drain_budget = std::min(budget, cfg_.max_drain_parallelism - drains);
  std::vector<uint32_t> chosen;
  for (uint32_t id : empty) {
    if (budget <= 0) break;
    chosen.push_back(id);
    --budget;
  }
  for (uint32_t id : busy) {
    if (budget <= 0 || drain_budget <= 0) break;
    chosen.push_back(id);
    --budget;
    --drain_budget;
  }
  for (uint32_t id : chosen) {
    nodes_.drain(id);
    deployment_.evict_node(id);
    if (deployment_.pods_on_node(id) == 0) nodes_.finish_removal(id);
    removable_[id] = false;
  }
  if (!chosen.empty()) last_delete_ = now;
}

}  // namespace models
