// scenarios/examples/failover-into-a-shortage.yaml: a failover at peak into a node shortage.
// The cluster autoscaler's timeline follows the rules (the preferred group waits
// max_node_provision_time, is backed off, the fallback is asked a loop after the size fix), and
// the four designs the example's header compares come out in the order it states: no shortage,
// then a fallback the cloud's errors reveal early, then a fallback found after the timeout, then
// no fallback at all.
#include <catch2/catch.hpp>

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
