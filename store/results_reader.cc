#include "store/results_reader.h"

#include <algorithm>
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

std::string ns_text(int64_t ns) { return std::to_string(ns); }

// The rules of a runs row (results/schema.sql); throws CorruptResults.
void check_run(const std::string& path, const RunRecord& r) {
  const auto bad = [&](const std::string& what) {
    throw CorruptResults(path + ": table runs, run " + std::to_string(r.run_id) + ": " + what);
  };
  if (r.status != "running" && r.status != "completed" && r.status != "interrupted" &&
      r.status != "failed")
    bad("status '" + r.status + "' is not running, completed, interrupted or failed");
  if (r.run_id < 1) bad("run_id must be at least 1");
  if (r.horizon_ns <= 0) bad("horizon_ns " + ns_text(r.horizon_ns) + " must be positive");
  if (r.bucket_ns <= 0) bad("bucket_ns " + ns_text(r.bucket_ns) + " must be positive");
  if (r.horizon_ns / r.bucket_ns > 50'000'000)
    bad("horizon_ns / bucket_ns is more than 50,000,000 buckets");
  if (r.warmup_ns < 0 || r.warmup_ns >= r.horizon_ns)
    bad("warmup_ns " + ns_text(r.warmup_ns) + " is not within [0, horizon_ns)");
  if (r.apdex_t_ns <= 0) bad("apdex_t_ns " + ns_text(r.apdex_t_ns) + " must be positive");
  if (r.sim_end_ns && (*r.sim_end_ns < 0 || *r.sim_end_ns > r.horizon_ns))
    bad("sim_end_ns " + ns_text(*r.sim_end_ns) + " is not within [0, horizon_ns]");
  if (r.status == "completed" && !r.summary.is_object())
    bad("a completed run without its summary_json");
}

std::vector<std::string> series_columns_of(const Db& db) {
  std::vector<std::string> out;
  Stmt info(db, "PRAGMA table_info(series)");
  while (info.step()) out.push_back(info.text(1));
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view x) {
  for (const std::string& s : v) {
    if (s == x) return true;
  }
  return false;
}

std::optional<double> optional_real(const JsonValue& v) { return v.optional_number(); }

std::string row_text(const char* table, int64_t run_id, int64_t entity_id, int64_t t_ns) {
  return std::string("table ") + table + ", run " + std::to_string(run_id) + ", entity " +
         std::to_string(entity_id) + ", t_ns " + std::to_string(t_ns);
}

bool known_entity(const std::vector<int64_t>& ids, int64_t id) {
  return std::binary_search(ids.begin(), ids.end(), id);
}

// Columns whose values are fractions.
bool is_fraction(std::string_view column) { return column == "apdex" || column == "share"; }

}  // namespace

const std::vector<std::string>& schema_series_columns() {
  static const std::vector<std::string> kColumns = [] {
    Db scratch(":memory:", Db::Mode::kCreate);
    scratch.exec(results_schema_sql());
    return series_columns_of(scratch);
  }();
  return kColumns;
}

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
  Stmt tables(db_,
              "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runs', "
              "'entities', 'series', 'rt_hist', 'rt_hist_bins', 'events', 'narration', 'meta')");
  if (!tables.step() || tables.int64(0) != 8)
    throw CorruptResults(path + ": tables of the results schema are missing");
  // The histogram bins: numbered 0.., edges increasing, only the last one unbounded.
  Stmt bins(db_, "SELECT bin, lo_s, hi_s FROM rt_hist_bins ORDER BY bin");
  double last_hi = 0;
  bool unbounded = false;
  while (bins.step()) {
    const int64_t bin = bins.int64(0);
    const auto bad = [&](const std::string& what) {
      throw CorruptResults(path + ": table rt_hist_bins, bin " + std::to_string(bin) + ": " + what);
    };
    if (bin != bins_ || bins_ >= 100000) bad("bins must be numbered 0, 1, 2 ... (at most 100000)");
    const double lo = bins.real(1);
    if (unbounded || !std::isfinite(lo) || lo < 0 || (bins_ > 0 && lo < last_hi - 1e-12))
      bad("lo_s " + std::to_string(lo) + " does not follow the previous bin");
    unbounded = bins.is_null(2);
    last_hi = unbounded ? lo : bins.real(2);
    if (!unbounded && !(last_hi > lo)) bad("hi_s is not above lo_s");
    ++bins_;
  }
}

