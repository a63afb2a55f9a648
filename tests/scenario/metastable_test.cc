// The metastable-failure pair in scenarios/examples/: a short brown-out after which immediate
// retries keep the site down until load is shed, and the same site with backed-off, jittered
// retries, which recovers. Also the controls that make it metastable rather than merely
// overloaded: without the trigger the same load and retries are fine; without the shedding the
// bad state lasts to the end.
#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "config/loader.h"
#include "engine/run.h"
#include "sim/memory_recorder.h"

namespace {

const std::string kDir = std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/";

struct Outcome {
  sim::MemoryRecorder rec;
  engine::RunResult result;
};

std::unique_ptr<Outcome> run(const std::string& file, const std::vector<std::string>& set = {},
                             const std::string& edit_from = "", const std::string& edit_to = "") {
  std::ifstream in(kDir + file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (!edit_from.empty()) {
    const auto pos = text.find(edit_from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, edit_from.size(), edit_to);
  }
  const config::Scenario s = config::load_scenario_text(text, kDir + file, set);
  auto o = std::make_unique<Outcome>();
  o->result = engine::execute(s, s.seed, o->rec, {});
  REQUIRE(o->result.status == "completed");
  return o;
}

// Completed requests per second (goodput) over [from, to) minutes.
double goodput(const sim::MemoryRecorder& rec, double from_min, double to_min) {
  double n = 0;
  for (const auto* row : rec.rows("overall", "all")) {
    const double t = row->t.seconds() / 60;
    if (t >= from_min && t < to_min) n += row->get("completions");
  }
  return n / ((to_min - from_min) * 60);
}

const std::string kShedding =
    "{profile: steps, steps: [{at: 0s, value: 600}, {at: 20m, value: 300}, {at: 22m, value: "
    "600}]}";

}  // namespace

TEST_CASE("metastable failure: immediate retries keep the site down until load is shed") {
  const auto storm = run("metastable-retry-storm.yaml");
  const double before = goodput(storm->rec, 1, 5);
  INFO("goodput before " << before << "/s, stuck " << goodput(storm->rec, 7, 20)
                         << "/s, after shedding " << goodput(storm->rec, 23, 30) << "/s");
  CHECK(before > 110);  // 600 users / ~5 s
  // Full speed again from 6 min, yet almost nothing completes for 14 minutes.
  CHECK(goodput(storm->rec, 7, 20) < 0.01 * before);
  CHECK(goodput(storm->rec, 23, 30) > 0.95 * before);
  REQUIRE(storm->result.dr.incidents.size() == 1);
  REQUIRE(storm->result.dr.incidents[0].rto_s);
  CHECK(*storm->result.dr.incidents[0].rto_s > 15 * 60);  // recovered only after 20 min
  CHECK(storm->result.expect_passed == false);

  // The controls. Without the brown-out the same users and retries are served throughout.
  const auto calm =
      run("metastable-retry-storm.yaml", {}, "  - {at: 5m, outage:", "  # - {at: 5m, outage:");
  CHECK(calm->result.summary.overall.failed == 0);
  // Without the shedding the bad state outlives the run.
  const auto stuck = run("metastable-retry-storm.yaml", {}, kShedding, "600");
  CHECK(goodput(stuck->rec, 25, 30) < 0.01 * before);
}

TEST_CASE("metastable failure: the same brown-out with backoff and jitter recovers by itself") {
  const auto calm = run("metastable-backoff-jitter.yaml");
  const double before = goodput(calm->rec, 1, 5);
  INFO("goodput before " << before << "/s, after the brown-out " << goodput(calm->rec, 8, 20)
                         << "/s");
  CHECK(goodput(calm->rec, 8, 20) > 0.95 * before);
  REQUIRE(calm->result.dr.incidents.size() == 1);
  REQUIRE(calm->result.dr.incidents[0].rto_s);
  CHECK(*calm->result.dr.incidents[0].rto_s < 300);
  CHECK(calm->result.expect_passed == true);
  // It is the retry policy, not luck: with immediate retries this file gets stuck too.
  const auto storm = run("metastable-backoff-jitter.yaml",
                         {"traffic.client.retries.backoff=0s", "traffic.client.retries.jitter=0",
                          "traffic.client.retries.multiplier=1"},
                         kShedding, "600");
  CHECK(goodput(storm->rec, 8, 30) < 0.01 * before);
}
