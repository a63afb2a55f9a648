// models/common/scalable_target.h: what autoscalers see of a workload and may change.
//
// A ScalableTarget is the scale subresource of a Deployment (spec.replicas) plus read access to
// its pods, as the Kubernetes API would show them, and to site-level signals. Autoscalers
// depend on this interface only, never on the site's classes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.h"

namespace models {

// One pod as the API server and the kubelet's counters show it.
struct PodSnapshot {
  uint32_t id = 0;
  std::string name;
  bool scheduled = false;         // bound to a node (else phase Pending, no Ready condition)
  bool running = false;           // containers started (phase Running)
  bool ready = false;             // Ready condition True
  bool deleting = false;          // deletionTimestamp set (terminating)
  sim::SimTime start_time;        // status.startTime: when the kubelet acknowledged the pod
  sim::SimTime ready_transition;  // Ready condition's lastTransitionTime
  double cpu_request = 0;         // cores
  double memory_request = 0;      // bytes
  // Cumulative counters since the pod was created (what cAdvisor and an app exporter expose).
  double cpu_used_core_ns = 0;
  uint64_t completed = 0;   // requests completed
  double load_area = 0;     // integral of requests in the pod (in service + queued), req-ns
  double memory_bytes = 0;  // working set now
};

// Site-level counters for Object and External metrics and for predictive policies.
struct WorkloadSignals {
  uint64_t arrivals = 0;      // requests that reached the site (cumulative)
  int queued = 0;             // requests waiting for a worker now
  int inflight = 0;           // requests in the site now
  double demand_core_ns = 0;  // CPU work of completed requests (cumulative)
  uint64_t completed = 0;     // completed requests (cumulative)
};

class ScalableTarget {
 public:
  virtual ~ScalableTarget() = default;
  virtual const std::string& target_name() const = 0;
  virtual int32_t spec_replicas() const = 0;    // scale.spec.replicas
  virtual int32_t status_replicas() const = 0;  // scale.status.replicas (pods that exist)
  virtual int32_t ready_replicas() const = 0;
  // Sets scale.spec.replicas; `by` names the autoscaler (for the event log).
  virtual void scale_to(int32_t replicas, std::string_view by) = 0;
  // The target's pods, counters brought up to now. Terminated pods are not listed.
  virtual void snapshot_pods(std::vector<PodSnapshot>* out) = 0;
  // The same in a vector the target keeps and overwrites on the next call, so the metrics
  // pipeline and the autoscaler that both read a target share one (ten thousand pods are a
  // megabyte of snapshots). Use it before asking again.
  const std::vector<PodSnapshot>& pods_now() {
    snapshot_pods(&pods_now_);
    return pods_now_;
  }
  virtual WorkloadSignals signals() = 0;
  // Median time from pod creation to Ready over recent pods (0 when none has started yet).
  virtual sim::SimTime observed_start_latency() const = 0;
  // False while the cluster (and the controllers in it) is down.
  virtual bool control_plane_up() const { return true; }

 private:
  std::vector<PodSnapshot> pods_now_;
};

}  // namespace models
