#include "runner/world.h"

#include "models/autoscaling/hpa_autoscaler.h"

namespace runner {

World::World(const Scenario& scenario, uint64_t seed, sim::Recorder& rec)
    : scenario_(scenario), rngs_(seed), rec_(rec) {
  std::vector<models::RequestSink*> sinks;
  std::vector<models::GaugeSource*> gauges;
  std::vector<sim::SimTime> rtt;
  for (std::size_t i = 0; i < scenario.sites.size(); ++i) {
    const SiteSpec& spec = scenario.sites[i];
    const std::string& name = spec.site.name;
    sites_.push_back(
        std::make_unique<models::Site>(sim_,
                                       models::SiteRngs{rngs_.stream("site/" + name + "/lb"),
                                                        rngs_.stream("site/" + name + "/startup")},
                                       pool_, spec.site, static_cast<int>(i), rec_));
    models::Site& site = *sites_.back();
    sinks.push_back(&site);
    gauges.push_back(&site);
    rtt.push_back(spec.site.rtt);
    if (spec.node_autoscaler) {
      node_autoscalers_.push_back(std::make_unique<models::NodeAutoscaler>(
          sim_, rngs_.stream("site/" + name + "/nodes"), *spec.node_autoscaler, site.node_pool(),
          site.deployment(), rec_, "site/" + name));
    }
    if (spec.autoscaler.kind == "hpa") {
      // Each controller and scraper starts at its own random phase, as in a real cluster.
      sim::RngStream phase = rngs_.stream("metrics/" + name);
      models::MetricsPipelineConfig mc = spec.autoscaler.metrics;
      mc.phase = sim::SimTime::from_seconds(phase.uniform01() * mc.resolution.seconds());
      pipelines_.push_back(std::make_unique<models::MetricsPipeline>(sim_, mc, site));
      sim::RngStream hpa_phase = rngs_.stream("hpa/" + name);
      const sim::SimTime first = sim::SimTime::from_seconds(
          hpa_phase.uniform01() * spec.autoscaler.controller.sync_period.seconds());
      autoscalers_.push_back(std::make_unique<models::HpaAutoscaler>(
          sim_, spec.autoscaler.hpa, spec.autoscaler.controller, first, site, *pipelines_.back(),
          rec_));
    }
  }
  std::vector<double> weights = scenario.gslb.weights;
  selector_ = std::make_unique<models::WeightedSplit>(rngs_.stream("gslb/split"), weights);
  metrics_ = std::make_unique<models::MetricsCollector>(sim_, scenario.metrics, rec_, gauges);
  traffic_ = std::make_unique<models::OpenTrafficSource>(
      sim_,
      models::TrafficRngs{rngs_.stream("traffic/arrivals"), rngs_.stream("traffic/demand"),
                          rngs_.stream("traffic/writes")},
      pool_, scenario.open, *selector_, sinks, rtt, *metrics_);
}

void World::start() {
  for (auto& s : sites_) s->start();
  for (auto& n : node_autoscalers_) n->start();
  for (auto& p : pipelines_) p->start();
  for (auto& a : autoscalers_) a->start();
  metrics_->start();
  traffic_->start();
  for (std::size_t i = 0; i < scenario_.events.size(); ++i) {
    struct Fire {
      World* self;
      std::size_t i;
      void operator()() const { self->on_scenario_event(i); }
    };
    sim_.schedule_at(scenario_.events[i].at, Fire{this, i});
  }
}

void World::on_scenario_event(std::size_t i) {
  const ScenarioEvent& e = scenario_.events[i];
  switch (e.kind) {
    case ScenarioEvent::Kind::kRollout:
      sites_[static_cast<std::size_t>(e.site)]->deployment().rollout(e.image, e.strategy);
      break;
  }
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
