// Typed event details: models hand the recorder fields, the store writes valid JSON of any
// size, the reader gives them back typed.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <string>

#include "config/loader.h"
#include "engine/run.h"
#include "sim/event_details.h"
#include "store/results_reader.h"
#include "store/results_writer.h"

namespace fs = std::filesystem;

TEST_CASE("event details serialise to a JSON object that reads back field for field") {
  sim::EventDetails d;
  d.add("site", "pri\"vate\n").add("healthy", false).add("n", 42).add("x", 0.1);
  d.begin_object("weights").add("a", 30.0).add("b", 70.5).end();
  d.begin_array("nodes").push(3).push(int64_t{-1}).push("z").end();
  d.begin_array("metrics");
  d.begin_object().add("type", "Resource").add("proposal", 7).end();
  d.begin_array().push(1.5).end();
  d.end();
  const store::JsonValue v = store::JsonValue::parse(store::details_to_json(d));
  CHECK(v["site"].text() == "pri\"vate\n");
  CHECK_FALSE(v["healthy"].boolean(true));
  CHECK(v["n"].integer() == 42);
  CHECK(v["x"].number() == 0.1);
  CHECK(v["weights"]["b"].number() == 70.5);
  CHECK(v["nodes"][1].integer() == -1);
  CHECK(v["nodes"][2].text() == "z");
  CHECK(v["metrics"][0]["proposal"].integer() == 7);
  CHECK(v["metrics"][1][0].number() == 1.5);
  CHECK(d.text("site") == "pri\"vate\n");
  CHECK(d.number("n") == 42);
  CHECK(d.find("proposal") == nullptr);  // nested, not top level
}

TEST_CASE("an HPA with ten metrics logs decisions whose details are valid, complete JSON") {
  std::string metrics;
  for (int i = 0; i < 10; ++i) {
    metrics +=
        "          - {type: Resource, resource: {name: " + std::string(i % 2 ? "memory" : "cpu") +
        ", target: {type: Utilization, averageUtilization: " + std::to_string(40 + 5 * i) + "}}}\n";
  }
  const std::string yaml = R"(
name: ten-metrics
duration: 5m
seed: 3
traffic:
  rate: {profile: steps, steps: [{at: 0s, value: 20/s}, {at: 1m, value: 80/s}]}
  request: {cpu: {dist: constant, value: 100ms}}
sites:
  dc:
    cloud: public
    replicas: 2
    deployment:
      pod: {cpu: 1, concurrency: unlimited, queue: 0, memory: 512MB}
      memory_usage: {base: 200MB, per_request: 20MB}
    autoscaler:
      hpa:
        minReplicas: 2
        maxReplicas: 20
        metrics:
)" + metrics;
  const config::Scenario s = config::load_scenario_text(yaml, "ten.yaml");
  const std::string path =
      (fs::temp_directory_path() / ("hcsim-ten-metrics-" + std::to_string(getpid()) + ".sqlite"))
          .string();
  fs::remove(path);
  {
    store::ResultsDb db(path);
    engine::run_into_db(db, s, engine::RunLabel(s.seed), {});
  }
  const store::ResultsReader reader(path);
  {
    store::Stmt st(reader.db(),
                   "SELECT count(*), sum(NOT json_valid(details)), max(length(details)) FROM "
                   "events WHERE details IS NOT NULL");
    REQUIRE(st.step());
    CHECK(st.int64(0) > 0);
    CHECK(st.int64(1) == 0);    // every event's details are valid JSON
    CHECK(st.int64(2) > 1023);  // longer than the fixed buffer that used to cut them
  }
  int decisions = 0;
  for (const store::EventRecord& e : reader.events(*reader.first_run_id())) {
    if (e.component != "hpa/dc" || e.kind != "scale") continue;
    ++decisions;
    REQUIRE(e.details["metrics"].items().size() == 10);
    for (const store::JsonValue& m : e.details["metrics"].items()) {
      CHECK(m["type"].text() == "Resource");
      CHECK((m.has("proposal") || m.has("error")));
    }
    CHECK(e.details["desired"].integer().has_value());
  }
  CHECK(decisions > 0);
  fs::remove(path);
}
