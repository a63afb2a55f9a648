// models/site/pod.h: one pod serving requests: a processor-sharing server with a worker limit
// and an accept queue.
//
// Model. A pod has `cores` CPU cores, at most `concurrency` requests in service (worker threads)
// and at most `queue` requests waiting for a worker (the accept backlog); a request that finds
// both full is rejected. The n requests in service share the cores (egalitarian processor
// sharing): each progresses at speed * min(1, cores / n) core-seconds per second, so a single
// request never uses more than one core. With concurrency 1 and cores 1 the pod is a FCFS
// single server; with unlimited concurrency it is an M/G/1-PS (or M/G/k-PS) queue.
//
// Implementation. Virtual time: V(t) is the service attained by every in-service request since
// the pod was last idle; a request admitted at V0 with demand d finishes when V reaches V0 + d.
// Only the request with the smallest finish tag has a pending event; admissions and departures
// move that one event (processor sharing without touching every request). V is a double that
// restarts at 0 whenever the pod goes idle, so its magnitude stays bounded by one busy period.
//
// Units: demand and V in core-nanoseconds at speed 1; CPU usage in core-nanoseconds.
// Invariants: in_service() <= concurrency, queued() <= queue limit, queued() > 0 only when
// in_service() == concurrency.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "models/common/inline_vector.h"
#include "models/common/request.h"
#include "models/common/ring_queue.h"
#include "models/site/load_index.h"
#include "sim/simulator.h"

namespace models {

struct PodConfig {
  static constexpr int kUnlimited = std::numeric_limits<int>::max();
  double cores = 1.0;   // CPU cores (the pod's CPU request)
  int concurrency = 8;  // requests in service at once (worker threads); kUnlimited allowed
  int queue = 64;       // requests waiting for a worker; 0 = none, kUnlimited allowed
  // CPU limit in cores (0: equal to the request, a Guaranteed pod). Above the request a pod uses
  // spare cores of its node, up to the limit (the deployment sets the pod's share: set_cores).
  double limit = 0;
  // User requests go on to the database after their CPU work, keeping their worker (parking).
  bool parks = false;
};

class Pod;

// Where a pod is in its life (set by the deployment controller; the serving engine only serves).
enum class PodState : uint8_t {
  kPending,      // no node with room yet
  kScheduling,   // bound to a node, the kubelet has not picked it up yet
  kPulling,      // pulling the image onto the node
  kBooting,      // container starting, application initialising, readiness probes
  kReady,        // in the service's endpoints: receives requests
  kUnready,      // running but failing its readiness probe: out of the endpoints
  kTerminating,  // deleted: leaves the endpoints, drains until the grace period ends
  kTerminated
};
const char* pod_state_name(PodState s);

// Told when a request finishes on a pod, or fails because the pod was killed.
class PodListener {
 public:
  virtual ~PodListener() = default;
  virtual void on_pod_done(Pod& pod, RequestId id) = 0;
  virtual void on_pod_failed(Pod& pod, RequestId id, FailureCause cause) = 0;
  // With parking on (Pod::set_parking): a user request finished its CPU work and now waits,
  // holding its worker, for something outside the pod (the database); unpark() ends the wait.
  virtual void on_pod_parked(Pod& /*pod*/, RequestId /*id*/) {}
  // The deployment moved the pod to another state.
  virtual void on_pod_state(Pod& /*pod*/, PodState /*from*/, PodState /*to*/) {}
};

class Pod {
 public:
  Pod(sim::Simulator& sim, RequestPool& pool, const PodConfig& cfg, PodListener& listener,
      uint32_t index);
  Pod(const Pod&) = delete;
  Pod& operator=(const Pod&) = delete;

  uint32_t index() const { return index_; }
  // The serving state and the lifecycle fields read per request (life.state, life.refusing) lie
  // within the pod's first kHotBytes, which its completion prefetches (tested in
  // tests/sim/no_alloc_test.cc).
  static constexpr std::size_t kHotBytes = 320;

  // Requests holding a worker: using the CPU, or parked (waiting for the database).
  int in_service() const { return static_cast<int>(jobs_.size() + parked_.size()); }
  int parked() const { return static_cast<int>(parked_.size()); }
  int queued() const { return static_cast<int>(waiting_.size()); }
  int load() const { return in_service() + queued(); }
  bool has_free_worker() const { return in_service() < cfg_.concurrency; }
  bool can_accept() const { return has_free_worker() || queued() < cfg_.queue; }
  const PodConfig& config() const { return cfg_; }

  // Starts serving at once, or queues, or returns false (rejected: the caller fails it).
  bool offer(RequestId id);
  // Starts serving. REQUIRES: has_free_worker().
  void start(RequestId id);

