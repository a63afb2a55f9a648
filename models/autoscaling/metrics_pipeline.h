// models/autoscaling/metrics_pipeline.h: what monitoring shows an autoscaler, with its lag.
//
// Resource metrics, like metrics-server: every `resolution` (15 s) each running pod's
// cumulative CPU counter is read; a pod's sample is the average CPU over the interval since its
// previous reading (window = that interval, timestamp = the reading), so a new pod has no
// sample until its second reading and every sample is up to one resolution old and one window
// long. Memory is the working set at the reading.
//
// Custom metrics, like Prometheus and an adapter: every `custom_interval` (15 s) per-pod
// counters are scraped; a pod's `requests_per_second` and `concurrency` are rates over the last
// `custom_window` (1 min) of scrapes. Workload-level series: the site's request rate and its
// queue length. Values are in milli-units, as the Kubernetes metrics APIs return them.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/autoscaling/hpa_calculator.h"
#include "models/common/scalable_target.h"
#include "sim/simulator.h"

namespace models {

struct MetricsPipelineConfig {
  sim::SimTime resolution = sim::seconds(15);       // metrics-server --metric-resolution
  sim::SimTime custom_interval = sim::seconds(15);  // Prometheus scrape interval
  sim::SimTime custom_window = sim::minutes(1);     // rate() window
  sim::SimTime phase;                               // offset of the first reading
};

// Names of the metrics a scenario may reference.
bool is_pod_metric(const std::string& name);       // requests_per_second, concurrency
bool is_workload_metric(const std::string& name);  // requests_per_second, queue_length, inflight

class MetricsPipeline {
 public:
  MetricsPipeline(sim::Simulator& sim, const MetricsPipelineConfig& cfg, ScalableTarget& target);
  void start();

  const hpa::PodMetrics& cpu() const { return cpu_; }
  const hpa::PodMetrics& memory() const { return memory_; }
  // Per-pod custom metric by name (empty map for unknown names).
  const hpa::PodMetrics& pod_metric(const std::string& name) const;
  // Workload metric (milli-units): requests_per_second over custom_window, queue_length and
  // inflight at the last scrape. nullopt before the first scrape.
  std::optional<int64_t> workload_metric(const std::string& name) const;
  // The mean over pods with a sample of a per-pod metric: "cpu" as a fraction of the CPU
  // request (0.6 = 60%), "memory" in bytes, "requests_per_second" and "concurrency" as is.
  // nullopt when no pod has a sample.
  std::optional<double> pod_mean(const std::string& name) const;
  // The site's arrival rate (requests/s) per scrape, oldest first, for predictive policies.
  const std::deque<std::pair<sim::SimTime, double>>& rate_history() const { return rate_history_; }
  const MetricsPipelineConfig& config() const { return cfg_; }

 private:
  void read_resources();
  void scrape_custom();

  struct Reading {  // per running pod, from the last resource reading
    sim::SimTime t;
    double cpu;                // cumulative core-ns
    double cpu_request_milli;  // for utilization
    uint64_t round;            // the reading that last saw the pod running
  };
  struct Scrape {
    sim::SimTime t;
    double completed;
    double load_area;
  };
  sim::Simulator& sim_;
  MetricsPipelineConfig cfg_;
  ScalableTarget& target_;
  std::map<std::string, Reading> last_reading_;
  uint64_t reading_round_ = 0;
  struct History {  // per running pod: the scrapes within the rate window
    std::vector<Scrape> scrapes;
    uint64_t round = 0;  // the scrape that last saw the pod running
  };
  std::map<std::string, History> scrapes_;
  uint64_t scrape_round_ = 0;
  hpa::PodMetrics cpu_, memory_, rps_, concurrency_, none_;
  std::deque<std::pair<sim::SimTime, uint64_t>> arrivals_;  // (time, cumulative arrivals)
  std::deque<std::pair<sim::SimTime, double>> rate_history_;
  std::optional<int64_t> site_rps_, queue_length_, inflight_;
};

}  // namespace models
