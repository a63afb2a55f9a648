// hcsim sweep: runs a sweep file (scenarios x axes x replications) into one results file, on
// worker threads (engine/sweep_runner.h), optionally one shard of it; --resume keeps completed
// runs and redoes the rest.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cli/commands.h"
#include "cli/results_file.h"
#include "cli/terminal.h"
#include "config/loader.h"
#include "config/sweep_plan.h"
#include "engine/estimate.h"
#include "engine/sweep_runner.h"
#include "store/json.h"
#include "store/results_writer.h"
#include "store/runs.h"

namespace cli {

namespace fs = std::filesystem;
using config::PlannedRun;
using config::SweepPlan;

namespace {

// Parses "I/N" or "auto" into (I, N); "" = everything.
bool parse_shard(const SweepArgs& args, const SweepPlan& plan, int64_t* index, int64_t* count,
                 std::string* err) {
  *index = 0;
  *count = 1;
  if (args.shard.empty()) return true;
  if (args.shard == "auto") {
    const char* names[] = {"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"};
    const char* value = nullptr;
    for (const char* n : names) {
      if ((value = std::getenv(n)) != nullptr && *value != '\0') break;
      value = nullptr;
    }
    if (value == nullptr) {
      *err =
          "--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor "
          "SLURM_ARRAY_TASK_ID is set";
      return false;
    }
    char* end = nullptr;
    *index = std::strtoll(value, &end, 10);
    if (end == value || *end != '\0' || *index < 0) {
      *err = std::string("--shard auto: the shard index '") + value + "' is not a number";
      return false;
    }
    *count = args.shard_count > 0 ? args.shard_count : plan.spec.shards;
    if (*count <= 0) {
      if (const char* n = std::getenv("SLURM_ARRAY_TASK_COUNT"); n != nullptr)
        *count = std::strtoll(n, nullptr, 10);
    }
    if (*count <= 0) {
      *err =
          "--shard auto: give the number of shards with --shard-count or shards: in the sweep file";
      return false;
    }
  } else {
    long long i = 0, n = 0;
    char tail = 0;
    if (std::sscanf(args.shard.c_str(), "%lld/%lld%c", &i, &n, &tail) != 2) {
      *err = "--shard: expected I/N (e.g. 0/4) or auto, got '" + args.shard + "'";
      return false;
    }
    *index = i;
    *count = n;
  }
  if (*count < 1 || *index >= *count) {
    *err = "--shard: index " + std::to_string(*index) + " is not below the count " +
           std::to_string(*count);
    return false;
  }
  return true;
}

// Every configuration within the limits of a single run (its first replication stands for all:
// replications differ only in their seed). Prints the problem and returns false otherwise.
bool within_limits(const SweepPlan& plan) {
  for (const PlannedRun& r : plan.runs) {
    if (r.replication != 0) continue;
    try {
      const std::string over = engine::over_limits(
          engine::estimate(config::load_scenario_file(r.scenario_file, r.sets)));
      if (!over.empty()) {
        std::fprintf(stderr,
                     "hcsim sweep: configuration '%s' is too large to start: %s. Use --force to "
                     "run it anyway.\n",
                     r.config_label.c_str(), over.c_str());
        return false;
      }
    } catch (const config::ScenarioError& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return false;
    }
  }
  return true;
}

std::string hash_hex(uint64_t hash) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

// The configurations' labels in sweep order, as a JSON array (reports name absent ones).
std::string config_labels(const SweepPlan& plan) {
  store::JsonWriter j;
  j.begin_array();
  int64_t last = -1;
  for (const PlannedRun& r : plan.runs) {
    if (r.config_id == last) continue;
    j.value(r.config_label);
    last = r.config_id;
  }
  j.end_array();
  return j.str();
}

void print_plan(const SweepPlan& plan, const std::vector<const PlannedRun*>& mine, int64_t shard,
                int64_t shards) {
  std::printf("sweep %s: %lld configurations x %d replications = %zu runs (hash %s)%s\n",
              plan.spec.name.c_str(), static_cast<long long>(plan.configs), plan.spec.replications,
              plan.runs.size(), hash_hex(plan.hash).c_str(),
              shards > 1 ? (", shard " + std::to_string(shard) + "/" + std::to_string(shards) +
                            ": " + std::to_string(mine.size()) + " runs")
                               .c_str()
                         : "");
  for (const PlannedRun* r : mine) {
    std::printf("  run %lld  config %lld  rep %lld  seed %llu  %s\n",
                static_cast<long long>(r->index + 1), static_cast<long long>(r->config_id),
                static_cast<long long>(r->replication), static_cast<unsigned long long>(r->seed),
                r->config_label.c_str());
  }
}

// Opens the output: replaced unless --resume (saying what is replaced; another sweep's results
// only with --force), checked to hold this sweep when resuming; unfinished runs deleted (they are
// redone) and the sweep's metadata written. Marks the completed runs in `completed`. Throws on
// I/O errors; returns false (with a message) when the file holds other work.
bool prepare_output(const SweepArgs& args, const SweepPlan& plan, const std::string& out,
                    std::optional<store::ResultsDb>* db, std::vector<bool>* completed) {
  if (fs::path(out).has_parent_path()) fs::create_directories(fs::path(out).parent_path());
  const std::string hash = hash_hex(plan.hash);
  if (!args.resume) {
    if (!may_replace(out, {plan.spec.name, hash, ""}, args.force, args.quiet, "hcsim sweep"))
      return false;
    std::error_code ec;
    fs::remove(out, ec);
    fs::remove(out + "-journal", ec);
  }
  db->emplace(out);
  store::Db& d = (*db)->db();
  const auto meta = store::read_meta(d);
  const auto h = meta.find("sweep_hash");
  if (args.resume && h != meta.end() && h->second != hash) {
    std::fprintf(stderr,
                 "hcsim sweep: %s holds another sweep (or another version of this one): cannot "
                 "resume\n",
                 out.c_str());
    return false;
  }
  store::Stmt st(d, "SELECT run_id, status FROM runs");
  std::vector<int64_t> unfinished;
  while (st.step()) {
    const int64_t index = st.int64(0) - 1;
    if (index < 0 || index >= static_cast<int64_t>(plan.runs.size())) continue;
    if (st.text(1) == "completed") {
      (*completed)[static_cast<std::size_t>(index)] = true;
    } else {
      unfinished.push_back(index + 1);
    }
  }
  store::Transaction tx(d);
  for (int64_t id : unfinished) store::delete_run(d, id);  // redone below
  store::write_meta(d, {{"sweep_name", plan.spec.name},
                        {"sweep_file", plan.spec.source_file},
                        {"sweep_yaml", plan.spec.source_text},
                        {"sweep_hash", hash},
                        {"sweep_runs", std::to_string(plan.runs.size())},
                        {"sweep_configs", std::to_string(plan.configs)},
                        {"sweep_replications", std::to_string(plan.spec.replications)},
                        {"sweep_config_labels", config_labels(plan)}});
  tx.commit();
  return true;
}

struct Totals {
  int64_t done = 0, gates_failed = 0, not_completed = 0;
};

Totals count_runs(store::Db& db) {
  Totals t;
  store::Stmt st(db, "SELECT status, expect_passed FROM runs");
  while (st.step()) {
    if (st.text(0) == "completed") {
      ++t.done;
      if (!st.is_null(1) && st.int64(1) == 0) ++t.gates_failed;
    } else {
      ++t.not_completed;
    }
  }
  return t;
}

void print_summary(const SweepPlan& plan, const std::string& out, std::size_t ran, std::size_t mine,
                   int workers, double wall, int64_t shard, int64_t shards, const Totals& t) {
  std::fprintf(stderr,
               "%s: %zu of %zu runs in this process (%zu already done) with %d worker%s in %.1f "
               "s%s\n",
               plan.spec.name.c_str(), ran, mine, mine - ran, workers, workers > 1 ? "s" : "", wall,
               shards > 1
                   ? (", shard " + std::to_string(shard) + "/" + std::to_string(shards)).c_str()
                   : "");
  std::fprintf(stderr, "  %s: %lld completed runs, %lld with failed expect: gates%s\n", out.c_str(),
               static_cast<long long>(t.done), static_cast<long long>(t.gates_failed),
               t.not_completed > 0
                   ? (", " + std::to_string(t.not_completed) + " unfinished (--resume)").c_str()
                   : "");
}

}  // namespace

CLI::App* add_sweep_command(CLI::App& app, SweepArgs* args) {
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a sweep file (scenarios x axes x replications) into one results file");
  cmd->add_option("sweep", args->file, "Sweep YAML file")->required();
  args->jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cmd->add_option("--jobs,-j", args->jobs,
                  "Runs in parallel, one per thread (default: one per core; results do not "
                  "depend on it)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--out", args->out, "Results database (default results/<sweep name>.sqlite)");
  cmd->add_flag("--resume", args->resume,
                "Keep the completed runs already in --out and do the rest (without it, --out is "
                "replaced when it holds this sweep's results)");
  cmd->add_option("--shard", args->shard,
                  "Run only shard I of N (runs whose index mod N is I): I/N, or 'auto' to read "
                  "JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID");
  cmd->add_option(
      "--shard-count", args->shard_count,
      "N for --shard auto (default: shards: in the sweep file, or SLURM_ARRAY_TASK_COUNT)");
  cmd->add_flag("--list", args->list, "Print the planned runs and exit");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress or summary on the terminal");
  add_allow_late_flag(cmd, &args->allow_late);
  cmd->add_flag("--force", args->force,
                "Run even when a configuration's estimate is over the limits of hcsim run, and "
                "replace an --out that holds another sweep's or other runs' results");
  return cmd;
}

int cmd_sweep(const SweepArgs& args, const std::atomic<bool>* stop) {
  SweepPlan plan;
  try {
    plan = config::plan_sweep_file(args.file, with_allow_late({}, args.allow_late));
  } catch (const config::ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitBadInput;
  }
  int64_t shard = 0, shards = 1;
  std::string err;
  if (!parse_shard(args, plan, &shard, &shards, &err)) {
    std::fprintf(stderr, "hcsim sweep: %s\n", err.c_str());
    return kExitBadInput;
  }
  if (args.jobs < 1) {
    std::fprintf(stderr, "hcsim sweep: --jobs must be at least 1\n");
    return kExitBadInput;
  }
  if (!args.force && !within_limits(plan)) return kExitBadInput;
  std::vector<const PlannedRun*> mine;
  for (const PlannedRun& r : plan.runs) {
    if (r.index % shards == shard) mine.push_back(&r);
  }
  if (!args.quiet) print_warnings(plan.warnings);
  if (args.list) {
    print_plan(plan, mine, shard, shards);
    return kExitOk;
  }

  const std::string out = args.out.empty() ? "results/" + plan.spec.name + ".sqlite" : args.out;
  const auto lock = lock_results(out, "hcsim sweep");
  if (!lock) return kExitBadInput;
  std::optional<store::ResultsDb> db;
  std::vector<bool> completed(plan.runs.size(), false);
  try {
    if (!prepare_output(args, plan, out, &db, &completed)) return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim sweep: cannot write results to %s: %s\n", out.c_str(), e.what());
    return kExitBadInput;
  }
  std::vector<const PlannedRun*> todo;
  for (const PlannedRun* r : mine) {
    if (!completed[static_cast<std::size_t>(r->index)]) todo.push_back(r);
  }
  const std::size_t already = mine.size() - todo.size();

  ProgressLine progress(!args.quiet && stdout_is_terminal());
  const auto t0 = std::chrono::steady_clock::now();
  engine::SweepRunnerOptions options;
  options.jobs = args.jobs;
  options.parts_dir = out + ".parts";
  options.stop = stop;
  int workers = 0;
  options.on_progress = [&](std::size_t moved) {
    progress.update(plan.spec.name,
                    static_cast<double>(already + moved) / static_cast<double>(mine.size()),
                    std::to_string(already + moved) + " / " + std::to_string(mine.size()) +
                        " runs, " + std::to_string(workers) + " worker" + (workers > 1 ? "s" : ""));
  };
  options.on_error = [&](const PlannedRun& r, const std::string& error) {
    progress.clear();
    std::fprintf(stderr, "hcsim sweep: run %lld (%s, replication %lld) failed: %s\n",
                 static_cast<long long>(r.index + 1), r.config_label.c_str(),
                 static_cast<long long>(r.replication), error.c_str());
  };
  workers = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(args.jobs),
                                                   std::max<std::size_t>(todo.size(), 1)));
  engine::SweepRunnerResult result;
  try {
    result = engine::run_planned(db->db(), todo, options);
  } catch (const std::exception& e) {
    progress.clear();
    std::fprintf(stderr, "hcsim sweep: %s\n", e.what());
    return kExitError;
  }
  progress.clear();

  const Totals t = count_runs(db->db());
  if (!args.quiet) {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_summary(plan, out, todo.size(), mine.size(), result.workers, wall, shard, shards, t);
  }
  if (result.interrupted || (stop != nullptr && stop->load())) return kExitInterrupted;
  if (result.errors > 0) return kExitError;
  if (t.not_completed > 0) return kExitInterrupted;
  return t.gates_failed > 0 ? kExitExpectFailed : kExitOk;
}

}  // namespace cli
