// store/results_writer.h: the SQLite results store (schema: results/schema.sql, documented in
// docs/results-schema.md).
//
// A results file holds one or more runs. A run is inserted with status 'running' and committed
// at once; its series, histograms, events and samples are written through a RunRecorder in
// transactions of bounded size (memory does not grow with the horizon); end_run() sets the final
// status ('completed', 'interrupted' or 'failed') with the summary in one transaction. A reader
// that finds 'running' in a file no process is writing sees a run that was killed: reports
// count only 'completed' runs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/recorder.h"
#include "store/sqlite.h"

namespace store {

inline constexpr int kSchemaVersion = 6;
// The oldest schema version the reader still reads (columns added since read as NULL).
inline constexpr int kOldestReadableSchemaVersion = 2;
// The text of results/schema.sql (embedded at build time).
const std::string& results_schema_sql();

// What a run is, written when it begins. The engine fills it from the scenario.
struct RunInfo {
  std::string scenario_name;
  std::string scenario_file;           // "" when the scenario came from text
  std::string scenario_yaml;           // the scenario text as read
  std::vector<std::string> overrides;  // the --set arguments applied
  uint64_t seed = 0;
  std::optional<int64_t> config_id;
  std::string config_label;
  std::optional<int64_t> replication;
  std::optional<int64_t> run_id;  // sweeps number their runs; otherwise the next free id
  int64_t horizon_ns = 0, bucket_ns = 0, warmup_ns = 0, apdex_t_ns = 0;
  struct Caption {
    int64_t t_ns = 0;
    std::string text;
  };
  std::vector<Caption> narration;
  // The response-time histogram's bins (rt_hist rows count requests per bin): lower and upper
  // edge in seconds, the last upper edge may be infinite. Written once per results file.
  std::vector<std::pair<double, double>> rt_bins;
};

struct RunEnd {
  std::string status;  // completed | interrupted | failed
  sim::SimTime sim_end;
  uint64_t events = 0;
  uint64_t fingerprint = 0;
  std::optional<bool> expect_passed;
  std::string summary_json;
  std::string message;
  double wall_seconds = 0;
};

class ResultsDb {
 public:
  // Opens or creates `path` and installs or checks the schema. Throws DbError.
  explicit ResultsDb(const std::string& path);

  int64_t begin_run(const RunInfo& info);
  void end_run(int64_t run_id, const RunEnd& end);
  Db& db() { return db_; }

 private:
  void write_rt_bins(const std::vector<std::pair<double, double>>& bins);
  Db db_;
};

// Event details as a JSON object (results/schema.sql, events.details).
std::string details_to_json(const sim::EventDetails& details);

// Writes one run's records. Rows are buffered in an open transaction that is committed every
// kRowsPerCommit rows and by flush().
class RunRecorder final : public sim::Recorder {
 public:
  static constexpr int kRowsPerCommit = 20000;
  RunRecorder(ResultsDb& db, int64_t run_id);
  ~RunRecorder() override;

  void series(std::string_view table, std::string_view entity, sim::SimTime t,
              std::span<const sim::Field> fields) override;
  void histogram(std::string_view table, std::string_view entity, sim::SimTime t,
                 std::span<const uint32_t> counts) override;
  using sim::Recorder::event;
  void event(sim::SimTime t, std::string_view component, std::string_view kind,
             std::string_view message, const sim::EventDetails& details) override;
  void sample(std::string_view component, std::string_view name, sim::SimTime t,
              double value) override;
  // Commits what is buffered.
  void flush();

 private:
  int64_t entity(std::string_view table, std::string_view name);
  void ensure_txn();
  void wrote_row();

  Db& db_;
  int64_t run_id_;
  bool in_txn_ = false;
  int rows_ = 0;
  int64_t event_seq_ = 0;
  std::vector<std::string> series_columns_;            // after run_id, entity_id, t_ns
  std::unordered_map<std::string, int> series_param_;  // column -> bind index
  std::vector<const char*> cached_names_;              // field-name layout of the last row
  std::vector<int> cached_params_;
  std::vector<std::pair<std::string, int64_t>> entities_;
  std::vector<unsigned char> blob_;  // reused histogram encoding buffer
  Stmt insert_series_, insert_hist_, insert_event_, insert_sample_, insert_entity_;
};

}  // namespace store
