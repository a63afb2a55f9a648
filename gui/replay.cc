#include "gui/replay.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <stdexcept>

#include "config/loader.h"
#include "engine/explain.h"
#include "store/json.h"
#include "store/results_reader.h"

namespace gui {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
// T-maps of long runs are summed into at most this many columns.
constexpr std::size_t kMaxTmapColumns = 4096;

bool parse_pod_state(const std::string& s, PodState* out) {
  static const std::pair<const char*, PodState> kNames[] = {
      {"pending", PodState::kPending},
      {"scheduling", PodState::kScheduling},
      {"pulling", PodState::kPulling},
      {"booting", PodState::kBooting},
      {"ready", PodState::kReady},
      {"unready", PodState::kUnready},
      {"terminating", PodState::kTerminating}};
  for (const auto& [n, st] : kNames) {
    if (s == n) {
      *out = st;
      return true;
    }
  }
  return false;
}

bool inside(const std::vector<std::pair<double, double>>& iv, double t) {
  for (const auto& [a, b] : iv) {
    if (t >= a && t < b) return true;
  }
  return false;
}

// The series columns the dashboard shows, in the order of Series' members after t.
constexpr std::string_view kSeriesColumns[] = {"dt_s",
                                               "arrivals",
                                               "completions",
                                               "failed",
                                               "rt_mean_s",
                                               "rt_p50_s",
                                               "rt_p95_s",
                                               "rt_p99_s",
                                               "apdex",
                                               "apdex_satisfied",
                                               "apdex_tolerating",
                                               "active_users",
                                               "inflight",
                                               "cpu_util",
                                               "replicas_desired",
                                               "replicas_ready",
                                               "replicas_starting",
                                               "replicas_unready",
                                               "replicas_pending",
                                               "nodes",
                                               "share",
                                               "dns_stale",
                                               "retries",
                                               "cost"};

std::vector<float>* column(Series& x, std::size_t c) {
  std::vector<float>* cols[] = {&x.dt,
                                &x.arrivals,
                                &x.completions,
                                &x.failed,
                                &x.rt_mean,
                                &x.rt_p50,
                                &x.rt_p95,
                                &x.rt_p99,
                                &x.apdex,
                                &x.apdex_satisfied,
                                &x.apdex_tolerating,
                                &x.active_users,
                                &x.inflight,
                                &x.cpu_util,
                                &x.replicas_desired,
                                &x.replicas_ready,
                                &x.replicas_starting,
                                &x.replicas_unready,
                                &x.replicas_pending,
                                &x.nodes,
                                &x.share,
                                &x.dns_stale,
                                &x.retries,
                                &x.cost};
  return cols[c];
}

}  // namespace

const char* pod_state_name(PodState s) {
  static const char* kNames[] = {"pending", "scheduling", "pulling",    "booting",
                                 "ready",   "unready",    "terminating"};
  return kNames[static_cast<int>(s)];
}

const char* health_name(Health h) {
  static const char* kNames[] = {"up", "detecting", "down", "recovering"};
  return kNames[static_cast<int>(h)];
}

bool Pod::state_at(double t, PodState* out) const {
  if (t < start_s || t >= end_s || changes.empty()) return false;
  auto it = std::upper_bound(changes.begin(), changes.end(), t,
                             [](double v, const auto& c) { return v < c.first; });
  if (it == changes.begin()) return false;
  *out = std::prev(it)->second;
  return true;
}

Health SiteInfo::health_at(double t) const {
  const bool fault = inside(faults, t);
  const auto down = std::find_if(gslb_down.begin(), gslb_down.end(),
                                 [t](const auto& iv) { return t >= iv.first && t < iv.second; });
  if (fault) return down != gslb_down.end() ? Health::kDown : Health::kDetecting;
  if (down == gslb_down.end()) return Health::kUp;
  // Marked down with no fault now: recovering when a fault ended while it was marked down (the
  // GSLB has not taken it back yet), else down (its checks fail without a fault: overload).
  const bool after_fault = std::any_of(faults.begin(), faults.end(), [&](const auto& f) {
    return f.second > down->first && f.second <= t;
  });
  return after_fault ? Health::kRecovering : Health::kDown;
}

