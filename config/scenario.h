// config/scenario.h: a scenario as plain config structs, what the loader produces from YAML and
// the engine's World builds models from. Defaults live in the models' *Config structs;
// docs/scenarios.md documents every key. Kinds are enums or variants, never strings; the *_name
// functions give the names the scenario files and the results use.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "models/autoscaling/hpa_spec.h"
#include "models/autoscaling/knative_autoscaler.h"
#include "models/autoscaling/metrics_pipeline.h"
#include "models/autoscaling/predictive_scaler.h"
#include "models/autoscaling/scheduled_scaler.h"
#include "models/autoscaling/step_scaling.h"
#include "models/autoscaling/target_tracking.h"
#include "models/common/distribution.h"
#include "models/common/profile.h"
#include "models/cost/cost_model.h"
#include "models/dr/replication.h"
#include "models/dr/rto_tracker.h"
#include "models/dr/write_path.h"
#include "models/faults/fault_injector.h"
#include "models/gslb/dns_gslb.h"
#include "models/gslb/topology.h"
#include "models/metrics/metrics_collector.h"
#include "models/site/node_autoscaler.h"
#include "models/site/promotion.h"
#include "models/site/site.h"
#include "models/traffic/closed_users.h"
#include "models/traffic/open_source.h"
#include "sim/time.h"

namespace config {

// SLO gates checked after the run (exit code 1 when one fails). Unset = not checked.
struct Expectations {
  std::optional<double> apdex_min;
  std::optional<double> error_rate_max;
  std::optional<double> rt_p95_max_s;
  std::optional<double> rt_p99_max_s;
  std::optional<double> cost_max;
  // Run-level only (overall): the worst incident's RTO and RPO.
  std::optional<double> rto_max_s;
  std::optional<double> rpo_max_s;
  std::optional<double> write_rto_max_s;  // the longest time writes had no primary
  // Run-level percentiles over the run's incidents (nearest rank: P99 of ten incidents is the
  // worst), for runs with many (random faults): rto_p50_max_s ... rpo_p99_max_s.
  std::optional<double> rto_p50_max_s, rto_p90_max_s, rto_p99_max_s;
  std::optional<double> rpo_p50_max_s, rpo_p90_max_s, rpo_p99_max_s;
  // Gates (by key) that pass when the run gives nothing to judge them by (optional: [...]);
  // any other gate that cannot be evaluated fails the run.
  std::vector<std::string> optional;
  bool is_optional(const std::string& key) const {
    for (const std::string& k : optional) {
      if (k == key) return true;
    }
    return false;
  }
  bool empty() const {
    return !apdex_min && !error_rate_max && !rt_p95_max_s && !rt_p99_max_s && !cost_max &&
           !rto_max_s && !rpo_max_s && !write_rto_max_s &&
           std::none_of(percentile_gates().begin(), percentile_gates().end(),
                        [this](const PercentileGate& g) { return (this->*g.limit).has_value(); });
  }

