#include "gui/replay.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <stdexcept>

#include "runner/json.h"
#include "runner/scenario_loader.h"
#include "runner/sqlite_util.h"

namespace gui {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
// T-maps of long runs are summed into at most this many columns.
constexpr std::size_t kMaxTmapColumns = 4096;

float col(const runner::Stmt& st, int i) {
  return st.is_null(i) ? kNaN : static_cast<float>(st.real(i));
}

// The raw value of "key": in a flat JSON object ("" if absent), quotes removed.
std::string json_field(const std::string& json, const std::string& key) {
  const std::string k = "\"" + key + "\":";
  const std::size_t p = json.find(k);
  if (p == std::string::npos) return "";
  std::size_t b = p + k.size();
  if (b < json.size() && json[b] == '"') {
    const std::size_t e = json.find('"', b + 1);
    return json.substr(b + 1, e == std::string::npos ? std::string::npos : e - b - 1);
  }
  std::size_t e = b;
  while (e < json.size() && json[e] != ',' && json[e] != '}') ++e;
  return json.substr(b, e - b);
}

bool parse_pod_state(const std::string& s, PodState* out) {
  static const std::pair<const char*, PodState> kNames[] = {
      {"pending", PodState::kPending}, {"scheduling", PodState::kScheduling},
      {"pulling", PodState::kPulling}, {"booting", PodState::kBooting},
      {"ready", PodState::kReady},     {"terminating", PodState::kTerminating}};
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

}  // namespace

const char* pod_state_name(PodState s) {
  static const char* kNames[] = {"pending", "scheduling", "pulling",
                                 "booting", "ready",      "terminating"};
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
  const bool marked_down = inside(gslb_down, t);
  if (fault) return marked_down ? Health::kDown : Health::kDetecting;
  return marked_down ? Health::kRecovering : Health::kUp;
}

std::vector<RunEntry> list_runs(const std::string& db_path) {
  runner::Db db(db_path, false);
  std::vector<RunEntry> out;
  runner::Stmt st(db,
                  "SELECT run_id, scenario_name, coalesce(config_label, ''), seed, status, "
                  "horizon_ns FROM runs ORDER BY run_id");
  while (st.step()) {
    RunEntry e;
    e.run_id = st.int64(0);
    e.scenario = st.text(1);
    e.label = st.text(2);
    e.seed = static_cast<uint64_t>(st.int64(3));
    e.status = st.text(4);
    e.duration_s = static_cast<double>(st.int64(5)) * 1e-9;
    out.push_back(e);
  }
  return out;
}

Replay Replay::load(const std::string& db_path, int64_t run_id) {
  Replay r;
  r.path_ = db_path;
  try {
    runner::Db db(db_path, false);
    if (run_id == 0) {
      runner::Stmt st(db, "SELECT min(run_id) FROM runs");
      if (!st.step() || st.is_null(0)) throw std::runtime_error("it holds no runs");
      run_id = st.int64(0);
    }
    r.run_id_ = run_id;
    std::string yaml, file, overrides;
    {
      runner::Stmt st(db,
                      "SELECT scenario_name, coalesce(config_label, ''), seed, horizon_ns, "
                      "bucket_ns, apdex_t_ns, scenario_yaml, coalesce(scenario_file, ''), "
                      "coalesce(overrides, '[]'), sim_end_ns FROM runs WHERE run_id = ?");
      st.bind(1, run_id);
      if (!st.step()) throw std::runtime_error("no run " + std::to_string(run_id));
      r.scenario_ = st.text(0);
      r.label_ = st.text(1);
      r.seed_ = static_cast<uint64_t>(st.int64(2));
      r.duration_s_ = static_cast<double>(st.is_null(9) ? st.int64(3) : st.int64(9)) * 1e-9;
      r.bucket_s_ = static_cast<double>(st.int64(4)) * 1e-9;
      r.apdex_t_s_ = static_cast<double>(st.int64(5)) * 1e-9;
      yaml = st.text(6);
      file = st.text(7);
      overrides = st.text(8);
    }
    {
      // Entities in id order, the overall series ("all") moved to the front.
      runner::Stmt st(db,
                      "SELECT entity_id, name FROM entities WHERE run_id = ? "
                      "ORDER BY name != 'all', entity_id");
      st.bind(1, run_id);
      std::map<int64_t, std::size_t> index;
      while (st.step()) {
        index[st.int64(0)] = r.entity_names_.size();
        r.entity_names_.push_back(st.text(1));
      }
      if (r.entity_names_.empty() || r.entity_names_[0] != "all")
        throw std::runtime_error("the run has no overall series");
      r.series_.resize(r.entity_names_.size());
      r.tmaps_.resize(r.entity_names_.size());
      runner::Stmt s(db,
                     "SELECT entity_id, t_ns, dt_s, arrivals, completions, failed, rt_mean_s, "
                     "rt_p50_s, rt_p95_s, rt_p99_s, apdex, apdex_satisfied, apdex_tolerating, "
                     "active_users, inflight, cpu_util, replicas_desired, replicas_ready, "
                     "replicas_starting, replicas_pending, nodes, share, dns_stale, cost "
                     "FROM series WHERE run_id = ? ORDER BY entity_id, t_ns");
      s.bind(1, run_id);
      while (s.step()) {
        Series& x = r.series_[index.at(s.int64(0))];
        x.t.push_back(static_cast<double>(s.int64(1)) * 1e-9);
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
                                      &x.replicas_pending,
                                      &x.nodes,
                                      &x.share,
                                      &x.dns_stale,
                                      &x.cost};
        for (int c = 0; c < 22; ++c) cols[c]->push_back(col(s, c + 2));
      }
      // T-maps: bins, then counts summed into at most kMaxTmapColumns columns of whole buckets.
      std::vector<double> lo;
      {
        runner::Stmt b(db, "SELECT bin, lo_s FROM rt_hist_bins ORDER BY bin");
        while (b.step()) lo.push_back(b.real(1));
      }
      for (std::size_t e = 0; e < r.series_.size(); ++e) {
        Tmap& m = r.tmaps_[e];
        const std::size_t n = r.series_[e].size();
        m.failed.assign(n, 0);
        for (std::size_t i = 0; i < n; ++i)
          m.failed[i] = std::isnan(r.series_[e].failed[i])
                            ? 0u
                            : static_cast<uint32_t>(r.series_[e].failed[i]);
      }
      int lo_bin = std::numeric_limits<int>::max(), hi_bin = -1;
      {
        runner::Stmt h(db,
                       "SELECT min(first_bin), max(first_bin + length(counts) / 4) FROM rt_hist "
                       "WHERE run_id = ?");
        h.bind(1, run_id);
        if (h.step() && !h.is_null(0)) {
          lo_bin = static_cast<int>(h.int64(0));
          hi_bin = static_cast<int>(h.int64(1));
        }
      }
      if (hi_bin > lo_bin) {
        for (Tmap& m : r.tmaps_) {
          m.first_bin = lo_bin;
          m.bins = hi_bin - lo_bin;
          for (int b = lo_bin; b < hi_bin; ++b)
            m.bin_lo_s.push_back(static_cast<std::size_t>(b) < lo.size() ? lo[b] : 0.0);
        }
        for (std::size_t e = 0; e < r.series_.size(); ++e)
          r.tmaps_[e].counts.assign(r.series_[e].size() * static_cast<std::size_t>(hi_bin - lo_bin),
                                    0);
        runner::Stmt h(db,
                       "SELECT entity_id, t_ns, first_bin, counts FROM rt_hist WHERE run_id = ? "
                       "ORDER BY entity_id, t_ns");
        h.bind(1, run_id);
        while (h.step()) {
          const std::size_t e = index.at(h.int64(0));
          const Series& x = r.series_[e];
          Tmap& m = r.tmaps_[e];
          const double t = static_cast<double>(h.int64(1)) * 1e-9;
          const auto it = std::lower_bound(x.t.begin(), x.t.end(), t - 1e-9);
          if (it == x.t.end()) continue;
          const std::size_t bucket = static_cast<std::size_t>(it - x.t.begin());
          const int first = static_cast<int>(h.int64(2));
          const auto blob = h.blob(3);
          for (std::size_t k = 0; k + 4 <= blob.size(); k += 4) {
            const uint32_t c = static_cast<uint32_t>(blob[k]) |
                               (static_cast<uint32_t>(blob[k + 1]) << 8) |
                               (static_cast<uint32_t>(blob[k + 2]) << 16) |
                               (static_cast<uint32_t>(blob[k + 3]) << 24);
            const int row = first + static_cast<int>(k / 4) - lo_bin;
            m.counts[bucket * static_cast<std::size_t>(m.bins) + static_cast<std::size_t>(row)] +=
                c;
          }
        }
      }
    }
    {
      runner::Stmt st(db,
                      "SELECT t_ns, component, kind, message, coalesce(details, '') FROM events "
                      "WHERE run_id = ? ORDER BY t_ns, seq");
      st.bind(1, run_id);
      while (st.step()) {
        r.events_.push_back({static_cast<double>(st.int64(0)) * 1e-9, st.text(1), st.text(2),
                             st.text(3), st.text(4)});
      }
    }
    {
      runner::Stmt st(db, "SELECT t_ns, text FROM narration WHERE run_id = ? ORDER BY t_ns");
      st.bind(1, run_id);
      while (st.step())
        r.captions_.push_back({static_cast<double>(st.int64(0)) * 1e-9, st.text(1)});
    }

    // The scenario, for the sites' clouds, the topology and the initial weights. A scenario
    // that no longer loads (a manifest file moved) leaves those out, not the replay.
    std::vector<std::string> site_names(r.entity_names_.begin() + 1, r.entity_names_.end());
    std::vector<std::string> clouds(site_names.size(), "");
    try {
      std::vector<std::string> sets;
      const YAML::Node o = YAML::Load(overrides);
      for (const auto& v : o) sets.push_back(v.as<std::string>());
      const runner::Scenario s = runner::load_scenario_text(yaml, file, sets);
      for (std::size_t i = 0; i < s.sites.size() && i < clouds.size(); ++i) {
        const auto it = std::find(site_names.begin(), site_names.end(), s.sites[i].site.name);
        if (it != site_names.end())
          clouds[static_cast<std::size_t>(it - site_names.begin())] =
              s.sites[i].site.public_cloud ? "public" : "private";
      }
      r.gslb_policy_ = s.gslb.policy;
      for (const std::string& n : site_names) {
        double w = 0;
        for (std::size_t i = 0; i < s.sites.size(); ++i) {
          if (s.sites[i].site.name == n && i < s.gslb.weights.size()) w = s.gslb.weights[i];
        }
        r.initial_weights_.push_back(w);
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
        r.regions_.push_back(g);
      }
    } catch (const std::exception&) {
      r.initial_weights_.assign(site_names.size(),
                                100.0 / std::max<std::size_t>(1, site_names.size()));
    }
    if (r.regions_.empty()) {
      Region g;
      g.name = "users";
      g.latency_ms.assign(site_names.size(), std::numeric_limits<double>::quiet_NaN());
      r.regions_.push_back(g);
    }

    // Sites: pods, faults and GSLB health from the event log.
    for (std::size_t i = 0; i < site_names.size(); ++i) {
      SiteInfo si;
      si.name = site_names[i];
      si.cloud = clouds[i];
      si.entity = static_cast<int>(i + 1);
      r.sites_.push_back(si);
    }
    auto site_of = [&](const std::string& name) -> SiteInfo* {
      for (SiteInfo& s : r.sites_) {
        if (s.name == name) return &s;
      }
      return nullptr;
    };
    std::vector<std::map<std::string, std::size_t>> pod_index(r.sites_.size());
    for (const Event& e : r.events_) {
      if (e.component.rfind("site/", 0) == 0) {
        SiteInfo* s = site_of(e.component.substr(5));
        if (s == nullptr) continue;
        if (e.kind == "pod") {
          const std::string name = json_field(e.details, "pod");
          const std::string to = json_field(e.details, "to");
          if (name.empty() || to.empty()) continue;
          auto& idx = pod_index[static_cast<std::size_t>(s - r.sites_.data())];
          auto it = idx.find(name);
          if (it == idx.end()) {
            it = idx.emplace(name, s->pods.size()).first;
            Pod p;
            p.name = name;
            p.start_s = e.t;
            s->pods.push_back(p);
          }
          Pod& p = s->pods[it->second];
          const std::string node = json_field(e.details, "node");
          if (!node.empty()) p.node = std::atoi(node.c_str());
          PodState st;
          if (to == "terminated") {
            p.end_s = e.t;
          } else if (parse_pod_state(to, &st)) {
            p.changes.emplace_back(e.t, st);
          }
        } else if (e.kind == "outage") {
          if (json_field(e.details, "recovered") == "true") {
            if (!s->faults.empty() && s->faults.back().second > e.t) s->faults.back().second = e.t;
          } else {
            s->faults.emplace_back(e.t, 1e300);
          }
        }
      } else if (e.component == "gslb" && e.kind == "health") {
        SiteInfo* s = site_of(json_field(e.details, "site"));
        if (s == nullptr) continue;
        if (json_field(e.details, "healthy") == "false") {
          s->gslb_down.emplace_back(e.t, 1e300);
        } else if (!s->gslb_down.empty() && s->gslb_down.back().second > e.t) {
          s->gslb_down.back().second = e.t;
        }
      } else if (e.component == "gslb" && (e.kind == "dns" || e.kind == "split")) {
        // {"weights":{"private":50,...}}; results of hcsim before 0.1 only had the message,
        // "weights set: private 50, public 50".
        const std::size_t w = e.details.find("\"weights\":{");
        const std::string prefix = "weights set: ";
        std::vector<double> ws;
        if (w != std::string::npos) {
          const std::string obj = e.details.substr(w + 10);
          for (const std::string& n : site_names) {
            const std::string v = json_field(obj, n);
            ws.push_back(v.empty() ? 0.0 : std::atof(v.c_str()));
          }
        } else if (e.message.rfind(prefix, 0) == 0) {
          const std::string list = ", " + e.message.substr(prefix.size());
          for (const std::string& n : site_names) {
            const std::size_t p = list.find(", " + n + " ");
            ws.push_back(p == std::string::npos ? 0.0 : std::atof(list.c_str() + p + n.size() + 3));
          }
        } else {
          continue;
        }
        r.weight_changes_.emplace_back(e.t, ws);
      }
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(db_path + ": " + e.what());
  }
  return r;
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
    n.replicas_pending = i(s.replicas_pending[last]);
    n.nodes = i(s.nodes[last]);
    n.cost = std::isnan(s.cost[last]) ? 0.0 : static_cast<double>(s.cost[last]);
    out.numbers.push_back(n);
  }
  const std::vector<double> w = r.weights_at(t);
  for (std::size_t k = 0; k < r.sites().size(); ++k) {
    const SiteInfo& si = r.sites()[k];
    SiteView v;
    v.name = si.name;
    v.health = si.health_at(t);
    v.weight = k < w.size() ? w[k] : 0;
    for (const Pod& p : si.pods) {
      PodState st;
      if (p.state_at(t, &st)) ++v.pods_by_state[static_cast<int>(st)];
    }
    out.sites.push_back(v);
  }
  return out;
}

std::string to_json(const DashboardState& s) {
  runner::JsonWriter j(true);
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

}  // namespace gui