std::vector<RunEntry> list_runs(const std::string& db_path) {
  const store::ResultsReader reader(db_path);
  std::vector<RunEntry> out;
  for (const store::RunRecord& r : reader.runs()) {
    out.push_back({r.run_id, r.scenario_name, r.config_label, r.seed, r.status,
                   static_cast<double>(r.horizon_ns) / 1e9});
  }
  return out;
}

Replay Replay::load(const std::string& db_path, int64_t run_id) {
  Replay r;
  r.path_ = db_path;
  try {
    const store::ResultsReader reader(db_path);
    if (run_id == 0) {
      const auto first = reader.first_run_id();
      if (!first) throw std::runtime_error("it holds no runs");
      run_id = *first;
    }
    const auto run = reader.run(run_id);
    if (!run) {
      std::string have;
      for (const store::RunRecord& rr : reader.runs())
        have += (have.empty() ? "" : ", ") + std::to_string(rr.run_id);
      throw std::runtime_error("no run " + std::to_string(run_id) +
                               " (its runs: " + (have.empty() ? "none" : have) + ")");
    }
    r.run_id_ = run_id;
    r.scenario_ = run->scenario_name;
    r.label_ = run->config_label;
    r.seed_ = run->seed;
    r.duration_s_ = run->simulated_s();
    r.bucket_s_ = static_cast<double>(run->bucket_ns) / 1e9;
    r.apdex_t_s_ = static_cast<double>(run->apdex_t_ns) / 1e9;
    const std::map<int64_t, std::size_t> index = r.load_series(reader);
    r.load_tmaps(reader, index);
    r.load_observed(reader);
    for (store::EventRecord& e : reader.events(run_id))
      r.events_.push_back({e.t_s(), std::move(e.component), std::move(e.kind), std::move(e.message),
                           std::move(e.details)});
    for (const store::CaptionRecord& c : reader.narration(run_id))
      r.captions_.push_back({static_cast<double>(c.t_ns) / 1e9, c.text, {}});
    r.load_scenario(*run);
    r.load_sites();
    r.derive_series();
  } catch (const std::exception& e) {
    const std::string what = e.what();  // reader errors already name the file
    throw std::runtime_error(what.rfind(db_path + ": ", 0) == 0 ? what : db_path + ": " + what);
  }
  return r;
}

std::map<int64_t, std::size_t> Replay::load_series(const store::ResultsReader& reader) {
  // Entities in id order, the overall series ("all") moved to the front.
  std::map<int64_t, std::size_t> index;
  const auto entities = reader.entities(run_id_);
  for (const store::EntityRecord& e : entities) {
    if (e.name == "all") {
      index[e.entity_id] = 0;
      entity_names_.push_back(e.name);
    }
  }
  if (entity_names_.empty()) throw std::runtime_error("the run has no overall series");
  for (const store::EntityRecord& e : entities) {
    if (e.name == "all") continue;
    index[e.entity_id] = entity_names_.size();
    entity_names_.push_back(e.name);
  }
  series_.resize(entity_names_.size());
  reader.for_each_series(run_id_, kSeriesColumns, [&](const store::SeriesRow& row) {
    Series& x = series_[index.at(row.entity_id)];
    x.t.push_back(static_cast<double>(row.t_ns) / 1e9);
    for (std::size_t c = 0; c < row.values.size(); ++c)
      column(x, c)->push_back(std::isnan(row.values[c]) ? kNaN : static_cast<float>(row.values[c]));
  });
  return index;
}

