// hcsim validate: loads a scenario (with --set overrides) and checks it without running it;
// prints the loader's warnings, the resource estimate and whether `hcsim run` would refuse it
// without --force. Given a sweep file, it plans the sweep and checks every configuration.
#include <yaml-cpp/yaml.h>
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "config/loader.h"
#include "config/sweep_plan.h"
#include "engine/estimate.h"

namespace cli {

namespace {

// A sweep file names its scenario(s) and has no duration: of its own.
bool looks_like_sweep(const std::string& path) {
  try {
    const YAML::Node root = YAML::LoadFile(path);
    return root.IsMap() && !root["duration"] && (root["scenario"] || root["scenarios"]);
  } catch (const std::exception&) {
    return false;  // the scenario loader reports what is wrong
  }
}

int validate_sweep(const ValidateArgs& args) {
  if (!args.sets.empty()) {
    std::fprintf(stderr, "hcsim validate: %s is a sweep file: --set is for scenarios\n",
                 args.scenario.c_str());
    return kExitBadInput;
  }
  const config::SweepPlan plan =
      config::plan_sweep_file(args.scenario, with_allow_late({}, args.allow_late));
  print_warnings(plan.warnings);
  if (!args.quiet) {
    std::printf("%s: ok: sweep '%s', %lld configurations x %d replications = %zu runs\n",
                args.scenario.c_str(), plan.spec.name.c_str(), static_cast<long long>(plan.configs),
                plan.spec.replications, plan.runs.size());
  }
  return kExitOk;
}

}  // namespace

CLI::App* add_validate_command(CLI::App& app, ValidateArgs* args) {
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check a scenario file (or every configuration of a sweep file) without running");
  cmd->add_option("scenario", args->scenario, "Scenario or sweep YAML file")->required();
  cmd->add_option("--set", args->sets, "Override one setting (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  cmd->add_flag("--quiet,-q", args->quiet, "Print nothing but warnings when the file is valid");
  add_allow_late_flag(cmd, &args->allow_late);
  return cmd;
}

int cmd_validate(const ValidateArgs& args) {
  try {
    if (looks_like_sweep(args.scenario)) return validate_sweep(args);
    const config::Scenario s =
        config::load_scenario_file(args.scenario, with_allow_late(args.sets, args.allow_late));
    print_warnings(s.warnings);
    if (!args.quiet) {
      const engine::Estimate e = engine::estimate(s);
      std::printf("%s: ok: scenario '%s', %zu site%s, %s simulated (%s)%s\n", args.scenario.c_str(),
                  s.name.c_str(), s.sites.size(), s.sites.size() == 1 ? "" : "s",
                  sim::format_duration(s.duration).c_str(), engine::describe(e).c_str(),
                  s.warnings.empty() ? ""
                                     : (", " + std::to_string(s.warnings.size()) + " warning" +
                                        (s.warnings.size() == 1 ? "" : "s"))
                                           .c_str());
      if (const std::string over = engine::over_limits(e); !over.empty())
        std::printf("  hcsim run would refuse it without --force: %s\n", over.c_str());
    }
    return kExitOk;
  } catch (const config::ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitBadInput;
  }
}

}  // namespace cli
