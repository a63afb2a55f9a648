// engine/run.h: executing one scenario run, checking its expect: gates and summarising it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/scenario.h"
#include "models/metrics/metrics_collector.h"
#include "sim/recorder.h"
#include "store/results_writer.h"

namespace engine {

struct ExpectCheck {
  std::string scope;  // "overall" or a site name
  std::string key;    // e.g. "apdex_min"
  double limit = 0;
  double value = 0;  // NaN when the run produced no value (counts as failed)
  bool passed = false;
  // A gate the run gave nothing to judge (an RTO gate without an incident, a site that served
  // no request): `why_not` says why; it fails the run unless the scenario marks it optional.
  bool evaluated = true;
  bool optional = false;
  std::string why_not;
  // "passed", "failed", or "not evaluated"
  const char* status() const { return !evaluated ? "not evaluated" : passed ? "passed" : "failed"; }
};

// One fault and what it cost: detection, SLO violation and recovery (RTO), data lost (RPO).
struct IncidentReport {
  std::string site;
  std::string kind;  // full | partial | partition | brownout
  double start_s = 0;
  std::optional<double> end_s, detected_s, violated_s, recovered_s;
  std::optional<double> rto_s;  // nullopt: violated the SLO and never recovered
  bool recovered = true;
  // The SLO was already violated when the fault began: the RTO runs from that violation
  // (rto_from_s), not from the fault.
  bool violated_before = false;
  double rto_from_s = 0;
  int collapses = 0;       // violations after a recovery within the incident
  double violation_s = 0;  // seconds the SLO window was violated from the origin to recovery
  // Each violation within the incident, [start, end] in seconds (end: the run's end if open).
  std::vector<std::pair<double, double>> violations;
  std::optional<uint64_t> lost_writes;  // full outages of a replicated site
  std::optional<double> rpo_s;
  // Full outages of the primary database (a primary write path): seconds from the fault's start
  // until a primary took writes again (nullopt: never, by the end of the run), and the promotion
  // that did it (nullopt: the old primary returned first).
  bool write_outage = false;
  std::optional<double> write_rto_s;
  std::optional<double> promotion_s;
  std::string primary_after;  // the primary once writes resumed
};

// Disaster-recovery figures of a run: the worst incident's RTO and RPO and all lost writes.
struct DrSummary {
  std::vector<IncidentReport> incidents;
  // Over incidents (and per site, over its incidents). rto_s is NaN when one never recovered.
  struct Figures {
    std::optional<double> rto_s, rpo_s;
    std::optional<uint64_t> lost_writes;
    std::optional<double> write_rto_s;  // NaN when writes never resumed
    // The longest a write waited in the site's replication log (links with a throughput).
    std::optional<double> replication_backlog_max_s;
  };
  Figures overall;
  std::vector<Figures> sites;
  std::string write_path;                   // local | primary | multi-primary
  double slo_violation_s = 0;               // seconds of SLO violation in the measured period
  std::optional<uint64_t> write_conflicts;  // multi-primary
};

std::vector<ExpectCheck> check_expectations(const config::Scenario& s,
                                            const models::RunSummary& summary, const DrSummary& dr);

struct RunControl {
  const std::atomic<bool>* stop = nullptr;            // set to stop early (SIGINT)
  std::function<void(sim::SimTime now)> on_progress;  // called every few hundred thousand events
};

struct RunResult {
  std::string status;  // completed | interrupted
  models::RunSummary summary;
  DrSummary dr;
  std::vector<std::vector<models::NodeGroupSummary>> node_groups;  // per site
  // Per database (in the order of the sites hosting them), and per site what its pods did with
  // theirs (empty without databases).
  struct Database {
    std::string name;
    double utilization = 0;  // busy cores / cores, whole run
    int peak_connections = 0, max_connections = 0;
    std::vector<std::string> sites;  // whose pods use it
  };
  std::vector<Database> databases;
  std::vector<std::optional<models::DatabaseUse>> database_use;  // per site
  std::vector<ExpectCheck> checks;
  std::optional<bool> expect_passed;  // nullopt when the scenario has no expect:
  uint64_t events = 0;
  uint64_t fingerprint = 0;
  sim::SimTime sim_end;
  double wall_seconds = 0;
  std::string summary_json;  // pretty JSON, as --summary-json writes it
};

// Runs the scenario with `seed`, writing records to `rec`.
RunResult execute(const config::Scenario& s, uint64_t seed, sim::Recorder& rec,
                  const RunControl& control);

// Who a run is in a results file: its seed and, in a sweep, its configuration, replication and
// run id (the next free id otherwise).
struct RunLabel {
  explicit RunLabel(uint64_t run_seed = 0) : seed(run_seed) {}
  uint64_t seed = 0;
  std::optional<int64_t> config_id;
  std::string config_label;
  std::optional<int64_t> replication;
  std::optional<int64_t> run_id;
};

// What the results file records about a run when it begins (scenario text, overrides, horizon,
// buckets, narration, histogram bins).
store::RunInfo run_info(const config::Scenario& s, const RunLabel& label);

// Runs into a results database: inserts the run, writes its records, sets its final status.
// A DbError or other exception during the run marks it 'failed' and is rethrown.
RunResult run_into_db(store::ResultsDb& db, const config::Scenario& s, const RunLabel& label,
                      const RunControl& control, int64_t* run_id = nullptr);

std::string summary_to_json(const config::Scenario& s, uint64_t seed, const RunResult& r);

}  // namespace engine
