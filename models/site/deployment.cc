#include "models/site/deployment.h"

#include <algorithm>
#include <cmath>

namespace models {

using sim::SimTime;

int IntOrPercent::resolve(int desired, bool round_up) const {
  if (!percent) return static_cast<int>(value);
  const double x = value / 100.0 * desired;
  return round_up ? static_cast<int>(std::ceil(x - 1e-9)) : static_cast<int>(std::floor(x + 1e-9));
}

Deployment::Deployment(sim::Simulator& sim, sim::RngStream rng, RequestPool& pool,
                       const DeploymentConfig& cfg, NodePool& nodes, PodListener& pod_listener,
                       EndpointListener& endpoints, sim::Recorder& rec, std::string site_name)
    : sim_(sim),
      rng_(std::move(rng)),
      pool_(pool),
      cfg_(cfg),
      nodes_(nodes),
      pod_listener_(pod_listener),
      endpoints_(endpoints),
      rec_(rec),
      site_(std::move(site_name)),
      component_("site/" + site_) {
  rsets_.push_back({1, cfg_.image, cfg_.replicas});
  desired_ = cfg_.replicas;
  accounted_ = sim_.now();
  burstable_ = cfg_.pod.limit > cfg_.pod.cores;
  if (cfg_.probes.any()) {
    prober_ = std::make_unique<Prober>(sim_, pool_, cfg_.probes, *this);
    probed_readiness_ = cfg_.probes.readiness.enabled || cfg_.probes.startup.enabled;
  }
}

SimTime Deployment::sample(const Distribution& d) {
  const double s = d.sample(rng_);
  return s <= 0 ? SimTime::zero() : SimTime::from_seconds(s);
}

void Deployment::account() {
  const SimTime now = sim_.now();
  const double dt = static_cast<double>((now - accounted_).ns());
  pod_time_ += dt * billable_;
  capacity_time_ += dt * serving_cores_;
  accounted_ = now;
}

double Deployment::pod_time() {
  account();
  return pod_time_;
}

double Deployment::serving_capacity() {
  account();
  return capacity_time_;
}

double Deployment::serving_cpu_used() {
  double used = retired_cpu_;
  for (const auto& p : slots_) {
    if (p && p->life.state != PodState::kTerminated) used += p->cpu_used_ns();
  }
  return used;
}

const Deployment::ReplicaSet* Deployment::rs(int revision) const {
  for (const ReplicaSet& r : rsets_) {
    if (r.revision == revision) return &r;
  }
  return nullptr;
}

void Deployment::set_state(Pod& p, PodState s) {
  const PodState from = p.life.state;
  p.life.state = s;
  pod_listener_.on_pod_state(p, from, s);
  rec_.event(sim_.now(), component_, "pod", p.life.name + " " + pod_state_name(s),
             sim::EventDetails()
                 .add("pod", p.life.name)
                 .add("from", pod_state_name(from))
                 .add("to", pod_state_name(s))
                 .add("node", s == PodState::kPending ? -1 : static_cast<int>(p.life.node))
                 .add("revision", p.life.revision));
}

void Deployment::schedule_step(Pod& p, SimTime at, StepKind kind, sim::EventId* id) {
  *id = sim_.schedule_at(at, Step{this, p.index(), p.life.generation, kind});
}

Pod* Deployment::create_pod(int revision, bool initial) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  const uint32_t generation = static_cast<uint32_t>(++pod_seq_);
  slots_[slot] = std::make_unique<Pod>(sim_, pool_, cfg_.pod, pod_listener_, slot);
  Pod& p = *slots_[slot];
  if (capacity_factor_ != 1.0) p.set_capacity_factor(capacity_factor_);
  p.life.generation = generation;
  p.life.revision = revision;
  p.life.created = sim_.now();
  p.life.name = site_ + "-r" + std::to_string(revision) + "-" + std::to_string(pod_seq_);
  rec_.event(sim_.now(), component_, "pod", p.life.name + " created",
             sim::EventDetails()
                 .add("pod", p.life.name)
                 .add("from", "none")
                 .add("to", "pending")
                 .add("revision", revision));
  const ImageSpec& image = rs(revision)->image;
  if (initial) {
    const auto node = nodes_.place(cfg_.pod.cores, image.name);
    if (node) {
      // An initial pod has been running for a long time before t = 0: ready, warm, image
      // cached, past the HPA's CPU initialization period.
      account();
      ++billable_;
      serving_cores_ += cfg_.pod.cores;
      p.life.node = *node;
      nodes_.cache_image(*node, image.name);
      p.life.created = p.life.start_time = p.life.container_started = p.life.app_up =
          p.life.ready_at = p.life.serving_since = sim_.now() - sim::hours(1);
      p.life.running = p.life.ready_condition = p.life.serving = p.life.in_endpoints = true;
      set_state(p, PodState::kReady);
      refit_node(*node);
      endpoints_.endpoint_added(p);
      if (prober_) prober_->container_started(p, true, rng_.uniform01());
      return &p;
    }
  }
  try_schedule(p);
  return &p;
}

