// store/results_reader.h: the one reader of results files (schema: results/schema.sql,
// docs/results-schema.md). The report, the viewer, merge checks and tests read runs, series,
// histograms, events, narration and incidents through it; nobody else decodes a results file.
//
// A reader opens the file read-only and checks its schema version; it can read while a writer
// holds the file (SQLite's locking), and sees only committed rows. Row order is fixed: runs by
// id, series and histograms entity-major then by time, events by time then emission order.
// Errors throw DbError naming the file.
//
// Results files are input too (shards from a cluster, files from colleagues): every row is
// checked as it is read -- run times and statuses, entity ids, times within the run and in
// order, non-negative finite counts, histogram blobs whose bins exist -- and a file that breaks
// a rule is refused with CorruptResults naming the table and row, never drawn or summed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/json.h"
#include "store/sqlite.h"

namespace store {

// An impossible results file: what() names the file, the table and the row.
class CorruptResults : public DbError {
 public:
  using DbError::DbError;
};

// One row of the runs table, with its summary parsed.
struct RunRecord {
  int64_t run_id = 0;
  std::string scenario_name;
  std::string scenario_file;  // "" when the scenario came from text
  std::string scenario_yaml;
  std::vector<std::string> overrides;
  uint64_t seed = 0;
  std::optional<int64_t> config_id;  // sweeps
  std::string config_label;          // sweeps ("" otherwise)
  std::optional<int64_t> replication;
  std::string status;  // running | completed | interrupted | failed
  int64_t horizon_ns = 0, bucket_ns = 0, warmup_ns = 0, apdex_t_ns = 0;
  std::optional<int64_t> sim_end_ns;
  std::optional<bool> expect_passed;
  std::string fingerprint;
  std::string message;
  JsonValue summary;  // the run summary (null until the run has ended)

  // The configuration a sweep run belongs to, or a configuration of its own (-run_id).
  int64_t config_or_own() const { return config_id ? *config_id : -run_id; }
  // The sweep's label, or the scenario name.
  const std::string& label_or_scenario() const {
    return config_label.empty() ? scenario_name : config_label;
  }
  // Simulated length: sim_end_ns when known, else the horizon.
  double simulated_s() const {
    return static_cast<double>(sim_end_ns ? *sim_end_ns : horizon_ns) / 1e9;
  }
};

struct EntityRecord {
  int64_t entity_id = 0;
  std::string name;  // "all" for the overall series, else a site
  std::string kind;  // overall | site
};

// The series table's columns in the current schema (results/schema.sql), in table order.
const std::vector<std::string>& schema_series_columns();

// One series row: values[i] is the i-th requested column (NaN when NULL).
struct SeriesRow {
  int64_t entity_id = 0;
  int64_t t_ns = 0;
  std::span<const double> values;
};

// One histogram row, decoded: counts[k] is the count of bin first_bin + k.
struct HistogramRow {
  int64_t entity_id = 0;
  int64_t t_ns = 0;
  int first_bin = 0;
  std::span<const uint32_t> counts;
};

struct EventRecord {
  int64_t seq = 0;
  int64_t t_ns = 0;
  std::string component;  // e.g. site/public, hpa/public, gslb
  std::string kind;       // e.g. pod, scale, health, outage
  std::string message;    // for people; never parsed
  JsonValue details;      // typed fields (null when the event has none)
  double t_s() const { return static_cast<double>(t_ns) / 1e9; }
};

struct SampleRecord {
  int64_t t_ns = 0;
  double value = 0;
};

struct CaptionRecord {
  int64_t t_ns = 0;
  std::string text;
};

// One fault and what it cost, from the run summary.
struct IncidentRecord {
  std::string site, kind;
  double start_s = 0;
  std::optional<double> end_s, detected_s, violated_s, recovered_s, rto_s, rpo_s;
  std::optional<int64_t> lost_writes;
  bool recovered = true;
  bool violated_before = false;  // the SLO was already violated when the fault began
  int collapses = 0;
  double violation_s = 0;
  // Full outages of the primary database: time until writes resumed (nullopt: never) and the
  // promotion that did it (nullopt: the old primary returned).
  bool write_outage = false;
  std::optional<double> write_rto_s, promotion_s;
};

class ResultsReader {
 public:
  // Opens an existing results file read-only. Throws DbError when it is missing, not a results
  // file, or of another schema version.
  explicit ResultsReader(const std::string& path);

  const std::string& path() const { return db_.path(); }
  std::map<std::string, std::string> meta() const;

  // Every run, or those with the given status, by run id.
  std::vector<RunRecord> runs(std::optional<std::string_view> status = std::nullopt) const;
  std::optional<RunRecord> run(int64_t run_id) const;
  // The lowest run id, if any.
  std::optional<int64_t> first_run_id() const;
  int64_t count_runs_not(std::string_view status) const;

  std::vector<EntityRecord> entities(int64_t run_id) const;

  // Series rows of a run, the named columns of results/schema.sql's series table.
  void for_each_series(int64_t run_id, std::span<const std::string_view> columns,
                       const std::function<void(const SeriesRow&)>& row) const;

  // The histogram bins: (lower, upper) edge in seconds, the last upper edge infinite.
  std::vector<std::pair<double, double>> histogram_bins() const;
  // The bins any histogram row of the run touches: [lo, hi), or nullopt without rows.
  std::optional<std::pair<int, int>> histogram_bin_range(int64_t run_id) const;
  // Histogram rows of a run (of one entity when entity is given).
  void for_each_histogram(int64_t run_id, std::optional<std::string_view> entity,
                          const std::function<void(const HistogramRow&)>& row) const;

  std::vector<EventRecord> events(int64_t run_id) const;
  std::vector<CaptionRecord> narration(int64_t run_id) const;
  // A component's named samples in a run, by time (e.g. observed/public replicas).
  std::vector<SampleRecord> samples(int64_t run_id, std::string_view component,
                                    std::string_view name) const;

  // The incidents of a run's summary (empty before the run ended).
  static std::vector<IncidentRecord> incidents(const RunRecord& run);

  // Reads every row of every run through the checks; throws CorruptResults at the first
  // problem. (The other readers check what they read; merge checks its inputs whole.)
  void check_all() const;

  // For reads this reader does not offer (tests): the connection.
  const Db& db() const { return db_; }

 private:
  [[noreturn]] void corrupt(const std::string& where, const std::string& what) const;
  // The bounds rows of a run must respect (throws CorruptResults for an unknown run).
  struct Bounds {
    int64_t end_ns = 0;               // the last time a row may carry
    std::vector<int64_t> entity_ids;  // sorted
  };
  Bounds bounds(int64_t run_id) const;

  Db db_;
  int bins_ = 0;  // rows of rt_hist_bins
};

}  // namespace store
