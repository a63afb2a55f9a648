// config/load_dr.cc: dr: presets, replication:, slo:, and faults (scheduled outages and random
// faults).
#include "config/sections.h"

#include <algorithm>
#include <variant>

namespace config {

using sim::SimTime;

namespace {

// write_path, write_rtt, keys and key_skew (models/dr/write_path.h).
void parse_write_path(MapReader& m, DrSpec* dr) {
  dr->write_path = models::WriteMode::kPrimary;
  if (const Node wp = m.get("write_path"); wp.present()) {
    if (wp.choice({"primary", "multi-primary"}) == "multi-primary") {
      if (dr->preset != DrPreset::kActiveActive)
        wp.fail("multi-primary needs both sites taking writes: it is for preset: active-active");
      dr->write_path = models::WriteMode::kMultiPrimary;
    }
  }
  const bool multi = dr->write_path == models::WriteMode::kMultiPrimary;
  if (const Node r = m.get("write_rtt"); r.present()) {
    if (multi)
      m.fail_key("write_rtt", "is for write_path: primary (multi-primary commits locally)");
    dr->write_rtt = r.duration_in(SimTime::zero(), sim::seconds(10));
  }
  if (multi) {
    dr->keys = static_cast<uint64_t>(m.required("keys").integer_in(1, 10'000'000));
    if (const Node k = m.get("key_skew"); k.present()) dr->key_skew = k.number_in(0, 0.999);
  } else {
    for (const char* k : {"keys", "key_skew"}) {
      if (m.has(k))
        m.fail_key(k, std::string(k) +
                          ": is for write_path: multi-primary (records whose concurrent writes "
                          "conflict)");
    }
  }
}

}  // namespace

void parse_dr(const Node& n, const Node& gslb_node, Scenario* s) {
  if (!n.present()) return;
  MapReader m = n.map();
  DrSpec& dr = s->dr;
  const std::string preset =
      m.required("preset").choice({"active-active", "warm-standby", "pilot-light"});
  dr.preset = preset == "active-active"  ? DrPreset::kActiveActive
              : preset == "warm-standby" ? DrPreset::kWarmStandby
                                         : DrPreset::kPilotLight;
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
  if (dr.preset == DrPreset::kActiveActive) {
    if (g.policy != models::GslbPolicy::kWeighted)
      n.fail("active-active needs gslb policy: weighted (both sites serve)");
    if (sr.present()) m.fail_key("standby_replicas", "is for warm-standby");
    if (ar.present()) m.fail_key("activate_replicas", "is for warm-standby and pilot-light");
  } else {
    if (policy_given && g.policy != models::GslbPolicy::kFailover)
      n.fail(preset + " needs gslb policy: failover (the standby serves only after a failover)");
    g.policy = models::GslbPolicy::kFailover;
    g.dns_cfg.policy = models::GslbPolicy::kFailover;
    g.dns_cfg.failover_order = {dr.primary, dr.standby};
    for (std::size_t i = 0; i < s->sites.size(); ++i) {
      if (static_cast<int>(i) != dr.primary && static_cast<int>(i) != dr.standby)
        g.dns_cfg.failover_order.push_back(static_cast<int>(i));
    }
    if (dr.preset == DrPreset::kWarmStandby) {
      const int32_t n_standby = sr.present() ? static_cast<int32_t>(sr.integer_in(1, 100000)) : 1;
      standby.site.deployment.replicas = n_standby;
      set_min_replicas(&standby.autoscaler, n_standby);
      // The runbook scales the standby to production size; activate_replicas: 0 leaves it to the
      // standby's autoscaler.
      dr.activate_replicas =
          ar.present() ? static_cast<int32_t>(ar.integer_in(0, 100000))
                       : s->sites[static_cast<std::size_t>(dr.primary)].site.deployment.replicas;
      if (dr.activate_replicas == 0 && standby.autoscaler.empty())
        ar.fail("with activate_replicas: 0 the standby needs an autoscaler to grow");
    } else {
      if (sr.present())
        m.fail_key("standby_replicas", "is for warm-standby (a pilot light runs no pods)");
      standby.site.deployment.replicas = 0;
      // The HPA stays idle while its target has 0 replicas (Kubernetes semantics); other policies
      // would scale up at once, so they get a minimum of 0.
      if (!std::holds_alternative<HpaPolicy>(standby.autoscaler.policy))
        set_min_replicas(&standby.autoscaler, 0);
      dr.activate_replicas =
          ar.present()
              ? static_cast<int32_t>(ar.integer_in(1, 100000))
              : std::max(1,
                         s->sites[static_cast<std::size_t>(dr.primary)].site.deployment.replicas);
    }
  }
  parse_write_path(m, &dr);
  m.finish();
  g.dns = true;  // DR needs health checks
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
    if (const Node t = m.get("throughput"); t.present()) {
      if (l.sync)
        m.fail_key("throughput",
                   "throughput: is for mode: async (a sync link holds each write until the "
                   "replica has it; its cost is write_latency)");
      l.throughput = t.text() == "unlimited" ? 0.0 : t.rate();
      if (t.text() != "unlimited" && (l.throughput < 1e-3 || l.throughput > 1e9))
        t.fail("must be between 0.001/s and 1e9/s, or unlimited");
    }
    if (const Node p = m.get("promotion"); p.present()) {
      if (s->dr.preset == DrPreset::kNone)
        m.fail_key("promotion",
                   "a replica is promoted only under a dr: section (which names the primary "
                   "site); without one every site commits its own writes");
      l.promotion = parse_duration_distribution(p, sim::hours(24));
    }
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

void check_write_path(const Node& dr_node, Scenario* s) {
  const DrSpec& dr = s->dr;
  if (dr.preset == DrPreset::kNone) return;
  MapReader m = dr_node.map();
  auto link_from = [&](int site) -> const models::ReplicationLink* {
    for (const auto& l : s->replication) {
      if (l.from == site) return &l;
    }
    return nullptr;
  };
  const std::string& p = s->sites[static_cast<std::size_t>(dr.primary)].site.name;
  const std::string& q = s->sites[static_cast<std::size_t>(dr.standby)].site.name;
  if (dr.write_path == models::WriteMode::kMultiPrimary) {
    const auto* pq = link_from(dr.primary);
    const auto* qp = link_from(dr.standby);
    if (pq == nullptr || pq->to != dr.standby || qp == nullptr || qp->to != dr.primary)
      m.get("write_path")
          .fail("multi-primary needs replication both ways: a link from " + p + " to " + q +
                " and one from " + q + " to " + p);
    return;
  }
  if (dr.write_rtt) return;
  // Writes served away from the primary cross to it: the topology must join the sites.
  const models::Topology topo = topology_of(*s);
  for (std::size_t a = 0; a < s->sites.size(); ++a) {
    for (std::size_t b = 0; b < s->sites.size(); ++b) {
      if (topo.site_rtt(static_cast<int>(a), static_cast<int>(b)).is_max())
        dr_node.fail("the topology has no path between " + s->sites[a].site.name + " and " +
                     s->sites[b].site.name +
                     ", which a write to a remote primary would take: give write_rtt");
    }
  }
}

void parse_slo(const Node& n, Scenario* s) {
  if (!n.present()) return;
  static const Fields<models::SloConfig> kSlo{
      number("success_ratio", &models::SloConfig::success_ratio, 0, 1),
      duration("rt_p95", &models::SloConfig::rt_p95, sim::microseconds(1), sim::hours(1)),
      duration("window", &models::SloConfig::window, sim::seconds(1), sim::hours(24)),
  };
  MapReader m = n.map();
  kSlo.read(m, &s->slo);
  m.finish();
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
    if (!s.sites[static_cast<std::size_t>(f.site)].site.has_nodes())
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

const char* dr_preset_name(DrPreset p) {
  switch (p) {
    case DrPreset::kNone:
      return "";
    case DrPreset::kActiveActive:
      return "active-active";
    case DrPreset::kWarmStandby:
      return "warm-standby";
    case DrPreset::kPilotLight:
      return "pilot-light";
  }
  return "?";
}

}  // namespace config
