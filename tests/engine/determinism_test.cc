// Determinism: the same scenario and seed give identical results tables and summary; changing
// one component's parameters leaves the other components' random streams untouched.
#include <catch2/catch.hpp>

#include <cstring>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/loader.h"
#include "engine/run.h"
#include "sim/memory_recorder.h"
#include "store/results_writer.h"
#include "support/results_dump.h"

namespace fs = std::filesystem;
using config::load_scenario_file;
using config::Scenario;
using store::Db;
using support::dump;

namespace {

std::string scenario_path(const char* name) {
  return std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/" + name;
}

struct Tables {
  std::vector<std::string> series, hist, events, entities, run;
};

Tables run_to_file(const std::string& file, const Scenario& s, uint64_t seed) {
  fs::remove(file);
  {
    store::ResultsDb db(file);
    engine::run_into_db(db, s, engine::RunLabel(seed), {});
  }
  Db db(file, store::Db::Mode::kReadOnly);
  Tables t;
  t.series = dump(db, "SELECT * FROM series ORDER BY run_id, entity_id, t_ns");
  t.hist = dump(db, "SELECT * FROM rt_hist ORDER BY run_id, entity_id, t_ns");
  t.events = dump(db, "SELECT * FROM events ORDER BY run_id, seq");
  t.entities = dump(db, "SELECT * FROM entities ORDER BY run_id, entity_id");
  // Everything but wall-clock metadata.
  t.run =
      dump(db,
           "SELECT scenario_name, scenario_yaml, overrides, seed, status, horizon_ns, bucket_ns,"
           " sim_end_ns, events, fingerprint, expect_passed, summary_json FROM runs");
  fs::remove(file);
  return t;
}

}  // namespace

TEST_CASE("the same scenario and seed give identical results tables") {
  const Scenario s =
      load_scenario_file(scenario_path("two-sites-30-70.yaml"), {"allow_late=true", "duration=5m"});
  const std::string dir = fs::temp_directory_path() / ("hcsim-det-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const Tables a = run_to_file(dir + "/a.sqlite", s, 42);
  const Tables b = run_to_file(dir + "/b.sqlite", s, 42);
  REQUIRE(a.series.size() == 3 * 300);
  CHECK(a.series == b.series);
  CHECK(a.hist == b.hist);
  CHECK(a.events == b.events);
  CHECK(a.entities == b.entities);
  CHECK(a.run == b.run);
  const Tables c = run_to_file(dir + "/c.sqlite", s, 43);
  CHECK(a.series != c.series);
  fs::remove_all(dir);
}

namespace {
// Field values equal bit for bit (so that NaN, "not applicable", equals NaN).
bool same_fields(const std::vector<std::pair<std::string, double>>& a,
                 const std::vector<std::pair<std::string, double>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].first != b[i].first || std::memcmp(&a[i].second, &b[i].second, sizeof(double)) != 0)
      return false;
  }
  return true;
}
}  // namespace

TEST_CASE("changing one site's parameters leaves the other site's numbers untouched") {
  // The private site gets other pods and another balancer; traffic arrivals, the split and the
  // public site's balancer draw from their own streams, so the public site sees exactly the
  // same requests and serves them identically.
  const std::string file = scenario_path("two-sites-30-70.yaml");
  const Scenario base = load_scenario_file(file, {"allow_late=true", "duration=5m"});
  const Scenario changed =
      load_scenario_file(file, {"allow_late=true", "duration=5m", "sites.private.replicas=7",
                                "sites.private.deployment.balancing=random",
                                "sites.private.deployment.pod.concurrency=2"});
  sim::MemoryRecorder ra, rb;
  const engine::RunResult a = engine::execute(base, 42, ra, {});
  const engine::RunResult b = engine::execute(changed, 42, rb, {});
  const auto pa = ra.rows("site", "public"), pb = rb.rows("site", "public");
  REQUIRE(pa.size() == pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    INFO("bucket " << i);
    CHECK(same_fields(pa[i]->fields, pb[i]->fields));
  }
  const auto xa = ra.rows("site", "private"), xb = rb.rows("site", "private");
  bool private_differs = false;
  for (std::size_t i = 0; i < xa.size(); ++i)
    private_differs |= !same_fields(xa[i]->fields, xb[i]->fields);
  CHECK(private_differs);
  CHECK(a.summary.sites[1].rt_mean_s == b.summary.sites[1].rt_mean_s);
  CHECK(a.summary.overall.requests == b.summary.overall.requests);
  CHECK(a.summary_json != b.summary_json);
}

TEST_CASE("changing the split keeps the arrival sequence (common random numbers)") {
  const std::string file = scenario_path("two-sites-30-70.yaml");
  sim::MemoryRecorder ra, rb;
  engine::execute(load_scenario_file(file, {"allow_late=true", "duration=2m"}), 1, ra, {});
  engine::execute(load_scenario_file(file, {"allow_late=true", "duration=2m",
                                            "gslb.weights.private=50", "gslb.weights.public=50"}),
                  1, rb, {});
  const auto a = ra.rows("overall", "all"), b = rb.rows("overall", "all");
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i]->get("arrivals") == b[i]->get("arrivals"));
}

