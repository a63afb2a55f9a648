#include "engine/world.h"

#include "models/autoscaling/hpa_autoscaler.h"
#include "models/autoscaling/knative_autoscaler.h"
#include "models/autoscaling/predictive_scaler.h"
#include "models/autoscaling/scheduled_scaler.h"
#include "models/autoscaling/step_scaling.h"
#include "models/autoscaling/target_tracking.h"

namespace engine {

using config::AutoscalerSpec;
using config::GslbSpec;
using config::Scenario;
using config::ScenarioEvent;
using config::SiteSpec;

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
  std::vector<std::string> names;
  std::vector<models::SiteHealth*> health;
  std::vector<models::FaultTarget*> targets;
  for (auto& site : sites_) {
    names.push_back(site->name());
    health.push_back(site.get());
    targets.push_back(site.get());
  }
  topology_ = std::make_unique<models::Topology>(scenario.topology, names, rtt);
  std::vector<sim::SimTime> write_latency(sites_.size());
  for (const models::ReplicationLink& l : scenario.replication) {
    if (l.sync) write_latency[static_cast<std::size_t>(l.from)] = l.write_latency;
  }
  const GslbSpec& g = scenario.gslb;
  network_ = std::make_unique<models::ClientNetwork>(
      *topology_, g.dns ? g.dns_cfg.resolvers_per_region : 1, write_latency);
  if (g.dns) {
    auto dns = std::make_unique<models::DnsGslb>(sim_, rngs_.stream("gslb/dns"), g.dns_cfg, health,
                                                 names, *topology_, rec_);
    dns_ = dns.get();
    selector_ = std::move(dns);
  } else {
    selector_ = std::make_unique<models::WeightedSplit>(rngs_.stream("gslb/split"), g.weights);
  }

  models::MetricsConfig mc = scenario.metrics;
  mc.slo_rt = scenario.slo.rt_p95;
  metrics_ = std::make_unique<models::MetricsCollector>(sim_, mc, rec_, gauges);
  rto_ = std::make_unique<models::RtoTracker>(scenario.slo, names, rec_);
  metrics_->set_bucket_listener(rto_.get());
  if (dns_ != nullptr) dns_->add_health_listener(rto_.get());
  bool any_cost = false;
  std::vector<models::CostRates> rates;
  for (const SiteSpec& spec : scenario.sites) {
    rates.push_back(spec.cost);
    any_cost = any_cost || spec.has_cost;
  }
  if (any_cost) metrics_->set_cost_rates(rates);

  const models::TrafficRngs traffic_rngs{
      rngs_.stream(scenario.traffic_kind == "open" ? "traffic/arrivals" : "traffic/think"),
      rngs_.stream("traffic/demand"), rngs_.stream("traffic/writes"),
      rngs_.stream("traffic/clients")};
  if (scenario.traffic_kind == "open") {
    open_ = std::make_unique<models::OpenTrafficSource>(sim_, traffic_rngs, pool_, scenario.open,
                                                        *selector_, sinks, *network_, *metrics_);
  } else {
    closed_ = std::make_unique<models::ClosedUsers>(sim_, traffic_rngs, pool_, scenario.closed,
                                                    *selector_, sinks, *network_, *metrics_);
    metrics_->set_active_users(closed_.get());
  }

  if (!scenario.replication.empty()) {
    std::vector<sim::RngStream> streams;
    for (const models::ReplicationLink& l : scenario.replication) {
      streams.push_back(rngs_.stream("replication/" + names[static_cast<std::size_t>(l.from)]));
    }
    replication_ = std::make_unique<models::Replication>(sim_, scenario.replication,
                                                         std::move(streams), names, rec_);
    for (auto& site : sites_) site->set_write_observer(replication_.get());
  }
  if (!scenario.faults.empty() || !scenario.random_faults.empty()) {
    faults_ = std::make_unique<models::FaultInjector>(sim_, rngs_, targets, scenario.faults,
                                                      scenario.random_faults, rec_);
    // Data loss is settled before the RTO clock starts (same instant, either order is correct).
    if (replication_) faults_->add_observer(replication_.get());
    faults_->add_observer(rto_.get());
  }
  if (scenario.dr.activate_replicas > 0 && dns_ != nullptr) {
    failover_trigger_ = std::make_unique<models::FailoverTrigger>(
        scenario.dr.primary, *sites_[static_cast<std::size_t>(scenario.dr.standby)],
        scenario.dr.activate_replicas, rec_);
    dns_->add_health_listener(failover_trigger_.get());
  }
}

void World::start() {
  for (auto& s : sites_) s->start();
  for (auto& n : node_autoscalers_) n->start();
  for (auto& p : pipelines_) p->start();
  for (auto& a : autoscalers_) a->start();
  metrics_->start();
  if (dns_ != nullptr) dns_->start();
  if (faults_) faults_->start();
  if (open_) open_->start();
  if (closed_) closed_->start();
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
    case ScenarioEvent::Kind::kWeights:
      if (dns_ == nullptr) {
        std::vector<std::string> names;
        for (const auto& site : sites_) names.push_back(site->name());
        models::record_weights(rec_, sim_.now(), "split", names, e.weights);
      }
      selector_->set_weights(e.weights);
      break;
    case ScenarioEvent::Kind::kTtl:
      dns_->set_ttl(e.ttl);
      break;
    case ScenarioEvent::Kind::kDrain:
      dns_->set_drained(e.site, true);
      break;
    case ScenarioEvent::Kind::kUndrain:
      dns_->set_drained(e.site, false);
      break;
    case ScenarioEvent::Kind::kScale:
      sites_[static_cast<std::size_t>(e.site)]->scale_to(e.replicas, "operator");
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

}  // namespace engine
