#include "report/markdown.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/backtest.h"
#include "report/charts.h"
#include "report/text.h"
#include "sim/time.h"

namespace report {

namespace {

std::string fmt(const char* f, double v) {
  if (std::isnan(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// A table cell: '|' escaped, line breaks as spaces.
std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += (c == '\n' || c == '\r') ? ' ' : c;
    }
  }
  return out;
}

std::string cell(const stats::Interval& ci, const char* f) {
  if (std::isnan(ci.mean)) return "";
  std::string s = fmt(f, ci.mean);
  if (ci.n < 2 || std::isnan(ci.half_width)) return s;
  // An interval cut by the quantity's bounds is not symmetric: give its ends.
  return s + (ci.symmetric() ? " ± " + fmt(f, ci.half_width)
                             : " (" + fmt(f, ci.lo()) + "–" + fmt(f, ci.hi()) + ")");
}

// A configuration of the plan that has no run in the file: its label, or its number.
std::string absent_name(const Completeness& done, int64_t id) {
  const auto i = static_cast<std::size_t>(id);
  return i < done.labels.size() && !done.labels[i].empty()
             ? md_escape(done.labels[i])
             : "configuration #" + std::to_string(id + 1);
}

// "5, 6, 9" (at most 8, then "...").
std::string id_list(const std::vector<int64_t>& ids) {
  std::string s;
  for (std::size_t i = 0; i < ids.size() && i < 8; ++i)
    s += (i ? ", " : "") + std::to_string(ids[i]);
  if (ids.size() > 8) s += ", ...";
  return s;
}

std::string time_label(double s) { return sim::format_duration(sim::SimTime::from_seconds(s)); }

void intro(std::ostream& md, const MarkdownContext& ctx, std::size_t configs) {
  md << "# hcsim report: " << ctx.title << "\n\n";
  if (const auto y = ctx.meta.find("sweep_yaml"); y != ctx.meta.end()) {
    try {
      const YAML::Node sweep = YAML::Load(y->second);
      if (sweep.IsMap() && sweep["description"] && sweep["description"].IsScalar())
        md << sweep["description"].Scalar() << "\n\n";
    } catch (const YAML::Exception&) {
      // The sweep was valid when it ran; a description is not worth failing the report.
    }
  }
  md << ctx.completed_runs << " completed runs in " << configs << " configuration"
     << (configs == 1 ? "" : "s");
  if (const auto r = ctx.meta.find("sweep_replications"); r != ctx.meta.end()) {
    const std::string& n = r->second;
    md << " (" << n << (n == "1" ? " replication each" : " replications each");
    if (ctx.comparable && n != "1") md << ", common random numbers";
    md << ")";
  }
  md << ", from `" << ctx.reader->path() << "` (hcsim " << HCSIM_VERSION << ").";
  if (ctx.unfinished_runs > 0)
    md << " **" << ctx.unfinished_runs
       << " runs are not completed** and are left out (`hcsim sweep --resume` finishes them).";
  const Completeness& done = ctx.completeness;
  if (done.missing_runs > 0) {
    md << " **This sweep is incomplete: " << done.missing_runs << " of its "
       << done.planned_configs * done.replications
       << " planned runs have no completed result in this file**; the configurations they "
          "belong to are marked below";
    if (!done.absent_configs.empty()) {
      md << ", and " << done.absent_configs.size() << " configuration"
         << (done.absent_configs.size() == 1 ? " has" : "s have") << " no result at all (";
      for (std::size_t i = 0; i < done.absent_configs.size(); ++i)
        md << (i ? "; " : "") << absent_name(done, done.absent_configs[i]);
      md << ")";
    }
    md << ". Means over fewer replications are less certain, and a ranking over an incomplete "
          "sweep may change when it is finished (`hcsim sweep --resume`, or `hcsim merge` of "
          "the missing shards).";
  }
  md << "\n\n";
}

void configuration_table(std::ostream& md, const MarkdownContext& ctx,
                         const std::vector<const Configuration*>& by_rank) {
  md << "## Configurations\n\nMean ± 95% confidence half-width across replications (Student "
        "t). Intervals stay within what a quantity can be: fractions (Apdex, errors) take the "
        "interval of the replications' logits, and quantities that cannot be negative are cut at "
        "0; such an interval is shown as (low–high).";
  if (ctx.comparable) {
    md << " Ranked: configurations whose runs all passed their `expect:` gates (without gates: "
          "mean error rate ≤ 1%) first, cheapest first; then the rest by the share of runs that "
          "passed; ties go to the higher Apdex, then to the order of the sweep file. Pareto: no "
          "other configuration is as cheap and at least as good on "
       << ctx.pareto_y << ".";
  } else {
    md << " These are different scenarios, listed in order: they are not ranked against each "
          "other.";
  }
  md << "\n";
  // Two tables: what users got (with the gates), then what it took.
  for (const bool sizing : {false, true}) {
    md << "\n"
       << (sizing ? "What it took:" : "What users got:") << "\n\n| "
       << (ctx.comparable ? "rank" : "#") << " | configuration | runs |";
    for (const Metric& m : metrics()) {
      if (m.sizing == sizing) md << ' ' << m.title << " |";
    }
    md << (sizing ? "\n|---|---|---|" : " runs within gates | Pareto |\n|---|---|---|");
    for (const Metric& m : metrics()) {
      if (m.sizing == sizing) md << "---|";
    }
    md << (sizing ? "\n" : "---|---|\n");
    const std::size_t rto = metric_index("rto_s");
    for (const Configuration* c : by_rank) {
      std::string runs = std::to_string(c->runs.size());
      if (!c->missing_runs.empty())
        runs = "**" + runs + " of " + std::to_string(c->planned_runs) + "** (missing " +
               id_list(c->missing_runs) + ")";
      std::string twin;
      for (const Configuration* o : by_rank) {
        if (o->id == c->same_as) twin = " (identical to " + md_escape(o->label) + ")";
      }
      md << "| " << (ctx.comparable ? c->rank : c->id + 1) << " | " << md_escape(c->label) << twin
         << " | " << runs << " |";
      for (std::size_t m = 0; m < metrics().size(); ++m) {
        if (metrics()[m].sizing != sizing) continue;
        std::string v = cell(c->ci[m], metrics()[m].fmt);
        if (m == rto && c->unrecovered > 0)
          v += (v.empty() ? "" : " ") + std::string("(") + std::to_string(c->unrecovered) +
               " not recovered)";
        md << ' ' << v << " |";
      }
      if (!sizing) {
        md << ' '
           << (c->gates_known
                   ? std::to_string(c->gates_passed) + "/" + std::to_string(c->gates_known)
                   : "-")
           << " | " << (c->pareto && ctx.comparable ? "yes" : "") << " |";
      }
      md << "\n";
    }
    for (int64_t id : ctx.completeness.absent_configs) {
      md << "| - | **" << absent_name(ctx.completeness, id) << ": no completed run** | **0 of "
         << ctx.completeness.replications << "** |";
      for (const Metric& m : metrics()) {
        if (m.sizing == sizing) md << " |";
      }
      md << (sizing ? "\n" : " - | |\n");
    }
  }
  if (std::any_of(by_rank.begin(), by_rank.end(),
                  [](const Configuration* c) { return c->same_as >= 0; })) {
    md << "\n\"Identical to\": every replication gave the same event sequence (fingerprint) and "
          "the same figures as the configuration named: the setting that tells them apart "
          "changed nothing in this model.\n";
  }
}

// Per site: where the users were served, and what each site needed.
void site_table(std::ostream& md, const MarkdownContext& ctx,
                const std::vector<const Configuration*>& by_rank) {
  md << "\n## Per site\n\nMean ± 95% confidence half-width across replications. Peak ready "
        "pods counts pods that served (not Pending ones, nor those of a failed site); peak "
        "nodes the site's nodes, 0 without a node pool.\n\n| "
     << (ctx.comparable ? "rank" : "#") << " | configuration | site |";
  for (const Metric& m : site_metrics()) md << ' ' << m.title << " |";
  md << "\n|---|---|---|";
  for (std::size_t m = 0; m < site_metrics().size(); ++m) md << "---|";
  md << "\n";
  for (const Configuration* c : by_rank) {
    for (const Configuration::Site& s : c->sites) {
      md << "| " << (ctx.comparable ? c->rank : c->id + 1) << " | " << md_escape(c->label) << " | "
         << md_escape(s.name) << " |";
      for (std::size_t m = 0; m < site_metrics().size(); ++m)
        md << ' ' << cell(s.ci[m], site_metrics()[m].fmt) << " |";
      md << "\n";
    }
  }
}

// Per node group, for sites with several: what each group's nodes cost and what the cloud
// refused.
void group_table(std::ostream& md, const MarkdownContext& ctx,
                 const std::vector<const Configuration*>& by_rank) {
  bool any = false;
  for (const Configuration* c : by_rank) {
    for (const Configuration::Site& s : c->sites) any = any || s.groups.size() > 1;
  }
  if (!any) return;
  md << "\n## Per node group\n\nMean ± 95% confidence half-width across replications. Cost is "
        "the group's nodes at its price_per_hour; nodes refused are node requests the cloud "
        "could not fill (quota, or capacity errors it reports); a scale-up timeout is one the "
        "cluster autoscaler gave up on after max_node_provision_time, and backed off min the "
        "time the group was excluded from scale-ups.\n\n| "
     << (ctx.comparable ? "rank" : "#") << " | configuration | site | group |";
  for (const Metric& m : group_metrics()) md << ' ' << m.title << " |";
  md << "\n|---|---|---|---|";
  for (std::size_t m = 0; m < group_metrics().size(); ++m) md << "---|";
  md << "\n";
  for (const Configuration* c : by_rank) {
    for (const Configuration::Site& s : c->sites) {
      if (s.groups.size() < 2) continue;
      for (const Configuration::Site::Group& g : s.groups) {
        md << "| " << (ctx.comparable ? c->rank : c->id + 1) << " | " << md_escape(c->label)
           << " | " << md_escape(s.name) << " | " << md_escape(g.name) << " |";
        for (std::size_t m = 0; m < group_metrics().size(); ++m)
          md << ' ' << cell(g.ci[m], group_metrics()[m].fmt) << " |";
        md << "\n";
      }
    }
  }
}

// A percentile of a Spread: "never" when it falls on a run that never recovered.
std::string percentile_cell(double v, const char* f) { return std::isinf(v) ? "never" : fmt(f, v); }

// RTO, RPO and lost writes as distributions over each configuration's replications.
void recovery_table(std::ostream& md, const MarkdownContext& ctx,
                    const std::vector<const Configuration*>& by_rank) {
  const bool any = std::any_of(by_rank.begin(), by_rank.end(), [](const Configuration* c) {
    return c->rto.present() || c->rpo.present() || c->lost_writes.present();
  });
  if (!any) return;
  md << "\n## Recovery across replications\n\nEach run's worst incident (RTO, RPO) and its lost "
        "writes, over the replications: the mean with its 95% interval and nearest-rank "
        "percentiles (\"never\": the percentile falls on a run whose incident never "
        "recovered).\n\n"
     << "| configuration | measure | runs | mean (95% CI) | P50 | P90 | P99 | never recovered |\n"
     << "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const Configuration* c : by_rank) {
    const std::pair<const char*, const Spread*> rows[] = {
        {"RTO s", &c->rto}, {"RPO s", &c->rpo}, {"lost writes", &c->lost_writes}};
    for (const auto& [name, s] : rows) {
      if (!s->present()) continue;
      const char* f = s == &c->rpo ? "%.2f" : "%.0f";
      md << "| " << md_escape(c->label) << " | " << name << " | " << s->runs << " | "
         << cell(s->mean, f) << " | " << percentile_cell(s->p50, f) << " | "
         << percentile_cell(s->p90, f) << " | " << percentile_cell(s->p99, f) << " | "
         << (s == &c->rto ? std::to_string(s->unrecovered) : "") << " |\n";
    }
  }
  int never = 0;
  for (const Configuration* c : by_rank) never += c->rto.unrecovered;
  if (ctx.charts_dir) {
    const std::string png = recovery_chart(by_rank, *ctx.charts_dir);
    if (!png.empty()) {
      md << "\n![RTO per run](" << ctx.charts_rel << "/" << png << ")\n";
      if (never > 0) md << "\n" << never << " runs whose incident never recovered are not drawn.\n";
    }
  }
}

void pareto_section(std::ostream& md, const MarkdownContext& ctx,
                    const std::vector<Configuration>& configs,
                    const std::vector<const Configuration*>& by_rank) {
  const std::size_t cost = metric_index("cost");
  const bool has_cost = std::any_of(configs.begin(), configs.end(), [&](const Configuration& c) {
    return !std::isnan(c.ci[cost].mean);
  });
  if (configs.size() < 2 || !ctx.charts_dir || !ctx.comparable || !has_cost) return;
  static const std::map<std::string, std::string> kTitles{{"apdex", "Apdex"},
                                                          {"error_rate", "error rate (%)"},
                                                          {"p95", "p95 response time (s)"},
                                                          {"p99", "p99 response time (s)"},
                                                          {"rto", "RTO (s)"}};
  const std::string png =
      pareto_chart(configs, *ctx.charts_dir, pareto_metric(ctx.pareto_y), kTitles.at(ctx.pareto_y));
  md << "\n## Cost against SLO\n\n![Pareto](" << ctx.charts_rel << "/" << png
     << ")\n\nOn the Pareto front: ";
  bool first = true;
  for (const Configuration* c : by_rank) {
    if (!c->pareto) continue;
    md << (first ? "" : "; ") << md_escape(c->label);
    first = false;
  }
  md << ".\n";
}

// A run's narration as a Markdown list (captions after the run's end left out).
std::string narration(const store::ResultsReader& reader, const RunFigures& run) {
  std::ostringstream list;
  for (const store::CaptionRecord& c : reader.narration(run.run_id)) {
    const double t = static_cast<double>(c.t_ns) * 1e-9;
    if (t > run.duration_s) continue;
    list << "- **" << time_label(t) << "** " << c.text << "\n";
  }
  return list.str();
}

void incidents_table(std::ostream& md, const store::ResultsReader& reader, int64_t run_id) {
  const auto run = reader.run(run_id);
  if (!run) return;
  const auto incidents = store::ResultsReader::incidents(*run);
  if (incidents.empty()) return;
  md << "| incident | start | detected after | SLO | RTO | lost writes | RPO | writes back after "
        "|\n|---|---|---|---|---|---|---|---|\n";
  for (const store::IncidentRecord& i : incidents) {
    std::string writes = "-";
    if (i.write_outage) {
      writes = !i.write_rto_s ? std::string("never")
               : i.promotion_s
                   ? fmt("%.0f s", *i.write_rto_s) + fmt(" (promotion %.0f s)", *i.promotion_s)
                   : fmt("%.0f s (primary back)", *i.write_rto_s);
    }
    std::string slo = "held";
    if (i.violated_s) {
      slo = fmt("%.1f min violated", i.violation_s / 60);
      if (i.violated_before)
        slo += ", **already violated at the fault** (since " + time_label(*i.violated_s) + ")";
      if (i.collapses > 0)
        slo += ", " + std::to_string(i.collapses) + " more collapse" + (i.collapses > 1 ? "s" : "");
    }
    md << "| " << i.site << " " << i.kind << " | " << time_label(i.start_s) << " | "
       << (i.detected_s ? fmt("%.1f s", *i.detected_s - i.start_s) : "-") << " | " << slo << " | "
       << (i.recovered && i.rto_s
               ? fmt("%.0f s", *i.rto_s) + (i.violated_before ? " (from the violation)" : "")
               : std::string("**not recovered** by the end of the run"))
       << " | " << (i.lost_writes ? std::to_string(*i.lost_writes) : "-") << " | "
       << (i.rpo_s ? fmt("%.2f s", *i.rpo_s) : "-") << " | " << writes << " |\n";
  }
  md << "\n";
}

// "apdex_min 0.638 < 0.8, error_rate_max 0.187 > 0.05": the gates a run missed.
std::string missed_gates(const store::ResultsReader& reader, int64_t run_id) {
  const auto run = reader.run(run_id);
  if (!run) return "";
  std::string out;
  for (const store::JsonValue& c : run->summary["expect"]["checks"].items()) {
    if (c["passed"].boolean(true)) continue;
    const std::string& key = c["key"].text();
    const bool is_min = key.size() > 4 && key.compare(key.size() - 4, 4, "_min") == 0;
    const std::string scope = c["scope"].text() == "overall" ? "" : c["scope"].text() + " ";
    const double v = c["value"].number();
    if (c["status"].text() == "not evaluated") {
      out += (out.empty() ? "" : ", ") + scope + "`" + key + "` not evaluated (" +
             c["why_not"].text() + ")";
      continue;
    }
    out += (out.empty() ? "" : ", ") + scope + "`" + key + "` " +
           (std::isnan(v) ? std::string("none") : fmt("%.4g", v)) + (is_min ? " < " : " > ") +
           fmt("%.4g", c["limit"].number());
  }
  return out;
}

// Observed against simulated, for a run whose sites have observed: series (report/backtest.h).
void backtest_table(std::ostream& md, const MarkdownContext& ctx, const RunFigures& run) {
  const std::vector<SiteBacktest> sites = backtest(*ctx.reader, run.run_id);
  if (sites.empty()) return;
  md << "**Backtest: observed against simulated.** Replicas: the simulated deployment's desired "
        "replicas at each observed point; the first scale-up's lag is simulated minus observed "
        "(positive: the policy scaled up later); the peak: when the observed replicas first "
        "reached "
        "their highest value and when the simulation first asked for as many. CPU: each observed "
        "point against the simulated "
        "utilisation over the step before it.\n\n"
        "| site | points | replicas MAE | bias (sim - obs) | first scale-up observed | "
        "simulated | lag | observed peak | reached | simulated reached it | lag | CPU MAE | "
        "CPU bias |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  auto when = [](const std::optional<double>& s) {
    return s ? clock_time(*s) : std::string("never");
  };
  for (const SiteBacktest& b : sites) {
    const auto lag = b.lag_s();
    md << "| " << md_escape(b.site) << " | " << b.replica_points << " | "
       << (b.replica_points ? fmt("%.2f", b.replicas_mae) : "") << " | "
       << (b.replica_points ? fmt("%+.2f", b.replicas_bias) : "") << " | "
       << when(b.observed_first_up_s) << " | " << when(b.simulated_first_up_s) << " | "
       << (lag ? fmt("%+.0f s", *lag) : "") << " | "
       << (b.observed_peak_s ? fmt("%.0f", b.observed_peak) : "") << " | "
       << when(b.observed_peak_s) << " | " << (b.observed_peak_s ? when(b.simulated_peak_s) : "")
       << " | " << (b.peak_lag_s() ? fmt("%+.0f s", *b.peak_lag_s()) : "") << " | "
       << (b.cpu_points ? fmt("%.1f pp", b.cpu_mae_pp) : "") << " | "
       << (b.cpu_points ? fmt("%+.1f pp", b.cpu_bias_pp) : "") << " |\n";
  }
  md << "\n";
  if (!ctx.charts_dir) return;
  for (const SiteBacktest& b : sites) {
    const Images images = backtest_charts(
        b, *ctx.charts_dir, "run" + std::to_string(run.run_id) + "-observed-" + b.site);
    for (const auto& [caption, png] : images)
      md << "![" << caption << "](" << ctx.charts_rel << "/" << png << ")\n";
  }
  md << "\n";
}

