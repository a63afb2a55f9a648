// models/site/deployment.h: a Deployment and the kubelets that run its pods.
//
// The controller keeps ReplicaSets (one per image revision) at their replica counts: it creates
// pods, which then go Pending (no node with room) -> scheduled (scheduler latency) -> image pull
// (skipped when the node has the image; serialized per node) -> container start -> application
// boot -> readiness probes (initialDelaySeconds, periodSeconds, successThreshold) -> Ready ->
// in the service's endpoints after the endpoint-propagation delay. It deletes pods in
// Kubernetes' order (unscheduled, then not running, then not ready, then the most recently
// ready, then the newest); a deleted pod leaves the endpoints, drains its requests and is killed
// when terminationGracePeriodSeconds runs out. A rolling update moves to a new image with
// maxSurge / maxUnavailable. Optional warm-up: service time x (1 + k e^(-t/tau)) after the pod
// starts serving (a cold JVM; models.md §3.4).
//
// Defaults come from models.md §3.7: scheduling LogN(0.5 s, 0.5), pull LogN(15 s, 0.8) (or
// size / bandwidth), container start LogN(0.6 s, 0.4), JVM boot LogN(6 s, 0.35), endpoint 1 s.
// Every pod state change goes to the event log (component "site/<name>", kind "pod").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/common/distribution.h"
#include "models/common/request.h"
#include "models/common/scalable_target.h"
#include "models/site/node_pool.h"
#include "models/site/pod.h"
#include "models/site/prober.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

struct ImageSpec {
  std::string name = "app:1";
  double size_bytes = 300e6;
};

struct ReadinessProbe {
  sim::SimTime initial_delay;              // initialDelaySeconds (0)
  sim::SimTime period = sim::seconds(10);  // periodSeconds (10)
  int success_threshold = 1;               // successThreshold (1)
};

struct StartupConfig {
  Distribution scheduling = Distribution::lognormal_median_sigma(0.5, 0.5);
  double pull_bandwidth = 0;  // bytes/s; 0 = draw the pull time from `pull`
  Distribution pull = Distribution::lognormal_median_sigma(15, 0.8);
  Distribution container = Distribution::lognormal_median_sigma(0.6, 0.4);
  Distribution boot = Distribution::lognormal_median_sigma(6, 0.35);
  ReadinessProbe readiness;
  sim::SimTime endpoint_delay = sim::seconds(1);
  double warmup_factor = 0;  // k: service time x (1 + k) at first; 0 = no warm-up
  sim::SimTime warmup_tau = sim::seconds(60);
};

struct MemoryModel {
  double request_bytes = 512.0 * 1024 * 1024;
  double base_bytes = 256.0 * 1024 * 1024;       // working set when idle
  double per_request_bytes = 1.0 * 1024 * 1024;  // per request in the pod
};

// A Kubernetes int-or-percent.
struct IntOrPercent {
  double value = 25;
  bool percent = true;
  int resolve(int desired, bool round_up) const;
};

struct RolloutStrategy {
  IntOrPercent max_surge{25, true};
  IntOrPercent max_unavailable{25, true};
};

struct DeploymentConfig {
  ImageSpec image;
  PodConfig pod;
  MemoryModel memory;
  StartupConfig startup;
  // The kubelet's probes for the pod's whole life. With a readiness (or startup) probe, readiness
  // comes from the probes; without, from startup.readiness (the start-up only).
  ProbeSet probes;
  sim::SimTime termination_grace = sim::seconds(30);
  sim::SimTime pre_stop;  // lifecycle.preStop sleep: SIGTERM comes this long after deletion
  RolloutStrategy rollout;
  int replicas = 1;  // at t = 0, ready, with the image cached on their nodes
};

// The site's load balancer, told when a pod enters or leaves the service's endpoints.
class EndpointListener {
 public:
  virtual ~EndpointListener() = default;
  virtual void endpoint_added(Pod& pod) = 0;
  virtual void endpoint_removed(Pod& pod) = 0;
};

class Deployment final : public ProbeListener {
 public:
  Deployment(sim::Simulator& sim, sim::RngStream rng, RequestPool& pool,
             const DeploymentConfig& cfg, NodePool& nodes, PodListener& pod_listener,
             EndpointListener& endpoints, sim::Recorder& rec, std::string site_name);
  Deployment(const Deployment&) = delete;
  Deployment& operator=(const Deployment&) = delete;

  // Creates the initial pods, ready at t = 0 (or Pending when they do not fit).
  void start();

  int32_t desired() const { return desired_; }
  void scale_to(int32_t replicas, std::string_view by);
  // Starts a rolling update to `image`.
  void rollout(const ImageSpec& image, const RolloutStrategy& strategy);
  bool rollout_in_progress() const { return rolling_; }
  // The image of the newest revision (what a rollout in progress rolls out).
  const ImageSpec& image() const { return rsets_.back().image; }

