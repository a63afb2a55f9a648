#include "runner/world.h"

namespace runner {

World::World(const Scenario& scenario, uint64_t seed, sim::Recorder& rec)
    : scenario_(scenario), rngs_(seed), rec_(rec) {
  std::vector<models::RequestSink*> sinks;
  std::vector<models::GaugeSource*> gauges;
  std::vector<sim::SimTime> rtt;
  for (std::size_t i = 0; i < scenario.sites.size(); ++i) {
    const models::SiteConfig& sc = scenario.sites[i];
    sites_.push_back(std::make_unique<models::Site>(sim_, rngs_.stream("site/" + sc.name + "/lb"),
                                                    pool_, sc, static_cast<int>(i), rec_));
    sinks.push_back(sites_.back().get());
    gauges.push_back(sites_.back().get());
    rtt.push_back(sc.rtt);
  }
  selector_ =
      std::make_unique<models::WeightedSplit>(rngs_.stream("gslb/split"), scenario.gslb.weights);
  metrics_ = std::make_unique<models::MetricsCollector>(sim_, scenario.metrics, rec_, gauges);
  traffic_ = std::make_unique<models::OpenTrafficSource>(
      sim_,
      models::TrafficRngs{rngs_.stream("traffic/arrivals"), rngs_.stream("traffic/demand"),
                          rngs_.stream("traffic/writes")},
      pool_, scenario.open, *selector_, sinks, rtt, *metrics_);
}

void World::start() {
  for (auto& s : sites_) s->start();
  metrics_->start();
  traffic_->start();
}

sim::Simulator::RunStatus World::advance(uint64_t max_events) {
  return sim_.run_until(scenario_.duration, max_events);
}

void World::finish() {
  if (finished_) return;
  finished_ = true;
  metrics_->finish();
}

}  // namespace runner
