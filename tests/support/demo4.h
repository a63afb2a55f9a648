// tests/support/demo4.h: demo 4 (the active-active DR outage) simulated once per test process,
// and the SQL the viewer tests use to check what the dashboard shows against the results.
#pragma once

#include <unistd.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include "config/loader.h"
#include "engine/run.h"
#include "store/results_writer.h"
#include "store/sqlite.h"

namespace support {

// A demo scenario (file name in scenarios/demos/) simulated into a scratch results file, once
// per test process. The files are left in the temporary directory for inspection.
inline const std::string& demo_db(const std::string& file) {
  static std::map<std::string, std::string> done;
  auto it = done.find(file);
  if (it != done.end()) return it->second;
  std::string flat = file;  // "classroom/x.yaml": one file name
  for (char& c : flat) c = c == '/' ? '-' : c;
  const std::string p = (std::filesystem::temp_directory_path() /
                         ("hcsim-test-" + std::to_string(getpid()) + "-" + flat + ".sqlite"))
                            .string();
  std::filesystem::remove(p);
  const config::Scenario s =
      config::load_scenario_file(std::string(HCSIM_SOURCE_DIR) + "/scenarios/demos/" + file, {});
  store::ResultsDb db(p);
  engine::run_into_db(db, s, engine::RunLabel(s.seed), engine::RunControl{});
  return done.emplace(file, p).first->second;
}

inline const std::string& demo4_db() { return demo_db("04-active-active-dr.yaml"); }

struct Sums {
  double dt = 0, arrivals = 0, completions = 0, failed = 0, sat = 0, tol = 0;
};

// The window the dashboard uses: the 10 one-second buckets ending with the one holding t.
inline Sums window(store::Db& db, const std::string& entity, double t) {
  store::Stmt st(db,
                 "SELECT sum(dt_s), sum(arrivals), sum(completions), sum(failed), "
                 "sum(apdex_satisfied), sum(apdex_tolerating) FROM series_named "
                 "WHERE run_id = 1 AND entity = ? AND t_s > ? - 10 AND t_s <= ?");
  st.bind(1, entity).bind(2, t).bind(3, t);
  REQUIRE(st.step());
  return {st.real(0), st.real(1), st.real(2), st.real(3), st.real(4), st.real(5)};
}

inline double level(store::Db& db, const std::string& entity, const std::string& column, double t) {
  store::Stmt st(db, "SELECT " + column +
                         " FROM series_named WHERE run_id = 1 AND entity = ? AND t_s <= ? "
                         "ORDER BY t_s DESC LIMIT 1");
  st.bind(1, entity).bind(2, t);
  REQUIRE(st.step());
  return st.is_null(0) ? std::nan("") : st.real(0);
}

inline double first_event(store::Db& db, const std::string& where) {
  store::Stmt st(db, "SELECT min(t_ns) / 1e9 FROM events WHERE run_id = 1 AND " + where);
  REQUIRE(st.step());
  REQUIRE_FALSE(st.is_null(0));
  return st.real(0);
}

}  // namespace support
