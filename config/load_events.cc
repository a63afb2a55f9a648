// config/load_events.cc: events: (rollouts, GSLB operator actions, outages, manual scaling),
// expect: gates and narration:.
#include "config/sections.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace config {

using sim::SimTime;

namespace {

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

// promote: {from: staging, to: production, maxSurge, maxUnavailable, analysis: {...}}.
void parse_promote(const Node& pn, const Scenario& s, ScenarioEvent* ev) {
  MapReader pm = pn.map();
  ev->kind = ScenarioEvent::Kind::kPromote;
  ev->from = site_ref(pm.required("from"), s);
  ev->site = site_ref(pm.required("to"), s);
  if (ev->site == ev->from)
    pm.fail_key("to", "promote to another site than the one it is tested on");
  if (s.sites[static_cast<std::size_t>(ev->site)].staging)
    pm.fail_key("to", "a promotion goes to a production site, not a staging one (role: staging)");
  ev->strategy = s.sites[static_cast<std::size_t>(ev->site)].site.deployment.rollout;
  if (const Node v = pm.get("maxSurge"); v.present()) {
    const auto [x, pct] = v.int_or_percent(1000);
    ev->strategy.max_surge = {x, pct};
  }
  if (const Node v = pm.get("maxUnavailable"); v.present()) {
    const auto [x, pct] = v.int_or_percent(100);
    ev->strategy.max_unavailable = {x, pct};
  }
  if (ev->strategy.max_surge.value == 0 && ev->strategy.max_unavailable.value == 0)
    pn.fail("maxSurge and maxUnavailable cannot both be 0");
  if (const Node an = pm.get("analysis"); an.present()) {
    MapReader am = an.map();
    models::PromotionAnalysis& a = ev->analysis;
    if (const Node v = am.get("interval"); v.present())
      a.interval = v.duration_in(sim::milliseconds(1), sim::hours(24));
    if (const Node v = am.get("iterations"); v.present())
      a.iterations = static_cast<int>(v.integer_in(1, 10000));
    if (const Node v = am.get("threshold"); v.present())
      a.threshold = static_cast<int>(v.integer_in(1, 10000));
    if (const Node v = am.get("error_rate_max"); v.present()) a.error_rate_max = v.number_in(0, 1);
    if (const Node v = am.get("rt_p99_max"); v.present())
      a.rt_p99_max =
          v.text() == "none" ? SimTime::max() : v.duration_in(sim::milliseconds(1), sim::hours(1));
    if (const Node v = am.get("apdex_min"); v.present()) a.apdex_min = v.number_in(0, 1);
    am.finish();
  }
  if (ev->analysis.interval < s.metrics.bucket)
    pn.fail("the analysis interval (" + sim::format_duration(ev->analysis.interval) +
            ") is shorter than a metrics bucket (" + sim::format_duration(s.metrics.bucket) +
            "): checks are made at bucket ends");
  pm.finish();
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
    if (s.gslb.policy != models::GslbPolicy::kWeighted)
      gm.fail_key(what, "weights are for policy: weighted");
    ev->kind = ScenarioEvent::Kind::kWeights;
    ev->weights = parse_weights(gm.get("weights"), s);
  } else if (what == "ttl") {
    ev->kind = ScenarioEvent::Kind::kTtl;
    ev->ttl = gm.get("ttl").duration_in(SimTime::zero(), sim::hours(24 * 7));
  } else {
    ev->kind = what == "drain" ? ScenarioEvent::Kind::kDrain : ScenarioEvent::Kind::kUndrain;
    ev->site = site_ref(gm.get(what), s);
    if (s.sites[static_cast<std::size_t>(ev->site)].staging)
      gm.get(what).fail("a staging site (role: staging) is not in the GSLB's record");
  }
  gm.finish();
}