  // The percentile gates, by key.
  struct PercentileGate {
    const char* key;
    std::optional<double> Expectations::*limit;
    bool rto;  // else RPO
    double percent;
  };
  static const std::vector<PercentileGate>& percentile_gates() {
    static const std::vector<PercentileGate> kGates{
        {"rto_p50_max_s", &Expectations::rto_p50_max_s, true, 50},
        {"rto_p90_max_s", &Expectations::rto_p90_max_s, true, 90},
        {"rto_p99_max_s", &Expectations::rto_p99_max_s, true, 99},
        {"rpo_p50_max_s", &Expectations::rpo_p50_max_s, false, 50},
        {"rpo_p90_max_s", &Expectations::rpo_p90_max_s, false, 90},
        {"rpo_p99_max_s", &Expectations::rpo_p99_max_s, false, 99},
    };
    return kGates;
  }
};

struct SiteExpectations {
  std::string site;
  Expectations expect;
};

// A figure a narration line quotes and what it must equal at the line's time, so that a caption
// is true when it appears (docs/scenarios.md#narration). Either a sum of series columns at the
// bucket holding the line's time, or the time of an event.
struct NarrationFigure {
  std::string quote;  // the part of the text that holds the figure, e.g. "16 pods"
  double value = 0;   // the figure: a percent as a fraction, a clock time in seconds
  bool percent = false;
  std::vector<std::pair<std::string, std::string>> terms;  // (entity, column): "all" or a site
  double tolerance = 0;                                    // in the figure's units
  bool relative = false;                                   // tolerance is a fraction of value
  double over_s = 0;  // > 0: the mean of the buckets of the last over_s seconds up to the time
  bool sum = false;   // with over_s: their sum (counts per bucket), not their mean
  // An event: its component, part of its message; at the time `value` (a clock in the quote) or,
  // when value < 0, in the same second as the line.
  std::string event_component, event_message;
};

struct NarrationLine {
  sim::SimTime at;
  std::string text;
  std::vector<NarrationFigure> figures;
  std::vector<std::string> given;  // quotes whose numbers are settings, not measurements
};

// The pod autoscalers a site can have. The HPA carries its controller's flags, the manifest file
// it came from (if any) and an optional minReplicas schedule.
struct HpaPolicy {
  models::hpa::HpaSpec spec;
  models::hpa::ControllerConfig controller;
  std::string manifest_file;
  std::vector<models::ScheduleEntry> min_schedule;  // minReplicas over time
};
struct ScheduledPolicy {
  std::vector<models::ScheduleEntry> schedule;  // replicas over time
};
using AutoscalerPolicy =
    std::variant<std::monostate, HpaPolicy, models::TargetTrackingConfig, models::StepScalingConfig,
                 models::KnativeConfig, ScheduledPolicy, models::PredictiveConfig>;

struct AutoscalerSpec {
  AutoscalerPolicy policy;  // monostate: none
  models::MetricsPipelineConfig metrics;
  bool empty() const { return std::holds_alternative<std::monostate>(policy); }
};
// hpa, target_tracking, step_scaling, knative, scheduled, predictive ("" for none): the key of
// the scenario file and the prefix of the autoscaler's component and random stream names.
const char* autoscaler_kind_name(const AutoscalerSpec& a);

struct SiteSpec {
  models::SiteConfig site;
  // database: the database hosted here (`cores` or `tps` given), or none; `database_use` names
  // the site whose database the pods use (this one, another one, or "" for none).
  std::optional<models::DatabaseConfig> database;
  std::string database_use;
  bool database_rtt_given = false;
  std::optional<models::NodeAutoscalerConfig> node_autoscaler;
  AutoscalerSpec autoscaler;
  models::CostRates cost;
  bool has_cost = false;
  bool rtt_given = false;
  // observed: what the real system showed over the same time (a backtest): its replicas
  // (deployment spec) and CPU utilisation (of requests, 0-1), as (run time, value) points.
  std::vector<std::pair<sim::SimTime, double>> observed_replicas, observed_cpu;
  // role: staging: the site serves no users (outside the GSLB) but its own test traffic, sent to
  // it directly; its requests are left out of the overall figures (models/metrics).
  bool staging = false;
  std::optional<models::OpenTrafficConfig> test_traffic;
  bool test_cpu_given = false;  // else the requests' cpu of traffic.request
};

// Actions at scenario times.
struct ScenarioEvent {
  enum class Kind { kRollout, kWeights, kTtl, kDrain, kUndrain, kScale, kPromote };
  sim::SimTime at;
  Kind kind = Kind::kRollout;
  int site = 0;
  models::ImageSpec image;             // rollout
  models::RolloutStrategy strategy;    // rollout
  std::vector<double> weights;         // weights (one per site)
  sim::SimTime ttl;                    // ttl
  int32_t replicas = 0;                // scale
  int from = 0;                        // promote: the staging site (`site` is production)
  models::PromotionAnalysis analysis;  // promote
};

// The global load balancer. Without `dns` (no dns:, health_check: or non-weighted policy) it is
// a per-request weighted split (an anycast or proxied balancer with no health checks).
struct GslbSpec {
  models::GslbPolicy policy = models::GslbPolicy::kWeighted;
  std::vector<double> weights;  // one per site, in site order
  bool dns = false;
  models::DnsGslbConfig dns_cfg;  // dns_cfg.policy == policy (names: models::gslb_policy_name)
};

// Disaster-recovery preset: how the standby site is prepared and brought in.
enum class DrPreset { kNone, kActiveActive, kWarmStandby, kPilotLight };
const char* dr_preset_name(DrPreset p);  // "", active-active, warm-standby, pilot-light

struct DrSpec {
  DrPreset preset = DrPreset::kNone;
  int primary = 0, standby = 1;
  // Replicas the DR automation scales the standby to when the GSLB marks the primary down
  // (0: no automation; the standby's autoscaler must cope).
  int32_t activate_replicas = 0;
  // Where writes commit (models/dr/write_path.h): local without a dr: section, else primary, or
  // multi-primary for active-active.
  models::WriteMode write_path = models::WriteMode::kLocal;
  std::optional<sim::SimTime> write_rtt;  // default: the topology's round trip between sites
  uint64_t keys = 0;                      // multi-primary
  double key_skew = 0.99;                 // multi-primary
};

enum class TrafficKind { kOpen, kClosed };

struct Scenario {
  std::string name;
  std::string description;
  std::string source_file;             // the YAML file ("" when loaded from text)
  std::string source_text;             // the YAML text as read
  std::vector<std::string> overrides;  // the --set arguments applied
  // allow_late: (or --allow-late): events, outages and narration lines at or after the end are
  // dropped with a warning instead of being an error.
  bool allow_late = false;
  // What the loader found suspicious but not wrong, as "file:line:column: path: message":
  // `validate` and `run` print them, and the run summary keeps them.
  std::vector<std::string> warnings;

  sim::SimTime duration;
  uint64_t seed = 1;
  models::MetricsConfig metrics;

  TrafficKind traffic_kind = TrafficKind::kOpen;
  // traffic.request.database: each request's database work (core-seconds); `write` is added for
  // writes. Copied into every site's database client.
  bool has_db_demand = false;
  models::Distribution db_read, db_write;
  models::OpenTrafficConfig open;
  models::ClosedTrafficConfig closed;

  models::TopologyConfig topology;
  GslbSpec gslb;
  std::vector<SiteSpec> sites;
  std::vector<ScenarioEvent> events;
  std::vector<models::ScheduledFault> faults;
  std::vector<models::RandomFault> random_faults;
  std::vector<models::ReplicationLink> replication;
  models::SloConfig slo;
  DrSpec dr;

  Expectations expect;
  std::vector<SiteExpectations> site_expect;
  std::vector<NarrationLine> narration;

  int site_index(const std::string& name) const;
};

}  // namespace config