void Deployment::try_schedule(Pod& p) {
  const auto node = nodes_.place(cfg_.pod.cores, rs(p.life.revision)->image.name);
  if (!node) {
    if (!p.life.unschedulable_logged) {
      p.life.unschedulable_logged = true;
      rec_.event(sim_.now(), component_, "pod", p.life.name + " unschedulable: no node with room",
                 sim::EventDetails().add("pod", p.life.name).add("reason", "Unschedulable"));
    }
    return;
  }
  account();
  ++billable_;
  p.life.node = *node;
  set_state(p, PodState::kScheduling);
  refit_node(*node);
  schedule_step(p, sim_.now() + sample(cfg_.startup.scheduling), StepKind::kBound, &p.life.timer);
}

void Deployment::schedule_pending() {
  for (const auto& slot : slots_) {
    if (slot && slot->life.state == PodState::kPending) try_schedule(*slot);
  }
}

void Deployment::start_container(Pod& p) {
  set_state(p, PodState::kBooting);
  schedule_step(p, sim_.now() + sample(cfg_.startup.container), StepKind::kContainerStarted,
                &p.life.timer);
}

void Deployment::on_step(uint32_t slot, uint32_t generation, StepKind kind) {
  if (slot >= slots_.size() || !slots_[slot] || slots_[slot]->life.generation != generation) return;
  Pod& p = *slots_[slot];
  if (p.life.state == PodState::kTerminated) return;
  const SimTime now = sim_.now();
  const ImageSpec& image = rs(p.life.revision)->image;
  switch (kind) {
    case StepKind::kBound: {
      p.life.timer = {};
      p.life.start_time = p.life.ready_at = now;  // kubelet acknowledges; Ready=False from now
      if (nodes_.has_image(p.life.node, image.name)) {
        start_container(p);
      } else {
        set_state(p, PodState::kPulling);
        const SimTime duration =
            cfg_.startup.pull_bandwidth > 0
                ? SimTime::from_seconds(image.size_bytes / cfg_.startup.pull_bandwidth)
                : sample(cfg_.startup.pull);
        schedule_step(p, nodes_.pull(p.life.node, image.name, duration), StepKind::kPulled,
                      &p.life.timer);
      }
      break;
    }
    case StepKind::kPulled:
      p.life.timer = {};
      nodes_.cache_image(p.life.node, image.name);
      start_container(p);
      break;
    case StepKind::kContainerStarted: {
      p.life.timer = {};
      p.life.running = true;
      p.life.refusing = false;
      p.life.container_started = now;
      p.life.app_up = now + sample(cfg_.startup.boot);
      if (prober_) prober_->container_started(p);
      if (probed_readiness_) break;  // the probes say when it is ready
      // Probes run at container start + initialDelaySeconds + k x periodSeconds; the pod is
      // Ready after successThreshold consecutive successes, the first at or after app_up.
      const ReadinessProbe& rp = cfg_.startup.readiness;
      const SimTime first = now + rp.initial_delay;
      int64_t k = 0;
      if (p.life.app_up > first)
        k = ((p.life.app_up - first).ns() + rp.period.ns() - 1) / rp.period.ns();
      const SimTime ready = first + rp.period * (k + rp.success_threshold - 1);
      schedule_step(p, ready, StepKind::kReadyNow, &p.life.timer);
      break;
    }
    case StepKind::kReadyNow:
      p.life.timer = {};
      became_ready(p);
      schedule_step(p, now + cfg_.startup.endpoint_delay, StepKind::kEndpoint, &p.life.timer);
      break;
    case StepKind::kEndpoint:
      p.life.timer = {};
      p.life.endpoint_timer = {};
      if (p.life.ready_condition) add_endpoint(p);
      break;
    case StepKind::kEndpointOut:
      p.life.endpoint_timer = {};
      if (p.life.in_endpoints && !p.life.ready_condition) remove_endpoint(p);
      if (p.life.state == PodState::kReady && !p.life.in_endpoints)
        set_state(p, PodState::kUnready);
      maybe_finalize(p);
      break;
    case StepKind::kSigterm:
      p.life.signal_timer = {};
      stop_serving(p);
      break;
    case StepKind::kRestart:
      p.life.timer = {};
      schedule_step(p, now + sample(cfg_.startup.container), StepKind::kContainerStarted,
                    &p.life.timer);
      break;
    case StepKind::kGraceOver:
      p.life.timer = {};
      finalize(p);
      break;
    case StepKind::kWarmup:
      p.life.warmup_timer = {};
      update_warmup(p);
      break;
  }
}

