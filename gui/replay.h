// gui/replay.h: one recorded run, loaded from a results database for replay, and what the
// dashboard shows at a simulated time. No graphics here: the viewer draws from this, and tests
// and `--dump-state` read the same numbers.
//
// The viewer never re-simulates to display: everything comes from the results file through
// store's reader (series, histograms, events with their typed details, narration) and the
// scenario text stored with the run (for the sites' clouds, the topology and the initial GSLB
// weights).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/json.h"
#include "store/results_reader.h"

namespace gui {

// A run in a results file, for the run picker.
struct RunEntry {
  int64_t run_id = 0;
  std::string scenario;
  std::string label;  // configuration label of a sweep run, else ""
  uint64_t seed = 0;
  std::string status;
  double duration_s = 0;
};

// Lists the runs of a results file. Throws std::runtime_error if it cannot be read.
std::vector<RunEntry> list_runs(const std::string& db_path);

// Per-bucket series of one entity (a site or "all"), columns as floats (NaN = no data).
struct Series {
  std::vector<double> t;  // bucket start, seconds
  std::vector<float> dt, arrivals, completions, failed, rt_mean, rt_p50, rt_p95, rt_p99, apdex,
      apdex_satisfied, apdex_tolerating, active_users, inflight, cpu_util, replicas_desired,
      replicas_ready, replicas_starting, replicas_unready, replicas_pending, nodes, share,
      dns_stale, retries, cost;
  // A backtest's observed series (the site's `observed:`), per bucket: the latest observed value
  // at the bucket's start, NaN before the first (empty without observations).
  std::vector<float> observed_replicas, observed_cpu;
  // Derived when loaded: sites' GSLB weight (fraction of the weights' sum at the bucket's start)
  // and the fraction of arrivals routed by a stale DNS answer (NaN without arrivals).
  std::vector<float> gslb_weight, stale_share;
  // Derived when loaded: whether the column holds anything but zeros and gaps (what the
  // dashboard shows depends on them; found once, not per frame).
  bool any_failed = false, any_users = false, any_dns_stale = false, any_retries = false;
  // Derived when loaded: a site's GSLB weight changes during the run.
  bool weight_changes = false;
  std::size_t size() const { return t.size(); }
};

// The T-map of an entity: counts per (bucket, response-time bin), failures per bucket.
struct Tmap {
  int first_bin = 0, bins = 0;   // rows: bins first_bin .. first_bin + bins - 1
  std::vector<double> bin_lo_s;  // lower edge of each row's bin
  std::vector<uint32_t> counts;  // [bucket * bins + row]
  std::vector<uint32_t> failed;  // per bucket
};

enum class PodState : uint8_t {
  kPending,
  kScheduling,
  kPulling,
  kBooting,
  kReady,
  kUnready,
  kTerminating
};
inline constexpr int kPodStates = 7;
const char* pod_state_name(PodState s);

// A pod's life: state changes in time order; gone after `end_s` (terminated or killed).
struct Pod {
  std::string name;
  int node = -1;
  double start_s = 0;
  double end_s = 1e300;
  std::vector<std::pair<double, PodState>> changes;
  // The state at time t; false if the pod does not exist then.
  bool state_at(double t, PodState* out) const;
};

// A site's health as the GSLB and the faults see it.
enum class Health : uint8_t { kUp, kDetecting, kDown, kRecovering };
const char* health_name(Health h);

struct SiteInfo {
  std::string name;
  std::string cloud;     // private | public
  bool staging = false;  // role: staging: test traffic only, outside the GSLB
  int entity = -1;       // index into Replay::entities
  std::vector<Pod> pods;
  // Fault intervals [start, end) and the GSLB's down intervals [marked down, marked healthy).
  std::vector<std::pair<double, double>> faults, gslb_down;
  Health health_at(double t) const;
};

struct Event {
  double t = 0;
  std::string component, kind, message;
  store::JsonValue details;  // the event's typed fields (docs/results-schema.md)
};

// True for an event whose details explain an autoscaler's decision (report/explain.h).
bool explainable(const Event& e);

struct Caption {
  double t = 0;
  std::string text;
  // The series columns its declared figures quote (the scenario's narration figures:), so the
  // dashboard can show the charts that back it.
  std::vector<std::string> columns;
};

struct Region {
  std::string name;
  double share = 1;
  std::vector<double> latency_ms;  // one-way latency to each site (NaN: no direct link)
};

class Replay {
 public:
  // Loads run `run_id` of a results file (0: the only or first run). Throws
  // std::runtime_error with a message naming the file if it cannot.
  static Replay load(const std::string& db_path, int64_t run_id = 0);

