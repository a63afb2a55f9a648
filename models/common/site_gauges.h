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
  // The database the site's pods use (has_db false: none; the overall entity sums the sites'
  // connections and queries but has no utilization).
  bool has_db = false;
  int db_in_use = 0;       // connections held by requests now
  int db_waiting = 0;      // requests waiting for a connection now
  double db_busy = 0;      // busy core-nanoseconds of the database
  double db_capacity = 0;  // its capacity, core-nanoseconds
  double db_query_ns = 0;  // time of completed queries (connection acquired to result back)
  double db_queries = 0;   // completed queries
};

class GaugeSource {
 public:
  virtual ~GaugeSource() = default;
  virtual const std::string& name() const = 0;
  // Brings the cumulative counters up to now and returns them.
  virtual SiteGauges gauges() = 0;
};

}  // namespace models
