// engine/estimate.h: what a run will cost, estimated from the scenario before it starts, and
// the limits beyond which hcsim refuses to start without --force.
//
// The simulation's memory does not grow with the number of requests (requests are pooled and
// recycled, results are written in batches): it grows with what is alive at once, which is
// users, resolvers, pods and requests in flight. The results file grows with buckets and events.
#pragma once

#include <string>

#include "config/scenario.h"

namespace engine {

struct Estimate {
  double requests = 0;       // requests sent, retries included
  double events = 0;         // kernel events
  double series_rows = 0;    // buckets x (sites + 1)
  double results_bytes = 0;  // the results file
  double memory_bytes = 0;   // peak resident memory of the simulation
};

struct Limits {
  double requests = 5e9;        // hours of CPU at a few M requests per second
  double results_bytes = 20e9;  // 20 GB
  double memory_bytes = 8e9;    // 8 GB
};

Estimate estimate(const config::Scenario& s);

// "" when within the limits; otherwise what is over, and by how much.
std::string over_limits(const Estimate& e, const Limits& limits = {});

// One line: "~12.3 M requests, ~60 M events, results ~45 MB, memory ~30 MB".
std::string describe(const Estimate& e);

}  // namespace engine
