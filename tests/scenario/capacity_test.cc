// Finite capacity behind the pods. scenarios/examples/failover-into-a-shortage.yaml: a failover at
// peak into a node shortage.
// The cluster autoscaler's timeline follows the rules (the preferred group waits
// max_node_provision_time, is backed off, the fallback is asked a loop after the size fix), and
// the four designs the example's header compares come out in the order it states: no shortage,
// then a fallback the cloud's errors reveal early, then a fallback found after the timeout, then
// no fallback at all. scenarios/examples/database-bottleneck.yaml: the database, not the pods,
// limits a surge; a remote database costs its round trip; dying pods give connections back.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "config/loader.h"
#include "engine/run.h"
#include "sim/memory_recorder.h"

namespace {

const std::string kFile =
    std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/failover-into-a-shortage.yaml";

struct Outcome {
  engine::RunResult r;
  sim::MemoryRecorder rec;
  double rto() const {
    REQUIRE(r.dr.overall.rto_s.has_value());
    return *r.dr.overall.rto_s;
  }
  std::optional<double> first(const std::string& kind, const std::string& what) const {
    for (const auto& e : rec.events_) {
      if (e.kind == kind && e.message.find(what) != std::string::npos) return e.t.seconds();
    }
    return std::nullopt;
  }
};

std::unique_ptr<Outcome> run(const std::vector<std::string>& sets) {
  const config::Scenario s = config::load_scenario_file(kFile, sets);
  auto o = std::make_unique<Outcome>();
  o->r = engine::execute(s, s.seed, o->rec, {});
  REQUIRE(o->r.status == "completed");
  return o;
}

}  // namespace

TEST_CASE("failover into a shortage: the fallback group comes a provisioning timeout late") {
  const auto base = run({});
  // The HPA's scale-up at 15m51s leaves pods Pending; the scan at 16m asks spot (priority 20).
  const auto asked = base->first("node", "requested in group spot: waiting");
  REQUIRE(asked);
  const auto timed_out = base->first("autoscaler", "scale-up of node group spot timed out");
  REQUIRE(timed_out);
  CHECK(*timed_out == Approx(*asked + 15 * 60 + 10));  // the first scan after 15 min
  CHECK(base->first("autoscaler", "node group spot backed off for 5m") == timed_out);
  CHECK(*base->first("autoscaler", "decreasing the size of node group spot") ==
        Approx(*timed_out + 10));
  CHECK(*base->first("autoscaler", "scale-up: node group on-demand") == Approx(*timed_out + 20));
  // The summary's node groups: spot timed out once; on-demand was used and billed at 0.40/h.
  const auto& groups = base->r.node_groups[1];
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].activity.timeouts == 1);
  CHECK(groups[1].node_seconds > 0);
  CHECK(groups[1].cost == Approx(0.40 * groups[1].node_seconds / 3600));
  // The example's RTO gate (600 s) fails: the shortage costs that much.
  REQUIRE(base->r.expect_passed.has_value());
  CHECK_FALSE(*base->r.expect_passed);

  const auto none = run({"sites.public.nodes[0].stockouts=~"});
  const auto errors = run({"sites.public.nodes[0].capacity_error_after=30s"});
  const auto alone = run({"sites.public.nodes[1]=~"});
  INFO("RTO without shortage " << none->rto() << ", fallback on errors " << errors->rto()
                               << ", fallback after the timeout " << base->rto() << ", no fallback "
                               << alone->rto());
  CHECK(none->rto() < errors->rto());
  CHECK(errors->rto() < base->rto());
  CHECK(base->rto() < alone->rto());
  // Without a fallback the spot group is retried when its backoff ends, after capacity is back.
  CHECK(alone->first("autoscaler", "scale-up of node group spot timed out"));
  CHECK_FALSE(alone->first("autoscaler", "on-demand"));
}

namespace {

const std::string kDb =
    std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/database-bottleneck.yaml";

double series_max(const sim::MemoryRecorder& rec, const std::string& field, double from_s,
                  double to_s) {
  double m = -1;
  for (const auto* row : rec.rows("site", "dc")) {
    const double t = row->t.seconds(), v = row->get(field);
    if (t >= from_s && t < to_s && !std::isnan(v)) m = std::max(m, v);
  }
  return m;
}

}  // namespace

