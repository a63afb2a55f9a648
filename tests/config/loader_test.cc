#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/loader.h"
#include "config/units.h"

using namespace config;

namespace {

const char* kBase = R"(name: t
duration: 10m
traffic:
  rate: 100/s
  request:
    cpu: {dist: exponential, mean: 40ms}
sites:
  private:
    cloud: private
    replicas: 4
    deployment:
      pod: {cpu: 1, concurrency: 8, queue: 64}
  public:
    cloud: public
    rtt: 8ms
    replicas: 10
    deployment:
      pod: {cpu: 500m}
      balancing: shared-queue
gslb:
  policy: weighted
  weights: {private: 30, public: 70}
)";

// Loads text and returns the error message ("" when it loads).
std::string error_of(const std::string& text, const std::vector<std::string>& sets = {}) {
  try {
    load_scenario_text(text, "s.yaml", sets);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const std::size_t p = s.find(from);
  REQUIRE(p != std::string::npos);
  return s.replace(p, from.size(), to);
}

}  // namespace

TEST_CASE("a valid scenario loads with documented defaults") {
  const Scenario s = load_scenario_text(kBase, "s.yaml");
  CHECK(s.name == "t");
  CHECK(s.duration == sim::minutes(10));
  CHECK(s.seed == 1);
  CHECK(s.metrics.bucket == sim::seconds(1));
  CHECK(s.metrics.apdex_t == sim::milliseconds(500));
  REQUIRE(s.sites.size() == 2);
  CHECK(s.sites[0].site.name == "private");
  CHECK_FALSE(s.sites[0].site.public_cloud);
  CHECK(s.sites[1].site.public_cloud);
  CHECK(s.sites[1].site.rtt == sim::milliseconds(8));
  CHECK(s.sites[1].site.deployment.pod.cores == Approx(0.5));
  CHECK(s.sites[1].site.deployment.pod.concurrency == 8);  // default
  CHECK(s.sites[1].site.balancing == models::Balancing::kSharedQueue);
  CHECK(s.sites[0].site.balancing == models::Balancing::kLeastRequest);
  CHECK(s.gslb.weights == std::vector<double>{30, 70});
  CHECK(s.open.demand.mean() == Approx(0.04));
  CHECK(s.open.rate.value(sim::seconds(5)) == 100);
}

TEST_CASE("an unknown key is reported with its location and a suggestion") {
  const std::string e = error_of(replace(kBase, "    replicas: 4", "    replcas: 4"));
  CHECK(e == "s.yaml:10:5: sites.private.replcas: unknown key; did you mean 'replicas'?");
}

TEST_CASE("a missing required key names the map that lacks it") {
  const std::string e = error_of(replace(kBase, "    replicas: 4\n", ""));
  CHECK(e == "s.yaml:9:5: sites.private.replicas: required key is missing");
}

TEST_CASE("values without units, with wrong units or out of range are errors") {
  CHECK(error_of(replace(kBase, "duration: 10m", "duration: 10")) ==
        "s.yaml:2:11: duration: '10' has no unit (write e.g. 10s or 10ms)");
  CHECK(error_of(replace(kBase, "rate: 100/s", "rate: 100/fortnight")) ==
        "s.yaml:4:9: traffic.rate: unknown rate unit '/fortnight' (use /s, /m, /h or /d)");
  CHECK(error_of(replace(kBase, "mean: 40ms", "mean: 40"))
            .find("s.yaml:6:36: traffic.request.cpu.mean: '40' has no unit") == 0);
  CHECK(error_of(replace(kBase, "replicas: 10", "replicas: -3")) ==
        "s.yaml:16:15: sites.public.replicas: must be >= 0, found -3");
  CHECK(error_of(replace(kBase, "replicas: 10", "replicas: ten")) ==
        "s.yaml:16:15: sites.public.replicas: 'ten' is not an integer");
  CHECK(error_of(replace(kBase, "cloud: public", "cloud: publik")) ==
        "s.yaml:14:12: sites.public.cloud: 'publik' is not valid; did you mean 'public'?");
  CHECK(error_of(replace(kBase, "concurrency: 8", "concurrency: 0")).find("must be >= 1") !=
        std::string::npos);
  CHECK(error_of(replace(kBase, "pod: {cpu: 1,", "pod: {cpu: nan,")).find("not a CPU quantity") !=
        std::string::npos);
}

TEST_CASE("references to sites that do not exist are errors") {
  CHECK(error_of(replace(kBase, "public: 70}", "pubic: 70}")) ==
        "s.yaml:22:26: gslb.weights.pubic: no site named 'pubic'; did you mean 'public'?");
  CHECK(error_of(std::string(kBase) + "expect:\n  sites:\n    mars: {apdex_min: 0.9}\n")
            .find("expect.sites.mars: no site named 'mars'") != std::string::npos);
}

TEST_CASE("an override below a site the file does not have names the sites it has") {
  CHECK(error_of(kBase, {"sites.publc.replicas=8"}) ==
        "--set 'sites.publc.replicas=8':1:22: sites.publc: no site named 'publc' in the scenario "
        "(did you mean 'public'?); an override that adds a site must give its cloud: and the rest");
  CHECK(error_of(kBase, {"sites.edge.replicas=8"}).find("its sites are: private, public") !=
        std::string::npos);
  // A site added on purpose, with its cloud, is read like any other (here: it lacks a
  // deployment).
  CHECK(error_of(kBase, {"sites.edge={cloud: public, replicas: 2}"}).find("edge.deployment") !=
        std::string::npos);
}

