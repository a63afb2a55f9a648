// models/cost/cost_model.h: what running a site costs, billed per second.
//
// Public clouds bill what runs: pod-hours (serverless containers, per-pod pricing) and node-hours
// (VMs: a node is billed from the moment it is requested until it is removed, provisioning
// included; a node lost in an outage is not billed). A private cloud costs a fixed amount per
// hour whatever runs on it (amortised hardware, power, staff). A site may combine all three.
#pragma once

#include <cstddef>
#include <vector>

namespace models {

struct CostRates {
  double pod_per_hour = 0;
  double node_per_hour = 0;
  double fixed_per_hour = 0;
  // Per node group, in the site's group order (empty: every node at node_per_hour).
  std::vector<double> group_node_per_hour;
  bool any() const {
    bool groups = false;
    for (double p : group_node_per_hour) groups = groups || p > 0;
    return pod_per_hour > 0 || node_per_hour > 0 || fixed_per_hour > 0 || groups;
  }
  // The cost of `elapsed_s` seconds of the site with these pod-seconds and node-seconds.
  double cost(double elapsed_s, double pod_s, double node_s) const {
    return (fixed_per_hour * elapsed_s + pod_per_hour * pod_s + node_per_hour * node_s) / 3600.0;
  }
  // The same with node-seconds per group, each at its group's price.
  double cost(double elapsed_s, double pod_s, const std::vector<double>& group_node_s) const {
    if (group_node_per_hour.empty()) {
      double node_s = 0;
      for (double t : group_node_s) node_s += t;
      return cost(elapsed_s, pod_s, node_s);
    }
    double nodes = 0;
    for (std::size_t g = 0; g < group_node_s.size() && g < group_node_per_hour.size(); ++g)
      nodes += group_node_per_hour[g] * group_node_s[g];
    return (fixed_per_hour * elapsed_s + pod_per_hour * pod_s + nodes) / 3600.0;
  }
};

}  // namespace models