TEST_CASE("database bottleneck: more pods, worse responses, and a replica fixes it") {
  const config::Scenario s = config::load_scenario_file(kDb);
  sim::MemoryRecorder rec;
  const engine::RunResult r = engine::execute(s, s.seed, rec, {});
  REQUIRE(r.status == "completed");
  const models::DatabaseUse& use = *r.database_use.at(0);
  // Pods beyond the 100 connections got none, and their requests timed out in the pool.
  CHECK(use.refused > 0);
  CHECK(use.timeouts > 100);
  CHECK(use.peak_in_use == 100);
  CHECK(r.summary.sites[0].failed_by[static_cast<int>(models::FailureCause::kPoolTimeout)] ==
        use.timeouts);
  // The database saturates while the HPA adds pods, and p95 grows tenfold.
  CHECK(series_max(rec, "db_util", 420, 840) > 0.95);
  CHECK(series_max(rec, "rt_p95_s", 500, 840) > 10 * series_max(rec, "rt_p95_s", 0, 300));
  CHECK(series_max(rec, "replicas_ready", 420, 840) >= 14);
  REQUIRE(r.expect_passed.has_value());
  CHECK_FALSE(*r.expect_passed);

  // A larger connection limit: no pool timeouts, but more queries at once on the same cores.
  const config::Scenario more =
      config::load_scenario_file(kDb, {"sites.dc.database.max_connections=400"});
  sim::MemoryRecorder rec_more;
  const engine::RunResult m = engine::execute(more, more.seed, rec_more, {});
  CHECK(m.database_use.at(0)->timeouts == 0);
  CHECK(m.database_use.at(0)->query_ns / static_cast<double>(m.database_use.at(0)->queries) >
        2 * use.query_ns / static_cast<double>(use.queries));
  CHECK(m.summary.sites[0].apdex < r.summary.sites[0].apdex);

  // A read replica: reads leave the primary, and the cluster takes 200 connections.
  const config::Scenario replica =
      config::load_scenario_file(kDb, {"sites.dc.database.read_replicas=1"});
  sim::MemoryRecorder rec_replica;
  const engine::RunResult p = engine::execute(replica, replica.seed, rec_replica, {});
  CHECK(p.database_use.at(0)->timeouts == 0);
  CHECK(p.summary.sites[0].apdex > 0.99);
  REQUIRE(p.expect_passed.has_value());
  CHECK(*p.expect_passed);
}

TEST_CASE("a site using another site's database pays the round trip between them") {
  // Two sites; "a" hosts the database, "b" uses it, across the topology.
  const char* yaml = R"(
name: remote-db
duration: 20m
seed: 4
metrics: {bucket: 10s, apdex_t: 1s}
topology:
  regions: {r: {share: 1.0}}
  links:
    - {from: r, to: a, latency: 1ms}
    - {from: r, to: b, latency: 1ms}
traffic:
  kind: open
  rate: 100/s
  request:
    cpu: {dist: constant, value: 1ms}
    database: {read: {dist: constant, value: 2ms}}
gslb: {policy: weighted, weights: {a: 50, b: 50}}
sites:
  a:
    cloud: private
    replicas: 4
    deployment: {pod: {cpu: 1, concurrency: 8, queue: 64}}
    database: {cores: 16, rtt: 0s}
  b:
    cloud: public
    replicas: 4
    deployment: {pod: {cpu: 1, concurrency: 8, queue: 64}}
    database: {use: a}
)";
  const config::Scenario s = config::load_scenario_text(yaml, "remote.yaml", {});
  REQUIRE(s.sites[1].site.database.has_value());
  const double rtt = s.sites[1].site.database->rtt.seconds();
  CHECK(rtt == Approx(0.004));  // a -> r -> b and back: the shortest path, 4 x 1 ms
  sim::MemoryRecorder rec;
  const engine::RunResult r = engine::execute(s, s.seed, rec, {});
  const models::DatabaseUse& a = *r.database_use.at(0);
  const models::DatabaseUse& b = *r.database_use.at(1);
  const double qa = a.query_ns / static_cast<double>(a.queries) * 1e-9;
  const double qb = b.query_ns / static_cast<double>(b.queries) * 1e-9;
  CHECK(qa == Approx(0.002).margin(1e-4));  // 16 cores: no contention
  CHECK(qb == Approx(0.002 + rtt).margin(1e-4));
  CHECK(r.summary.sites[1].rt_mean_s - r.summary.sites[0].rt_mean_s == Approx(rtt).margin(0.002));
  REQUIRE(r.databases.size() == 1);
  CHECK(r.databases[0].sites == std::vector<std::string>{"a", "b"});
}

