// models/traffic/client_network.h: where a client is: its region (drawn by the regions'
// shares), its resolver (uniform among the region's), and the round trip to each site.
#pragma once

#include <vector>

#include "models/common/request.h"
#include "models/gslb/site_selector.h"
#include "models/gslb/topology.h"
#include "sim/rng.h"

namespace models {

class ClientNetwork final : public WriteLatencySink {
 public:
  // `write_latency[s]`: extra response time of a write at site s (synchronous replication, a
  // remote primary); the write path updates it when the primary moves.
  ClientNetwork(const Topology& topology, int resolvers_per_region,
                std::vector<sim::SimTime> write_latency);
  void set_write_latency(int site, sim::SimTime extra) override {
    write_latency_[static_cast<std::size_t>(site)] = extra;
  }

  // Draws a client's place (no draw when there is one region and one resolver).
  ClientContext draw(sim::RngStream& rng) const {
    if (trivial_) return {};
    return draw_slow(rng);
  }
  sim::SimTime rtt(int region, int site) const { return topology_.rtt(region, site); }
  sim::SimTime write_latency(int site) const {
    return write_latency_[static_cast<std::size_t>(site)];
  }

 private:
  ClientContext draw_slow(sim::RngStream& rng) const;

  const Topology& topology_;
  bool trivial_ = false;  // one region, one resolver
  int resolvers_;
  std::vector<double> cumulative_;  // region shares
  std::vector<sim::SimTime> write_latency_;
};

}  // namespace models
