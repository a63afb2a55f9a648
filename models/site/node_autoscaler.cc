#include "models/site/node_autoscaler.h"

#include <algorithm>
#include <cmath>

namespace models {

const char* expander_name(Expander e) {
  switch (e) {
    case Expander::kRandom:
      return "random";
    case Expander::kMostPods:
      return "most-pods";
    case Expander::kLeastWaste:
      return "least-waste";
    case Expander::kPriority:
      return "priority";
  }
  return "?";
}

NodeAutoscaler::NodeAutoscaler(sim::Simulator& sim, sim::RngStream rng,
                               const NodeAutoscalerConfig& cfg, NodePool& nodes,
                               Deployment& deployment, sim::Recorder& rec, std::string component)
    : sim_(sim),
      rng_(std::move(rng)),
      cfg_(cfg),
      nodes_(nodes),
      deployment_(deployment),
      rec_(rec),
      component_(std::move(component)) {
  const std::size_t g = nodes_.groups().size();
  requests_.assign(g, ScaleUpRequest{});
  backoffs_.assign(g, Backoff{});
  incorrect_.assign(g, IncorrectSize{});
  activity_.assign(g, NodeGroupActivity{});
  backoff_windows_.assign(g, Window{});
}

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

bool NodeAutoscaler::managed(const Node& n) const {
  return nodes_.group(n.group).autoscale && !n.interrupted;
}

int NodeAutoscaler::per_node(uint16_t g, double request) const {
  const NodeShape& shape = nodes_.group(g).shape;
  if (request > shape.cpu * (1 + 1e-9)) return 0;
  return std::min(shape.max_pods, static_cast<int>(std::floor(shape.cpu / request + 1e-9)));
}

void NodeAutoscaler::scan() {
  // Drained nodes whose pods are gone are deleted.
  for (const Node& n : nodes_.nodes()) {
    if (n.state == Node::State::kDraining && !n.interrupted &&
        deployment_.pods_on_node(n.id) == 0) {
      nodes_.finish_removal(n.id);
    }
  }
  update_scale_requests();
  remove_old_unregistered();
  handle_creation_errors();
  const bool tracing = rec_.tracing();
  pending_seen_ = covered_seen_ = 0;
  scale_up_note_ = "no Pending pod";
  removed_now_.clear();
  if (fix_group_sizes()) {
    if (tracing)
      trace_scan("decreased a node group's target to the nodes that exist: the loop ends there");
    return;
  }
  if (!deployment_.pending_cpu_requests().empty() && scale_up()) {
    if (tracing) trace_scan("scaled up: no scale-down in this loop");
    return;
  }
  update_unneeded();
  const bool cooldown = in_cooldown();
  if (!cooldown) remove_unneeded();
  if (!tracing) return;
  if (cooldown) {
    trace_scan("scale-down in cooldown (after a scale-up or a removal)");
  } else {
    trace_scan(removed_now_.empty() ? "no node removed" : "removed or drained unneeded nodes");
  }
}

void NodeAutoscaler::trace_scan(const std::string& outcome) {
  const sim::SimTime now = sim_.now();
  sim::EventDetails d;
  d.add("outcome", outcome)
      .add("pending_pods", pending_seen_)
      .add("covered_by_upcoming", covered_seen_);
  d.add("scale_up", scale_up_note_);
  const std::vector<double> pending = deployment_.pending_cpu_requests();
  const double request = pending.empty() ? deployment_.config().pod.cores : pending.front();
  d.begin_array("groups");
  for (std::size_t k = 0; k < nodes_.groups().size(); ++k) {
    const auto g = static_cast<uint16_t>(k);
    const NodeGroupConfig& group = nodes_.group(g);
    d.begin_object().add("group", group.name).add("autoscaled", group.autoscale);
    d.add("target", nodes_.target_size(g)).add("min", group.min).add("max", group.max);
    d.add("pods_per_node", per_node(g, request));
    if (backed_off(g)) d.add("backed_off_for_s", (backoffs_[g].until - now).seconds());
    d.end();
  }
  d.end();
  const sim::SimTime cool_add = last_scale_up_ + cfg_.scale_down_delay_after_add;
  const sim::SimTime cool_delete = last_delete_ + cfg_.scale_down_delay_after_delete;
  const sim::SimTime cool_until = std::max(cool_add, cool_delete);
  if (cool_until > now) d.add("cooldown_for_s", (cool_until - now).seconds());
  d.add("threshold", cfg_.scale_down_utilization_threshold);
  d.add("unneeded_time_s", cfg_.scale_down_unneeded_time.seconds());
  d.begin_array("nodes");
  for (const Node& n : nodes_.nodes()) {
    if (n.state != Node::State::kReady && n.state != Node::State::kDraining) continue;
    const NodeShape& shape = nodes_.shape_of(n.id);
    d.begin_object().add("node", n.id).add("group", nodes_.group(n.group).name);
    d.add("pods", n.pods).add("requested_share", n.cpu_used / shape.cpu);
    const bool removed =
        std::find(removed_now_.begin(), removed_now_.end(), n.id) != removed_now_.end();
    const Verdict v = n.id < verdicts_.size() ? verdicts_[n.id] : Verdict::kNotCandidate;
    std::string why;
    if (n.state == Node::State::kDraining) {
      why = removed ? "drained for removal in this loop" : "draining";
    } else if (!managed(n)) {
      why = n.interrupted ? "under a spot interruption notice" : "its group is not autoscaled";
    } else if (n.cpu_used / shape.cpu >= cfg_.scale_down_utilization_threshold) {
      why = "requests not under the utilization threshold";
    } else if (v == Verdict::kGroupAtMin) {
      why = "its group would fall below its min";
    } else if (v == Verdict::kPodsDoNotFit) {
      why = "its pods do not fit on other nodes";
    } else if (v == Verdict::kUnneeded) {
      why = "unneeded";
      d.add("unneeded_for_s", (now - n.unneeded_since).seconds());
    } else {
      why = "not evaluated in this loop";
    }
    d.add("verdict", why).end();
  }
  d.end();
  d.begin_array("removed");
  for (uint32_t id : removed_now_) d.push(id);
  d.end();
  rec_.event(now, component_, "decision", outcome, d);
}

bool NodeAutoscaler::backed_off(uint16_t g) const {
  const Backoff& b = backoffs_[g];
  return b.known && b.until >= sim_.now();
}

void NodeAutoscaler::back_off(uint16_t g, const std::string& why) {
  // utils/backoff/exponential_backoff.go: the duration doubles only when the previous backoff
  // has ended; a failure during a backoff restarts it with the same duration.
  const sim::SimTime now = sim_.now();
  Backoff& b = backoffs_[g];
  sim::SimTime d = cfg_.initial_backoff;
  if (b.known) {
    d = b.duration;
    if (b.until < now) d = std::min(d + d, cfg_.max_backoff);
  }
  b = {true, d, now + d, now};
  Window& w = backoff_windows_[g];
  if (w.open && w.until >= now) {
    w.until = now + d;
  } else {
    if (w.open) activity_[g].backoff_s += (w.until - w.start).seconds();
    w = {true, now, now + d};
  }
  ++activity_[g].backoffs;
  const std::string& name = nodes_.group(g).name;
  rec_.event(
      now, component_, "autoscaler",
      "node group " + name + " backed off for " + sim::format_duration(d) + " (" + why + ")",
      sim::EventDetails().add("group", name).add("backoff_s", d.seconds()).add("reason", why));
}

std::vector<NodeGroupActivity> NodeAutoscaler::activity() const {
  std::vector<NodeGroupActivity> out = activity_;
  const sim::SimTime now = sim_.now();
  for (std::size_t g = 0; g < out.size(); ++g) {
    const Window& w = backoff_windows_[g];
    if (w.open) out[g].backoff_s += (std::min(now, w.until) - w.start).seconds();
  }
  return out;
}

void NodeAutoscaler::update_scale_requests() {
  const sim::SimTime now = sim_.now();
  for (std::size_t k = 0; k < requests_.size(); ++k) {
    const auto g = static_cast<uint16_t>(k);
    Backoff& b = backoffs_[g];
    if (b.known && b.last_failure + cfg_.backoff_reset < now) b.known = false;  // stale
    ScaleUpRequest& r = requests_[g];
    if (!r.active) continue;
    int upcoming = nodes_.failed_not_taken(g);
    for (const Node& n : nodes_.nodes()) upcoming += n.group == g && n.upcoming() ? 1 : 0;
    if (upcoming == 0) {
      r = {};  // done
      continue;
    }
    if (r.expected_add < now) {
      ++activity_[g].timeouts;
      rec_.event(now, component_, "autoscaler",
                 "scale-up of node group " + nodes_.group(g).name + " timed out: " +
                     std::to_string(upcoming) + " node" + (upcoming == 1 ? "" : "s") +
                     " not ready after " + sim::format_duration(cfg_.max_node_provision_time),
                 sim::EventDetails()
                     .add("group", nodes_.group(g).name)
                     .add("reason", "timeout")
                     .add("upcoming", upcoming));
      back_off(g, "scale-up timed out");
      r = {};
    }
  }
}

void NodeAutoscaler::remove_old_unregistered() {
  // Launched nodes that never became ready within max_node_provision_time are deleted, but not
  // below the group's min (--force-delete-unregistered-nodes is off by default).
  const sim::SimTime now = sim_.now();
  for (const Node& n : nodes_.nodes()) {
    if (n.state != Node::State::kProvisioning || !nodes_.group(n.group).autoscale) continue;
    if (n.since + cfg_.max_node_provision_time >= now) continue;
    if (nodes_.target_size(n.group) <= nodes_.group(n.group).min) continue;
    ++activity_[n.group].given_up;
    nodes_.cancel(n.id, "not ready after " + sim::format_duration(cfg_.max_node_provision_time));
  }
}

void NodeAutoscaler::handle_creation_errors() {
  for (const CreationError& e : nodes_.take_errors()) {
    if (!nodes_.group(e.group).autoscale) continue;
    activity_[e.group].errors += e.nodes;
    ScaleUpRequest& r = requests_[e.group];
    const std::string& name = nodes_.group(e.group).name;
    rec_.event(
        sim_.now(), component_, "autoscaler",
        "scale-up of node group " + name + " failed: " + e.reason + " (" + std::to_string(e.nodes) +
            " node" + (e.nodes == 1 ? "" : "s") + ")",
        sim::EventDetails().add("group", name).add("reason", e.reason).add("nodes", e.nodes));
    // Only a group that is scaling up is backed off (clusterstate's instance-error handling).
    if (!r.active) continue;
    r.increase -= e.nodes;
    back_off(e.group, e.reason);
    if (r.increase <= 0) r = {};
  }
}

bool NodeAutoscaler::fix_group_sizes() {
  // A target that stays above what the cloud created (nodes still waiting for capacity) for
  // max_node_provision_time is decreased to what exists (fixNodeGroupSize).
  const sim::SimTime now = sim_.now();
  bool fixed = false;
  for (std::size_t k = 0; k < incorrect_.size(); ++k) {
    const auto g = static_cast<uint16_t>(k);
    IncorrectSize& inc = incorrect_[g];
    if (!nodes_.group(g).autoscale) continue;
    const int waiting = nodes_.count(g, Node::State::kRequested);
    if (waiting == 0) {
      inc = {};
      continue;
    }
    const int target = nodes_.target_size(g);
    const int registered =
        nodes_.count(g, Node::State::kReady) + nodes_.count(g, Node::State::kDraining);
    if (!inc.active || inc.target != target || inc.registered != registered) {
      inc = {true, target, registered, now};
      continue;
    }
    if (inc.first_observed + cfg_.max_node_provision_time >= now) continue;
    const std::string& name = nodes_.group(g).name;
    rec_.event(now, component_, "autoscaler",
               "decreasing the size of node group " + name + " by " + std::to_string(waiting) +
                   ": nodes never created",
               sim::EventDetails().add("group", name).add("delta", -waiting));
    for (const Node& n : nodes_.nodes()) {
      if (n.group == g && n.state == Node::State::kRequested) {
        ++activity_[g].given_up;
        nodes_.cancel(n.id, "target size decreased");
      }
    }
    inc = {};
    fixed = true;
  }
  return fixed;
}

NodeAutoscaler::Option NodeAutoscaler::choose(std::vector<Option> options) {
  // expander/factory/chain.go: each filter keeps its best options; stop when one is left; the
  // last word is random's.
  for (Expander e : cfg_.expanders) {
    if (options.size() == 1) return options.front();
    if (e == Expander::kRandom) break;
    auto score = [&](const Option& o) -> double {
      switch (e) {
        case Expander::kPriority:
          return nodes_.group(o.group).priority;
        case Expander::kMostPods:
          return o.pods;
        case Expander::kLeastWaste: {
          // expander/waste: (capacity - requests) / capacity for CPU, plus the same for memory,
          // which hcsim does not schedule (0 for every option). Lower is better.
          const double cap = nodes_.group(o.group).shape.cpu * o.nodes;
          const double used = o.pods * deployment_.config().pod.cores;
          return -(cap - used) / cap;
        }
        case Expander::kRandom:
          break;
      }
      return 0;
    };
    double best = -INFINITY;
    for (const Option& o : options) best = std::max(best, score(o));
    std::erase_if(options, [&](const Option& o) { return score(o) < best - 1e-12; });
  }
  if (options.size() == 1) return options.front();
  return options[rng_.uniform_int(0, options.size() - 1)];
}

bool NodeAutoscaler::scale_up() {
  const std::vector<double> pending = deployment_.pending_cpu_requests();
  const double request = pending.front();  // one deployment: every pod asks the same
  // Nodes on their way (requested or provisioning) take Pending pods first.
  int covered = 0;
  for (const Node& n : nodes_.nodes()) {
    if (n.upcoming()) covered += per_node(n.group, request);
  }
  const int uncovered = static_cast<int>(pending.size()) - covered;
  pending_seen_ = static_cast<int>(pending.size());
  covered_seen_ = std::min(covered, pending_seen_);
  if (uncovered <= 0) {
    scale_up_note_ = "the nodes on their way will take every Pending pod";
    return false;
  }
  std::vector<Option> options;
  bool any_fits = false;
  for (std::size_t k = 0; k < nodes_.groups().size(); ++k) {
    const auto g = static_cast<uint16_t>(k);
    const NodeGroupConfig& group = nodes_.group(g);
    const int fit = per_node(g, request);
    if (!group.autoscale || fit == 0) continue;
    any_fits = true;
    if (backed_off(g)) continue;
    const int room = group.max - nodes_.target_size(g);
    if (room <= 0) continue;
    const int want = std::min((uncovered + fit - 1) / fit, room);
    options.push_back({g, want, std::min(uncovered, want * fit)});
  }
  if (!any_fits) {
    scale_up_note_ = "a pod requests more CPU than any autoscaled group's node has";
    if (!warned_too_big_) {
      warned_too_big_ = true;
      rec_.event(sim_.now(), component_, "autoscaler",
                 "pods request more CPU than a node has: no node can help");
    }
    return false;
  }
  if (options.empty()) {  // at the maximum or backed off: pods stay Pending
    scale_up_note_ = "every group that could help is at its max or backed off";
    return false;
  }
  const Option chosen = choose(options);
  scale_up_note_ = "requested " + std::to_string(chosen.nodes) + " node" +
                   (chosen.nodes == 1 ? "" : "s") + " of group " + nodes_.group(chosen.group).name;
  const NodeGroupConfig& group = nodes_.group(chosen.group);
  last_scale_up_ = sim_.now();
  NodeGroupActivity& act = activity_[chosen.group];
  ++act.scale_ups;
  act.nodes_added += chosen.nodes;
  ScaleUpRequest& r = requests_[chosen.group];
  // A second scale-up of a group in flight adds to its request and restarts its clock.
  r.active = true;
  r.increase += chosen.nodes;
  r.expected_add = sim_.now() + cfg_.max_node_provision_time;
  // Every scale-up says why: the Pending pods, those the nodes on their way already take, and
  // with several groups the options and the expander chain that chose.
  std::string message = "scale-up: node group " + group.name + " +" + std::to_string(chosen.nodes) +
                        " for " + std::to_string(uncovered) + " of " +
                        std::to_string(pending.size()) + " pending pods";
  sim::EventDetails details;
  details.add("group", group.name).add("nodes", chosen.nodes);
  details.add("pending", static_cast<int>(pending.size())).add("uncovered", uncovered);
  details.add("pods_per_node", per_node(chosen.group, request));
  if (nodes_.groups().size() > 1) {
    std::string names;
    for (const Option& o : options)
      names += (names.empty() ? "" : ", ") + nodes_.group(o.group).name;
    std::string chain;
    for (Expander e : cfg_.expanders)
      chain += (chain.empty() ? "" : ",") + std::string(expander_name(e));
    message += " (expander " + chain + "; options: " + names + ")";
    details.add("options", static_cast<int>(options.size())).add("expanders", chain);
  }
  rec_.event(sim_.now(), component_, "autoscaler", message, details);
  const std::string reason = std::to_string(pending.size()) + " pending pods";
  for (int i = 0; i < chosen.nodes; ++i) {
    const double d = group.provisioning.sample(rng_);
    (void)nodes_.request(chosen.group, sim::SimTime::from_seconds(std::max(0.0, d)), reason);
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
  const std::size_t n = nodes_.nodes().size();
  std::vector<double> free(n, 0);
  std::vector<int> slots(n, 0);
  std::vector<std::size_t> candidates;
  std::vector<int> remaining(nodes_.groups().size(), 0);
  for (const Node& node : nodes_.nodes()) {
    if (node.state != Node::State::kReady) continue;
    const NodeShape& shape = nodes_.shape_of(node.id);
    free[node.id] = shape.cpu - node.cpu_used;
    slots[node.id] = shape.max_pods - node.pods;
    ++remaining[node.group];
    // Underutilized: the requests on it strictly below the threshold of its cores.
    if (managed(node) && node.cpu_used / shape.cpu < cfg_.scale_down_utilization_threshold)
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
  verdicts_.assign(n, Verdict::kNotCandidate);
  for (std::size_t c : candidates) {
    const Node& node = nodes_.nodes()[c];
    if (remaining[node.group] <= nodes_.group(node.group).min) {
      verdicts_[c] = Verdict::kGroupAtMin;
      continue;
    }
    if (!pods_fit_elsewhere(node, removable_, &free, &slots)) {
      verdicts_[c] = Verdict::kPodsDoNotFit;
      continue;
    }
    removable_[c] = true;
    verdicts_[c] = Verdict::kUnneeded;
    --remaining[node.group];
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
    if (node.state != Node::State::kDraining || node.interrupted) continue;
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
    removed_now_.push_back(id);
    nodes_.drain(id);
    deployment_.evict_node(id);
    if (deployment_.pods_on_node(id) == 0) nodes_.finish_removal(id);
    removable_[id] = false;
  }
  if (!chosen.empty()) last_delete_ = now;
}

}  // namespace models
