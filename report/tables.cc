#include "report/tables.h"

#include <cmath>
#include <cstdio>

#include "store/json.h"

namespace report {

namespace {

std::string fmt6(double v) {
  if (std::isnan(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void interval_json(store::JsonWriter& j, const stats::Interval& ci) {
  j.key("mean").value(ci.mean).key("ci95").value(ci.half_width);
  j.key("lo").value(ci.lo()).key("hi").value(ci.hi()).key("n").value(ci.n);
}

}  // namespace

std::string to_csv(const std::vector<const Configuration*>& by_rank) {
  std::string text =
      "rank,configuration,runs,planned_runs,missing_runs,identical_to,gates_passed,gates_known,"
      "meets_slo,pareto";
  for (const Metric& m : metrics()) {
    const std::string k = m.key;
    text += "," + k + "_mean," + k + "_ci95," + k + "_lo," + k + "_hi";
  }
  text += "\n";
  for (const Configuration* c : by_rank) {
    text += std::to_string(c->rank) + "," + csv_field(c->label) + "," +
            std::to_string(c->runs.size()) + "," +
            (c->planned_runs > 0 ? std::to_string(c->planned_runs) : "") + "," +
            std::to_string(c->missing_runs.size()) + "," +
            (c->same_as >= 0 ? std::to_string(c->same_as) : "") + "," +
            std::to_string(c->gates_passed) + "," + std::to_string(c->gates_known) + "," +
            (c->meets ? "1" : "0") + "," + (c->pareto ? "1" : "0");
    for (const auto& ci : c->ci) {
      text += "," + fmt6(ci.mean) + "," + fmt6(ci.half_width) + "," + fmt6(ci.lo()) + "," +
              fmt6(ci.hi());
    }
    text += "\n";
  }
  return text;
}

// "recovery": {"rto_s": {runs, unrecovered, mean, ci95, lo, hi, p50, p90, p99}, ...}: the
// spread across replications (a percentile that falls on a run that never recovered is null).
void recovery_json(store::JsonWriter& j, const Configuration& c) {
  j.key("recovery").begin_object();
  const std::pair<const char*, const Spread*> items[] = {
      {"rto_s", &c.rto}, {"rpo_s", &c.rpo}, {"lost_writes", &c.lost_writes}};
  for (const auto& [key, s] : items) {
    if (!s->present()) continue;
    j.key(key).begin_object();
    j.key("runs").value(s->runs).key("unrecovered").value(s->unrecovered);
    interval_json(j, s->mean);
    for (const auto& [name, v] : {std::pair{"p50", s->p50}, {"p90", s->p90}, {"p99", s->p99}}) {
      j.key(name);
      if (std::isinf(v)) {
        j.null();
      } else {
        j.value(v);
      }
    }
    j.end_object();
  }
  j.end_object();
}

namespace {

void optional_value(store::JsonWriter& j, const char* key, const std::optional<double>& v) {
  j.key(key);
  if (v)
    j.value(*v);
  else
    j.null();
}

void backtest_json(store::JsonWriter& j,
                   const std::vector<std::pair<int64_t, std::vector<SiteBacktest>>>& runs) {
  if (runs.empty()) return;
  j.key("backtest").begin_array();
  for (const auto& [run_id, sites] : runs) {
    for (const SiteBacktest& b : sites) {
      j.begin_object().key("run_id").value(run_id).key("site").value(b.site);
      j.key("replica_points").value(b.replica_points);
      if (b.replica_points > 0)
        j.key("replicas_mae").value(b.replicas_mae).key("replicas_bias").value(b.replicas_bias);
      optional_value(j, "observed_first_scale_up_s", b.observed_first_up_s);
      optional_value(j, "simulated_first_scale_up_s", b.simulated_first_up_s);
      optional_value(j, "first_scale_up_lag_s", b.lag_s());
      if (b.observed_peak_s) j.key("observed_peak").value(b.observed_peak);
      optional_value(j, "observed_peak_s", b.observed_peak_s);
      optional_value(j, "simulated_reached_peak_s", b.simulated_peak_s);
      optional_value(j, "peak_lag_s", b.peak_lag_s());
      j.key("cpu_points").value(b.cpu_points);
      if (b.cpu_points > 0)
        j.key("cpu_mae_pp").value(b.cpu_mae_pp).key("cpu_bias_pp").value(b.cpu_bias_pp);
      j.end_object();
    }
  }
  j.end_array();
}

}  // namespace

std::string to_json(const TableContext& context, const std::vector<const Configuration*>& by_rank) {
  store::JsonWriter j(true);
  j.begin_object();
  j.key("results").value(context.results).key("title").value(context.title);
  j.key("completed_runs").value(static_cast<int64_t>(context.completed_runs));
  j.key("unfinished_runs").value(context.unfinished_runs).key("pareto_y").value(context.pareto_y);
  const Completeness& done = context.completeness;
  if (done.planned_configs > 0) {
    j.key("planned_runs").value(done.planned_configs * done.replications);
    j.key("missing_runs").value(done.missing_runs);
    j.key("absent_configurations").begin_array();
    for (int64_t id : done.absent_configs) j.value(id);
    j.end_array();
  }
  j.key("configurations").begin_array();
  for (const Configuration* c : by_rank) {
    j.begin_object();
    j.key("rank").value(c->rank).key("configuration").value(c->label).key("config_id").value(c->id);
    j.key("runs").value(static_cast<int64_t>(c->runs.size()));
    j.key("gates_passed").value(c->gates_passed).key("gates_known").value(c->gates_known);
    j.key("meets_slo").value(c->meets).key("pareto").value(c->pareto);
    j.key("unrecovered_incidents").value(c->unrecovered);
    if (c->planned_runs > 0) {
      j.key("planned_runs").value(c->planned_runs);
      j.key("missing_runs").begin_array();
      for (int64_t id : c->missing_runs) j.value(id);
      j.end_array();
    }
    if (c->same_as >= 0)
      j.key("identical_to").value(c->same_as);
    else
      j.key("identical_to").null();
    for (std::size_t m = 0; m < metrics().size(); ++m) {
      j.key(metrics()[m].key).begin_object();
      interval_json(j, c->ci[m]);
      j.end_object();
    }
    recovery_json(j, *c);
    j.key("sites").begin_object();
    for (const Configuration::Site& s : c->sites) {
      j.key(s.name).begin_object();
      for (std::size_t m = 0; m < site_metrics().size(); ++m) {
        j.key(site_metrics()[m].key).begin_object();
        interval_json(j, s.ci[m]);
        j.end_object();
      }
      if (!s.groups.empty()) {
        j.key("node_groups").begin_object();
        for (const Configuration::Site::Group& g : s.groups) {
          j.key(g.name).begin_object();
          for (std::size_t m = 0; m < group_metrics().size(); ++m) {
            j.key(group_metrics()[m].key).begin_object();
            interval_json(j, g.ci[m]);
            j.end_object();
          }
          j.end_object();
        }
        j.end_object();
      }
      j.end_object();
    }
    j.end_object();
    j.end_object();
  }
  j.end_array();
  backtest_json(j, context.backtests);
  j.end_object();
  return j.str() + "\n";
}

}  // namespace report