void Deployment::became_ready(Pod& p) {
  const SimTime now = sim_.now();
  p.life.ready_condition = true;
  p.life.ready_at = now;
  start_latencies_s_.push_back((now - p.life.created).seconds());
  if (start_latencies_s_.size() > 64) start_latencies_s_.erase(start_latencies_s_.begin());
  rec_.event(now, component_, "pod", p.life.name + " Ready",
             sim::EventDetails()
                 .add("pod", p.life.name)
                 .add("condition", "Ready")
                 .add("start_latency_s", (now - p.life.created).seconds()));
}

void Deployment::add_endpoint(Pod& p) {
  if (!p.life.serving) {
    account();
    serving_cores_ += cfg_.pod.cores;
    p.life.serving = true;
  }
  p.life.serving_since = sim_.now();
  p.life.in_endpoints = true;
  set_state(p, PodState::kReady);
  if (cfg_.startup.warmup_factor > 0) update_warmup(p);
  endpoints_.endpoint_added(p);
  sync();
}

void Deployment::remove_endpoint(Pod& p) {
  p.life.in_endpoints = false;
  endpoints_.endpoint_removed(p);
}

void Deployment::on_readiness(Pod& p, bool ready) {
  const PodState s = p.life.state;
  if (s == PodState::kTerminating || s == PodState::kTerminated) return;
  const SimTime now = sim_.now();
  if (ready) {
    if (p.life.ready_condition && p.life.in_endpoints) return;  // already ready
    if (p.life.in_endpoints) {  // back before its removal reached the balancer
      sim_.cancel(p.life.endpoint_timer);
      p.life.endpoint_timer = {};
      p.life.ready_condition = true;
      p.life.ready_at = now;  // the Ready condition's lastTransitionTime
      return;
    }
    if (s == PodState::kBooting && !p.life.serving) {
      became_ready(p);
    } else {
      p.life.ready_condition = true;
      p.life.ready_at = now;
      rec_.event(now, component_, "pod", p.life.name + " Ready again",
                 sim::EventDetails().add("pod", p.life.name).add("condition", "Ready"));
    }
    sim_.cancel(p.life.endpoint_timer);
    schedule_step(p, now + cfg_.startup.endpoint_delay, StepKind::kEndpoint,
                  &p.life.endpoint_timer);
    return;
  }
  if (!p.life.ready_condition) return;
  // Every change of the Ready condition moves its lastTransitionTime, which the HPA reads: a pod
  // that was Ready and then failed its probe is not "never Ready" (hpa.md §3.2).
  p.life.ready_condition = false;
  p.life.ready_at = now;
  rec_.event(now, component_, "pod", p.life.name + " NotReady (readiness probe failed)",
             sim::EventDetails()
                 .add("pod", p.life.name)
                 .add("condition", "NotReady")
                 .add("reason", "readiness probe failed"));
  sim_.cancel(p.life.endpoint_timer);
  p.life.endpoint_timer = {};
  if (p.life.in_endpoints) {
    schedule_step(p, now + cfg_.startup.endpoint_delay, StepKind::kEndpointOut,
                  &p.life.endpoint_timer);
  }
}