TEST_CASE("YAML syntax errors, empty files and non-maps are located errors") {
  CHECK(error_of("name: [unclosed\nduration: 1m\n").find("s.yaml:") == 0);
  CHECK(error_of("name: [unclosed\nduration: 1m\n").find("YAML syntax error") != std::string::npos);
  CHECK(error_of("") == "s.yaml:1:1: the scenario is empty");
  CHECK(error_of("just a string").find("a scenario is a map of settings") != std::string::npos);
  CHECK(error_of(std::string(kBase) + "name: again\n")
            .find("duplicate key (first defined at line 1)") != std::string::npos);
}

TEST_CASE("an override (--set) changes a scalar and is validated like the file") {
  const Scenario s = load_scenario_text(kBase, "s.yaml", {"sites.public.replicas=12", "seed=7"});
  CHECK(s.sites[1].site.deployment.replicas == 12);
  CHECK(s.seed == 7);
  // A key the file does not have is created (it has a default).
  const Scenario m = load_scenario_text(kBase, "s.yaml", {"metrics.bucket=10s"});
  CHECK(m.metrics.bucket == sim::seconds(10));
  CHECK(error_of(kBase, {"sites.public.replicas=-1"}) ==
        "--set 'sites.public.replicas=-1':1:23: sites.public.replicas: must be >= 0, found -1");
  CHECK(error_of(kBase, {"sites.public.replicaz=3"}) ==
        "--set 'sites.public.replicaz=3':1:23: sites.public.replicaz: unknown key; did you mean "
        "'replicas'?");
  CHECK(error_of(kBase, {"sites.public=3"})
            .find("is a map of settings; --set changes single values") != std::string::npos);
  CHECK(error_of(kBase, {"nonsense"}) == "--set 'nonsense':1:1: expected path.to.key=value");
  CHECK(error_of(kBase, {"duration.x=1"}) ==
        "--set 'duration.x=1':1:12: duration.x: does not name a setting of this scenario");
  CHECK(error_of(kBase, {"gslb.weights.mars=5"}).find("no site named 'mars'") != std::string::npos);
}

TEST_CASE("an override (--set) of ~ removes a setting, so another can take its place") {
  const std::string hpa =
      "    autoscaler:\n      hpa:\n        maxReplicas: 20\n        metrics:\n"
      "          - {type: Resource, resource: {name: cpu, target: {type: Utilization, "
      "averageUtilization: 60}}}\n";
  const std::string text = replace(kBase, "    replicas: 10\n", "    replicas: 10\n" + hpa);
  CHECK(std::string(autoscaler_kind_name(load_scenario_text(text, "s.yaml").sites[1].autoscaler)) ==
        "hpa");
  // Adding a second policy without removing the first is an error; removing it makes room.
  CHECK(error_of(text, {"sites.public.autoscaler.knative.max=30"}).find("exactly one autoscaler") !=
        std::string::npos);
  const Scenario k = load_scenario_text(
      text, "s.yaml", {"sites.public.autoscaler.hpa=~", "sites.public.autoscaler.knative.max=30"});
  CHECK(std::string(autoscaler_kind_name(k.sites[1].autoscaler)) == "knative");
  // A removed optional scalar takes its default; a removed required key is reported missing.
  CHECK(load_scenario_text(kBase, "s.yaml", {"sites.public.rtt=~"}).sites[1].site.rtt ==
        sim::SimTime{});
  CHECK(error_of(kBase, {"duration=~"}).find("duration") != std::string::npos);
  CHECK(error_of(kBase, {"sites.private.rtt=~"}).find("does not name a setting") !=
        std::string::npos);
}

TEST_CASE("an override (--set) on one site leaves a YAML alias shared with another site alone") {
  const std::string text = R"(name: t
duration: 1m
traffic: {rate: 1/s, request: {cpu: {dist: constant, value: 10ms}}}
sites:
  a:
    cloud: private
    replicas: 1
    deployment: &app
      pod: {cpu: 1}
  b:
    cloud: public
    replicas: 1
    deployment: *app
)";
  const Scenario s = load_scenario_text(text, "s.yaml", {"sites.b.deployment.pod.cpu=4"});
  CHECK(s.sites[0].site.deployment.pod.cores == 1);
  CHECK(s.sites[1].site.deployment.pod.cores == 4);
}

TEST_CASE("profiles and distributions of every kind load") {
  const std::string flash = replace(
      kBase, "rate: 100/s",
      "rate: {profile: flash_crowd, base: 20/s, shock: 20, decay: 4, start: 10m, unit: 1m}");
  const Scenario s = load_scenario_text(flash, "s.yaml");
  // Ari et al.: ramp-up 1/log10(21) = 0.756 units, peak = 20 x base.
  CHECK(s.open.rate.max_value() == Approx(400));
  CHECK(s.open.rate.value(sim::minutes(10) + sim::seconds(45) + sim::milliseconds(364)) ==
        Approx(400).epsilon(0.01));
  const std::string steps =
      replace(kBase, "rate: 100/s",
              "rate: {profile: steps, steps: [{at: 0s, value: 5/s}, {at: 5m, value: 50/s}]}");
  CHECK(load_scenario_text(steps, "s.yaml").open.rate.value(sim::minutes(6)) == 50);
  const std::string back =
      replace(kBase, "rate: 100/s",
              "rate: {profile: steps, steps: [{at: 5m, value: 5/s}, {at: 1m, value: 50/s}]}");
  CHECK(error_of(back).find("step times must increase") != std::string::npos);
  const std::string ln = replace(kBase, "{dist: exponential, mean: 40ms}",
                                 "{dist: lognormal, median: 6s, sigma: 0.3}");
  CHECK(load_scenario_text(ln, "s.yaml").open.demand.mean() == Approx(6 * std::exp(0.045)));
  const std::string both =
      replace(kBase, "{dist: exponential, mean: 40ms}", "{dist: lognormal, median: 6s, cv: 0.3}");
  CHECK(error_of(both).find("either mean and cv, or median and sigma") != std::string::npos);
  const std::string gam =
      replace(kBase, "{dist: exponential, mean: 40ms}", "{dist: gamma, mean: 40ms, cv: 0.5}");
  CHECK(load_scenario_text(gam, "s.yaml").open.demand.scv() == Approx(0.25));
}

