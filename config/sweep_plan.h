// config/sweep_plan.h: sweeps, many runs of one or more scenarios over a grid of settings.
//
// A sweep file names base scenario(s), axes of `--set` values, and replications:
//
//   name: surge-hpa
//   scenario: ../demos/03-user-surge-autoscale.yaml  # or scenarios: [a.yaml, b.yaml]
//   set: {duration: 45m}                             # applied to every run
//   axes:
//     - name: target
//       set: [sites.public.autoscaler.hpa.metrics[0].resource.target.averageUtilization]
//       values: [50, 60, 70]
//     - name: autoscaler                             # values that are groups of settings
//       values:
//         - {label: hpa, set: {}}
//         - label: knative
//           set: {sites.public.autoscaler.hpa: "~", sites.public.autoscaler.knative.max: 60}
//   combine: cartesian                               # or zip (axes of equal length, in step)
//   replications: 5
//   seed: 1                                          # optional
//   shards: 10                                       # optional: the N of --shard auto
//
// Axis names and labels are one line of printable text (they name configurations in reports
// and charts).
//
// A configuration is one base scenario and one value of each axis; it runs `replications` times.
// Replication r of every configuration uses the same seed (common random numbers): derived from
// `seed`, or, without it, from the base scenario's own seed (replication 0 uses that seed).
// Runs are numbered config-major: run index = config x replications + replication, and the run's
// id in the results is index + 1, whoever runs it, so shards merge into exactly what one process
// would have written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/yaml_reader.h"

namespace config {

struct SweepAxis {
  std::string name;
  struct Value {
    std::string label;
    std::vector<std::string> sets;  // "path=value"
    Location where;                 // in the sweep file
  };
  std::vector<Value> values;
};

struct SweepSpec {
  std::string name;
  std::string description;
  std::string source_file;
  std::string source_text;
  std::vector<std::string> scenarios;  // base scenario files (resolved)
  std::vector<Location> scenario_where;
  std::vector<std::string> sets;  // applied to every run
  std::vector<SweepAxis> axes;
  bool zip = false;
  int replications = 1;
  std::optional<uint64_t> seed;
  int shards = 0;
};

struct PlannedRun {
  int64_t index = 0;  // run_id - 1
  int64_t config_id = 0;
  std::string config_label;
  std::string scenario_file;
  std::vector<std::string> sets;
  int64_t replication = 0;
  uint64_t seed = 0;
};

struct SweepPlan {
  SweepSpec spec;
  std::vector<PlannedRun> runs;
  int64_t configs = 0;
  uint64_t hash = 0;  // of everything that decides the results (files, sets, seeds)
  // The loader's warnings (Scenario::warnings) over every configuration, each once.
  std::vector<std::string> warnings;
};

// Reads a sweep file strictly (errors name file:line:col and key, as for scenarios), expands it,
// and checks that every configuration's scenario loads. `extra_sets` are applied to every
// configuration before the sweep's own (the command line's --allow-late). Throws ScenarioError.
SweepPlan plan_sweep_file(const std::string& path, const std::vector<std::string>& extra_sets = {});

}  // namespace config
