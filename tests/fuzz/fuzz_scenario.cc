// Fuzz target: a scenario file's text. It loads, or it is refused with a located ScenarioError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)config::load_scenario_text(text, "fuzz.yaml");
  } catch (const config::ScenarioError&) {
  }
  return 0;
}