void ResultsReader::corrupt(const std::string& where, const std::string& what) const {
  throw CorruptResults(path() + ": " + where + ": " + what);
}

ResultsReader::Bounds ResultsReader::bounds(int64_t run_id) const {
  const std::optional<RunRecord> r = run(run_id);
  if (!r) corrupt("table runs", "no run " + std::to_string(run_id));
  Bounds b;
  b.end_ns = r->horizon_ns;
  for (const EntityRecord& e : entities(run_id)) b.entity_ids.push_back(e.entity_id);
  return b;
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
  while (st.step()) {
    out.push_back(run_from(st));
    check_run(path(), out.back());
  }
  return out;
}

std::optional<RunRecord> ResultsReader::run(int64_t run_id) const {
  Stmt st(db_, std::string("SELECT ") + kRunColumns + " FROM runs WHERE run_id = ?");
  st.bind(1, run_id);
  if (!st.step()) return std::nullopt;
  RunRecord r = run_from(st);
  check_run(path(), r);
  return r;
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
  while (st.step()) {
    out.push_back({st.int64(0), st.text(1), st.text(2)});
    if (out.back().entity_id < 0 ||
        (out.size() > 1 && out[out.size() - 2].entity_id == out.back().entity_id))
      corrupt("table entities, run " + std::to_string(run_id),
              "entity_id " + std::to_string(out.back().entity_id) + " is negative or repeated");
  }
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
  const Bounds b = bounds(run_id);
  int64_t last_entity = -1, last_t = -1;
  while (st.step()) {
    const int64_t entity = st.int64(0), t = st.int64(1);
    const auto where = [&] { return row_text("series", run_id, entity, t); };
    if (!known_entity(b.entity_ids, entity)) corrupt(where(), "no such entity in this run");
    if (t < 0 || t > b.end_ns) corrupt(where(), "the time is outside the run");
    if (entity == last_entity && t <= last_t) corrupt(where(), "times go back or repeat");
    last_entity = entity;
    last_t = t;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const int c = static_cast<int>(i) + 2;
      values[i] = st.is_null(c) ? kNaN : st.real(c);
      const double v = values[i];
      if (st.is_null(c)) continue;
      if (!std::isfinite(v) || v < 0 || (is_fraction(columns[i]) && v > 1 + 1e-9))
        corrupt(where(), std::string(columns[i]) + " " + std::to_string(v) +
                             (is_fraction(columns[i]) ? " is not within [0, 1]"
                                                      : " is negative or not finite"));
    }
    row({entity, t, values});
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
  const int64_t lo = st.int64(0), hi = st.int64(1);
  if (lo < 0 || hi > bins_) {
    Stmt bad(db_,
             "SELECT entity_id, t_ns, first_bin, length(counts) / 4 FROM rt_hist WHERE run_id = ? "
             "AND (first_bin < 0 OR first_bin + length(counts) / 4 > ?) LIMIT 1");
    bad.bind(1, run_id).bind(2, int64_t{bins_});
    if (bad.step()) {
      corrupt(row_text("rt_hist", run_id, bad.int64(0), bad.int64(1)),
              "bins " + std::to_string(bad.int64(2)) + " to " +
                  std::to_string(bad.int64(2) + bad.int64(3) - 1) + " are not among the " +
                  std::to_string(bins_) + " bins of rt_hist_bins");
    }
    corrupt("table rt_hist, run " + std::to_string(run_id), "bins outside rt_hist_bins");
  }
  return std::make_pair(static_cast<int>(lo), static_cast<int>(hi));
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
  const Bounds b = bounds(run_id);
  int64_t last_entity = -1, last_t = -1;
  while (st.step()) {
    // Little-endian uint32 counts (results/schema.sql).
    const auto blob = st.blob(3);
    const int64_t id = st.int64(0), t = st.int64(1), first = st.int64(2);
    const auto where = [&] { return row_text("rt_hist", run_id, id, t); };
    if (!known_entity(b.entity_ids, id)) corrupt(where(), "no such entity in this run");
    if (t < 0 || t > b.end_ns) corrupt(where(), "the time is outside the run");
    if (id == last_entity && t <= last_t) corrupt(where(), "times go back or repeat");
    last_entity = id;
    last_t = t;
    if (blob.empty() || blob.size() % 4 != 0)
      corrupt(where(), "counts is " + std::to_string(blob.size()) +
                           " bytes, not a positive multiple of 4 (uint32 counts)");
    if (first < 0 || first + static_cast<int64_t>(blob.size() / 4) > bins_)
      corrupt(where(), "bins " + std::to_string(first) + " to " +
                           std::to_string(first + static_cast<int64_t>(blob.size() / 4) - 1) +
                           " are not among the " + std::to_string(bins_) + " bins of rt_hist_bins");
    counts.clear();
    for (std::size_t k = 0; k + 4 <= blob.size(); k += 4) {
      counts.push_back(static_cast<uint32_t>(blob[k]) | (static_cast<uint32_t>(blob[k + 1]) << 8) |
                       (static_cast<uint32_t>(blob[k + 2]) << 16) |
                       (static_cast<uint32_t>(blob[k + 3]) << 24));
    }
    row({id, t, static_cast<int>(first), counts});
  }
}

