#include "config/loader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "config/hpa_manifest.h"
#include "config/units.h"

namespace config {

using sim::SimTime;

namespace {

constexpr SimTime kMaxDuration = sim::hours(24 * 3650);  // ten years
constexpr double kMaxRate = 1e9;                         // requests per second
constexpr int64_t kMaxBuckets = 50'000'000;

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

std::string resolve_relative(const Node& n, const std::string& rel) {
  namespace fs = std::filesystem;
  const fs::path p(rel);
  if (p.is_absolute() || n.file().empty() || n.file().rfind("--set", 0) == 0) return rel;
  return (fs::path(n.file()).parent_path() / p).string();
}

// A site named by a scalar (events, replication, GSLB order): its index, or a located error.
int site_ref(const Node& n, const Scenario& s) {
  const std::string name = n.text();
  const int idx = s.site_index(name);
  if (idx < 0) {
    std::vector<std::string> names;
    for (const auto& sc : s.sites) names.push_back(sc.site.name);
    n.fail("no site named '" + name + "'; " + suggest(name, names, "sites are"));
  }
  return idx;
}

// Per-site weights written as a map {site: weight}; sites not named get 0.
std::vector<double> parse_weights(const Node& wn, const Scenario& s) {
  std::vector<double> weights(s.sites.size(), 0.0);
  MapReader wm = wn.map();
  double sum = 0;
  for (const std::string& site : wm.keys()) {
    const Node w = wm.get(site);
    const int idx = s.site_index(site);
    if (idx < 0) {
      std::vector<std::string> names;
      for (const auto& sc : s.sites) names.push_back(sc.site.name);
      wm.fail_key(site, "no site named '" + site + "'; " + suggest(site, names, "sites are"));
    }
    weights[static_cast<std::size_t>(idx)] = w.number_in(0, 1e6);
    sum += weights[static_cast<std::size_t>(idx)];
  }
  if (sum <= 0) wn.fail("at least one weight must be positive");
  wm.finish();
  return weights;
}

// ---- distributions --------------------------------------------------------------------------

// A distribution of durations, in seconds.
models::Distribution parse_duration_distribution(const Node& n, SimTime max_mean) {
  MapReader m = n.map();
  if (!n.present()) n.fail("expected a distribution such as {dist: exponential, mean: 40ms}");
  const std::string kind =
      m.required("dist").choice({"constant", "exponential", "lognormal", "gamma", "uniform"});
  auto positive = [&](const char* key) {
    const Node v = m.required(key);
    const SimTime t = v.duration_in(sim::nanoseconds(1), max_mean);
    return t.seconds();
  };
  auto positive_number = [&](const char* key, double hi) {
    return m.required(key).number_in(1e-9, hi);
  };
  models::Distribution d;
  if (kind == "constant") {
    d = models::Distribution::constant(
        m.required("value").duration_in(SimTime::zero(), max_mean).seconds());
  } else if (kind == "exponential") {
    d = models::Distribution::exponential(positive("mean"));
  } else if (kind == "lognormal") {
    const bool by_mean = m.has("mean") || m.has("cv");
    const bool by_median = m.has("median") || m.has("sigma");
    if (by_mean && by_median) n.fail("give either mean and cv, or median and sigma, not both");
    if (by_median) {
      d = models::Distribution::lognormal_median_sigma(positive("median"),
                                                       positive_number("sigma", 10));
    } else {
      d = models::Distribution::lognormal_mean_cv(positive("mean"), positive_number("cv", 100));
    }
  } else if (kind == "gamma") {
    const bool by_mean = m.has("mean") || m.has("cv");
    const bool by_shape = m.has("shape") || m.has("scale");
    if (by_mean && by_shape) n.fail("give either mean and cv, or shape and scale, not both");
    if (by_shape) {
      d = models::Distribution::gamma_shape_scale(positive_number("shape", 1e6), positive("scale"));
    } else {
      d = models::Distribution::gamma_mean_cv(positive("mean"), positive_number("cv", 100));
    }
  } else {  // uniform
    const double lo = m.required("min").duration_in(SimTime::zero(), max_mean).seconds();
    const Node hi_node = m.required("max");
    const double hi = hi_node.duration_in(SimTime::zero(), max_mean).seconds();
    if (hi < lo) hi_node.fail("must not be below min");
    d = models::Distribution::uniform(lo, hi);
  }
  if (const Node off = m.get("offset"); off.present()) {
    d = d.with_offset(off.duration_in(SimTime::zero(), max_mean).seconds());
  }
  m.finish();
  return d;
}

// ---- profiles -------------------------------------------------------------------------------

enum class ValueKind { kRate, kCount };

double profile_value(const Node& n, ValueKind kind) {
  if (kind == ValueKind::kRate) {
    const double r = n.rate();
    if (r > kMaxRate) n.fail("must be at most 1e9/s");
    return r;
  }
  return n.number_in(0, 1e9);
}

std::vector<std::pair<SimTime, double>> read_trace_csv(const Node& file_node,
                                                       const std::string& path, ValueKind kind) {
  std::ifstream in(path);
  if (!in) file_node.fail("cannot open trace file '" + path + "'");
  std::vector<std::pair<SimTime, double>> pts;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::size_t comma = line.find(',');
    auto bad = [&](int col, const std::string& msg) {
      throw ScenarioError({path, lineno, col}, file_node.path(), msg);
    };
    if (comma == std::string::npos) bad(1, "expected 't,value' (seconds, then the value)");
    std::string err;
    const auto t = parse_number(line.substr(0, comma), &err);
    if (!t) {
      if (pts.empty() && lineno == 1) continue;  // a header line
      bad(1, err);
    }
    const auto v = parse_number(line.substr(comma + 1), &err);
    if (!v) bad(static_cast<int>(comma) + 2, err);
    if (*t < 0 || *t > kMaxDuration.seconds()) bad(1, "time out of range");
    if (*v < 0 || (kind == ValueKind::kRate && *v > kMaxRate))
      bad(static_cast<int>(comma) + 2, "value out of range");
    const SimTime at = SimTime::from_seconds(*t);
    if (!pts.empty() && at <= pts.back().first) bad(1, "times must increase from line to line");
    pts.emplace_back(at, *v);
  }
  if (pts.empty()) file_node.fail("trace file '" + path + "' has no data rows");
  return pts;
}

models::Profile parse_profile(const Node& n, ValueKind kind) {
  if (!n.present()) n.fail("required");
  if (!n.is_map() && !n.is_list()) return models::Profile::constant(profile_value(n, kind));
  MapReader m = n.map();
  const std::string shape = m.required("profile").choice(
      {"constant", "steps", "ramp", "flash_crowd", "diurnal", "trace"});
  models::Profile p = models::Profile::constant(0);
  if (shape == "constant") {
    p = models::Profile::constant(profile_value(m.required("value"), kind));
  } else if (shape == "steps") {
    std::vector<std::pair<SimTime, double>> steps;
    const Node list = m.required("steps");
    for (const Node& s : list.list()) {
      MapReader sm = s.map();
      const Node at = sm.required("at");
      const SimTime t = at.duration_in(SimTime::zero(), kMaxDuration);
      if (!steps.empty() && t <= steps.back().first) at.fail("step times must increase");
      steps.emplace_back(t, profile_value(sm.required("value"), kind));
      sm.finish();
    }
    if (steps.empty()) list.fail("needs at least one step");
    p = models::Profile::steps(steps);
  } else if (shape == "ramp") {
    const double from = profile_value(m.required("from"), kind);
    const double to = profile_value(m.required("to"), kind);
    const SimTime start = m.get("start").present()
                              ? m.get("start").duration_in(SimTime::zero(), kMaxDuration)
                              : SimTime::zero();
    const SimTime len = m.required("duration").duration_in(SimTime::zero(), kMaxDuration);
    p = models::Profile::ramp(from, to, start, len);
  } else if (shape == "flash_crowd") {
    // Ari et al. (MASCOTS 2003), as parameterised in models.md §4.1: peak = shock x base;
    // ramp-up unit/log10(1+S), sustained unit*log10(1+S), ramp-down decay*unit*log10(1+S).
    const double base = profile_value(m.required("base"), kind);
    const Node shock_n = m.get("shock");
    const Node peak_n = m.get("peak");
    if (shock_n.present() == peak_n.present())
      m.node().fail("give exactly one of shock (a multiple of base) or peak");
    double shock;
    double peak;
    if (shock_n.present()) {
      shock = shock_n.number_in(1, 1000);
      peak = base * shock;
    } else {
      peak = profile_value(peak_n, kind);
      if (base <= 0) peak_n.fail("needs base > 0 to derive the phase lengths");
      shock = peak / base;
      if (shock < 1) peak_n.fail("must be at least base");
    }
    const double decay = m.get("decay").present() ? m.get("decay").number_in(0.01, 1000) : 4.0;
    const SimTime start = m.required("start").duration_in(SimTime::zero(), kMaxDuration);
    const SimTime unit = m.get("unit").present()
                             ? m.get("unit").duration_in(sim::seconds(1), sim::hours(24))
                             : sim::minutes(1);
    const double l = std::log10(1.0 + shock);
    auto phase = [&](const char* key, double units) {
      const Node o = m.get(key);
      return o.present() ? o.duration_in(SimTime::zero(), kMaxDuration)
                         : SimTime::from_seconds(unit.seconds() * units);
    };
    const SimTime up = phase("ramp_up", 1.0 / l);
    const SimTime sustain = phase("sustain", l);
    const SimTime down = phase("ramp_down", decay * l);
    p = models::Profile::flash_crowd(base, peak, start, up, sustain, down);
  } else if (shape == "diurnal") {
    const double mean = profile_value(m.required("mean"), kind);
    const double amp = m.required("amplitude").number_in(0, 1);
    const SimTime period = m.get("period").present()
                               ? m.get("period").duration_in(sim::seconds(1), kMaxDuration)
                               : sim::hours(24);
    const SimTime phase = m.get("phase").present()
                              ? m.get("phase").duration_in(SimTime::zero(), kMaxDuration)
                              : SimTime::zero();
    p = models::Profile::diurnal(mean, amp, period, phase);
  } else {  // trace
    const Node file = m.required("file");
    const std::string path = resolve_relative(file, file.text());
    const std::string interp =
        m.get("interpolate").present() ? m.get("interpolate").choice({"step", "linear"}) : "step";
    const double scale = m.get("scale").present() ? m.get("scale").number_in(0, 1e6) : 1.0;
    auto pts = read_trace_csv(file, path, kind);
    for (auto& pt : pts) pt.second *= scale;
    p = interp == "linear" ? models::Profile::piecewise_linear(pts)
                           : models::Profile::piecewise_constant(pts);
  }
  m.finish();
  return p;
}

// ---- sections -------------------------------------------------------------------------------

void parse_metrics(const Node& n, Scenario* s) {
  MapReader m = n.map();
  if (const Node b = m.get("bucket"); b.present()) {
    s->metrics.bucket = b.duration_in(sim::milliseconds(1), kMaxDuration);
  }
  if (const Node t = m.get("apdex_t"); t.present()) {
    s->metrics.apdex_t = t.duration_in(sim::microseconds(1), sim::hours(1));
  }
  if (const Node w = m.get("warmup"); w.present()) {
    s->metrics.warmup = w.duration_in(SimTime::zero(), kMaxDuration);
    if (s->metrics.warmup >= s->duration) w.fail("must be shorter than the scenario's duration");
  }
  m.finish();
  if (s->duration / s->metrics.bucket > kMaxBuckets) {
    m.get("bucket").fail(
        "gives more than 50,000,000 buckets over the duration; use a longer bucket");
  }
}

void parse_client(const Node& n, models::ClientPolicy* c) {
  MapReader m = n.map();
  if (const Node v = m.get("timeout"); v.present())
    c->timeout = v.duration_in(sim::milliseconds(1), sim::hours(24));
  if (const Node v = m.get("connect_timeout"); v.present())
    c->connect_timeout = v.duration_in(SimTime::zero(), sim::hours(1));
  if (const Node r = m.get("retries"); r.present()) {
    MapReader rm = r.map();
    c->retries = static_cast<int>(rm.required("count").integer_in(0, 100));
    if (const Node v = rm.get("backoff"); v.present())
      c->backoff = v.duration_in(SimTime::zero(), sim::hours(1));
    if (const Node v = rm.get("multiplier"); v.present())
      c->backoff_multiplier = v.number_in(1, 100);
    if (const Node v = rm.get("jitter"); v.present()) c->jitter = v.number_in(0, 1);
    rm.finish();
  }
  if (const Node a = m.get("abandon"); a.present()) {
    MapReader am = a.map();
    c->abandon_after = static_cast<int>(am.required("after_failures").integer_in(1, 1000));
    if (const Node v = am.get("pause"); v.present())
      c->abandon_pause = v.duration_in(SimTime::zero(), sim::hours(24));
    am.finish();
  }
  m.finish();
}

void parse_traffic(const Node& n, Scenario* s) {
  MapReader m = n.map();
  if (const Node k = m.get("kind"); k.present()) s->traffic_kind = k.choice({"open", "closed"});
  MapReader req = m.required("request").map();
  const models::Distribution demand =
      parse_duration_distribution(req.required("cpu"), sim::hours(24));
  double write_fraction = 0;
  if (const Node w = req.get("write_fraction"); w.present()) write_fraction = w.number_in(0, 1);
  req.finish();
  if (s->traffic_kind == "open") {
    s->open.rate = parse_profile(m.required("rate"), ValueKind::kRate);
    s->open.demand = demand;
    s->open.write_fraction = write_fraction;
    for (const char* key : {"users", "think_time", "client"}) {
      if (m.has(key))
        m.fail_key(key, std::string(key) + ": belongs to closed traffic (kind: closed)");
    }
  } else {
    if (m.has("rate"))
      m.fail_key("rate",
                 "closed traffic has users, not a rate: the users' think time and the response "
                 "times set the rate");
    s->closed.users = parse_profile(m.required("users"), ValueKind::kCount);
    if (const Node t = m.get("think_time"); t.present())
      s->closed.think_time = parse_duration_distribution(t, sim::hours(24));
    if (const Node c = m.get("client"); c.present()) parse_client(c, &s->closed.client);
    s->closed.demand = demand;
    s->closed.write_fraction = write_fraction;
  }
  m.finish();
}

void parse_pod(const Node& n, models::PodConfig* pod, models::MemoryModel* memory) {
  MapReader m = n.map();
  if (const Node c = m.get("cpu"); c.present()) {
    pod->cores = c.cpu();
    if (pod->cores < 0.001 || pod->cores > 1024) c.fail("must be between 1m and 1024 cores");
  }
  auto limit = [](const Node& v, int64_t lo, int64_t hi) {
    if (v.text() == "unlimited") return models::PodConfig::kUnlimited;
    return static_cast<int>(v.integer_in(lo, hi));
  };
  if (const Node c = m.get("concurrency"); c.present()) pod->concurrency = limit(c, 1, 1'000'000);
  if (const Node q = m.get("queue"); q.present()) pod->queue = limit(q, 0, 1'000'000'000);
  if (const Node mem = m.get("memory"); mem.present()) {
    memory->request_bytes = mem.size();
    if (memory->request_bytes <= 0) mem.fail("must be positive");
  }
  m.finish();
}

models::Balancing parse_balancing(const Node& n) {
  const std::string b = n.choice({"random", "round-robin", "least-request", "p2c", "shared-queue"});
  if (b == "random") return models::Balancing::kRandom;
  if (b == "round-robin") return models::Balancing::kRoundRobin;
  if (b == "least-request") return models::Balancing::kLeastRequest;
  if (b == "p2c") return models::Balancing::kPowerOfTwo;
  return models::Balancing::kSharedQueue;
}

models::ImageSpec parse_image(const Node& n) {
  MapReader m = n.map();
  models::ImageSpec image;
  image.name = m.required("name").text();
  if (image.name.empty()) m.get("name").fail("must not be empty");
  if (const Node sz = m.get("size"); sz.present()) {
    image.size_bytes = sz.size();
    if (image.size_bytes <= 0) sz.fail("must be positive");
  }
  m.finish();
  return image;
}

void parse_startup(const Node& n, models::StartupConfig* st) {
  MapReader m = n.map();
  constexpr SimTime kMax = sim::hours(24);
  if (const Node d = m.get("scheduling"); d.present())
    st->scheduling = parse_duration_distribution(d, kMax);
  if (const Node d = m.get("pull"); d.present()) {
    MapReader pm = d.map();
    if (pm.has("bandwidth")) {
      const Node bw = pm.get("bandwidth");
      st->pull_bandwidth = bw.bandwidth();
      if (st->pull_bandwidth <= 0) bw.fail("must be positive");
      pm.finish();
    } else {
      st->pull = parse_duration_distribution(d, kMax);
    }
  }
  if (const Node d = m.get("container"); d.present())
    st->container = parse_duration_distribution(d, kMax);
  if (const Node d = m.get("boot"); d.present()) st->boot = parse_duration_distribution(d, kMax);
  if (const Node r = m.get("readiness"); r.present()) {
    MapReader rm = r.map();
    if (const Node v = rm.get("initialDelaySeconds"); v.present())
      st->readiness.initial_delay = sim::seconds(v.integer_in(0, 86400));
    if (const Node v = rm.get("periodSeconds"); v.present())
      st->readiness.period = sim::seconds(v.integer_in(1, 86400));
    if (const Node v = rm.get("successThreshold"); v.present())
      st->readiness.success_threshold = static_cast<int>(v.integer_in(1, 1000));
    rm.finish();
  }
  if (const Node e = m.get("endpoint_delay"); e.present())
    st->endpoint_delay = e.duration_in(SimTime::zero(), sim::minutes(10));
  if (const Node w = m.get("warmup"); w.present()) {
    MapReader wm = w.map();
    st->warmup_factor = wm.required("factor").number_in(0, 100);
    if (const Node t = wm.get("tau"); t.present())
      st->warmup_tau = t.duration_in(sim::seconds(1), sim::hours(24));
    wm.finish();
  }
  m.finish();
}

void parse_deployment(const Node& n, models::DeploymentConfig* d, models::Balancing* balancing) {
  MapReader m = n.map();
  if (const Node i = m.get("image"); i.present()) d->image = parse_image(i);
  parse_pod(m.get("pod"), &d->pod, &d->memory);
  if (const Node mm = m.get("memory_usage"); mm.present()) {
    MapReader um = mm.map();
    if (const Node b = um.get("base"); b.present()) d->memory.base_bytes = b.size();
    if (const Node p = um.get("per_request"); p.present()) d->memory.per_request_bytes = p.size();
    um.finish();
  }
  parse_startup(m.get("startup"), &d->startup);
  if (const Node g = m.get("termination_grace"); g.present())
    d->termination_grace = g.duration_in(SimTime::zero(), sim::hours(1));
  if (const Node st = m.get("strategy"); st.present()) {
    MapReader sm = st.map();
    if (const Node v = sm.get("maxSurge"); v.present()) {
      const auto [x, pct] = v.int_or_percent(1000);
      d->rollout.max_surge = {x, pct};
    }
    if (const Node v = sm.get("maxUnavailable"); v.present()) {
      const auto [x, pct] = v.int_or_percent(100);
      d->rollout.max_unavailable = {x, pct};
    }
    sm.finish();
  }
  if (const Node b = m.get("balancing"); b.present()) *balancing = parse_balancing(b);
  m.finish();
}

void parse_nodes(const Node& n, SiteSpec* spec) {
  MapReader m = n.map();
  models::SiteConfig& site = spec->site;
  site.nodes = static_cast<int>(m.required("count").integer_in(0, 100000));
  if (const Node c = m.get("cpu"); c.present()) {
    site.node_shape.cpu = c.cpu();
    if (site.node_shape.cpu < 0.001) c.fail("must be positive");
  }
  if (const Node p = m.get("max_pods"); p.present())
    site.node_shape.max_pods = static_cast<int>(p.integer_in(1, 100000));
  if (const Node a = m.get("autoscale"); a.present()) {
    if (!site.public_cloud) {
      m.fail_key("autoscale",
                 "a private cloud has fixed capacity: node autoscaling needs cloud: public");
    }
    MapReader am = a.map();
    models::NodeAutoscalerConfig ca;
    ca.min_nodes = am.get("min").present() ? static_cast<int>(am.get("min").integer_in(0, 100000))
                                           : site.nodes;
    const Node mx = am.required("max");
    ca.max_nodes = static_cast<int>(mx.integer_in(1, 100000));
    if (ca.max_nodes < ca.min_nodes) mx.fail("must not be below min");
    if (ca.max_nodes < site.nodes) mx.fail("must not be below the initial node count");
    if (const Node v = am.get("scan_interval"); v.present())
      ca.scan_interval = v.duration_in(sim::seconds(1), sim::hours(1));
    if (const Node v = am.get("provisioning"); v.present())
      ca.provisioning = parse_duration_distribution(v, sim::hours(24));
    if (const Node v = am.get("scale_down_unneeded_time"); v.present())
      ca.scale_down_unneeded_time = v.duration_in(SimTime::zero(), sim::hours(24));
    if (const Node v = am.get("scale_down_delay_after_add"); v.present())
      ca.scale_down_delay_after_add = v.duration_in(SimTime::zero(), sim::hours(24));
    if (const Node v = am.get("scale_down_utilization_threshold"); v.present())
      ca.scale_down_utilization_threshold = v.number_in(0, 1);
    am.finish();
    spec->node_autoscaler = ca;
  }
  m.finish();
}

std::pair<int32_t, int32_t> parse_min_max(MapReader& m, int32_t default_min) {
  const int32_t lo = m.get("min").present()
                         ? static_cast<int32_t>(m.get("min").integer_in(0, 100000))
                         : default_min;
  const Node mx = m.required("max");
  const int32_t hi = static_cast<int32_t>(mx.integer_in(1, 100000));
  if (hi < lo) mx.fail("must not be below min");
  return {lo, hi};
}

std::string parse_policy_metric(const Node& n) {
  return n.choice({"cpu", "requests_per_second", "concurrency"});
}

std::vector<models::ScheduleEntry> parse_schedule(const Node& n) {
  std::vector<models::ScheduleEntry> out;
  for (const Node& e : n.list()) {
    MapReader m = e.map();
    const Node at = m.required("at");
    models::ScheduleEntry entry;
    entry.at = at.duration_in(SimTime::zero(), kMaxDuration);
    if (!out.empty() && entry.at <= out.back().at) at.fail("schedule times must increase");
    entry.replicas = static_cast<int32_t>(m.required("replicas").integer_in(0, 100000));
    m.finish();
    out.push_back(entry);
  }
  if (out.empty()) n.fail("needs at least one entry: [{at: 0s, replicas: 4}, ...]");
  return out;
}

models::StepAlarm parse_alarm(const Node& n, bool scale_out) {
  MapReader m = n.map();
  models::StepAlarm a;
  a.enabled = true;
  a.threshold = m.required("threshold").number_in(0, 1e9);
  if (const Node e = m.get("evaluation_periods"); e.present())
    a.evaluation_periods = static_cast<int>(e.integer_in(1, 1000));
  const Node steps = m.required("steps");
  for (const Node& sn : steps.list()) {
    MapReader sm = sn.map();
    models::StepAdjustment adj;
    if (const Node l = sm.get("lower"); l.present()) adj.lower = l.number_in(-1e9, 1e9);
    if (const Node u = sm.get("upper"); u.present()) adj.upper = u.number_in(-1e9, 1e9);
    const Node c = sm.required("change");
    adj.change = static_cast<int>(c.integer_in(-100000, 100000));
    if (scale_out && adj.change <= 0)
      c.fail("a scale-out step adds pods: the change must be positive");
    if (!scale_out && adj.change >= 0)
      c.fail("a scale-in step removes pods: the change must be negative");
    sm.finish();
    a.steps.push_back(adj);
  }
  if (a.steps.empty()) steps.fail("needs at least one step");
  m.finish();
  return a;
}

void parse_autoscaler(const Node& n, const SiteSpec& site, AutoscalerSpec* a) {
  MapReader m = n.map();
  static const std::vector<std::string> kKinds{
      "hpa", "hpa_file", "target_tracking", "step_scaling", "knative", "scheduled", "predictive"};
  std::vector<std::string> given;
  for (const std::string& k : kKinds) {
    if (m.has(k)) given.push_back(k);
  }
  if (given.size() != 1) {
    n.fail(given.empty()
               ? "give one autoscaler: hpa, hpa_file, target_tracking, step_scaling, knative, "
                 "scheduled or predictive"
               : "give exactly one autoscaler, not both " + given[0] + " and " + given[1]);
  }
  a->kind = given[0] == "hpa_file" ? "hpa" : given[0];
  const int32_t replicas = site.site.deployment.replicas;
  if (given[0] == "hpa") {
    a->hpa = parse_hpa_spec(m.get("hpa"));
  } else if (given[0] == "hpa_file") {
    const Node f = m.get("hpa_file");
    a->hpa_file = resolve_relative(f, f.text());
    try {
      a->hpa = load_hpa_manifest(a->hpa_file);
    } catch (const ScenarioError& e) {
      if (e.location().line == 0)
        f.fail("cannot read HPA manifest '" + a->hpa_file + "': " + e.message());
      throw;
    }
  } else if (given[0] == "target_tracking") {
    MapReader t = m.get("target_tracking").map();
    models::TargetTrackingConfig& c = a->target_tracking;
    if (const Node v = t.get("metric"); v.present()) c.metric = parse_policy_metric(v);
    c.target = t.required("target").number_in(1e-6, 1e9);
    if (const Node v = t.get("period"); v.present())
      c.period = v.duration_in(sim::seconds(1), sim::hours(1));
    if (const Node v = t.get("scale_out_datapoints"); v.present())
      c.scale_out_datapoints = static_cast<int>(v.integer_in(1, 1000));
    if (const Node v = t.get("scale_in_datapoints"); v.present())
      c.scale_in_datapoints = static_cast<int>(v.integer_in(1, 1000));
    if (const Node v = t.get("scale_out_cooldown"); v.present())
      c.scale_out_cooldown = v.duration_in(SimTime::zero(), sim::hours(24));
    if (const Node v = t.get("scale_in_cooldown"); v.present())
      c.scale_in_cooldown = v.duration_in(SimTime::zero(), sim::hours(24));
    if (const Node v = t.get("disable_scale_in"); v.present()) c.disable_scale_in = v.boolean();
    std::tie(c.min_replicas, c.max_replicas) = parse_min_max(t, 1);
    t.finish();
  } else if (given[0] == "step_scaling") {
    MapReader t = m.get("step_scaling").map();
    models::StepScalingConfig& c = a->step_scaling;
    if (const Node v = t.get("metric"); v.present()) c.metric = parse_policy_metric(v);
    if (const Node v = t.get("period"); v.present())
      c.period = v.duration_in(sim::seconds(1), sim::hours(1));
    if (const Node v = t.get("cooldown"); v.present())
      c.cooldown = v.duration_in(SimTime::zero(), sim::hours(24));
    if (const Node v = t.get("adjustment"); v.present())
      c.percent = v.choice({"pods", "percent"}) == "percent";
    if (const Node v = t.get("scale_out"); v.present()) c.scale_out = parse_alarm(v, true);
    if (const Node v = t.get("scale_in"); v.present()) c.scale_in = parse_alarm(v, false);
    if (!c.scale_out.enabled && !c.scale_in.enabled)
      m.get("step_scaling").fail("needs scale_out, scale_in or both");
    std::tie(c.min_replicas, c.max_replicas) = parse_min_max(t, 1);
    t.finish();
  } else if (given[0] == "knative") {
    MapReader t = m.get("knative").map();
    models::KnativeConfig& c = a->knative;
    if (const Node v = t.get("target_concurrency"); v.present())
      c.target_concurrency = v.number_in(0.01, 1e6);
    if (const Node v = t.get("target_utilization"); v.present())
      c.target_utilization = v.number_in(0.01, 1);
    if (const Node v = t.get("stable_window"); v.present())
      c.stable_window = v.duration_in(sim::seconds(6), sim::hours(1));
    if (const Node v = t.get("panic_window_percentage"); v.present())
      c.panic_window_percentage = v.number_in(1, 100);
    if (const Node v = t.get("panic_threshold"); v.present())
      c.panic_threshold = v.number_in(1, 1000);
    if (const Node v = t.get("tick"); v.present())
      c.tick = v.duration_in(sim::milliseconds(100), sim::minutes(1));
    if (const Node v = t.get("max_scale_up_rate"); v.present())
      c.max_scale_up_rate = v.number_in(1.0001, 1e6);
    if (const Node v = t.get("max_scale_down_rate"); v.present())
      c.max_scale_down_rate = v.number_in(1.0001, 1e6);
    std::tie(c.min_replicas, c.max_replicas) = parse_min_max(t, 1);
    t.finish();
  } else if (given[0] == "scheduled") {
    a->schedule = parse_schedule(m.get("scheduled"));
  } else {
    MapReader t = m.get("predictive").map();
    models::PredictiveConfig& c = a->predictive;
    if (const Node v = t.get("model"); v.present()) c.model = v.choice({"linear", "holt"});
    if (const Node v = t.get("history"); v.present())
      c.history = v.duration_in(sim::minutes(1), sim::hours(24));
    if (const Node v = t.get("period"); v.present())
      c.period = v.duration_in(sim::seconds(1), sim::hours(1));
    if (const Node v = t.get("target_utilization"); v.present())
      c.target_utilization = v.number_in(0.01, 1);
    if (const Node v = t.get("lead"); v.present())
      c.lead = v.duration_in(SimTime::zero(), sim::hours(24));
    if (const Node v = t.get("alpha"); v.present()) c.alpha = v.number_in(0.001, 1);
    if (const Node v = t.get("beta"); v.present()) c.beta = v.number_in(0, 1);
    if (const Node v = t.get("scale_down_stabilization"); v.present())
      c.scale_down_stabilization = v.duration_in(SimTime::zero(), sim::hours(24));
    std::tie(c.min_replicas, c.max_replicas) = parse_min_max(t, 1);
    t.finish();
  }
  if (const Node sch = m.get("schedule"); sch.present()) {
    if (a->kind != "hpa")
      m.fail_key("schedule",
                 "schedule: sets an HPA's minReplicas over time; it needs hpa: or hpa_file:");
    a->schedule = parse_schedule(sch);
  }
  if (const Node c = m.get("controller"); c.present()) {
    if (a->kind != "hpa")
      m.fail_key("controller", "controller: tunes the HPA controller; it needs hpa: or hpa_file:");
    MapReader cm = c.map();
    models::hpa::ControllerConfig& cfg = a->controller;
    if (const Node v = cm.get("sync_period"); v.present())
      cfg.sync_period = v.duration_in(sim::seconds(1), sim::hours(1));
    if (const Node v = cm.get("tolerance"); v.present()) cfg.tolerance = v.number_in(0, 1);
    if (const Node v = cm.get("downscale_stabilization"); v.present())
      cfg.downscale_stabilization = v.duration_in(SimTime::zero(), sim::hours(24));
    if (const Node v = cm.get("cpu_initialization_period"); v.present())
      cfg.cpu_initialization_period = v.duration_in(SimTime::zero(), sim::hours(24));
    if (const Node v = cm.get("initial_readiness_delay"); v.present())
      cfg.initial_readiness_delay = v.duration_in(SimTime::zero(), sim::hours(24));
    cm.finish();
  }
  if (const Node mp = m.get("metrics"); mp.present()) {
    MapReader pm = mp.map();
    if (const Node v = pm.get("resolution"); v.present())
      a->metrics.resolution = v.duration_in(sim::seconds(1), sim::hours(1));
    if (const Node v = pm.get("custom_interval"); v.present())
      a->metrics.custom_interval = v.duration_in(sim::seconds(1), sim::hours(1));
    if (const Node v = pm.get("custom_window"); v.present())
      a->metrics.custom_window = v.duration_in(sim::seconds(1), sim::hours(24));
    pm.finish();
  }
  (void)replicas;
  m.finish();
}

void parse_sites(const Node& n, Scenario* s) {
  MapReader m = n.map();
  const std::vector<std::string> names = m.keys();
  if (names.empty()) n.fail("needs at least one site");
  if (names.size() > 1000) n.fail("more than 1000 sites");
  for (const std::string& name : names) {
    const Node sn = m.get(name);
    if (!valid_name(name)) {
      m.fail_key(
          name, "site names start with a letter and use letters, digits, '-' and '_' (at most 64)");
    }
    if (name == "all") m.fail_key(name, "'all' is reserved for the overall series");
    SiteSpec spec;
    models::SiteConfig& site = spec.site;
    site.name = name;
    MapReader sm = sn.map();
    site.public_cloud = sm.required("cloud").choice({"private", "public"}) == "public";
    if (const Node r = sm.get("rtt"); r.present()) {
      site.rtt = r.duration_in(SimTime::zero(), sim::seconds(10));
      spec.rtt_given = true;
    }
    if (const Node c = sm.get("cost"); c.present()) {
      MapReader cm = c.map();
      auto rate = [&](const char* key) {
        const Node v = cm.get(key);
        return v.present() ? v.number_in(0, 1e9) : 0.0;
      };
      spec.cost.pod_per_hour = rate("pod_per_hour");
      spec.cost.node_per_hour = rate("node_per_hour");
      spec.cost.fixed_per_hour = rate("fixed_per_hour");
      cm.finish();
      spec.has_cost = true;
    }
    site.deployment.replicas = static_cast<int>(sm.required("replicas").integer_in(0, 100'000));
    parse_deployment(sm.required("deployment"), &site.deployment, &site.balancing);
    if (const Node nodes = sm.get("nodes"); nodes.present()) parse_nodes(nodes, &spec);
    if (const Node a = sm.get("autoscaler"); a.present())
      parse_autoscaler(a, spec, &spec.autoscaler);
    sm.finish();
    s->sites.push_back(std::move(spec));
  }
  m.finish();
}

void parse_rollout(const Node& ro, const Scenario& s, ScenarioEvent* ev) {
  MapReader rm = ro.map();
  ev->kind = ScenarioEvent::Kind::kRollout;
  ev->site = site_ref(rm.required("site"), s);
  ev->image = parse_image(rm.required("image"));
  ev->strategy = s.sites[static_cast<std::size_t>(ev->site)].site.deployment.rollout;
  if (const Node v = rm.get("maxSurge"); v.present()) {
    const auto [x, pct] = v.int_or_percent(1000);
    ev->strategy.max_surge = {x, pct};
  }
  if (const Node v = rm.get("maxUnavailable"); v.present()) {
    const auto [x, pct] = v.int_or_percent(100);
    ev->strategy.max_unavailable = {x, pct};
  }
  if (ev->strategy.max_surge.value == 0 && ev->strategy.max_unavailable.value == 0) {
    ro.fail("maxSurge and maxUnavailable cannot both be 0");
  }
  rm.finish();
}

void parse_gslb_action(const Node& g, const Scenario& s, ScenarioEvent* ev) {
  MapReader gm = g.map();
  std::vector<std::string> given;
  for (const char* k : {"weights", "ttl", "drain", "undrain"}) {
    if (gm.has(k)) given.push_back(k);
  }
  if (given.size() != 1) g.fail("give one operator action: weights, ttl, drain or undrain");
  const std::string& what = given[0];
  if (what != "weights" && !s.gslb.dns)
    gm.fail_key(what,
                what + " needs a DNS-based GSLB: add gslb.dns (and health_check) to the scenario");
  if (what == "weights") {
    if (s.gslb.policy != "weighted") gm.fail_key(what, "weights are for policy: weighted");
    ev->kind = ScenarioEvent::Kind::kWeights;
    ev->weights = parse_weights(gm.get("weights"), s);
  } else if (what == "ttl") {
    ev->kind = ScenarioEvent::Kind::kTtl;
    ev->ttl = gm.get("ttl").duration_in(SimTime::zero(), sim::hours(24 * 7));
  } else {
    ev->kind = what == "drain" ? ScenarioEvent::Kind::kDrain : ScenarioEvent::Kind::kUndrain;
    ev->site = site_ref(gm.get(what), s);
  }
  gm.finish();
}

models::FaultSpec parse_fault_spec(MapReader& m, const Scenario& s);

void parse_events(const Node& n, Scenario* s) {
  for (const Node& e : n.list()) {
    MapReader m = e.map();
    const SimTime at = m.required("at").duration_in(SimTime::zero(), kMaxDuration);
    std::vector<std::string> given;
    for (const char* k : {"rollout", "gslb", "outage", "scale"}) {
      if (m.has(k)) given.push_back(k);
    }
    if (given.size() != 1) {
      e.fail(given.empty() ? "an event needs one action: rollout, gslb, outage or scale"
                           : "one action per event, not both " + given[0] + " and " + given[1]);
    }
    ScenarioEvent ev;
    ev.at = at;
    if (given[0] == "outage") {
      MapReader om = m.get("outage").map();
      models::ScheduledFault f;
      f.at = at;
      f.spec = parse_fault_spec(om, *s);
      if (const Node d = om.get("duration"); d.present())
        f.duration = d.duration_in(sim::milliseconds(1), kMaxDuration);
      om.finish();
      s->faults.push_back(f);
      m.finish();
      continue;
    }
    if (given[0] == "rollout") {
      parse_rollout(m.get("rollout"), *s, &ev);
    } else if (given[0] == "gslb") {
      parse_gslb_action(m.get("gslb"), *s, &ev);
    } else {
      MapReader sm = m.get("scale").map();
      ev.kind = ScenarioEvent::Kind::kScale;
      ev.site = site_ref(sm.required("site"), *s);
      ev.replicas = static_cast<int32_t>(sm.required("replicas").integer_in(0, 100000));
      sm.finish();
    }
    m.finish();
    s->events.push_back(ev);
  }
}

void parse_topology(const Node& n, Scenario* s) {
  if (!n.present()) return;
  MapReader m = n.map();
  models::TopologyConfig& t = s->topology;
  const Node rn = m.required("regions");
  MapReader rm = rn.map();
  for (const std::string& name : rm.keys()) {
    if (!valid_name(name))
      rm.fail_key(name, "region names start with a letter and use letters, digits, '-' and '_'");
    MapReader one = rm.get(name).map();
    models::TopologyConfig::Region r;
    r.name = name;
    if (const Node sh = one.get("share"); sh.present()) r.share = sh.number_in(1e-9, 1e9);
    one.finish();
    t.regions.push_back(r);
  }
  rm.finish();
  if (t.regions.empty()) rn.fail("needs at least one region");
  if (t.regions.size() > 1000) rn.fail("more than 1000 regions");
  if (const Node h = m.get("hubs"); h.present()) {
    for (const Node& hn : h.list()) {
      const std::string name = hn.text();
      if (!valid_name(name))
        hn.fail("hub names start with a letter and use letters, digits, '-' and '_'");
      t.hubs.push_back(name);
    }
  }
  const Node ln = m.required("links");
  const std::vector<Node> links = ln.list();
  for (const Node& l : links) {
    MapReader lm = l.map();
    models::TopologyConfig::Link link;
    link.from = lm.required("from").text();
    link.to = lm.required("to").text();
    link.latency = lm.required("latency").duration_in(SimTime::zero(), sim::seconds(10));
    lm.finish();
    t.links.push_back(link);
  }
  m.finish();
  std::vector<std::string> names;
  for (const auto& sc : s->sites) names.push_back(sc.site.name);
  // Locate a problem at the link that names a bad node when there is one.
  for (std::size_t i = 0; i < t.links.size(); ++i) {
    models::TopologyConfig one = t;
    one.links = {t.links[i]};
    const std::string err = models::check_topology(one, names);
    if (err.find("no path") == std::string::npos && !err.empty()) links[i].fail(err);
  }
  if (const std::string err = models::check_topology(t, names); !err.empty()) n.fail(err);
  for (const SiteSpec& sp : s->sites) {
    if (sp.rtt_given)
      n.fail("with a topology, round trips come from its links: remove sites." + sp.site.name +
             ".rtt");
  }
}

models::StaleClientMix parse_stale_clients(const Node& n) {
  if (!n.is_map()) {
    const std::string v = n.choice({"default", "none"});
    return v == "none" ? models::StaleClientMix::none() : models::StaleClientMix{};
  }
  MapReader m = n.map();
  models::StaleClientMix mix;
  mix.honor = m.required("honor").number_in(0, 1);
  mix.floor = m.required("floor").number_in(0, 1);
  mix.violators = m.required("violators").number_in(0, 1);
  if (std::abs(mix.honor + mix.floor + mix.violators - 1.0) > 1e-6)
    n.fail("honor + floor + violators must add up to 1");
  if (const Node v = m.get("floor_time"); v.present())
    mix.floor_time = v.duration_in(SimTime::zero(), sim::hours(24));
  if (const Node v = m.get("violator_hold"); v.present())
    mix.violator_hold = parse_duration_distribution(v, sim::hours(24 * 30));
  m.finish();
  return mix;
}

void parse_gslb(const Node& n, Scenario* s) {
  GslbSpec& g = s->gslb;
  g.weights.assign(s->sites.size(), 1.0);
  if (!n.present()) return;
  MapReader m = n.map();
  if (const Node p = m.get("policy"); p.present())
    g.policy = p.choice({"weighted", "failover", "latency", "least-loaded"});
  models::DnsGslbConfig& d = g.dns_cfg;
  d.policy = g.policy == "weighted"   ? models::GslbPolicy::kWeighted
             : g.policy == "failover" ? models::GslbPolicy::kFailover
             : g.policy == "latency"  ? models::GslbPolicy::kLatency
                                      : models::GslbPolicy::kLeastLoaded;
  if (const Node wn = m.get("weights"); wn.present()) {
    if (g.policy != "weighted") m.fail_key("weights", "weights: are for policy: weighted");
    g.weights = parse_weights(wn, *s);
  }
  if (const Node o = m.get("order"); o.present()) {
    if (g.policy != "failover") m.fail_key("order", "order: is for policy: failover");
    for (const Node& sn : o.list()) {
      const int idx = site_ref(sn, *s);
      if (std::find(d.failover_order.begin(), d.failover_order.end(), idx) !=
          d.failover_order.end())
        sn.fail("site listed twice");
      d.failover_order.push_back(idx);
    }
    if (d.failover_order.empty()) o.fail("needs at least one site");
  } else {
    for (std::size_t i = 0; i < s->sites.size(); ++i)
      d.failover_order.push_back(static_cast<int>(i));
  }
  if (const Node v = m.get("fail_open"); v.present()) d.fail_open = v.boolean();
  const Node dn = m.get("dns");
  if (dn.present()) {
    MapReader dm = dn.map();
    if (const Node v = dm.get("ttl"); v.present())
      d.ttl = v.duration_in(SimTime::zero(), sim::hours(24 * 7));
    if (const Node v = dm.get("resolvers_per_region"); v.present())
      d.resolvers_per_region = static_cast<int>(v.integer_in(1, 1'000'000));
    if (const Node v = dm.get("stale_clients"); v.present()) d.stale = parse_stale_clients(v);
    dm.finish();
  }
  const Node hn = m.get("health_check");
  if (hn.present()) {
    MapReader hm = hn.map();
    models::HealthCheckConfig& h = d.health;
    if (const Node v = hm.get("interval"); v.present())
      h.interval = v.duration_in(sim::milliseconds(100), sim::hours(1));
    if (const Node v = hm.get("timeout"); v.present())
      h.timeout = v.duration_in(SimTime::zero(), sim::minutes(10));
    if (const Node v = hm.get("failure_threshold"); v.present())
      h.failure_threshold = static_cast<int>(v.integer_in(1, 100));
    if (const Node v = hm.get("success_threshold"); v.present())
      h.success_threshold = static_cast<int>(v.integer_in(1, 100));
    hm.finish();
  }
  if (const Node v = m.get("load_report_interval"); v.present()) {
    if (g.policy != "least-loaded")
      m.fail_key("load_report_interval", "load_report_interval: is for policy: least-loaded");
    d.load_report_interval = v.duration_in(sim::milliseconds(100), sim::hours(1));
  }
  m.finish();
  g.dns = dn.present() || hn.present() || g.policy != "weighted";
  d.weights = g.weights;
}

void parse_replication(const Node& n, Scenario* s) {
  if (!n.present()) return;
  std::vector<Node> items;
  if (n.is_list()) {
    items = n.list();
  } else {
    items.push_back(n);
  }
  for (const Node& item : items) {
    MapReader m = item.map();
    models::ReplicationLink l;
    l.from = site_ref(m.required("from"), *s);
    const Node to = m.required("to");
    l.to = site_ref(to, *s);
    if (l.to == l.from) to.fail("a site does not replicate to itself");
    for (const auto& other : s->replication) {
      if (other.from == l.from) m.get("from").fail("this site already has a replication link");
    }
    const std::string mode =
        m.get("mode").present() ? m.get("mode").choice({"async", "sync"}) : "async";
    l.sync = mode == "sync";
    if (l.sync) {
      if (m.has("lag"))
        m.fail_key("lag", "lag: is for mode: async (sync replication has write_latency)");
      l.write_latency = m.required("write_latency").duration_in(SimTime::zero(), sim::seconds(60));
    } else {
      if (m.has("write_latency"))
        m.fail_key("write_latency", "write_latency: is for mode: sync (async replication has lag)");
      l.lag = parse_duration_distribution(m.required("lag"), sim::hours(24));
    }
    m.finish();
    s->replication.push_back(l);
  }
}

void parse_slo(const Node& n, Scenario* s) {
  if (!n.present()) return;
  MapReader m = n.map();
  if (const Node v = m.get("success_ratio"); v.present()) s->slo.success_ratio = v.number_in(0, 1);
  if (const Node v = m.get("rt_p95"); v.present())
    s->slo.rt_p95 = v.duration_in(sim::microseconds(1), sim::hours(1));
  if (const Node v = m.get("window"); v.present())
    s->slo.window = v.duration_in(sim::seconds(1), sim::hours(24));
  m.finish();
}

void set_min_replicas(AutoscalerSpec* a, int32_t n) {
  if (a->kind == "hpa") a->hpa.min_replicas = n;
  if (a->kind == "target_tracking") a->target_tracking.min_replicas = n;
  if (a->kind == "step_scaling") a->step_scaling.min_replicas = n;
  if (a->kind == "knative") a->knative.min_replicas = n;
  if (a->kind == "predictive") a->predictive.min_replicas = n;
}

void parse_dr(const Node& n, const Node& gslb_node, Scenario* s) {
  if (!n.present()) return;
  MapReader m = n.map();
  DrSpec& dr = s->dr;
  dr.preset = m.required("preset").choice({"active-active", "warm-standby", "pilot-light"});
  if (s->sites.size() < 2) n.fail("a DR preset needs two sites");
  dr.primary = site_ref(m.required("primary"), *s);
  const Node st = m.required("standby");
  dr.standby = site_ref(st, *s);
  if (dr.standby == dr.primary) st.fail("the standby must differ from the primary");
  GslbSpec& g = s->gslb;
  const bool policy_given = gslb_node.present() && gslb_node.map().has("policy");
  const Node sr = m.get("standby_replicas");
  const Node ar = m.get("activate_replicas");
  SiteSpec& standby = s->sites[static_cast<std::size_t>(dr.standby)];
  if (dr.preset == "active-active") {
    if (g.policy != "weighted")
      n.fail("active-active needs gslb policy: weighted (both sites serve)");
    if (sr.present()) m.fail_key("standby_replicas", "is for warm-standby");
    if (ar.present()) m.fail_key("activate_replicas", "is for warm-standby and pilot-light");
  } else {
    if (policy_given && g.policy != "failover")
      n.fail(dr.preset + " needs gslb policy: failover (the standby serves only after a failover)");
    g.policy = "failover";
    g.dns_cfg.policy = models::GslbPolicy::kFailover;
    g.dns_cfg.failover_order = {dr.primary, dr.standby};
    for (std::size_t i = 0; i < s->sites.size(); ++i) {
      if (static_cast<int>(i) != dr.primary && static_cast<int>(i) != dr.standby)
        g.dns_cfg.failover_order.push_back(static_cast<int>(i));
    }
    if (dr.preset == "warm-standby") {
      const int32_t n_standby = sr.present() ? static_cast<int32_t>(sr.integer_in(1, 100000)) : 1;
      standby.site.deployment.replicas = n_standby;
      set_min_replicas(&standby.autoscaler, n_standby);
      // The runbook scales the standby to production size; activate_replicas: 0 leaves it to the
      // standby's autoscaler.
      dr.activate_replicas =
          ar.present() ? static_cast<int32_t>(ar.integer_in(0, 100000))
                       : s->sites[static_cast<std::size_t>(dr.primary)].site.deployment.replicas;
      if (dr.activate_replicas == 0 && standby.autoscaler.kind.empty())
        ar.fail("with activate_replicas: 0 the standby needs an autoscaler to grow");
    } else {
      if (sr.present())
        m.fail_key("standby_replicas", "is for warm-standby (a pilot light runs no pods)");
      standby.site.deployment.replicas = 0;
      // The HPA stays idle while its target has 0 replicas (Kubernetes semantics); other policies
      // would scale up at once, so they get a minimum of 0.
      if (standby.autoscaler.kind != "hpa") set_min_replicas(&standby.autoscaler, 0);
      dr.activate_replicas =
          ar.present()
              ? static_cast<int32_t>(ar.integer_in(1, 100000))
              : std::max(1,
                         s->sites[static_cast<std::size_t>(dr.primary)].site.deployment.replicas);
    }
  }
  m.finish();
  g.dns = true;  // DR needs health checks
}

models::FaultSpec parse_fault_spec(MapReader& m, const Scenario& s) {
  models::FaultSpec f;
  f.site = site_ref(m.required("site"), s);
  const std::string kind = m.get("kind").present()
                               ? m.get("kind").choice({"full", "partial", "partition", "brownout"})
                               : "full";
  f.kind = kind == "full"        ? models::FaultKind::kFull
           : kind == "partial"   ? models::FaultKind::kPartial
           : kind == "partition" ? models::FaultKind::kPartition
                                 : models::FaultKind::kBrownout;
  auto only_for = [&](const char* key, models::FaultKind k) {
    if (m.has(key) && f.kind != k)
      m.fail_key(key, std::string(key) + ": is for kind: " + models::fault_kind_name(k));
  };
  only_for("fraction", models::FaultKind::kPartial);
  only_for("from", models::FaultKind::kPartition);
  only_for("factor", models::FaultKind::kBrownout);
  if (f.kind == models::FaultKind::kPartial) {
    if (const Node v = m.get("fraction"); v.present()) f.fraction = v.number_in(1e-9, 1);
    if (s.sites[static_cast<std::size_t>(f.site)].site.nodes == 0)
      m.get("site").fail("a partial outage loses nodes: the site needs nodes: {count: ...}");
  }
  if (f.kind == models::FaultKind::kPartition) {
    const std::string from =
        m.get("from").present() ? m.get("from").choice({"gslb", "clients", "both"}) : "both";
    f.from_gslb = from != "clients";
    f.from_clients = from != "gslb";
  }
  if (f.kind == models::FaultKind::kBrownout) f.factor = m.required("factor").number_in(0.001, 1);
  if (const Node v = m.get("cold"); v.present()) f.cold = v.boolean();
  return f;
}

void parse_faults(const Node& n, Scenario* s) {
  for (const Node& item : n.list()) {
    MapReader m = item.map();
    models::RandomFault r;
    r.spec = parse_fault_spec(m, *s);
    r.mtbf = m.required("mtbf").duration_in(sim::seconds(1), kMaxDuration);
    r.mttr = m.required("mttr").duration_in(sim::seconds(1), kMaxDuration);
    m.finish();
    s->random_faults.push_back(r);
  }
}

Expectations parse_expect_values(MapReader& m) {
  Expectations e;
  if (const Node v = m.get("apdex_min"); v.present()) e.apdex_min = v.number_in(0, 1);
  if (const Node v = m.get("error_rate_max"); v.present()) e.error_rate_max = v.number_in(0, 1);
  if (const Node v = m.get("rt_p95_max_s"); v.present()) e.rt_p95_max_s = v.number_in(1e-9, 1e9);
  if (const Node v = m.get("rt_p99_max_s"); v.present()) e.rt_p99_max_s = v.number_in(1e-9, 1e9);
  if (const Node v = m.get("cost_max"); v.present()) e.cost_max = v.number_in(0, 1e15);
  return e;
}

void parse_expect(const Node& n, Scenario* s) {
  MapReader m = n.map();
  s->expect = parse_expect_values(m);
  if (const Node v = m.get("rto_max_s"); v.present()) s->expect.rto_max_s = v.number_in(0, 1e9);
  if (const Node v = m.get("rpo_max_s"); v.present()) s->expect.rpo_max_s = v.number_in(0, 1e9);
  if (const Node sites = m.get("sites"); sites.present()) {
    MapReader sm = sites.map();
    for (const std::string& name : sm.keys()) {
      const Node one = sm.get(name);
      if (s->site_index(name) < 0) sm.fail_key(name, "no site named '" + name + "'");
      MapReader om = one.map();
      for (const char* k : {"rto_max_s", "rpo_max_s"}) {
        if (om.has(k))
          om.fail_key(k, std::string(k) + " is a run-level gate: put it directly under expect:");
      }
      s->site_expect.push_back({name, parse_expect_values(om)});
      om.finish();
    }
    sm.finish();
  }
  m.finish();
}

void parse_narration(const Node& n, Scenario* s) {
  for (const Node& line : n.list()) {
    MapReader m = line.map();
    const Node at = m.required("at");
    // Lines after the end are allowed (a run shortened with --set duration=... keeps its file).
    const SimTime t = at.duration_in(SimTime::zero(), kMaxDuration);
    if (!s->narration.empty() && t < s->narration.back().at)
      at.fail("narration times must not go back");
    s->narration.push_back({t, m.required("text").text()});
    m.finish();
  }
}

Scenario parse(const Node& root, const Overrides& overrides) {
  if (!root.present()) root.fail("the scenario is empty");
  Scenario s;
  if (!root.is_map())
    root.fail("a scenario is a map of settings (name:, duration:, traffic:, sites: ...)");
  MapReader m = root.map();
  const Node name = m.required("name");
  s.name = name.text();
  const bool name_ok =
      !s.name.empty() && s.name.size() <= 128 && s.name[0] != '.' &&
      std::all_of(s.name.begin(), s.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
  if (!name_ok)
    name.fail("names use 1 to 128 letters, digits, '-', '_' and '.' (they name result files)");
  if (const Node d = m.get("description"); d.present()) s.description = d.text();
  s.duration = m.required("duration").duration_in(sim::milliseconds(1), kMaxDuration);
  if (const Node seed = m.get("seed"); seed.present()) s.seed = seed.unsigned_integer();
  parse_metrics(m.get("metrics"), &s);
  parse_sites(m.required("sites"), &s);
  parse_traffic(m.required("traffic"), &s);
  parse_topology(m.get("topology"), &s);
  parse_gslb(m.get("gslb"), &s);
  parse_dr(m.get("dr"), m.get("gslb"), &s);
  parse_replication(m.get("replication"), &s);
  parse_slo(m.get("slo"), &s);
  parse_expect(m.get("expect"), &s);
  parse_narration(m.get("narration"), &s);
  parse_events(m.get("events"), &s);
  parse_faults(m.get("faults"), &s);
  m.finish();
  if (!s.replication.empty()) {
    const double wf = s.traffic_kind == "open" ? s.open.write_fraction : s.closed.write_fraction;
    if (wf <= 0)
      m.fail_key("replication", "replication needs writes: set traffic.request.write_fraction");
  }
  if (const Overrides::Entry* e = overrides.first_unused()) {
    throw ScenarioError(e->loc, e->path, "does not name a setting of this scenario");
  }
  return s;
}

}  // namespace

int Scenario::site_index(const std::string& site) const {
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (sites[i].site.name == site) return static_cast<int>(i);
  }
  return -1;
}

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ScenarioError({path, 0, 0}, "", "is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({path, 0, 0}, "", "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Scenario load_scenario_text(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides) {
  const Overrides ov(overrides);
  const Node root = load_yaml_text(text, name, &ov);
  Scenario s = parse(root, ov);
  s.source_text = text;
  s.overrides = overrides;
  return s;
}

Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides) {
  Scenario s = load_scenario_text(read_text_file(path), path, overrides);
  s.source_file = path;
  return s;
}

}  // namespace config
