// runner/world.h: wires the components of one run from a Scenario. Holds no model logic.
//
// Owns the simulator, the RNG factory, the request pool and every component; cross-references
// are non-owning and live as long as the World. Random streams are named after components:
//   traffic/arrivals  traffic/demand  traffic/writes  gslb/split
//   site/<name>/lb  site/<name>/startup  site/<name>/nodes  hpa/<name> (sync phase)
//   metrics/<name> (scrape phase)
#pragma once

#include <memory>
#include <vector>

#include "models/autoscaling/autoscaler.h"
#include "models/autoscaling/metrics_pipeline.h"
#include "models/common/request.h"
#include "models/gslb/weighted_split.h"
#include "models/metrics/metrics_collector.h"
#include "models/site/node_autoscaler.h"
#include "models/site/site.h"
#include "models/traffic/open_source.h"
#include "runner/scenario.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace runner {

class World {
 public:
  // REQUIRES: scenario outlives the World.
  World(const Scenario& scenario, uint64_t seed, sim::Recorder& rec);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Schedules the initial events. Call once before advance().
  void start();
  // Runs up to max_events events; kReachedEnd once the horizon is reached.
  sim::Simulator::RunStatus advance(uint64_t max_events);
  // Flushes the last metrics bucket (at the horizon, or where an interrupted run stopped).
  void finish();
  models::RunSummary summary() const { return metrics_->summary(); }

  sim::Simulator& simulator() { return sim_; }
  const Scenario& scenario() const { return scenario_; }
  sim::SimTime horizon() const { return scenario_.duration; }
  const models::RequestPool& requests() const { return pool_; }
  models::Site& site(std::size_t i) { return *sites_[i]; }

 private:
  void on_scenario_event(std::size_t i);

  const Scenario& scenario_;
  sim::Simulator sim_;
  sim::RngFactory rngs_;
  sim::Recorder& rec_;
  models::RequestPool pool_;
  std::vector<std::unique_ptr<models::Site>> sites_;
  std::vector<std::unique_ptr<models::NodeAutoscaler>> node_autoscalers_;
  std::vector<std::unique_ptr<models::MetricsPipeline>> pipelines_;
  std::vector<std::unique_ptr<models::Autoscaler>> autoscalers_;
  std::unique_ptr<models::WeightedSplit> selector_;
  std::unique_ptr<models::MetricsCollector> metrics_;
  std::unique_ptr<models::OpenTrafficSource> traffic_;
  bool finished_ = false;
};

}  // namespace runner
