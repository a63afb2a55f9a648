// config/load_events.cc: events: (rollouts, GSLB operator actions, outages, manual scaling),
// expect: gates and narration:.
#include "config/sections.h"

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
    const std::string what = given[0] == "rollout" ? "the rollout"
                             : given[0] == "gslb"  ? "the GSLB action"
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

void parse_narration(const Node& n, Scenario* s) {
  for (const Node& line : n.list()) {
    MapReader m = line.map();
    const Node at = m.required("at");
    const SimTime t = at.duration_in(SimTime::zero(), kMaxDuration);
    if (!s->narration.empty() && t < s->narration.back().at)
      at.fail("narration times must not go back");
    const std::string text = m.required("text").text();
    m.finish();
    if (within_run(at, t, "the narration line", s)) s->narration.push_back({t, text});
  }
}

}  // namespace config
