#include "report/charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>

#include "report/gnuplot.h"

namespace report {

namespace fs = std::filesystem;
using gnuplot::quote;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
std::string num(double v) { return std::isnan(v) ? std::string("NaN") : fmt("%.6g", v); }

// The series columns a run's charts use, in this order; the first three are counts (summed over
// a window), cpu is averaged, the rest are levels and percentiles (maximum of the window).
constexpr std::string_view kColumns[] = {
    "arrivals",       "completions",      "failed",   "rt_p50_s", "rt_p95_s",    "rt_p99_s",
    "replicas_ready", "replicas_desired", "cpu_util", "nodes",    "active_users"};
enum Col {
  kArrivals,
  kCompletions,
  kFailed,
  kP50,
  kP95,
  kP99,
  kReady,
  kDesired,
  kCpu,
  kNodes,
  kUsers,
  kColCount
};

struct Windows {
  std::vector<double> t_min;
  std::vector<std::vector<double>> cols = std::vector<std::vector<double>>(kColCount);
};

void fold(double v, int col, double* slot) {
  if (std::isnan(v)) return;
  if (std::isnan(*slot)) {
    *slot = v;
  } else if (col <= kFailed) {
    *slot += v;
  } else if (col == kCpu) {
    *slot = 0.5 * (*slot + v);  // a running average is enough for a chart
  } else {
    *slot = std::max(*slot, v);
  }
}

// Series of one run per entity name, folded into windows of `window_s`.
std::map<std::string, Windows> read_windows(const store::ResultsReader& reader, int64_t run_id,
                                            double window_s) {
  std::map<int64_t, std::string> names;
  for (const store::EntityRecord& e : reader.entities(run_id)) names[e.entity_id] = e.name;
  std::map<std::string, Windows> out;
  std::map<int64_t, int64_t> last_window;
  reader.for_each_series(run_id, kColumns, [&](const store::SeriesRow& row) {
    const double t = static_cast<double>(row.t_ns) * 1e-9;
    const int64_t w = static_cast<int64_t>(std::floor(t / window_s));
    Windows& s = out[names[row.entity_id]];
    auto lw = last_window.find(row.entity_id);
    if (lw == last_window.end() || lw->second != w) {
      last_window[row.entity_id] = w;
      s.t_min.push_back(static_cast<double>(w) * window_s / 60.0);
      for (auto& c : s.cols) c.push_back(kNaN);
    }
    for (int c = 0; c < kColCount; ++c)
      fold(row.values[static_cast<std::size_t>(c)], c, &s.cols[c].back());
  });
  return out;
}

// One block per entity ("all" first, then the sites): t, ready, desired, p50, p95, p99, share,
// cpu, users, nodes, TPS, errors/s.
void write_series_data(const std::string& path, const std::map<std::string, Windows>& series,
                       const std::vector<std::string>& sites, double window_s) {
  std::ofstream f(path);
  std::vector<std::string> entities{"all"};
  entities.insert(entities.end(), sites.begin(), sites.end());
  const Windows& all = series.at("all");
  for (const std::string& e : entities) {
    const Windows& s = series.at(e);
    f << "# " << gnuplot::data_string(e) << "\n";
    for (std::size_t i = 0; i < s.t_min.size(); ++i) {
      const double tot = i < all.cols[kArrivals].size() ? all.cols[kArrivals][i] : kNaN;
      const double share = tot > 0 ? s.cols[kArrivals][i] / tot : kNaN;
      f << fmt("%.4f", s.t_min[i]) << ' ' << num(s.cols[kReady][i]) << ' '
        << num(s.cols[kDesired][i]) << ' ' << num(s.cols[kP50][i]) << ' ' << num(s.cols[kP95][i])
        << ' ' << num(s.cols[kP99][i]) << ' ' << (std::isnan(share) ? "NaN" : fmt("%.4f", share))
        << ' ' << num(s.cols[kCpu][i]) << ' ' << num(s.cols[kUsers][i]) << ' '
        << num(s.cols[kNodes][i]) << ' ' << num(s.cols[kCompletions][i] / window_s) << ' '
        << num(s.cols[kFailed][i] / window_s) << "\n";
    }
    f << "\n\n";
  }
}

std::string header(const fs::path& png, const std::string& title, int w = 900, int h = 330) {
  return "set terminal pngcairo size " + std::to_string(w) + "," + std::to_string(h) +
         " font 'DejaVu Sans,9' noenhanced\nset output " + quote(png.string()) + "\nset title " +
         quote(title) +
         "\nset grid lc rgb '#dddddd'\nset key outside right top noenhanced\n"
         "set border lc rgb '#555555'\nset xlabel 'minutes'\n";
}

// A plot command with one line per site from data block i + 1, optionally with its desired
// replicas dashed.
std::string site_plots(const std::string& data, const std::vector<std::string>& sites, int col,
                       const std::string& what, bool dashed_desired) {
  static const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};
  std::string p = "plot ";
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const std::string color = kColors[i % 6];
    const std::string block = quote(data) + " index " + std::to_string(i + 1);
    p += std::string(i ? ", " : "") + block + " using 1:" + std::to_string(col) +
         " with steps lw 1.5 lc rgb '" + color + "' title " + quote(sites[i] + " " + what);
    if (dashed_desired) {
      p += ", " + block + " using 1:3 with steps dt 2 lc rgb '" + color + "' title " +
           quote(sites[i] + " desired");
    }
  }
  return p + "\n";
}

