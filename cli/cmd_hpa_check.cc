// hcsim hpa-check: evaluates HPA decision cases transcribed from the Kubernetes test suite
// (tests/data/hpa-cases.json) with hcsim's own HPA code (engine/hpa_check.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "config/yaml_reader.h"
#include "engine/hpa_check.h"

namespace cli {

CLI::App* add_hpa_check_command(CLI::App& app, HpaCheckArgs* args) {
  CLI::App* cmd = app.add_subcommand(
      "hpa-check",
      "Evaluate HPA decision cases (the format of tests/data/hpa-cases.json) with hcsim's HPA");
  cmd->add_option("cases", args->cases, "Cases JSON file")->required();
  cmd->add_flag("--verbose,-v", args->verbose, "Also list passing and skipped cases");
  return cmd;
}

int cmd_hpa_check(const HpaCheckArgs& args) {
  try {
    const engine::HpaCheckTotals t = engine::run_hpa_check(args.cases, std::cout, args.verbose);
    return t.failed > 0 ? kExitExpectFailed : kExitOk;
  } catch (const config::ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitBadInput;
  }
}

}  // namespace cli
