#include "models/site/site.h"

#include <cstdio>
#include <limits>

namespace models {

const char* balancing_name(Balancing b) {
  switch (b) {
    case Balancing::kRandom:
      return "random";
    case Balancing::kRoundRobin:
      return "round-robin";
    case Balancing::kLeastRequest:
      return "least-request";
    case Balancing::kPowerOfTwo:
      return "p2c";
    case Balancing::kSharedQueue:
      return "shared-queue";
  }
  return "?";
}

Site::Site(sim::Simulator& sim, sim::RngStream lb_rng, RequestPool& pool, const SiteConfig& cfg,
           int index, sim::Recorder& rec)
    : sim_(sim),
      rng_(std::move(lb_rng)),
      pool_(pool),
      cfg_(cfg),
      index_(index),
      rec_(rec),
      component_("site/" + cfg.name) {}

void Site::start() {
  pods_.reserve(static_cast<std::size_t>(cfg_.replicas));
  for (int i = 0; i < cfg_.replicas; ++i) {
    pods_.push_back(std::make_unique<Pod>(sim_, pool_, cfg_.pod, static_cast<PodListener&>(*this),
                                          static_cast<uint32_t>(i)));
    ready_.push_back(pods_.back().get());
  }
  inflight_since_ = capacity_since_ = sim_.now();
  auto limit = [](int v) {
    return v == PodConfig::kUnlimited ? std::string("\"unlimited\"") : std::to_string(v);
  };
  char details[200];
  std::snprintf(details, sizeof details,
                "{\"replicas\":%d,\"cpu\":%g,\"concurrency\":%s,\"queue\":%s,\"balancing\":\"%s\"}",
                cfg_.replicas, cfg_.pod.cores, limit(cfg_.pod.concurrency).c_str(),
                limit(cfg_.pod.queue).c_str(), balancing_name(cfg_.balancing));
  rec_.event(sim_.now(), component_, "deployment",
             std::to_string(cfg_.replicas) + " pods ready (" + balancing_name(cfg_.balancing) + ")",
             details);
}

void Site::change_inflight(int delta) {
  const sim::SimTime now = sim_.now();
  inflight_area_ +=
      static_cast<double>(inflight_) * static_cast<double>((now - inflight_since_).ns());
  inflight_since_ = now;
  inflight_ += delta;
}

void Site::fail(RequestId id, FailureCause cause) { pool_[id].client->on_failure(id, cause); }

Pod* Site::least_loaded(bool need_free_worker) {
  // Scan from a rotating start so ties spread over the pods instead of piling on the first.
  const std::size_t n = ready_.size();
  if (++rr_next_ >= n) rr_next_ = 0;
  Pod* best = nullptr;
  int best_load = std::numeric_limits<int>::max();
  auto consider = [&](Pod* p) {
    if (need_free_worker && !p->has_free_worker()) return false;
    const int load = need_free_worker ? p->in_service() : p->load();
    if (load < best_load) {
      best = p;
      best_load = load;
    }
    return load == 0;  // cannot do better
  };
  for (std::size_t k = rr_next_; k < n; ++k) {
    if (consider(ready_[k])) return best;
  }
  for (std::size_t k = 0; k < rr_next_; ++k) {
    if (consider(ready_[k])) return best;
  }
  return best;
}

Pod* Site::pick_pod() {
  const std::size_t n = ready_.size();
  switch (cfg_.balancing) {
    case Balancing::kRandom:
      return ready_[rng_.uniform_int(0, n - 1)];
    case Balancing::kRoundRobin:
      if (++rr_next_ >= n) rr_next_ = 0;
      return ready_[rr_next_];
    case Balancing::kLeastRequest:
      return least_loaded(false);
    case Balancing::kPowerOfTwo: {
      Pod* a = ready_[rng_.uniform_int(0, n - 1)];
      Pod* b = ready_[rng_.uniform_int(0, n - 1)];
      return b->load() < a->load() ? b : a;
    }
    case Balancing::kSharedQueue:
      break;
  }
  return nullptr;
}

void Site::submit(RequestId id) {
  if (ready_.empty()) {
    fail(id, FailureCause::kUnavailable);
    return;
  }
  if (cfg_.balancing == Balancing::kSharedQueue) {
    // Requests wait in the shared queue only while every worker is busy, so a non-empty queue
    // means there is no free worker to look for.
    if (Pod* p = shared_queue_.empty() ? least_loaded(true) : nullptr) {
      change_inflight(+1);
      p->start(id);
      return;
    }
    const std::size_t limit = cfg_.pod.queue == PodConfig::kUnlimited
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
