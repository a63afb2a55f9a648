#include "report/aggregate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

namespace report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

stats::Interval interval(const Metric& m, const std::vector<double>& xs,
                         const std::vector<double>& trials) {
  return stats::bounded_mean_ci(xs, m.bound, m.scale, trials);
}

void add_spreads(Configuration* c) {
  std::vector<double> rto, rpo, lost;
  int unrecovered = 0;
  for (const RunFigures* r : c->runs) {
    const double v_rto = r->values[metric_index("rto_s")], v_rpo = r->values[metric_index("rpo_s")];
    if (r->unrecovered) ++unrecovered;
    if (!std::isnan(v_rto)) rto.push_back(v_rto);
    if (!std::isnan(v_rpo)) rpo.push_back(v_rpo);
    if (!std::isnan(r->lost_writes)) lost.push_back(r->lost_writes);
  }
  c->rto = spread(rto, unrecovered);
  c->rpo = spread(rpo, 0);
  c->lost_writes = spread(lost, 0);
}

void add_intervals(Configuration* c) {
  for (std::size_t m = 0; m < metrics().size(); ++m) {
    std::vector<double> xs, trials;
    for (const RunFigures* r : c->runs) {
      if (std::isnan(r->values[m])) continue;
      xs.push_back(r->values[m]);
      trials.push_back(r->judged);
    }
    c->ci.push_back(interval(metrics()[m], xs, trials));
  }
  // Per site, in the order of the first run (the runs of a configuration have the same sites).
  if (!c->runs.empty()) {
    for (std::size_t s = 0; s < c->runs.front()->sites.size(); ++s) {
      Configuration::Site site;
      site.name = c->runs.front()->sites[s].name;
      for (std::size_t m = 0; m < site_metrics().size(); ++m) {
        std::vector<double> xs, trials;
        for (const RunFigures* r : c->runs) {
          for (const SiteFigures& f : r->sites) {
            if (f.name != site.name || std::isnan(f.values[m])) continue;
            xs.push_back(f.values[m]);
            trials.push_back(f.judged);
          }
        }
        site.ci.push_back(interval(site_metrics()[m], xs, trials));
      }
      for (const GroupFigures& g0 : c->runs.front()->sites[s].groups) {
        Configuration::Site::Group group;
        group.name = g0.name;
        for (std::size_t m = 0; m < group_metrics().size(); ++m) {
          std::vector<double> xs, trials;
          for (const RunFigures* r : c->runs) {
            for (const SiteFigures& f : r->sites) {
              if (f.name != site.name) continue;
              for (const GroupFigures& g : f.groups) {
                if (g.name != group.name || std::isnan(g.values[m])) continue;
                xs.push_back(g.values[m]);
                trials.push_back(f.judged);
              }
            }
          }
          group.ci.push_back(interval(group_metrics()[m], xs, trials));
        }
        site.groups.push_back(std::move(group));
      }
      c->sites.push_back(std::move(site));
    }
  }
  for (const RunFigures* r : c->runs) {
    if (r->gates) {
      ++c->gates_known;
      c->gates_passed += *r->gates ? 1 : 0;
    }
    c->unrecovered += r->unrecovered ? 1 : 0;
  }
  c->meets = c->gates_known > 0
                 ? c->gates_passed == static_cast<int>(c->runs.size())
                 : !(c->ci[metric_index("error_rate_pct")].mean > 1.0) && c->unrecovered == 0;
}

// Configurations whose runs match an earlier one's, replication by replication.
void flag_identical(std::vector<Configuration>* configs) {
  auto same_runs = [](const Configuration& a, const Configuration& b) {
    if (a.runs.size() != b.runs.size() || a.runs.empty()) return false;
    for (const RunFigures* x : a.runs) {
      const RunFigures* y = nullptr;
      for (const RunFigures* r : b.runs) {
        if (r->replication == x->replication) y = r;
      }
      if (y == nullptr || x->fingerprint.empty() || x->fingerprint != y->fingerprint) return false;
      for (std::size_t m = 0; m < x->values.size(); ++m) {
        const double u = x->values[m], v = y->values[m];
        if (!(u == v || (std::isnan(u) && std::isnan(v)))) return false;
      }
    }
    return true;
  };
  for (std::size_t i = 0; i < configs->size(); ++i) {
    for (std::size_t k = 0; k < i; ++k) {
      if ((*configs)[k].same_as < 0 && same_runs((*configs)[k], (*configs)[i])) {
        (*configs)[i].same_as = (*configs)[k].id;
        break;
      }
    }
  }
}

