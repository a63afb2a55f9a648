#include "store/results_writer.h"

#include <chrono>
#include <cmath>
#include <ctime>

#include "sim/assert.h"
#include "store/files.h"
#include "store/json.h"

namespace store {

namespace {

std::vector<std::string> series_columns(const Db& db) {
  std::vector<std::string> cols;
  Stmt info(db, "PRAGMA table_info(series)");
  while (info.step()) {
    const std::string name = info.text(1);
    if (name != "run_id" && name != "entity_id" && name != "t_ns") cols.push_back(name);
  }
  return cols;
}

std::string series_insert_sql(const std::vector<std::string>& columns) {
  std::string sql = "INSERT INTO series(run_id, entity_id, t_ns";
  for (const auto& c : columns) sql += ", " + c;
  sql += ") VALUES(?, ?, ?";
  for (std::size_t i = 0; i < columns.size(); ++i) sql += ", ?";
  return sql + ")";
}

}  // namespace

std::string details_to_json(const sim::EventDetails& details) {
  using Kind = sim::EventDetails::Item::Kind;
  JsonWriter j;
  j.begin_object();
  std::vector<bool> in_array;  // per open container below the top object
  for (const sim::EventDetails::Item& it : details.items()) {
    if (it.kind == Kind::kEnd) {
      SIM_ASSERT(!in_array.empty(), "event details: end() without a begin");
      if (in_array.back())
        j.end_array();
      else
        j.end_object();
      in_array.pop_back();
      continue;
    }
    if (in_array.empty() || !in_array.back()) j.key(it.key);
    switch (it.kind) {
      case Kind::kNumber:
        j.value(it.number);
        break;
      case Kind::kInteger:
        j.value(it.integer);
        break;
      case Kind::kBool:
        j.value(it.integer != 0);
        break;
      case Kind::kText:
        j.value(it.text);
        break;
      case Kind::kBeginObject:
        j.begin_object();
        in_array.push_back(false);
        break;
      case Kind::kBeginArray:
        j.begin_array();
        in_array.push_back(true);
        break;
      case Kind::kEnd:
        break;
    }
  }
  SIM_ASSERT(in_array.empty(), "event details: a begin without end()");
  j.end_object();
  return j.str();
}

ResultsDb::ResultsDb(const std::string& path) : db_(path, Db::Mode::kCreate) {
  db_.exec("PRAGMA foreign_keys = ON");
  Stmt v(db_, "PRAGMA user_version");
  v.step();
  const int64_t version = v.int64(0);
  v.reset();
  Stmt tables(db_, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  tables.step();
  const int64_t ntables = tables.int64(0);
  tables.reset();
  if (version == 0 && ntables == 0) {
    Transaction tx(db_);
    db_.exec(results_schema_sql());
    db_.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    Stmt meta(db_, "INSERT INTO meta(key, value) VALUES(?, ?)");
    meta.bind(1, std::string_view("schema_version")).bind(2, std::to_string(kSchemaVersion)).run();
    meta.bind(1, std::string_view("created_by")).bind(2, std::string_view(HCSIM_VERSION)).run();
    tx.commit();
  } else if (version != kSchemaVersion) {
    throw DbError(path + ": not an hcsim results file of schema version " +
                  std::to_string(kSchemaVersion) + " (found user_version " +
                  std::to_string(version) + ")");
  }
}

int64_t ResultsDb::begin_run(const RunInfo& info) {
  Transaction tx(db_);
  write_rt_bins(info.rt_bins);
  Stmt st(
      db_,
      "INSERT INTO runs(scenario_name, scenario_file, scenario_yaml, overrides, seed, config_id,"
      " config_label, replication, hcsim_version, status, horizon_ns, bucket_ns, warmup_ns,"
      " apdex_t_ns, started_at, run_id) VALUES(?,?,?,?,?,?,?,?,?,'running',?,?,?,?,?,?)");
  JsonWriter ov;
  ov.begin_array();
  for (const auto& o : info.overrides) ov.value(o);
  ov.end_array();
  st.bind(1, info.scenario_name);
  if (info.scenario_file.empty())
    st.bind_null(2);
  else
    st.bind(2, info.scenario_file);
  st.bind(3, info.scenario_yaml).bind(4, ov.str()).bind(5, static_cast<int64_t>(info.seed));
  st.bind(6, info.config_id);
  if (info.config_label.empty())
    st.bind_null(7);
  else
    st.bind(7, info.config_label);
  st.bind(8, info.replication).bind(9, std::string_view(HCSIM_VERSION));
  st.bind(10, info.horizon_ns).bind(11, info.bucket_ns).bind(12, info.warmup_ns);
  st.bind(13, info.apdex_t_ns).bind(14, utc_now()).bind(15, info.run_id);
  st.run();
  const int64_t run_id = db_.last_insert_rowid();
  Stmt nar(db_, "INSERT INTO narration(run_id, t_ns, text) VALUES(?, ?, ?)");
  for (const auto& n : info.narration) nar.bind(1, run_id).bind(2, n.t_ns).bind(3, n.text).run();
  tx.commit();
  return run_id;
}

void ResultsDb::write_rt_bins(const std::vector<std::pair<double, double>>& bins) {
  Stmt count(db_, "SELECT count(*) FROM rt_hist_bins");
  count.step();
  const int64_t have = count.int64(0);
  count.reset();
  if (have == static_cast<int64_t>(bins.size())) return;
  if (have != 0)
    throw DbError(db_.path() + ": holds runs with another response-time histogram layout");
  Stmt ins(db_, "INSERT INTO rt_hist_bins(bin, lo_s, hi_s) VALUES(?, ?, ?)");
  for (std::size_t b = 0; b < bins.size(); ++b) {
    ins.bind(1, static_cast<int64_t>(b)).bind(2, bins[b].first);
    if (std::isinf(bins[b].second))
      ins.bind_null(3);
    else
      ins.bind(3, bins[b].second);
    ins.run();
  }
}

void ResultsDb::end_run(int64_t run_id, const RunEnd& end) {
  Transaction tx(db_);
  Stmt st(
      db_,
      "UPDATE runs SET status = ?, sim_end_ns = ?, events = ?, fingerprint = ?, expect_passed = ?,"
      " summary_json = ?, message = ?, finished_at = ?, wall_seconds = ? WHERE run_id = ?");
  char fp[20];
  std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>(end.fingerprint));
  st.bind(1, end.status).bind(2, end.sim_end.ns()).bind(3, static_cast<int64_t>(end.events));
  st.bind(4, std::string_view(fp));
  if (end.expect_passed)
    st.bind(5, int64_t{*end.expect_passed ? 1 : 0});
  else
    st.bind_null(5);
  if (end.summary_json.empty())
    st.bind_null(6);
  else
    st.bind(6, end.summary_json);
  if (end.message.empty())
    st.bind_null(7);
  else
    st.bind(7, end.message);
  st.bind(8, utc_now()).bind(9, end.wall_seconds).bind(10, run_id);
  st.run();
  tx.commit();
}

// ---------------------------------------------------------------------------------------------

RunRecorder::RunRecorder(ResultsDb& db, int64_t run_id)
    : db_(db.db()),
      run_id_(run_id),
      series_columns_(series_columns(db_)),
      insert_series_(db_, series_insert_sql(series_columns_)),
      insert_hist_(
          db_, "INSERT INTO rt_hist(run_id, entity_id, t_ns, first_bin, counts) VALUES(?,?,?,?,?)"),
      insert_event_(db_,
                    "INSERT INTO events(run_id, seq, t_ns, component, kind, message, details)"
                    " VALUES(?,?,?,?,?,?,?)"),
      insert_sample_(db_,
                     "INSERT INTO samples(run_id, component, name, t_ns, value) VALUES(?,?,?,?,?)"),
      insert_entity_(db_, "INSERT INTO entities(run_id, entity_id, name, kind) VALUES(?,?,?,?)") {
  for (std::size_t i = 0; i < series_columns_.size(); ++i) {
    series_param_[series_columns_[i]] = static_cast<int>(i) + 4;
  }
}

RunRecorder::~RunRecorder() {
  if (in_txn_) {
    try {
      db_.exec("COMMIT");
    } catch (...) {
    }
  }
}

void RunRecorder::ensure_txn() {
  if (!in_txn_) {
    db_.exec("BEGIN");
    in_txn_ = true;
  }
}

void RunRecorder::wrote_row() {
  if (++rows_ >= kRowsPerCommit) flush();
}

void RunRecorder::flush() {
  if (in_txn_) {
    db_.exec("COMMIT");
    in_txn_ = false;
  }
  rows_ = 0;
}

int64_t RunRecorder::entity(std::string_view table, std::string_view name) {
  for (const auto& [n, id] : entities_) {
    if (n == name) return id;
  }
  ensure_txn();
  const int64_t id = static_cast<int64_t>(entities_.size());
  insert_entity_.bind(1, run_id_).bind(2, id).bind(3, name).bind(4, table).run();
  entities_.emplace_back(std::string(name), id);
  return id;
}

void RunRecorder::series(std::string_view table, std::string_view entity_name, sim::SimTime t,
                         std::span<const sim::Field> fields) {
  const int64_t eid = entity(table, entity_name);
  // Map field names to bind positions; the layout is usually the same as last time.
  bool same = cached_names_.size() == fields.size();
  for (std::size_t i = 0; same && i < fields.size(); ++i)
    same = cached_names_[i] == fields[i].name.data();
  if (!same) {
    cached_names_.clear();
    cached_params_.clear();
    for (const sim::Field& f : fields) {
      const auto it = series_param_.find(std::string(f.name));
      SIM_ASSERT(it != series_param_.end(), "series field without a column in results/schema.sql");
      cached_names_.push_back(f.name.data());
      cached_params_.push_back(it->second);
    }
  }
  ensure_txn();
  insert_series_.bind(1, run_id_).bind(2, eid).bind(3, t.ns());
  for (std::size_t i = 0; i < fields.size(); ++i)
    insert_series_.bind(cached_params_[i], fields[i].value);
  insert_series_.run();
  wrote_row();
}

void RunRecorder::histogram(std::string_view table, std::string_view entity_name, sim::SimTime t,
                            std::span<const uint32_t> counts) {
  std::size_t first = 0, last = counts.size();
  while (first < last && counts[first] == 0) ++first;
  while (last > first && counts[last - 1] == 0) --last;
  if (first == last) return;
  const int64_t eid = entity(table, entity_name);
  std::vector<unsigned char>& blob = blob_;
  blob.clear();
  for (std::size_t i = first; i < last; ++i) {
    const uint32_t c = counts[i];
    for (int k = 0; k < 4; ++k) blob.push_back(static_cast<unsigned char>(c >> (8 * k)));
  }
  ensure_txn();
  insert_hist_.bind(1, run_id_).bind(2, eid).bind(3, t.ns()).bind(4, static_cast<int64_t>(first));
  insert_hist_.bind_blob(5, blob).run();
  wrote_row();
}

void RunRecorder::event(sim::SimTime t, std::string_view component, std::string_view kind,
                        std::string_view message, const sim::EventDetails& details) {
  ensure_txn();
  insert_event_.bind(1, run_id_).bind(2, event_seq_++).bind(3, t.ns()).bind(4, component);
  insert_event_.bind(5, kind).bind(6, message);
  if (details.empty())
    insert_event_.bind_null(7);
  else
    insert_event_.bind(7, details_to_json(details));
  insert_event_.run();
  wrote_row();
}

void RunRecorder::sample(std::string_view component, std::string_view name, sim::SimTime t,
                         double value) {
  ensure_txn();
  insert_sample_.bind(1, run_id_)
      .bind(2, component)
      .bind(3, name)
      .bind(4, t.ns())
      .bind(5, value)
      .run();
  wrote_row();
}

}  // namespace store
