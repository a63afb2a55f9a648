// models/cost/cost_model.h: what running a site costs, billed per second.
//
// Public clouds bill what runs: pod-hours (serverless containers, per-pod pricing) and node-hours
// (VMs: a node is billed from the moment it is requested until it is removed, provisioning
// included; a node lost in an outage is not billed). A private cloud costs a fixed amount per
// hour whatever runs on it (amortised hardware, power, staff). A site may combine all three.
#pragma once

namespace models {

struct CostRates {
  double pod_per_hour = 0;
  double node_per_hour = 0;
  double fixed_per_hour = 0;
  bool any() const { return pod_per_hour > 0 || node_per_hour > 0 || fixed_per_hour > 0; }
  // The cost of `elapsed_s` seconds of the site with these pod-seconds and node-seconds.
  double cost(double elapsed_s, double pod_s, double node_s) const {
    return (fixed_per_hour * elapsed_s + pod_per_hour * pod_s + node_per_hour * node_s) / 3600.0;
  }
};

}  // namespace models