  // The site calls this when a terminating pod has served its last request.
  void on_pod_drained(Pod& pod);
  // Node removal: its pods are deleted (gracefully) and replaced elsewhere.
  void evict_node(uint32_t node, const char* why = "node scale-down");
  // Room may have appeared (a node became ready): schedule Pending pods.
  void schedule_pending();

  // Faults. kill_pods(node) kills the pods on one node (all pods with kAllNodes) at once: their
  // requests fail with `cause`; the ReplicaSets replace them unless the deployment is frozen
  // (the whole site, control plane included, is down).
  static constexpr uint32_t kAllNodes = 0xffffffffu;
  void kill_pods(uint32_t node, FailureCause cause);
  void set_frozen(bool frozen);
  bool frozen() const { return frozen_; }
  // Brown-out: every pod, present and future, serves at `factor` of its speed.
  void set_capacity_factor(double factor);

  int count(PodState s) const;
  int32_t active_replicas() const;  // pods that are not terminating (status.replicas)
  std::vector<double> pending_cpu_requests() const;
  int pods_on_node(uint32_t node) const;
  void snapshot_pods(std::vector<PodSnapshot>* out);
  // Calls f(pod) for every pod that exists, in slot order.
  template <class F>
  void for_each_pod(F&& f) {
    for (const auto& slot : slots_) {
      if (slot && slot->life.state != PodState::kTerminated) f(*slot);
    }
  }
  sim::SimTime observed_start_latency() const;

  // Cumulative: pod-nanoseconds of pods on nodes, core-nanoseconds of serving pods, CPU used by
  // serving pods.
  double pod_time();
  double serving_capacity();
  double serving_cpu_used();

  const DeploymentConfig& config() const { return cfg_; }

  // ProbeListener.
  void on_readiness(Pod& pod, bool ready) override;
  void on_container_failed(Pod& pod, ProbeKind kind) override;

 private:
  struct ReplicaSet {
    int revision;
    ImageSpec image;
    int32_t replicas;
  };
  // The lifecycle timers of a pod.
  enum class StepKind : uint8_t {
    kBound,
    kPulled,
    kContainerStarted,
    kReadyNow,
    kEndpoint,
    kEndpointOut,
    kSigterm,
    kRestart,
    kGraceOver,
    kWarmup
  };
  struct Step {  // a lifecycle timer's target: the pod slot and its generation
    Deployment* self;
    uint32_t slot;
    uint32_t generation;
    StepKind kind;
    void operator()() const { self->on_step(slot, generation, kind); }
  };

  Pod* create_pod(int revision, bool initial);
  void set_state(Pod& p, PodState s);
  void try_schedule(Pod& p);
  void on_step(uint32_t slot, uint32_t generation, StepKind kind);
  void start_container(Pod& p);
  void became_ready(Pod& p);
  void add_endpoint(Pod& p);
  void remove_endpoint(Pod& p);
  void delete_pod(Pod& p, const char* why);
  void stop_serving(Pod& p);  // SIGTERM: the application stops listening
  void maybe_finalize(Pod& p);
  sim::SimTime restart_delay(Pod& p);
  void finalize(Pod& p);
  // Burstable pods: the cores each pod on `node` can use (see PodConfig::limit).
  void refit_node(uint32_t node);
  void reclaim_slots();
  void sync();
  void rollout_step();
  void update_warmup(Pod& p);
  sim::SimTime sample(const Distribution& d);
  void schedule_step(Pod& p, sim::SimTime at, StepKind kind, sim::EventId* id);
  void account();
  const ReplicaSet* rs(int revision) const;
  std::vector<Pod*> active_pods_of(int revision);

  sim::Simulator& sim_;
  sim::RngStream rng_;
  RequestPool& pool_;
  DeploymentConfig cfg_;
  NodePool& nodes_;
  PodListener& pod_listener_;
  EndpointListener& endpoints_;
  sim::Recorder& rec_;
  std::string site_;
  std::string component_;

  std::vector<std::unique_ptr<Pod>> slots_;
  std::vector<uint32_t> free_slots_;
  std::vector<uint32_t> dead_slots_;  // terminated, freed by the next reclaim
  bool reclaim_scheduled_ = false;
  std::vector<ReplicaSet> rsets_;
  int32_t desired_ = 0;
  bool rolling_ = false;
  RolloutStrategy strategy_;
  uint64_t pod_seq_ = 0;
  bool syncing_ = false;
  bool frozen_ = false;
  double capacity_factor_ = 1.0;
  bool resync_ = false;

  std::unique_ptr<Prober> prober_;  // when the pods have probes
  bool probed_readiness_ = false;   // readiness comes from the prober
  bool burstable_ = false;          // the CPU limit is above the request

  std::vector<double> start_latencies_s_;  // created -> ready, most recent last

  // Integrals.
  sim::SimTime accounted_;
  int billable_ = 0;          // pods on nodes
  double serving_cores_ = 0;  // cores of serving pods
  double pod_time_ = 0, capacity_time_ = 0;
  double retired_cpu_ = 0;  // CPU used by pods already gone (keeps serving_cpu_used monotone)
};

}  // namespace models
