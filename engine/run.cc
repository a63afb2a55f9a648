#include "engine/run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>

#include "engine/world.h"
#include "models/metrics/log_histogram.h"
#include "store/json.h"

namespace engine {

using config::Expectations;
using config::Scenario;
using config::SiteExpectations;
using store::JsonWriter;

namespace {

// Adds the check of one gate: `why_not` non-empty when the run gave nothing to judge it by.
void add_check(std::vector<ExpectCheck>* out, const std::string& scope, const Expectations& e,
               const char* key, const std::optional<double>& limit, double value, bool is_min,
               const std::string& why_not) {
  if (!limit) return;
  ExpectCheck c;
  c.scope = scope;
  c.key = key;
  c.limit = *limit;
  c.value = value;
  c.optional = e.is_optional(key);
  if (!why_not.empty()) {
    c.evaluated = false;
    c.why_not = why_not;
    c.value = std::numeric_limits<double>::quiet_NaN();
    c.passed = c.optional;
  } else {
    c.passed = !std::isnan(value) && (is_min ? value >= *limit : value <= *limit);
  }
  out->push_back(std::move(c));
}

// The nearest-rank percentile p of xs (+inf stands for an incident that never recovered).
double nearest_rank(std::vector<double> xs, double p) {
  std::sort(xs.begin(), xs.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(xs.size())));
  return xs[std::clamp<std::size_t>(rank, 1, xs.size()) - 1];
}

// rto_pNN_max_s and rpo_pNN_max_s over the run's incidents.
void check_percentiles(std::vector<ExpectCheck>* out, const Expectations& e, const DrSummary& dr,
                       const std::string& no_incident) {
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> rto, rpo;
  for (const IncidentReport& inc : dr.incidents) {
    rto.push_back(inc.rto_s ? *inc.rto_s : std::numeric_limits<double>::infinity());
    if (inc.rpo_s) rpo.push_back(*inc.rpo_s);
  }
  for (const Expectations::PercentileGate& g : Expectations::percentile_gates()) {
    const std::vector<double>& xs = g.rto ? rto : rpo;
    std::string why_not = no_incident;
    if (why_not.empty() && xs.empty())
      why_not = "no incident cost replicated writes (no replication: or writes)";
    double v = xs.empty() ? kNaN : nearest_rank(xs, g.percent);
    if (std::isinf(v)) v = kNaN;  // the percentile falls on an incident that never recovered
    add_check(out, "overall", e, g.key, e.*g.limit, v, false, why_not);
  }
}

void check_one(std::vector<ExpectCheck>* out, const std::string& scope, const Expectations& e,
               const models::EntitySummary& s) {
  const std::string idle = s.requests > 0 ? ""
                           : scope == "overall"
                               ? "no request was made in the measured period"
                               : "site '" + scope + "' served no request in the measured period";
  add_check(out, scope, e, "apdex_min", e.apdex_min, s.apdex, true, idle);
  add_check(out, scope, e, "error_rate_max", e.error_rate_max, s.error_rate, false, idle);
  add_check(out, scope, e, "rt_p95_max_s", e.rt_p95_max_s, s.rt_p95_s, false, idle);
  add_check(out, scope, e, "rt_p99_max_s", e.rt_p99_max_s, s.rt_p99_s, false, idle);
  add_check(out, scope, e, "cost_max", e.cost_max, s.cost, false,
            std::isnan(s.cost) ? "the scenario prices no site (cost:)" : "");
}

void optional_value(JsonWriter& j, const char* key, const std::optional<double>& v) {
  j.key(key);
  if (v) {
    j.value(*v);
  } else {
    j.null();
  }
}

void figures_json(JsonWriter& j, const DrSummary::Figures& f) {
  if (f.rto_s) j.key("rto_s").value(*f.rto_s);  // NaN (null): not recovered
  if (f.rpo_s) j.key("rpo_s").value(*f.rpo_s);
  if (f.lost_writes) j.key("lost_writes").value(*f.lost_writes);
  if (f.write_rto_s) j.key("write_rto_s").value(*f.write_rto_s);  // NaN (null): never resumed
  if (f.replication_backlog_max_s)
    j.key("replication_backlog_max_s").value(*f.replication_backlog_max_s);
}

DrSummary summarize_dr(const World& world) {
  DrSummary dr;
  const std::size_t n = world.scenario().sites.size();
  dr.sites.resize(n);
  auto worse = [](std::optional<double>& slot, double v) {
    if (!slot || std::isnan(v) || (!std::isnan(*slot) && v > *slot)) slot = v;
  };
  const std::vector<models::DataLoss> losses = world.data_losses();
  std::vector<bool> loss_used(losses.size(), false);
  const std::vector<models::WriteOutage> outages = world.write_outages();
  std::vector<bool> outage_used(outages.size(), false);
  const auto& sites = world.scenario().sites;
  dr.write_path = models::write_mode_name(world.write_mode());
  if (world.write_mode() == models::WriteMode::kMultiPrimary)
    dr.write_conflicts = world.write_conflicts();
  for (const models::ReplicationLink& l : world.scenario().replication) {
    if (l.throughput > 0)
      dr.sites[static_cast<std::size_t>(l.from)].replication_backlog_max_s =
          world.replication_backlog_max_s(l.from);
  }
  for (const models::Incident& inc : world.incidents()) {
    IncidentReport r;
    r.site = world.scenario().sites[static_cast<std::size_t>(inc.site)].site.name;
    r.kind = models::fault_kind_name(inc.kind);
    r.start_s = inc.start.seconds();
    if (inc.end) r.end_s = inc.end->seconds();
    if (inc.detected) r.detected_s = inc.detected->seconds();
    if (inc.violated) r.violated_s = inc.violated->seconds();
    if (inc.recovered) r.recovered_s = inc.recovered->seconds();
    r.rto_s = inc.rto_s();
    r.recovered = r.rto_s.has_value();
    r.violated_before = inc.violated_before;
    r.rto_from_s = inc.origin().seconds();
    r.collapses = inc.collapses;
    if (inc.violated) {
      const sim::SimTime to = inc.recovered ? *inc.recovered : world.now();
      r.violation_s = world.rto().violation_seconds(*inc.violated, to);
      for (const models::SloInterval& v : world.rto().violations()) {
        const sim::SimTime end = v.end ? *v.end : world.now();
        if (end > *inc.violated && v.start <= to)
          r.violations.emplace_back(v.start.seconds(), end.seconds());
      }
    }
    for (std::size_t k = 0; k < losses.size(); ++k) {
      if (!loss_used[k] && losses[k].site == inc.site && losses[k].at == inc.start &&
          inc.kind == models::FaultKind::kFull) {
        loss_used[k] = true;
        r.lost_writes = losses[k].lost_writes;
        r.rpo_s = losses[k].rpo_s;
      }
    }
    for (std::size_t k = 0; k < outages.size(); ++k) {
      const models::WriteOutage& o = outages[k];
      if (outage_used[k] || o.site != inc.site || o.start != inc.start) continue;
      outage_used[k] = true;
      r.write_outage = true;
      if (o.restored) r.write_rto_s = (*o.restored - o.start).seconds();
      r.promotion_s = o.promotion_s;
      r.primary_after = sites[static_cast<std::size_t>(o.primary_after)].site.name;
    }
    const double rto = r.rto_s ? *r.rto_s : std::numeric_limits<double>::quiet_NaN();
    for (DrSummary::Figures* f : {&dr.overall, &dr.sites[static_cast<std::size_t>(inc.site)]}) {
      worse(f->rto_s, rto);
      if (r.rpo_s) worse(f->rpo_s, *r.rpo_s);
      if (r.lost_writes) f->lost_writes = f->lost_writes.value_or(0) + *r.lost_writes;
      if (r.write_outage)
        worse(f->write_rto_s,
              r.write_rto_s ? *r.write_rto_s : std::numeric_limits<double>::quiet_NaN());
    }
    dr.incidents.push_back(std::move(r));
  }
  dr.slo_violation_s = world.rto().violation_seconds(world.measure_from(), world.now());
  return dr;
}

void entity_json(JsonWriter& j, const models::EntitySummary& e, double run_s) {
  j.begin_object();
  j.key("requests").value(e.requests);
  j.key("completed").value(e.completed);
  j.key("failed").value(e.failed);
  j.key("failed_by").begin_object();
  for (int c = 0; c < models::kFailureCauseCount; ++c) {
    j.key(models::failure_cause_name(static_cast<models::FailureCause>(c)))
        .value(e.failed_by[static_cast<std::size_t>(c)]);
  }
  j.end_object();
  j.key("error_rate").value(e.error_rate);
  j.key("apdex").value(e.apdex);
  j.key("rt_mean_s").value(e.rt_mean_s);
  j.key("rt_p50_s").value(e.rt_p50_s);
  j.key("rt_p95_s").value(e.rt_p95_s);
  j.key("rt_p99_s").value(e.rt_p99_s);
  j.key("rt_max_s").value(e.rt_max_s);
  j.key("throughput_rps").value(e.throughput_rps);
  j.key("inflight_mean").value(e.inflight_mean);
  j.key("cpu_util").value(e.cpu_util);
  j.key("max_replicas").value(e.max_replicas);  // the peak of desired pods, as before
  j.key("peak_desired_pods").value(e.max_replicas);
  j.key("peak_ready_pods").value(e.peak_ready);
  j.key("peak_nodes").value(e.peak_nodes);
  j.key("pod_seconds").value(e.pod_seconds);
  j.key("node_seconds").value(e.node_seconds);
  j.key("node_hours").value(e.node_seconds / 3600.0);
  j.key("dns_stale").value(e.dns_stale);
  j.key("cost").value(e.cost);
  j.key("cost_per_1k").value(e.cost_per_1k);
  const double per_hour = run_s > 0 ? e.cost / (run_s / 3600.0) : std::nan("");
  j.key("cost_per_hour").value(per_hour);
  j.key("cost_per_day").value(per_hour * 24);
  if (e.staging) j.key("role").value("staging");
}

void databases_json(JsonWriter& j, const std::vector<RunResult::Database>& databases) {
  if (databases.empty()) return;
  j.key("databases").begin_object();
  for (const RunResult::Database& d : databases) {
    j.key(d.name).begin_object();
    j.key("utilization").value(d.utilization);
    j.key("peak_connections").value(d.peak_connections);
    j.key("max_connections").value(d.max_connections);
    j.key("sites").begin_array();
    for (const std::string& site : d.sites) j.value(site);
    j.end_array();
    j.end_object();
  }
  j.end_object();
}

void database_use_json(JsonWriter& j, const models::DatabaseUse& u) {
  const double n = static_cast<double>(u.queries);
  j.key("database").begin_object();
  j.key("queries").value(u.queries);
  j.key("query_mean_s").value(u.queries > 0 ? u.query_ns / n * 1e-9 : std::nan(""));
  j.key("query_max_s").value(u.query_max_ns * 1e-9);
  j.key("pool_waits").value(u.waits);
  // Mean wait for a connection over every request that reached the pool (0 for those that got
  // one at once).
  const double asked = n + static_cast<double>(u.timeouts);
  j.key("pool_wait_mean_s").value(asked > 0 ? u.wait_ns / asked * 1e-9 : std::nan(""));
  j.key("pool_timeouts").value(u.timeouts);
  j.key("connections_refused").value(u.refused);
  j.key("peak_connections_in_use").value(u.peak_in_use);
  j.end_object();
}

void node_group_json(JsonWriter& j, const models::NodeGroupSummary& g) {
  j.begin_object();
  j.key("name").value(g.name);
  j.key("spot").value(g.spot);
  j.key("autoscaled").value(g.autoscaled);
  j.key("price_per_hour").value(g.price_per_hour);
  j.key("node_seconds").value(g.node_seconds);
  j.key("node_hours").value(g.node_seconds / 3600.0);
  j.key("cost").value(g.cost);
  j.key("peak_nodes").value(g.peak_nodes);
  j.key("nodes_requested").value(g.requested);
  j.key("nodes_launched").value(g.launched);
  j.key("creation_failures").value(g.failed);
  j.key("spot_interruptions").value(g.interruptions);
  const models::NodeGroupActivity& a = g.activity;
  j.key("scale_ups").value(a.scale_ups);
  j.key("scale_up_timeouts").value(a.timeouts);
  j.key("backoffs").value(a.backoffs);
  j.key("backoff_s").value(a.backoff_s);
  j.key("nodes_given_up").value(a.given_up);
  j.end_object();
}

}  // namespace