TEST_CASE("narration and expectations load") {
  const std::string text =
      std::string(kBase) +
      "expect: {apdex_min: 0.9, rt_p95_max_s: 1.5, sites: {public: {error_rate_max: 0.01}}}\n"
      "narration:\n  - {at: 0s, text: start}\n  - {at: 5m, text: later}\n";
  const Scenario s = load_scenario_text(text, "s.yaml");
  CHECK(*s.expect.apdex_min == 0.9);
  CHECK(*s.expect.rt_p95_max_s == 1.5);
  REQUIRE(s.site_expect.size() == 1);
  CHECK(*s.site_expect[0].expect.error_rate_max == 0.01);
  REQUIRE(s.narration.size() == 2);
  CHECK(s.narration[1].at == sim::minutes(5));
  CHECK(error_of(std::string(kBase) + "narration:\n  - {at: 5m, text: b}\n  - {at: 1m, text: a}\n")
            .find("narration times must not go back") != std::string::npos);
  CHECK(error_of(std::string(kBase) + "expect: {apdex_min: 1.5}\n").find("must be <= 1") !=
        std::string::npos);
}

TEST_CASE("cluster keys: nodes, autoscale, startup and strategy are validated") {
  CHECK(error_of(replace(kBase, "    replicas: 4\n",
                         "    replicas: 4\n    nodes: {count: 2, cpu: 4, autoscale: {max: 5}}\n"))
            .find("sites.private.nodes.autoscale: a private cloud has fixed capacity") !=
        std::string::npos);
  const Scenario ok = load_scenario_text(
      replace(kBase, "    replicas: 10\n",
              "    replicas: 10\n    nodes: {count: 2, cpu: 8, autoscale: {max: 9}}\n"),
      "s.yaml");
  REQUIRE(ok.sites[1].node_autoscaler.has_value());
  CHECK(ok.sites[1].site.node_groups[0].max == 9);
  CHECK(ok.sites[1].site.node_groups[0].min == 2);  // defaults to the initial count
  CHECK(error_of(replace(kBase, "pod: {cpu: 500m}",
                         "pod: {cpu: 500m}\n      startup: {pull: {bandwidth: 100MB}}"))
            .find("is not a bandwidth") != std::string::npos);
  CHECK(error_of(replace(kBase, "pod: {cpu: 500m}",
                         "pod: {cpu: 500m}\n      strategy: {maxSurge: 150%x}"))
            .find("is not an integer or a percentage") != std::string::npos);
  CHECK(error_of(replace(kBase, "pod: {cpu: 500m}",
                         "pod: {cpu: 500m}\n      startup: {readiness: {periodSecond: 5}}"))
            .find("did you mean 'periodSeconds'?") != std::string::npos);
}

TEST_CASE("autoscaler keys: one policy, Kubernetes shapes, metrics the simulation has") {
  const std::string hpa =
      "    autoscaler:\n      hpa:\n        maxReplicas: 20\n        metrics:\n"
      "          - {type: Pods, pods: {metric: {name: requests_per_secnd}, target: {type: "
      "AverageValue, averageValue: 10}}}\n";
  CHECK(error_of(replace(kBase, "    replicas: 10\n", "    replicas: 10\n" + hpa))
            .find("the simulation has no metric 'requests_per_secnd'; did you mean "
                  "'requests_per_second'?") != std::string::npos);
  const std::string two =
      "    autoscaler: {scheduled: [{at: 0s, replicas: 3}], knative: {max: 4}}\n";
  CHECK(error_of(replace(kBase, "    replicas: 10\n", "    replicas: 10\n" + two))
            .find("exactly one autoscaler") != std::string::npos);
  const std::string sched =
      "    autoscaler: {knative: {max: 4}, schedule: [{at: 0s, replicas: 3}]}\n";
  CHECK(error_of(replace(kBase, "    replicas: 10\n", "    replicas: 10\n" + sched))
            .find("it needs hpa:") != std::string::npos);
  const std::string behavior =
      "    autoscaler:\n      hpa:\n        maxReplicas: 20\n        behavior:\n"
      "          scaleUp: {policies: [{type: Pods, value: 4, periodSeconds: 2000}]}\n";
  CHECK(error_of(replace(kBase, "    replicas: 10\n", "    replicas: 10\n" + behavior))
            .find("must be <= 1800") != std::string::npos);
  const std::string good =
      "    autoscaler:\n      hpa:\n        minReplicas: 2\n        maxReplicas: 20\n        "
      "metrics:\n"
      "          - {type: Resource, resource: {name: memory, target: {type: AverageValue, "
      "averageValue: 512Mi}}}\n"
      "          - {type: External, external: {metric: {name: queue_length}, target: {type: Value, "
      "value: 1k}}}\n"
      "        behavior: {scaleDown: {selectPolicy: Min, stabilizationWindowSeconds: 60}}\n";
  const Scenario s = load_scenario_text(
      replace(kBase, "    replicas: 10\n", "    replicas: 10\n" + good), "s.yaml");
  const auto& spec = std::get<HpaPolicy>(s.sites[1].autoscaler.policy).spec;
  CHECK(std::holds_alternative<HpaPolicy>(s.sites[1].autoscaler.policy));
  REQUIRE(spec.metrics.size() == 2);
  CHECK(spec.metrics[0].value_milli == int64_t{512} * 1024 * 1024 * 1000);
  CHECK(spec.metrics[1].value_milli == 1000000);
  REQUIRE(spec.behavior->scale_down.has_value());
  CHECK(*spec.behavior->scale_down->stabilization_window_s == 60);
}