// The script of the series charts; appends their images.
std::string series_script(const fs::path& dir, const std::string& stem, const std::string& data,
                          const std::vector<std::string>& sites, const std::string& title,
                          Images* images) {
  std::string gp = "set datafile missing 'NaN'\n";
  const std::string replicas = stem + "-replicas.png";
  gp += header(dir / replicas, "Replicas: " + title) + "set ylabel 'pods'\nset yrange [0:*]\n" +
        site_plots(data, sites, 2, "ready", true) + "unset yrange\n";
  images->emplace_back("Replicas (ready, desired dashed)", replicas);
  const std::string latency = stem + "-latency.png";
  gp += header(dir / latency, "Response time, all sites: " + title) +
        "set ylabel 'seconds'\nset logscale y\nplot " + quote(data) +
        " index 0 using 1:4 with lines lc rgb '#2ca02c' title 'p50', " + quote(data) +
        " index 0 using 1:5 with lines lc rgb '#ff7f0e' title 'p95', " + quote(data) +
        " index 0 using 1:6 with lines lc rgb '#d62728' title 'p99'\nunset logscale y\n";
  images->emplace_back("Response-time percentiles (per window, maximum of the buckets)", latency);
  const std::string traffic = stem + "-traffic.png";
  gp += header(dir / traffic, "Completed and failed requests per second, all sites: " + title) +
        "set ylabel 'requests / s'\nset yrange [0:*]\nplot " + quote(data) +
        " index 0 using 1:11 with lines lc rgb '#1f77b4' title 'completed (TPS)', " + quote(data) +
        " index 0 using 1:12 with lines lw 1.5 lc rgb '#d62728' title 'failed'\nunset yrange\n";
  images->emplace_back("Throughput and errors", traffic);
  if (sites.size() > 1) {
    const std::string share = stem + "-share.png";
    gp += header(dir / share, "Traffic share: " + title) +
          "set ylabel 'share of arrivals'\nset yrange [0:1]\n" +
          site_plots(data, sites, 7, "share", false) + "unset yrange\n";
    images->emplace_back("Traffic share per site", share);
  }
  return gp;
}

// The overall response-time histogram per window: "t log10(bin lower edge) log10(count)" rows.
void write_tmap_data(const store::ResultsReader& reader, int64_t run_id, double window_s,
                     const std::string& path) {
  const auto bins = reader.histogram_bins();
  std::map<int64_t, std::vector<double>> cols;  // window -> counts per bin
  reader.for_each_histogram(run_id, "all", [&](const store::HistogramRow& h) {
    const int64_t w =
        static_cast<int64_t>(std::floor(static_cast<double>(h.t_ns) * 1e-9 / window_s));
    auto& c = cols[w];
    c.resize(bins.size(), 0.0);
    for (std::size_t k = 0; k < h.counts.size(); ++k) {
      const std::size_t b = static_cast<std::size_t>(h.first_bin) + k;
      if (b < c.size()) c[b] += h.counts[k];
    }
  });
  std::ofstream f(path);
  for (const auto& [w, c] : cols) {
    const double t = static_cast<double>(w) * window_s / 60.0;
    for (std::size_t b = 0; b < c.size(); ++b) {
      f << fmt("%.4f", t) << ' ' << fmt("%.6g", std::log10(std::max(bins[b].first, 1e-4))) << ' '
        << (c[b] > 0 ? fmt("%.6g", std::log10(c[b])) : "NaN") << "\n";
    }
    f << "\n";
  }
}

