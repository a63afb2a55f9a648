// config/load_network.cc: topology: (regions, hubs, links) and gslb: (policy, weights, DNS,
// health checks).
#include "config/sections.h"

#include <algorithm>
#include <cmath>

namespace config {

using sim::SimTime;

namespace {

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

using models::DnsGslbConfig;
using models::HealthCheckConfig;

const Fields<DnsGslbConfig> kDns{
    duration("ttl", &DnsGslbConfig::ttl, SimTime::zero(), sim::hours(24 * 7)),
    integer("resolvers_per_region", &DnsGslbConfig::resolvers_per_region, 1, 1'000'000),
    custom<DnsGslbConfig>(
        "stale_clients", [](const Node& v, DnsGslbConfig& d) { d.stale = parse_stale_clients(v); }),
};

const Fields<HealthCheckConfig> kHealthCheck{
    duration("interval", &HealthCheckConfig::interval, sim::milliseconds(100), sim::hours(1)),
    duration("timeout", &HealthCheckConfig::timeout, SimTime::zero(), sim::minutes(10)),
    duration("response_timeout", &HealthCheckConfig::response_timeout, sim::milliseconds(1),
             sim::minutes(10)),
    integer("failure_threshold", &HealthCheckConfig::failure_threshold, 1, 100),
    integer("success_threshold", &HealthCheckConfig::success_threshold, 1, 100),
    integer("checkers", &HealthCheckConfig::checkers, 1, 64),
    number("healthy_fraction", &HealthCheckConfig::healthy_fraction, 0, 0.999),
    custom<HealthCheckConfig>("cost",
                              [](const Node& v, HealthCheckConfig& h) {
                                h.cost_s =
                                    v.duration_in(SimTime::zero(), sim::seconds(60)).seconds();
                              }),
};

}  // namespace

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

void parse_gslb(const Node& n, Scenario* s) {
  GslbSpec& g = s->gslb;
  g.weights.assign(s->sites.size(), 1.0);
  models::DnsGslbConfig& d = g.dns_cfg;
  for (std::size_t i = 0; i < s->sites.size(); ++i) {
    d.outside.push_back(s->sites[i].staging);  // staging sites are not in the GSLB's record
    if (s->sites[i].staging) g.weights[i] = 0;
  }
  if (!n.present()) return;
  MapReader m = n.map();
  if (const Node p = m.get("policy"); p.present()) {
    const std::string name = p.choice({"weighted", "failover", "latency", "least-loaded"});
    for (auto policy : {models::GslbPolicy::kWeighted, models::GslbPolicy::kFailover,
                        models::GslbPolicy::kLatency, models::GslbPolicy::kLeastLoaded}) {
      if (name == models::gslb_policy_name(policy)) g.policy = policy;
    }
  }
  if (const Node wn = m.get("weights"); wn.present()) {
    if (g.policy != models::GslbPolicy::kWeighted)
      m.fail_key("weights", "weights: are for policy: weighted");
    g.weights = parse_weights(wn, *s);
  }
  if (const Node o = m.get("order"); o.present()) {
    if (g.policy != models::GslbPolicy::kFailover)
      m.fail_key("order", "order: is for policy: failover");
    for (const Node& sn : o.list()) {
      const int idx = site_ref(sn, *s);
      if (s->sites[static_cast<std::size_t>(idx)].staging)
        sn.fail("a staging site (role: staging) serves no users: leave it out of the order");
      if (std::find(d.failover_order.begin(), d.failover_order.end(), idx) !=
          d.failover_order.end())
        sn.fail("site listed twice");
      d.failover_order.push_back(idx);
    }
    if (d.failover_order.empty()) o.fail("needs at least one site");
  } else {
    for (std::size_t i = 0; i < s->sites.size(); ++i) {
      if (!s->sites[i].staging) d.failover_order.push_back(static_cast<int>(i));
    }
  }
  if (const Node v = m.get("fail_open"); v.present()) d.fail_open = v.boolean();
  const Node dn = m.get("dns");
  if (dn.present()) {
    MapReader dm = dn.map();
    kDns.read(dm, &d);
    dm.finish();
  }
  const Node hn = m.get("health_check");
  if (hn.present()) {
    MapReader hm = hn.map();
    kHealthCheck.read(hm, &d.health);
    hm.finish();
  }
  if (const Node v = m.get("load_report_interval"); v.present()) {
    if (g.policy != models::GslbPolicy::kLeastLoaded)
      m.fail_key("load_report_interval", "load_report_interval: is for policy: least-loaded");
    d.load_report_interval = v.duration_in(sim::milliseconds(100), sim::hours(1));
  }
  m.finish();
  g.dns = dn.present() || hn.present() || g.policy != models::GslbPolicy::kWeighted;
  d.weights = g.weights;
  d.policy = g.policy;
}

}  // namespace config