  // Cumulative CPU used (busy core-nanoseconds) up to now.
  double cpu_used_ns();
  // Cumulative integral of requests in the pod (in service + queued), request-nanoseconds.
  double load_area();
  uint64_t completed() const { return completed_; }
  // Fails every request in service, parked or queued (listener.on_pod_failed) and stops serving.
  void kill(FailureCause cause);
  // With PodConfig::parks, user requests (not probes) that finish their CPU work keep their
  // worker and wait (listener.on_pod_parked) until unpark(id), which completes them
  // (listener.on_pod_done).
  void unpark(RequestId id);
  // Ends a parked request with a failure (listener.on_pod_failed).
  void fail_parked(RequestId id, FailureCause cause);
  // Service speed from warm-up (1 = warm). REQUIRES: s > 0.
  void set_speed(double s);
  // The cores the pod can use now (its request, or more up to its limit on a node with spare
  // cores). REQUIRES: c > 0.
  void set_cores(double c);
  double cores() const { return cfg_.cores; }
  // Capacity factor of the pod's host (1 = nominal; a brown-out lowers it). REQUIRES: f > 0.
  void set_capacity_factor(double f);
  double speed() const { return speed_; }
  // Least-request balancing: while set, load() is written to position `pos` of `index`, now
  // and on every change (the site sets it for its endpoints; nullptr stops it).
  void set_load_slot(LoadIndex* index, std::size_t pos) {
    load_index_ = index;
    load_pos_ = pos;
    load_changed();
  }

 private:
  struct Job {
    double tag;  // finish tag in virtual time
    RequestId id;
  };
  static bool later(const Job& a, const Job& b) {
    return a.tag > b.tag || (a.tag == b.tag && a.id > b.id);
  }
  double rate() const;  // progress of each in-service request per nanosecond
  void advance();
  void admit(RequestId id);
  void reschedule();
  void on_completion();
  // Removes a parked request and gives its worker to the next one waiting.
  void end_parked(RequestId id);
  void load_changed() {
    if (load_index_ != nullptr) load_index_->set(load_pos_, load());
  }

  // The serving state comes first, in the order the request path touches it: with thousands of
  // pods a pod is cold when its completion fires, and its first kHotBytes (five cache lines, up
  // to life.state and life.refusing, which the site reads per request) are prefetched
  // (reschedule()); the rest of the lifecycle and the database bookkeeping are read far less
  // often.
  sim::Simulator& sim_;
  RequestPool& pool_;
  PodListener& listener_;
  PodConfig cfg_;
  uint32_t index_;
  bool completing_ = false;  // inside on_completion(): start() leaves rescheduling to it
  bool parking_ = false;
  InlineVector<Job, 4> jobs_;  // min-heap on (tag, id); the first four inside the pod
  std::vector<RequestId> parked_;
  RingQueue<RequestId> waiting_;
  double vtime_ = 0;
  double speed_ = 1.0;  // warm_ x factor_
  double cpu_used_ns_ = 0;
  double load_area_ = 0;
  uint64_t completed_ = 0;
  sim::SimTime last_;
  sim::EventId completion_;
  sim::SimTime completion_at_;
  LoadIndex* load_index_ = nullptr;
  std::size_t load_pos_ = 0;
  double warm_ = 1.0;
  double factor_ = 1.0;

 public:
  // Lifecycle bookkeeping, owned by the deployment controller.
  struct Life {
    // state and refusing first: the site reads them on every request (in the prefetched lines).
    PodState state = PodState::kPending;
    bool ready_condition = false;  // Ready condition status
    bool running = false;          // containers started (phase Running)
    bool refusing = false;         // the application is not listening (SIGTERM, restart)
    bool in_endpoints = false;     // the balancer may route to it
    bool serving = false;          // counted in the serving capacity (joined the endpoints once)
    bool unschedulable_logged = false;
    uint32_t generation = 0;  // bumps when the slot is reused
    uint32_t node = 0;
    int revision = 0;  // ReplicaSet (image) revision
    std::string name;
    // ready_at: the Ready condition's lastTransitionTime (moves with every change of it).
    sim::SimTime created, start_time, container_started, app_up, ready_at, serving_since;
    int restarts = 0;            // container restarts (liveness and startup failures)
    sim::SimTime backoff;        // CrashLoopBackOff: the current back-off (0: none yet)
    sim::SimTime backoff_since;  // when the back-off entry was last updated
    sim::EventId timer;          // the next lifecycle step
    sim::EventId warmup_timer;
    sim::EventId endpoint_timer;  // endpoints propagation (in or out)
    sim::EventId signal_timer;    // SIGTERM after the preStop hook
  } life;
  // The pod's database connection pool (kept by the site's database client).
  struct DbPool {
    int size = 0;                                       // connections open
    int in_use = 0;                                     // held by requests
    RingQueue<std::pair<RequestId, uint32_t>> waiting;  // requests (and their wait number)
  } db;
};

}  // namespace models
