// models/traffic/open_source.h: open-loop traffic, a non-homogeneous Poisson process.
//
// Requests arrive at rate lambda(t) given by a Profile (requests per second), independent of how
// the system responds (an open model does not self-limit under overload). Each request gets a
// CPU demand from the demand distribution (seconds of one core) and, with probability
// write_fraction, the write flag; a SiteSelector picks its site and it is submitted there at
// once. Each request comes from a client in a region behind a resolver (ClientNetwork); the
// client-observed response time adds the round trip to the site (and, for a write at a site with
// synchronous replication, the replication latency) to the time spent in the site.
//
// Random streams (each its own, for common random numbers): arrivals, demand, writes.
#pragma once

#include <span>
#include <vector>

#include "models/common/distribution.h"
#include "models/common/profile.h"
#include "models/common/request.h"
#include "models/gslb/site_selector.h"
#include "models/traffic/client_network.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

struct OpenTrafficConfig {
  Profile rate = Profile::constant(1.0);                  // requests per second
  Distribution demand = Distribution::exponential(0.05);  // CPU seconds per request
  double write_fraction = 0;                              // in [0, 1]
};

struct TrafficRngs {
  sim::RngStream arrivals;
  sim::RngStream demand;
  sim::RngStream writes;
  sim::RngStream clients;  // regions and resolvers
};

class OpenTrafficSource final : public ResponseHandler {
 public:
  // sites[i] is site i of the selector's answers.
  OpenTrafficSource(sim::Simulator& sim, TrafficRngs rngs, RequestPool& pool,
                    const OpenTrafficConfig& cfg, SiteSelector& selector,
                    std::vector<RequestSink*> sites, const ClientNetwork& network,
                    TrafficObserver& observer);
  OpenTrafficSource(const OpenTrafficSource&) = delete;
  OpenTrafficSource& operator=(const OpenTrafficSource&) = delete;

  // Schedules the first arrival.
  void start();

  void on_response(RequestId id) override;
  void on_failure(RequestId id, FailureCause cause) override;

  uint64_t sent() const { return sent_; }

 private:
  void schedule_next(sim::SimTime from);
  void on_arrival();

  sim::Simulator& sim_;
  TrafficRngs rng_;
  RequestPool& pool_;
  OpenTrafficConfig cfg_;
  SiteSelector& selector_;
  std::vector<RequestSink*> sites_;
  const ClientNetwork& network_;
  TrafficObserver& observer_;
  std::size_t piece_ = 0;     // the rate profile's piece of the last candidate
  double bound_ = -1;         // its thinning bound (-1: not computed yet)
  double bound_gap_s_ = 0;    // 1 / bound_
  double constant_rate_ = 0;  // > 0 when the profile is one constant piece
  double mean_gap_s_ = 0;
  uint64_t sent_ = 0;
};

}  // namespace models