TEST_CASE("an HPA manifest file is read strictly, with errors in the manifest's own name") {
  const std::string dir = std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/";
  const std::string with_file =
      replace(kBase, "    replicas: 10\n",
              "    replicas: 10\n    autoscaler: {hpa_file: hpa/portal-hpa.yaml}\n");
  const Scenario s = load_scenario_text(with_file, dir + "x.yaml");
  const auto& manifest = std::get<HpaPolicy>(s.sites[1].autoscaler.policy);
  CHECK(manifest.spec.max_replicas == 60);
  CHECK(manifest.manifest_file == dir + "hpa/portal-hpa.yaml");
  CHECK(manifest.spec.behavior.has_value());
  const std::string missing = replace(kBase, "    replicas: 10\n",
                                      "    replicas: 10\n    autoscaler: {hpa_file: nope.yaml}\n");
  CHECK(error_of(missing).find("cannot read HPA manifest 'nope.yaml'") != std::string::npos);
  const std::string tmp = "/tmp/hcsim-bad-hpa.yaml";
  {
    std::ofstream(tmp) << "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n  "
                          "maxReplicas: 5\n  minReplica: 1\n";
  }
  const std::string bad = replace(kBase, "    replicas: 10\n",
                                  "    replicas: 10\n    autoscaler: {hpa_file: " + tmp + "}\n");
  CHECK(error_of(bad) == tmp + ":5:3: spec.minReplica: unknown key; did you mean 'minReplicas'?");
}

TEST_CASE("rollout events name an existing site and a valid strategy") {
  CHECK(error_of(std::string(kBase) +
                 "events:\n  - {at: 1m, rollout: {site: pubic, image: {name: a:2}}}\n")
            .find("no site named 'pubic'; did you mean 'public'?") != std::string::npos);
  CHECK(error_of(std::string(kBase) + "events:\n  - {at: 1m, rollout: {site: public, image: {name: "
                                      "a:2}, maxSurge: 0, maxUnavailable: 0}}\n")
            .find("cannot both be 0") != std::string::npos);
  const Scenario s = load_scenario_text(std::string(kBase) +
                                            "events:\n  - {at: 1m, rollout: {site: public, image: "
                                            "{name: a:2, size: 1GB}, maxSurge: 50%}}\n",
                                        "s.yaml");
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0].image.size_bytes == 1e9);
  CHECK(s.events[0].strategy.max_surge.value == 50);
  CHECK(s.events[0].strategy.max_surge.percent);
}

