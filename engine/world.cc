#include "engine/world.h"

#include <variant>

#include "models/autoscaling/hpa_autoscaler.h"
#include "models/autoscaling/knative_autoscaler.h"
#include "models/autoscaling/predictive_scaler.h"
#include "models/autoscaling/scheduled_scaler.h"
#include "models/autoscaling/step_scaling.h"
#include "models/autoscaling/target_tracking.h"

namespace engine {

namespace {

// std::visit over a set of lambdas.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

using config::AutoscalerSpec;
using config::GslbSpec;
using config::Scenario;
using config::ScenarioEvent;
using config::SiteSpec;

World::World(const Scenario& scenario, uint64_t seed, sim::Recorder& rec)
    : scenario_(scenario), rngs_(seed), rec_(rec) {
  for (std::size_t i = 0; i < scenario.sites.size(); ++i) build_site(i);
  build_databases();
  build_global_traffic_layer();
  build_metrics();
  build_traffic();
  build_promotions();
  build_dr();
}

void World::build_site(std::size_t i) {
  const SiteSpec& spec = scenario_.sites[i];
  const std::string& name = spec.site.name;
  sites_.push_back(
      std::make_unique<models::Site>(sim_,
                                     models::SiteRngs{rngs_.stream("site/" + name + "/lb"),
                                                      rngs_.stream("site/" + name + "/startup"),
                                                      rngs_.stream("site/" + name + "/cloud")},
                                     pool_, spec.site, static_cast<int>(i), rec_));
  models::Site& site = *sites_.back();
  node_autoscaler_of_.emplace_back();
  if (spec.node_autoscaler) {
    node_autoscaler_of_.back() = node_autoscalers_.size();
    node_autoscalers_.push_back(std::make_unique<models::NodeAutoscaler>(
        sim_, rngs_.stream("site/" + name + "/nodes"), *spec.node_autoscaler, site.node_pool(),
        site.deployment(), rec_, "site/" + name));
  }
  if (!spec.autoscaler.empty()) build_autoscaler(spec, site);
}

void World::build_autoscaler(const SiteSpec& spec, models::Site& site) {
  const config::AutoscalerSpec& as = spec.autoscaler;
  const std::string& name = spec.site.name;
  // Each controller and scraper starts at its own random phase, as in a real cluster.
  sim::RngStream phases = rngs_.stream("metrics/" + name);
  models::MetricsPipelineConfig mc = as.metrics;
  mc.phase = sim::SimTime::from_seconds(phases.uniform01() * mc.resolution.seconds());
  pipelines_.push_back(std::make_unique<models::MetricsPipeline>(sim_, mc, site));
  const models::MetricsPipeline& pipeline = *pipelines_.back();
  sim::RngStream own = rngs_.stream(std::string(config::autoscaler_kind_name(as)) + "/" + name);
  auto phase_within = [&](sim::SimTime period) {
    return sim::SimTime::from_seconds(own.uniform01() * period.seconds());
  };
  auto add = [&](std::unique_ptr<models::Autoscaler> a) -> models::Autoscaler& {
    autoscalers_.push_back(std::move(a));
    return *autoscalers_.back();
  };
  std::visit(Overloaded{
                 [](const std::monostate&) {},
                 [&](const config::HpaPolicy& p) {
                   auto hpa = std::make_unique<models::HpaAutoscaler>(
                       sim_, p.spec, p.controller, phase_within(p.controller.sync_period), site,
                       pipeline, rec_);
                   models::HpaAutoscaler& ref = *hpa;
                   add(std::move(hpa));
                   if (!p.min_schedule.empty()) {
                     add(std::make_unique<models::ScheduledScaler>(sim_, p.min_schedule, site, rec_,
                                                                   &ref.mutable_controller()));
                   }
                 },
                 [&](const models::TargetTrackingConfig& c) {
                   add(std::make_unique<models::TargetTracking>(sim_, c, phase_within(c.period),
                                                                site, pipeline, rec_));
                 },
                 [&](const models::StepScalingConfig& c) {
                   add(std::make_unique<models::StepScaling>(sim_, c, phase_within(c.period), site,
                                                             pipeline, rec_));
                 },
                 [&](const models::KnativeConfig& c) {
                   add(std::make_unique<models::KnativeAutoscaler>(sim_, c, phase_within(c.tick),
                                                                   site, rec_));
                 },
                 [&](const config::ScheduledPolicy& p) {
                   add(std::make_unique<models::ScheduledScaler>(sim_, p.schedule, site, rec_));
                 },
                 [&](const models::PredictiveConfig& c) {
                   add(std::make_unique<models::PredictiveScaler>(sim_, c, phase_within(c.period),
                                                                  spec.site.deployment.pod.cores,
                                                                  site, pipeline, rec_));
                 },
             },
             as.policy);
}

void World::build_global_traffic_layer() {
  std::vector<std::string> names;
  std::vector<models::SiteHealth*> health;
  std::vector<sim::SimTime> rtt;
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    names.push_back(sites_[i]->name());
    health.push_back(sites_[i].get());
    rtt.push_back(scenario_.sites[i].site.rtt);
  }
  topology_ = std::make_unique<models::Topology>(scenario_.topology, names, rtt);
  const GslbSpec& g = scenario_.gslb;
  // The write path (build_dr) sets the extra latency of writes.
  network_ = std::make_unique<models::ClientNetwork>(*topology_,
                                                     g.dns ? g.dns_cfg.resolvers_per_region : 1,
                                                     std::vector<sim::SimTime>(sites_.size()));
  if (g.dns) {
    auto dns = std::make_unique<models::DnsGslb>(sim_, rngs_.stream("gslb/dns"), g.dns_cfg, health,
                                                 names, *topology_, rec_);
    dns_ = dns.get();
    selector_ = std::move(dns);
  } else {
    selector_ = std::make_unique<models::WeightedSplit>(rngs_.stream("gslb/split"), g.weights);
  }
}

void World::build_metrics() {
  std::vector<models::GaugeSource*> gauges;
  std::vector<std::string> names;
  for (auto& site : sites_) {
    gauges.push_back(site.get());
    names.push_back(site->name());
  }
  models::MetricsConfig mc = scenario_.metrics;
  mc.slo_rt = scenario_.slo.rt_p95;
  metrics_ = std::make_unique<models::MetricsCollector>(sim_, mc, rec_, gauges);
  std::vector<bool> staging;
  for (const SiteSpec& spec : scenario_.sites) staging.push_back(spec.staging);
  metrics_->set_staging(staging);
  rto_ = std::make_unique<models::RtoTracker>(scenario_.slo, names, rec_);
  metrics_->set_bucket_listener(rto_.get());
  if (dns_ != nullptr) dns_->add_health_listener(rto_.get());
  bool any_cost = false;
  std::vector<models::CostRates> rates;
  for (const SiteSpec& spec : scenario_.sites) {
    rates.push_back(spec.cost);
    any_cost = any_cost || spec.has_cost;
  }
  if (any_cost) metrics_->set_cost_rates(rates);
}

void World::build_traffic() {
  std::vector<models::RequestSink*> sinks;
  for (auto& site : sites_) sinks.push_back(site.get());
  const bool open = scenario_.traffic_kind == config::TrafficKind::kOpen;
  const models::TrafficRngs traffic_rngs{
      rngs_.stream(open ? "traffic/arrivals" : "traffic/think"), rngs_.stream("traffic/demand"),
      rngs_.stream("traffic/writes"), rngs_.stream("traffic/clients")};
  if (open) {
    open_ = std::make_unique<models::OpenTrafficSource>(sim_, traffic_rngs, pool_, scenario_.open,
                                                        *selector_, sinks, *network_, *metrics_);
  } else {
    closed_ = std::make_unique<models::ClosedUsers>(sim_, traffic_rngs, pool_, scenario_.closed,
                                                    *selector_, sinks, *network_, *metrics_);
    metrics_->set_active_users(closed_.get());
  }
  for (std::size_t i = 0; i < scenario_.sites.size(); ++i) {
    const SiteSpec& spec = scenario_.sites[i];
    if (!spec.test_traffic) continue;
    const std::string prefix = "test/" + spec.site.name + "/";
    pinned_.push_back(std::make_unique<models::PinnedSelector>(static_cast<int>(i)));
    tests_.push_back(std::make_unique<models::OpenTrafficSource>(
        sim_,
        models::TrafficRngs{rngs_.stream(prefix + "arrivals"), rngs_.stream(prefix + "demand"),
                            rngs_.stream(prefix + "writes"), rngs_.stream(prefix + "clients")},
        pool_, *spec.test_traffic, *pinned_.back(), sinks, *network_, *metrics_));
  }
}

void World::build_promotions() {
  promotions_.resize(scenario_.events.size());
  for (std::size_t i = 0; i < scenario_.events.size(); ++i) {
    const ScenarioEvent& e = scenario_.events[i];
    if (e.kind != ScenarioEvent::Kind::kPromote) continue;
    promotions_[i] = std::make_unique<models::Promotion>(
        sim_, e.analysis, *sites_[static_cast<std::size_t>(e.from)],
        *sites_[static_cast<std::size_t>(e.site)], e.strategy, rec_);
    metrics_->add_site_listener(e.from, promotions_[i].get());
  }
}

void World::build_dr() {
  if (!scenario_.replication.empty()) {
    std::vector<sim::RngStream> streams;
    std::vector<std::string> names;
    for (auto& site : sites_) names.push_back(site->name());
    for (const models::ReplicationLink& l : scenario_.replication)
      streams.push_back(rngs_.stream("replication/" + names[static_cast<std::size_t>(l.from)]));
    replication_ = std::make_unique<models::Replication>(sim_, scenario_.replication,
                                                         std::move(streams), names, rec_);
  }
  const config::DrSpec& dr = scenario_.dr;
  if (replication_ || dr.write_path != models::WriteMode::kLocal) {
    models::WritePathConfig wc;
    wc.mode = dr.write_path;
    wc.primary = dr.primary;
    wc.partner = dr.standby;
    wc.keys = dr.keys;
    wc.key_skew = dr.key_skew;
    const std::size_t n = sites_.size();
    wc.site_rtt.assign(n, std::vector<sim::SimTime>(n));
    for (std::size_t a = 0; a < n; ++a) {
      for (std::size_t b = 0; b < n; ++b) {
        if (a != b)
          wc.site_rtt[a][b] =
              dr.write_rtt.value_or(topology_->site_rtt(static_cast<int>(a), static_cast<int>(b)));
      }
    }
    // With a database tier, a write served away from the primary runs its query on the
    // primary's database across the sites (Site::set_write_target), not as a client delay.
    wc.writes_through_db.assign(n, false);
    if (dr.write_path == models::WriteMode::kPrimary) {
      for (std::size_t i = 0; i < n; ++i) {
        if (sites_[i]->database() == nullptr) continue;
        wc.writes_through_db[i] = true;
        const sim::SimTime own_rtt = scenario_.sites[i].site.database->rtt;
        sites_[i]->set_write_target([this, i, own_rtt, rtt = wc.site_rtt] {
          const auto p = static_cast<std::size_t>(write_path_->primary());
          models::Database* primary_db = sites_[p]->hosted_database();
          models::Database* own = sites_[i]->database();
          if (primary_db == nullptr || primary_db == own)
            return models::Site::WriteTarget{own, own_rtt};
          return models::Site::WriteTarget{primary_db, rtt[i][p]};
        });
      }
    }
    std::vector<std::string> names;
    for (auto& site : sites_) names.push_back(site->name());
    write_path_ = std::make_unique<models::WritePath>(
        sim_, wc, replication_.get(), rngs_.stream("dr/writes"), names, *network_, rec_);
    for (auto& site : sites_) site->set_write_observer(write_path_.get());
    if (dns_ != nullptr) dns_->add_health_listener(write_path_.get());
  }
  if (!scenario_.faults.empty() || !scenario_.random_faults.empty()) {
    std::vector<models::FaultTarget*> targets;
    for (auto& site : sites_) targets.push_back(site.get());
    faults_ = std::make_unique<models::FaultInjector>(sim_, rngs_, targets, scenario_.faults,
                                                      scenario_.random_faults, rec_);
    // Data loss is settled before the RTO clock starts (same instant, either order is correct).
    if (replication_) faults_->add_observer(replication_.get());
    if (write_path_) faults_->add_observer(write_path_.get());
    faults_->add_observer(rto_.get());
  }
  if (scenario_.dr.activate_replicas > 0 && dns_ != nullptr) {
    failover_trigger_ = std::make_unique<models::FailoverTrigger>(
        scenario_.dr.primary, *sites_[static_cast<std::size_t>(scenario_.dr.standby)],
        scenario_.dr.activate_replicas, rec_);
    dns_->add_health_listener(failover_trigger_.get());
  }
}

void World::build_databases() {
  // Hosted databases first (in site order), then every client attached to its host's.
  std::vector<int> db_of(scenario_.sites.size(), -1);
  for (std::size_t i = 0; i < scenario_.sites.size(); ++i) {
    const SiteSpec& spec = scenario_.sites[i];
    if (!spec.database) continue;
    db_of[i] = static_cast<int>(databases_.size());
    databases_.push_back(std::make_unique<models::Database>(sim_, *spec.database, rec_));
    sites_[i]->set_hosted_database(databases_.back().get());
  }
  for (std::size_t i = 0; i < scenario_.sites.size(); ++i) {
    const SiteSpec& spec = scenario_.sites[i];
    if (spec.database_use.empty()) continue;
    const int host = scenario_.site_index(spec.database_use);
    sites_[i]->attach_database(
        databases_[static_cast<std::size_t>(db_of[static_cast<std::size_t>(host)])].get(),
        rngs_.stream("db/" + spec.site.name));
  }
}

std::vector<models::NodeGroupSummary> World::node_groups(std::size_t i) {
  const SiteSpec& spec = scenario_.sites[i];
  std::vector<models::NodeGroupSummary> out;
  if (!spec.site.has_nodes()) return out;
  models::NodePool& pool = sites_[i]->node_pool();
  const std::vector<double> time = pool.node_time();
  std::vector<models::NodeGroupActivity> activity;
  if (node_autoscaler_of_[i]) activity = node_autoscalers_[*node_autoscaler_of_[i]]->activity();
  for (std::size_t g = 0; g < pool.groups().size(); ++g) {
    const models::NodeGroupConfig& cfg = pool.groups()[g];
    models::NodeGroupSummary n;
    n.name = cfg.name;
    n.spot = cfg.spot.has_value();
    n.price_per_hour = cfg.price_per_hour;
    n.node_seconds = time[g] * 1e-9;
    n.cost = cfg.price_per_hour * n.node_seconds / 3600.0;
    n.peak_nodes = pool.peak_nodes()[g];
    const auto& c = pool.group_counts()[g];
    n.requested = c.requested;
    n.launched = c.launched;
    n.failed = c.failed;
    n.interruptions = c.interruptions;
    n.autoscaled = cfg.autoscale;
    if (g < activity.size()) n.activity = activity[g];
    out.push_back(n);
  }
  return out;
}

void World::start() {
  // A backtest's observed series go into the results beside the simulated ones (samples of
  // observed/<site>), up to the end of the run.
  for (const SiteSpec& spec : scenario_.sites) {
    const std::string component = "observed/" + spec.site.name;
    for (const auto& [t, v] : spec.observed_replicas)
      if (t >= sim::SimTime::zero() && t <= scenario_.duration)
        rec_.sample(component, "replicas", t, v);
    for (const auto& [t, v] : spec.observed_cpu)
      if (t >= sim::SimTime::zero() && t <= scenario_.duration)
        rec_.sample(component, "cpu_util", t, v);
  }
  for (auto& s : sites_) s->start();
  for (auto& n : node_autoscalers_) n->start();
  for (auto& p : pipelines_) p->start();
  for (auto& a : autoscalers_) a->start();
  metrics_->start();
  if (dns_ != nullptr) dns_->start();
  if (faults_) faults_->start();
  if (open_) open_->start();
  if (closed_) closed_->start();
  for (auto& t : tests_) t->start();
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
    case ScenarioEvent::Kind::kPromote:
      promotions_[i]->begin();
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