void run_section(std::ostream& md, const MarkdownContext& ctx, const Configuration& c) {
  const RunFigures& run = *c.runs.front();
  md << "\n## " << md_escape(c.label) << "\n\nRun " << run.run_id << " (replication "
     << run.replication << ", seed " << run.seed << ")"
     << (ctx.comparable ? ", rank " + std::to_string(c.rank) : std::string()) << ".";
  if (run.gates) {
    if (*run.gates) {
      md << " Its `expect:` gates passed.";
    } else {
      const std::string missed = missed_gates(*ctx.reader, run.run_id);
      md << " **Its `expect:` gates failed**" << (missed.empty() ? "." : ": " + missed + ".");
    }
  }
  md << "\n\n";
  if (const std::string captions = ctx.comparable ? "" : narration(*ctx.reader, run);
      !captions.empty())
    md << captions << "\n";
  incidents_table(md, *ctx.reader, run.run_id);
  backtest_table(md, ctx, run);
  if (ctx.charts_dir) {
    const Images images =
        run_charts(*ctx.reader, run, *ctx.charts_dir, "run" + std::to_string(run.run_id));
    for (const auto& [caption, png] : images)
      md << "![" << caption << "](" << ctx.charts_rel << "/" << png << ")\n";
  }
}

}  // namespace

