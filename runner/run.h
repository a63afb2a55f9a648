// runner/run.h: executing one scenario run, checking its expect: gates and summarising it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/metrics/metrics_collector.h"
#include "runner/results_db.h"
#include "runner/scenario.h"
#include "sim/recorder.h"

namespace runner {

struct ExpectCheck {
  std::string scope;  // "overall" or a site name
  std::string key;    // e.g. "apdex_min"
  double limit = 0;
  double value = 0;  // NaN when the run produced no value (counts as failed)
  bool passed = false;
};

// One fault and what it cost: detection, SLO violation and recovery (RTO), data lost (RPO).
struct IncidentReport {
  std::string site;
  std::string kind;  // full | partial | partition | brownout
  double start_s = 0;
  std::optional<double> end_s, detected_s, violated_s, recovered_s;
  std::optional<double> rto_s;  // nullopt: violated the SLO and never recovered
  bool recovered = true;
  std::optional<uint64_t> lost_writes;  // full outages of a replicated site
  std::optional<double> rpo_s;
};

// Disaster-recovery figures of a run: the worst incident's RTO and RPO and all lost writes.
struct DrSummary {
  std::vector<IncidentReport> incidents;
  // Over incidents (and per site, over its incidents). rto_s is NaN when one never recovered.
  struct Figures {
    std::optional<double> rto_s, rpo_s;
    std::optional<uint64_t> lost_writes;
  };
  Figures overall;
  std::vector<Figures> sites;
};

std::vector<ExpectCheck> check_expectations(const Scenario& s, const models::RunSummary& summary,
                                            const DrSummary& dr);

struct RunControl {
  const std::atomic<bool>* stop = nullptr;            // set to stop early (SIGINT)
  std::function<void(sim::SimTime now)> on_progress;  // called every few hundred thousand events
};

struct RunResult {
  std::string status;  // completed | interrupted
  models::RunSummary summary;
  DrSummary dr;
  std::vector<ExpectCheck> checks;
  std::optional<bool> expect_passed;  // nullopt when the scenario has no expect:
  uint64_t events = 0;
  uint64_t fingerprint = 0;
  sim::SimTime sim_end;
  double wall_seconds = 0;
  std::string summary_json;  // pretty JSON, as --summary-json writes it
};

// Runs the scenario with `seed`, writing records to `rec`.
RunResult execute(const Scenario& s, uint64_t seed, sim::Recorder& rec, const RunControl& control);

// Runs into a results database: inserts the run, writes its records, sets its final status.
// A DbError or other exception during the run marks it 'failed' and is rethrown.
RunResult run_into_db(ResultsDb& db, const RunInfo& info, const RunControl& control,
                      int64_t* run_id = nullptr);

std::string summary_to_json(const Scenario& s, uint64_t seed, const RunResult& r);

}  // namespace runner