std::string tmap_script(const fs::path& png, const std::string& data, const std::string& title) {
  return "set datafile missing 'NaN'\n" + header(png, "T-map, all sites: " + title) +
         "set ylabel 'response time'\nset yrange [-3:2]\n"
         "set ytics ('1 ms' -3, '10 ms' -2, '100 ms' -1, '1 s' 0, '10 s' 1, '100 s' 2)\n"
         "set cblabel 'requests (log10)'\nset palette defined (0 '#fff7bc', 1 '#fec44f', 2 "
         "'#d95f0e', 3 '#7f0000')\nunset key\nplot " +
         quote(data) + " using 1:2:3 with points pt 5 ps 0.45 lc palette\n";
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.close();
  if (!f) throw gnuplot::Error("cannot write " + path);
}

// Runs a script and checks that every image it should draw is there and not empty.
void draw(const std::string& script, const fs::path& dir, const Images& images) {
  gnuplot::run(script);
  for (const auto& [caption, png] : images) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / png, ec) || fs::file_size(dir / png, ec) == 0)
      throw gnuplot::Error("gnuplot did not draw " + (dir / png).string() + " (" + caption +
                           "): " + gnuplot::messages(script));
  }
}

}  // namespace

Images run_charts(const store::ResultsReader& reader, const RunFigures& run, const fs::path& dir,
                  const std::string& stem) {
  Images images;
  const double window_s = std::max(run.bucket_s, std::max(1.0, run.duration_s / 600.0));
  const auto series = read_windows(reader, run.run_id, window_s);
  if (series.find("all") == series.end()) return images;
  std::vector<std::string> sites;
  for (const auto& [name, _] : series) {
    if (name != "all") sites.push_back(name);
  }
  const std::string title = run.label + " (run " + std::to_string(run.run_id) + ")";
  const std::string data = (dir / (stem + ".dat")).string();
  write_series_data(data, series, sites, window_s);
  const std::string script = (dir / (stem + ".gp")).string();
  write_text(script, series_script(dir, stem, data, sites, title, &images));
  draw(script, dir, images);

  const std::string tmap_data = (dir / (stem + "-tmap.dat")).string();
  write_tmap_data(reader, run.run_id, window_s, tmap_data);
  const std::string tmap = stem + "-tmap.png";
  const Images tmap_image{{"T-map: response times over time, colour = count", tmap}};
  const std::string tscript = (dir / (stem + "-tmap.gp")).string();
  write_text(tscript, tmap_script(dir / tmap, tmap_data, title));
  draw(tscript, dir, tmap_image);
  images.push_back(tmap_image.front());
  return images;
}

std::string recovery_chart(const std::vector<const Configuration*>& configs, const fs::path& dir) {
  const std::size_t rto = metric_index("rto_s");
  std::vector<std::pair<std::string, std::vector<double>>> sets;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Configuration* c : configs) {
    if (sets.size() == 8) break;
    std::vector<double> xs;
    for (const RunFigures* r : c->runs) {
      if (std::isnan(r->values[rto])) continue;
      xs.push_back(r->values[rto]);
      lo = std::min(lo, xs.back());
      hi = std::max(hi, xs.back());
    }
    if (!xs.empty()) sets.emplace_back(c->label, std::move(xs));
  }
  if (sets.empty()) return "";
  // About 15 bins over the range (a range of zero: bins of 5% of the value, at least 1 s).
  const double width = hi > lo ? (hi - lo) / 15 : std::max(1.0, 0.05 * hi);
  // Whole runs on the y axis: a tick step of 1 up to 8 runs in the fullest bin.
  std::size_t fullest = 0;
  for (const auto& [label, xs] : sets) {
    std::map<double, std::size_t> bins;
    for (double x : xs) fullest = std::max(fullest, ++bins[std::floor(x / width)]);
  }
  const std::size_t step = std::max<std::size_t>(1, (fullest + 7) / 8);
  const std::string data = (dir / "rto.dat").string();
  {
    std::ofstream f(data);
    for (std::size_t i = 0; i < sets.size(); ++i) {
      if (i > 0) f << "\n\n";  // a gnuplot data block per configuration
      f << gnuplot::data_string(sets[i].first) << "\n";
      for (double x : sets[i].second) f << fmt("%.6g", x) << "\n";
    }
  }
  const std::string png = "rto.png";
  const std::string script = (dir / "rto.gp").string();
  write_text(script,
             header(dir / png, "RTO per run (each run's worst incident)", 900, 360) +
                 "set xlabel 'RTO (s)'\nset ylabel 'runs'\nset yrange [0:*]\nset ytics " +
                 std::to_string(step) +
                 "\nset style fill transparent solid 0.45 noborder\nw = " + fmt("%.9g", width) +
                 "\nset boxwidth w absolute\nbin(x) = w * floor(x / w) + w / "
                 "2\nplot for [i=0:" +
                 std::to_string(sets.size() - 1) + "] " + quote(data) +
                 " index i using (bin($1)):(1.0) smooth freq with boxes title "
                 "columnheader(1)\n");
  draw(script, dir, {{"RTO per run", png}});
  return png;
}

