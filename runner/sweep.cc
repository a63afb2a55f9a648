#include "runner/sweep.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "runner/commands.h"
#include "runner/estimate.h"
#include "runner/merge.h"
#include "runner/results_db.h"
#include "runner/run.h"
#include "runner/scenario_loader.h"
#include "runner/terminal.h"
#include "sim/rng.h"

namespace runner {

namespace fs = std::filesystem;

namespace {

std::string resolve(const Node& n, const std::string& rel) {
  const fs::path p(rel);
  if (p.is_absolute() || n.file().empty()) return rel;
  return (fs::path(n.file()).parent_path() / p).lexically_normal().string();
}

// A YAML scalar as the text of a --set value.
std::string scalar(const Node& n) {
  if (n.is_map() || n.is_list()) n.fail("expected a single value");
  return n.text();
}

std::vector<std::string> parse_set_map(const Node& n) {
  std::vector<std::string> out;
  if (!n.present()) return out;
  MapReader m = n.map();
  for (const std::string& path : m.keys()) out.push_back(path + "=" + scalar(m.get(path)));
  return out;
}

SweepAxis parse_axis(const Node& n, std::size_t index) {
  MapReader m = n.map();
  SweepAxis axis;
  axis.name = m.get("name").present() ? m.get("name").text() : "axis" + std::to_string(index + 1);
  if (axis.name.empty()) m.get("name").fail("must not be empty");
  std::vector<std::string> paths;
  if (const Node s = m.get("set"); s.present()) {
    if (s.is_list()) {
      for (const Node& p : s.list()) paths.push_back(p.text());
    } else {
      paths.push_back(s.text());
    }
    if (paths.empty()) s.fail("needs at least one setting path");
  }
  const Node values = m.required("values");
  for (const Node& v : values.list()) {
    SweepAxis::Value value;
    value.where = v.where();
    if (v.is_map()) {
      if (!paths.empty())
        v.fail("this axis sets " + paths[0] +
               ": give plain values, or drop set: and give {label, set} groups");
      MapReader vm = v.map();
      value.label = vm.required("label").text();
      value.sets = parse_set_map(vm.get("set"));
      vm.finish();
    } else {
      if (paths.empty())
        v.fail(
            "a plain value needs the axis's set: path(s); or give {label: ..., set: {path: "
            "value}}");
      value.label = scalar(v);
      for (const std::string& p : paths) value.sets.push_back(p + "=" + value.label);
    }
    if (value.label.empty()) v.fail("an empty label");
    for (const auto& other : axis.values) {
      if (other.label == value.label)
        v.fail("value '" + value.label + "' appears twice on this axis");
    }
    axis.values.push_back(std::move(value));
  }
  if (axis.values.empty()) values.fail("needs at least one value");
  m.finish();
  return axis;
}

SweepSpec parse_sweep(const Node& root, const std::string& path) {
  if (!root.present() || !root.is_map())
    root.fail("a sweep is a map: name:, scenario:, axes:, replications: ...");
  MapReader m = root.map();
  SweepSpec s;
  s.source_file = path;
  s.name = m.required("name").text();
  const bool name_ok =
      !s.name.empty() && s.name.size() <= 128 && s.name[0] != '.' &&
      std::all_of(s.name.begin(), s.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
  if (!name_ok)
    m.get("name").fail(
        "names use 1 to 128 letters, digits, '-', '_' and '.' (they name result files)");
  if (const Node d = m.get("description"); d.present()) s.description = d.text();
  const Node one = m.get("scenario");
  const Node many = m.get("scenarios");
  if (one.present() == many.present())
    root.fail("give scenario: (one file) or scenarios: (a list), not both");
  if (one.present()) {
    s.scenarios.push_back(resolve(one, one.text()));
    s.scenario_where.push_back(one.where());
  } else {
    for (const Node& f : many.list()) {
      s.scenarios.push_back(resolve(f, f.text()));
      s.scenario_where.push_back(f.where());
    }
    if (s.scenarios.empty()) many.fail("needs at least one scenario file");
  }
  s.sets = parse_set_map(m.get("set"));
  if (const Node axes = m.get("axes"); axes.present()) {
    const std::vector<Node> list = axes.list();
    for (std::size_t i = 0; i < list.size(); ++i) {
      s.axes.push_back(parse_axis(list[i], i));
      for (std::size_t j = 0; j < i; ++j) {
        if (s.axes[j].name == s.axes[i].name)
          list[i].fail("two axes are named '" + s.axes[i].name + "'");
      }
    }
  }
  if (const Node c = m.get("combine"); c.present()) s.zip = c.choice({"cartesian", "zip"}) == "zip";
  if (s.zip) {
    for (const SweepAxis& a : s.axes) {
      if (a.values.size() != s.axes[0].values.size())
        m.get("combine").fail("zip needs axes of equal length ('" + a.name + "' has " +
                              std::to_string(a.values.size()) + " values, '" + s.axes[0].name +
                              "' " + std::to_string(s.axes[0].values.size()) + ")");
    }
  }
  if (const Node r = m.get("replications"); r.present())
    s.replications = static_cast<int>(r.integer_in(1, 1'000'000));
  if (const Node v = m.get("seed"); v.present()) s.seed = v.unsigned_integer();
  if (const Node v = m.get("shards"); v.present())
    s.shards = static_cast<int>(v.integer_in(1, 1'000'000));
  m.finish();
  return s;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

}  // namespace

SweepPlan plan_sweep_file(const std::string& path) {
  const Node root = load_yaml_file(path, nullptr);
  SweepPlan plan;
  plan.spec = parse_sweep(root, path);
  plan.spec.source_text = read_text_file(path);
  const SweepSpec& s = plan.spec;

  // The configurations: each base scenario x (the cartesian product, or the zip, of the axes).
  std::vector<std::vector<std::size_t>> combos;
  if (s.axes.empty()) {
    combos.resize(1);  // one configuration: no axes
  } else if (s.zip) {
    for (std::size_t i = 0; i < s.axes[0].values.size(); ++i) combos.emplace_back(s.axes.size(), i);
  } else {
    // Odometer order: the last axis varies fastest.
    std::vector<std::size_t> idx(s.axes.size(), 0);
    bool more = true;
    while (more) {
      combos.push_back(idx);
      more = false;
      for (std::size_t k = s.axes.size(); k-- > 0;) {
        if (++idx[k] < s.axes[k].values.size()) {
          more = true;
          break;
        }
        idx[k] = 0;
      }
    }
  }
  if (s.scenarios.size() * combos.size() * static_cast<std::size_t>(s.replications) > 10'000'000) {
    throw ScenarioError({path, 1, 1}, "", "more than 10 million runs");
  }
  uint64_t hash = sim::fnv1a64(s.source_text);
  int64_t config = 0;
  for (std::size_t f = 0; f < s.scenarios.size(); ++f) {
    std::string scenario_text;
    try {
      scenario_text = read_text_file(s.scenarios[f]);
    } catch (const ScenarioError& e) {
      throw ScenarioError(s.scenario_where[f], s.scenarios.size() > 1 ? "scenarios" : "scenario",
                          "cannot read '" + s.scenarios[f] + "': " + e.message());
    }
    hash = sim::splitmix64(hash ^ sim::fnv1a64(scenario_text));
    for (const auto& combo : combos) {
      std::vector<std::string> sets = s.sets;
      std::vector<std::string> label_parts;
      const Location* where = &s.scenario_where[f];
      for (std::size_t a = 0; a < combo.size(); ++a) {
        const SweepAxis::Value& v = s.axes[a].values[combo[a]];
        sets.insert(sets.end(), v.sets.begin(), v.sets.end());
        label_parts.push_back(s.axes[a].name + "=" + v.label);
        where = &v.where;
      }
      // Check the configuration now: a bad value fails before any run starts.
      Scenario scenario;
      try {
        scenario = load_scenario_file(s.scenarios[f], sets);
      } catch (const ScenarioError& e) {
        throw ScenarioError(*where, "",
                            "configuration '" + join(label_parts, ", ") + "' of " + s.scenarios[f] +
                                ": " + e.what());
      }
      if (s.scenarios.size() > 1) label_parts.insert(label_parts.begin(), scenario.name);
      const std::string label = label_parts.empty() ? scenario.name : join(label_parts, ", ");
      for (int r = 0; r < s.replications; ++r) {
        PlannedRun run;
        run.index = static_cast<int64_t>(plan.runs.size());
        run.config_id = config;
        run.config_label = label;
        run.scenario_file = s.scenarios[f];
        run.sets = sets;
        run.replication = r;
        run.seed = sim::derive_seed(s.seed.value_or(scenario.seed), static_cast<uint64_t>(r));
        hash = sim::splitmix64(
            hash ^ sim::fnv1a64(label + "|" + join(sets, "|") + "|" + std::to_string(run.seed)));
        plan.runs.push_back(std::move(run));
      }
      ++config;
    }
  }
  plan.configs = config;
  plan.hash = hash;
  return plan;
}

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

struct Outcome {
  bool done = false;
  bool failed = false;  // an error (not a gate)
  std::string error;
};

}  // namespace

int cmd_sweep(const SweepArgs& args, const std::atomic<bool>* stop) {
  SweepPlan plan;
  try {
    plan = plan_sweep_file(args.file);
  } catch (const ScenarioError& e) {
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
  // Every configuration within the limits of a single run (its first replication stands for
  // all: replications differ only in their seed).
  if (!args.force) {
    for (const PlannedRun& r : plan.runs) {
      if (r.replication != 0) continue;
      try {
        const std::string over = over_limits(estimate(load_scenario_file(r.scenario_file, r.sets)));
        if (!over.empty()) {
          std::fprintf(stderr,
                       "hcsim sweep: configuration '%s' is too large to start: %s. Use --force to "
                       "run it anyway.\n",
                       r.config_label.c_str(), over.c_str());
          return kExitBadInput;
        }
      } catch (const ScenarioError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return kExitBadInput;
      }
    }
  }
  std::vector<const PlannedRun*> mine;
  for (const PlannedRun& r : plan.runs) {
    if (r.index % shards == shard) mine.push_back(&r);
  }
  char hash_hex[20];
  std::snprintf(hash_hex, sizeof hash_hex, "%016llx", static_cast<unsigned long long>(plan.hash));
  if (args.list) {
    std::printf("sweep %s: %lld configurations x %d replications = %zu runs (hash %s)%s\n",
                plan.spec.name.c_str(), static_cast<long long>(plan.configs),
                plan.spec.replications, plan.runs.size(), hash_hex,
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
    return kExitOk;
  }

  const std::string out = args.out.empty() ? "results/" + plan.spec.name + ".sqlite" : args.out;
  const std::string parts = out + ".parts";
  std::optional<ResultsDb> db;
  std::vector<bool> completed(plan.runs.size(), false);
  try {
    if (fs::path(out).has_parent_path()) fs::create_directories(fs::path(out).parent_path());
    if (!args.resume && fs::exists(out)) {
      // Starting afresh: say what is being replaced, since --resume would have kept it.
      int64_t before = 0;
      try {
        Db old(out, false);
        Stmt st(old, "SELECT count(*) FROM runs WHERE status = 'completed'");
        if (st.step()) before = st.int64(0);
      } catch (const std::exception&) {
      }
      if (before > 0 && !args.quiet) {
        std::fprintf(stderr,
                     "hcsim sweep: replacing %lld completed runs in %s (--resume keeps them)\n",
                     static_cast<long long>(before), out.c_str());
      }
      fs::remove(out);
    }
    db.emplace(out);
    auto meta = read_meta(db->db());
    const auto h = meta.find("sweep_hash");
    if (args.resume && h != meta.end() && h->second != hash_hex) {
      std::fprintf(
          stderr,
          "hcsim sweep: %s holds another sweep (or another version of this one): cannot resume\n",
          out.c_str());
      return kExitBadInput;
    }
    Stmt st(db->db(), "SELECT run_id, status FROM runs");
    std::vector<int64_t> unfinished;
    while (st.step()) {
      const int64_t index = st.int64(0) - 1;
      if (index < 0 || index >= static_cast<int64_t>(plan.runs.size())) continue;
      if (st.text(1) == "completed") {
        completed[static_cast<std::size_t>(index)] = true;
      } else {
        unfinished.push_back(index + 1);
      }
    }
    Transaction tx(db->db());
    for (int64_t id : unfinished) delete_run(db->db(), id);  // redone below
    write_meta(db->db(), {{"sweep_name", plan.spec.name},
                          {"sweep_file", plan.spec.source_file},
                          {"sweep_yaml", plan.spec.source_text},
                          {"sweep_hash", hash_hex},
                          {"sweep_runs", std::to_string(plan.runs.size())},
                          {"sweep_configs", std::to_string(plan.configs)},
                          {"sweep_replications", std::to_string(plan.spec.replications)}});
    tx.commit();
    fs::remove_all(parts);
    fs::create_directories(parts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim sweep: cannot write results to %s: %s\n", out.c_str(), e.what());
    return kExitBadInput;
  }

  std::vector<const PlannedRun*> todo;
  for (const PlannedRun* r : mine) {
    if (!completed[static_cast<std::size_t>(r->index)]) todo.push_back(r);
  }
  const std::size_t already = mine.size() - todo.size();

  // Workers run into part files; this thread moves finished parts into `out` in run order, so
  // the results file is the same whatever the number of workers.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Outcome> outcome(todo.size());
  std::size_t next = 0;
  auto part_of = [&](const PlannedRun& r) {
    return parts + "/run-" + std::to_string(r.index + 1) + ".sqlite";
  };
  auto worker = [&] {
    for (;;) {
      std::size_t k;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (next >= todo.size() || (stop != nullptr && stop->load())) return;
        k = next++;
      }
      const PlannedRun& r = *todo[k];
      Outcome o;
      try {
        const Scenario s = load_scenario_file(r.scenario_file, r.sets);
        ResultsDb part(part_of(r));
        RunInfo info;
        info.scenario = &s;
        info.seed = r.seed;
        info.config_id = r.config_id;
        info.config_label = r.config_label;
        info.replication = r.replication;
        info.run_id = r.index + 1;
        RunControl control;
        control.stop = stop;
        run_into_db(part, info, control);
      } catch (const std::exception& e) {
        o.failed = true;
        o.error = e.what();
      }
      o.done = true;
      {
        std::lock_guard<std::mutex> lock(mu);
        outcome[k] = o;
      }
      cv.notify_all();
    }
  };
  const int nworkers = static_cast<int>(std::min<std::size_t>(
      static_cast<std::size_t>(args.jobs), std::max<std::size_t>(todo.size(), 1)));
  std::vector<std::thread> threads;
  for (int i = 0; i < nworkers; ++i) threads.emplace_back(worker);

  ProgressLine progress(!args.quiet && stdout_is_terminal());
  const auto t0 = std::chrono::steady_clock::now();
  int errors = 0;
  bool interrupted = false;
  for (std::size_t k = 0; k < todo.size(); ++k) {
    {
      std::unique_lock<std::mutex> lock(mu);
      while (!outcome[k].done) {
        if (stop != nullptr && stop->load() && next <= k) break;  // never started
        cv.wait_for(lock, std::chrono::milliseconds(200));
        lock.unlock();
        progress.update(
            plan.spec.name, static_cast<double>(already + k) / static_cast<double>(mine.size()),
            std::to_string(already + k) + " / " + std::to_string(mine.size()) + " runs, " +
                std::to_string(nworkers) + " worker" + (nworkers > 1 ? "s" : ""));
        lock.lock();
      }
      if (!outcome[k].done) {
        interrupted = true;
        break;
      }
    }
    const PlannedRun& r = *todo[k];
    if (outcome[k].failed) {
      ++errors;
      progress.clear();
      std::fprintf(stderr, "hcsim sweep: run %lld (%s, replication %lld) failed: %s\n",
                   static_cast<long long>(r.index + 1), r.config_label.c_str(),
                   static_cast<long long>(r.replication), outcome[k].error.c_str());
    }
    try {
      if (fs::exists(part_of(r))) copy_run(db->db(), part_of(r), r.index + 1);
      fs::remove(part_of(r));
    } catch (const std::exception& e) {
      progress.clear();
      std::fprintf(stderr, "hcsim sweep: cannot store run %lld: %s\n",
                   static_cast<long long>(r.index + 1), e.what());
      ++errors;
    }
  }
  for (auto& t : threads) t.join();
  progress.clear();
  std::error_code ec;
  fs::remove_all(parts, ec);

  // Summary: runs, gates.
  int64_t done = 0, gates_failed = 0, not_completed = 0;
  {
    Stmt st(db->db(), "SELECT status, expect_passed FROM runs");
    while (st.step()) {
      if (st.text(0) == "completed") {
        ++done;
        if (!st.is_null(1) && st.int64(1) == 0) ++gates_failed;
      } else {
        ++not_completed;
      }
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!args.quiet) {
    std::fprintf(
        stderr,
        "%s: %zu of %zu runs in this process (%zu already done) with %d worker%s in %.1f s%s\n",
        plan.spec.name.c_str(), todo.size(), mine.size(), already, nworkers,
        nworkers > 1 ? "s" : "", wall,
        shards > 1 ? (", shard " + std::to_string(shard) + "/" + std::to_string(shards)).c_str()
                   : "");
    std::fprintf(stderr, "  %s: %lld completed runs, %lld with failed expect: gates%s\n",
                 out.c_str(), static_cast<long long>(done), static_cast<long long>(gates_failed),
                 not_completed > 0
                     ? (", " + std::to_string(not_completed) + " unfinished (--resume)").c_str()
                     : "");
  }
  if (interrupted || (stop != nullptr && stop->load())) return kExitInterrupted;
  if (errors > 0) return kExitError;
  if (not_completed > 0) return kExitInterrupted;
  return gates_failed > 0 ? kExitExpectFailed : kExitOk;
}

}  // namespace runner
