// models/autoscaling/hpa_autoscaler.h: the HPA controller running against a simulated
// workload: every sync period (15 s, from a random phase) it reads the target's pods and the
// metrics pipeline as the Kubernetes APIs would show them, reconciles (HpaController), scales
// the target, and logs each decision with its reason.
//
// Metric sources: Resource cpu and memory (metrics-server readings); Pods requests_per_second
// and concurrency (custom metrics); Object requests_per_second and inflight (the ingress);
// External queue_length, requests_per_second and inflight. Events: kind "scale" with the
// metrics, the raw proposal, the stabilized value and the limiting condition. Samples:
// "desired", "proposal" and each metric's current value. While the cluster is down (a full site
// outage) the controller does not run; when it comes back, its in-memory history is gone.
#pragma once

#include <string>
#include <vector>

#include "models/autoscaling/autoscaler.h"
#include "models/autoscaling/hpa_controller.h"
#include "models/autoscaling/metrics_pipeline.h"
#include "models/common/scalable_target.h"
#include "sim/recorder.h"
#include "sim/simulator.h"

namespace models {

// A decision's whole chain as typed event details (the fields of hpa/<site> "scale" and
// "decision" events, docs/results-schema.md): per metric the pods with their group and why, the
// samples and requests, the ratio, the second pass and the rule that gave the proposal; the
// tolerance, the stabilization window's recommendations, the rate limits and min/max.
sim::EventDetails hpa_decision_details(const hpa::Decision& d, const hpa::HpaSpec& spec,
                                       const hpa::ControllerConfig& cfg,
                                       const hpa::Observation& obs);

class HpaAutoscaler final : public Autoscaler {
 public:
  // `phase`: when the first sync happens (the controller's resync offset).
  HpaAutoscaler(sim::Simulator& sim, const hpa::HpaSpec& spec, const hpa::ControllerConfig& cfg,
                sim::SimTime phase, ScalableTarget& target, const MetricsPipeline& metrics,
                sim::Recorder& rec);
  void start() override;
  const char* kind() const override { return "hpa"; }
  const hpa::HpaController& controller() const { return controller_; }
  hpa::HpaController& mutable_controller() { return controller_; }

 private:
  void sync();
  hpa::Observation observe();

  sim::Simulator& sim_;
  hpa::HpaController controller_;
  sim::SimTime phase_;
  ScalableTarget& target_;
  const MetricsPipeline& metrics_;
  sim::Recorder& rec_;
  std::string component_;
  std::string last_signature_;
  bool cluster_was_down_ = false;  // of the last logged decision that held the size
};

}  // namespace models
