// engine/hpa_check.h: `hcsim hpa-check CASES.json`: evaluates HPA decision cases in the format of
// tests/data/hpa-cases.json (docs/hpa.md §11) with the project's own HPA code (models/autoscaling)
// and reports every disagreement with the expected values.
#pragma once

#include <iosfwd>
#include <string>

namespace engine {

struct HpaCheckTotals {
  int passed = 0, failed = 0, skipped = 0;
};

// Prints one line per failing case ("FAIL name: field expected X, got Y"), one per skipped case
// with its reason when verbose, and "N passed, M failed, K skipped". Throws ScenarioError when
// the file cannot be read or is not in the case format.
HpaCheckTotals run_hpa_check(const std::string& path, std::ostream& out, bool verbose);

}  // namespace engine