Expectations parse_expect_values(MapReader& m) {
  // The gates of the whole run and of each site; rto_max_s, rpo_max_s and write_rto_max_s are
  // run-level only.
  static const Fields<Expectations> kGates{
      optional_number("apdex_min", &Expectations::apdex_min, 0, 1),
      optional_number("error_rate_max", &Expectations::error_rate_max, 0, 1),
      optional_number("rt_p95_max_s", &Expectations::rt_p95_max_s, 1e-9, 1e9),
      optional_number("rt_p99_max_s", &Expectations::rt_p99_max_s, 1e-9, 1e9),
      optional_number("cost_max", &Expectations::cost_max, 0, 1e15),
  };
  Expectations e;
  kGates.read(m, &e);
  return e;
}

// optional: [gate, ...]: each must be a gate set in the same map.
void parse_optional(MapReader& m, Expectations* e) {
  const Node n = m.get("optional");
  for (const Node& k : n.list()) {
    const std::string key = k.text();
    const bool set =
        (key == "apdex_min" && e->apdex_min) || (key == "error_rate_max" && e->error_rate_max) ||
        (key == "rt_p95_max_s" && e->rt_p95_max_s) || (key == "rt_p99_max_s" && e->rt_p99_max_s) ||
        (key == "cost_max" && e->cost_max) || (key == "rto_max_s" && e->rto_max_s) ||
        (key == "rpo_max_s" && e->rpo_max_s) || (key == "write_rto_max_s" && e->write_rto_max_s) ||
        std::any_of(Expectations::percentile_gates().begin(),
                    Expectations::percentile_gates().end(),
                    [&](const Expectations::PercentileGate& g) {
                      return key == g.key && (e->*g.limit).has_value();
                    });
    if (!set) k.fail("'" + key + "' is not a gate set beside optional:");
    e->optional.push_back(key);
  }
}

// at: a time, or (outages only) {random: [from, to]}: a start drawn uniformly in the window for
// each run. Sets *latest to the window's end (to `at` for a fixed time).
SimTime parse_at(const Node& at_node, bool outage, SimTime* latest) {
  if (!at_node.is_map()) {
    *latest = at_node.duration_in(SimTime::zero(), kMaxDuration);
    return *latest;
  }
  MapReader am = at_node.map();
  const Node window = am.required("random");
  if (!outage) window.fail("a random time is for outages; other events happen at a fixed time");
  const std::vector<Node> ends = window.list();
  if (ends.size() != 2) window.fail("give the window as [from, to], e.g. random: [10m, 40m]");
  const SimTime from = ends[0].duration_in(SimTime::zero(), kMaxDuration);
  *latest = ends[1].duration_in(SimTime::zero(), kMaxDuration);
  if (*latest <= from) ends[1].fail("the window's end must be after its start");
  am.finish();
  return from;
}

}  // namespace

