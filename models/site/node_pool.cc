#include "models/site/node_pool.h"

#include <algorithm>

#include "sim/assert.h"

namespace models {

NodePool::NodePool(sim::Simulator& sim, std::vector<NodeGroupConfig> groups, double quota_cpu,
                   sim::RngStream rng, sim::Recorder& rec, std::string component)
    : sim_(sim),
      groups_(std::move(groups)),
      quota_cpu_(quota_cpu),
      rng_(std::move(rng)),
      rec_(rec),
      component_(std::move(component)) {
  SIM_ASSERT(!groups_.empty() && groups_.size() < 65536, "a node pool needs 1 to 65535 groups");
  const std::size_t g = groups_.size();
  short_.assign(g, 0);
  live_.assign(g, 0);
  peak_.assign(g, 0);
  node_time_.assign(g, 0.0);
  counts_.assign(g, GroupCounts{});
  for (std::size_t k = 0; k < g; ++k) {
    for (int i = 0; i < groups_[k].count; ++i) {
      Node n;
      n.id = static_cast<uint32_t>(nodes_.size());
      n.group = static_cast<uint16_t>(k);
      n.since = sim_.now();
      nodes_.push_back(n);
    }
    live_[k] = peak_[k] = groups_[k].count;
  }
  accounted_ = sim_.now();
}

void NodePool::start() {
  for (std::size_t k = 0; k < groups_.size(); ++k) {
    const auto g = static_cast<uint16_t>(k);
    for (const CapacityWindow& w : groups_[k].stockouts) {
      sim_.schedule_at(w.at, [this, g] { set_short(g, +1, "stockout"); });
      sim_.schedule_at(w.at + w.duration, [this, g] { set_short(g, -1, "stockout"); });
    }
    if (groups_[k].shortage) schedule_shortage(g, false);
  }
  for (const Node& n : nodes_) {
    if (groups_[n.group].spot) schedule_interruption(n.id);
  }
}

void NodePool::schedule_shortage(uint16_t g, bool now_short) {
  const ShortageProcess& p = *groups_[g].shortage;
  const double mean = (now_short ? p.mttr : p.mtbf).seconds();
  sim_.schedule_in(sim::SimTime::from_seconds(rng_.exponential_mean(mean)), [this, g, now_short] {
    set_short(g, now_short ? -1 : +1, "shortage");
    schedule_shortage(g, !now_short);
  });
}

void NodePool::set_short(uint16_t g, int delta, const char* why) {
  const bool was = short_[g] > 0;
  short_[g] += delta;
  const bool is = short_[g] > 0;
  if (was == is) return;
  const std::string& name = groups_[g].name;
  int waiting = 0;
  for (const Node& n : nodes_) waiting += n.group == g && n.state == Node::State::kRequested;
  rec_.event(
      sim_.now(), component_, "capacity",
      is ? "node group " + name + " out of capacity (" + why + ")"
         : "node group " + name + " has capacity again" +
               (waiting > 0 ? ": launching " + std::to_string(waiting) + " waiting nodes" : ""),
      sim::EventDetails().add("group", name).add("available", !is).add("cause", why));
  if (is) return;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].group == g && nodes_[i].state == Node::State::kRequested)
      launch(static_cast<uint32_t>(i), "capacity back");
  }
}

void NodePool::account() {
  const sim::SimTime now = sim_.now();
  const auto dt = static_cast<double>((now - accounted_).ns());
  for (std::size_t g = 0; g < live_.size(); ++g)
    node_time_[g] += static_cast<double>(live_[g]) * dt;
  accounted_ = now;
}

void NodePool::change_live(uint16_t g, int delta) {
  account();
  live_[g] += delta;
  peak_[g] = std::max(peak_[g], live_[g]);
}

std::vector<double> NodePool::node_time() {
  account();
  return node_time_;
}

int NodePool::count(Node::State s) const {
  int c = 0;
  for (const Node& n : nodes_) c += n.state == s ? 1 : 0;
  return c;
}

int NodePool::count(uint16_t g, Node::State s) const {
  int c = 0;
  for (const Node& n : nodes_) c += n.group == g && n.state == s ? 1 : 0;
  return c;
}

int NodePool::target_size(uint16_t g) const {
  int c = 0;
  for (const Node& n : nodes_) c += n.group == g && n.state != Node::State::kRemoved ? 1 : 0;
  return c;
}

double NodePool::quota_used() const {
  double used = 0;
  for (const Node& n : nodes_) {
    if (n.state == Node::State::kProvisioning || n.state == Node::State::kReady ||
        n.state == Node::State::kDraining)
      used += groups_[n.group].shape.cpu;
  }
  return used;
}

bool NodePool::fits_somewhere(double cpu) const {
  for (const Node& n : nodes_) {
    const NodeShape& shape = groups_[n.group].shape;
    if (n.state == Node::State::kReady && n.pods < shape.max_pods &&
        n.cpu_used + cpu <= shape.cpu + 1e-9) {
      return true;
    }
  }
  return false;
}