void Replay::load_tmaps(const store::ResultsReader& reader,
                        const std::map<int64_t, std::size_t>& index) {
  tmaps_.resize(series_.size());
  for (std::size_t e = 0; e < series_.size(); ++e) {
    Tmap& m = tmaps_[e];
    const std::size_t n = series_[e].size();
    m.failed.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i)
      m.failed[i] =
          std::isnan(series_[e].failed[i]) ? 0u : static_cast<uint32_t>(series_[e].failed[i]);
  }
  const auto range = reader.histogram_bin_range(run_id_);
  if (!range || range->second <= range->first) return;
  const auto [lo_bin, hi_bin] = *range;
  const auto bins = reader.histogram_bins();
  for (Tmap& m : tmaps_) {
    m.first_bin = lo_bin;
    m.bins = hi_bin - lo_bin;
    for (int b = lo_bin; b < hi_bin; ++b)
      m.bin_lo_s.push_back(static_cast<std::size_t>(b) < bins.size() ? bins[b].first : 0.0);
  }
  for (std::size_t e = 0; e < series_.size(); ++e)
    tmaps_[e].counts.assign(series_[e].size() * static_cast<std::size_t>(hi_bin - lo_bin), 0);
  reader.for_each_histogram(run_id_, std::nullopt, [&](const store::HistogramRow& h) {
    const std::size_t e = index.at(h.entity_id);
    const Series& x = series_[e];
    Tmap& m = tmaps_[e];
    const double t = static_cast<double>(h.t_ns) / 1e9;
    const auto it = std::lower_bound(x.t.begin(), x.t.end(), t - 1e-9);
    if (it == x.t.end()) return;
    const std::size_t bucket = static_cast<std::size_t>(it - x.t.begin());
    for (std::size_t k = 0; k < h.counts.size(); ++k) {
      const int row = h.first_bin + static_cast<int>(k) - lo_bin;
      m.counts[bucket * static_cast<std::size_t>(m.bins) + static_cast<std::size_t>(row)] +=
          h.counts[k];
    }
  });
}

void Replay::load_observed(const store::ResultsReader& reader) {
  for (std::size_t e = 1; e < entity_names_.size(); ++e) {
    Series& x = series_[e];
    auto fill = [&](const char* name, std::vector<float>* out) {
      const auto samples = reader.samples(run_id_, "observed/" + entity_names_[e], name);
      if (samples.empty()) return;
      out->assign(x.size(), std::numeric_limits<float>::quiet_NaN());
      std::size_t k = 0;
      float last = std::numeric_limits<float>::quiet_NaN();
      for (std::size_t b = 0; b < x.size(); ++b) {
        while (k < samples.size() && static_cast<double>(samples[k].t_ns) / 1e9 <= x.t[b] + 1e-9)
          last = static_cast<float>(samples[k++].value);
        (*out)[b] = last;
      }
    };
    fill("replicas", &x.observed_replicas);
    fill("cpu_util", &x.observed_cpu);
  }
}

void Replay::load_scenario(const store::RunRecord& run) {
  // The scenario, for the sites' clouds, the topology and the initial weights. A scenario that
  // no longer loads (a manifest file moved) leaves those out, not the replay.
  const std::vector<std::string> site_names(entity_names_.begin() + 1, entity_names_.end());
  clouds_.assign(site_names.size(), "");
  staging_.assign(site_names.size(), false);
  try {
    const config::Scenario s =
        config::load_scenario_text(run.scenario_yaml, run.scenario_file, run.overrides);
    gslb_policy_ = models::gslb_policy_name(s.gslb.policy);
    for (const config::NarrationLine& l : s.narration) {
      for (Caption& c : captions_) {
        if (std::abs(c.t - l.at.seconds()) > 1e-6 || c.text != l.text) continue;
        for (const config::NarrationFigure& f : l.figures) {
          for (const auto& term : f.terms) c.columns.push_back(term.second);
        }
      }
    }
    for (const std::string& n : site_names) {
      const int i = s.site_index(n);
      const auto k = static_cast<std::size_t>(&n - site_names.data());
      if (i < 0) {
        initial_weights_.push_back(0);
        continue;
      }
      const config::SiteSpec& site = s.sites[static_cast<std::size_t>(i)];
      clouds_[k] = site.site.public_cloud ? "public" : "private";
      staging_[k] = site.staging;
      initial_weights_.push_back(static_cast<std::size_t>(i) < s.gslb.weights.size()
                                     ? s.gslb.weights[static_cast<std::size_t>(i)]
                                     : 0.0);
    }
    for (const auto& reg : s.topology.regions) {
      Region g;
      g.name = reg.name;
      g.share = reg.share;
      g.latency_ms.assign(site_names.size(), std::numeric_limits<double>::quiet_NaN());
      for (const auto& l : s.topology.links) {
        for (std::size_t i = 0; i < site_names.size(); ++i) {
          if ((l.from == reg.name && l.to == site_names[i]) ||
              (l.to == reg.name && l.from == site_names[i]))
            g.latency_ms[i] = l.latency.seconds() * 1e3;
        }
      }
      regions_.push_back(g);
    }
  } catch (const std::exception&) {
    initial_weights_.assign(site_names.size(), 100.0 / std::max<std::size_t>(1, site_names.size()));
  }
  if (regions_.empty()) {
    Region g;
    g.name = "users";
    g.latency_ms.assign(site_names.size(), std::numeric_limits<double>::quiet_NaN());
    regions_.push_back(g);
  }
}