SimTime Deployment::restart_delay(Pod& p) {
  // CrashLoopBackOff (kubelet): the first restart at once, with a back-off of 10 s noted; a
  // failure within the back-off since the last restart waits for it to run out; each restart
  // doubles it up to 300 s; a container that ran 10 minutes since then starts afresh.
  const SimTime now = sim_.now();
  const SimTime initial = sim::seconds(10), cap = sim::seconds(300);
  if (p.life.backoff == SimTime::zero() || now - p.life.backoff_since > sim::seconds(600)) {
    p.life.backoff = initial;
    p.life.backoff_since = now;
    return SimTime::zero();
  }
  const SimTime at = std::max(now, p.life.backoff_since + p.life.backoff);
  p.life.backoff = std::min(p.life.backoff * 2, cap);
  p.life.backoff_since = at;
  return at - now;
}

void Deployment::on_container_failed(Pod& p, ProbeKind kind) {
  const PodState s = p.life.state;
  if (s == PodState::kTerminating || s == PodState::kTerminated) return;
  const SimTime now = sim_.now();
  prober_->container_stopped(p);
  ++p.life.restarts;
  const SimTime delay = restart_delay(p);
  rec_.event(now, component_, "pod",
             p.life.name + " container restarted: " + probe_kind_name(kind) +
                 " probe failed (restart " + std::to_string(p.life.restarts) + ", back-off " +
                 sim::format_duration(delay) + ")",
             sim::EventDetails()
                 .add("pod", p.life.name)
                 .add("reason", std::string(probe_kind_name(kind)) + " probe failed")
                 .add("restarts", p.life.restarts)
                 .add("backoff_s", delay.seconds()));
  p.life.running = false;
  p.life.refusing = true;
  if (p.life.ready_condition) p.life.ready_at = sim_.now();
  p.life.ready_condition = false;
  sim_.cancel(p.life.warmup_timer);
  sim_.cancel(p.life.timer);
  sim_.cancel(p.life.endpoint_timer);
  p.life.endpoint_timer = {};
  if (p.load() > 0) p.kill(FailureCause::kAborted);
  if (p.life.in_endpoints) {
    // The balancer learns of it after the endpoints propagate; until then requests are refused.
    schedule_step(p, now + cfg_.startup.endpoint_delay, StepKind::kEndpointOut,
                  &p.life.endpoint_timer);
  }
  set_state(p, PodState::kBooting);
  schedule_step(p, now + delay, StepKind::kRestart, &p.life.timer);
}

void Deployment::stop_serving(Pod& p) {
  p.life.refusing = true;
  maybe_finalize(p);
}

void Deployment::maybe_finalize(Pod& p) {
  if (p.life.state == PodState::kTerminating && p.life.refusing && !p.life.in_endpoints &&
      p.load() == 0)
    finalize(p);
}

void Deployment::update_warmup(Pod& p) {
  const PodState s = p.life.state;
  if (s != PodState::kReady && s != PodState::kUnready && s != PodState::kTerminating) return;
  const double t = (sim_.now() - p.life.serving_since).seconds();
  const double tau = cfg_.startup.warmup_tau.seconds();
  const double extra = cfg_.startup.warmup_factor * std::exp(-t / tau);
  if (extra < 0.005) {
    p.set_speed(1.0);
    return;
  }
  p.set_speed(1.0 / (1.0 + extra));
  const SimTime step = std::max(sim::seconds(1), cfg_.startup.warmup_tau / 10);
  schedule_step(p, sim_.now() + step, StepKind::kWarmup, &p.life.warmup_timer);
}

