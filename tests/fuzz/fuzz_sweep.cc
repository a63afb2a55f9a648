// Fuzz target: a sweep file's text (written to a scratch file, as sweeps are read from files).
// The seed corpus names real scenarios, so mutations reach the axes and the overrides.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "config/sweep_plan.h"
#include "config/yaml_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/hcsim-fuzz-sweep-" + std::to_string(getpid()) + ".yaml";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    (void)config::plan_sweep_file(path);
  } catch (const config::ScenarioError&) {
  }
  return 0;
}
