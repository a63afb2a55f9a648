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

TEST_CASE("A corrupt results file is refused, naming the table and the row") {
  const std::string good = support::demo4_db();
  ResultsReader(good).check_all();  // what hcsim writes passes every check
  struct Corruption {
    const char* sql;
    const char* says;
  };
  const Corruption cases[] = {
      {"UPDATE rt_hist SET first_bin = 2000000000 WHERE t_ns = (SELECT min(t_ns) FROM rt_hist)",
       "table rt_hist, run 1, entity "},
      {"UPDATE rt_hist SET counts = x'010203' WHERE t_ns = (SELECT min(t_ns) FROM rt_hist)",
       "not a positive multiple of 4"},
      {"UPDATE series SET completions = -5 WHERE t_ns = 60000000000", "completions -5"},
      {"UPDATE series SET apdex = 3 WHERE t_ns = 60000000000", "apdex 3"},
      {"UPDATE series SET t_ns = -1 WHERE t_ns = 0", "the time is outside the run"},
      {"UPDATE series SET entity_id = 99 WHERE t_ns = 0 AND entity_id = 0",
       "no such entity in this run"},
      {"PRAGMA ignore_check_constraints = ON; UPDATE runs SET status = 'bogus'",
       "table runs, run 1: status 'bogus'"},
      {"UPDATE runs SET bucket_ns = 0", "bucket_ns 0 must be positive"},
      {"UPDATE runs SET warmup_ns = horizon_ns", "warmup_ns"},
      {"UPDATE events SET t_ns = 99999999999999 WHERE seq = 3", "table events, run 1, seq 3"},
      {"UPDATE narration SET t_ns = -5", "table narration"},
      {"UPDATE rt_hist_bins SET lo_s = 1000 WHERE bin = 3", "table rt_hist_bins, bin 3"},
      {"DELETE FROM rt_hist_bins WHERE bin = 3", "table rt_hist_bins, bin 4"},
      {"UPDATE entities SET entity_id = -1 WHERE entity_id = 2", "table entities, run 1"},
  };
  const fs::path dir = fs::temp_directory_path() / ("hcsim-corrupt-" + std::to_string(getpid()));
  fs::create_directories(dir);
  for (const Corruption& c : cases) {
    INFO(c.sql);
    const std::string bad = (dir / "bad.sqlite").string();
    fs::copy_file(good, bad, fs::copy_options::overwrite_existing);
    {
      store::Db db(bad, store::Db::Mode::kReadWrite);
      db.exec(c.sql);
      REQUIRE(sqlite3_changes(db.handle()) > 0);
    }
    try {
      const ResultsReader reader(bad);
      reader.check_all();
      FAIL("accepted");
    } catch (const store::CorruptResults& e) {
      CHECK_THAT(e.what(), Catch::StartsWith(bad + ": ") && Catch::Contains(c.says));
    }
  }
  fs::remove_all(dir);
}
