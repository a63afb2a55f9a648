#include "models/gslb/topology.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <limits>
#include <map>

#include "sim/assert.h"

namespace models {

namespace {

using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                          boost::property<boost::edge_weight_t, int64_t>>;

// Node ids: regions, then hubs, then sites.
std::map<std::string, int> index_names(const TopologyConfig& cfg,
                                       const std::vector<std::string>& sites) {
  std::map<std::string, int> ids;
  for (const auto& r : cfg.regions) ids.emplace(r.name, static_cast<int>(ids.size()));
  for (const auto& h : cfg.hubs) ids.emplace(h, static_cast<int>(ids.size()));
  for (const auto& s : sites) ids.emplace(s, static_cast<int>(ids.size()));
  return ids;
}

// One-way latencies from each of `sources` to every site (int64 max: no path).
std::vector<std::vector<int64_t>> distances(const TopologyConfig& cfg,
                                            const std::vector<std::string>& sources,
                                            const std::vector<std::string>& sites,
                                            const std::map<std::string, int>& ids) {
  Graph g(ids.size());
  for (const auto& l : cfg.links) {
    boost::add_edge(static_cast<std::size_t>(ids.at(l.from)),
                    static_cast<std::size_t>(ids.at(l.to)), l.latency.ns(), g);
  }
  std::vector<std::vector<int64_t>> out;
  for (const auto& source : sources) {
    std::vector<int64_t> d(ids.size());
    boost::dijkstra_shortest_paths(
        g, static_cast<std::size_t>(ids.at(source)),
        boost::distance_map(
            boost::make_iterator_property_map(d.begin(), boost::get(boost::vertex_index, g)))
            .distance_inf(std::numeric_limits<int64_t>::max())
            .distance_zero(int64_t{0}));
    std::vector<int64_t> per_site;
    for (const auto& s : sites) per_site.push_back(d[static_cast<std::size_t>(ids.at(s))]);
    out.push_back(std::move(per_site));
  }
  return out;
}

std::vector<std::string> region_names(const TopologyConfig& cfg) {
  std::vector<std::string> out;
  for (const auto& r : cfg.regions) out.push_back(r.name);
  return out;
}

}  // namespace

std::string check_topology(const TopologyConfig& cfg, const std::vector<std::string>& sites) {
  if (cfg.regions.empty()) return "";
  const auto ids = index_names(cfg, sites);
  if (ids.size() != cfg.regions.size() + cfg.hubs.size() + sites.size()) {
    return "a name is used twice among regions, hubs and sites";
  }
  for (const auto& l : cfg.links) {
    if (!ids.count(l.from)) return "link from '" + l.from + "': not a region, hub or site";
    if (!ids.count(l.to)) return "link to '" + l.to + "': not a region, hub or site";
    if (l.from == l.to) return "link from '" + l.from + "' to itself";
  }
  const auto d = distances(cfg, region_names(cfg), sites, ids);
  for (std::size_t r = 0; r < cfg.regions.size(); ++r) {
    if (std::all_of(d[r].begin(), d[r].end(),
                    [](int64_t x) { return x == std::numeric_limits<int64_t>::max(); })) {
      return "region '" + cfg.regions[r].name + "' has no path to any site";
    }
  }
  return "";
}

Topology::Topology(const TopologyConfig& cfg, const std::vector<std::string>& sites,
                   const std::vector<sim::SimTime>& site_rtt) {
  if (cfg.regions.empty()) {
    regions_.push_back({"clients", 1.0});
    rtt_.push_back(site_rtt);
  } else {
    regions_ = cfg.regions;
    const auto ids = index_names(cfg, sites);
    for (const auto& per_site : distances(cfg, region_names(cfg), sites, ids)) {
      std::vector<sim::SimTime> row;
      for (int64_t d : per_site) {
        row.push_back(d == std::numeric_limits<int64_t>::max() ? sim::SimTime::max()
                                                               : sim::SimTime::from_ns(2 * d));
      }
      rtt_.push_back(std::move(row));
    }
  }
  const std::size_t n = sites.size();
  site_rtt_.assign(n, std::vector<sim::SimTime>(n));
  std::vector<std::vector<int64_t>> between;
  if (!cfg.regions.empty()) between = distances(cfg, sites, sites, index_names(cfg, sites));
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      const bool joined = !between.empty() && between[a][b] != std::numeric_limits<int64_t>::max();
      site_rtt_[a][b] =
          joined ? sim::SimTime::from_ns(2 * between[a][b])
                 : (rtt_[0][a].is_max() || rtt_[0][b].is_max() ? sim::SimTime::max()
                                                               : rtt_[0][a] + rtt_[0][b]);
    }
  }
  for (const auto& row : rtt_) {
    std::vector<int> order(row.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return row[static_cast<std::size_t>(a)] < row[static_cast<std::size_t>(b)];
    });
    std::erase_if(order, [&](int s) { return row[static_cast<std::size_t>(s)].is_max(); });
    nearest_.push_back(std::move(order));
  }
}

}  // namespace models
