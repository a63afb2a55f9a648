#include "runner/world.h"

#include "models/autoscaling/hpa_autoscaler.h"
#include "models/autoscaling/knative_autoscaler.h"
#include "models/autoscaling/predictive_scaler.h"
#include "models/autoscaling/scheduled_scaler.h"
#include "models/autoscaling/step_scaling.h"
#include "models/autoscaling/target_tracking.h"

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
    const AutoscalerSpec& as = spec.autoscaler;
    if (!as.kind.empty()) {
      // Each controller and scraper starts at its own random phase, as in a real cluster.
      sim::RngStream phases = rngs_.stream("metrics/" + name);
      models::MetricsPipelineConfig mc = as.metrics;
      mc.phase = sim::SimTime::from_seconds(phases.uniform01() * mc.resolution.seconds());
      pipelines_.push_back(std::make_unique<models::MetricsPipeline>(sim_, mc, site));
      const models::MetricsPipeline& pipeline = *pipelines_.back();
      sim::RngStream own = rngs_.stream(as.kind + "/" + name);
      auto phase_within = [&](sim::SimTime period) {
        return sim::SimTime::from_seconds(own.uniform01() * period.seconds());
      };
      if (as.kind == "hpa") {
        auto hpa = std::make_unique<models::HpaAutoscaler>(sim_, as.hpa, as.controller,
                                                           phase_within(as.controller.sync_period),
                                                           site, pipeline, rec_);
        models::HpaAutoscaler& ref = *hpa;
        autoscalers_.push_back(std::move(hpa));
        if (!as.schedule.empty()) {
          autoscalers_.push_back(std::make_unique<models::ScheduledScaler>(
              sim_, as.schedule, site, rec_, &ref.mutable_controller()));
        }
      } else if (as.kind == "target_tracking") {
        autoscalers_.push_back(std::make_unique<models::TargetTracking>(
            sim_, as.target_tracking, phase_within(as.target_tracking.period), site, pipeline,
            rec_));
      } else if (as.kind == "step_scaling") {
        autoscalers_.push_back(std::make_unique<models::StepScaling>(
            sim_, as.step_scaling, phase_within(as.step_scaling.period), site, pipeline, rec_));
      } else if (as.kind == "knative") {
        autoscalers_.push_back(std::make_unique<models::KnativeAutoscaler>(
            sim_, as.knative, phase_within(as.knative.tick), site, rec_));
      } else if (as.kind == "scheduled") {
        autoscalers_.push_back(
            std::make_unique<models::ScheduledScaler>(sim_, as.schedule, site, rec_));
      } else if (as.kind == "predictive") {
        autoscalers_.push_back(std::make_unique<models::PredictiveScaler>(
            sim_, as.predictive, phase_within(as.predictive.period), spec.site.deployment.pod.cores,
            site, pipeline, rec_));
      }
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
