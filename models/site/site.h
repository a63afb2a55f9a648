// models/site/site.h: a site (one Kubernetes cluster in one cloud) serving requests with a
// deployment of pods behind an in-site load balancer.
//
// Balancing modes (how an arriving request picks a pod among the ready ones):
//   random         uniform choice (kube-proxy in iptables mode)
//   round-robin    in turn (kube-proxy in IPVS mode)
//   least-request  the pod with the fewest requests in service + queued (ties: in turn)
//   p2c            the less loaded of two random pods (Envoy's default least-request)
//   shared-queue   one FIFO queue for the site; a request waits there until any pod has a free
//                  worker, which then takes it (the ideal M/M/c dispatcher). The queue holds at
//                  most `queue` x ready pods requests.
// A request is rejected (503) when the chosen pod's worker slots and accept queue are full, or,
// for shared-queue, when the shared queue is full. With no ready pod it fails as unavailable.
//
// This step has a fixed deployment: `replicas` pods, ready from t = 0.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/common/request.h"
#include "models/common/ring_queue.h"
#include "models/common/site_gauges.h"
#include "models/site/pod.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

enum class Balancing { kRandom, kRoundRobin, kLeastRequest, kPowerOfTwo, kSharedQueue };
const char* balancing_name(Balancing b);

struct SiteConfig {
  std::string name;
  bool public_cloud = false;
  sim::SimTime rtt;  // client <-> site network round trip, added to response times
  PodConfig pod;
  Balancing balancing = Balancing::kLeastRequest;
  int replicas = 1;
};

class Site final : public RequestSink, public GaugeSource, private PodListener {
 public:
  Site(sim::Simulator& sim, sim::RngStream lb_rng, RequestPool& pool, const SiteConfig& cfg,
       int index, sim::Recorder& rec);
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  // Creates the initial pods (logged as a "deployment" event). Schedules nothing.
  void start();

  void submit(RequestId id) override;

  const SiteConfig& config() const { return cfg_; }
  const std::string& name() const override { return cfg_.name; }
  int index() const { return index_; }
  int ready_pods() const { return static_cast<int>(ready_.size()); }
  int inflight() const { return inflight_; }
  std::size_t shared_queue_length() const { return shared_queue_.size(); }
  Pod& pod(std::size_t i) { return *pods_[i]; }
  std::size_t pod_count() const { return pods_.size(); }

  SiteGauges gauges() override;

 private:
  void on_pod_done(Pod& pod, RequestId id) override;
  void fail(RequestId id, FailureCause cause);
  void change_inflight(int delta);
  Pod* pick_pod();
  Pod* least_loaded(bool need_free_worker);

  sim::Simulator& sim_;
  sim::RngStream rng_;
  RequestPool& pool_;
  SiteConfig cfg_;
  int index_;
  sim::Recorder& rec_;
  std::string component_;  // "site/<name>" in the event log

  std::vector<std::unique_ptr<Pod>> pods_;
  std::vector<Pod*> ready_;
  RingQueue<RequestId> shared_queue_;
  std::size_t rr_next_ = 0;

  int inflight_ = 0;
  double inflight_area_ = 0;
  sim::SimTime inflight_since_;
  double capacity_ = 0;  // cumulative cpu capacity, core-ns
  double pod_time_ = 0;
  sim::SimTime capacity_since_;
};

}  // namespace models