void Deployment::delete_pod(Pod& p, const char* why) {
  switch (p.life.state) {
    case PodState::kTerminating:
    case PodState::kTerminated:
      return;
    case PodState::kReady:
    case PodState::kUnready: {
      // Termination (Kubernetes' pod lifecycle): the endpoints controller removes the pod and the
      // balancers learn it `endpoint_delay` later; meanwhile the kubelet runs the preStop hook,
      // then sends SIGTERM: the application stops listening (requests still routed to it are
      // refused) and drains what it has, until the grace period ends and it is killed.
      const SimTime now = sim_.now();
      if (prober_) prober_->container_stopped(p);
      rec_.event(now, component_, "pod", p.life.name + " deleted (" + why + ")",
                 sim::EventDetails().add("pod", p.life.name).add("reason", why));
      if (p.life.ready_condition) p.life.ready_at = now;
      p.life.ready_condition = false;
      set_state(p, PodState::kTerminating);
      sim_.cancel(p.life.endpoint_timer);
      p.life.endpoint_timer = {};
      if (p.life.in_endpoints) {
        schedule_step(p, now + cfg_.startup.endpoint_delay, StepKind::kEndpointOut,
                      &p.life.endpoint_timer);
      }
      schedule_step(p, now + cfg_.termination_grace, StepKind::kGraceOver, &p.life.timer);
      if (cfg_.pre_stop > SimTime::zero()) {
        schedule_step(p, now + cfg_.pre_stop, StepKind::kSigterm, &p.life.signal_timer);
      } else {
        stop_serving(p);
      }
      return;
    }
    default:
      break;
  }
  // Not serving yet: stop the start-up and free the node at once.
  if (prober_) prober_->container_stopped(p);
  sim_.cancel(p.life.timer);
  p.life.timer = {};
  sim_.cancel(p.life.endpoint_timer);
  p.life.endpoint_timer = {};
  if (p.life.in_endpoints) remove_endpoint(p);  // a restarting pod not yet out of the endpoints
  if (p.load() > 0) p.kill(FailureCause::kAborted);
  if (p.life.state != PodState::kPending) {
    account();
    --billable_;
    if (p.life.serving) serving_cores_ -= cfg_.pod.cores;
    retired_cpu_ += p.cpu_used_ns();
    nodes_.release(p.life.node, cfg_.pod.cores);
  }
  rec_.event(sim_.now(), component_, "pod", p.life.name + " deleted (" + why + ")",
             sim::EventDetails().add("pod", p.life.name).add("reason", why));
  const bool placed = p.life.state != PodState::kPending;
  set_state(p, PodState::kTerminated);
  if (placed) refit_node(p.life.node);
  dead_slots_.push_back(p.index());
  reclaim_slots();
  schedule_pending();
}

void Deployment::finalize(Pod& p) {
  if (p.life.state != PodState::kTerminating) return;
  sim_.cancel(p.life.timer);
  p.life.timer = {};
  sim_.cancel(p.life.warmup_timer);
  sim_.cancel(p.life.endpoint_timer);
  sim_.cancel(p.life.signal_timer);
  if (p.life.in_endpoints) remove_endpoint(p);
  if (p.load() > 0) p.kill(FailureCause::kAborted);
  account();
  --billable_;
  if (p.life.serving) serving_cores_ -= cfg_.pod.cores;
  retired_cpu_ += p.cpu_used_ns();
  nodes_.release(p.life.node, cfg_.pod.cores);
  set_state(p, PodState::kTerminated);
  refit_node(p.life.node);
  dead_slots_.push_back(p.index());
  reclaim_slots();
  schedule_pending();
  sync();
}

void Deployment::refit_node(uint32_t node) {
  if (!burstable_) return;
  // CFS shares when every pod on the node is busy: the node's cores in proportion to the
  // requests (equal here: one deployment per site), never below the request (the scheduler
  // guarantees it) nor above the limit (the CFS quota throttles the rest).
  std::vector<Pod*> on;
  for (const auto& slot : slots_) {
    if (!slot || slot->life.node != node) continue;
    const PodState s = slot->life.state;
    if (s != PodState::kPending && s != PodState::kTerminated) on.push_back(slot.get());
  }
  if (on.empty()) return;
  const double share = nodes_.shape_of(node).cpu / static_cast<double>(on.size());
  const double cores = std::clamp(share, cfg_.pod.cores, cfg_.pod.limit);
  for (Pod* p : on) p->set_cores(cores);
}

