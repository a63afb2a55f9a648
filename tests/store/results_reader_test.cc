// The one results reader against the tables it decodes, and its refusals.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "store/results_reader.h"
#include "support/demo4.h"

namespace fs = std::filesystem;
using store::ResultsReader;

TEST_CASE("the reader returns what the results tables hold") {
  const ResultsReader reader(support::demo4_db());
  const auto runs = reader.runs();
  REQUIRE(runs.size() == 1);
  const store::RunRecord& run = runs[0];
  CHECK(run.status == "completed");
  CHECK(run.scenario_name == "04-active-active-dr");
  CHECK(run.summary["scenario"].text() == "04-active-active-dr");
  CHECK(run.summary["overall"]["requests"].integer() > 0);
  CHECK(reader.runs("failed").empty());
  CHECK(reader.count_runs_not("completed") == 0);
  CHECK(reader.first_run_id() == run.run_id);

  const auto entities = reader.entities(run.run_id);
  REQUIRE(entities.size() == 3);
  int64_t all = -1;
  for (const auto& e : entities) {
    if (e.name == "all") all = e.entity_id;
    CHECK(e.kind == (e.name == "all" ? "overall" : "site"));
  }
  REQUIRE(all >= 0);

  // Series: the same rows and values as SQL sees, NULL as NaN.
  const std::string_view columns[] = {"completions", "rt_p95_s"};
  int64_t rows = 0, nulls = 0;
  double completions = 0;
  reader.for_each_series(run.run_id, columns, [&](const store::SeriesRow& r) {
    ++rows;
    if (r.entity_id == all) completions += r.values[0];
    nulls += std::isnan(r.values[1]) ? 1 : 0;
  });
  store::Stmt st(reader.db(),
                 "SELECT count(*), sum(rt_p95_s IS NULL), (SELECT sum(completions) FROM series "
                 "WHERE entity_id = ?) FROM series WHERE run_id = ?");
  st.bind(1, all).bind(2, run.run_id);
  REQUIRE(st.step());
  CHECK(rows == st.int64(0));
  CHECK(nulls == st.int64(1));
  CHECK(completions == st.real(2));

  // Histograms: the decoded counts of the overall entity add up to its completions.
  double counted = 0;
  reader.for_each_histogram(run.run_id, "all", [&](const store::HistogramRow& h) {
    CHECK(h.entity_id == all);
    for (uint32_t c : h.counts) counted += c;
  });
  CHECK(counted == completions);
  const auto bins = reader.histogram_bins();
  REQUIRE(bins.size() > 10);
  CHECK(std::isinf(bins.back().second));
  const auto range = reader.histogram_bin_range(run.run_id);
  REQUIRE(range.has_value());
  CHECK(range->first < range->second);

  // Events in time order, details typed; narration; incidents from the summary.
  const auto events = reader.events(run.run_id);
  REQUIRE(!events.empty());
  for (std::size_t i = 1; i < events.size(); ++i) CHECK(events[i - 1].t_ns <= events[i].t_ns);
  bool saw_down = false;
  for (const auto& e : events) {
    if (e.kind == "health" && !e.details["healthy"].boolean(true)) saw_down = true;
  }
  CHECK(saw_down);
  CHECK(!reader.narration(run.run_id).empty());
  const auto incidents = ResultsReader::incidents(run);
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0].site == "private");
  CHECK(incidents[0].kind == "full");
  CHECK(incidents[0].rto_s.has_value());
  CHECK(incidents[0].lost_writes.has_value());
}

TEST_CASE("the reader refuses files that are not results of this schema") {
  const fs::path d = fs::temp_directory_path() / ("hcsim-reader-" + std::to_string(getpid()));
  fs::create_directories(d);
  CHECK_THROWS_AS(ResultsReader((d / "missing.sqlite").string()), store::DbError);
  std::ofstream(d / "text.sqlite") << "not a database";
  CHECK_THROWS_AS(ResultsReader((d / "text.sqlite").string()), store::DbError);
  {
    store::Db other((d / "other.sqlite").string(), store::Db::Mode::kCreate);
    other.exec("CREATE TABLE t(x); PRAGMA user_version = 1");
  }
  try {
    ResultsReader r((d / "other.sqlite").string());
    FAIL("opened a file of another schema");
  } catch (const store::DbError& e) {
    CHECK(std::string(e.what()).find("schema version") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(d / "missing.sqlite"));  // a reader never creates files
  const ResultsReader demo(support::demo4_db());
  const std::string_view bad[] = {"completions; DROP TABLE runs"};
  CHECK_THROWS_AS(demo.for_each_series(1, bad, [](const store::SeriesRow&) {}), store::DbError);
  fs::remove_all(d);
}
