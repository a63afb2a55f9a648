#include "store/results_reader.h"

#include <cmath>
#include <limits>

#include "store/results_writer.h"

namespace store {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char* kRunColumns =
    "run_id, scenario_name, coalesce(scenario_file, ''), scenario_yaml, overrides, seed,"
    " config_id, coalesce(config_label, ''), replication, status, horizon_ns, bucket_ns,"
    " warmup_ns, apdex_t_ns, sim_end_ns, expect_passed, coalesce(fingerprint, ''),"
    " coalesce(message, ''), summary_json";

std::optional<int64_t> optional_int(const Stmt& st, int i) {
  return st.is_null(i) ? std::nullopt : std::optional<int64_t>(st.int64(i));
}

RunRecord run_from(const Stmt& st) {
  RunRecord r;
  r.run_id = st.int64(0);
  r.scenario_name = st.text(1);
  r.scenario_file = st.text(2);
  r.scenario_yaml = st.text(3);
  try {
    const JsonValue overrides = JsonValue::parse(st.text(4));
    for (const JsonValue& o : overrides.items()) r.overrides.push_back(o.text());
  } catch (const JsonError&) {
    // A file edited by hand; the overrides are informational.
  }
  r.seed = static_cast<uint64_t>(st.int64(5));
  r.config_id = optional_int(st, 6);
  r.config_label = st.text(7);
  r.replication = optional_int(st, 8);
  r.status = st.text(9);
  r.horizon_ns = st.int64(10);
  r.bucket_ns = st.int64(11);
  r.warmup_ns = st.int64(12);
  r.apdex_t_ns = st.int64(13);
  r.sim_end_ns = optional_int(st, 14);
  if (!st.is_null(15)) r.expect_passed = st.int64(15) != 0;
  r.fingerprint = st.text(16);
  r.message = st.text(17);
  if (!st.is_null(18)) {
    try {
      r.summary = JsonValue::parse(st.text(18));
    } catch (const JsonError& e) {
      throw DbError("run " + std::to_string(r.run_id) + ": summary_json: " + e.what());
    }
  }
  return r;
}

std::vector<std::string> series_columns_of(const Db& db) {
  std::vector<std::string> out;
  Stmt info(db, "PRAGMA table_info(series)");
  while (info.step()) out.push_back(info.text(1));
  return out;
}

// The series columns of the current schema (results/schema.sql).
const std::vector<std::string>& schema_series_columns() {
  static const std::vector<std::string> kColumns = [] {
    Db scratch(":memory:", Db::Mode::kCreate);
    scratch.exec(results_schema_sql());
    return series_columns_of(scratch);
  }();
  return kColumns;
}

bool contains(const std::vector<std::string>& v, std::string_view x) {
  for (const std::string& s : v) {
    if (s == x) return true;
  }
  return false;
}

std::optional<double> optional_real(const JsonValue& v) { return v.optional_number(); }

}  // namespace

ResultsReader::ResultsReader(const std::string& path) : db_(path, Db::Mode::kReadOnly) {
  Stmt v(db_, "PRAGMA user_version");
  v.step();
  const int64_t version = v.int64(0);
  if (version < kOldestReadableSchemaVersion || version > kSchemaVersion) {
    throw DbError(path + ": not an hcsim results file of schema version " +
                  std::to_string(kOldestReadableSchemaVersion) + " to " +
                  std::to_string(kSchemaVersion) + " (found user_version " +
                  std::to_string(version) + ")");
  }
}

std::map<std::string, std::string> ResultsReader::meta() const {
  std::map<std::string, std::string> kv;
  Stmt st(db_, "SELECT key, value FROM meta");
  while (st.step()) kv[st.text(0)] = st.text(1);
  return kv;
}

std::vector<RunRecord> ResultsReader::runs(std::optional<std::string_view> status) const {
  std::vector<RunRecord> out;
  Stmt st(db_, std::string("SELECT ") + kRunColumns + " FROM runs" +
                   (status ? " WHERE status = ?" : "") + " ORDER BY run_id");
  if (status) st.bind(1, *status);
  while (st.step()) out.push_back(run_from(st));
  return out;
}

std::optional<RunRecord> ResultsReader::run(int64_t run_id) const {
  Stmt st(db_, std::string("SELECT ") + kRunColumns + " FROM runs WHERE run_id = ?");
  st.bind(1, run_id);
  if (!st.step()) return std::nullopt;
  return run_from(st);
}

std::optional<int64_t> ResultsReader::first_run_id() const {
  Stmt st(db_, "SELECT min(run_id) FROM runs");
  if (!st.step() || st.is_null(0)) return std::nullopt;
  return st.int64(0);
}

int64_t ResultsReader::count_runs_not(std::string_view status) const {
  Stmt st(db_, "SELECT count(*) FROM runs WHERE status != ?");
  st.bind(1, status);
  st.step();
  return st.int64(0);
}

std::vector<EntityRecord> ResultsReader::entities(int64_t run_id) const {
  std::vector<EntityRecord> out;
  Stmt st(db_, "SELECT entity_id, name, kind FROM entities WHERE run_id = ? ORDER BY entity_id");
  st.bind(1, run_id);
  while (st.step()) out.push_back({st.int64(0), st.text(1), st.text(2)});
  return out;
}