Images backtest_charts(const SiteBacktest& b, const fs::path& dir, const std::string& stem) {
  Images images;
  std::string script_text;
  auto series = [&](const std::string& name, const std::vector<std::pair<double, double>>& xy,
                    double scale) {
    const std::string path = (dir / (stem + "-" + name + ".dat")).string();
    std::ofstream f(path);
    for (const auto& [t, v] : xy) f << fmt("%.6g", t / 60) << ' ' << fmt("%.6g", v * scale) << "\n";
    return path;
  };
  auto chart = [&](const std::string& what, const std::string& ylabel,
                   const std::vector<std::pair<double, double>>& observed,
                   const std::vector<std::pair<double, double>>& simulated, double scale,
                   const std::string& sim_style) {
    if (observed.empty()) return;
    const std::string png = stem + "-" + what + ".png";
    const std::string caption = b.site + ": observed and simulated " + what;
    script_text += header(dir / png, caption, 900, 300) + "set xlabel 'minutes'\nset ylabel " +
                   quote(ylabel) + "\nset yrange [0:*]\nset key inside top left\nplot " +
                   quote(series(what + "-sim", simulated, scale)) + " using 1:2 with " + sim_style +
                   " lw 2 lc rgb '#2e86de' title 'simulated', " +
                   quote(series(what + "-obs", observed, scale)) +
                   " using 1:2 with linespoints pt 7 ps 0.5 lc rgb '#e67e22' title 'observed'\n";
    images.emplace_back(caption, png);
  };
  chart("replicas", "replicas (desired)", b.observed_replicas, b.simulated_replicas, 1.0, "steps");
  chart("cpu", "CPU (% of requests)", b.observed_cpu, b.simulated_cpu, 100.0, "lines");
  if (images.empty()) return images;
  const std::string script = (dir / (stem + ".gp")).string();
  write_text(script, script_text);
  draw(script, dir, images);
  return images;
}

std::string pareto_chart(const std::vector<Configuration>& configs, const fs::path& dir,
                         std::size_t y, const std::string& y_title) {
  const std::size_t cost = metric_index("cost");
  const std::string data = (dir / "pareto.dat").string();
  {
    std::ofstream f(data);
    for (const Configuration& c : configs) {
      if (std::isnan(c.ci[cost].mean) || std::isnan(c.ci[y].mean)) continue;
      f << fmt("%.6g", c.ci[cost].mean) << ' ' << fmt("%.6g", c.ci[y].mean) << ' '
        << (c.pareto ? 1 : 0) << ' ' << gnuplot::data_string(c.label) << "\n";
    }
  }
  const std::string png = "pareto.png";
  const std::string script = (dir / "pareto.gp").string();
  write_text(script,
             header(dir / png, "Cost against " + y_title + " (mean per configuration)", 900, 520) +
                 "set xlabel 'cost of a run'\nset ylabel " + quote(y_title) +
                 "\nset key bottom right\nplot " + quote(data) +
                 " using 1:($3==0?$2:NaN) with points pt 7 ps 1.2 lc rgb '#999999' title "
                 "'dominated', " +
                 quote(data) +
                 " using 1:($3==1?$2:NaN) with points pt 7 ps 1.6 lc rgb '#d62728' title 'Pareto "
                 "front', " +
                 quote(data) + " using 1:2:4 with labels font ',7' offset 0,0.8 notitle\n");
  draw(script, dir, {{"Pareto", png}});
  return png;
}

}  // namespace report
