#include "models/site/site.h"

#include <limits>

namespace models {

const char* balancing_name(Balancing b) {
  switch (b) {
    case Balancing::kRandom: return "random";
    case Balancing::kRoundRobin: return "round-robin";
    case Balancing::kLeastRequest: return "least-request";
    case Balancing::kPowerOfTwo: return "p2c";
    case Balancing::kSharedQueue: return "shared-queue";
  }
  return "?";
}

Site::Site(sim::Simulator& sim, sim::RngStream lb_rng, RequestPool& pool, const SiteConfig& cfg,
           int index)
    : sim_(sim), rng_(std::move(lb_rng)), pool_(pool), cfg_(cfg), index_(index) {}

void Site::start() {
  pods_.reserve(static_cast<std::size_t>(cfg_.replicas));
  for (int i = 0; i < cfg_.replicas; ++i) {
    pods_.push_back(
        std::make_unique<Pod>(sim_, pool_, cfg_.pod, static_cast<PodListener&>(*this),
                             static_cast<uint32_t>(i)));
    ready_.push_back(pods_.back().get());
  }
  inflight_since_ = capacity_since_ = sim_.now();
}

void Site::change_inflight(int delta) {
  const sim::SimTime now = sim_.now();
  inflight_area_ += static_cast<double>(inflight_) * static_cast<double>((now - inflight_since_).ns());
  inflight_since_ = now;
  inflight_ += delta;
}

void Site::fail(RequestId id, FailureCause cause) {
  pool_[id].client->on_failure(id, cause);
}

Pod* Site::least_loaded(bool need_free_worker) {
  // Scan from a rotating start so ties spread over the pods instead of piling on the first.
  const std::size_t n = ready_.size();
  const std::size_t start = rr_next_++ % n;
  Pod* best = nullptr;
  int best_load = std::numeric_limits<int>::max();
  for (std::size_t k = 0; k < n; ++k) {
    Pod* p = ready_[(start + k) % n];
    if (need_free_worker && !p->has_free_worker()) continue;
    const int load = need_free_worker ? p->in_service() : p->load();
    if (load < best_load) {
      best = p;
      best_load = load;
      if (load == 0) break;
    }
  }
  return best;
}

Pod* Site::pick_pod() {
  const std::size_t n = ready_.size();
  switch (cfg_.balancing) {
    case Balancing::kRandom: return ready_[rng_.uniform_int(0, n - 1)];
    case Balancing::kRoundRobin: return ready_[rr_next_++ % n];
    case Balancing::kLeastRequest: return least_loaded(false);
    case Balancing::kPowerOfTwo: {
      Pod* a = ready_[rng_.uniform_int(0, n - 1)];
      Pod* b = ready_[rng_.uniform_int(0, n - 1)];
      return b->load() < a->load() ? b : a;
    }
    case Balancing::kSharedQueue: break;
  }
  return nullptr;
}

void Site::submit(RequestId id) {
  if (ready_.empty()) {
    fail(id, FailureCause::kUnavailable);
    return;
  }
  if (cfg_.balancing == Balancing::kSharedQueue) {
    if (Pod* p = least_loaded(true)) {
      change_inflight(+1);
      p->start(id);
      return;
    }
    const std::size_t limit =
        cfg_.pod.queue == PodConfig::kUnlimited
            ? std::numeric_limits<std::size_t>::max()
            : static_cast<std::size_t>(cfg_.pod.queue) * ready_.size();
    if (shared_queue_.size() < limit) {
      change_inflight(+1);
      shared_queue_.push_back(id);
      return;
    }
    fail(id, FailureCause::kRejected);
    return;
  }
  if (pick_pod()->offer(id)) {
    change_inflight(+1);
  } else {
    fail(id, FailureCause::kRejected);
  }
}

void Site::on_pod_done(Pod& pod, RequestId id) {
  change_inflight(-1);
  if (!shared_queue_.empty() && pod.has_free_worker()) pod.start(shared_queue_.pop_front());
  pool_[id].client->on_response(id);
}

SiteGauges Site::gauges() {
  change_inflight(0);
  const sim::SimTime now = sim_.now();
  const double dt = static_cast<double>((now - capacity_since_).ns());
  double cores = 0;
  for (const Pod* p : ready_) cores += p->config().cores;
  capacity_ += cores * dt;
  pod_time_ += static_cast<double>(pods_.size()) * dt;
  capacity_since_ = now;

  SiteGauges g;
  g.inflight = inflight_;
  g.inflight_area = inflight_area_;
  for (const auto& p : pods_) g.cpu_used += p->cpu_used_ns();
  g.cpu_capacity = capacity_;
  g.pod_time = pod_time_;
  g.replicas_desired = cfg_.replicas;
  g.replicas_ready = static_cast<int>(ready_.size());
  return g;
}

}  // namespace models