namespace {
// kBase with its gslb section replaced.
std::string with_gslb(const std::string& gslb) {
  return replace(kBase, "gslb:\n  policy: weighted\n  weights: {private: 30, public: 70}\n", gslb);
}
bool has(const std::string& text, const std::string& needle) {
  INFO(text);
  return text.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("gslb keys: policies, DNS, health checks, failover order") {
  const Scenario s = load_scenario_text(
      with_gslb("gslb:\n  policy: failover\n  order: [public, private]\n  fail_open: false\n"
                "  dns: {ttl: 20s, resolvers_per_region: 50, stale_clients: none}\n"
                "  health_check: {interval: 10s, timeout: 2s, failure_threshold: 2, "
                "success_threshold: 4}\n"),
      "s.yaml");
  CHECK(s.gslb.dns);
  CHECK(s.gslb.dns_cfg.policy == models::GslbPolicy::kFailover);
  CHECK(s.gslb.dns_cfg.failover_order == std::vector<int>{1, 0});
  CHECK_FALSE(s.gslb.dns_cfg.fail_open);
  CHECK(s.gslb.dns_cfg.ttl == sim::seconds(20));
  CHECK(s.gslb.dns_cfg.stale.honor == 1.0);
  CHECK(s.gslb.dns_cfg.health.success_threshold == 4);
  // Without dns or health checks, weighted stays a per-request split.
  CHECK_FALSE(load_scenario_text(kBase, "s.yaml").gslb.dns);
  CHECK(has(error_of(with_gslb("gslb:\n  policy: lateny\n")), "did you mean 'latency'?"));
  CHECK(has(error_of(with_gslb("gslb:\n  policy: failover\n  weights: {private: 1}\n")),
            "weights: are for policy: weighted"));
  CHECK(has(error_of(with_gslb("gslb:\n  policy: failover\n  order: [private, private]\n")),
            "listed twice"));
  CHECK(has(error_of(with_gslb(
                "gslb:\n  dns: {stale_clients: {honor: 0.5, floor: 0.3, violators: 0.1}}\n")),
            "add up to 1"));
  CHECK(has(error_of(with_gslb("gslb:\n  dns: {ttl: 30}\n")), "gslb.dns.ttl"));
  CHECK(has(error_of(with_gslb("gslb:\n  health_check: {interval: 10s, treshold: 3}\n")),
            "treshold"));
}

TEST_CASE("topology: regions, hubs and links are checked against the sites") {
  const std::string topo =
      "topology:\n  regions: {seoul: {share: 0.7}, busan: {share: 0.3}}\n  hubs: [ix]\n  links:\n"
      "    - {from: seoul, to: private, latency: 3ms}\n    - {from: seoul, to: ix, latency: 1ms}\n"
      "    - {from: ix, to: public, latency: 5ms}\n    - {from: busan, to: ix, latency: 4ms}\n";
  const std::string base = replace(kBase, "    rtt: 8ms\n", "");
  const Scenario s = load_scenario_text(base + topo, "s.yaml");
  CHECK(s.topology.regions.size() == 2);
  CHECK(s.topology.links.size() == 4);
  CHECK(has(error_of(std::string(kBase) + topo),
            "round trips come from its links: remove sites.public.rtt"));
  CHECK(has(error_of(base + replace(topo, "to: ix, latency: 4ms", "to: ixx, latency: 4ms")),
            "link to 'ixx': not a region, hub or site"));
  CHECK(has(error_of(base + replace(topo, "    - {from: busan, to: ix, latency: 4ms}\n", "")),
            "region 'busan' has no path to any site"));
}

TEST_CASE("closed traffic: users, think time and the client policy") {
  const std::string closed =
      replace(kBase, "  rate: 100/s\n",
              "  kind: closed\n  users: {profile: steps, steps: [{at: 0s, value: 100}, {at: 5m, "
              "value: 300}]}\n  think_time: {dist: exponential, mean: 4s}\n"
              "  client: {timeout: 5s, retries: {count: 2, backoff: 200ms, jitter: 0.3}, "
              "abandon: {after_failures: 3, pause: 2m}}\n");
  const Scenario s = load_scenario_text(closed, "s.yaml");
  CHECK(s.traffic_kind == TrafficKind::kClosed);
  CHECK(s.closed.users.value(sim::minutes(6)) == 300);
  CHECK(s.closed.client.retries == 2);
  CHECK(s.closed.client.abandon_after == 3);
  CHECK(has(error_of(replace(closed, "  users:", "  rate: 10/s\n  users:")),
            "closed traffic has users, not a rate"));
  CHECK(has(error_of(replace(kBase, "  rate: 100/s\n",
                             "  rate: 100/s\n  think_time: {dist: constant, value: 1s}\n")),
            "belongs to closed traffic"));
  CHECK(has(error_of(replace(closed, "count: 2", "count: -1")), "traffic.client.retries.count"));
}

TEST_CASE("outage events, random faults, replication, SLO, DR presets and the new gates") {
  const std::string dns =
      with_gslb("gslb:\n  weights: {private: 30, public: 70}\n  dns: {ttl: 30s}\n");
  const std::string writes =
      replace(dns, "    cpu: {dist: exponential, mean: 40ms}\n",
              "    cpu: {dist: exponential, mean: 40ms}\n    write_fraction: 0.1\n");
  const Scenario s = load_scenario_text(
      writes +
          "events:\n  - {at: 1m, outage: {site: private, kind: partition, from: gslb, duration: "
          "2m}}\n"
          "  - {at: 2m, gslb: {weights: {private: 50, public: 50}}}\n  - {at: 3m, gslb: {ttl: "
          "5s}}\n"
          "  - {at: 4m, gslb: {drain: private}}\n  - {at: 5m, scale: {site: public, replicas: "
          "20}}\n"
          "faults: [{site: public, kind: brownout, factor: 0.5, mtbf: 1h, mttr: 5m}]\n"
          "replication: {from: private, to: public, lag: {dist: exponential, mean: 1s}}\n"
          "slo: {success_ratio: 0.995, rt_p95: 500ms, window: 2m}\n"
          "expect: {rto_max_s: 300, rpo_max_s: 10, cost_max: 50}\n",
      "s.yaml");
  REQUIRE(s.faults.size() == 1);
  CHECK(s.faults[0].spec.kind == models::FaultKind::kPartition);
  CHECK_FALSE(s.faults[0].spec.from_clients);
  CHECK(s.faults[0].duration == sim::minutes(2));
  CHECK(s.events.size() == 4);
  CHECK(s.random_faults.size() == 1);
  CHECK(s.replication.size() == 1);
  CHECK(s.slo.window == sim::minutes(2));
  CHECK(*s.expect.rto_max_s == 300);

  CHECK(has(error_of(std::string(kBase) + "events:\n  - {at: 1m, gslb: {ttl: 5s}}\n"),
            "needs a DNS-based GSLB"));
  CHECK(has(error_of(dns + "events:\n  - {at: 1m, outage: {site: private, kind: partial}}\n"),
            "the site needs nodes"));
  CHECK(has(error_of(dns + "events:\n  - {at: 1m, outage: {site: private, factor: 0.5}}\n"),
            "factor: is for kind: brownout"));
  CHECK(has(error_of(dns + "events:\n  - {at: 1m, outage: {site: privat}}\n"),
            "did you mean 'private'?"));
  CHECK(has(error_of(dns + "events:\n  - {at: 1m}\n"), "an event needs one action"));
  CHECK(
      has(error_of(dns +
                   "replication: {from: private, to: public, lag: {dist: constant, value: 1s}}\n"),
          "replication needs writes"));
  CHECK(
      has(error_of(writes +
                   "replication: {from: private, to: private, lag: {dist: constant, value: 1s}}\n"),
          "does not replicate to itself"));
  CHECK(has(error_of(writes + "replication: {from: private, to: public, mode: sync, lag: {dist: "
                              "constant, value: 1s}}\n"),
            "lag: is for mode: async"));
  CHECK(has(error_of(dns + "expect: {sites: {public: {rto_max_s: 10}}}\n"), "run-level gate"));
  CHECK(has(error_of(dns + "dr: {preset: pilot-light, primary: private, standby: private}\n"),
            "must differ from the primary"));
  CHECK(has(error_of(with_gslb("gslb:\n  policy: latency\n") +
                     "dr: {preset: warm-standby, primary: private, standby: public}\n"),
            "needs gslb policy: failover"));
}

TEST_CASE("DR presets prepare the standby and the GSLB") {
  const Scenario warm = load_scenario_text(
      with_gslb("") +
          "dr: {preset: warm-standby, primary: private, standby: public, standby_replicas: 2}\n",
      "s.yaml");
  CHECK(warm.gslb.dns);
  CHECK(warm.gslb.dns_cfg.policy == models::GslbPolicy::kFailover);
  CHECK(warm.gslb.dns_cfg.failover_order == std::vector<int>{0, 1});
  CHECK(warm.sites[1].site.deployment.replicas == 2);
  CHECK(warm.dr.activate_replicas == 4);  // the primary's size
  const Scenario pilot = load_scenario_text(
      with_gslb("") +
          "dr: {preset: pilot-light, primary: public, standby: private, activate_replicas: 6}\n",
      "s.yaml");
  CHECK(pilot.sites[0].site.deployment.replicas == 0);
  CHECK(pilot.gslb.dns_cfg.failover_order == std::vector<int>{1, 0});
  CHECK(pilot.dr.activate_replicas == 6);
  CHECK(
      has(error_of(with_gslb("") + "dr: {preset: warm-standby, primary: private, standby: public, "
                                   "activate_replicas: 0}\n"),
          "needs an autoscaler"));
  CHECK(has(error_of(std::string(kBase) +
                     "dr: {preset: warm-standby, primary: private, standby: public}\n"),
            "needs gslb policy: failover"));
}

TEST_CASE("the data tier: throughput, promotion, write paths and their mistakes") {
  const std::string dns =
      with_gslb("gslb:\n  weights: {private: 30, public: 70}\n  dns: {ttl: 30s}\n");
  const std::string writes =
      replace(dns, "    cpu: {dist: exponential, mean: 40ms}\n",
              "    cpu: {dist: exponential, mean: 40ms}\n    write_fraction: 0.1\n");
  const std::string aa = "dr: {preset: active-active, primary: private, standby: public";
  const std::string link =
      "replication: {from: private, to: public, lag: {dist: constant, "
      "value: 1s}";
  const std::string back = "  - {from: public, to: private, lag: {dist: constant, value: 1s}}\n";
  // Defaults: a primary write path, the round trip between the sites through the clients (no
  // topology here: 3 ms + 8 ms), RDS's 60-120 s promotion, unlimited throughput.
  const Scenario plain = load_scenario_text(writes + aa + "}\n" + link + "}\n", "s.yaml");
  CHECK(plain.dr.write_path == models::WriteMode::kPrimary);
  CHECK_FALSE(plain.dr.write_rtt);
  CHECK(plain.replication[0].throughput == 0);
  CHECK(plain.replication[0].promotion.mean() == Approx(90));
  const Scenario tuned =
      load_scenario_text(writes + aa + ", write_rtt: 12ms}\n" + link +
                             ", throughput: 500/s, promotion: {dist: constant, value: 30s}}\n",
                         "s.yaml");
  CHECK(*tuned.dr.write_rtt == sim::milliseconds(12));
  CHECK(tuned.replication[0].throughput == 500);
  CHECK(tuned.replication[0].promotion.mean() == 30);
  const Scenario multi = load_scenario_text(
      writes + aa +
          ", write_path: multi-primary, keys: 50000}\nreplication:\n  - {from: private, "
          "to: public, lag: {dist: constant, value: 1s}}\n" +
          back,
      "s.yaml");
  CHECK(multi.dr.write_path == models::WriteMode::kMultiPrimary);
  CHECK(multi.dr.keys == 50000);
  CHECK(multi.dr.key_skew == 0.99);
  // Without dr: every site commits its own writes.
  CHECK(load_scenario_text(writes + link + "}\n", "s.yaml").dr.write_path ==
        models::WriteMode::kLocal);

  CHECK(has(error_of(writes + link + ", promotion: {dist: constant, value: 30s}}\n"),
            "promoted only under a dr: section"));
  CHECK(has(error_of(writes + "replication: {from: private, to: public, mode: sync, "
                              "write_latency: 5ms, throughput: 100/s}\n"),
            "throughput: is for mode: async"));
  CHECK(has(error_of(writes + link + ", throughput: 0/s}\n"), "must be between 0.001/s"));
  CHECK(has(error_of(writes + aa + ", write_path: multi-primary, keys: 10}\n" + link + "}\n"),
            "multi-primary needs replication both ways"));
  CHECK(has(error_of(writes + aa + ", write_path: multi-primary}\n" + link + "}\n"), "dr.keys"));
  CHECK(has(error_of(writes + aa + ", keys: 10}\n" + link + "}\n"),
            "keys: is for write_path: multi-primary"));
  CHECK(has(error_of(writes + aa + ", write_path: multi-primary, keys: 10, write_rtt: 5ms}\n" +
                     link + "}\n"),
            "write_rtt"));
  CHECK(has(error_of(writes + aa + ", write_path: multi_primary}\n"),
            "did you mean 'multi-primary'?"));
  CHECK(has(error_of(with_gslb("") + "dr: {preset: warm-standby, primary: private, standby: "
                                     "public, write_path: multi-primary, keys: 10}\n"),
            "it is for preset: active-active"));
  CHECK(
      has(error_of(dns + "expect: {sites: {public: {write_rto_max_s: 10}}}\n"), "run-level gate"));
}

TEST_CASE("site cost keys") {
  const Scenario s = load_scenario_text(
      replace(kBase, "    rtt: 8ms\n",
              "    rtt: 8ms\n    cost: {pod_per_hour: 0.05, node_per_hour: 0.8}\n"),
      "s.yaml");
  CHECK(s.sites[1].has_cost);
  CHECK(s.sites[1].cost.node_per_hour == 0.8);
  CHECK(
      has(error_of(replace(kBase, "    rtt: 8ms\n", "    rtt: 8ms\n    cost: {per_pod_hour: 1}\n")),
          "did you mean 'pod_per_hour'?"));
}

TEST_CASE("inputs as users write them: merge keys, extension keys, Kubernetes quantities") {
  const std::string text = R"(name: merge
duration: 2m
x-pod: &pod {cpu: 500m, concurrency: 8, queue: 64, memory: 512Mi}
traffic:
  rate: 50/s
  request: {cpu: {dist: exponential, mean: 20ms}}
gslb: {policy: weighted, weights: {private: 30, public: 70}}
sites:
  private:
    cloud: private
    replicas: 2
    nodes: {count: 2, cpu: 4000m}
    deployment: &dep
      pod: *pod
      balancing: random
      memory_usage: {base: 0.25Gi, per_request: 1048576}
  public:
    cloud: public
    replicas: 3
    deployment:
      <<: *dep
      balancing: round-robin
)";
  const Scenario s = load_scenario_text(text, "m.yaml", {"sites.public.deployment.pod.cpu=1.5"});
  const auto& priv = s.sites[0].site;
  const auto& pub = s.sites[1].site;
  CHECK(priv.balancing == models::Balancing::kRandom);
  CHECK(pub.balancing == models::Balancing::kRoundRobin);  // written beside the merge: it wins
  CHECK(priv.deployment.pod.cores == Approx(0.5));
  CHECK(pub.deployment.pod.cores == Approx(1.5));  // the override reaches the merged copy only
  CHECK(priv.deployment.memory.request_bytes == 512.0 * 1048576);
  CHECK(pub.deployment.memory.request_bytes == 512.0 * 1048576);
  CHECK(priv.deployment.memory.base_bytes == Approx(0.25 * 1073741824.0));
  CHECK(priv.deployment.memory.per_request_bytes == 1048576);
  CHECK(priv.node_groups[0].shape.cpu == Approx(4));
  // A memory of 500m (milli-bytes) is a slip: the message says what was probably meant.
  CHECK(error_of(text, {"sites.private.deployment.pod.memory=500m"})
            .find("did you mean 500M or 500Mi") != std::string::npos);
  // Other extension keys are not allowed at other levels.
  CHECK(error_of(text, {"sites.private.x-note=1"}).find("unknown key") != std::string::npos);
}

TEST_CASE("One quantity parser reads CPU, sizes and memory as Kubernetes writes them") {
  std::string e;
  CHECK(*config::parse_cpu("1.5", &e) == 1.5);
  CHECK(*config::parse_cpu("500m", &e) == Approx(0.5));
  CHECK(*config::parse_cpu("1e3m", &e) == Approx(1));
  CHECK(*config::parse_size("512Mi", &e) == 512.0 * 1048576);
  CHECK(*config::parse_size("1Gi", &e) == 1073741824.0);
  CHECK(*config::parse_size("1G", &e) == 1e9);
  CHECK(*config::parse_size("600MB", &e) == 600e6);
  CHECK_FALSE(config::parse_size("600", &e));                        // an image size needs its unit
  CHECK(*config::parse_size("536870912", &e, true) == 536870912.0);  // a memory quantity may not
  CHECK_FALSE(config::parse_size("2Qi", &e));
  CHECK(e.find("unknown size unit 'Qi'") != std::string::npos);
  CHECK(*config::parse_quantity_milli("0.1m", &e) == 1);  // rounded up, as Kubernetes does
}

TEST_CASE("An override replaces a map with a value and back, a whole setting, a list item") {
  const std::string closed = R"(name: u
duration: 2m
traffic:
  kind: closed
  users: {profile: flash_crowd, base: 100, shock: 5, decay: 2, start: 1m, unit: 1m}
  think_time: {dist: exponential, mean: 5s}
  request: {cpu: {dist: exponential, mean: 20ms}}
sites:
  a:
    cloud: private
    replicas: 2
    deployment: {pod: {cpu: 1}}
narration:
  - {at: 0s, text: zero}
  - {at: 1m, text: one}
  - {at: 90s, text: two}
)";
  // A single value in place of the profile map: the map's keys are dropped with it.
  const Scenario flat = load_scenario_text(closed, "u.yaml", {"traffic.users=200000"});
  CHECK(flat.closed.users.value(sim::seconds(70)) == 200000);
  // Another kind of profile in one argument: the old kind's keys (base, shock ...) are gone.
  const Scenario ramp = load_scenario_text(
      closed, "u.yaml", {"traffic.users={profile: ramp, from: 10, to: 1010, duration: 100s}"});
  CHECK(ramp.closed.users.value(sim::seconds(50)) == Approx(510));
  // And a map where the file has a single value.
  const std::string scalar = replace(closed,
                                     "  users: {profile: flash_crowd, base: 100, shock: "
                                     "5, decay: 2, start: 1m, unit: 1m}",
                                     "  users: 300");
  const Scenario back = load_scenario_text(
      scalar, "u.yaml", {"traffic.users.profile=constant", "traffic.users.value=40"});
  CHECK(back.closed.users.value(sim::seconds(10)) == 40);
  // A list item removed, another replaced; the rest keep their indexes.
  const Scenario lines = load_scenario_text(
      closed, "u.yaml", {"narration[1]=~", "narration[2]={at: 100s, text: new}"});
  REQUIRE(lines.narration.size() == 2);
  CHECK(lines.narration[1].text == "new");
  // Errors inside such a value name the argument, at the column of the mistake.
  const std::string e = error_of(closed, {"traffic.users={profile: ramp, frm: 1}"});
  CHECK(e.find("--set 'traffic.users={profile: ramp, frm: 1}':1:31: traffic.users.frm: unknown "
               "key; did you mean 'from'?") == 0);
  CHECK(error_of(closed, {"narration[7]=~"}).find("--set 'narration[7]=~'") == 0);
  CHECK(error_of(closed, {"traffic.users={profile: ramp"}).find("YAML syntax error") !=
        std::string::npos);
}

