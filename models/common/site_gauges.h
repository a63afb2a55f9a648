// models/common/site_gauges.h: what a site reports to observers (the metrics collector, later
// the GSLB's least-loaded policy and the viewer). Cumulative values grow from t = 0, like
// Prometheus counters, so any interval's average is a difference of two readings.
#pragma once

#include <string>
#include <vector>

namespace models {

struct SiteGauges {
  int inflight = 0;                     // requests in the site now (in service + queued)
  double inflight_area = 0;             // integral of inflight over time, request-nanoseconds
  double cpu_used = 0;                  // busy core-nanoseconds of the site's pods
  double cpu_capacity = 0;              // core-nanoseconds of ready pods (cores x time ready)
  double pod_time = 0;                  // pod-nanoseconds of running pods (what a cloud bills)
  double node_time = 0;                 // node-nanoseconds of nodes that exist (billed node-hours)
  std::vector<double> group_node_time;  // the same per node group (empty: no node pool)
  int replicas_desired = 0;
  int replicas_ready = 0;
  int replicas_starting = 0;
  int replicas_unready = 0;  // running, failing readiness: out of the endpoints
  int replicas_pending = 0;
  int nodes = 0;
};

class GaugeSource {
 public:
  virtual ~GaugeSource() = default;
  virtual const std::string& name() const = 0;
  // Brings the cumulative counters up to now and returns them.
  virtual SiteGauges gauges() = 0;
};

}  // namespace models
