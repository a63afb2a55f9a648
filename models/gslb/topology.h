// models/gslb/topology.h: where clients are and how far every site is from them.
//
// A graph (Boost.Graph) of client regions, sites and optional hubs joined by links with a
// one-way latency. The client-to-site round trip is twice the shortest-path latency (Dijkstra).
// Without a topology there is one region, "clients", and each site's own `rtt`.
#pragma once

#include <string>
#include <vector>

#include "sim/time.h"

namespace models {

struct TopologyConfig {
  struct Region {
    std::string name;
    double share = 1.0;  // of the users / requests
  };
  struct Link {
    std::string from, to;
    sim::SimTime latency;  // one way
  };
  std::vector<Region> regions;
  std::vector<std::string> hubs;  // intermediate nodes (backbones, exchanges)
  std::vector<Link> links;
};

class Topology {
 public:
  // `sites` names the sites in index order. `site_rtt` is used when `cfg` has no regions.
  // REQUIRES: every name in a link is a region, a hub or a site; shares positive.
  Topology(const TopologyConfig& cfg, const std::vector<std::string>& sites,
           const std::vector<sim::SimTime>& site_rtt);

  int region_count() const { return static_cast<int>(regions_.size()); }
  const std::string& region_name(int r) const { return regions_[static_cast<std::size_t>(r)].name; }
  double region_share(int r) const { return regions_[static_cast<std::size_t>(r)].share; }
  // Round trip from region r to site s; SimTime::max() when no path exists.
  sim::SimTime rtt(int region, int site) const {
    return rtt_[static_cast<std::size_t>(region)][static_cast<std::size_t>(site)];
  }
  // Round trip between two sites: through the graph when it joins them (directly, through hubs
  // or through a region), else through the clients (the sum of their round trips from the first
  // region: an upper bound). Zero from a site to itself.
  sim::SimTime site_rtt(int a, int b) const {
    return site_rtt_[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)];
  }
  // Sites from region r, nearest first.
  const std::vector<int>& nearest(int region) const {
    return nearest_[static_cast<std::size_t>(region)];
  }

 private:
  std::vector<TopologyConfig::Region> regions_;
  std::vector<std::vector<sim::SimTime>> rtt_;
  std::vector<std::vector<sim::SimTime>> site_rtt_;
  std::vector<std::vector<int>> nearest_;
};

// For the loader: the first problem with a topology (unknown name, self-link, a region that
// reaches no site), or "" when it is sound.
std::string check_topology(const TopologyConfig& cfg, const std::vector<std::string>& sites);

}  // namespace models
