// models/metrics/metrics_collector.h: per-bucket series and the run summary, per site and
// overall, from the client's point of view.
//
// Per request (hot path) it only counts: arrivals, completions, failures by cause, response-time
// sum and log histogram, Apdex classes. At each bucket boundary (every `bucket`, and at the end
// of the run for a final partial bucket) it reads each site's gauges, emits one "site" row per
// site and one "overall" row (entity "all") through the Recorder, plus a T-map histogram row
// for every entity that completed requests, then starts the next bucket.
//
// Series fields (see docs/results-schema.md): dt_s, arrivals, completions, failed,
// failed_<cause>, rt_mean_s, rt_p50_s, rt_p95_s, rt_p99_s, rt_max_s, apdex, apdex_satisfied,
// apdex_tolerating, inflight, inflight_avg, cpu_util, replicas_desired, replicas_ready,
// replicas_starting, replicas_pending, nodes, share, pod_seconds, dns_stale, retries,
// active_users, cost.
//
// Cost (per site, billed per second, models/cost): cumulative from t = 0 at each bucket end.
// At each bucket end a BucketListener (the RTO tracker) hears the overall counts, and each
// SiteBucketListener (a promotion's analysis) its site's.
//
// A staging site's requests (its test traffic, not users) are in its own rows only: the overall
// row, summary and listener leave them out, and its share is of the users' requests. Its pods,
// nodes and cost are the application's and stay in the overall figures.
//
// Apdex (models.md §5.1): satisfied rt <= T, tolerating T < rt <= 4T, failures are frustrated.
// The summary counts buckets that start at or after `warmup`.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "models/common/request.h"
#include "models/common/site_gauges.h"
#include "models/cost/cost_model.h"
#include "models/metrics/log_histogram.h"
#include "sim/recorder.h"
#include "sim/simulator.h"

namespace models {

struct MetricsConfig {
  sim::SimTime bucket = sim::seconds(1);
  sim::SimTime apdex_t = sim::milliseconds(500);
  sim::SimTime warmup;  // excluded from the summary
  // Completions slower than this are counted for the SLO's p95 check (BucketListener).
  sim::SimTime slo_rt = sim::SimTime::max();
};

struct EntitySummary {
  std::string name;
  uint64_t requests = 0;  // arrivals
  uint64_t completed = 0;
  uint64_t failed = 0;
  std::array<uint64_t, kFailureCauseCount> failed_by{};
  double error_rate = 0;  // failed / (completed + failed)
  double apdex = 0;
  double rt_mean_s = 0, rt_p50_s = 0, rt_p95_s = 0, rt_p99_s = 0, rt_max_s = 0;
  double throughput_rps = 0;  // completions per second
  double inflight_mean = 0;   // time-average of requests in the site(s)
  double cpu_util = 0;        // CPU used / capacity of ready pods
  int max_replicas = 0;       // maximum of desired replicas over bucket ends (peak desired)
  int peak_ready = 0;         // maximum of ready replicas over bucket ends (pods that served)
  int peak_nodes = 0;         // maximum of nodes over bucket ends (0: no node pool)
  double pod_seconds = 0;     // pod-seconds of running pods over the whole run
  double node_seconds = 0;    // node-seconds of existing nodes over the whole run
  uint64_t dns_stale = 0;     // requests routed by a DNS answer older than the GSLB's last change
  double cost = 0;            // over the whole run
  double cost_per_1k = 0;  // cost of the measured period per 1,000 completed requests (NaN: none)
  bool staging = false;    // a staging site: its test traffic, not in the overall figures
};

// What closed-loop users lived through in the measured period.
struct UserSummary {
  uint64_t interactions_ok = 0, interactions_failed = 0;  // after all retries
  uint64_t abandonments = 0;  // times a user gave up after failed interactions in a row
  int abandoned_peak = 0;     // the most users pausing after abandonment (at bucket ends)
  double abandoned_user_minutes = 0;
};

struct RunSummary {
  double measured_s = 0;             // length of the summarised interval (after warm-up)
  std::optional<UserSummary> users;  // closed-loop traffic only
  double run_s = 0;                  // length of the whole run (pod, node and cost figures)
  EntitySummary overall;
  std::vector<EntitySummary> sites;
};

// One site's requests in one bucket, as a SiteBucketListener hears them.
struct SiteBucket {
  uint64_t completed = 0, failed = 0, satisfied = 0, tolerating = 0;
  const LogHistogram* rt = nullptr;  // response times of the completed requests (ns)
};

// Told at every bucket end with one site's counts of the bucket (a promotion's analysis).
class SiteBucketListener {
 public:
  virtual ~SiteBucketListener() = default;
  virtual void on_site_bucket(sim::SimTime start, sim::SimTime end, const SiteBucket& b) = 0;
};

// Told at every bucket end with the overall (all sites) counts of the bucket.
class BucketListener {
 public:
  virtual ~BucketListener() = default;
  // slow: completions with a response time above MetricsConfig::slo_rt.
  // paused_users: closed-loop users pausing after abandonment at the bucket end (0 for open
  // traffic).
  virtual void on_bucket(sim::SimTime start, sim::SimTime end, uint64_t completed, uint64_t failed,
                         uint64_t slow, int paused_users) = 0;
};

class MetricsCollector final : public TrafficObserver {
 public:
  MetricsCollector(sim::Simulator& sim, const MetricsConfig& cfg, sim::Recorder& rec,
                   std::vector<GaugeSource*> sites);
  MetricsCollector(const MetricsCollector&) = delete;
  MetricsCollector& operator=(const MetricsCollector&) = delete;

