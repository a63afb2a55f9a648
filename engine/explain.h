// engine/explain.h: why an autoscaler did what it did at a moment of a recorded run.
//
// A results file logs each autoscaler decision that changed something, with its whole chain in
// the event's typed details; the evaluations in between (the HPA holding its size every 15 s)
// are not stored. To explain any moment exactly, the run is replayed: the same scenario text,
// overrides and seed give the same event sequence (determinism is tested), so re-running up to
// the moment with a tracing recorder (sim::Recorder::tracing) yields every evaluation's chain.
// The replay checks itself against the file: every event the file logged up to the moment must
// come out again, identically, or the explanation is refused as not this run's (a file written
// by another hcsim version) and the caller falls back to the stored decisions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/scenario.h"
#include "sim/time.h"
#include "store/json.h"
#include "store/results_reader.h"

namespace engine {

// One autoscaler evaluation: a "decision" event of a replay, or a stored "scale" event.
struct Evaluation {
  int64_t t_ns = 0;
  std::string component;  // hpa/<site>, target-tracking/<site>, ..., site/<site> (nodes)
  std::string kind;       // decision (replay) | scale | autoscaler (stored)
  std::string message;
  store::JsonValue details;
};

struct ExplainReplay {
  // The latest evaluation at or before the moment, per autoscaler of the site: its pod
  // autoscalers first (the HPA, a policy, a scheduled scaler), then the cluster autoscaler.
  std::vector<Evaluation> pod_autoscalers;
  std::optional<Evaluation> node_autoscaler;
  // The latest change the pod autoscaler logged at or before the moment (context for a hold).
  std::optional<Evaluation> last_change;
  // False when the replay's events differ from the file's: `divergence` says where.
  bool reproduced = true;
  std::string divergence;
  int64_t events_compared = 0;
};

// Replays `s` with `seed` until just past `at` and collects the evaluations of `site`'s
// autoscalers. `logged`: the file's events of the run (the reproduction check).
ExplainReplay replay_for_explain(const config::Scenario& s, uint64_t seed, const std::string& site,
                                 sim::SimTime at, const std::vector<store::EventRecord>& logged);

// The same from the file alone (no replay): the latest logged decisions at or before `at`.
ExplainReplay stored_for_explain(const std::string& site, sim::SimTime at,
                                 const std::vector<store::EventRecord>& logged);

// True when `component` is one of `site`'s pod autoscalers ("<kind>/<site>", not site/ itself).
bool is_pod_autoscaler_of(const std::string& component, const std::string& site);

}  // namespace engine
