// Fuzz target: results files as input (shards from a cluster, files from colleagues). The input
// is a list of edits, 8 bytes each (which column of which table, which row, a value), applied
// with SQL to a copy of a small valid results file: two runs of a two-site scenario with an
// outage and narration. The reader's checks must accept the file or refuse it with
// store::DbError; a file they accept must give a report (or report::BadInput). Any other
// exception, crash, sanitizer report, hang or runaway allocation is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

#include "config/loader.h"
#include "engine/run.h"
#include "report/report.h"
#include "store/results_reader.h"
#include "store/results_writer.h"

namespace {

namespace fs = std::filesystem;

const char* kScenario = R"(name: fuzz-results
duration: 3m
seed: 5
metrics: {bucket: 10s, warmup: 20s}
traffic:
  rate: 40/s
  request: {cpu: {dist: exponential, mean: 30ms}, write_fraction: 0.1}
gslb:
  policy: weighted
  weights: {private: 40, public: 60}
  dns: {ttl: 20s, resolvers_per_region: 20}
  health_check: {interval: 10s}
replication:
  - {from: private, to: public, lag: {dist: constant, value: 2s}}
sites:
  private:
    cloud: private
    replicas: 2
    deployment: {pod: {cpu: 1, concurrency: 4, queue: 16}}
  public:
    cloud: public
    cost: {pod_per_hour: 0.1}
    replicas: 3
    deployment: {pod: {cpu: 1, concurrency: 4, queue: 16}}
events:
  - {at: 1m, outage: {site: private, duration: 40s}}
narration:
  - {at: 0s, text: "start"}
  - {at: 1m, text: "private fails"}
expect: {rto_max_s: 120}
)";

struct Target {
  const char* table;
  const char* key;  // the columns that name a row
  const char* column;
  enum Kind { kInt, kReal, kBlob, kText } kind;
};

const Target kTargets[] = {
    {"series", "run_id, entity_id, t_ns", "t_ns", Target::kInt},
    {"series", "run_id, entity_id, t_ns", "entity_id", Target::kInt},
    {"series", "run_id, entity_id, t_ns", "completions", Target::kInt},
    {"series", "run_id, entity_id, t_ns", "failed", Target::kInt},
    {"series", "run_id, entity_id, t_ns", "apdex", Target::kReal},
    {"series", "run_id, entity_id, t_ns", "share", Target::kReal},
    {"series", "run_id, entity_id, t_ns", "rt_p95_s", Target::kReal},
    {"series", "run_id, entity_id, t_ns", "replicas_ready", Target::kInt},
    {"series", "run_id, entity_id, t_ns", "dt_s", Target::kReal},
    {"series", "run_id, entity_id, t_ns", "cost", Target::kReal},
    {"rt_hist", "run_id, entity_id, t_ns", "first_bin", Target::kInt},
    {"rt_hist", "run_id, entity_id, t_ns", "t_ns", Target::kInt},
    {"rt_hist", "run_id, entity_id, t_ns", "entity_id", Target::kInt},
    {"rt_hist", "run_id, entity_id, t_ns", "counts", Target::kBlob},
    {"rt_hist_bins", "bin", "lo_s", Target::kReal},
    {"rt_hist_bins", "bin", "hi_s", Target::kReal},
    {"rt_hist_bins", "bin", "bin", Target::kInt},
    {"runs", "run_id", "status", Target::kText},
    {"runs", "run_id", "horizon_ns", Target::kInt},
    {"runs", "run_id", "bucket_ns", Target::kInt},
    {"runs", "run_id", "warmup_ns", Target::kInt},
    {"runs", "run_id", "apdex_t_ns", Target::kInt},
    {"runs", "run_id", "sim_end_ns", Target::kInt},
    {"runs", "run_id", "summary_json", Target::kText},
    {"runs", "run_id", "run_id", Target::kInt},
    {"runs", "run_id", "config_id", Target::kInt},
    {"events", "run_id, seq", "t_ns", Target::kInt},
    {"events", "run_id, seq", "seq", Target::kInt},
    {"events", "run_id, seq", "details", Target::kText},
    {"narration", "rowid", "t_ns", Target::kInt},
    {"entities", "run_id, entity_id", "entity_id", Target::kInt},
    {"entities", "run_id, entity_id", "name", Target::kText},
    {"meta", "key", "value", Target::kText},
};

const std::string& base_file() {
  static const std::string path = [] {
    const std::string p =
        (fs::temp_directory_path() / ("hcsim-fuzz-base-" + std::to_string(getpid()) + ".sqlite"))
            .string();
    fs::remove(p);
    store::ResultsDb db(p);
    const config::Scenario s = config::load_scenario_text(kScenario, "fuzz-results.yaml");
    for (uint64_t seed : {1, 2}) engine::run_into_db(db, s, engine::RunLabel(seed), {});
    return p;
  }();
  return path;
}

void apply(store::Db& db, const uint8_t* e) {
  const Target& t = kTargets[e[0] % (sizeof kTargets / sizeof kTargets[0])];
  const int64_t row = e[1] | (e[2] << 8);
  int32_t v;
  std::memcpy(&v, e + 4, 4);
  const std::string sql = std::string("UPDATE ") + t.table + " SET " + t.column + " = ? WHERE (" +
                          t.key + ") = (SELECT " + t.key + " FROM " + t.table + " ORDER BY " +
                          t.key + " LIMIT 1 OFFSET ?)";
  try {
    store::Stmt st(db, sql);
    if (e[3] == 0xff) {
      st.bind_null(1);
    } else if (t.kind == Target::kInt) {
      // Small values, and now and then the far ends of 64 bits.
      const int64_t x = e[3] == 0xfe ? (int64_t{v} << 32) : int64_t{v};
      st.bind(1, x);
    } else if (t.kind == Target::kReal) {
      st.bind(1, static_cast<double>(v) / (e[3] == 0xfe ? 1.0 : 1000.0));
    } else if (t.kind == Target::kBlob) {
      const std::string bytes(static_cast<std::size_t>(e[3] % 24), static_cast<char>(v & 0xff));
      st.bind_blob(1, {reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});
    } else {
      static const char* kTexts[] = {"completed", "running",          "bogus", "",      "{", "{}",
                                     "[1,2]",     "{\"overall\": 5}", "all",   "public"};
      st.bind(1, std::string_view(kTexts[static_cast<uint32_t>(v) % 10]));
    }
    st.bind(2, row);
    st.run();
  } catch (const store::DbError&) {
    // A constraint of the schema refused the edit: the file stays as it was.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8 * 64) return 0;
  const std::string path =
      (fs::temp_directory_path() / ("hcsim-fuzz-results-" + std::to_string(getpid()) + ".sqlite"))
          .string();
  fs::copy_file(base_file(), path, fs::copy_options::overwrite_existing);
  {
    store::Db db(path, store::Db::Mode::kReadWrite);
    db.exec("PRAGMA ignore_check_constraints = ON");
    for (size_t i = 0; i + 8 <= size; i += 8) apply(db, data + i);
  }
  try {
    const store::ResultsReader reader(path);
    reader.check_all();
  } catch (const store::DbError&) {
    return 0;  // refused, with a message
  }
  report::Options options;
  options.db = path;
  options.format = "json";
  options.out = path + ".json";
  options.charts = false;
  try {
    report::write_report(options);
  } catch (const report::BadInput&) {
  } catch (const store::DbError&) {
  }
  return 0;
}