void Replay::add_pod_event(SiteInfo* s, std::map<std::string, std::size_t>* pods, const Event& e) {
  const std::string& name = e.details["pod"].text();
  const std::string& to = e.details["to"].text();
  if (name.empty() || to.empty()) return;
  auto it = pods->find(name);
  if (it == pods->end()) {
    it = pods->emplace(name, s->pods.size()).first;
    Pod p;
    p.name = name;
    p.start_s = e.t;
    s->pods.push_back(p);
  }
  Pod& p = s->pods[it->second];
  if (const auto node = e.details["node"].integer()) p.node = static_cast<int>(*node);
  PodState st;
  if (to == "terminated") {
    p.end_s = e.t;
  } else if (parse_pod_state(to, &st)) {
    p.changes.emplace_back(e.t, st);
  }
}

void Replay::load_sites() {
  // Sites: pods, faults and GSLB health from the event log's typed details.
  for (std::size_t i = 0; i + 1 < entity_names_.size(); ++i) {
    SiteInfo si;
    si.name = entity_names_[i + 1];
    si.cloud = clouds_[i];
    si.staging = staging_[i];
    si.entity = static_cast<int>(i + 1);
    sites_.push_back(si);
  }
  auto site_of = [&](const std::string& name) -> SiteInfo* {
    for (SiteInfo& s : sites_) {
      if (s.name == name) return &s;
    }
    return nullptr;
  };
  std::vector<std::map<std::string, std::size_t>> pod_index(sites_.size());
  for (const Event& e : events_) {
    if (e.component.rfind("site/", 0) == 0) {
      SiteInfo* s = site_of(e.component.substr(5));
      if (s == nullptr) continue;
      if (e.kind == "pod") {
        add_pod_event(s, &pod_index[static_cast<std::size_t>(s - sites_.data())], e);
      } else if (e.kind == "outage") {
        if (e.details["recovered"].boolean()) {
          if (!s->faults.empty() && s->faults.back().second > e.t) s->faults.back().second = e.t;
        } else {
          s->faults.emplace_back(e.t, 1e300);
        }
      }
    } else if (e.component == "gslb" && e.kind == "health") {
      SiteInfo* s = site_of(e.details["site"].text());
      if (s == nullptr) continue;
      if (!e.details["healthy"].boolean(true)) {
        s->gslb_down.emplace_back(e.t, 1e300);
      } else if (!s->gslb_down.empty() && s->gslb_down.back().second > e.t) {
        s->gslb_down.back().second = e.t;
      }
    } else if (e.component == "gslb" && e.details["weights"].is_object()) {
      std::vector<double> ws;
      for (const SiteInfo& si : sites_) {
        const double w = e.details["weights"][si.name].number();
        ws.push_back(std::isnan(w) ? 0.0 : w);
      }
      weight_changes_.emplace_back(e.t, ws);
    }
  }
}

void Replay::derive_series() {
  auto any = [](const std::vector<float>& v) {
    return std::any_of(v.begin(), v.end(), [](float x) { return !std::isnan(x) && x != 0; });
  };
  for (Series& s : series_) {
    s.any_failed = any(s.failed);
    s.any_users = any(s.active_users);
    s.any_dns_stale = any(s.dns_stale);
    s.any_retries = any(s.retries);
    s.stale_share.assign(s.size(), std::numeric_limits<float>::quiet_NaN());
    for (std::size_t i = 0; i < s.size() && i < s.dns_stale.size(); ++i) {
      if (s.arrivals[i] > 0) s.stale_share[i] = s.dns_stale[i] / s.arrivals[i];
    }
  }
  for (std::size_t k = 0; k < sites_.size(); ++k) {
    const int e = sites_[k].entity;
    if (e < 0 || static_cast<std::size_t>(e) >= series_.size()) continue;
    Series& s = series_[static_cast<std::size_t>(e)];
    s.gslb_weight.resize(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      const std::vector<double> w = weights_at(s.t[i]);
      s.gslb_weight[i] = k < w.size() ? static_cast<float>(w[k] / 100) : 0.f;
    }
    s.weight_changes = std::any_of(s.gslb_weight.begin(), s.gslb_weight.end(),
                                   [&](float w) { return w != s.gslb_weight.front(); });
  }
}

