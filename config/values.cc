// config/values.cc: values several sections read: names, site references, weights, durations
// distributions, and rate or count profiles (with CSV traces).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "config/data/traces.h"
#include "config/sections.h"
#include "config/units.h"

namespace config {

using sim::SimTime;

namespace {

double profile_value(const Node& n, ValueKind kind) {
  if (kind == ValueKind::kFactor) return n.number_in(0, 1e6);
  if (kind == ValueKind::kRate) {
    const double r = n.rate();
    if (r > kMaxRate) n.fail("must be at most 1e9/s");
    return r;
  }
  return n.number_in(0, 1e9);
}

models::Profile flash_crowd(MapReader& m, ValueKind kind) {
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
  return models::Profile::flash_crowd(base, peak, start, up, sustain, down);
}

}  // namespace

models::Topology topology_of(const Scenario& s) {
  std::vector<std::string> names;
  std::vector<sim::SimTime> rtt;
  for (const SiteSpec& site : s.sites) {
    names.push_back(site.site.name);
    rtt.push_back(site.site.rtt);
  }
  return models::Topology(s.topology, names, rtt);
}

void warn(const Node& n, const std::string& message, Scenario* s) {
  const Location at = n.where();
  std::string text = at.file;
  if (at.line > 0) text += ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
  s->warnings.push_back(text + ": " + n.path() + ": " + message);
}

bool within_run(const Node& at_node, SimTime at, const std::string& what, Scenario* s) {
  if (at < s->duration) return true;
  const std::string late = what + " at " + sim::format_duration(at) +
                           " is at or after the end of the run (duration " +
                           sim::format_duration(s->duration) + ")";
  if (!s->allow_late) {
    at_node.fail(late +
                 " and would never happen: move it, lengthen duration:, or pass --allow-late "
                 "(allow_late: true) to drop it with a warning");
  }
  warn(at_node, late + ": dropped (allow_late)", s);
  return false;
}

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
    if (weights[static_cast<std::size_t>(idx)] > 0 &&
        s.sites[static_cast<std::size_t>(idx)].staging)
      w.fail("'" + site +
             "' is a staging site (role: staging): it serves no users, so the GSLB "
             "gives it no weight");
    sum += weights[static_cast<std::size_t>(idx)];
  }
  if (sum <= 0) wn.fail("at least one weight must be positive");
  wm.finish();
  return weights;
}

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

models::Profile parse_profile(const Node& n, ValueKind kind, Scenario* s) {
  if (!n.present()) n.fail("required");
  if (!n.is_map() && !n.is_list()) return models::Profile::constant(profile_value(n, kind));
  MapReader m = n.map();
  const std::string shape = m.required("profile").choice(
      {"constant", "steps", "ramp", "flash_crowd", "diurnal", "trace", "sum", "product"});
  models::Profile p = models::Profile::constant(0);
  if (shape == "constant") {
    p = models::Profile::constant(profile_value(m.required("value"), kind));
  } else if (shape == "steps") {
    std::vector<std::pair<SimTime, double>> steps;
    const Node list = m.required("steps");
    for (const Node& step : list.list()) {
      MapReader sm = step.map();
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
    p = flash_crowd(m, kind);
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
  } else if (shape == "trace") {
    const std::string interp =
        m.get("interpolate").present() ? m.get("interpolate").choice({"step", "linear"}) : "step";
    const double scale = m.get("scale").present() ? m.get("scale").number_in(0, 1e6) : 1.0;
    TracePoints pts = read_trace(m, kind == ValueKind::kRate ? kMaxRate : 1e9);
    for (auto& pt : pts) pt.second *= scale;
    if (s != nullptr && pts.back().first < s->duration) {
      warn(m.get("file"),
           "the trace ends at " + sim::format_duration(pts.back().first) +
               " (its last sample), before the run does (" + sim::format_duration(s->duration) +
               "): its last value holds for the rest of the run",
           s);
    }
    p = interp == "linear" ? models::Profile::piecewise_linear(pts)
                           : models::Profile::piecewise_constant(pts);
  } else {  // sum or product
    // A sum adds profiles of the same kind; a product is the first profile times factors
    // (plain numbers: {profile: flash_crowd, base: 1, peak: 3, ...} triples the rate at peak).
    const Node of = m.required("of");
    std::vector<models::Profile> operands;
    for (const Node& o : of.list()) {
      const bool factor = shape == "product" && !operands.empty();
      operands.push_back(parse_profile(o, factor ? ValueKind::kFactor : kind, s));
    }
    if (operands.size() < 2) of.fail("needs at least two profiles");
    p = models::Profile::combine(
        shape == "sum" ? models::Profile::Op::kSum : models::Profile::Op::kProduct,
        std::move(operands));
  }
  m.finish();
  return p;
}

}  // namespace config
