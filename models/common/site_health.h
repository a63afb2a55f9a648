// models/common/site_health.h: what a global load balancer can learn about a site: the answer to
// a health check it sends, and its recent load.
#pragma once

#include <cstdint>

#include "sim/time.h"

namespace models {

// Told when the GSLB changes its mind about a site.
class HealthListener {
 public:
  virtual ~HealthListener() = default;
  virtual void on_health_change(int site, bool healthy, sim::SimTime at) = 0;
};

// How a health check ended, as its sender sees it.
enum class CheckOutcome : uint8_t {
  kAnswered,     // answered now (the sender compares the time with its timeout)
  kUnreachable,  // no connection: the site is down or cut off; the sender learns it at its
                 // connection timeout
  kFailed,       // an error answer now: no endpoint (ingress 503), rejected, refused, aborted
};

class HealthCheckObserver {
 public:
  virtual ~HealthCheckObserver() = default;
  virtual void on_check_result(uint64_t token, CheckOutcome outcome) = 0;
};

class SiteHealth {
 public:
  virtual ~SiteHealth() = default;
  // Sends an HTTP health check through the site's own balancer to one of its pods, where it is a
  // request of `cost_s` CPU behind the real ones. The outcome comes back to `observer` with
  // `token`: at once when the site cannot be reached or cannot take it, else when a pod answers
  // it (or aborts it). REQUIRES: the observer outlives the site's pending checks.
  virtual void send_health_check(HealthCheckObserver& observer, uint64_t token, double cost_s) = 0;
  // CPU utilization of the serving pods since the previous call (0 when none served).
  virtual double report_utilization() = 0;
};

}  // namespace models