TEST_CASE("requests of a pod that dies give their connections back") {
  // The bottleneck example with a partial outage at the surge's peak: pods die with queries in
  // flight and requests waiting for connections; the pools close and the rest carry on.
  const config::Scenario s = config::load_scenario_file(
      kDb, {"sites.dc.nodes={count: 10, cpu: 4}",
            "events=[{at: 9m, outage: {site: dc, kind: partial, fraction: 0.5, duration: 2m}}]"});
  sim::MemoryRecorder rec;
  const engine::RunResult r = engine::execute(s, s.seed, rec, {});
  REQUIRE(r.status == "completed");
  CHECK(r.summary.sites[0].failed_by[static_cast<int>(models::FailureCause::kAborted)] > 0);
  // After the surge everything is quiet again: no connection held, nobody waiting.
  for (const auto* row : rec.rows("site", "dc")) {
    if (row->t.seconds() < 1800) continue;
    CHECK(row->get("db_waiting") == 0);
    CHECK(row->get("db_connections") <= 16);
  }
}

TEST_CASE("with a single primary, the other site's writes run on the primary's database") {
  // dr-active-active with a database at each site: private's is the primary, public's the
  // replica. Public's reads stay local; its writes cross to private's database and pay the
  // round trip. When private fails, public's writes fail (no primary) until the promotion, its
  // reads go on; then its writes run on its own database.
  const std::string file =
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/dr-active-active.yaml";
  const config::Scenario s = config::load_scenario_file(
      file, {"dr={preset: active-active, primary: private, standby: public}",
             "sites.private.database={cores: 16, pool: 10}",
             "sites.public.database={cores: 16, pool: 10}",
             "traffic.request.database={read: {dist: constant, value: 2ms}, write: "
             "{dist: constant, value: 3ms}}"});
  REQUIRE(s.dr.write_path == models::WriteMode::kPrimary);
  sim::MemoryRecorder rec;
  const engine::RunResult r = engine::execute(s, s.seed, rec, {});
  REQUIRE(r.status == "completed");
  REQUIRE(r.dr.incidents.size() == 1);
  const auto& inc = r.dr.incidents[0];
  REQUIRE(inc.write_rto_s.has_value());
  double no_primary = 0, db_down = 0, after = 0;
  for (const auto* row : rec.rows("site", "public")) {
    const double t = row->t.seconds();
    if (t >= inc.start_s && t < inc.start_s + *inc.write_rto_s - 1) {
      no_primary += row->get("failed_no_primary");
      db_down += row->get("failed_db_down");
    }
    if (t > inc.start_s + *inc.write_rto_s + 5 && t < inc.start_s + 600)
      after += row->get("failed_no_primary") + row->get("failed_db_down");
  }
  CHECK(no_primary > 0);
  CHECK(db_down == 0);  // public's reads never needed private
  CHECK(after == 0);    // promoted: public's writes run on its own database
  // Before the outage public's queries take longer than private's: a tenth of them (the
  // writes) cross the sites' round trip. (After it the primary stays at public: no fail-back.)
  auto before = [&](const std::string& site) {
    double sum = 0, n = 0;
    for (const auto* row : rec.rows("site", site)) {
      const double q = row->get("db_query_s"), c = row->get("completions");
      if (row->t.seconds() >= inc.start_s || std::isnan(q)) continue;
      sum += q * c;
      n += c;
    }
    return sum / n;
  };
  const double rtt = s.sites[1].site.database->rtt.seconds();  // public to its own database
  CHECK(before("private") == Approx(0.001 + 0.002 + 0.1 * 0.003).epsilon(0.05));
  CHECK(before("public") > before("private") + 0.05 * 0.020);
  CHECK(rtt == Approx(0.001));
}
