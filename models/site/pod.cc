#include "models/site/pod.h"

#include <algorithm>
#include <cmath>

namespace models {

const char* pod_state_name(PodState s) {
  switch (s) {
    case PodState::kPending:
      return "pending";
    case PodState::kScheduling:
      return "scheduling";
    case PodState::kPulling:
      return "pulling";
    case PodState::kBooting:
      return "booting";
    case PodState::kReady:
      return "ready";
    case PodState::kUnready:
      return "unready";
    case PodState::kTerminating:
      return "terminating";
    case PodState::kTerminated:
      return "terminated";
  }
  return "?";
}

Pod::Pod(sim::Simulator& sim, RequestPool& pool, const PodConfig& cfg, PodListener& listener,
         uint32_t index)
    : sim_(sim), pool_(pool), listener_(listener), cfg_(cfg), index_(index), last_(sim.now()) {
  SIM_ASSERT(cfg_.cores > 0 && cfg_.concurrency > 0 && cfg_.queue >= 0, "invalid pod config");
  parking_ = cfg_.parks;
}

double Pod::rate() const {
  const double n = static_cast<double>(jobs_.size());
  return n <= cfg_.cores ? speed_ : speed_ * cfg_.cores / n;
}

void Pod::advance() {
  const sim::SimTime now = sim_.now();
  if (!jobs_.empty() && now > last_) {
    const double dt = static_cast<double>((now - last_).ns());
    vtime_ += dt * rate();
    cpu_used_ns_ += dt * std::min(static_cast<double>(jobs_.size()), cfg_.cores);
    load_area_ += dt * static_cast<double>(jobs_.size() + waiting_.size() + parked_.size());
  } else if (!parked_.empty() && now > last_) {
    load_area_ += static_cast<double>((now - last_).ns()) *
                  static_cast<double>(waiting_.size() + parked_.size());
  }
  last_ = now;
}

bool Pod::offer(RequestId id) {
  if (has_free_worker()) {
    start(id);
    return true;
  }
  if (queued() < cfg_.queue) {
    waiting_.push_back(id);
    load_changed();
    return true;
  }
  return false;
}

void Pod::start(RequestId id) {
  advance();
  admit(id);
  load_changed();
  if (!completing_) reschedule();  // on_completion() reschedules once at its end
}

void Pod::admit(RequestId id) {
  SIM_ASSERT(has_free_worker(), "pod has no free worker");
  jobs_.push_back({vtime_ + pool_[id].demand_ns, id});
  std::push_heap(jobs_.begin(), jobs_.end(), later);
}

void Pod::reschedule() {
  if (jobs_.empty()) {
    vtime_ = 0;  // idle: restart virtual time so it stays small
    if (completion_) sim_.cancel(completion_);
    completion_ = {};
    return;
  }
  const double remaining = std::max(0.0, jobs_.front().tag - vtime_);
  // Ceiling without a library call (std::ceil is one on baseline x86-64).
  const double dt = remaining / rate();
  int64_t dt_ns = static_cast<int64_t>(dt);
  if (static_cast<double>(dt_ns) < dt) ++dt_ns;
  const sim::SimTime at = sim_.now() + sim::nanoseconds(dt_ns);
  if (at == completion_at_ && sim_.pending(completion_)) return;
  completion_at_ = at;
  if (!sim_.reschedule(completion_, at)) {
    // The pod's serving state (its first jobs included) is prefetched when the completion comes
    // near the front of the event queue (with thousands of pods it is not in cache by then).
    struct Complete {
      Pod* pod;
      void operator()() const { pod->on_completion(); }
      void prefetch() const {
        const char* p = reinterpret_cast<const char*>(pod);
        for (std::size_t off = 0; off < kHotBytes; off += 64) __builtin_prefetch(p + off);
      }
    };
    completion_ = sim_.schedule_at(at, Complete{this});
  }
}

void Pod::on_completion() {
  completion_ = {};
  advance();
  std::pop_heap(jobs_.begin(), jobs_.end(), later);
  const RequestId done = jobs_.back().id;
  jobs_.pop_back();
  if (parking_ && !pool_[done].probe) {
    parked_.push_back(done);  // keeps its worker
    load_changed();
    completing_ = true;
    listener_.on_pod_parked(*this, done);
    completing_ = false;
    reschedule();
    return;
  }
  ++completed_;
  if (!waiting_.empty()) admit(waiting_.pop_front());
  load_changed();
  // The listener may start another request here (shared-queue balancing) before we reschedule.
  completing_ = true;
  listener_.on_pod_done(*this, done);
  completing_ = false;
  reschedule();
}

void Pod::end_parked(RequestId id) {
  const auto it = std::find(parked_.begin(), parked_.end(), id);
  SIM_ASSERT(it != parked_.end(), "ending a request that is not parked");
  advance();
  *it = parked_.back();
  parked_.pop_back();
  if (!waiting_.empty()) admit(waiting_.pop_front());
  load_changed();
}

void Pod::unpark(RequestId id) {
  end_parked(id);
  ++completed_;
  completing_ = true;
  listener_.on_pod_done(*this, id);
  completing_ = false;
  reschedule();
}

void Pod::fail_parked(RequestId id, FailureCause cause) {
  end_parked(id);
  completing_ = true;
  listener_.on_pod_failed(*this, id, cause);
  completing_ = false;
  reschedule();
}

double Pod::cpu_used_ns() {
  advance();
  return cpu_used_ns_;
}

double Pod::load_area() {
  advance();
  return load_area_;
}

void Pod::kill(FailureCause cause) {
  advance();
  if (completion_) sim_.cancel(completion_);
  completion_ = {};
  // Collect first: failing a request may make the client send another one elsewhere.
  std::vector<RequestId> victims;
  victims.reserve(jobs_.size() + parked_.size() + waiting_.size());
  for (const Job& j : jobs_) victims.push_back(j.id);
  for (RequestId id : parked_) victims.push_back(id);
  while (!waiting_.empty()) victims.push_back(waiting_.pop_front());
  jobs_.clear();
  parked_.clear();
  vtime_ = 0;
  load_changed();
  for (RequestId id : victims) listener_.on_pod_failed(*this, id, cause);
}

void Pod::set_speed(double s) {
  SIM_ASSERT(s > 0, "pod speed must be positive");
  advance();
  warm_ = s;
  speed_ = warm_ * factor_;
  reschedule();
}

void Pod::set_cores(double c) {
  SIM_ASSERT(c > 0, "pod cores must be positive");
  if (c == cfg_.cores) return;
  advance();
  cfg_.cores = c;
  reschedule();
}

void Pod::set_capacity_factor(double f) {
  SIM_ASSERT(f > 0, "capacity factor must be positive");
  advance();
  factor_ = f;
  speed_ = warm_ * factor_;
  reschedule();
}

}  // namespace models
