// config/load_sites.cc: sites: (cloud, nodes, cost, the deployment and its pods, start-up).
#include "config/data/traces.h"
#include "config/sections.h"

namespace config {

using sim::SimTime;

namespace {

using models::NodeAutoscalerConfig;

// expander: one name, a comma-separated chain ("priority,least-waste", as --expander takes it)
// or a list. random can only come last: it always chooses (expander/factory/chain.go).
std::vector<models::Expander> parse_expanders(const Node& v) {
  std::vector<std::string> names;
  if (v.is_list()) {
    for (const Node& item : v.list()) names.push_back(item.text());
  } else {
    std::string text = v.text();
    std::size_t from = 0;
    while (from <= text.size()) {
      const std::size_t comma = std::min(text.find(',', from), text.size());
      std::string one = text.substr(from, comma - from);
      while (!one.empty() && one.front() == ' ') one.erase(0, 1);
      while (!one.empty() && one.back() == ' ') one.pop_back();
      names.push_back(one);
      from = comma + 1;
    }
  }
  if (names.empty()) v.fail("names at least one expander");
  std::vector<models::Expander> out;
  for (const std::string& name : names) {
    models::Expander e{};
    if (name == "random") {
      e = models::Expander::kRandom;
    } else if (name == "most-pods") {
      e = models::Expander::kMostPods;
    } else if (name == "least-waste") {
      e = models::Expander::kLeastWaste;
    } else if (name == "priority") {
      e = models::Expander::kPriority;
    } else {
      v.fail("unknown expander '" + name +
             "': use random, most-pods, least-waste or priority (price and grpc are not modelled)");
    }
    for (models::Expander seen : out) {
      if (seen == e) v.fail("names expander '" + name + "' twice");
      if (seen == models::Expander::kRandom)
        v.fail("random always chooses: it can only be the last expander of a chain");
    }
    out.push_back(e);
  }
  return out;
}

const Fields<models::ReadinessProbe> kReadiness{
    seconds("initialDelaySeconds", &models::ReadinessProbe::initial_delay, 0, 86400),
    seconds("periodSeconds", &models::ReadinessProbe::period, 1, 86400),
    integer("successThreshold", &models::ReadinessProbe::success_threshold, 1, 1000),
};

// The cluster autoscaler's flags (docs/models.md §3.6, §3.9).
const Fields<NodeAutoscalerConfig> kNodeAutoscaler{
    duration("scan_interval", &NodeAutoscalerConfig::scan_interval, sim::seconds(1), sim::hours(1)),
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
    duration("max_node_provision_time", &NodeAutoscalerConfig::max_node_provision_time,
             sim::seconds(1), sim::hours(24)),
    duration("initial_node_group_backoff", &NodeAutoscalerConfig::initial_backoff, sim::seconds(1),
             sim::hours(24)),
    duration("max_node_group_backoff", &NodeAutoscalerConfig::max_backoff, sim::seconds(1),
             sim::hours(24)),
    duration("node_group_backoff_reset", &NodeAutoscalerConfig::backoff_reset, sim::seconds(1),
             sim::hours(24 * 30)),
    custom<NodeAutoscalerConfig>(
        "expander",
        [](const Node& v, NodeAutoscalerConfig& c) { c.expanders = parse_expanders(v); }),
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

// The cloud's side of a node group: spot interruptions, stockouts, a shortage process and
// whether capacity errors are reported (public sites only).
void parse_group_cloud(MapReader& m, const models::SiteConfig& site, models::NodeGroupConfig* gp,
                       Scenario* s) {
  models::NodeGroupConfig& g = *gp;
  for (const char* k : {"stockouts", "shortage", "capacity_error_after"}) {
    if (!site.public_cloud && m.has(k))
      m.fail_key(k, "a private cloud's nodes are fixed and never requested: " + std::string(k) +
                        " needs cloud: public");
  }
  if (const Node sp = m.get("spot"); sp.present()) {
    if (!site.public_cloud) m.fail_key("spot", "spot capacity is a public cloud's: cloud: public");
    MapReader sm = sp.map();
    models::SpotConfig spot;
    MapReader im = sm.required("interruptions").map();
    spot.mtbf = im.required("mtbf").duration_in(sim::seconds(1), kMaxDuration);
    im.finish();
    if (const Node nt = sm.get("notice"); nt.present())
      spot.notice = nt.duration_in(SimTime::zero(), sim::hours(1));
    sm.finish();
    g.spot = spot;
  }
  if (const Node st = m.get("stockouts"); st.present()) {
    for (const Node& item : st.list()) {
      MapReader wm = item.map();
      const Node at = wm.required("at");
      models::CapacityWindow w;
      w.at = at.duration_in(SimTime::zero(), kMaxDuration);
      w.duration = wm.required("duration").duration_in(sim::milliseconds(1), kMaxDuration);
      wm.finish();
      if (within_run(at, w.at, "stockout", s)) g.stockouts.push_back(w);
    }
  }
  if (const Node sh = m.get("shortage"); sh.present()) {
    MapReader sm = sh.map();
    models::ShortageProcess p;
    p.mtbf = sm.required("mtbf").duration_in(sim::seconds(1), kMaxDuration);
    p.mttr = sm.required("mttr").duration_in(sim::seconds(1), kMaxDuration);
    sm.finish();
    g.shortage = p;
  }
  if (const Node e = m.get("capacity_error_after"); e.present())
    g.capacity_error_after = e.duration_in(SimTime::zero(), sim::hours(24));
}

// One node group: the machine shape, its count, price and priority, its autoscaling range, and
// what the cloud does to it (spot interruptions, stockouts, shortages). In the single-group form
// `autoscale:` also carries the cluster autoscaler's flags (`ca_flags`).
models::NodeGroupConfig parse_node_group(MapReader& m, SiteSpec* spec, bool single, Scenario* s) {
  models::SiteConfig& site = spec->site;
  models::NodeGroupConfig g;
  if (!single) {
    const Node name = m.required("name");
    g.name = name.text();
    if (!valid_name(g.name))
      name.fail("node group names start with a letter and use letters, digits, '-' and '_'");
  }
  const Node count = m.required("count");
  g.count = static_cast<int>(count.integer_in(0, 100000));
  if (const Node c = m.get("cpu"); c.present()) {
    g.shape.cpu = c.cpu();
    if (g.shape.cpu < 0.001) c.fail("must be positive");
  }
  if (const Node p = m.get("max_pods"); p.present())
    g.shape.max_pods = static_cast<int>(p.integer_in(1, 100000));
  if (const Node p = m.get("priority"); p.present()) {
    if (single)
      m.fail_key("priority",
                 "orders node groups for the priority expander: give nodes: as a list "
                 "of groups");
    g.priority = static_cast<int>(p.integer_in(-1'000'000, 1'000'000));
  }
  g.price_per_hour = spec->cost.node_per_hour;
  if (const Node p = m.get("price_per_hour"); p.present()) {
    g.price_per_hour = p.number_in(0, 1e9);
    spec->has_cost = true;
  }
  if (const Node a = m.get("autoscale"); a.present()) {
    if (!site.public_cloud) {
      m.fail_key("autoscale",
                 "a private cloud has fixed capacity: node autoscaling needs cloud: public");
    }
    MapReader am = a.map();
    g.autoscale = true;
    g.min =
        am.get("min").present() ? static_cast<int>(am.get("min").integer_in(0, 100000)) : g.count;
    const Node mx = am.required("max");
    g.max = static_cast<int>(mx.integer_in(1, 100000));
    if (g.max < g.min) mx.fail("must not be below min");
    if (g.max < g.count) mx.fail("must not be below the initial node count");
    if (const Node p = am.get("provisioning"); p.present())
      g.provisioning = parse_duration_distribution(p, sim::hours(24));
    if (single) {
      NodeAutoscalerConfig ca;
      kNodeAutoscaler.read(am, &ca);
      spec->node_autoscaler = ca;
    } else {
      for (const std::string& k : am.keys()) {
        if (k != "min" && k != "max" && k != "provisioning" && kNodeAutoscaler.has(k))
          am.fail_key(k,
                      "is a cluster autoscaler flag, for the whole site: with a list of node "
                      "groups it goes in sites." +
                          site.name + ".cluster_autoscaler");
      }
    }
    am.finish();
  } else if (g.count == 0) {
    count.fail(
        "must be at least 1 for a group without autoscale: (a group that starts empty needs "
        "autoscale: {max: N} to ever hold a pod)");
  }
  parse_group_cloud(m, site, &g, s);
  const bool requests_nodes = g.autoscale || g.spot;
  if (!requests_nodes && (!g.stockouts.empty() || g.shortage)) {
    warn(m.get(g.shortage ? "shortage" : "stockouts"),
         "node group " + g.name +
             " never asks the cloud for nodes (no autoscale:, no spot:): a shortage changes "
             "nothing",
         s);
  }
  if (!requests_nodes && m.get("capacity_error_after").present()) {
    warn(m.get("capacity_error_after"),
         "node group " + g.name +
             " never asks the cloud for nodes (no autoscale:, no spot:): no request can wait "
             "for capacity, so capacity_error_after changes nothing",
         s);
  }
  return g;
}

void parse_nodes(const Node& n, SiteSpec* spec, Scenario* s) {
  models::SiteConfig& site = spec->site;
  if (n.is_list()) {
    const std::vector<Node> items = n.list();
    if (items.empty()) n.fail("needs at least one node group (or leave out nodes:)");
    if (items.size() > 1000) n.fail("more than 1000 node groups");
    for (const Node& item : items) {
      MapReader m = item.map();
      models::NodeGroupConfig g = parse_node_group(m, spec, false, s);
      for (const models::NodeGroupConfig& other : site.node_groups) {
        if (other.name == g.name) m.get("name").fail("names node group '" + g.name + "' twice");
      }
      m.finish();
      site.node_groups.push_back(std::move(g));
    }
  } else {
    MapReader m = n.map();
    site.node_groups.push_back(parse_node_group(m, spec, true, s));
    m.finish();
  }
  bool autoscaled = false;
  for (const models::NodeGroupConfig& g : site.node_groups) autoscaled = autoscaled || g.autoscale;
  if (autoscaled && !spec->node_autoscaler) spec->node_autoscaler = NodeAutoscalerConfig{};
  if (site.initial_nodes() == 0 && !autoscaled)
    n.fail("no node group has nodes or autoscales: no pod could ever run");
}

// database: a database hosted at the site (cores or tps, max_connections, read_replicas) and/or
// how its pods use one (`use`: the site hosting it; pool, pool_timeout, rtt).
void parse_database(const Node& n, SiteSpec* spec) {
  MapReader m = n.map();
  const bool hosts = m.has("cores") || m.has("tps");
  if (m.has("cores") && m.has("tps"))
    m.fail_key("tps", "give the database's capacity as cores or as tps, not both");
  if (hosts) {
    models::DatabaseConfig db;
    db.name = spec->site.name;
    if (const Node c = m.get("cores"); c.present()) {
      db.cores = c.cpu();
      if (db.cores < 0.001) c.fail("must be positive");
    }
    if (const Node t = m.get("tps"); t.present()) db.tps = t.number_in(1e-6, 1e9);
    if (const Node c = m.get("max_connections"); c.present())
      db.max_connections = static_cast<int>(c.integer_in(1, 1'000'000));
    if (const Node r = m.get("read_replicas"); r.present())
      db.read_replicas = static_cast<int>(r.integer_in(0, 100));
    spec->database = db;
  } else {
    for (const char* k : {"max_connections", "read_replicas"}) {
      if (m.has(k)) m.fail_key(k, "belongs to a database hosted here: give its cores (or tps) too");
    }
  }
  spec->database_use = spec->site.name;
  if (const Node u = m.get("use"); u.present()) {
    if (hosts) m.fail_key("use", "this site hosts a database: its pods use it (leave out use:)");
    spec->database_use = u.text();
    if (spec->database_use == spec->site.name)
      u.fail(
          "names this site, which hosts no database: give it cores (or tps), or name the site "
          "whose database its pods use");
  } else if (!hosts) {
    n.fail(
        "give the database's cores (or tps) to host one here, or use: <site> to use another "
        "site's");
  }
  models::DatabaseClientConfig client;
  if (const Node p = m.get("pool"); p.present())
    client.pool = static_cast<int>(p.integer_in(1, 100'000));
  if (const Node t = m.get("pool_timeout"); t.present())
    client.pool_timeout = t.duration_in(sim::milliseconds(1), sim::hours(1));
  if (const Node r = m.get("rtt"); r.present()) {
    client.rtt = r.duration_in(SimTime::zero(), sim::seconds(10));
    spec->database_rtt_given = true;
  }
  m.finish();
  spec->site.database = client;
  spec->site.deployment.pod.parks = true;
}

// observed: the real system's replicas and CPU utilisation over the same time, as traces
// (config/data/traces.h), for backtests; recorded as samples of observed/<site>.
// role: production | staging, and a staging site's test_traffic: {rate, cpu}.
void parse_role(MapReader& sm, SiteSpec* spec, Scenario* s) {
  if (const Node r = sm.get("role"); r.present())
    spec->staging = r.choice({"production", "staging"}) == "staging";
  const Node t = sm.get("test_traffic");
  if (!t.present()) return;
  if (!spec->staging)
    sm.fail_key("test_traffic",
                "test traffic is for a staging site (role: staging): on a production site it "
                "would mix with the users' figures");
  MapReader tm = t.map();
  models::OpenTrafficConfig c;
  c.rate = parse_profile(tm.required("rate"), ValueKind::kRate, s);
  if (const Node cpu = tm.get("cpu"); cpu.present()) {
    c.demand = parse_duration_distribution(cpu, sim::hours(24));
    spec->test_cpu_given = true;
  }
  tm.finish();
  spec->test_traffic = c;
}

void parse_observed(const Node& n, SiteSpec* spec) {
  MapReader m = n.map();
  if (!m.has("replicas") && !m.has("cpu")) n.fail("give replicas:, cpu: or both (as traces)");
  if (const Node r = m.get("replicas"); r.present()) {
    MapReader rm = r.map();
    spec->observed_replicas = read_trace(rm, 1e6);
    rm.finish();
  }
  if (const Node c = m.get("cpu"); c.present()) {
    MapReader cm = c.map();
    const double scale = cm.get("scale").present() ? cm.get("scale").number_in(0, 1) : 1.0;
    spec->observed_cpu = read_trace(cm, 1e6);
    for (auto& [t, v] : spec->observed_cpu) {
      v *= scale;
      if (v > 10)
        c.fail(
            "a CPU utilisation above 10 (1000% of the requests): for percentages give "
            "scale: 0.01");
    }
    cm.finish();
  }
  m.finish();
}

// cluster_autoscaler: the cluster autoscaler's flags for a site with node groups.
void parse_cluster_autoscaler(const Node& n, const Node& nodes, SiteSpec* spec) {
  if (!spec->node_autoscaler)
    n.fail("no node group autoscales: give a group autoscale: {min, max} first");
  MapReader m = n.map();
  if (nodes.present() && !nodes.is_list()) {
    MapReader single = nodes.map();
    const Node a = single.get("autoscale");
    if (a.present()) {
      MapReader am = a.map();
      for (const std::string& k : m.keys()) {
        if (am.has(k)) m.fail_key(k, "is also given under nodes.autoscale: give each flag once");
      }
    }
  }
  kNodeAutoscaler.read(m, &*spec->node_autoscaler);
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
    if (!m.in_file(name) && !sn.map().has("cloud")) {
      // An override below a site name the file does not have adds a site: more often a typo.
      std::vector<std::string> in_file;
      for (const std::string& k : names) {
        if (m.in_file(k)) in_file.push_back(k);
      }
      m.fail_key(name, "no site named '" + name + "' in the scenario (" +
                           suggest(name, in_file, "its sites are") +
                           "); an override that adds a site must give its cloud: and the rest");
    }
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
    if (const Node nodes = sm.get("nodes"); nodes.present()) parse_nodes(nodes, &spec, s);
    if (const Node ca = sm.get("cluster_autoscaler"); ca.present())
      parse_cluster_autoscaler(ca, sm.get("nodes"), &spec);
    if (const Node q = sm.get("quota"); q.present()) {
      if (!site.public_cloud)
        sm.fail_key("quota", "a vCPU quota is a public cloud's: cloud: public");
      if (!site.has_nodes()) sm.fail_key("quota", "a quota limits nodes: give the site nodes:");
      MapReader qm = q.map();
      const Node c = qm.required("cpu");
      site.quota_cpu = c.cpu();
      if (site.quota_cpu < 0.001) c.fail("must be positive");
      qm.finish();
    }
    for (const models::NodeGroupConfig& g : site.node_groups)
      spec.cost.group_node_per_hour.push_back(g.price_per_hour);
    if (const Node a = sm.get("autoscaler"); a.present()) parse_autoscaler(a, &spec.autoscaler);
    if (const Node d = sm.get("database"); d.present()) parse_database(d, &spec);
    if (const Node o = sm.get("observed"); o.present()) parse_observed(o, &spec);
    parse_role(sm, &spec, s);
    sm.finish();
    s->sites.push_back(std::move(spec));
  }
  for (const std::string& name : names) {
    SiteSpec& spec = s->sites[static_cast<std::size_t>(s->site_index(name))];
    if (spec.database_use.empty() || spec.database_use == name) continue;
    const int host = s->site_index(spec.database_use);
    const Node use = m.get(name).map().get("database").map().get("use");
    if (host < 0) use.fail("no site is named '" + spec.database_use + "'");
    if (!s->sites[static_cast<std::size_t>(host)].database)
      use.fail("site '" + spec.database_use + "' hosts no database (give it database: {cores: N})");
  }
  if (std::all_of(s->sites.begin(), s->sites.end(), [](const SiteSpec& sp) { return sp.staging; }))
    n.fail(
        "every site is a staging site (role: staging): give at least one production site to "
        "serve the users");
  m.finish();
}

void finish_databases(const Node& sites, const Node& traffic, Scenario* s) {
  bool any = false;
  for (SiteSpec& spec : s->sites) {
    if (spec.database_use.empty()) continue;
    any = true;
    models::DatabaseClientConfig& client = *spec.site.database;
    client.read = s->db_read;
    client.write = s->db_write;
    if (spec.database_use == spec.site.name || spec.database_rtt_given) continue;
    // A database at another site: its queries cross between the sites.
    const models::Topology topo = topology_of(*s);
    const SimTime between =
        topo.site_rtt(s->site_index(spec.site.name), s->site_index(spec.database_use));
    const Node db = sites.map().get(spec.site.name).map().get("database");
    if (between.is_max())
      db.fail("the topology has no path between " + spec.site.name + " and " + spec.database_use +
              ", which its queries would take: give database.rtt");
    client.rtt = between;
  }
  if (any && !s->has_db_demand) {
    traffic.map().get("request").fail(
        "sites use a database: give each request's database work, "
        "database: {read: <duration distribution>, write: <...>}");
  }
  if (!any && s->has_db_demand) {
    traffic.map()
        .get("request")
        .map()
        .get("database")
        .fail("no site has a database: give a site database: {cores: N, pool: M}");
  }
}

}  // namespace config