TEST_CASE("runs with autoscalers, node provisioning and pod churn are reproducible too") {
  const Scenario s = load_scenario_file(scenario_path("hpa-flash-crowd.yaml"),
                                        {"allow_late=true", "duration=15m"});
  const std::string dir = fs::temp_directory_path() / ("hcsim-det2-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const Tables a = run_to_file(dir + "/a.sqlite", s, 11);
  const Tables b = run_to_file(dir + "/b.sqlite", s, 11);
  REQUIRE(a.events.size() > 100);
  CHECK(a.series == b.series);
  CHECK(a.events == b.events);
  CHECK(a.hist == b.hist);
  CHECK(a.run == b.run);
  fs::remove_all(dir);
}

TEST_CASE("runs with DNS caching, closed-loop users, outages and replication are reproducible") {
  const Scenario s = load_scenario_file(scenario_path("dr-active-active.yaml"),
                                        {"allow_late=true", "duration=14m"});
  const std::string dir = fs::temp_directory_path() / ("hcsim-det3-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const Tables a = run_to_file(dir + "/a.sqlite", s, 5);
  const Tables b = run_to_file(dir + "/b.sqlite", s, 5);
  bool outage = false, data_loss = false, health = false;
  for (const std::string& e : a.events) {
    outage |= e.find("full outage") != std::string::npos;
    data_loss |= e.find("unreplicated writes") != std::string::npos;
    health |= e.find("marked down") != std::string::npos;
  }
  CHECK(outage);
  CHECK(data_loss);
  CHECK(health);
  CHECK(a.series == b.series);
  CHECK(a.events == b.events);
  CHECK(a.run == b.run);
  const Tables c = run_to_file(dir + "/c.sqlite", s, 6);
  CHECK(a.series != c.series);
  fs::remove_all(dir);
}

TEST_CASE("with a DNS GSLB, changing a site's pods leaves arrivals and DNS answers alone") {
  // Open traffic: the arrival, client and resolver streams do not depend on how sites serve.
  const std::string file = scenario_path("dr-active-active.yaml");
  const std::vector<std::string> open{"allow_late=true", "duration=12m", "traffic.kind=open",
                                      "traffic.rate=150/s"};
  auto load = [&](std::vector<std::string> extra) {
    std::vector<std::string> set = open;
    set.insert(set.end(), extra.begin(), extra.end());
    // Closed-only keys would be rejected with an open model: the example's are removed below.
    std::string text = config::read_text_file(file);
    for (const char* key :
         {"  users: 1000\n", "  think_time: {dist: exponential, mean: 5s}\n",
          "  client: {timeout: 10s, retries: {count: 2, backoff: 500ms, jitter: 0.5}}\n"}) {
      text.erase(text.find(key), std::string(key).size());
    }
    text.replace(text.find("  kind: closed\n"), 15, "  kind: closed\n  rate: 150/s\n");
    return config::load_scenario_text(text, file, set);
  };
  sim::MemoryRecorder ra, rb;
  engine::execute(load({}), 3, ra, {});
  engine::execute(load({"sites.public.replicas=14", "sites.private.deployment.pod.concurrency=2"}),
                  3, rb, {});
  const auto a = ra.rows("overall", "all"), b = rb.rows("overall", "all");
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("bucket " << i);
    CHECK(a[i]->get("arrivals") == b[i]->get("arrivals"));
    CHECK(a[i]->get("dns_stale") == b[i]->get("dns_stale"));
  }
  const auto pa = ra.rows("site", "private"), pb = rb.rows("site", "private");
  for (std::size_t i = 0; i < pa.size(); ++i)
    CHECK(pa[i]->get("arrivals") == pb[i]->get("arrivals"));
}

TEST_CASE("the single-group nodes: form and a one-group list give bit-identical runs") {
  // Demo 3 as shipped (both sites in the single-group form), and with each site's nodes written
  // as a list of one group named "default": the same events, fingerprint and summary.
  const std::string file =
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/demos/03-user-surge-autoscale.yaml";
  const std::string text = config::read_text_file(file);
  std::string listed = text;
  auto replace = [&](const std::string& from, const std::string& to) {
    const std::size_t at = listed.find(from);
    REQUIRE(at != std::string::npos);
    listed.replace(at, from.size(), to);
  };
  replace("nodes: {count: 2, cpu: 8, max_pods: 30}",
          "nodes: [{name: default, count: 2, cpu: 8, max_pods: 30}]");
  replace(
      "    nodes:\n      count: 2\n      cpu: 8\n      max_pods: 30\n      autoscale:",
      "    nodes:\n      - name: default\n        count: 2\n        cpu: 8\n        max_pods: 30\n"
      "        autoscale:");
  const Scenario a = config::load_scenario_text(text, "demo3", {});
  const Scenario b = config::load_scenario_text(listed, "demo3", {});
  REQUIRE(b.sites[1].site.node_groups.size() == 1);
  REQUIRE(b.sites[1].site.node_groups[0].autoscale);
  sim::MemoryRecorder ra, rb;
  const engine::RunResult x = engine::execute(a, a.seed, ra, {});
  const engine::RunResult y = engine::execute(b, b.seed, rb, {});
  CHECK(x.fingerprint == y.fingerprint);
  CHECK(x.events == y.events);
  CHECK(engine::summary_to_json(a, a.seed, x) == engine::summary_to_json(b, b.seed, y));
  CHECK(ra.events_.size() == rb.events_.size());
}