void rank(std::vector<Configuration>* configs) {
  const std::size_t cost = metric_index("cost"), apdex = metric_index("apdex");
  std::vector<Configuration*> ranked;
  for (Configuration& c : *configs) ranked.push_back(&c);
  auto value = [](const Configuration* c, std::size_t m, double missing) {
    return std::isnan(c->ci[m].mean) ? missing : c->ci[m].mean;
  };
  auto pass_share = [](const Configuration* c) {
    return c->gates_known ? static_cast<double>(c->gates_passed) / c->gates_known : 0.0;
  };
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](const Configuration* a, const Configuration* b) {
                     if (a->meets != b->meets) return a->meets;
                     if (a->meets) {
                       const double ca = value(a, cost, 0), cb = value(b, cost, 0);
                       if (ca != cb) return ca < cb;
                     } else if (pass_share(a) != pass_share(b)) {
                       return pass_share(a) > pass_share(b);
                     }
                     return value(a, apdex, -1) > value(b, apdex, -1);
                   });
  for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i]->rank = static_cast<int>(i + 1);
}

void mark_pareto_front(std::vector<Configuration>* configs, std::size_t y) {
  const std::size_t cost = metric_index("cost");
  const bool up = metrics()[y].higher_is_better;
  for (Configuration& c : *configs) {
    const double cc = c.ci[cost].mean, cy = c.ci[y].mean;
    if (std::isnan(cc) || std::isnan(cy)) continue;
    c.pareto = true;
    for (const Configuration& o : *configs) {
      const double oc = o.ci[cost].mean, oy = o.ci[y].mean;
      if (&o == &c || std::isnan(oc) || std::isnan(oy)) continue;
      const bool no_worse = oc <= cc && (up ? oy >= cy : oy <= cy);
      const bool better = oc < cc || (up ? oy > cy : oy < cy);
      if (no_worse && better) {
        c.pareto = false;
        break;
      }
    }
  }
}

}  // namespace

const std::vector<Metric>& metrics() {
  using stats::Bound;
  static const std::vector<Metric> kMetrics{
      // What users got.
      {"apdex", "Apdex", "overall", "apdex", 1, "%.3f", true, Bound::kFraction},
      {"error_rate_pct", "errors %", "overall", "error_rate", 100, "%.2f", false, Bound::kFraction},
      {"failed_interaction_pct", "failed interactions %", "overall", "failed_interaction_rate", 100,
       "%.2f", false, Bound::kFraction},
      {"rt_p95_s", "p95 s", "overall", "rt_p95_s", 1, "%.3f", false, Bound::kNonNegative},
      {"rt_p99_s", "p99 s", "overall", "rt_p99_s", 1, "%.3f", false, Bound::kNonNegative},
      {"slo_violation_min", "SLO violated min", "overall", "slo_violation_s", 1.0 / 60, "%.1f",
       false, Bound::kNonNegative},
      {"rto_s", "RTO s", "overall", "rto_s", 1, "%.0f", false, Bound::kNonNegative},
      {"rpo_s", "RPO s", "overall", "rpo_s", 1, "%.2f", false, Bound::kNonNegative},
      {"abandoned_peak", "users gave up (peak)", "overall", "abandoned_peak", 1, "%.0f", false,
       Bound::kNonNegative},
      {"abandoned_user_minutes", "user-min lost", "overall", "abandoned_user_minutes", 1, "%.0f",
       false, Bound::kNonNegative},
      // What it took.
      {"cost", "cost", "overall", "cost", 1, "%.2f", false, Bound::kNonNegative, true},
      {"cost_per_hour", "cost / h", "overall", "cost_per_hour", 1, "%.2f", false,
       Bound::kNonNegative, true},
      {"cost_per_1k", "cost / 1k req", "overall", "cost_per_1k", 1, "%.4f", false,
       Bound::kNonNegative, true},
      {"peak_ready_pods", "peak ready pods", "overall", "peak_ready_pods", 1, "%.0f", false,
       Bound::kNonNegative, true},
      {"peak_desired_pods", "peak desired pods", "overall", "peak_desired_pods", 1, "%.0f", false,
       Bound::kNonNegative, true},
      {"peak_nodes", "peak nodes", "overall", "peak_nodes", 1, "%.0f", false, Bound::kNonNegative,
       true},
      {"node_hours", "node-hours", "overall", "node_hours", 1, "%.1f", false, Bound::kNonNegative,
       true},
  };
  return kMetrics;
}

