// engine/narration_check: every figure a demo's captions quote holds at the caption's time, and
// every number in them is declared (a figure, or a setting under given:); a wrong figure, a
// figure the text does not hold and an undeclared number are caught.
#include <catch2/catch.hpp>

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>

#include "config/loader.h"
#include "engine/narration_check.h"
#include "support/demo4.h"

namespace {

const char* const kDemos[] = {"01-dev-private-ops-public.yaml",
                              "02-gslb-weighted.yaml",
                              "03-user-surge-autoscale.yaml",
                              "04-active-active-dr.yaml",
                              "05-failover-autoscale.yaml",
                              "classroom/01-dev-private-ops-public-classroom.yaml",
                              "classroom/02-gslb-weighted-classroom.yaml",
                              "classroom/03-user-surge-autoscale-classroom.yaml",
                              "classroom/04-active-active-dr-classroom.yaml",
                              "classroom/05-failover-autoscale-classroom.yaml"};

std::string demo_path(const std::string& file) {
  return std::string(HCSIM_SOURCE_DIR) + "/scenarios/demos/" + file;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool has_number(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool after_word = i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]));
    if (std::isdigit(static_cast<unsigned char>(text[i])) && !after_word) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("Every demo caption's figures hold at its time, and every number is declared") {
  for (const char* demo : kDemos) {
    INFO(demo);
    const config::Scenario s = config::load_scenario_file(demo_path(demo), {});
    for (const config::NarrationLine& l : s.narration) {
      INFO(l.text);
      // A line with a number declares it: the loader then checks that each number is covered.
      if (has_number(l.text)) CHECK((!l.figures.empty() || !l.given.empty()));
    }
    const store::ResultsReader r(support::demo_db(demo));
    for (const engine::NarrationMismatch& m : engine::check_narration(s, r, 1))
      FAIL_CHECK(engine::describe(m));
  }
}

TEST_CASE("The narration check catches a wrong figure, a wrong event time and undeclared numbers") {
  const std::string file = demo_path("03-user-surge-autoscale.yaml");
  std::string text = read(file);
  // Private runs 16 pods at 24m3s: claim 15, and the GSLB's mark-down a second late.
  const auto replace = [&](const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  replace("Private now runs its 16 pods", "Private now runs its 15 pods");
  replace("\"its 16 pods\": private.replicas_ready", "\"its 15 pods\": private.replicas_ready");
  replace("public is marked down at 11m25s", "public is marked down at 11m26s");
  replace("\"at 11m25s\": \"event gslb", "\"at 11m26s\": \"event gslb");
  const config::Scenario s = config::load_scenario_text(text, file, {});
  const store::ResultsReader r(support::demo_db("03-user-surge-autoscale.yaml"));
  const std::vector<engine::NarrationMismatch> bad = engine::check_narration(s, r, 1);
  REQUIRE(bad.size() == 2);
  CHECK(bad[0].quote == "at 11m26s");
  CHECK(bad[0].what == "no gslb event 'public marked down' at 11m26.0s");
  CHECK(bad[1].quote == "its 15 pods");
  CHECK(bad[1].what == "private.replicas_ready was 16");
  CHECK(engine::describe(bad[1]) ==
        "narration at 24m03.0s: 'its 15 pods' is not what the run shows: private.replicas_ready "
        "was 16");
  // A number neither a figure nor given, a quote the text lacks, an unknown column: refused
  // with the line's place.
  std::string undeclared = read(file);
  const std::size_t at = undeclared.find("given: [\"4,000\"]");
  REQUIRE(at != std::string::npos);
  undeclared.replace(at, 16, "given: [\"4,00\"]");
  CHECK_THROWS_WITH(config::load_scenario_text(undeclared, file, {}),
                    Catch::Contains("the number in '4,000' is in neither figures: nor given:"));
  std::string missing = read(file);
  missing.replace(missing.find("\"2 nodes\": private.nodes"), 24, "\"3 nodes\": private.nodes");
  CHECK_THROWS_WITH(config::load_scenario_text(missing, file, {}),
                    Catch::Contains("does not contain '3 nodes'"));
  // A column the results do not have: found when checked.
  std::string column = read(file);
  column.replace(column.find("\"2 nodes\": private.nodes"), 24, "\"2 nodes\": private.knots");
  const std::vector<engine::NarrationMismatch> unknown =
      engine::check_narration(config::load_scenario_text(column, file, {}), r, 1);
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].what == "no series column 'knots' (results/schema.sql)");
  column.replace(column.find("private.knots"), 13, "private.Nodes");
  CHECK_THROWS_WITH(config::load_scenario_text(column, file, {}),
                    Catch::Contains("'Nodes' is not a series column name"));
}