TEST_CASE("An override reaches into the HPA manifest that hpa_file names") {
  const std::string file =
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/hpa-flash-crowd.yaml";
  const Scenario s = load_scenario_file(file, {"sites.public.autoscaler.hpa.maxReplicas=7"});
  const auto* hpa = std::get_if<HpaPolicy>(&s.sites[1].autoscaler.policy);
  REQUIRE(hpa != nullptr);
  CHECK_FALSE(hpa->manifest_file.empty());
  CHECK(hpa->spec.max_replicas == 7);
  try {
    (void)load_scenario_file(file, {"sites.public.autoscaler.hpa.maxReplica=7"});
    FAIL("accepted");
  } catch (const ScenarioError& x) {
    CHECK(std::string(x.what()).find("--set 'sites.public.autoscaler.hpa.maxReplica=7'") == 0);
    CHECK(std::string(x.what()).find("did you mean 'maxReplicas'") != std::string::npos);
  }
}

TEST_CASE("A trace CSV may start with comments and a header") {
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string csv = dir + "/hcsim-trace-" + std::to_string(::getpid()) + ".csv";
  std::ofstream(csv) << "\xEF\xBB\xBF# exported from the portal's access logs\n\n  # per minute\n"
                        "t,rate\n0,10\n60,20\n";
  const std::string text =
      replace(kBase, "rate: 100/s", "rate: {profile: trace, file: " + csv + "}");
  const Scenario s = load_scenario_text(text, "s.yaml");
  CHECK(s.open.rate.value(sim::seconds(61)) == Approx(20));
  std::ofstream(csv) << "t,rate\n0,10\nt,rate\n";
  CHECK(error_of(text).find(csv + ":3:1:") == 0);  // a second header is an error
  std::filesystem::remove(csv);
}

