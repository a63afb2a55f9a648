// Staging sites and promotions (config role: staging, test_traffic, events promote): no user
// request ever reaches a staging site, whatever the GSLB policy and even when it fails open; its
// test traffic stays out of the overall figures; a promotion's analysis promotes, halts or starts
// over as models/site/promotion.h describes.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "config/loader.h"
#include "engine/run.h"
#include "sim/memory_recorder.h"

namespace {

// Two sites: `staging` (private, 20 req/s of test traffic) and `prod` (public), users on an
// open 100/s, with `extra` appended (gslb:, events:).
std::string scenario(const std::string& extra, const std::string& test_rate = "20/s") {
  return R"(
name: staging
duration: 20m
seed: 7
traffic:
  rate: 100/s
  request: {cpu: {dist: exponential, mean: 20ms}}
topology:
  regions: {here: {share: 1}}
  links:
    - {from: here, to: staging, latency: 1ms}
    - {from: here, to: prod, latency: 10ms}
sites:
  staging:
    cloud: private
    role: staging
    test_traffic: {rate: )" +
         test_rate + R"(}
    replicas: 2
    deployment:
      image: {name: app:1, size: 100MB}
      pod: {cpu: 1, concurrency: 8, queue: 64}
      startup: {pull: {bandwidth: 100MB/s}}
  prod:
    cloud: public
    replicas: 4
    deployment:
      image: {name: app:1, size: 100MB}
      pod: {cpu: 1, concurrency: 8, queue: 64}
      startup: {pull: {bandwidth: 100MB/s}}
)" + extra;
}

struct Ran {
  sim::MemoryRecorder rec;
  engine::RunResult r;
};

std::unique_ptr<Ran> run(const std::string& text) {
  const config::Scenario s = config::load_scenario_text(text, "staging.yaml");
  auto d = std::make_unique<Ran>();
  d->r = engine::execute(s, s.seed, d->rec, {});
  REQUIRE(d->r.status == "completed");
  return d;
}

double sum(const sim::MemoryRecorder& rec, const std::string& entity, const std::string& field) {
  double acc = 0;
  for (const auto* row : rec.rows(entity == "all" ? "overall" : "site", entity)) {
    const double v = row->get(field);
    if (!std::isnan(v)) acc += v;
  }
  return acc;
}

std::vector<std::string> messages(const sim::MemoryRecorder& rec, const std::string& component) {
  std::vector<std::string> out;
  for (const auto& e : rec.events_) {
    if (e.component == component) out.push_back(e.message);
  }
  return out;
}