std::optional<uint32_t> NodePool::place(double cpu, const std::string& image) {
  const Node* best = nullptr;
  bool best_local = false;
  for (const Node& n : nodes_) {
    const NodeShape& shape = groups_[n.group].shape;
    if (n.state != Node::State::kReady || n.pods >= shape.max_pods) continue;
    if (n.cpu_used + cpu > shape.cpu + 1e-9) continue;
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

void NodePool::error(uint16_t g, const char* reason, int nodes) {
  counts_[g].failed += nodes;
  if (!errors_.empty() && errors_.back().group == g && errors_.back().reason == reason &&
      errors_.back().at == sim_.now()) {
    errors_.back().nodes += nodes;
    return;
  }
  errors_.push_back({g, reason, nodes, sim_.now()});
}

int NodePool::failed_not_taken(uint16_t g) const {
  int n = 0;
  for (const CreationError& e : errors_) n += e.group == g ? e.nodes : 0;
  return n;
}

std::vector<CreationError> NodePool::take_errors() {
  std::vector<CreationError> out;
  out.swap(errors_);
  return out;
}

std::optional<uint32_t> NodePool::request(uint16_t g, sim::SimTime delay,
                                          const std::string& reason) {
  const NodeGroupConfig& group = groups_[g];
  ++counts_[g].requested;
  if (quota_cpu_ > 0 && quota_used() + group.shape.cpu > quota_cpu_ + 1e-9) {
    rec_.event(sim_.now(), component_, "capacity",
               "node request in group " + group.name + " failed: vCPU quota exceeded (" +
                   std::to_string(static_cast<int64_t>(quota_cpu_)) + " cores)",
               sim::EventDetails()
                   .add("group", group.name)
                   .add("reason", "quota exceeded")
                   .add("quota_cpu", quota_cpu_)
                   .add("used_cpu", quota_used()));
    error(g, "quota exceeded", 1);
    return std::nullopt;
  }
  Node n;
  n.id = static_cast<uint32_t>(nodes_.size());
  n.group = g;
  n.state = Node::State::kRequested;
  n.since = sim_.now();
  n.provisioning_delay = delay;
  nodes_.push_back(n);
  const uint32_t id = n.id;
  if (has_capacity(g)) {
    launch(id, reason);
    return id;
  }
  rec_.event(sim_.now(), component_, "node",
             "node " + std::to_string(id) + " requested in group " + group.name +
                 ": waiting, out of capacity (" + reason + ")",
             sim::EventDetails()
                 .add("node", id)
                 .add("group", group.name)
                 .add("state", "requested")
                 .add("reason", "out of capacity"));
  if (group.capacity_error_after) {
    sim_.schedule_in(*group.capacity_error_after, [this, id] { fail_waiting(id); });
  }
  return id;
}

void NodePool::fail_waiting(uint32_t id) {
  Node& n = nodes_[id];
  if (n.state != Node::State::kRequested) return;
  n.state = Node::State::kRemoved;
  n.since = sim_.now();
  const std::string& name = groups_[n.group].name;
  rec_.event(
      sim_.now(), component_, "capacity",
      "node " + std::to_string(id) + " in group " + name +
          " failed: the cloud reports insufficient capacity",
      sim::EventDetails().add("node", id).add("group", name).add("reason", "out of capacity"));
  error(n.group, "out of capacity", 1);
}

void NodePool::launch(uint32_t id, const std::string& reason) {
  Node& n = nodes_[id];
  const NodeGroupConfig& group = groups_[n.group];
  if (quota_cpu_ > 0 && quota_used() + group.shape.cpu > quota_cpu_ + 1e-9) {
    // Capacity came back but the quota is taken meanwhile.
    n.state = Node::State::kRemoved;
    n.since = sim_.now();
    rec_.event(
        sim_.now(), component_, "capacity",
        "node " + std::to_string(id) + " in group " + group.name + " failed: vCPU quota exceeded",
        sim::EventDetails()
            .add("node", id)
            .add("group", group.name)
            .add("reason", "quota exceeded"));
    error(n.group, "quota exceeded", 1);
    return;
  }
  const sim::SimTime delay = n.provisioning_delay;
  change_live(n.group, +1);
  ++counts_[n.group].launched;
  n.state = delay > sim::SimTime::zero() ? Node::State::kProvisioning : Node::State::kReady;
  n.since = sim_.now();
  const bool single = groups_.size() == 1;
  rec_.event(sim_.now(), component_, "node",
             "node " + std::to_string(id) + " provisioning started" +
                 (single ? "" : " in group " + group.name) + " (" + reason + ")",
             single ? sim::EventDetails()
                          .add("node", id)
                          .add("state", "provisioning")
                          .add("ready_in_s", delay.seconds())
                    : sim::EventDetails()
                          .add("node", id)
                          .add("group", group.name)
                          .add("state", "provisioning")
                          .add("ready_in_s", delay.seconds()));
  if (delay > sim::SimTime::zero()) {
    sim_.schedule_in(delay, [this, id] { on_ready(id); });
  } else {
    on_ready(id);
  }
}

void NodePool::on_ready(uint32_t id) {
  Node& n = nodes_[id];
  if (n.state != Node::State::kProvisioning && n.state != Node::State::kReady) return;
  n.state = Node::State::kReady;
  n.since = sim_.now();
  rec_.event(sim_.now(), component_, "node", "node " + std::to_string(id) + " ready",
             sim::EventDetails().add("node", id).add("state", "ready"));
  if (groups_[n.group].spot) schedule_interruption(id);
  if (listener_) listener_->capacity_appeared();
}

void NodePool::cancel(uint32_t node, const std::string& why) {
  Node& n = nodes_[node];
  SIM_ASSERT(n.upcoming(), "cancelling a node that is not on its way");
  if (n.state == Node::State::kProvisioning) change_live(n.group, -1);
  n.state = Node::State::kRemoved;
  n.since = sim_.now();
  rec_.event(sim_.now(), component_, "node",
             "node " + std::to_string(node) + " in group " + groups_[n.group].name + " given up (" +
                 why + ")",
             sim::EventDetails()
                 .add("node", node)
                 .add("group", groups_[n.group].name)
                 .add("state", "removed")
                 .add("reason", why));
}

void NodePool::schedule_interruption(uint32_t id) {
  const SpotConfig& spot = *groups_[nodes_[id].group].spot;
  const double after = rng_.exponential_mean(spot.mtbf.seconds());
  sim_.schedule_in(sim::SimTime::from_seconds(after), [this, id] { notice(id); });
}

void NodePool::notice(uint32_t id) {
  Node& n = nodes_[id];
  if (n.state != Node::State::kReady && n.state != Node::State::kDraining) return;
  if (n.interrupted) return;
  const NodeGroupConfig& group = groups_[n.group];
  n.interrupted = true;
  ++counts_[n.group].interruptions;
  rec_.event(sim_.now(), component_, "node",
             "spot interruption notice for node " + std::to_string(id) + " (group " + group.name +
                 "): cordoned and drained, gone in " + sim::format_duration(group.spot->notice),
             sim::EventDetails()
                 .add("node", id)
                 .add("group", group.name)
                 .add("state", "draining")
                 .add("reason", "spot interruption"));
  if (n.state == Node::State::kReady) {
    n.state = Node::State::kDraining;
    n.since = sim_.now();
  }
  sim_.schedule_in(group.spot->notice, [this, id] { terminate(id); });
  if (listener_) listener_->interruption_notice(id);
}

void NodePool::terminate(uint32_t id) {
  Node& n = nodes_[id];
  if (n.state != Node::State::kDraining) return;  // lost or removed meanwhile
  if (listener_) listener_->node_terminated(id);
  SIM_ASSERT(n.pods == 0, "a terminated node still holds pods");
  change_live(n.group, -1);
  n.state = Node::State::kRemoved;
  n.since = sim_.now();
  n.images.clear();
  const uint16_t g = n.group;
  rec_.event(sim_.now(), component_, "node",
             "node " + std::to_string(id) + " interrupted (spot): replacement requested",
             sim::EventDetails()
                 .add("node", id)
                 .add("group", groups_[g].name)
                 .add("state", "removed")
                 .add("reason", "spot interruption"));
  // The group keeps its size: the cloud launches a replacement (subject to capacity).
  const double d = groups_[g].provisioning.sample(rng_);
  (void)request(g, sim::SimTime::from_seconds(std::max(0.0, d)),
                "replacing node " + std::to_string(id));
}

void NodePool::drain(uint32_t node) {
  Node& n = nodes_[node];
  n.state = Node::State::kDraining;
  n.since = sim_.now();
  rec_.event(sim_.now(), component_, "node", "node " + std::to_string(node) + " draining",
             sim::EventDetails().add("node", node).add("state", "draining"));
}

void NodePool::finish_removal(uint32_t node) {
  Node& n = nodes_[node];
  SIM_ASSERT(n.pods == 0, "removing a node that still has pods");
  change_live(n.group, -1);
  n.state = Node::State::kRemoved;
  n.since = sim_.now();
  n.images.clear();
  rec_.event(sim_.now(), component_, "node", "node " + std::to_string(node) + " removed",
             sim::EventDetails().add("node", node).add("state", "removed"));
}

void NodePool::set_down(uint32_t node) {
  Node& n = nodes_[node];
  if (n.state == Node::State::kDown || n.state == Node::State::kRemoved) return;
  if (n.state == Node::State::kRequested) return;  // nothing there to lose yet
  change_live(n.group, -1);                        // a dead node is not billed
  n.state = Node::State::kDown;                    // its pods are killed next and released from it
  n.pulls.clear();
  n.since = sim_.now();
}

void NodePool::restore(uint32_t node, bool cold) {
  Node& n = nodes_[node];
  if (n.state != Node::State::kDown) return;
  change_live(n.group, +1);
  n.state = Node::State::kReady;
  n.since = sim_.now();
  n.pull_free_at = sim_.now();
  n.unneeded_since = sim::SimTime::max();
  n.interrupted = false;
  if (cold) n.images.clear();
  if (listener_) listener_->capacity_appeared();
}

}  // namespace models
