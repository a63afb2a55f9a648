// engine/world.h: wires the components of one run from a config::Scenario. Holds no model logic.
//
// Owns the simulator, the RNG factory, the request pool and every component; cross-references
// are non-owning and live as long as the World. Random streams are named after components:
//   traffic/arrivals (open) or traffic/think (closed)  traffic/demand  traffic/writes
//   traffic/clients (regions, resolvers, retry jitter)  gslb/split or gslb/dns
//   site/<name>/lb  site/<name>/startup  site/<name>/nodes
//   <autoscaler kind>/<name> (its phase, e.g. hpa/public)
//   metrics/<name> (scrape phase)  faults/<site> (random faults)  faults/nodes
//   replication/<from>  dr/writes (promotion times; multi-primary records and lags)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/scenario.h"
#include "models/autoscaling/autoscaler.h"
#include "models/autoscaling/metrics_pipeline.h"
#include "models/common/request.h"
#include "models/dr/failover_trigger.h"
#include "models/dr/replication.h"
#include "models/dr/rto_tracker.h"
#include "models/dr/write_path.h"
#include "models/faults/fault_injector.h"
#include "models/gslb/dns_gslb.h"
#include "models/gslb/topology.h"
#include "models/gslb/weighted_split.h"
#include "models/metrics/metrics_collector.h"
#include "models/site/node_autoscaler.h"
#include "models/site/promotion.h"
#include "models/site/site.h"
#include "models/traffic/client_network.h"
#include "models/traffic/closed_users.h"
#include "models/traffic/open_source.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace engine {

class World {
 public:
  // REQUIRES: scenario outlives the World.
  World(const config::Scenario& scenario, uint64_t seed, sim::Recorder& rec);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Schedules the initial events. Call once before advance().
  void start();
  // Runs up to max_events events; kReachedEnd once the horizon is reached.
  sim::Simulator::RunStatus advance(uint64_t max_events);
  // Flushes the last metrics bucket (at the horizon, or where an interrupted run stopped).
  void finish();
  models::RunSummary summary() const { return metrics_->summary(); }
  // Incidents (one per fault) with their RTO; data lost by full outages.
  const std::vector<models::Incident>& incidents() const { return rto_->incidents(); }
  const models::RtoTracker& rto() const { return *rto_; }
  // The start of the summary's measured period (the first bucket at or after the warm-up).
  sim::SimTime measure_from() const { return metrics_->measure_from(); }
  std::vector<models::DataLoss> data_losses() const {
    return replication_ ? replication_->losses() : std::vector<models::DataLoss>{};
  }
  bool replicates(int site) const { return replication_ && replication_->replicates(site); }
  // Times writes had no primary to commit at (a primary write path), and conflicting writes
  // (multi-primary).
  std::vector<models::WriteOutage> write_outages() const {
    return write_path_ ? write_path_->outages() : std::vector<models::WriteOutage>{};
  }
  uint64_t write_conflicts() const { return write_path_ ? write_path_->conflicts() : 0; }
  models::WriteMode write_mode() const { return scenario_.dr.write_path; }
  // The longest a write waited in the replication log of `site` (seconds).
  double replication_backlog_max_s(int site) const {
    return replication_ ? replication_->backlog_max_s(site) : 0.0;
  }

  sim::Simulator& simulator() { return sim_; }
  sim::SimTime now() const { return sim_.now(); }
  const config::Scenario& scenario() const { return scenario_; }
  sim::SimTime horizon() const { return scenario_.duration; }
  const models::RequestPool& requests() const { return pool_; }
  models::Site& site(std::size_t i) { return *sites_[i]; }
  const std::vector<std::unique_ptr<models::Database>>& databases() const { return databases_; }
  // What each node group of site i cost and went through (empty: the site has no nodes:).
  std::vector<models::NodeGroupSummary> node_groups(std::size_t i);

 private:
  // Construction, in this order (later parts refer to earlier ones).
  void build_site(std::size_t i);
  void build_databases();
  void build_autoscaler(const config::SiteSpec& spec, models::Site& site);
  void build_global_traffic_layer();
  void build_metrics();
  void build_traffic();
  void build_promotions();
  void build_dr();
  void on_scenario_event(std::size_t i);

  const config::Scenario& scenario_;
  sim::Simulator sim_;
  sim::RngFactory rngs_;
  sim::Recorder& rec_;
  models::RequestPool pool_;
  std::vector<std::unique_ptr<models::Site>> sites_;
  std::vector<std::unique_ptr<models::NodeAutoscaler>> node_autoscalers_;
  std::vector<std::unique_ptr<models::Database>> databases_;
  std::vector<std::optional<std::size_t>> node_autoscaler_of_;  // per site
  std::vector<std::unique_ptr<models::MetricsPipeline>> pipelines_;
  std::vector<std::unique_ptr<models::Autoscaler>> autoscalers_;
  std::unique_ptr<models::Topology> topology_;
  std::unique_ptr<models::ClientNetwork> network_;
  std::unique_ptr<models::SiteSelector> selector_;
  models::DnsGslb* dns_ = nullptr;  // selector_ when the GSLB is DNS-based
  std::unique_ptr<models::MetricsCollector> metrics_;
  std::unique_ptr<models::OpenTrafficSource> open_;
  std::unique_ptr<models::ClosedUsers> closed_;
  // Staging sites' test traffic, each aimed at its site directly.
  std::vector<std::unique_ptr<models::PinnedSelector>> pinned_;
  std::vector<std::unique_ptr<models::OpenTrafficSource>> tests_;
  std::vector<std::unique_ptr<models::Promotion>> promotions_;  // per event (null: not promote)
  std::unique_ptr<models::RtoTracker> rto_;
  std::unique_ptr<models::Replication> replication_;
  std::unique_ptr<models::WritePath> write_path_;
  std::unique_ptr<models::FaultInjector> faults_;
  std::unique_ptr<models::FailoverTrigger> failover_trigger_;
  bool finished_ = false;
};

}  // namespace engine