std::string markdown(const MarkdownContext& ctx, const std::vector<Configuration>& configs,
                     const std::vector<const Configuration*>& by_rank) {
  std::ostringstream md;
  intro(md, ctx, configs.size());
  configuration_table(md, ctx, by_rank);
  site_table(md, ctx, by_rank);
  group_table(md, ctx, by_rank);
  pareto_section(md, ctx, configs, by_rank);
  recovery_table(md, ctx, by_rank);
  // Runs shown in detail: every configuration's first replication when there are few,
  // otherwise the three best-ranked and the last.
  std::vector<const Configuration*> shown;
  if (by_rank.size() <= 8) {
    shown = by_rank;
  } else {
    shown.assign(by_rank.begin(), by_rank.begin() + 3);
    shown.push_back(by_rank.back());
  }
  // Variants of one scenario share its narration: show it once, not under every variant.
  if (ctx.comparable && !shown.empty()) {
    const std::string captions = narration(*ctx.reader, *shown.front()->runs.front());
    if (!captions.empty()) {
      md << "\n## Narration\n\nWritten for the base scenario's own settings; a variant may change "
            "what happens when.\n\n"
         << captions;
    }
  }
  for (const Configuration* c : shown) run_section(md, ctx, *c);
  if (!ctx.charts_dir && ctx.charts_wanted)
    md << "\n_Charts are drawn with gnuplot, which is not installed here._\n";
  return md.str();
}

}  // namespace report