double Replay::state_time(double t) const {
  const Series& s = series_[0];
  if (s.t.empty() || t < s.t.front()) return t;
  const std::size_t b = bucket_at(t);
  // Just before the bucket's end: an event at the very end (a fault at 10m00s) belongs to the
  // next bucket, as it does in the series.
  const double end = s.t[b] + static_cast<double>(s.dt[b]) - 1e-6;
  return end > t ? end : t;
}

std::size_t Replay::bucket_at(double t) const {
  const Series& s = series_[0];
  if (s.t.empty()) return 0;
  auto it = std::upper_bound(s.t.begin(), s.t.end(), t);
  if (it == s.t.begin()) return 0;
  return static_cast<std::size_t>(it - s.t.begin()) - 1;
}

std::vector<double> Replay::weights_at(double t) const {
  std::vector<double> w = initial_weights_;
  for (const auto& [at, ws] : weight_changes_) {
    if (at <= t) w = ws;
  }
  double sum = 0;
  for (double v : w) sum += v;
  if (sum > 0) {
    for (double& v : w) v = 100.0 * v / sum;
  }
  return w;
}

const Caption* Replay::caption_at(double t) const {
  const Caption* c = nullptr;
  for (const Caption& x : captions_) {
    if (x.t <= t) c = &x;
  }
  return c;
}

std::size_t Replay::next_event(double t) const {
  auto it = std::upper_bound(events_.begin(), events_.end(), t + 1e-6,
                             [](double v, const Event& e) { return v < e.t; });
  return static_cast<std::size_t>(it - events_.begin());
}

std::size_t Replay::prev_event(double t) const {
  auto it = std::lower_bound(events_.begin(), events_.end(), t - 1e-6,
                             [](const Event& e, double v) { return e.t < v; });
  if (it == events_.begin()) return static_cast<std::size_t>(-1);
  return static_cast<std::size_t>(it - events_.begin()) - 1;
}