void Deployment::reclaim_slots() {
  // Terminated pods are destroyed in an event of their own: the one that terminated them may
  // still be running inside the pod (a completion that drained it).
  if (reclaim_scheduled_ || dead_slots_.empty()) return;
  reclaim_scheduled_ = true;
  struct Reclaim {
    Deployment* self;
    void operator()() const {
      self->reclaim_scheduled_ = false;
      for (uint32_t s : self->dead_slots_) {
        self->slots_[s].reset();
        self->free_slots_.push_back(s);
      }
      self->dead_slots_.clear();
    }
  };
  sim_.schedule_in(SimTime::zero(), Reclaim{this}, sim::Simulator::kPriorityLast);
}

void Deployment::on_pod_drained(Pod& p) { maybe_finalize(p); }

std::vector<Pod*> Deployment::active_pods_of(int revision) {
  std::vector<Pod*> out;
  for (const auto& slot : slots_) {
    if (!slot || slot->life.revision != revision) continue;
    const PodState s = slot->life.state;
    if (s != PodState::kTerminating && s != PodState::kTerminated) out.push_back(slot.get());
  }
  return out;
}

void Deployment::scale_to(int32_t replicas, std::string_view by) {
  if (replicas < 0) replicas = 0;
  if (replicas == desired_) return;
  const int32_t before = desired_;
  if (!rolling_) {
    rsets_.back().replicas = replicas;
  } else if (replicas > desired_) {
    rsets_.back().replicas += replicas - desired_;
  } else {
    int32_t remove = desired_ - replicas;
    for (ReplicaSet& r : rsets_) {
      const int32_t d = std::min(remove, r.replicas);
      r.replicas -= d;
      remove -= d;
    }
  }
  desired_ = replicas;
  rec_.event(sim_.now(), component_, "deployment",
             "replicas " + std::to_string(before) + " -> " + std::to_string(replicas) + " (" +
                 std::string(by) + ")",
             sim::EventDetails().add("from", before).add("to", replicas).add("by", by));
  sync();
}

void Deployment::rollout(const ImageSpec& image, const RolloutStrategy& strategy) {
  const int revision = rsets_.back().revision + 1;
  rsets_.push_back({revision, image, 0});
  rolling_ = true;
  strategy_ = strategy;
  rec_.event(
      sim_.now(), component_, "rollout",
      "rolling update to " + image.name + " started (revision " + std::to_string(revision) + ")",
      sim::EventDetails().add("image", image.name).add("revision", revision));
  sync();
}

void Deployment::rollout_step() {
  ReplicaSet& nw = rsets_.back();
  const int max_surge = strategy_.max_surge.resolve(desired_, true);
  int max_unavailable = strategy_.max_unavailable.resolve(desired_, false);
  if (max_surge == 0 && max_unavailable == 0) max_unavailable = 1;
  int32_t total_spec = 0;
  for (const ReplicaSet& r : rsets_) total_spec += r.replicas;
  bool changed = false;
  // Scale the new ReplicaSet up within desired + maxSurge.
  if (nw.replicas < desired_) {
    const int32_t add =
        std::min(desired_ - nw.replicas, std::max(0, desired_ + max_surge - total_spec));
    if (add > 0) {
      nw.replicas += add;
      changed = true;
    }
  }
  // Scale old ReplicaSets down while enough pods stay available.
  int all_pods = 0, ready = 0, new_unavailable = 0;
  for (const auto& slot : slots_) {
    if (!slot) continue;
    const PodState s = slot->life.state;
    if (s == PodState::kTerminating || s == PodState::kTerminated) continue;
    ++all_pods;
    if (s == PodState::kReady) ++ready;
    if (slot->life.revision == nw.revision && s != PodState::kReady) ++new_unavailable;
  }
  const int min_available = desired_ - max_unavailable;
  int max_scaled_down = all_pods - min_available - new_unavailable;
  for (std::size_t i = 0; i + 1 < rsets_.size() && max_scaled_down > 0; ++i) {
    // Unhealthy old pods go first: removing them costs no availability.
    int unhealthy = 0;
    for (Pod* p : active_pods_of(rsets_[i].revision))
      unhealthy += p->life.state != PodState::kReady ? 1 : 0;
    const int d = std::min({unhealthy, max_scaled_down, static_cast<int>(rsets_[i].replicas)});
    if (d > 0) {
      rsets_[i].replicas -= d;
      max_scaled_down -= d;
      changed = true;
    }
  }
  int total_down = ready - min_available;
  for (std::size_t i = 0; i + 1 < rsets_.size() && total_down > 0; ++i) {
    const int d = std::min(total_down, static_cast<int>(rsets_[i].replicas));
    if (d > 0) {
      rsets_[i].replicas -= d;
      total_down -= d;
      changed = true;
    }
  }
  int new_ready = 0, old_active = 0;
  for (const auto& slot : slots_) {
    if (!slot || slot->life.state == PodState::kTerminated) continue;
    if (slot->life.revision == nw.revision) {
      new_ready += slot->life.state == PodState::kReady ? 1 : 0;
    } else {
      ++old_active;
    }
  }
  int32_t old_spec = 0;
  for (std::size_t i = 0; i + 1 < rsets_.size(); ++i) old_spec += rsets_[i].replicas;
  if (changed) {
    rec_.event(sim_.now(), component_, "rollout",
               "rollout step: new " + std::to_string(nw.replicas) + ", old " +
                   std::to_string(old_spec) + ", ready " + std::to_string(ready) + "/" +
                   std::to_string(desired_),
               sim::EventDetails()
                   .add("new_replicas", nw.replicas)
                   .add("old_replicas", old_spec)
                   .add("ready", ready)
                   .add("max_surge", max_surge)
                   .add("max_unavailable", max_unavailable));
  }
  if (old_spec == 0 && old_active == 0 && nw.replicas == desired_ && new_ready == desired_) {
    rolling_ = false;
    const ReplicaSet done = nw;
    rsets_.erase(rsets_.begin(), rsets_.end() - 1);  // invalidates nw
    rec_.event(sim_.now(), component_, "rollout", "rollout to " + done.image.name + " complete",
               sim::EventDetails().add("image", done.image.name).add("revision", done.revision));
  }
}