const std::vector<Metric>& site_metrics() {
  static const std::vector<Metric> kMetrics{
      {"apdex", "Apdex", "site", "apdex", 1, "%.3f", true, stats::Bound::kFraction},
      {"error_rate_pct", "errors %", "site", "error_rate", 100, "%.2f", false,
       stats::Bound::kFraction},
      {"rt_p95_s", "p95 s", "site", "rt_p95_s", 1, "%.3f", false, stats::Bound::kNonNegative},
      {"cost", "cost", "site", "cost", 1, "%.2f", false, stats::Bound::kNonNegative},
      {"peak_ready_pods", "peak ready pods", "site", "peak_ready_pods", 1, "%.0f", false,
       stats::Bound::kNonNegative},
      {"peak_nodes", "peak nodes", "site", "peak_nodes", 1, "%.0f", false,
       stats::Bound::kNonNegative},
  };
  return kMetrics;
}

const std::vector<Metric>& group_metrics() {
  using stats::Bound;
  static const std::vector<Metric> kMetrics{
      {"node_hours", "node-hours", "group", "node_hours", 1, "%.1f", false, Bound::kNonNegative,
       true},
      {"cost", "cost", "group", "cost", 1, "%.2f", false, Bound::kNonNegative, true},
      {"peak_nodes", "peak nodes", "group", "peak_nodes", 1, "%.0f", false, Bound::kNonNegative,
       true},
      {"creation_failures", "nodes refused", "group", "creation_failures", 1, "%.1f", false,
       Bound::kNonNegative, true},
      {"scale_up_timeouts", "scale-up timeouts", "group", "scale_up_timeouts", 1, "%.1f", false,
       Bound::kNonNegative, true},
      {"backoff_min", "backed off min", "group", "backoff_s", 1.0 / 60, "%.1f", false,
       Bound::kNonNegative, true},
      {"spot_interruptions", "spot interruptions", "group", "spot_interruptions", 1, "%.1f", false,
       Bound::kNonNegative, true},
  };
  return kMetrics;
}

std::size_t metric_index(std::string_view key) {
  for (std::size_t i = 0; i < metrics().size(); ++i) {
    if (key == metrics()[i].key) return i;
  }
  throw std::out_of_range("no report metric '" + std::string(key) + "'");
}

std::size_t pareto_metric(std::string_view pareto_y) {
  if (pareto_y == "apdex") return metric_index("apdex");
  if (pareto_y == "error_rate") return metric_index("error_rate_pct");
  if (pareto_y == "p95") return metric_index("rt_p95_s");
  if (pareto_y == "p99") return metric_index("rt_p99_s");
  if (pareto_y == "rto") return metric_index("rto_s");
  throw std::out_of_range("--pareto-y must be apdex, error_rate, p95, p99 or rto");
}

Spread spread(std::vector<double> values, int unrecovered) {
  Spread s;
  s.runs = static_cast<int>(values.size());
  s.unrecovered = unrecovered;
  s.mean = stats::bounded_mean_ci(values, stats::Bound::kNonNegative);
  std::sort(values.begin(), values.end());
  for (int i = 0; i < unrecovered; ++i) values.push_back(std::numeric_limits<double>::infinity());
  const auto rank = [&](double p) {
    if (values.empty()) return kNaN;
    const auto k =
        static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(k, 1, values.size()) - 1];
  };
  s.p50 = rank(50);
  s.p90 = rank(90);
  s.p99 = rank(99);
  return s;
}