void ResultsReader::for_each_series(int64_t run_id, std::span<const std::string_view> columns,
                                    const std::function<void(const SeriesRow&)>& row) const {
  // A column of the current schema that an older file lacks reads as NULL.
  const std::vector<std::string> have = series_columns_of(db_);
  std::string sql = "SELECT entity_id, t_ns";
  for (std::string_view c : columns) {
    if (!contains(schema_series_columns(), c))
      throw DbError(path() + ": the series table has no column '" + std::string(c) + "'");
    sql += ", ";
    sql += contains(have, c) ? std::string(c) : std::string("NULL");
  }
  sql += " FROM series WHERE run_id = ? ORDER BY entity_id, t_ns";
  Stmt st(db_, sql);
  st.bind(1, run_id);
  std::vector<double> values(columns.size());
  while (st.step()) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const int c = static_cast<int>(i) + 2;
      values[i] = st.is_null(c) ? kNaN : st.real(c);
    }
    row({st.int64(0), st.int64(1), values});
  }
}

std::vector<std::pair<double, double>> ResultsReader::histogram_bins() const {
  std::vector<std::pair<double, double>> out;
  Stmt st(db_, "SELECT lo_s, hi_s FROM rt_hist_bins ORDER BY bin");
  while (st.step())
    out.emplace_back(st.real(0),
                     st.is_null(1) ? std::numeric_limits<double>::infinity() : st.real(1));
  return out;
}

std::optional<std::pair<int, int>> ResultsReader::histogram_bin_range(int64_t run_id) const {
  Stmt st(db_,
          "SELECT min(first_bin), max(first_bin + length(counts) / 4) FROM rt_hist "
          "WHERE run_id = ?");
  st.bind(1, run_id);
  if (!st.step() || st.is_null(0)) return std::nullopt;
  return std::make_pair(static_cast<int>(st.int64(0)), static_cast<int>(st.int64(1)));
}

void ResultsReader::for_each_histogram(int64_t run_id, std::optional<std::string_view> entity,
                                       const std::function<void(const HistogramRow&)>& row) const {
  Stmt st(db_, std::string("SELECT h.entity_id, h.t_ns, h.first_bin, h.counts FROM rt_hist h") +
                   (entity ? " JOIN entities e USING (run_id, entity_id)" : "") +
                   " WHERE h.run_id = ?" + (entity ? " AND e.name = ?" : "") +
                   " ORDER BY h.entity_id, h.t_ns");
  st.bind(1, run_id);
  if (entity) st.bind(2, *entity);
  std::vector<uint32_t> counts;
  while (st.step()) {
    // Little-endian uint32 counts (results/schema.sql).
    const auto blob = st.blob(3);
    counts.clear();
    for (std::size_t k = 0; k + 4 <= blob.size(); k += 4) {
      counts.push_back(static_cast<uint32_t>(blob[k]) | (static_cast<uint32_t>(blob[k + 1]) << 8) |
                       (static_cast<uint32_t>(blob[k + 2]) << 16) |
                       (static_cast<uint32_t>(blob[k + 3]) << 24));
    }
    row({st.int64(0), st.int64(1), static_cast<int>(st.int64(2)), counts});
  }
}

std::vector<EventRecord> ResultsReader::events(int64_t run_id) const {
  std::vector<EventRecord> out;
  Stmt st(db_,
          "SELECT seq, t_ns, component, kind, message, details FROM events WHERE run_id = ? "
          "ORDER BY t_ns, seq");
  st.bind(1, run_id);
  while (st.step()) {
    EventRecord e{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), {}};
    if (!st.is_null(5)) {
      try {
        e.details = JsonValue::parse(st.text(5));
      } catch (const JsonError&) {
        // Results of hcsim before typed details could hold cut, invalid JSON: no details.
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<CaptionRecord> ResultsReader::narration(int64_t run_id) const {
  std::vector<CaptionRecord> out;
  Stmt st(db_, "SELECT t_ns, text FROM narration WHERE run_id = ? ORDER BY t_ns, rowid");
  st.bind(1, run_id);
  while (st.step()) out.push_back({st.int64(0), st.text(1)});
  return out;
}

std::vector<IncidentRecord> ResultsReader::incidents(const RunRecord& run) {
  std::vector<IncidentRecord> out;
  for (const JsonValue& v : run.summary["incidents"].items()) {
    IncidentRecord i;
    i.site = v["site"].text();
    i.kind = v["kind"].text();
    i.start_s = v["start_s"].number();
    i.end_s = optional_real(v["end_s"]);
    i.detected_s = optional_real(v["detected_s"]);
    i.violated_s = optional_real(v["slo_violated_s"]);
    i.recovered_s = optional_real(v["slo_recovered_s"]);
    i.rto_s = optional_real(v["rto_s"]);
    i.rpo_s = optional_real(v["rpo_s"]);
    i.lost_writes = v["lost_writes"].integer();
    i.recovered = v["recovered"].boolean(true);
    i.write_outage = v.has("primary_after");
    i.write_rto_s = optional_real(v["write_rto_s"]);
    i.promotion_s = optional_real(v["promotion_s"]);
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace store