std::vector<ExpectCheck> check_expectations(const Scenario& s, const models::RunSummary& summary,
                                            const DrSummary& dr) {
  std::vector<ExpectCheck> out;
  check_one(&out, "overall", s.expect, summary.overall);
  // Without an incident there is nothing to recover from: the DR gates are not evaluated (an
  // RTO of 0 would pass a gate the scenario never put to the test).
  const Expectations& e = s.expect;
  const std::string no_incident = dr.incidents.empty() ? "no incident in the run" : "";
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  add_check(&out, "overall", e, "rto_max_s", e.rto_max_s,
            dr.overall.rto_s ? *dr.overall.rto_s : kNaN, false, no_incident);
  add_check(&out, "overall", e, "rpo_max_s", e.rpo_max_s,
            dr.overall.rpo_s ? *dr.overall.rpo_s : kNaN, false,
            !no_incident.empty() ? no_incident
            : dr.overall.rpo_s   ? ""
                               : "no incident cost replicated writes (no replication: or writes)");
  add_check(&out, "overall", e, "write_rto_max_s", e.write_rto_max_s,
            dr.overall.write_rto_s ? *dr.overall.write_rto_s : kNaN, false,
            !no_incident.empty()     ? no_incident
            : dr.overall.write_rto_s ? ""
                                     : "writes never lost their primary");
  check_percentiles(&out, e, dr, no_incident);
  for (const SiteExpectations& se : s.site_expect) {
    const int i = s.site_index(se.site);
    check_one(&out, se.site, se.expect, summary.sites[static_cast<std::size_t>(i)]);
  }
  return out;
}

