#include <catch2/catch.hpp>

#include <string>

#include "runner/scenario_loader.h"

using namespace runner;

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
