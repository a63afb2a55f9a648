#include "runner/report.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "models/metrics/log_histogram.h"
#include "runner/commands.h"
#include "runner/json.h"
#include "runner/merge.h"
#include "runner/results_db.h"
#include "runner/stats.h"
#include "sim/time.h"

namespace runner {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The per-run figures the report aggregates, read from each run's summary JSON.
struct Metric {
  const char* key;    // column name in csv/json
  const char* title;  // table header
  const char* path;   // JSON path in runs.summary_json
  double scale;       // shown = value x scale
  const char* fmt;
  bool higher_is_better;
};
const std::vector<Metric>& metrics() {
  static const std::vector<Metric> kMetrics{
      {"apdex", "Apdex", "$.overall.apdex", 1, "%.3f", true},
      {"error_rate_pct", "errors %", "$.overall.error_rate", 100, "%.2f", false},
      {"rt_p95_s", "p95 s", "$.overall.rt_p95_s", 1, "%.3f", false},
      {"rt_p99_s", "p99 s", "$.overall.rt_p99_s", 1, "%.3f", false},
      {"cost", "cost", "$.overall.cost", 1, "%.2f", false},
      {"cost_per_1k", "cost / 1k req", "$.overall.cost_per_1k", 1, "%.4f", false},
      {"rto_s", "RTO s", "$.overall.rto_s", 1, "%.0f", false},
      {"rpo_s", "RPO s", "$.overall.rpo_s", 1, "%.2f", false},
      {"max_replicas", "peak pods", "$.overall.max_replicas", 1, "%.0f", false},
  };
  return kMetrics;
}

struct RunRow {
  int64_t run_id = 0;
  int64_t config = 0;
  std::string label;
  std::string scenario;
  int64_t replication = 0;
  uint64_t seed = 0;
  std::optional<bool> gates;
  std::vector<double> values;  // per metric; NaN when absent
  bool unrecovered = false;    // an incident never recovered (RTO absent)
  double duration_s = 0;
  double bucket_s = 0;
};

struct Config {
  int64_t id = 0;
  std::string label;
  std::vector<const RunRow*> runs;
  std::vector<stats::Interval> ci;  // per metric
  int gates_known = 0, gates_passed = 0, unrecovered = 0;
  bool meets = false;
  int rank = 0;
  bool pareto = false;
};

std::string fmt(const char* f, double v) {
  if (std::isnan(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::vector<RunRow> read_runs(Db& db) {
  std::vector<RunRow> rows;
  std::string sql =
      "SELECT run_id, coalesce(config_id, -run_id), coalesce(config_label, scenario_name), "
      "scenario_name,"
      " coalesce(replication, 0), seed, expect_passed, horizon_ns, bucket_ns,"
      " json_type(summary_json, '$.overall.rto_s'), json_array_length(summary_json, '$.incidents')";
  for (const Metric& m : metrics())
    sql += std::string(", json_extract(summary_json, '") + m.path + "')";
  sql += " FROM runs WHERE status = 'completed' ORDER BY run_id";
  Stmt st(db, sql);
  while (st.step()) {
    RunRow r;
    r.run_id = st.int64(0);
    r.config = st.int64(1);
    r.label = st.text(2);
    r.scenario = st.text(3);
    r.replication = st.int64(4);
    r.seed = static_cast<uint64_t>(st.int64(5));
    if (!st.is_null(6)) r.gates = st.int64(6) != 0;
    r.duration_s = static_cast<double>(st.int64(7)) * 1e-9;
    r.bucket_s = static_cast<double>(st.int64(8)) * 1e-9;
    r.unrecovered = !st.is_null(9) && st.text(9) == "null";
    for (std::size_t i = 0; i < metrics().size(); ++i) {
      const int col = 11 + static_cast<int>(i);
      r.values.push_back(st.is_null(col) ? kNaN : st.real(col) * metrics()[i].scale);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

std::size_t metric_index(const std::string& key) {
  for (std::size_t i = 0; i < metrics().size(); ++i) {
    if (key == metrics()[i].key) return i;
  }
  return 0;
}

std::vector<Config> group(const std::vector<RunRow>& runs, const std::string& pareto_y) {
  std::map<int64_t, Config> by_id;
  std::vector<int64_t> order;
  for (const RunRow& r : runs) {
    auto [it, fresh] = by_id.try_emplace(r.config);
    if (fresh) {
      it->second.id = r.config;
      it->second.label = r.label;
      order.push_back(r.config);
    }
    it->second.runs.push_back(&r);
  }
  std::vector<Config> out;
  for (int64_t id : order) out.push_back(std::move(by_id[id]));
  const std::size_t err = metric_index("error_rate_pct"), cost = metric_index("cost"),
                    apdex = metric_index("apdex");
  for (Config& c : out) {
    for (std::size_t m = 0; m < metrics().size(); ++m) {
      std::vector<double> xs;
      for (const RunRow* r : c.runs) {
        if (!std::isnan(r->values[m])) xs.push_back(r->values[m]);
      }
      c.ci.push_back(stats::mean_ci(xs));
    }
    for (const RunRow* r : c.runs) {
      if (r->gates) {
        ++c.gates_known;
        c.gates_passed += *r->gates ? 1 : 0;
      }
      c.unrecovered += r->unrecovered ? 1 : 0;
    }
    c.meets = c.gates_known > 0 ? c.gates_passed == static_cast<int>(c.runs.size())
                                : !(c.ci[err].mean > 1.0) && c.unrecovered == 0;
  }
  // Rank.
  std::vector<Config*> ranked;
  for (Config& c : out) ranked.push_back(&c);
  auto value = [](const Config* c, std::size_t m, double missing) {
    return std::isnan(c->ci[m].mean) ? missing : c->ci[m].mean;
  };
  std::stable_sort(ranked.begin(), ranked.end(), [&](const Config* a, const Config* b) {
    if (a->meets != b->meets) return a->meets;
    if (a->meets) {
      const double ca = value(a, cost, 0), cb = value(b, cost, 0);
      if (ca != cb) return ca < cb;
      return value(a, apdex, -1) > value(b, apdex, -1);
    }
    const double pa = a->gates_known ? static_cast<double>(a->gates_passed) / a->gates_known : 0;
    const double pb = b->gates_known ? static_cast<double>(b->gates_passed) / b->gates_known : 0;
    if (pa != pb) return pa > pb;
    return value(a, apdex, -1) > value(b, apdex, -1);
  });
  for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i]->rank = static_cast<int>(i + 1);
  // Pareto front on (cost, the chosen SLO measure).
  const std::size_t y = metric_index(pareto_y == "apdex"        ? "apdex"
                                     : pareto_y == "error_rate" ? "error_rate_pct"
                                     : pareto_y == "p95"        ? "rt_p95_s"
                                     : pareto_y == "p99"        ? "rt_p99_s"
                                                                : "rto_s");
  const bool up = metrics()[y].higher_is_better;
  for (Config& c : out) {
    const double cc = c.ci[cost].mean, cy = c.ci[y].mean;
    if (std::isnan(cc) || std::isnan(cy)) continue;
    c.pareto = true;
    for (const Config& o : out) {
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
  return out;
}

std::string cell(const stats::Interval& ci, const char* f) {
  if (std::isnan(ci.mean)) return "";
  std::string s = fmt(f, ci.mean);
  if (ci.n > 1 && !std::isnan(ci.half_width)) s += " ± " + fmt(f, ci.half_width);
  return s;
}

// ---- charts ---------------------------------------------------------------------------------

bool have_gnuplot() {
  return std::system("gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1") == 0;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

bool run_gnuplot(const std::string& script_path) {
  return std::system(("gnuplot " + shell_quote(script_path) + " >/dev/null 2>&1").c_str()) == 0;
}

struct Series {
  std::vector<double> t_min;
  std::map<std::string, std::vector<double>> cols;
};

// Series rows of one run, aggregated into windows of `window_s`: sums for counts, maxima for
// percentiles and replica counts.
std::map<std::string, Series> read_series(Db& db, int64_t run_id, double window_s) {
  std::map<std::string, Series> out;
  Stmt st(db,
          "SELECT e.name, s.t_ns, s.arrivals, s.completions, s.failed, s.rt_p50_s, s.rt_p95_s, "
          "s.rt_p99_s,"
          " s.replicas_ready, s.replicas_desired, s.cpu_util, s.nodes, s.active_users"
          " FROM series s JOIN entities e USING (run_id, entity_id) WHERE s.run_id = ? ORDER BY "
          "e.entity_id, s.t_ns");
  st.bind(1, run_id);
  static const char* kCols[] = {"arrivals", "completions", "failed", "p50",   "p95",  "p99",
                                "ready",    "desired",     "cpu",    "nodes", "users"};
  std::map<std::string, int64_t> last_window;
  while (st.step()) {
    const std::string entity = st.text(0);
    const double t = static_cast<double>(st.int64(1)) * 1e-9;
    const int64_t w = static_cast<int64_t>(std::floor(t / window_s));
    Series& s = out[entity];
    auto lw = last_window.find(entity);
    const bool fresh = lw == last_window.end() || lw->second != w;
    if (fresh) {
      last_window[entity] = w;
      s.t_min.push_back(static_cast<double>(w) * window_s / 60.0);
      for (const char* c : kCols) s.cols[c].push_back(kNaN);
    }
    for (int i = 0; i < 11; ++i) {
      const double v = st.is_null(2 + i) ? kNaN : st.real(2 + i);
      double& slot = s.cols[kCols[i]].back();
      if (std::isnan(v)) continue;
      const bool sum = i <= 2;
      const bool mean = i == 8;  // cpu: average of the bucket values
      if (std::isnan(slot)) {
        slot = v;
      } else if (sum) {
        slot += v;
      } else if (mean) {
        slot = 0.5 * (slot + v);  // a running average is enough for a chart
      } else {
        slot = std::max(slot, v);
      }
    }
  }
  return out;
}

struct ChartSet {
  std::vector<std::pair<std::string, std::string>> images;  // (title, relative path)
};

std::string gp_header(const std::string& png, const std::string& title, int w = 900, int h = 330) {
  return "set terminal pngcairo size " + std::to_string(w) + "," + std::to_string(h) +
         " font 'DejaVu Sans,9'\nset output " + shell_quote(png) + "\nset title " +
         shell_quote(title) +
         "\nset grid lc rgb '#dddddd'\nset key outside right top\nset border lc rgb '#555555'\n"
         "set xlabel 'minutes'\n";
}

ChartSet run_charts(Db& db, const RunRow& run, const fs::path& dir, const std::string& stem) {
  ChartSet set;
  const double window_s = std::max(run.bucket_s, std::max(1.0, run.duration_s / 600.0));
  const auto series = read_series(db, run.run_id, window_s);
  std::vector<std::string> sites;
  for (const auto& [name, _] : series) {
    if (name != "all") sites.push_back(name);
  }
  const auto all = series.find("all");
  if (all == series.end()) return set;
  const std::string data = (dir / (stem + ".dat")).string();
  {
    // One block per entity: t, ready, desired, p50, p95, p99, share, cpu, users, nodes, TPS,
    // errors/s
    std::ofstream f(data);
    std::vector<std::string> entities{"all"};
    entities.insert(entities.end(), sites.begin(), sites.end());
    for (const std::string& e : entities) {
      const Series& s = series.at(e);
      const Series& a = all->second;
      f << "# " << e << "\n";
      for (std::size_t i = 0; i < s.t_min.size(); ++i) {
        auto col = [&](const char* c) {
          const double v = s.cols.at(c)[i];
          return std::isnan(v) ? std::string("NaN") : fmt("%.6g", v);
        };
        const double arr = s.cols.at("arrivals")[i];
        const double tot = i < a.cols.at("arrivals").size() ? a.cols.at("arrivals")[i] : kNaN;
        const double share = tot > 0 ? arr / tot : kNaN;
        f << fmt("%.4f", s.t_min[i]) << ' ' << col("ready") << ' ' << col("desired") << ' '
          << col("p50") << ' ' << col("p95") << ' ' << col("p99") << ' '
          << (std::isnan(share) ? "NaN" : fmt("%.4f", share)) << ' ' << col("cpu") << ' '
          << col("users") << ' ' << col("nodes") << ' '
          << fmt("%.6g", s.cols.at("completions")[i] / window_s) << ' '
          << (std::isnan(s.cols.at("failed")[i]) ? std::string("NaN")
                                                 : fmt("%.6g", s.cols.at("failed")[i] / window_s))
          << "\n";
      }
      f << "\n\n";
    }
  }
  const std::string script = (dir / (stem + ".gp")).string();
  std::ofstream gp(script);
  gp << "set datafile missing 'NaN'\n";
  static const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};
  auto site_plots = [&](int col, const char* what, bool dashed_desired) {
    std::string p = "plot ";
    for (std::size_t i = 0; i < sites.size(); ++i) {
      const std::string color = kColors[i % 6];
      p += std::string(i ? ", " : "") + shell_quote(data) + " index " + std::to_string(i + 1) +
           " using 1:" + std::to_string(col) + " with steps lw 1.5 lc rgb '" + color + "' title '" +
           sites[i] + " " + what + "'";
      if (dashed_desired) {
        p += ", " + shell_quote(data) + " index " + std::to_string(i + 1) +
             " using 1:3 with steps dt 2 lc rgb '" + color + "' title '" + sites[i] + " desired'";
      }
    }
    return p + "\n";
  };
  const std::string title = run.label + " (run " + std::to_string(run.run_id) + ")";
  // Replicas (ready solid, desired dashed).
  const std::string replicas = stem + "-replicas.png";
  gp << gp_header((dir / replicas).string(), "Replicas: " + title)
     << "set ylabel 'pods'\nset yrange [0:*]\n"
     << site_plots(2, "ready", true) << "unset yrange\n";
  set.images.emplace_back("Replicas (ready, desired dashed)", replicas);
  // Latency percentiles, overall.
  const std::string latency = stem + "-latency.png";
  gp << gp_header((dir / latency).string(), "Response time, all sites: " + title)
     << "set ylabel 'seconds'\nset logscale y\n"
     << "plot " << shell_quote(data)
     << " index 0 using 1:4 with lines lc rgb '#2ca02c' title 'p50', " << shell_quote(data)
     << " index 0 using 1:5 with lines lc rgb '#ff7f0e' title 'p95', " << shell_quote(data)
     << " index 0 using 1:6 with lines lc rgb '#d62728' title 'p99'\nunset logscale y\n";
  set.images.emplace_back("Response-time percentiles (per window, maximum of the buckets)",
                          latency);
  // Throughput and errors, overall.
  const std::string traffic = stem + "-traffic.png";
  gp << gp_header((dir / traffic).string(),
                  "Completed and failed requests per second, all sites: " + title)
     << "set ylabel 'requests / s'\nset yrange [0:*]\n"
     << "plot " << shell_quote(data)
     << " index 0 using 1:11 with lines lc rgb '#1f77b4' title 'completed (TPS)', "
     << shell_quote(data)
     << " index 0 using 1:12 with lines lw 1.5 lc rgb '#d62728' title 'failed'\nunset yrange\n";
  set.images.emplace_back("Throughput and errors", traffic);
  // Traffic share per site.
  if (sites.size() > 1) {
    const std::string share = stem + "-share.png";
    gp << gp_header((dir / share).string(), "Traffic share: " + title)
       << "set ylabel 'share of arrivals'\nset yrange [0:1]\n"
       << site_plots(7, "share", false) << "unset yrange\n";
    set.images.emplace_back("Traffic share per site", share);
  }
  gp.close();
  run_gnuplot(script);

  // T-map: response-time histogram per window, overall.
  const std::string tmap_data = (dir / (stem + "-tmap.dat")).string();
  {
    std::map<int64_t, std::vector<double>> cols;  // window -> counts per T-map bin
    Stmt st(db,
            "SELECT h.t_ns, h.first_bin, h.counts FROM rt_hist h JOIN entities e USING (run_id, "
            "entity_id)"
            " WHERE h.run_id = ? AND e.name = 'all' ORDER BY h.t_ns");
    st.bind(1, run.run_id);
    while (st.step()) {
      const int64_t w =
          static_cast<int64_t>(std::floor(static_cast<double>(st.int64(0)) * 1e-9 / window_s));
      auto& c = cols[w];
      c.resize(models::TmapBins::kCount, 0.0);
      const int first = static_cast<int>(st.int64(1));
      const auto blob = st.blob(2);
      for (std::size_t k = 0; k + 3 < blob.size(); k += 4) {
        const uint32_t n =
            static_cast<uint32_t>(blob[k]) | (static_cast<uint32_t>(blob[k + 1]) << 8) |
            (static_cast<uint32_t>(blob[k + 2]) << 16) | (static_cast<uint32_t>(blob[k + 3]) << 24);
        const std::size_t b = static_cast<std::size_t>(first) + k / 4;
        if (b < c.size()) c[b] += n;
      }
    }
    std::ofstream f(tmap_data);
    for (const auto& [w, c] : cols) {
      const double t = static_cast<double>(w) * window_s / 60.0;
      for (int b = 0; b < models::TmapBins::kCount; ++b) {
        const double lo = models::TmapBins::lo_seconds(b);
        f << fmt("%.4f", t) << ' ' << fmt("%.6g", std::log10(std::max(lo, 1e-4))) << ' '
          << (c[static_cast<std::size_t>(b)] > 0
                  ? fmt("%.6g", std::log10(c[static_cast<std::size_t>(b)]))
                  : "NaN")
          << "\n";
      }
      f << "\n";
    }
  }
  const std::string tmap = stem + "-tmap.png";
  {
    const std::string tscript = (dir / (stem + "-tmap.gp")).string();
    std::ofstream tg(tscript);
    tg << "set datafile missing 'NaN'\n"
       << gp_header((dir / tmap).string(), "T-map, all sites: " + title)
       << "set ylabel 'response time'\nset yrange [-3:2]\n"
          "set ytics ('1 ms' -3, '10 ms' -2, '100 ms' -1, '1 s' 0, '10 s' 1, '100 s' 2)\n"
          "set cblabel 'requests (log10)'\nset palette defined (0 '#fff7bc', 1 '#fec44f', 2 "
          "'#d95f0e', 3 '#7f0000')\n"
          "unset key\nplot "
       << shell_quote(tmap_data) << " using 1:2:3 with points pt 5 ps 0.45 lc palette\n";
    tg.close();
    run_gnuplot(tscript);
  }
  set.images.emplace_back("T-map: response times over time, colour = count", tmap);
  return set;
}

std::string pareto_chart(const std::vector<Config>& configs, const fs::path& dir,
                         const std::string& y_key, const std::string& y_title) {
  const std::size_t cost = metric_index("cost"), y = metric_index(y_key);
  const std::string data = (dir / "pareto.dat").string();
  {
    std::ofstream f(data);
    for (const Config& c : configs) {
      if (std::isnan(c.ci[cost].mean) || std::isnan(c.ci[y].mean)) continue;
      std::string label = c.label;
      std::replace(label.begin(), label.end(), '"', '\'');
      f << fmt("%.6g", c.ci[cost].mean) << ' ' << fmt("%.6g", c.ci[y].mean) << ' '
        << (c.pareto ? 1 : 0) << " \"" << label << "\"\n";
    }
  }
  const std::string png = "pareto.png";
  const std::string script = (dir / "pareto.gp").string();
  {
    std::ofstream gp(script);
    gp << gp_header((dir / png).string(), "Cost against " + y_title + " (mean per configuration)",
                    900, 520)
       << "set xlabel 'cost of a run'\nset ylabel " << shell_quote(y_title)
       << "\nset key bottom right\n"
       << "plot " << shell_quote(data)
       << " using 1:($3==0?$2:NaN) with points pt 7 ps 1.2 lc rgb '#999999' title 'dominated', "
       << shell_quote(data)
       << " using 1:($3==1?$2:NaN) with points pt 7 ps 1.6 lc rgb '#d62728' title 'Pareto front', "
       << shell_quote(data) << " using 1:2:4 with labels font ',7' offset 0,0.8 notitle\n";
  }
  run_gnuplot(script);
  return png;
}

struct Incident {
  std::string site, kind;
  double start = 0, detected = kNaN, rto = kNaN, rpo = kNaN, lost = kNaN;
  bool recovered = true;
};

std::vector<Incident> read_incidents(Db& db, int64_t run_id) {
  std::vector<Incident> out;
  Stmt st(db,
          "SELECT json_extract(value, '$.site'), json_extract(value, '$.kind'), "
          "json_extract(value, '$.start_s'),"
          " json_extract(value, '$.detected_s'), json_extract(value, '$.rto_s'), "
          "json_extract(value, '$.rpo_s'),"
          " json_extract(value, '$.lost_writes'), json_extract(value, '$.recovered')"
          " FROM runs, json_each(runs.summary_json, '$.incidents') WHERE run_id = ?");
  st.bind(1, run_id);
  while (st.step()) {
    Incident i;
    i.site = st.text(0);
    i.kind = st.text(1);
    i.start = st.real(2);
    if (!st.is_null(3)) i.detected = st.real(3);
    if (!st.is_null(4)) i.rto = st.real(4);
    if (!st.is_null(5)) i.rpo = st.real(5);
    if (!st.is_null(6)) i.lost = st.real(6);
    i.recovered = st.int64(7) != 0;
    out.push_back(i);
  }
  return out;
}

std::string time_label(double s) { return sim::format_duration(sim::SimTime::from_seconds(s)); }

}  // namespace

int cmd_report(const ReportArgs& args) {
  if (args.format != "md" && args.format != "csv" && args.format != "json") {
    std::fprintf(stderr, "hcsim report: --format must be md, csv or json\n");
    return kExitBadInput;
  }
  static const std::set<std::string> kY{"apdex", "error_rate", "p95", "p99", "rto"};
  if (!kY.count(args.pareto_y)) {
    std::fprintf(stderr, "hcsim report: --pareto-y must be apdex, error_rate, p95, p99 or rto\n");
    return kExitBadInput;
  }
  std::error_code ec;
  if (!fs::is_regular_file(args.db, ec)) {
    std::fprintf(stderr, "hcsim report: %s: no such results file\n", args.db.c_str());
    return kExitBadInput;
  }
  try {
    std::optional<ResultsDb> rdb;
    try {
      rdb.emplace(args.db);
    } catch (const DbError& e) {
      std::fprintf(stderr, "hcsim report: %s\n", e.what());
      return kExitBadInput;
    }
    Db& db = rdb->db();
    const auto meta = read_meta(db);
    const std::vector<RunRow> runs = read_runs(db);
    std::vector<Config> configs = group(runs, args.pareto_y);
    int64_t unfinished = 0;
    {
      Stmt st(db, "SELECT count(*) FROM runs WHERE status != 'completed'");
      st.step();
      unfinished = st.int64(0);
    }
    // Ranks and a Pareto front compare variants of one scenario; a set of different scenarios
    // (the demos) is listed in its own order.
    std::set<std::string> scenario_names;
    for (const RunRow& r : runs) scenario_names.insert(r.scenario);
    const bool comparable = scenario_names.size() <= 1;
    const std::string title =
        meta.count("sweep_name") ? meta.at("sweep_name") : fs::path(args.db).stem().string();
    std::vector<const Config*> by_rank;
    for (const Config& c : configs) by_rank.push_back(&c);
    if (comparable) {
      std::sort(by_rank.begin(), by_rank.end(),
                [](const Config* a, const Config* b) { return a->rank < b->rank; });
    }

    std::string text;
    if (args.format == "csv") {
      text = "rank,configuration,runs,gates_passed,gates_known,meets_slo,pareto";
      for (const Metric& m : metrics())
        text += std::string(",") + m.key + "_mean," + m.key + "_ci95";
      text += "\n";
      for (const Config* c : by_rank) {
        text += std::to_string(c->rank) + "," + csv_field(c->label) + "," +
                std::to_string(c->runs.size()) + "," + std::to_string(c->gates_passed) + "," +
                std::to_string(c->gates_known) + "," + (c->meets ? "1" : "0") + "," +
                (c->pareto ? "1" : "0");
        for (const auto& ci : c->ci)
          text += "," + fmt("%.6g", ci.mean) + "," + fmt("%.6g", ci.half_width);
        text += "\n";
      }
    } else if (args.format == "json") {
      JsonWriter j(true);
      j.begin_object();
      j.key("results")
          .value(args.db)
          .key("title")
          .value(title)
          .key("completed_runs")
          .value(static_cast<int64_t>(runs.size()));
      j.key("unfinished_runs").value(unfinished).key("pareto_y").value(args.pareto_y);
      j.key("configurations").begin_array();
      for (const Config* c : by_rank) {
        j.begin_object();
        j.key("rank")
            .value(c->rank)
            .key("configuration")
            .value(c->label)
            .key("config_id")
            .value(c->id);
        j.key("runs")
            .value(static_cast<int64_t>(c->runs.size()))
            .key("gates_passed")
            .value(c->gates_passed);
        j.key("gates_known")
            .value(c->gates_known)
            .key("meets_slo")
            .value(c->meets)
            .key("pareto")
            .value(c->pareto);
        j.key("unrecovered_incidents").value(c->unrecovered);
        for (std::size_t m = 0; m < metrics().size(); ++m) {
          j.key(metrics()[m].key).begin_object();
          j.key("mean")
              .value(c->ci[m].mean)
              .key("ci95")
              .value(c->ci[m].half_width)
              .key("n")
              .value(c->ci[m].n);
          j.end_object();
        }
        j.end_object();
      }
      j.end_array();
      j.end_object();
      text = j.str() + "\n";
    } else {
      const std::string out = args.out.empty()
                                  ? "results/" + fs::path(args.db).stem().string() + "-report.md"
                                  : args.out;
      const fs::path out_dir = fs::path(out).parent_path();
      const std::string charts_rel = fs::path(out).stem().string() + "-charts";
      const fs::path charts = out_dir / charts_rel;
      const bool draw = args.charts && have_gnuplot();
      if (draw) {
        fs::remove_all(charts);
        fs::create_directories(charts);
      }
      std::ostringstream md;
      md << "# hcsim report: " << title << "\n\n";
      if (meta.count("sweep_yaml")) {
        try {
          const YAML::Node sweep = YAML::Load(meta.at("sweep_yaml"));
          if (sweep.IsMap() && sweep["description"] && sweep["description"].IsScalar())
            md << sweep["description"].Scalar() << "\n\n";
        } catch (const YAML::Exception&) {
          // The sweep was valid when it ran; a description is not worth failing the report.
        }
      }
      md << runs.size() << " completed runs in " << configs.size() << " configuration"
         << (configs.size() == 1 ? "" : "s");
      if (meta.count("sweep_replications")) {
        const std::string& n = meta.at("sweep_replications");
        md << " (" << n << (n == "1" ? " replication each" : " replications each");
        if (comparable && n != "1") md << ", common random numbers";
        md << ")";
      }
      md << ", from `" << args.db << "` (hcsim " << HCSIM_VERSION << ").";
      if (unfinished > 0)
        md << " **" << unfinished
           << " runs are not completed** and are left out (`hcsim sweep --resume` finishes them).";
      md << "\n\n## Configurations\n\n";
      md << "Mean ± 95% confidence half-width across replications (Student t).";
      if (comparable) {
        md << " Ranked: configurations whose runs all passed their `expect:` gates (without gates: "
              "mean error rate "
              "≤ 1%) first, cheapest first; then the rest by the share of runs that passed. "
              "Pareto: no other "
              "configuration is as cheap and at least as good on "
           << args.pareto_y << ".";
      } else {
        md << " These are different scenarios, listed in order: they are not ranked against each "
              "other.";
      }
      md << "\n\n";
      md << "| " << (comparable ? "rank" : "#") << " | configuration | runs |";
      for (const Metric& m : metrics()) md << ' ' << m.title << " |";
      md << " gates passed | Pareto |\n|---|---|---|";
      for (std::size_t m = 0; m < metrics().size(); ++m) md << "---|";
      md << "---|---|\n";
      for (const Config* c : by_rank) {
        md << "| " << (comparable ? c->rank : c->id + 1) << " | " << md_escape(c->label) << " | "
           << c->runs.size() << " |";
        for (std::size_t m = 0; m < metrics().size(); ++m) {
          std::string v = cell(c->ci[m], metrics()[m].fmt);
          if (metrics()[m].key == std::string("rto_s") && c->unrecovered > 0)
            v += (v.empty() ? "" : " ") + std::string("(") + std::to_string(c->unrecovered) +
                 " not recovered)";
          md << ' ' << v << " |";
        }
        md << ' '
           << (c->gates_known
                   ? std::to_string(c->gates_passed) + "/" + std::to_string(c->gates_known)
                   : "-")
           << " | " << (c->pareto && comparable ? "yes" : "") << " |\n";
      }
      if (configs.size() > 1 && draw && comparable) {
        const std::size_t cost = metric_index("cost");
        const bool has_cost = std::any_of(configs.begin(), configs.end(), [&](const Config& c) {
          return !std::isnan(c.ci[cost].mean);
        });
        if (has_cost) {
          static const std::map<std::string, std::pair<std::string, std::string>> kYs{
              {"apdex", {"apdex", "Apdex"}},
              {"error_rate", {"error_rate_pct", "error rate (%)"}},
              {"p95", {"rt_p95_s", "p95 response time (s)"}},
              {"p99", {"rt_p99_s", "p99 response time (s)"}},
              {"rto", {"rto_s", "RTO (s)"}}};
          const auto& [key, ytitle] = kYs.at(args.pareto_y);
          const std::string png = pareto_chart(configs, charts, key, ytitle);
          md << "\n## Cost against SLO\n\n![Pareto](" << charts_rel << "/" << png
             << ")\n\nOn the Pareto front: ";
          bool first = true;
          for (const Config* c : by_rank) {
            if (!c->pareto) continue;
            md << (first ? "" : "; ") << md_escape(c->label);
            first = false;
          }
          md << ".\n";
        }
      }
      // A run's narration as a Markdown list (captions after the run's end left out).
      auto narration = [&db](const RunRow& run) {
        std::ostringstream list;
        Stmt st(db, "SELECT t_ns, text FROM narration WHERE run_id = ? ORDER BY t_ns");
        st.bind(1, run.run_id);
        while (st.step()) {
          const double t = static_cast<double>(st.int64(0)) * 1e-9;
          if (t > run.duration_s) continue;
          list << "- **" << time_label(t) << "** " << st.text(1) << "\n";
        }
        return list.str();
      };
      // Runs shown in detail: every configuration's first replication when there are few,
      // otherwise the three best-ranked and the last.
      std::vector<const Config*> shown;
      if (by_rank.size() <= 8) {
        shown = by_rank;
      } else {
        shown.assign(by_rank.begin(), by_rank.begin() + 3);
        shown.push_back(by_rank.back());
      }
      // Variants of one scenario share its narration: show it once, not under every variant.
      if (comparable && !shown.empty()) {
        const std::string captions = narration(*shown.front()->runs.front());
        if (!captions.empty()) {
          md << "\n## Narration\n\nWritten for the base scenario's own settings; a variant "
                "may change what happens when.\n\n"
             << captions;
        }
      }
      for (const Config* c : shown) {
        const RunRow& run = *c->runs.front();
        md << "\n## " << md_escape(c->label) << "\n\nRun " << run.run_id << " (replication "
           << run.replication << ", seed " << run.seed << ")"
           << (comparable ? ", rank " + std::to_string(c->rank) : std::string()) << ".";
        if (run.gates)
          md << (*run.gates ? " Its `expect:` gates passed." : " **Its `expect:` gates failed.**");
        md << "\n\n";
        if (const std::string captions = comparable ? "" : narration(run); !captions.empty())
          md << captions << "\n";
        const auto incidents = read_incidents(db, run.run_id);
        if (!incidents.empty()) {
          md << "| incident | start | detected after | RTO | lost writes | RPO "
                "|\n|---|---|---|---|---|---|\n";
          for (const Incident& i : incidents) {
            md << "| " << i.site << " " << i.kind << " | " << time_label(i.start) << " | "
               << (std::isnan(i.detected) ? "-" : fmt("%.1f s", i.detected - i.start)) << " | "
               << (i.recovered ? fmt("%.0f s", i.rto) : std::string("not recovered")) << " | "
               << (std::isnan(i.lost) ? "-" : fmt("%.0f", i.lost)) << " | "
               << (std::isnan(i.rpo) ? "-" : fmt("%.2f s", i.rpo)) << " |\n";
          }
          md << "\n";
        }
        if (draw) {
          const ChartSet cs = run_charts(db, run, charts, "run" + std::to_string(run.run_id));
          for (const auto& [caption, png] : cs.images)
            md << "![" << caption << "](" << charts_rel << "/" << png << ")\n";
        }
      }
      if (!draw && args.charts)
        md << "\n_Charts are drawn with gnuplot, which is not installed here._\n";
      write_file_atomically(out, md.str());
      if (!args.quiet)
        std::fprintf(stderr, "hcsim report: %s%s\n", out.c_str(),
                     draw ? (" (charts in " + charts.string() + ")").c_str() : "");
      return kExitOk;
    }
    if (args.out.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      write_file_atomically(args.out, text);
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim report: %s\n", e.what());
    return kExitError;
  }
}

}  // namespace runner