std::string summary_to_json(const Scenario& s, uint64_t seed, const RunResult& r) {
  JsonWriter j(true);
  j.begin_object();
  j.key("scenario").value(s.name);
  j.key("seed").value(seed);
  j.key("status").value(r.status);
  j.key("duration_s").value(s.duration.seconds());
  j.key("simulated_s").value(r.sim_end.seconds());
  j.key("warmup_s").value(s.metrics.warmup.seconds());
  j.key("measured_s").value(r.summary.measured_s);
  j.key("warnings").begin_array();
  for (const std::string& w : s.warnings) j.value(w);
  j.end_array();
  j.key("overall");
  entity_json(j, r.summary.overall, r.summary.run_s);
  figures_json(j, r.dr.overall);
  j.key("slo_violation_s").value(r.dr.slo_violation_s);
  if (const auto& u = r.summary.users) {
    const uint64_t n = u->interactions_ok + u->interactions_failed;
    j.key("interactions").value(n);
    j.key("failed_interactions").value(u->interactions_failed);
    j.key("failed_interaction_rate")
        .value(n > 0 ? static_cast<double>(u->interactions_failed) / static_cast<double>(n) : 0.0);
    j.key("abandonments").value(u->abandonments);
    j.key("abandoned_peak").value(u->abandoned_peak);
    j.key("abandoned_user_minutes").value(u->abandoned_user_minutes);
  }
  if (r.dr.write_conflicts) j.key("write_conflicts").value(*r.dr.write_conflicts);
  j.end_object();
  j.key("sites").begin_object();
  for (std::size_t i = 0; i < r.summary.sites.size(); ++i) {
    j.key(r.summary.sites[i].name);
    entity_json(j, r.summary.sites[i], r.summary.run_s);
    if (i < r.dr.sites.size()) figures_json(j, r.dr.sites[i]);
    if (i < r.database_use.size() && r.database_use[i]) database_use_json(j, *r.database_use[i]);
    if (i < r.node_groups.size() && !r.node_groups[i].empty()) {
      j.key("node_groups").begin_array();
      for (const models::NodeGroupSummary& g : r.node_groups[i]) node_group_json(j, g);
      j.end_array();
    }
    j.end_object();
  }
  j.end_object();
  databases_json(j, r.databases);
  j.key("incidents").begin_array();
  for (const IncidentReport& inc : r.dr.incidents) {
    j.begin_object();
    j.key("site").value(inc.site).key("kind").value(inc.kind).key("start_s").value(inc.start_s);
    optional_value(j, "end_s", inc.end_s);
    optional_value(j, "detected_s", inc.detected_s);
    optional_value(j, "slo_violated_s", inc.violated_s);
    optional_value(j, "slo_recovered_s", inc.recovered_s);
    optional_value(j, "rto_s", inc.rto_s);
    j.key("recovered").value(inc.recovered);
    j.key("rto_from_s").value(inc.rto_from_s);
    j.key("violated_before").value(inc.violated_before);
    j.key("collapses").value(inc.collapses);
    j.key("slo_violation_s").value(inc.violation_s);
    j.key("slo_violations").begin_array();  // each collapse its own interval
    for (const auto& [a, b] : inc.violations) j.begin_array().value(a).value(b).end_array();
    j.end_array();
    if (inc.lost_writes) j.key("lost_writes").value(*inc.lost_writes);
    if (inc.rpo_s) j.key("rpo_s").value(*inc.rpo_s);
    if (inc.write_outage) {
      optional_value(j, "write_rto_s", inc.write_rto_s);
      optional_value(j, "promotion_s", inc.promotion_s);
      j.key("primary_after").value(inc.primary_after);
    }
    j.end_object();
  }
  j.end_array();
  j.key("expect").begin_object();
  if (r.expect_passed)
    j.key("passed").value(*r.expect_passed);
  else
    j.key("passed").null();
  j.key("checks").begin_array();
  for (const ExpectCheck& c : r.checks) {
    j.begin_object();
    j.key("scope").value(c.scope).key("key").value(c.key).key("limit").value(c.limit);
    j.key("value").value(c.value).key("passed").value(c.passed);
    j.key("status").value(c.status());
    if (c.optional) j.key("optional").value(true);
    if (!c.evaluated) j.key("why_not").value(c.why_not);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  j.end_object();
  return j.str() + "\n";
}

RunResult execute(const Scenario& s, uint64_t seed, sim::Recorder& rec, const RunControl& control) {
  const auto wall0 = std::chrono::steady_clock::now();
  World world(s, seed, rec);
  world.simulator().set_stop_flag(control.stop);
  world.start();
  RunResult r;
  constexpr uint64_t kSlice = 1 << 18;
  for (;;) {
    const auto status = world.advance(kSlice);
    if (control.on_progress) control.on_progress(world.simulator().now());
    if (status == sim::Simulator::RunStatus::kReachedEnd) {
      r.status = "completed";
      break;
    }
    if (status == sim::Simulator::RunStatus::kStopped ||
        (control.stop != nullptr && control.stop->load())) {
      r.status = "interrupted";
      break;
    }
  }
  world.finish();
  r.summary = world.summary();
  r.dr = summarize_dr(world);
  for (std::size_t i = 0; i < s.sites.size(); ++i) r.node_groups.push_back(world.node_groups(i));
  for (const auto& db : world.databases()) {
    RunResult::Database d;
    d.name = db->name();
    const double cap = db->capacity_ns();
    d.utilization = cap > 0 ? db->busy_ns() / cap : 0.0;
    d.peak_connections = db->peak_connections_open();
    d.max_connections = db->config().max_connections;
    for (std::size_t i = 0; i < s.sites.size(); ++i) {
      if (world.site(i).database() == db.get()) d.sites.push_back(s.sites[i].site.name);
    }
    r.databases.push_back(d);
  }
  for (std::size_t i = 0; i < s.sites.size(); ++i) {
    if (world.site(i).database() != nullptr)
      r.database_use.emplace_back(world.site(i).database_use());
    else
      r.database_use.emplace_back();
  }
  r.events = world.simulator().events_executed();
  r.fingerprint = world.simulator().fingerprint();
  r.sim_end = world.simulator().now();
  if (r.status == "completed") {
    r.checks = check_expectations(s, r.summary, r.dr);
    if (!r.checks.empty()) {
      r.expect_passed = true;
      for (const auto& c : r.checks) r.expect_passed = *r.expect_passed && c.passed;
    }
  }
  r.summary_json = summary_to_json(s, seed, r);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return r;
}

store::RunInfo run_info(const config::Scenario& s, const RunLabel& label) {
  store::RunInfo info;
  info.scenario_name = s.name;
  // Absolute, so that the files the scenario names (traces, HPA manifests) are found again when
  // the run is replayed (hcsim explain, the viewer) from another directory.
  info.scenario_file = s.source_file.empty()
                           ? ""
                           : std::filesystem::absolute(s.source_file).lexically_normal().string();
  info.scenario_yaml = s.source_text;
  info.overrides = s.overrides;
  info.seed = label.seed;
  info.config_id = label.config_id;
  info.config_label = label.config_label;
  info.replication = label.replication;
  info.run_id = label.run_id;
  info.horizon_ns = s.duration.ns();
  info.bucket_ns = s.metrics.bucket.ns();
  info.warmup_ns = s.metrics.warmup.ns();
  info.apdex_t_ns = s.metrics.apdex_t.ns();
  for (const config::NarrationLine& n : s.narration) info.narration.push_back({n.at.ns(), n.text});
  for (int b = 0; b < models::TmapBins::kCount; ++b)
    info.rt_bins.emplace_back(models::TmapBins::lo_seconds(b), models::TmapBins::hi_seconds(b));
  return info;
}

RunResult run_into_db(store::ResultsDb& db, const config::Scenario& s, const RunLabel& label,
                      const RunControl& control, int64_t* run_id_out) {
  const int64_t run_id = db.begin_run(run_info(s, label));
  if (run_id_out != nullptr) *run_id_out = run_id;
  RunResult r;
  try {
    store::RunRecorder rec(db, run_id);
    r = execute(s, label.seed, rec, control);
    rec.flush();
  } catch (const std::exception& e) {
    store::RunEnd end;
    end.status = "failed";
    end.message = e.what();
    try {
      db.end_run(run_id, end);
    } catch (...) {
    }
    throw;
  }
  store::RunEnd end;
  end.status = r.status;
  end.sim_end = r.sim_end;
  end.events = r.events;
  end.fingerprint = r.fingerprint;
  end.expect_passed = r.expect_passed;
  end.summary_json = r.summary_json;
  end.wall_seconds = r.wall_seconds;
  if (r.status == "interrupted")
    end.message = "interrupted at t=" + sim::format_duration(r.sim_end);
  db.end_run(run_id, end);
  return r;
}

}  // namespace engine