int count_with(const std::vector<std::string>& ms, const std::string& part) {
  int n = 0;
  for (const auto& m : ms) n += m.find(part) != std::string::npos ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("no user request reaches a staging site, whatever the GSLB does") {
  // prod is down for 5 minutes: the GSLB fails open (weighted), prefers the nearer site
  // (latency) or the first in its order (failover); none of them may pick staging.
  const std::string outage =
      "events:\n  - {at: 5m, outage: {site: prod, kind: full, duration: 5m}}\n";
  for (const std::string gslb :
       {"", "gslb: {dns: {ttl: 10s}, health_check: {interval: 10s}}\n",
        "gslb: {policy: latency, dns: {ttl: 10s}, health_check: {interval: 10s}}\n",
        "gslb: {policy: failover, dns: {ttl: 10s}, health_check: {interval: 10s}}\n",
        "gslb: {policy: least-loaded, dns: {ttl: 10s}, health_check: {interval: 10s}}\n"}) {
    INFO(gslb);
    const auto d = run(scenario(gslb + outage));
    // Staging gets its test traffic only (Poisson, 20/s for 1,200 s) ...
    CHECK(sum(d->rec, "staging", "arrivals") == Approx(24000).epsilon(0.04));
    // ... and the users' requests all went to prod (or found no site), all in 'all'.
    CHECK(sum(d->rec, "all", "arrivals") ==
          sum(d->rec, "prod", "arrivals") + sum(d->rec, "all", "failed_no_site"));
    CHECK(sum(d->rec, "all", "arrivals") == Approx(120000).epsilon(0.03));
    CHECK(sum(d->rec, "prod", "failed_site_down") > 0);
    // The summary keeps the staging site apart.
    REQUIRE(d->r.summary.sites.size() == 2);
    CHECK(d->r.summary.sites[0].staging);
    CHECK_FALSE(d->r.summary.sites[1].staging);
    CHECK(d->r.summary.overall.requests == d->r.summary.sites[1].requests);
    // The GSLB never checks staging.
    CHECK(count_with(messages(d->rec, "gslb"), "staging") == 0);
  }
}

TEST_CASE("a staging site's share is not a share of the users' requests") {
  const auto d = run(scenario(""));
  for (const auto* row : d->rec.rows("site", "staging")) CHECK(std::isnan(row->get("share")));
  for (const auto* row : d->rec.rows("site", "prod")) {
    if (row->get("arrivals") > 0) CHECK(row->get("share") == 1.0);
  }
}

TEST_CASE("a promotion waits for staging's rollout, then promotes after its passing checks") {
  const auto d = run(scenario(R"(events:
  - {at: 2m, rollout: {site: staging, image: {name: app:2, size: 100MB}}}
  - {at: 2m, promote: {from: staging, to: prod, analysis: {interval: 30s, iterations: 3}}}
)"));
  const auto ms = messages(d->rec, "promotion");
  CHECK(count_with(ms, "analysis of app:2 on staging started") == 1);
  CHECK(count_with(ms, "passed (") == 3);
  CHECK(count_with(ms, "failed (") == 0);
  CHECK(count_with(ms, "promoted to prod") == 1);
  CHECK(count_with(messages(d->rec, "site/prod"), "rollout to app:2 complete") == 1);
  // The checks come every 30 s after the analysis starts; the rollout at the third.
  std::vector<double> checks;
  double started = -1, rolled = -1;
  for (const auto& e : d->rec.events_) {
    if (e.component == "promotion" && e.message.find("started") != std::string::npos)
      started = e.t.seconds();
    if (e.component == "promotion" && e.message.find("passed (") != std::string::npos)
      checks.push_back(e.t.seconds());
    if (e.component == "site/prod" &&
        e.message.find("rolling update to app:2") != std::string::npos)
      rolled = e.t.seconds();
  }
  REQUIRE(checks.size() == 3);
  CHECK(started > 120);
  CHECK(checks[0] == Approx(started + 30));
  CHECK(checks[2] == Approx(started + 90));
  CHECK(rolled == checks[2]);
}

TEST_CASE("a promotion without test traffic fails its checks and halts") {
  const auto d = run(scenario(R"(events:
  - {at: 1m, promote: {from: staging, to: prod, analysis: {threshold: 3}}}
)",
                              "0/s"));
  const auto ms = messages(d->rec, "promotion");
  CHECK(count_with(ms, "no requests") == 3);
  CHECK(count_with(ms, "halted after 3 failed checks") == 1);
  CHECK(count_with(messages(d->rec, "site/prod"), "rolling update") == 0);
}

TEST_CASE("a promotion starts over when staging gets another release during the analysis") {
  const auto d = run(scenario(R"(events:
  - {at: 1m, rollout: {site: staging, image: {name: app:2, size: 100MB}}}
  - {at: 1m, promote: {from: staging, to: prod, analysis: {interval: 1m, iterations: 5}}}
  - {at: 4m, rollout: {site: staging, image: {name: app:3, size: 100MB}}}
)"));
  const auto ms = messages(d->rec, "promotion");
  CHECK(count_with(ms, "is rolling out app:3: the analysis waits for it and starts over") == 1);
  CHECK(count_with(ms, "analysis of app:3 on staging started") == 1);
  CHECK(count_with(ms, "app:3 passed on staging: promoted to prod") == 1);
  CHECK(count_with(ms, "app:2 passed") == 0);
  CHECK(count_with(messages(d->rec, "site/prod"), "rolling update to app:2") == 0);
  CHECK(count_with(messages(d->rec, "site/prod"), "rollout to app:3 complete") == 1);
}

TEST_CASE("a stricter analysis limit fails the check that a looser one passes") {
  // The same run, the same requests: only the p99 limit differs (1 ms cannot be met).
  const std::string events = R"(events:
  - {at: 1m, promote: {from: staging, to: prod, analysis: {interval: 1m, iterations: 2, threshold: 1, rt_p99_max: LIMIT}}}
)";
  auto with = [&](const std::string& limit) {
    std::string e = events;
    e.replace(e.find("LIMIT"), 5, limit);
    return run(scenario(e));
  };
  const auto loose = with("5s");
  const auto strict = with("1ms");
  // Staging runs what prod runs (app:1): the promotion passes with nothing to roll out.
  CHECK(count_with(messages(loose->rec, "promotion"), "passed on staging: prod already runs it") ==
        1);
  CHECK(count_with(messages(loose->rec, "site/prod"), "rolling update") == 0);
  CHECK(count_with(messages(strict->rec, "promotion"), "p99 above 1 ms") == 1);
  CHECK(count_with(messages(strict->rec, "promotion"), "halted after 1 failed checks") == 1);
}
