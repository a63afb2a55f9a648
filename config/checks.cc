// config/checks.cc: what the loader checks once the whole scenario is read, because it needs
// more than one section: pods that can never be scheduled, autoscaler limits the node pool can
// never hold, and timers the run never reaches. An impossibility is an error; a setting that
// merely cannot act within the run is a warning (Scenario::warnings).
#include <cmath>
#include <initializer_list>
#include <sstream>

#include "config/sections.h"
#include "models/common/text.h"

namespace config {

using sim::SimTime;

namespace {

// The node at `keys` below `n`, or the deepest one present on the way (for a location).
// Recursive: assigning a Node would assign its yaml-cpp node, which rewrites the document.
Node node_at(const Node& n, const char* const* key, const char* const* end) {
  if (key == end || !n.is_map()) return n;
  const Node next = n.map().get(*key);
  return next.present() ? node_at(next, key + 1, end) : n;
}
Node node_at(const Node& root, std::initializer_list<const char*> keys) {
  return node_at(root, keys.begin(), keys.end());
}

std::string cores_text(double cores) {
  std::ostringstream s;
  s << cores;  // the shortest form: 16, 0.5, 500
  return s.str();
}

// The largest replica count a site's autoscaler may ask for (0: no autoscaler or no limit).
int32_t autoscaler_max(const AutoscalerSpec& a) {
  if (const auto* h = std::get_if<HpaPolicy>(&a.policy)) return h->spec.max_replicas;
  if (const auto* t = std::get_if<models::TargetTrackingConfig>(&a.policy)) return t->max_replicas;
  if (const auto* st = std::get_if<models::StepScalingConfig>(&a.policy)) return st->max_replicas;
  if (const auto* k = std::get_if<models::KnativeConfig>(&a.policy)) return k->max_replicas;
  if (const auto* p = std::get_if<models::PredictiveConfig>(&a.policy)) return p->max_replicas;
  if (const auto* sc = std::get_if<ScheduledPolicy>(&a.policy)) {
    int32_t most = 0;
    for (const auto& e : sc->schedule) most = std::max(most, e.replicas);
    return most;
  }
  return 0;
}

// What a site's node pool can ever hold: pods per node (CPU and pod slots) x the most nodes,
// over its groups, with the quota's cores as a cap on each.
struct Capacity {
  int per_node = 0, max_nodes = 0;  // the single-group form
  int64_t pods = -1;                // -1: no node pool, no limit
};
int pods_per_node(const models::NodeGroupConfig& g, double pod_cpu) {
  return std::min(g.shape.max_pods, static_cast<int>(std::floor(g.shape.cpu / pod_cpu + 1e-9)));
}
int most_nodes(const models::NodeGroupConfig& g, double quota_cpu) {
  int most = g.autoscale ? g.max : g.count;
  if (quota_cpu > 0 && (g.autoscale || g.spot))
    most = std::min(
        most, std::max(g.count, static_cast<int>(std::floor(quota_cpu / g.shape.cpu + 1e-9))));
  return most;
}
Capacity capacity_of(const SiteSpec& spec) {
  const models::SiteConfig& site = spec.site;
  Capacity c;
  if (!site.has_nodes()) return c;
  const double pod_cpu = site.deployment.pod.cores;
  c.pods = 0;
  for (const models::NodeGroupConfig& g : site.node_groups) {
    c.per_node = pods_per_node(g, pod_cpu);
    c.max_nodes = most_nodes(g, site.quota_cpu);
    c.pods += static_cast<int64_t>(c.per_node) * c.max_nodes;
  }
  if (site.quota_cpu > 0) {
    // Under a quota the pods that fit are at most the quota's cores over the pod's request.
    c.pods = std::min<int64_t>(c.pods,
                               static_cast<int64_t>(std::floor(site.quota_cpu / pod_cpu + 1e-9)));
  }
  return c;
}

void check_site_capacity(const Node& root, const SiteSpec& spec, Scenario* s) {
  const models::SiteConfig& site = spec.site;
  if (!site.has_nodes()) return;  // no node pool: capacity is not limited
  const char* name = site.name.c_str();
  const double pod_cpu = site.deployment.pod.cores;
  const bool single = site.node_groups.size() == 1;
  double largest = 0;
  for (const models::NodeGroupConfig& g : site.node_groups)
    largest = std::max(largest, g.shape.cpu);
  if (pod_cpu > largest * (1 + 1e-9)) {
    const bool milli_meant = pod_cpu >= 1 && pod_cpu / 1000 <= largest;
    node_at(root, {"sites", name, "deployment", "pod", "cpu"})
        .fail("a pod requests " + cores_text(pod_cpu) + " cores but " +
              (single ? "a node" : "the largest node") + " of site '" + site.name + "' has " +
              cores_text(largest) + " (nodes.cpu): no pod can ever be scheduled" +
              (milli_meant ? " (for " + cores_text(pod_cpu / 1000) + " core write " +
                                 cores_text(pod_cpu) + "m)"
                           : ""));
  }
  for (std::size_t k = 0; k < site.node_groups.size() && !single; ++k) {
    const models::NodeGroupConfig& g = site.node_groups[k];
    if (pod_cpu > g.shape.cpu * (1 + 1e-9))
      warn(node_at(root, {"sites", name, "nodes"}),
           "node group " + g.name + " has " + cores_text(g.shape.cpu) +
               "-core nodes, too small for a pod of " + cores_text(pod_cpu) +
               " cores: no pod ever runs there",
           s);
  }
  const Capacity cap = capacity_of(spec);
  const int64_t capacity = cap.pods;
  std::string room;
  if (single) {
    const int per_node = cap.per_node, max_nodes = cap.max_nodes;
    room = "the node pool can hold at most " + std::to_string(capacity) + " pods (" +
           std::to_string(max_nodes) + " node" + (max_nodes == 1 ? "" : "s") + " x " +
           std::to_string(per_node) + " pods of " + cores_text(pod_cpu) + " core" +
           (pod_cpu == 1 ? "" : "s") + " on " + cores_text(site.node_groups[0].shape.cpu) +
           "-core nodes" + (site.quota_cpu > 0 ? ", within the vCPU quota" : "") + ")";
  } else {
    room = "the node groups can hold at most " + std::to_string(capacity) + " pods (";
    for (std::size_t k = 0; k < site.node_groups.size(); ++k) {
      const models::NodeGroupConfig& g = site.node_groups[k];
      room += (k ? ", " : "") + g.name + ": " + std::to_string(most_nodes(g, site.quota_cpu)) +
              " x " + std::to_string(pods_per_node(g, pod_cpu));
    }
    room +=
        std::string(site.quota_cpu > 0 ? "; vCPU quota " + cores_text(site.quota_cpu) : "") + ")";
  }
  if (site.deployment.replicas > capacity) {
    warn(node_at(root, {"sites", name, "replicas"}),
         std::to_string(site.deployment.replicas) + " replicas, but " + room +
             ": the rest stay Pending",
         s);
  }
  if (const int32_t most = autoscaler_max(spec.autoscaler); most > capacity) {
    const char* kind = autoscaler_kind_name(spec.autoscaler);
    const bool hpa = std::holds_alternative<HpaPolicy>(spec.autoscaler.policy);
    warn(node_at(root, {"sites", name, "autoscaler", kind}),
         std::string("the ") + kind + " autoscaler may ask for " + std::to_string(most) +
             " replicas (" + (hpa ? "maxReplicas" : "max_replicas") + "), but " + room +
             ": pods beyond that stay Pending",
         s);
  }
}

void warn_if_beyond(const Node& n, SimTime t, const std::string& what, Scenario* s) {
  if (t < s->duration) return;
  warn(n,
       what + " (" + sim::format_duration(t) + ") is not shorter than the run (" +
           sim::format_duration(s->duration) + "): it cannot act within it",
       s);
}

void check_probe(const Node& root, const char* site, const char* key, const models::ProbeSpec& p,
                 Scenario* s) {
  if (!p.enabled) return;
  const Node n = node_at(root, {"sites", site, "deployment", key});
  warn_if_beyond(n, p.initial_delay + p.period, std::string(key) + "'s first probe", s);
  warn_if_beyond(n, p.timeout, std::string(key) + "'s timeoutSeconds", s);
}

}  // namespace

int64_t most_pods(const SiteSpec& spec) {
  const int64_t asked =
      std::max<int64_t>(spec.site.deployment.replicas, autoscaler_max(spec.autoscaler));
  const int64_t capacity = capacity_of(spec).pods;
  return capacity < 0 ? asked : std::min(asked, capacity);
}

void check_feasibility(const Node& root, Scenario* s) {
  // Pod counts the scenario orders outright: the DR runbook's and the operator's.
  if (s->dr.activate_replicas > 0) {
    const int64_t cap = capacity_of(s->sites[static_cast<std::size_t>(s->dr.standby)]).pods;
    if (cap >= 0 && s->dr.activate_replicas > cap)
      warn(node_at(root, {"dr"}),
           "the DR automation scales the standby to " + std::to_string(s->dr.activate_replicas) +
               " pods (activate_replicas), but its node "
               "pool can hold at most " +
               std::to_string(cap) + ": the rest stay Pending",
           s);
  }
  for (std::size_t i = 0; i < s->events.size(); ++i) {
    const ScenarioEvent& ev = s->events[i];
    if (ev.kind != ScenarioEvent::Kind::kScale) continue;
    const int64_t cap = capacity_of(s->sites[static_cast<std::size_t>(ev.site)]).pods;
    if (cap >= 0 && ev.replicas > cap)
      warn(node_at(root, {"events"}),
           "a scale event asks site '" + s->sites[static_cast<std::size_t>(ev.site)].site.name +
               "' for " + std::to_string(ev.replicas) +
               " pods, but its node pool can hold at "
               "most " +
               std::to_string(cap) + ": the rest stay Pending",
           s);
  }
  for (const SiteSpec& spec : s->sites) {
    check_site_capacity(root, spec, s);
    const models::ProbeSet& probes = spec.site.deployment.probes;
    const char* name = spec.site.name.c_str();
    check_probe(root, name, "readinessProbe", probes.readiness, s);
    check_probe(root, name, "livenessProbe", probes.liveness, s);
    check_probe(root, name, "startupProbe", probes.startup, s);
  }
  if (s->traffic_kind == TrafficKind::kClosed) {
    warn_if_beyond(node_at(root, {"traffic", "client", "timeout"}), s->closed.client.timeout,
                   "the request timeout", s);
  }
  if (s->gslb.dns) {
    const Node hc = node_at(root, {"gslb", "health_check", "interval"});
    const models::HealthCheckConfig& h = s->gslb.dns_cfg.health;
    warn_if_beyond(hc, h.interval * h.failure_threshold,
                   "the health check's detection time (interval x failure_threshold)", s);
  }
  for (std::size_t i = 0; i < s->random_faults.size(); ++i) {
    const models::RandomFault& f = s->random_faults[i];
    if (f.mtbf < s->duration) continue;
    const double none = std::exp(-s->duration.seconds() / f.mtbf.seconds());
    const std::string pct = models::fixed(100 * none, 0) + "%";
    const Node n = node_at(root, {"faults"});
    warn(n.is_list() ? node_at(n.list()[i], {"mtbf"}) : n,
         "a mean time between faults of " + sim::format_duration(f.mtbf) + " over a " +
             sim::format_duration(s->duration) + " run: the chance of no fault at all is " + pct,
         s);
  }
}

}  // namespace config
