// hcsim validate: loads a scenario (with --set overrides) and checks it without running it;
// prints the resource estimate and whether `hcsim run` would refuse it without --force.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "config/loader.h"
#include "engine/estimate.h"

namespace cli {

CLI::App* add_validate_command(CLI::App& app, ValidateArgs* args) {
  CLI::App* cmd = app.add_subcommand("validate", "Check a scenario file without running it");
  cmd->add_option("scenario", args->scenario, "Scenario YAML file")->required();
  cmd->add_option("--set", args->sets, "Override one setting (repeatable)")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  cmd->add_flag("--quiet,-q", args->quiet, "Print nothing when the file is valid");
  return cmd;
}

int cmd_validate(const ValidateArgs& args) {
  try {
    const config::Scenario s = config::load_scenario_file(args.scenario, args.sets);
    if (!args.quiet) {
      const engine::Estimate e = engine::estimate(s);
      std::printf("%s: ok: scenario '%s', %zu site%s, %s simulated (%s)\n", args.scenario.c_str(),
                  s.name.c_str(), s.sites.size(), s.sites.size() == 1 ? "" : "s",
                  sim::format_duration(s.duration).c_str(), engine::describe(e).c_str());
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