DashboardState state_at(const Replay& r, double t, double window_s) {
  DashboardState out;
  out.t = t;
  if (const Caption* c = r.caption_at(t)) out.caption = c->text;
  const std::size_t b = r.bucket_at(t);
  for (std::size_t e = 0; e < r.series().size(); ++e) {
    const Series& s = r.series()[e];
    Numbers n;
    n.entity = r.entity_names()[e];
    if (s.size() == 0) {
      out.numbers.push_back(n);
      continue;
    }
    const std::size_t last = std::min(b, s.size() - 1);
    // Whole buckets ending with the one holding t, covering at least window_s.
    std::size_t first = last;
    double span = s.dt[last];
    while (first > 0 && span + 1e-9 < window_s) {
      --first;
      span += s.dt[first];
    }
    double dt = 0, done = 0, sent = 0, failed = 0, sat = 0, tol = 0, rt_sum = 0;
    for (std::size_t i = first; i <= last; ++i) {
      auto v = [](float x) { return std::isnan(x) ? 0.0 : static_cast<double>(x); };
      dt += v(s.dt[i]);
      done += v(s.completions[i]);
      sent += v(s.arrivals[i]);
      failed += v(s.failed[i]);
      sat += v(s.apdex_satisfied[i]);
      tol += v(s.apdex_tolerating[i]);
      if (!std::isnan(s.rt_mean[i]))
        rt_sum += static_cast<double>(s.rt_mean[i]) * v(s.completions[i]);
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    n.window_start_s = s.t[first];
    n.window_end_s = s.t[last] + static_cast<double>(s.dt[last]);
    n.tps = dt > 0 ? done / dt : 0;
    n.velocity = dt > 0 ? sent / dt : 0;
    n.errors_per_s = dt > 0 ? failed / dt : 0;
    n.apdex = done + failed > 0 ? (sat + tol / 2) / (done + failed) : nan;
    n.rt_mean_s = done > 0 ? rt_sum / done : nan;
    n.rt_p95_s = s.rt_p95[last];
    n.active_users = s.active_users[last];
    n.cpu_util = s.cpu_util[last];
    auto i = [](float x) { return std::isnan(x) ? 0 : static_cast<int>(x); };
    n.replicas_desired = i(s.replicas_desired[last]);
    n.replicas_ready = i(s.replicas_ready[last]);
    n.replicas_starting = i(s.replicas_starting[last]);
    n.replicas_unready = i(s.replicas_unready[last]);
    n.replicas_pending = i(s.replicas_pending[last]);
    n.nodes = i(s.nodes[last]);
    n.cost = std::isnan(s.cost[last]) ? 0.0 : static_cast<double>(s.cost[last]);
    out.numbers.push_back(n);
  }
  const double ts = r.state_time(t);
  const std::vector<double> w = r.weights_at(ts);
  for (std::size_t k = 0; k < r.sites().size(); ++k) {
    const SiteInfo& si = r.sites()[k];
    SiteView v;
    v.name = si.name;
    v.health = si.health_at(ts);
    v.weight = k < w.size() ? w[k] : 0;
    for (const Pod& p : si.pods) {
      PodState st;
      if (p.state_at(ts, &st)) ++v.pods_by_state[static_cast<int>(st)];
    }
    out.sites.push_back(v);
  }
  return out;
}

std::string to_json(const DashboardState& s) {
  store::JsonWriter j(true);
  j.begin_object();
  j.key("t_s").value(s.t).key("caption").value(s.caption);
  j.key("entities").begin_array();
  for (const Numbers& n : s.numbers) {
    j.begin_object();
    j.key("entity").value(n.entity);
    j.key("window_start_s").value(n.window_start_s).key("window_end_s").value(n.window_end_s);
    j.key("tps").value(n.tps).key("velocity").value(n.velocity);
    j.key("errors_per_s").value(n.errors_per_s).key("apdex").value(n.apdex);
    j.key("rt_mean_s").value(n.rt_mean_s).key("rt_p95_s").value(n.rt_p95_s);
    j.key("active_users").value(n.active_users).key("cpu_util").value(n.cpu_util);
    j.key("replicas_desired").value(n.replicas_desired);
    j.key("replicas_ready").value(n.replicas_ready);
    j.key("replicas_starting").value(n.replicas_starting);
    j.key("replicas_unready").value(n.replicas_unready);
    j.key("replicas_pending").value(n.replicas_pending);
    j.key("nodes").value(n.nodes).key("cost").value(n.cost);
    j.end_object();
  }
  j.end_array();
  j.key("sites").begin_array();
  for (const SiteView& v : s.sites) {
    j.begin_object();
    j.key("site").value(v.name).key("health").value(health_name(v.health));
    j.key("weight_pct").value(v.weight);
    j.key("pods").begin_object();
    for (int k = 0; k < kPodStates; ++k)
      j.key(pod_state_name(static_cast<PodState>(k))).value(v.pods_by_state[k]);
    j.end_object();
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return j.str();
}

bool explainable(const Event& e) {
  if (e.component.starts_with("site/")) return e.kind == "autoscaler" && e.details.has("uncovered");
  return e.kind == "scale" && e.details.is_object() && !e.component.starts_with("dr/");
}

std::size_t Replay::decision_at(const std::string& site, double t) const {
  std::size_t pod = static_cast<std::size_t>(-1), node = pod;
  for (std::size_t i = 0; i < events_.size() && events_[i].t <= t + 1e-9; ++i) {
    const Event& e = events_[i];
    if (!explainable(e)) continue;
    if (engine::is_pod_autoscaler_of(e.component, site)) pod = i;
    if (e.component == "site/" + site) node = i;
  }
  return pod != static_cast<std::size_t>(-1) ? pod : node;
}

}  // namespace gui
