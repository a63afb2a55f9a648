#include "models/traffic/client_network.h"

namespace models {

ClientNetwork::ClientNetwork(const Topology& topology, int resolvers_per_region,
                             std::vector<sim::SimTime> write_latency)
    : topology_(topology),
      resolvers_(resolvers_per_region),
      write_latency_(std::move(write_latency)) {
  double total = 0;
  for (int r = 0; r < topology_.region_count(); ++r) total += topology_.region_share(r);
  double acc = 0;
  for (int r = 0; r < topology_.region_count(); ++r) {
    acc += topology_.region_share(r) / total;
    cumulative_.push_back(acc);
  }
  cumulative_.back() = 1.0;
  trivial_ = cumulative_.size() == 1 && resolvers_ <= 1;
}

ClientContext ClientNetwork::draw_slow(sim::RngStream& rng) const {
  ClientContext c;
  if (cumulative_.size() > 1) {
    const double u = rng.uniform01();
    while (c.region + 1 < static_cast<int>(cumulative_.size()) &&
           u >= cumulative_[static_cast<std::size_t>(c.region)])
      ++c.region;
  }
  if (resolvers_ > 1)
    c.resolver = static_cast<uint32_t>(rng.uniform_int(0, static_cast<uint64_t>(resolvers_ - 1)));
  return c;
}

}  // namespace models