std::vector<EventRecord> ResultsReader::events(int64_t run_id) const {
  std::vector<EventRecord> out;
  Stmt st(db_,
          "SELECT seq, t_ns, component, kind, message, details FROM events WHERE run_id = ? "
          "ORDER BY t_ns, seq");
  st.bind(1, run_id);
  const int64_t end_ns = bounds(run_id).end_ns;
  while (st.step()) {
    EventRecord e{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), {}};
    if (e.t_ns < 0 || e.t_ns > end_ns || e.seq < 0)
      corrupt("table events, run " + std::to_string(run_id) + ", seq " + std::to_string(e.seq),
              "t_ns " + std::to_string(e.t_ns) + " is outside the run, or seq is negative");
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
  while (st.step()) {
    out.push_back({st.int64(0), st.text(1)});
    if (out.back().t_ns < 0)
      corrupt("table narration, run " + std::to_string(run_id),
              "t_ns " + std::to_string(out.back().t_ns) + " is negative");
  }
  return out;
}

std::vector<SampleRecord> ResultsReader::samples(int64_t run_id, std::string_view component,
                                                 std::string_view name) const {
  std::vector<SampleRecord> out;
  Stmt st(db_,
          "SELECT t_ns, value FROM samples WHERE run_id = ? AND component = ? AND name = ? "
          "ORDER BY t_ns, rowid");
  st.bind(1, run_id).bind(2, component).bind(3, name);
  while (st.step()) {
    out.push_back({st.int64(0), st.is_null(1) ? std::nan("") : st.real(1)});
    if (out.back().t_ns < 0 || !std::isfinite(out.back().value))
      corrupt("table samples, run " + std::to_string(run_id) + ", " + std::string(component) + " " +
                  std::string(name),
              "t_ns " + std::to_string(out.back().t_ns) + " negative or a value not finite");
  }
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
    i.violated_before = v["violated_before"].boolean(false);
    i.collapses = static_cast<int>(v["collapses"].integer().value_or(0));
    i.violation_s = v["slo_violation_s"].number();
    if (std::isnan(i.violation_s)) i.violation_s = 0;
    i.write_outage = v.has("primary_after");
    i.write_rto_s = optional_real(v["write_rto_s"]);
    i.promotion_s = optional_real(v["promotion_s"]);
    out.push_back(std::move(i));
  }
  return out;
}

void ResultsReader::check_all() const {
  static const std::vector<std::string_view> kAll = [] {
    std::vector<std::string_view> all;
    for (const std::string& c : schema_series_columns()) {
      if (c != "run_id" && c != "entity_id" && c != "t_ns") all.push_back(c);
    }
    return all;
  }();
  meta();
  for (const RunRecord& r : runs()) {
    entities(r.run_id);
    for_each_series(r.run_id, kAll, [](const SeriesRow&) {});
    histogram_bin_range(r.run_id);
    for_each_histogram(r.run_id, std::nullopt, [](const HistogramRow&) {});
    events(r.run_id);
    narration(r.run_id);
  }
}

}  // namespace store