  // Schedules the first bucket boundary.
  void start();
  // Flushes the last (possibly partial) bucket at now(). Call once, after the run.
  void finish();
  RunSummary summary() const;

  // Optional collaborators; set before start().
  void set_active_users(const ActiveUsersSource* users) { users_ = users; }
  void set_cost_rates(std::vector<CostRates> rates) { rates_ = std::move(rates); }
  void set_bucket_listener(BucketListener* l) { bucket_listener_ = l; }
  void add_site_listener(int site, SiteBucketListener* l) { site_listeners_.push_back({site, l}); }
  // Staging sites: their requests (test traffic) are their own, left out of the overall row and
  // summary (and so of the gates and the RTO); their pods, nodes and cost still count there.
  void set_staging(std::vector<bool> staging) { staging_ = std::move(staging); }
  // The start of the first measured bucket (at or after the warm-up); valid after start().
  sim::SimTime measure_from() const { return measure_from_; }

  void on_send(int site, bool stale_dns, bool retry) override {
    Acc& a = acc_[slot(site)];
    ++a.arrivals;
    a.dns_stale += stale_dns ? 1 : 0;
    a.retries += retry ? 1 : 0;
  }
  void on_response(int site, sim::SimTime rt, sim::SimTime sent) override {
    record_response(acc_[slot(site)], rt);
    // Sent in the warm-up, answered after it: in the bucket's series, not in the summary.
    if (sent < measure_from_ && sim_.now() >= measure_from_)
      record_response(early_[slot(site)], rt);
  }
  void on_failure(int site, FailureCause cause, sim::SimTime sent) override {
    ++acc_[slot(site)].failed[static_cast<std::size_t>(cause)];
    if (sent < measure_from_ && sim_.now() >= measure_from_)
      ++early_[slot(site)].failed[static_cast<std::size_t>(cause)];
  }

 private:
  struct Acc {  // counters of one bucket, or of the summary period
    uint64_t arrivals = 0, completions = 0, satisfied = 0, tolerating = 0, dns_stale = 0, slow = 0,
             retries = 0;
    std::array<uint64_t, kFailureCauseCount> failed{};
    double rt_sum_ns = 0;
    LogHistogram hist;
    void add(const Acc& o);
    void subtract(const Acc& o);  // o's counts were added before
    void clear();
    uint64_t failed_total() const;
  };
  struct Totals {  // summary accumulators per entity
    Acc acc;
    double inflight_area = 0, cpu_used = 0, cpu_capacity = 0;
    int max_replicas = 0, peak_ready = 0, peak_nodes = 0;
    double pod_seconds = 0, node_seconds = 0;  // whole run
    double cost = 0, cost_at_warmup = 0;       // cumulative at the latest bucket end / warm-up
  };
  void record_response(Acc& a, sim::SimTime rt) {
    ++a.completions;
    a.rt_sum_ns += static_cast<double>(rt.ns());
    a.hist.add(rt.ns());
    if (rt <= cfg_.apdex_t) {
      ++a.satisfied;
    } else if (rt <= apdex_4t_) {
      ++a.tolerating;
    }
    a.slow += rt > cfg_.slo_rt ? 1 : 0;
  }
  // Index into acc_: sites first, then the slot for requests that never reached a site.
  std::size_t slot(int site) const {
    return site < 0 ? sites_.size() : static_cast<std::size_t>(site);
  }
  void flush();
  bool staging(std::size_t site) const { return site < staging_.size() && staging_[site]; }
  void emit(std::string_view table, std::string_view entity, const Acc& a, sim::SimTime dt,
            const SiteGauges& now, const SiteGauges& before, uint64_t all_arrivals, int site,
            double cost);
  double site_cost(std::size_t i, const SiteGauges& g) const;
  static EntitySummary summarize(const std::string& name, const Totals& t, double measured_s);

  sim::Simulator& sim_;
  MetricsConfig cfg_;
  sim::SimTime apdex_4t_;
  sim::Recorder& rec_;
  std::vector<GaugeSource*> sites_;
  std::vector<Acc> acc_;  // per site + the no-site slot
  // Outcomes in the measured period of requests sent before it (per slot), taken out of the
  // summary so that it counts each request it judges among its requests.
  std::vector<Acc> early_;
  sim::SimTime measure_from_;  // the start of the first measured bucket
  std::vector<SiteGauges> last_gauges_;
  std::vector<Totals> totals_;  // per site + overall
  sim::SimTime bucket_start_;
  sim::SimTime measured_;
  sim::SimTime started_;
  Acc overall_;  // scratch for the overall row
  const ActiveUsersSource* users_ = nullptr;
  std::vector<CostRates> rates_;
  BucketListener* bucket_listener_ = nullptr;
  std::vector<std::pair<int, SiteBucketListener*>> site_listeners_;
  std::vector<bool> staging_;  // per site; empty: none
  UserCounts users_from_;      // at the start of the measured period
  int paused_peak_ = 0;
  bool finished_ = false;
};

}  // namespace models
