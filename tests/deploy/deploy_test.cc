// deploy/: the commands the Kubernetes Indexed Job and the Slurm job array run, run here, one
// process per shard, with the index each scheduler gives. Merged, they must equal one unsharded
// sweep. The manifests are read for their commands, environment and shard counts, so a change
// to a manifest is tested as written.
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "support/results_dump.h"
#include "support/small_sweep.h"
#include "support/spawn.h"

using namespace support;
namespace fs = std::filesystem;

namespace {

const std::string kSrc = HCSIM_SOURCE_DIR;

struct Container {
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
};

// The first container of a Job manifest.
Container container_of(const YAML::Node& job) {
  const YAML::Node c = job["spec"]["template"]["spec"]["containers"][0];
  REQUIRE(c);
  Container out;
  for (const auto& a : c["command"]) out.command.push_back(a.as<std::string>());
  for (const auto& e : c["env"])
    out.env[e["name"].as<std::string>()] = e["value"].as<std::string>();
  return out;
}

// The image's paths, mapped to this checkout and a scratch results volume.
std::string local(const std::string& path, const TempDir& d) {
  if (path.rfind("/opt/hcsim", 0) == 0) return kSrc + path.substr(10);
  if (path.rfind("/results", 0) == 0) return d / ("volume" + path.substr(8));
  return path;
}

// "NAME=value" entries for a container's environment, mapped, with overrides.
std::vector<std::string> env_of(const Container& c, const TempDir& d,
                                const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> env;
  for (const auto& [k, v] : c.env) env[k] = local(v, d);
  for (const auto& [k, v] : overrides) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<std::string> local_command(const Container& c, const TempDir& d) {
  std::vector<std::string> cmd;
  for (const auto& a : c.command) cmd.push_back(local(a, d));
  return cmd;
}

std::string unsharded(const TempDir& d) {
  std::ofstream(d / "s.yaml") << small_sweep();
  REQUIRE(hcsim({"sweep", d / "s.yaml", "--out", d / "all.sqlite", "-q"}, d).code == 0);
  return d / "all.sqlite";
}

}  // namespace

TEST_CASE("The Kubernetes Indexed Job's shard and merge commands merge into the unsharded sweep") {
  TempDir d;
  const std::string all = unsharded(d);
  const YAML::Node job = YAML::LoadFile(kSrc + "/deploy/kubernetes/sweep-job.yaml");
  CHECK(job["kind"].as<std::string>() == "Job");
  CHECK(job["spec"]["completionMode"].as<std::string>() == "Indexed");
  const int completions = job["spec"]["completions"].as<int>();
  CHECK(job["spec"]["parallelism"].as<int>() <= completions);
  CHECK(job["spec"]["template"]["spec"]["restartPolicy"].as<std::string>() == "Never");
  const Container shard = container_of(job);
  REQUIRE(shard.env.count("SHARD_COUNT") == 1);
  CHECK(std::stoi(shard.env.at("SHARD_COUNT")) == completions);
  // The sweep the manifest names exists in the repository and plans.
  REQUIRE(shard.env.count("SWEEP") == 1);
  CHECK(hcsim({"sweep", local(shard.env.at("SWEEP"), d), "--list"}, d).code == 0);

  // Every index, as the Job controller would start them (here one after another), on the small
  // sweep instead of the manifest's.
  const std::map<std::string, std::string> common{
      {"SWEEP", d / "s.yaml"}, {"HCSIM", HCSIM_EXE}, {"SLURM_ARRAY_TASK_ID", ""}};
  for (int i = 0; i < completions; ++i) {
    auto o = common;
    o["JOB_COMPLETION_INDEX"] = std::to_string(i);
    const Result r = run(local_command(shard, d), d, 0, env_of(shard, d, o));
    INFO("index " << i << ": " << r.err);
    REQUIRE(r.code == 0);
  }
  const YAML::Node merge_job = YAML::LoadFile(kSrc + "/deploy/kubernetes/merge-job.yaml");
  const Container merge = container_of(merge_job);
  CHECK(merge.env.at("RESULTS") == shard.env.at("RESULTS"));
  const Result m = run(local_command(merge, d), d, 0, env_of(merge, d, common));
  INFO(m.err);
  REQUIRE(m.code == 0);
  const std::string results = local(shard.env.at("RESULTS"), d);
  CHECK(dump_all(results + "/merged.sqlite") == dump_all(all));
  CHECK(fs::file_size(results + "/report.md") > 500);

  SECTION("a retried pod resumes its shard and changes nothing") {
    auto o = common;
    o["JOB_COMPLETION_INDEX"] = "3";
    const std::string part = results + "/shards/shard-00003.sqlite";
    const auto before = dump_all(part);
    const Result r = run(local_command(shard, d), d, 0, env_of(shard, d, o));
    CHECK(r.code == 0);
    CHECK(r.err.find("--resume") != std::string::npos);
    CHECK(dump_all(part) == before);
  }
}

TEST_CASE("The Slurm array script's tasks and merge merge into the unsharded sweep") {
  TempDir d;
  const std::string all = unsharded(d);
  // The array's size from its #SBATCH --array=0-(N-1) line.
  const std::string script = slurp(kSrc + "/deploy/slurm/sweep.sbatch");
  const std::string directive = "#SBATCH --array=0-";
  const std::size_t at = script.find(directive);
  REQUIRE(at != std::string::npos);
  const int tasks = std::stoi(script.substr(at + directive.size())) + 1;  // stops at '%'
  REQUIRE(tasks > 1);
  const std::vector<std::string> env{
      "HCSIM_HOME=" + kSrc,      std::string("HCSIM=") + HCSIM_EXE,
      "SWEEP=" + (d / "s.yaml"), "RESULTS=" + (d / "slurm"),
      "SLURM_CPUS_PER_TASK=2",   "SLURM_ARRAY_TASK_COUNT=" + std::to_string(tasks),
      "JOB_COMPLETION_INDEX=",   "SHARD_COUNT="};
  for (int i = 0; i < tasks; ++i) {
    auto e = env;
    e.push_back("SLURM_ARRAY_TASK_ID=" + std::to_string(i));
    const Result r = run({"/bin/bash", kSrc + "/deploy/slurm/sweep.sbatch"}, d, 0, e);
    INFO("task " << i << ": " << r.err);
    REQUIRE(r.code == 0);
  }
  const Result merged = run({"/bin/bash", kSrc + "/deploy/slurm/merge.sbatch"}, d, 0, env);
  INFO(merged.err);
  REQUIRE(merged.code == 0);
  CHECK(merged.err.find("missing") == std::string::npos);
  CHECK(dump_all(d / "slurm/merged.sqlite") == dump_all(all));

  SECTION("a missing task's runs are named by the merge") {
    fs::remove(d / "slurm/shards/shard-00001.sqlite");
    const Result partial = run({"/bin/bash", kSrc + "/deploy/slurm/merge.sbatch"}, d, 0, env);
    CHECK(partial.code == 0);
    CHECK(partial.err.find("runs are missing or unfinished") != std::string::npos);
  }
}
