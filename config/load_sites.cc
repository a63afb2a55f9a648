// config/load_sites.cc: sites: (cloud, nodes, cost, the deployment and its pods, start-up).
#include "config/sections.h"

namespace config {

using sim::SimTime;

namespace {

using models::NodeAutoscalerConfig;

const Fields<models::ReadinessProbe> kReadiness{
    seconds("initialDelaySeconds", &models::ReadinessProbe::initial_delay, 0, 86400),
    seconds("periodSeconds", &models::ReadinessProbe::period, 1, 86400),
    integer("successThreshold", &models::ReadinessProbe::success_threshold, 1, 1000),
};

// The cluster autoscaler's flags (docs/models.md §3.6).
const Fields<NodeAutoscalerConfig> kNodeAutoscaler{
    duration("scan_interval", &NodeAutoscalerConfig::scan_interval, sim::seconds(1), sim::hours(1)),
    distribution("provisioning", &NodeAutoscalerConfig::provisioning, sim::hours(24)),
    duration("scale_down_unneeded_time", &NodeAutoscalerConfig::scale_down_unneeded_time,
             SimTime::zero(), sim::hours(24)),
    duration("scale_down_delay_after_add", &NodeAutoscalerConfig::scale_down_delay_after_add,
             SimTime::zero(), sim::hours(24)),
    duration("scale_down_delay_after_delete", &NodeAutoscalerConfig::scale_down_delay_after_delete,
             SimTime::zero(), sim::hours(24)),
    number("scale_down_utilization_threshold",
           &NodeAutoscalerConfig::scale_down_utilization_threshold, 0, 1),
    integer("max_scale_down_parallelism", &NodeAutoscalerConfig::max_scale_down_parallelism, 1,
            10000),
    integer("max_drain_parallelism", &NodeAutoscalerConfig::max_drain_parallelism, 1, 10000),
};

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
  if (const Node l = m.get("cpu_limit"); l.present()) {
    // "unlimited": no CPU limit, the pod may use any spare core of its node.
    pod->limit = l.text() == "unlimited" ? 1e6 : l.cpu();
    if (pod->limit < pod->cores)
      l.fail("must not be below the CPU request (pod.cpu: " + std::to_string(pod->cores) + ")");
  }
  if (const Node mem = m.get("memory"); mem.present()) {
    memory->request_bytes = mem.memory();
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
    kReadiness.read(rm, &st->readiness);
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

using models::ProbeSpec;

// A probe in Kubernetes' shape (readinessProbe, livenessProbe, startupProbe), plus hcsim's
// `cost`, the CPU one HTTP probe takes in the pod.
const Fields<ProbeSpec> kProbe{
    seconds("initialDelaySeconds", &ProbeSpec::initial_delay, 0, 86400),
    seconds("periodSeconds", &ProbeSpec::period, 1, 86400),
    seconds("timeoutSeconds", &ProbeSpec::timeout, 1, 86400),
    integer("successThreshold", &ProbeSpec::success_threshold, 1, 1000),
    integer("failureThreshold", &ProbeSpec::failure_threshold, 1, 1000),
    custom<ProbeSpec>("cost",
                      [](const Node& v, ProbeSpec& p) {
                        p.cost_s = v.duration_in(SimTime::zero(), sim::seconds(60)).seconds();
                      }),
};

ProbeSpec parse_probe(const Node& n, models::ProbeKind kind) {
  MapReader m = n.map();
  ProbeSpec p;
  p.enabled = true;
  std::vector<std::string> actions;
  for (const char* a : {"httpGet", "tcpSocket", "exec", "grpc"}) {
    if (m.has(a)) actions.push_back(a);
  }
  if (actions.size() > 1)
    n.fail("give one probe action, not both " + actions[0] + " and " + actions[1]);
  // The action's own settings (path, port, command) are accepted as written: the simulated pod
  // has one endpoint. grpc is served like httpGet.
  if (!actions.empty()) {
    (void)m.get(actions[0]).present();
    p.action = actions[0] == "tcpSocket" ? models::ProbeAction::kTcp
               : actions[0] == "exec"    ? models::ProbeAction::kExec
                                         : models::ProbeAction::kHttp;
  }
  kProbe.read(m, &p);
  if (kind != models::ProbeKind::kReadiness && p.success_threshold != 1)
    m.get("successThreshold").fail("must be 1 for liveness and startup probes (Kubernetes)");
  m.finish();
  return p;
}

// lifecycle: {preStop: {sleep: {seconds: N}}}: the pause between deletion and SIGTERM.
sim::SimTime parse_lifecycle(const Node& n) {
  MapReader m = n.map();
  sim::SimTime pre_stop;
  if (const Node ps = m.get("preStop"); ps.present()) {
    MapReader pm = ps.map();
    MapReader sm = pm.required("sleep").map();
    pre_stop = sim::seconds(sm.required("seconds").integer_in(0, 3600));
    sm.finish();
    pm.finish();
  }
  m.finish();
  return pre_stop;
}

void parse_deployment(const Node& n, models::DeploymentConfig* d, models::Balancing* balancing) {
  MapReader m = n.map();
  if (const Node i = m.get("image"); i.present()) d->image = parse_image(i);
  parse_pod(m.get("pod"), &d->pod, &d->memory);
  if (const Node mm = m.get("memory_usage"); mm.present()) {
    MapReader um = mm.map();
    if (const Node b = um.get("base"); b.present()) d->memory.base_bytes = b.memory();
    if (const Node p = um.get("per_request"); p.present()) d->memory.per_request_bytes = p.memory();
    um.finish();
  }
  parse_startup(m.get("startup"), &d->startup);
  if (const Node p = m.get("readinessProbe"); p.present()) {
    if (m.get("startup").present() && m.get("startup").map().has("readiness"))
      m.fail_key("readinessProbe",
                 "give readinessProbe (the whole life) or startup.readiness (start-up only), "
                 "not both");
    d->probes.readiness = parse_probe(p, models::ProbeKind::kReadiness);
  }
  if (const Node p = m.get("livenessProbe"); p.present())
    d->probes.liveness = parse_probe(p, models::ProbeKind::kLiveness);
  if (const Node p = m.get("startupProbe"); p.present())
    d->probes.startup = parse_probe(p, models::ProbeKind::kStartup);
  if (const Node g = m.get("termination_grace"); g.present())
    d->termination_grace = g.duration_in(SimTime::zero(), sim::hours(1));
  if (const Node l = m.get("lifecycle"); l.present()) d->pre_stop = parse_lifecycle(l);
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
  const Node count = m.required("count");
  site.nodes = static_cast<int>(count.integer_in(0, 100000));
  if (site.nodes == 0) {
    // The model reads 0 nodes as "no node pool"; a pool that starts empty is not modelled.
    count.fail(
        "must be at least 1: a node pool that starts empty (scale from zero) is not modelled; "
        "leave out nodes: for a site whose pods never wait for a node");
  }
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
    kNodeAutoscaler.read(am, &ca);
    am.finish();
    spec->node_autoscaler = ca;
  }
  m.finish();
}

}  // namespace

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
    if (const Node a = sm.get("autoscaler"); a.present()) parse_autoscaler(a, &spec.autoscaler);
    sm.finish();
    s->sites.push_back(std::move(spec));
  }
  m.finish();
}

}  // namespace config
