// config/loader.h: YAML scenario file -> Scenario, strictly.
//
// Everything is validated before t = 0: unknown keys (with suggestions), missing required keys,
// values without units or with wrong units, out-of-range numbers, references to sites that do
// not exist. The first problem is thrown as a ScenarioError naming file:line:column and the key
// path. `--set path=value` overrides are applied by path and validated the same way.
#pragma once

#include <string>
#include <vector>

#include "config/scenario.h"
#include "config/yaml_reader.h"

namespace config {

Scenario load_scenario_file(const std::string& path,
                            const std::vector<std::string>& overrides = {});
Scenario load_scenario_text(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides = {});

// Reads a whole file; throws ScenarioError (file, no line) when it cannot.
std::string read_text_file(const std::string& path);

}  // namespace config