void Deployment::kill_pods(uint32_t node, FailureCause cause) {
  std::vector<Pod*> victims;
  for (const auto& slot : slots_) {
    if (!slot || slot->life.state == PodState::kTerminated) continue;
    const bool on_node = slot->life.state != PodState::kPending && slot->life.node == node;
    if (node == kAllNodes || on_node) victims.push_back(slot.get());
  }
  for (Pod* p : victims) {
    Pod& pod = *p;
    sim_.cancel(pod.life.timer);
    pod.life.timer = {};
    sim_.cancel(pod.life.warmup_timer);
    sim_.cancel(pod.life.endpoint_timer);
    sim_.cancel(pod.life.signal_timer);
    if (prober_) prober_->container_stopped(pod);
    const PodState s = pod.life.state;
    if (pod.life.in_endpoints) remove_endpoint(pod);
    if (pod.load() > 0) pod.kill(cause);
    account();
    if (pod.life.serving) serving_cores_ -= cfg_.pod.cores;
    retired_cpu_ += pod.cpu_used_ns();
    if (s != PodState::kPending) {
      --billable_;
      nodes_.release(pod.life.node, cfg_.pod.cores);
    }
    rec_.event(
        sim_.now(), component_, "pod", pod.life.name + " killed",
        sim::EventDetails().add("pod", pod.life.name).add("reason", failure_cause_name(cause)));
    set_state(pod, PodState::kTerminated);
    dead_slots_.push_back(pod.index());
  }
  reclaim_slots();
  sync();
}

void Deployment::set_frozen(bool frozen) {
  frozen_ = frozen;
  if (!frozen_) sync();
}

void Deployment::set_capacity_factor(double factor) {
  capacity_factor_ = factor;
  for (const auto& slot : slots_) {
    if (slot && slot->life.state != PodState::kTerminated) slot->set_capacity_factor(factor);
  }
}