RunFigures run_figures(const store::RunRecord& run) {
  RunFigures r;
  r.run_id = run.run_id;
  r.config = run.config_or_own();
  r.label = run.label_or_scenario();
  r.scenario = run.scenario_name;
  r.replication = run.replication.value_or(0);
  r.seed = run.seed;
  r.gates = run.expect_passed;
  r.duration_s = static_cast<double>(run.horizon_ns) * 1e-9;
  r.bucket_s = static_cast<double>(run.bucket_ns) * 1e-9;
  const store::JsonValue& overall = run.summary["overall"];
  r.unrecovered = overall.has("rto_s") && overall["rto_s"].is_null();
  r.lost_writes = overall["lost_writes"].number();
  for (const Metric& m : metrics()) {
    double v = run.summary[m.scope][m.name].number();
    // Results of hcsim before 2026-11-30 call the peak of desired pods max_replicas.
    if (std::isnan(v) && std::string_view(m.key) == "peak_desired_pods")
      v = run.summary[m.scope]["max_replicas"].number();
    r.values.push_back(std::isnan(v) ? kNaN : v * m.scale);
  }
  const auto judged = [](const store::JsonValue& e) {
    const double n = e["completed"].number() + e["failed"].number();
    return std::isnan(n) ? 0.0 : n;
  };
  r.judged = judged(overall);
  r.fingerprint = run.fingerprint;
  for (const auto& [name, site] : run.summary["sites"].members()) {
    SiteFigures s;
    s.name = name;
    s.judged = judged(site);
    for (const Metric& m : site_metrics()) {
      const double v = site[m.name].number();
      s.values.push_back(std::isnan(v) ? kNaN : v * m.scale);
    }
    if (site.has("node_groups")) {
      for (const store::JsonValue& g : site["node_groups"].items()) {
        GroupFigures f;
        f.name = g["name"].text();
        for (const Metric& m : group_metrics()) {
          const double v = g[m.name].number();
          f.values.push_back(std::isnan(v) ? kNaN : v * m.scale);
        }
        s.groups.push_back(std::move(f));
      }
    }
    r.sites.push_back(std::move(s));
  }
  return r;
}

std::vector<Configuration> aggregate(const std::vector<RunFigures>& runs,
                                     std::string_view pareto_y) {
  std::map<int64_t, Configuration> by_id;
  std::vector<int64_t> order;
  for (const RunFigures& r : runs) {
    auto [it, fresh] = by_id.try_emplace(r.config);
    if (fresh) {
      it->second.id = r.config;
      it->second.label = r.label;
      order.push_back(r.config);
    }
    it->second.runs.push_back(&r);
  }
  std::vector<Configuration> out;
  for (int64_t id : order) out.push_back(std::move(by_id[id]));
  for (Configuration& c : out) {
    add_intervals(&c);
    add_spreads(&c);
  }
  flag_identical(&out);
  rank(&out);
  mark_pareto_front(&out, pareto_metric(pareto_y));
  return out;
}

Completeness check_completeness(const std::map<std::string, std::string>& meta,
                                const std::vector<store::RunRecord>& completed,
                                std::vector<Configuration>* configs) {
  Completeness out;
  const auto runs = meta.find("sweep_runs"), cfgs = meta.find("sweep_configs"),
             reps = meta.find("sweep_replications");
  if (runs == meta.end() || cfgs == meta.end() || reps == meta.end()) return out;
  try {
    out.planned_configs = std::stoll(cfgs->second);
    out.replications = std::stoi(reps->second);
    if (out.replications < 1 || out.planned_configs < 1 ||
        std::stoll(runs->second) != out.planned_configs * out.replications)
      return {};
  } catch (const std::exception&) {
    return {};
  }
  out.labels.assign(static_cast<std::size_t>(out.planned_configs), "");
  if (const auto l = meta.find("sweep_config_labels"); l != meta.end()) {
    try {
      const store::JsonValue v = store::JsonValue::parse(l->second);
      for (std::size_t i = 0; i < v.items().size() && i < out.labels.size(); ++i)
        out.labels[i] = v.items()[i].text();
    } catch (const store::JsonError&) {
      // Labels are a courtesy; absent configurations are then named by number.
    }
  }
  // A sweep numbers its runs configuration-major: run_id = config x replications + rep + 1.
  std::vector<bool> done(static_cast<std::size_t>(out.planned_configs * out.replications), false);
  for (const store::RunRecord& r : completed) {
    if (r.run_id >= 1 && r.run_id <= static_cast<int64_t>(done.size()))
      done[static_cast<std::size_t>(r.run_id - 1)] = true;
  }
  for (int64_t cfg = 0; cfg < out.planned_configs; ++cfg) {
    Configuration* c = nullptr;
    for (Configuration& x : *configs) {
      if (x.id == cfg) c = &x;
    }
    std::vector<int64_t> missing;
    for (int rep = 0; rep < out.replications; ++rep) {
      const int64_t id = cfg * out.replications + rep + 1;
      if (!done[static_cast<std::size_t>(id - 1)]) missing.push_back(id);
    }
    out.missing_runs += static_cast<int64_t>(missing.size());
    if (c == nullptr) {
      out.absent_configs.push_back(cfg);
      continue;
    }
    c->planned_runs = out.replications;
    c->missing_runs = std::move(missing);
  }
  return out;
}

}  // namespace report