void parse_events(const Node& n, Scenario* s) {
  for (const Node& e : n.list()) {
    MapReader m = e.map();
    const Node at_node = m.required("at");
    SimTime latest;
    const SimTime at = parse_at(at_node, m.has("outage"), &latest);
    std::vector<std::string> given;
    for (const char* k : {"rollout", "promote", "gslb", "outage", "scale"}) {
      if (m.has(k)) given.push_back(k);
    }
    if (given.size() != 1) {
      e.fail(given.empty() ? "an event needs one action: rollout, promote, gslb, outage or scale"
                           : "one action per event, not both " + given[0] + " and " + given[1]);
    }
    ScenarioEvent ev;
    ev.at = at;
    if (given[0] == "outage") {
      MapReader om = m.get("outage").map();
      models::ScheduledFault f;
      f.at = at;
      f.latest = latest;
      f.spec = parse_fault_spec(om, *s);
      if (const Node d = om.get("duration"); d.present())
        f.duration = d.duration_in(sim::milliseconds(1), kMaxDuration);
      om.finish();
      m.finish();
      // A window must lie within the run: its end is when the outage may start at the latest.
      if (within_run(at_node, latest, latest > at ? "the outage's window" : "the outage", s)) {
        if (!f.duration.is_max() && latest + f.duration > s->duration) {
          warn(at_node,
               "the outage ends at " + sim::format_duration(latest + f.duration) +
                   (latest > at ? " at the latest" : "") + ", after the end of the run (" +
                   sim::format_duration(s->duration) +
                   "): its incident cannot recover within the run (no RTO)",
               s);
        }
        s->faults.push_back(f);
      }
      continue;
    }
    if (given[0] == "rollout") {
      parse_rollout(m.get("rollout"), *s, &ev);
    } else if (given[0] == "promote") {
      parse_promote(m.get("promote"), *s, &ev);
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
    const std::string what = given[0] == "rollout"   ? "the rollout"
                             : given[0] == "promote" ? "the promotion"
                             : given[0] == "gslb"    ? "the GSLB action"
                                                     : "the scale event";
    if (within_run(at_node, at, what, s)) s->events.push_back(ev);
  }
}

void parse_expect(const Node& n, Scenario* s) {
  MapReader m = n.map();
  s->expect = parse_expect_values(m);
  if (const Node v = m.get("rto_max_s"); v.present()) s->expect.rto_max_s = v.number_in(0, 1e9);
  if (const Node v = m.get("rpo_max_s"); v.present()) s->expect.rpo_max_s = v.number_in(0, 1e9);
  if (const Node v = m.get("write_rto_max_s"); v.present())
    s->expect.write_rto_max_s = v.number_in(0, 1e9);
  for (const Expectations::PercentileGate& g : Expectations::percentile_gates()) {
    if (const Node v = m.get(g.key); v.present()) s->expect.*g.limit = v.number_in(0, 1e9);
  }
  parse_optional(m, &s->expect);
  if (const Node sites = m.get("sites"); sites.present()) {
    MapReader sm = sites.map();
    for (const std::string& name : sm.keys()) {
      const Node one = sm.get(name);
      if (s->site_index(name) < 0) sm.fail_key(name, "no site named '" + name + "'");
      MapReader om = one.map();
      std::vector<const char*> run_level{"rto_max_s", "rpo_max_s", "write_rto_max_s"};
      for (const Expectations::PercentileGate& g : Expectations::percentile_gates())
        run_level.push_back(g.key);
      for (const char* k : run_level) {
        if (om.has(k))
          om.fail_key(k, std::string(k) + " is a run-level gate: put it directly under expect:");
      }
      s->site_expect.push_back({name, parse_expect_values(om)});
      parse_optional(om, &s->site_expect.back().expect);
      om.finish();
    }
    sm.finish();
  }
  m.finish();
}

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// The figure in a quote: its first number ("4,000", "2.5", "50%"), or with `clock` its first
// time in the run ("11m26s", "1h02m", "45s") in seconds. False when there is none.
bool read_figure(const std::string& q, bool clock, double* value, bool* percent) {
  std::size_t i = 0;
  while (i < q.size() && !digit(q[i])) ++i;
  if (i == q.size()) return false;
  if (clock) {
    // The first number written as a time ("45m21s" in "59 (45m21s)").
    for (; i < q.size(); ++i) {
      if (!digit(q[i]) || (i > 0 && digit(q[i - 1]))) continue;
      double total = 0;
      bool any = false;
      std::size_t j = i;
      while (j < q.size() && digit(q[j])) {
        double v = 0;
        while (j < q.size() && digit(q[j])) v = v * 10 + (q[j++] - '0');
        const char u = j < q.size() ? q[j] : ' ';
        if (u != 'h' && u != 'm' && u != 's') break;
        total += v * (u == 'h' ? 3600 : u == 'm' ? 60 : 1);
        any = true;
        ++j;
      }
      if (any) {
        *value = total;
        return true;
      }
    }
    return false;
  }
  std::string n;
  for (; i < q.size() && (digit(q[i]) || q[i] == ',' || q[i] == '.'); ++i) {
    if (q[i] != ',') n += q[i];
  }
  if (!n.empty() && n.back() == '.') n.pop_back();
  *value = std::stod(n);
  *percent = i < q.size() && q[i] == '%';
  if (*percent) *value /= 100;
  return true;
}

// True when the quote's first number is in milliseconds ("160 ms", "780ms"): the series hold
// seconds.
bool in_millis(const std::string& q) {
  std::size_t i = q.find_first_of("0123456789");
  if (i == std::string::npos) return false;
  while (i < q.size() &&
         (std::isdigit(static_cast<unsigned char>(q[i])) || q[i] == ',' || q[i] == '.'))
    ++i;
  if (i < q.size() && q[i] == ' ') ++i;
  return q.compare(i, 2, "ms") == 0 &&
         (i + 2 == q.size() || !std::isalpha(static_cast<unsigned char>(q[i + 2])));
}

// "private.replicas_ready + private.replicas_starting +-1" or "event gslb: public marked down".
NarrationFigure parse_figure(MapReader& fm, const std::string& quote, const std::string& text,
                             const Scenario& s) {
  const Node v = fm.get(quote);
  if (text.find(quote) == std::string::npos)
    fm.fail_key(quote, "the narration's text does not contain '" + quote + "'");
  NarrationFigure f;
  f.quote = quote;
  std::string spec = v.text();
  if (spec.rfind("event ", 0) == 0) {
    const std::size_t colon = spec.find(':');
    if (colon == std::string::npos || colon + 2 > spec.size())
      v.fail("expected 'event COMPONENT: PART OF ITS MESSAGE'");
    f.event_component = spec.substr(6, colon - 6);
    f.event_message = spec.substr(spec.find_first_not_of(' ', colon + 1));
    // A time in the quote ("at 11m25s") is the event's; otherwise the event is at the line's
    // time and the quote is part of its message ("RTO 622 s").
    if (!read_figure(quote, true, &f.value, &f.percent)) f.value = -1;
    return f;
  }
  if (!read_figure(quote, false, &f.value, &f.percent))
    fm.fail_key(quote, "'" + quote + "' holds no number");
  // An optional window after "over" (a mean, for noisy levels), then an optional tolerance
  // after "+-": in the figure's units, or a percentage of it.
  if (const std::size_t ov = spec.find(" over "); ov != std::string::npos) {
    std::string w = spec.substr(ov + 6);
    std::string head = spec.substr(0, ov);
    if (head.size() > 4 && head.compare(head.size() - 4, 4, " sum") == 0) {
      f.sum = true;
      head.resize(head.size() - 4);
    }
    spec = head + (w.find("+-") != std::string::npos ? w.substr(w.find("+-")) : "");
    w = w.substr(0, w.find("+-"));
    char* end = nullptr;
    const double n = std::strtod(w.c_str(), &end);
    const char unit = end != nullptr ? *end : ' ';
    if (end == w.c_str() || n <= 0 || (unit != 's' && unit != 'm'))
      v.fail("expected a window after 'over', e.g. over 30s or over 2m");
    f.over_s = n * (unit == 'm' ? 60 : 1);
  }
  if (const std::size_t pm = spec.find("+-"); pm != std::string::npos) {
    std::string tol = spec.substr(pm + 2);
    spec = spec.substr(0, pm);
    f.relative = !tol.empty() && tol.back() == '%' && !f.percent;
    if (!tol.empty() && tol.back() == '%') tol.pop_back();
    char* end = nullptr;
    f.tolerance = std::strtod(tol.c_str(), &end);
    if (end == tol.c_str() || f.tolerance < 0) v.fail("expected a tolerance after '+-', e.g. +-2");
    if (f.percent || f.relative) f.tolerance /= 100;
  }
  if (!f.percent && in_millis(quote)) {  // "160 ms +-30": compared in seconds
    f.value /= 1000;
    if (!f.relative) f.tolerance /= 1000;
  }
  std::size_t from = 0;
  while (from <= spec.size()) {
    const std::size_t plus = spec.find('+', from);
    std::string term = spec.substr(from, plus == std::string::npos ? plus : plus - from);
    term.erase(0, term.find_first_not_of(' '));
    term.erase(term.find_last_not_of(' ') + 1);
    const std::size_t dot = term.find('.');
    if (dot == std::string::npos)
      v.fail("expected ENTITY.COLUMN terms joined by '+', or 'event COMPONENT: MESSAGE'");
    const std::string entity = term.substr(0, dot), column = term.substr(dot + 1);
    if (entity != "all" && s.site_index(entity) < 0)
      v.fail("no site named '" + entity + "' (or 'all')");
    if (column.empty() || !std::all_of(column.begin(), column.end(), [](char ch) {
          return std::islower(static_cast<unsigned char>(ch)) || digit(ch) || ch == '_';
        }))
      v.fail("'" + column + "' is not a series column name (results/schema.sql)");
    f.terms.emplace_back(entity, column);
    from = plus == std::string::npos ? spec.size() + 1 : plus + 1;
  }
  return f;
}

// With figures or given quotes, every number in the text must be in one of them: a caption's
// figures are all accounted for.
void check_covered(const Node& line, const NarrationLine& nl) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const NarrationFigure& f : nl.figures)
    spans.emplace_back(nl.text.find(f.quote), f.quote.size());
  for (const std::string& g : nl.given) spans.emplace_back(nl.text.find(g), g.size());
  for (std::size_t i = 0; i < nl.text.size(); ++i) {
    // A number starts a word or follows a sign ("~33 s", "(2 nodes"); "p95" is a name.
    if (!digit(nl.text[i]) || (i > 0 && (std::isalnum(static_cast<unsigned char>(nl.text[i - 1])) ||
                                         nl.text[i - 1] == '.' || nl.text[i - 1] == ',')))
      continue;
    // The whole number ("4,000", "2.5") must lie in a quote.
    std::size_t end = i;
    while (end < nl.text.size() &&
           (digit(nl.text[end]) || ((nl.text[end] == ',' || nl.text[end] == '.') &&
                                    end + 1 < nl.text.size() && digit(nl.text[end + 1]))))
      ++end;
    const bool covered = std::any_of(spans.begin(), spans.end(), [&](const auto& sp) {
      return sp.first != std::string::npos && i >= sp.first && end <= sp.first + sp.second;
    });
    if (!covered) {
      std::size_t e = i;
      while (e < nl.text.size() && nl.text[e] != ' ') ++e;
      line.fail("the number in '" + nl.text.substr(i, e - i) +
                "' is in neither figures: nor given: (each number of a checked line is one or "
                "the other)");
    }
  }
}

}  // namespace

void parse_narration(const Node& n, Scenario* s) {
  for (const Node& line : n.list()) {
    MapReader m = line.map();
    const Node at = m.required("at");
    const SimTime t = at.duration_in(SimTime::zero(), kMaxDuration);
    if (!s->narration.empty() && t < s->narration.back().at)
      at.fail("narration times must not go back");
    NarrationLine nl{t, m.required("text").text(), {}, {}};
    if (const Node figs = m.get("figures"); figs.present()) {
      MapReader fm = figs.map();
      for (const std::string& quote : fm.keys())
        nl.figures.push_back(parse_figure(fm, quote, nl.text, *s));
      fm.finish();
    }
    if (const Node given = m.get("given"); given.present()) {
      for (const Node& g : given.list()) {
        nl.given.push_back(g.text());
        if (nl.text.find(nl.given.back()) == std::string::npos)
          g.fail("the narration's text does not contain '" + nl.given.back() + "'");
      }
    }
    m.finish();
    if (!nl.figures.empty() || !nl.given.empty()) check_covered(line, nl);
    if (within_run(at, t, "the narration line", s)) s->narration.push_back(std::move(nl));
  }
}

}  // namespace config