void Deployment::sync() {
  if (frozen_) return;
  if (syncing_) {
    resync_ = true;
    return;
  }
  syncing_ = true;
  do {
    resync_ = false;
    if (rolling_) rollout_step();
    for (std::size_t r = 0; r < rsets_.size(); ++r) {
      const ReplicaSet set = rsets_[r];
      std::vector<Pod*> pods = active_pods_of(set.revision);
      const int have = static_cast<int>(pods.size());
      if (have < set.replicas) {
        for (int i = have; i < set.replicas; ++i) create_pod(set.revision, false);
      } else if (have > set.replicas) {
        // ReplicaSet deletion order: unscheduled, not running, not ready, then the most
        // recently ready, then the newest.
        auto rank = [](const Pod* p) {
          switch (p->life.state) {
            case PodState::kPending:
              return 0;
            case PodState::kScheduling:
            case PodState::kPulling:
              return 1;
            case PodState::kBooting:
              return p->life.running ? (p->life.ready_condition ? 3 : 2) : 1;
            case PodState::kUnready:
              return 2;
            default:
              return 4;
          }
        };
        std::stable_sort(pods.begin(), pods.end(), [&](const Pod* a, const Pod* b) {
          if (rank(a) != rank(b)) return rank(a) < rank(b);
          if (a->life.ready_at != b->life.ready_at) return a->life.ready_at > b->life.ready_at;
          return a->life.generation > b->life.generation;
        });
        for (int i = 0; i < have - set.replicas; ++i)
          delete_pod(*pods[static_cast<std::size_t>(i)], "scale down");
      }
    }
  } while (resync_);
  syncing_ = false;
}

void Deployment::start() {
  for (int i = 0; i < cfg_.replicas; ++i) create_pod(1, true);
}

void Deployment::evict_node(uint32_t node, const char* why) {
  // Deleting the pods; the ReplicaSet replaces them (elsewhere: the node is draining).
  std::vector<Pod*> victims;
  for (const auto& slot : slots_) {
    if (!slot || slot->life.node != node) continue;
    const PodState s = slot->life.state;
    if (s == PodState::kPending || s == PodState::kTerminating || s == PodState::kTerminated)
      continue;
    victims.push_back(slot.get());
  }
  for (Pod* p : victims) delete_pod(*p, why);
  sync();
}

int Deployment::count(PodState s) const {
  int c = 0;
  for (const auto& slot : slots_) c += slot && slot->life.state == s ? 1 : 0;
  return c;
}

int32_t Deployment::active_replicas() const {
  int32_t c = 0;
  for (const auto& slot : slots_) {
    if (!slot) continue;
    const PodState s = slot->life.state;
    c += (s != PodState::kTerminating && s != PodState::kTerminated) ? 1 : 0;
  }
  return c;
}

std::vector<double> Deployment::pending_cpu_requests() const {
  std::vector<double> out;
  for (const auto& slot : slots_) {
    if (slot && slot->life.state == PodState::kPending) out.push_back(cfg_.pod.cores);
  }
  return out;
}

int Deployment::pods_on_node(uint32_t node) const {
  int c = 0;
  for (const auto& slot : slots_) {
    if (!slot) continue;
    const PodState s = slot->life.state;
    if (s != PodState::kPending && s != PodState::kTerminated && slot->life.node == node) ++c;
  }
  return c;
}

void Deployment::snapshot_pods(std::vector<PodSnapshot>* out) {
  out->clear();
  out->reserve(slots_.size());  // exact, not doubled: ten thousand pods are 2 MB of snapshots
  for (const auto& slot : slots_) {
    if (!slot || slot->life.state == PodState::kTerminated) continue;
    Pod& p = *slot;
    PodSnapshot s;
    s.id = p.life.generation;
    s.name = p.life.name;
    s.scheduled = p.life.state != PodState::kPending && p.life.state != PodState::kScheduling;
    s.running = p.life.running;
    s.ready = p.life.ready_condition;
    s.deleting = p.life.state == PodState::kTerminating;
    s.start_time = p.life.start_time;
    s.ready_transition = p.life.ready_at;
    s.cpu_request = cfg_.pod.cores;
    s.memory_request = cfg_.memory.request_bytes;
    s.cpu_used_core_ns = p.cpu_used_ns();
    s.completed = p.completed();
    s.load_area = p.load_area();
    s.memory_bytes = cfg_.memory.base_bytes + cfg_.memory.per_request_bytes * p.load();
    out->push_back(std::move(s));
  }
}

SimTime Deployment::observed_start_latency() const {
  if (start_latencies_s_.empty()) return SimTime::zero();
  std::vector<double> v = start_latencies_s_;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return SimTime::from_seconds(v[v.size() / 2]);
}

}  // namespace models
