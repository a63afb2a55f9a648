// Fuzz target: a scenario file's text. It loads, or it is refused with a located ScenarioError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "runner/scenario_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)runner::load_scenario_text(text, "fuzz.yaml");
  } catch (const runner::ScenarioError&) {
  }
  return 0;
}
