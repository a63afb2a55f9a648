// hcsim compare: is configuration B better than A, or is that noise? Runs A and B in pairs with
// common random numbers, pair after pair, until every chosen metric's paired difference is known
// to the requested precision or the pair limit is reached (report/compare.h has the method), then
// prints A, B, the difference with its 95% interval, the p-value and a verdict per metric, and
// judges the --fail-if-worse gates (exit 1 when one fails).
//
// The runs go into a results file (--out, or a temporary one removed at the end) as two
// configurations, A (config 0) and B (config 1), through the sweep runner: on --jobs threads,
// with run ids 2r + 1 (A) and 2r + 2 (B) for pair r. Pairs are evaluated in order, one at a time,
// so where the rule stops does not depend on --jobs; pairs run ahead of that point by the
// worker threads are deleted from the file.
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "cli/results_file.h"
#include "cli/terminal.h"
#include "config/loader.h"
#include "config/sweep_plan.h"
#include "config/units.h"
#include "engine/estimate.h"
#include "engine/sweep_runner.h"
#include "report/compare.h"
#include "sim/rng.h"
#include "store/results_reader.h"
#include "store/results_writer.h"
#include "store/runs.h"
#include "store/writer_lock.h"

namespace cli {

namespace fs = std::filesystem;
namespace cmp = report::compare;

namespace {

std::string describe(const std::string& file, const std::vector<std::string>& sets) {
  std::string s = fs::path(file).filename().string();
  for (const std::string& x : sets) s += " --set " + x;
  return s;
}

// B's settings: the common ones, except those --set-b changes, then --set-b's.
std::vector<std::string> sets_of_b(const CompareArgs& args, bool allow_late) {
  const auto key = [](const std::string& set) { return set.substr(0, set.find('=')); };
  std::vector<std::string> out;
  for (const std::string& s : with_allow_late(args.sets, allow_late)) {
    if (std::none_of(args.sets_b.begin(), args.sets_b.end(),
                     [&](const std::string& b) { return key(b) == key(s); }))
      out.push_back(s);
  }
  out.insert(out.end(), args.sets_b.begin(), args.sets_b.end());
  return out;
}

// --fail-if-worse with a duration margin for the metrics in seconds (p95:50ms = p95:0.05).
cmp::Gate parse_gate_with_units(const std::string& text) {
  const auto colon = text.find(':');
  if (colon != std::string::npos) {
    const std::string name = text.substr(0, colon), margin = text.substr(colon + 1);
    const auto c = cmp::choice(name);
    const bool seconds = c && std::string_view(report::metrics()[c->index].key).ends_with("_s");
    if (seconds && !margin.empty() &&
        std::isalpha(static_cast<unsigned char>(margin.back())) != 0) {
      std::string error;
      const auto d = config::parse_duration(margin, &error);
      if (!d) throw std::invalid_argument("--fail-if-worse " + text + ": " + error);
      cmp::Gate g = cmp::parse_gate(name + ":" + std::to_string(d->seconds()));
      g.text = text;
      return g;
    }
  }
  return cmp::parse_gate(text);
}

// Checks the options; fills the metrics and gates. Prints the problem and returns false.
bool check_args(const CompareArgs& args, std::vector<cmp::Choice>* metrics,
                std::vector<cmp::Gate>* gates) {
  const auto fail = [](const std::string& why) {
    std::fprintf(stderr, "hcsim compare: %s\n", why.c_str());
    return false;
  };
  if (args.b.empty() && args.sets_b.empty())
    return fail("nothing to compare: give a second scenario (B.yaml) or --set-b PATH=VALUE");
  if (!(args.precision > 0 && args.precision <= 1))
    return fail("--precision must be in (0, 1] (a fraction: 0.05 is 5%)");
  if (args.max_reps < 2) return fail("--max-reps must be at least 2");
  if (args.min_reps < 2 || args.min_reps > args.max_reps) {
    return fail("--min-reps (" + std::to_string(args.min_reps) +
                ", default 10) must be at least 2 " + "and at most --max-reps (" +
                std::to_string(args.max_reps) + ", default 64)");
  }
  if (args.jobs < 1) return fail("--jobs must be at least 1");
  for (const std::string& name : args.metrics) {
    const auto c = cmp::choice(name);
    if (!c)
      return fail("--metric: unknown metric '" + name + "' (one of " + cmp::choice_names() + ")");
    if (std::none_of(metrics->begin(), metrics->end(),
                     [&](const cmp::Choice& m) { return m.name == c->name; }))
      metrics->push_back(*c);
  }
  try {
    for (const std::string& g : args.fail_if_worse) gates->push_back(parse_gate_with_units(g));
  } catch (const std::invalid_argument& e) {
    return fail(e.what());
  }
  return true;
}

// The pairs' runs, A then B for each replication, seeded alike.
std::vector<config::PlannedRun> plan_pairs(const CompareArgs& args, uint64_t base_seed,
                                           const std::string& label_a, const std::string& label_b) {
  const std::vector<std::string> sets_b = sets_of_b(args, args.allow_late);
  std::vector<config::PlannedRun> runs;
  for (int r = 0; r < args.max_reps; ++r) {
    const uint64_t seed = sim::derive_seed(base_seed, static_cast<uint64_t>(r));
    for (int side = 0; side < 2; ++side) {
      config::PlannedRun p;
      p.index = 2 * r + side;
      p.config_id = side;
      p.config_label = side == 0 ? "A: " + label_a : "B: " + label_b;
      p.scenario_file = side == 0 || args.b.empty() ? args.a : args.b;
      p.sets = side == 0 ? with_allow_late(args.sets, args.allow_late) : sets_b;
      p.replication = r;
      p.seed = seed;
      runs.push_back(std::move(p));
    }
  }
  return runs;
}

// Per pair: the figures of A and of B (completed pairs only, in order).
struct Pairs {
  std::vector<report::RunFigures> a, b;
};

Pairs read_pairs(const std::string& path) {
  Pairs p;
  const store::ResultsReader reader(path);
  std::vector<std::optional<report::RunFigures>> by_run;
  for (const store::RunRecord& r : reader.runs("completed")) {
    const auto k = static_cast<std::size_t>(r.run_id - 1);
    if (by_run.size() <= k) by_run.resize(k + 1);
    by_run[k] = report::run_figures(r);
  }
  for (std::size_t k = 0; k + 1 < by_run.size(); k += 2) {
    if (!by_run[k] || !by_run[k + 1]) break;  // pairs are used in order, without gaps
    p.a.push_back(*by_run[k]);
    p.b.push_back(*by_run[k + 1]);
  }
  return p;
}

std::vector<cmp::Paired> evaluate(const std::vector<cmp::Choice>& metrics, const Pairs& pairs,
                                  std::size_t n, double precision) {
  std::vector<cmp::Paired> out;
  for (const cmp::Choice& m : metrics) {
    std::vector<double> a, b;
    cmp::Unrecovered u;
    for (std::size_t i = 0; i < n; ++i) {
      a.push_back(pairs.a[i].values[m.index]);
      b.push_back(pairs.b[i].values[m.index]);
      const bool ua = pairs.a[i].unrecovered, ub = pairs.b[i].unrecovered;
      u.a += ua ? 1 : 0;
      u.b += ub ? 1 : 0;
      u.only_a += ua && !ub ? 1 : 0;
      u.only_b += ub && !ua ? 1 : 0;
    }
    out.push_back(cmp::paired(m, a, b, precision, m.name == "rto" ? u : cmp::Unrecovered{}));
  }
  return out;
}

// The metrics that apply when none was chosen: those with a value in some run.
std::vector<cmp::Choice> applicable(const Pairs& pairs) {
  std::vector<cmp::Choice> out;
  for (const cmp::Choice& c : cmp::choices()) {
    bool any = false;
    for (std::size_t i = 0; i < pairs.a.size() && !any; ++i) {
      any = !std::isnan(pairs.a[i].values[c.index]) || !std::isnan(pairs.b[i].values[c.index]) ||
            (c.name == "rto" && (pairs.a[i].unrecovered || pairs.b[i].unrecovered));
    }
    if (any) out.push_back(c);
  }
  return out;
}

bool all_precise(const std::vector<cmp::Paired>& ps) {
  return std::all_of(ps.begin(), ps.end(), [](const cmp::Paired& p) { return p.precise; });
}

// True when `path` holds an earlier comparison (which this one may replace).
bool earlier_comparison(const std::string& path, bool quiet) {
  const store::Holdings h = store::inspect_results(path);
  if (!h.exists || !h.is_results) return false;
  try {
    store::Db db(path, store::Db::Mode::kReadOnly);
    if (store::read_meta(db).count("compare_a") == 0) return false;
  } catch (const std::exception&) {
    return false;
  }
  if (!quiet) {
    std::fprintf(stderr, "hcsim compare: replacing the earlier comparison in %s (%lld runs)\n",
                 path.c_str(), static_cast<long long>(h.runs));
  }
  return true;
}

// A and B as different scenarios: pairs still share seeds, but the runs have less in common.
void warn_if_unlike(const config::Scenario& a, const config::Scenario& b) {
  std::string diff;
  if (a.name != b.name) diff += "names '" + a.name + "' and '" + b.name + "'";
  if (a.duration != b.duration) {
    diff += (diff.empty() ? "" : ", ") + std::string("durations ") +
            sim::format_duration(a.duration) + " and " + sim::format_duration(b.duration);
  }
  if (a.seed != b.seed) {
    diff += (diff.empty() ? "" : ", ") + std::string("seeds ") + std::to_string(a.seed) + " and " +
            std::to_string(b.seed) + " (both sides use seeds derived from A's, or --seed)";
  }
  if (diff.empty()) return;
  std::fprintf(stderr,
               "hcsim compare: warning: A and B differ in more than settings (%s): common random "
               "numbers help only where their models draw alike, and figures over different "
               "lengths of time compare poorly\n",
               diff.c_str());
}

// Both sides load (bad input: exit 2 before any run) and fit the limits of a run.
bool load_sides(const CompareArgs& args, uint64_t* base_seed) {
  const std::vector<std::string> sets_b = sets_of_b(args, args.allow_late);
  try {
    const config::Scenario a =
        config::load_scenario_file(args.a, with_allow_late(args.sets, args.allow_late));
    const config::Scenario b = config::load_scenario_file(args.b.empty() ? args.a : args.b, sets_b);
    for (const config::Scenario* s : {&a, &b}) {
      const std::string over = engine::over_limits(engine::estimate(*s));
      if (!args.force && !over.empty()) {
        std::fprintf(stderr,
                     "hcsim compare: %s is too large to start: %s. Use --force to run it anyway.\n",
                     s == &a ? "A" : "B", over.c_str());
        return false;
      }
    }
    if (!args.quiet) {
      std::vector<std::string> warnings = a.warnings;
      for (const std::string& w : b.warnings) {
        if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(w);
      }
      print_warnings(warnings);
    }
    *base_seed = args.seed.value_or(a.seed);
    if (!args.quiet && !args.b.empty()) warn_if_unlike(a, b);
  } catch (const config::ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return false;
  }
  return true;
}

// A temporary directory removed with everything in it when the comparison ends.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("hcsim-compare-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct Outcome {
  Pairs pairs;
  std::size_t used = 0;  // pairs the rule looked at up to where it stopped
  bool precise = false;
  bool interrupted = false;
  int errors = 0;
};

// Runs pairs until the sequential rule holds at some pair count (checked in order, from
// --min-reps on) or --max-reps; deletes the pairs run beyond that point.
Outcome run_pairs(const CompareArgs& args, const std::vector<cmp::Choice>& chosen,
                  const std::vector<config::PlannedRun>& planned, const std::string& out,
                  store::Db& db, const std::atomic<bool>* stop) {
  Outcome o;
  ProgressLine progress(!args.quiet && stdout_is_terminal());
  engine::SweepRunnerOptions options;
  options.jobs = args.jobs;
  options.parts_dir = out + ".parts";
  options.stop = stop;
  options.on_error = [&](const config::PlannedRun& r, const std::string& error) {
    progress.clear();
    std::fprintf(stderr, "hcsim compare: run %s of pair %lld failed: %s\n",
                 r.config_id == 0 ? "A" : "B", static_cast<long long>(r.replication + 1),
                 error.c_str());
  };
  const std::size_t max = static_cast<std::size_t>(args.max_reps);
  const std::size_t batch = std::max<std::size_t>(1, (static_cast<std::size_t>(args.jobs) + 1) / 2);
  std::size_t ran = 0;
  while (ran < max && !o.precise) {
    const std::size_t next =
        ran == 0 ? static_cast<std::size_t>(args.min_reps) : std::min(max, ran + batch);
    std::vector<const config::PlannedRun*> todo;
    for (std::size_t k = 2 * ran; k < 2 * next; ++k) todo.push_back(&planned[k]);
    options.on_progress = [&](std::size_t moved) {
      progress.update(
          "compare", static_cast<double>(2 * ran + moved) / static_cast<double>(2 * max),
          "pair " + std::to_string(ran + moved / 2 + 1) + " of at most " + std::to_string(max));
    };
    const engine::SweepRunnerResult r = engine::run_planned(db, todo, options);
    ran = next;
    o.errors += r.errors;
    o.pairs = read_pairs(out);
    if (r.errors > 0 || r.interrupted || (stop != nullptr && stop->load())) {
      o.interrupted = r.errors == 0;
      o.used = o.pairs.a.size();  // the pairs complete so far are compared and kept
      break;
    }
    for (std::size_t n = std::max(o.used + 1, static_cast<std::size_t>(args.min_reps));
         n <= o.pairs.a.size() && !o.precise; ++n) {
      o.used = n;
      const Pairs head{{o.pairs.a.begin(), o.pairs.a.begin() + static_cast<std::ptrdiff_t>(n)},
                       {o.pairs.b.begin(), o.pairs.b.begin() + static_cast<std::ptrdiff_t>(n)}};
      o.precise = all_precise(
          evaluate(chosen.empty() ? applicable(head) : chosen, head, n, args.precision));
    }
  }
  progress.clear();
  if (o.pairs.a.size() < o.used || o.used == 0) o.used = o.pairs.a.size();
  // The pairs the worker threads ran beyond the stopping point are not part of the answer.
  for (std::size_t k = 2 * o.used; k < 2 * ran; ++k)
    store::delete_run(db, static_cast<int64_t>(k) + 1);
  o.pairs.a.resize(std::min(o.pairs.a.size(), o.used));
  o.pairs.b.resize(std::min(o.pairs.b.size(), o.used));
  return o;
}

void print_report(const CompareArgs& args, const cmp::Report& report) {
  const std::string text = args.format == "json" ? cmp::to_json(report)
                           : args.format == "md" ? cmp::to_markdown(report)
                                                 : cmp::to_text(report);
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace

CLI::App* add_compare_command(CLI::App& app, CompareArgs* args) {
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Is B better than A, or is that noise? Paired runs with common random numbers until each "
      "metric's difference is known to --precision; exit 1 when a --fail-if-worse gate fails");
  cmd->add_option("a", args->a, "Scenario A (the baseline)")->required();
  cmd->add_option("b", args->b, "Scenario B (default: A, changed by --set-b)");
  cmd->add_option("--set", args->sets, "PATH=VALUE applied to both A and B (repeatable)");
  cmd->add_option("--set-b", args->sets_b, "PATH=VALUE applied to B only (repeatable)");
  cmd->add_option("--metric", args->metrics,
                  "Metrics to compare, comma-separated: apdex, p95, p99, error_rate, cost, rto, "
                  "rpo (default: every one the runs have)")
      ->delimiter(',');
  cmd->add_option("--precision", args->precision,
                  "Stop when each difference's 95% interval is within this fraction of the "
                  "difference or of A's value (default 0.05)");
  cmd->add_option("--min-reps", args->min_reps,
                  "Pairs before the rule is first checked (default 10)");
  cmd->add_option("--max-reps", args->max_reps, "At most this many pairs (default 64)");
  args->jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cmd->add_option("--jobs,-j", args->jobs,
                  "Runs in parallel (default: one per core; the answer does not depend on it)");
  cmd->add_option("--seed", args->seed, "Seed of the first pair (default: A's seed)");
  cmd->add_option("--fail-if-worse", args->fail_if_worse,
                  "METRIC[:MARGIN] (MARGIN N% of A or a number in the metric's units): exit 1 when "
                  "B is significantly worse than A by more than MARGIN (repeatable)");
  cmd->add_option("--format", args->format, "table (default), md or json")
      ->check(CLI::IsMember({"table", "md", "json"}));
  cmd->add_option("--out", args->out,
                  "Keep the runs in this results file (A is configuration 0, B is 1; "
                  "`hcsim report` reads it); default: a temporary file");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress or warnings on the terminal");
  add_allow_late_flag(cmd, &args->allow_late);
  cmd->add_flag("--force", args->force,
                "Run even when a side's estimate is over the limits of hcsim run, and replace an "
                "--out that holds other results");
  return cmd;
}

int cmd_compare(const CompareArgs& args, const std::atomic<bool>* stop) {
  std::vector<cmp::Choice> chosen;
  std::vector<cmp::Gate> gates;
  if (!check_args(args, &chosen, &gates)) return kExitBadInput;
  uint64_t base_seed = 0;
  if (!load_sides(args, &base_seed)) return kExitBadInput;
  const std::string label_a = describe(args.a, with_allow_late(args.sets, false));
  const std::string label_b = describe(args.b.empty() ? args.a : args.b, sets_of_b(args, false));
  const std::vector<config::PlannedRun> planned = plan_pairs(args, base_seed, label_a, label_b);

  std::optional<TempDir> temp;
  if (args.out.empty()) temp.emplace();
  const std::string out = args.out.empty() ? (temp->path / "compare.sqlite").string() : args.out;
  const auto lock = lock_results(out, "hcsim compare");
  if (!lock) return kExitBadInput;
  if (!args.out.empty() && !earlier_comparison(out, args.quiet) &&
      !may_replace(out, {"compare", "", ""}, args.force, args.quiet, "hcsim compare"))
    return kExitBadInput;
  Outcome o;
  try {
    if (fs::path(out).has_parent_path()) fs::create_directories(fs::path(out).parent_path());
    std::error_code ec;
    fs::remove(out, ec);
    store::ResultsDb db(out);
    store::write_meta(db.db(), {{"compare_a", label_a}, {"compare_b", label_b}});
    o = run_pairs(args, chosen, planned, out, db.db(), stop);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim compare: %s: %s\n", out.c_str(), e.what());
    return kExitError;
  }
  if (o.errors > 0) return kExitError;
  if (o.pairs.a.size() < 2) {
    std::fprintf(stderr, "hcsim compare: interrupted before two pairs had run\n");
    return kExitInterrupted;
  }
  cmp::Report report;
  report.label_a = label_a;
  report.label_b = label_b;
  report.pairs = static_cast<int>(o.pairs.a.size());
  report.precision = args.precision;
  report.stopped_precise = o.precise;
  report.interrupted = o.interrupted;
  for (const report::RunFigures& f : o.pairs.a) report.seeds.push_back(f.seed);
  report.metrics = evaluate(chosen.empty() ? applicable(o.pairs) : chosen, o.pairs,
                            o.pairs.a.size(), args.precision);
  bool failed = false;
  for (const cmp::Gate& g : gates) {
    const auto it =
        std::find_if(report.metrics.begin(), report.metrics.end(),
                     [&](const cmp::Paired& p) { return p.metric.name == g.metric.name; });
    const cmp::Paired p = it != report.metrics.end()
                              ? *it
                              : evaluate({g.metric}, o.pairs, o.pairs.a.size(), args.precision)[0];
    report.gates.emplace_back(g, cmp::judge(g, p));
    failed = failed || report.gates.back().second.failed;
  }
  print_report(args, report);
  if (o.interrupted) return kExitInterrupted;
  return failed ? kExitExpectFailed : kExitOk;
}

}  // namespace cli
