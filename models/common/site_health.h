// models/common/site_health.h: what a global load balancer can learn about a site: whether its
// health check would pass right now, and its recent load.
#pragma once

#include "sim/time.h"

namespace models {

// Told when the GSLB changes its mind about a site.
class HealthListener {
 public:
  virtual ~HealthListener() = default;
  virtual void on_health_change(int site, bool healthy, sim::SimTime at) = 0;
};

class SiteHealth {
 public:
  virtual ~SiteHealth() = default;
  // A health check sent now would succeed: the site is up, reachable from the GSLB, and has a
  // serving pod.
  virtual bool health_probe_ok() const = 0;
  // CPU utilization of the serving pods since the previous call (0 when none served).
  virtual double report_utilization() = 0;
};

}  // namespace models