TEST_CASE("a cloud setting on a node group that never asks for nodes is warned about") {
  // A fixed public group (no autoscale:, no spot:) never waits for capacity: stockouts, a
  // shortage process and capacity_error_after change nothing, and each says so where it is.
  const std::string fixed =
      replace(kBase, "    rtt: 8ms\n",
              "    rtt: 8ms\n    nodes: {count: 3, cpu: 16, capacity_error_after: 30s,\n"
              "            stockouts: [{at: 1m, duration: 2m}]}\n");
  const Scenario s = load_scenario_text(fixed, "s.yaml");
  REQUIRE(s.warnings.size() == 2);
  CHECK(s.warnings[0].find("s.yaml:17:") == 0);
  CHECK(s.warnings[0].find("a shortage changes nothing") != std::string::npos);
  CHECK(s.warnings[1].find("s.yaml:16:") == 0);
  CHECK(s.warnings[1].find("capacity_error_after changes nothing") != std::string::npos);
  // With autoscale the same settings are meaningful: no warning.
  const std::string scaled = replace(fixed, "capacity_error_after: 30s,",
                                     "capacity_error_after: 30s, autoscale: {max: 6},");
  CHECK(load_scenario_text(scaled, "s.yaml").warnings.empty());
}

TEST_CASE("a variant extends a scenario with set: overrides and its own narration") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("hcsim-variant-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "v");
  std::ofstream(dir / "base.yaml") << kBase << "narration:\n  - {at: 1m, text: \"base\"}\n";
  const std::string variant = (dir / "v" / "small.yaml").string();
  auto write = [&](const std::string& text) { std::ofstream(variant) << text; };
  write(R"(# a variant
extends: ../base.yaml
name: t-small
description: "fewer requests: a variant"
set:
  traffic.rate: 10/s
  sites.public.replicas: 2
  gslb.weights: {private: 50, public: 50}
narration:
  - {at: 2m, text: "small"}
)");
  const Scenario s = load_scenario_file(variant);
  CHECK(s.name == "t-small");
  CHECK(s.description == "fewer requests: a variant");
  CHECK(s.open.rate.value(sim::seconds(1)) == 10);
  CHECK(s.sites[1].site.deployment.replicas == 2);
  CHECK(s.gslb.weights == std::vector<double>{50, 50});
  REQUIRE(s.narration.size() == 1);
  CHECK(s.narration[0].text == "small");
  // The results keep the base's text and the variant as overrides: they load it again alone.
  CHECK(s.source_file == (dir / "v" / ".." / "base.yaml").string());
  const Scenario again = load_scenario_text(s.source_text, s.source_file, s.overrides);
  CHECK(again.name == "t-small");
  CHECK(again.sites[1].site.deployment.replicas == 2);
  CHECK(again.narration.at(0).text == "small");
  // The command line wins over the variant's set:.
  CHECK(
      load_scenario_file(variant, {"sites.public.replicas=3"}).sites[1].site.deployment.replicas ==
      3);
  // Mistakes name the variant file, line and column, and the key.
  auto error = [&](const std::string& text) {
    write(text);
    try {
      load_scenario_file(variant);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(error("extends: ../base.yaml\nset:\n  sites.public.replicas: ten\n"),
             Catch::StartsWith(variant + ":3:26: sites.public.replicas:"));
  CHECK_THAT(error("extends: ../base.yaml\nset:\n  sites.public.replica: 2\n"),
             Catch::Contains(variant +
                             ":3:25: sites.public.replica: unknown key; did you mean 'replicas'?"));
  CHECK_THAT(error("extends: ../base.yaml\nduration: 5m\n"),
             Catch::Contains(variant + ":2:1: duration: a variant (extends:) takes name"));
  CHECK_THAT(error("extends: ../nope.yaml\n"),
             Catch::Contains(variant + ":1:10: extends: no such file"));
  std::ofstream(dir / "v" / "chain.yaml") << "extends: ../base.yaml\n";
  CHECK_THAT(error("extends: chain.yaml\n"), Catch::Contains("is itself a variant"));
  std::filesystem::remove_all(dir);
}