  const std::string& path() const { return path_; }
  int64_t run_id() const { return run_id_; }
  const std::string& scenario() const { return scenario_; }
  const std::string& label() const { return label_; }
  uint64_t seed() const { return seed_; }
  double duration_s() const { return duration_s_; }
  double bucket_s() const { return bucket_s_; }
  double apdex_t_s() const { return apdex_t_s_; }

  // entities()[0] is the overall series ("all"); sites follow in site order.
  const std::vector<std::string>& entity_names() const { return entity_names_; }
  const std::vector<Series>& series() const { return series_; }
  const Series& overall() const { return series_[0]; }
  const std::vector<Tmap>& tmaps() const { return tmaps_; }
  const std::vector<SiteInfo>& sites() const { return sites_; }
  const std::vector<Event>& events() const { return events_; }
  const std::vector<Caption>& captions() const { return captions_; }
  const std::vector<Region>& regions() const { return regions_; }
  const std::string& gslb_policy() const { return gslb_policy_; }

  // The bucket holding time t (clamped to the run).
  std::size_t bucket_at(double t) const;
  // What the dashboard shows at time t is the state at the end of the bucket holding t (its
  // numbers are that bucket's): events, pods, health and weights are taken just before that
  // end, so that nothing on screen is behind the numbers beside it. t itself past the last
  // bucket.
  double state_time(double t) const;
  // The GSLB weights (one per site, percent of the sum) in force at time t.
  std::vector<double> weights_at(double t) const;
  // The last caption at or before t (nullptr before the first).
  const Caption* caption_at(double t) const;
  // Index of the first event after t / the last event before t (events().size() / npos if none).
  std::size_t next_event(double t) const;
  std::size_t prev_event(double t) const;
  // The latest decision of `site`'s autoscalers logged at or before t (a pod autoscaler's scale
  // event, else a cluster autoscaler's scale-up), as an index into events(); npos if none.
  std::size_t decision_at(const std::string& site, double t) const;

 private:
  // Loading, in order: series (returns entity id -> index), T-maps, scenario extras, sites.
  std::map<int64_t, std::size_t> load_series(const store::ResultsReader& reader);
  void load_tmaps(const store::ResultsReader& reader, const std::map<int64_t, std::size_t>& index);
  void load_scenario(const store::RunRecord& run);
  void load_observed(const store::ResultsReader& reader);
  void load_sites();
  void derive_series();
  static void add_pod_event(SiteInfo* s, std::map<std::string, std::size_t>* pods, const Event& e);

  std::string path_;
  int64_t run_id_ = 0;
  std::string scenario_, label_;
  uint64_t seed_ = 0;
  double duration_s_ = 0, bucket_s_ = 1, apdex_t_s_ = 0.5;
  std::vector<std::string> entity_names_;
  std::vector<Series> series_;
  std::vector<Tmap> tmaps_;
  std::vector<SiteInfo> sites_;
  std::vector<Event> events_;
  std::vector<Caption> captions_;
  std::vector<Region> regions_;
  std::string gslb_policy_;
  std::vector<std::string> clouds_;  // per site, from the scenario ("" when unknown)
  std::vector<bool> staging_;        // per site, from the scenario
  std::vector<double> initial_weights_;
  std::vector<std::pair<double, std::vector<double>>> weight_changes_;
};

// The numbers the dashboard shows for one entity at a time t. Rates and Apdex are over the
// window [t - window, t) made of whole buckets (at least one: the bucket holding t); levels
// (users, replicas, CPU, nodes) are the bucket holding t.
struct Numbers {
  std::string entity;
  double window_start_s = 0, window_end_s = 0;
  double tps = 0;           // completions / s
  double velocity = 0;      // arrivals / s (request velocity)
  double errors_per_s = 0;  // failed / s
  double apdex = 0;         // NaN without requests in the window
  double rt_mean_s = 0;     // completion-weighted mean response time; NaN without completions
  double rt_p95_s = 0;      // the bucket's p95; NaN without completions
  double active_users = 0;  // NaN for open traffic
  double cpu_util = 0;      // NaN without ready pods
  int replicas_desired = 0, replicas_ready = 0, replicas_starting = 0, replicas_unready = 0,
      replicas_pending = 0;
  int nodes = 0;
  double cost = 0;  // cumulative, at the end of the bucket
};

struct SiteView {
  std::string name;
  Health health = Health::kUp;
  double weight = 0;  // percent
  int pods_by_state[kPodStates] = {};
};

struct DashboardState {
  double t = 0;
  std::string caption;
  std::vector<Numbers> numbers;  // overall first, then each site
  std::vector<SiteView> sites;
};

// `window_s` <= bucket: one bucket.
DashboardState state_at(const Replay& r, double t, double window_s = 10);

// As JSON (the `--dump-state` format, documented in docs/viewer.md).
std::string to_json(const DashboardState& s);

}  // namespace gui
