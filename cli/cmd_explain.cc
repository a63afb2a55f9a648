// hcsim explain: why did a site's autoscalers do what they did at a moment of a recorded run?
// Replays the run up to the moment (engine/explain.h) and prints each autoscaler's latest
// evaluation, step by step (report/explain.h); falls back to the decisions the file logged when
// the replay does not reproduce the file or --no-replay asks so.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "config/loader.h"
#include "config/units.h"
#include "config/yaml_reader.h"
#include "engine/explain.h"
#include "report/explain.h"
#include "report/text.h"
#include "store/json.h"
#include "store/results_reader.h"

namespace cli {

using report::strf;

CLI::App* add_explain_command(CLI::App& app, ExplainArgs* args) {
  CLI::App* cmd = app.add_subcommand(
      "explain",
      "Why a site's autoscalers chose what they did at a moment of a run: the HPA's pods, "
      "metrics, proposals, stabilization and limits; the cluster autoscaler's reasons");
  cmd->add_option("results", args->db, "Results database")->required();
  cmd->add_option("--site", args->site, "Site whose autoscalers to explain")->required();
  cmd->add_option("--at", args->at,
                  "Simulated time: a duration (12m04s, 724s, 1h2m) or seconds (724)")
      ->required();
  cmd->add_option("--run", args->run, "Run id (required when the file holds several runs)");
  cmd->add_flag("--all-pods", args->all_pods, "List every counted pod (default: the first 8)");
  cmd->add_flag("--no-replay", args->no_replay,
                "Use only the decisions the file logged (no re-simulation)");
  cmd->add_option("--format", args->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  return cmd;
}

namespace {

class ExplainInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::optional<sim::SimTime> parse_moment(const std::string& text) {
  std::string error;
  if (auto d = config::parse_duration(text, &error)) return d;
  if (auto n = config::parse_number(text, &error); n && *n >= 0)
    return sim::SimTime::from_seconds(*n);
  return std::nullopt;
}

store::RunRecord pick_run(const store::ResultsReader& reader, const ExplainArgs& args) {
  const std::vector<store::RunRecord> runs = reader.runs();
  if (runs.empty()) throw ExplainInputError(reader.path() + " holds no run");
  if (args.run) {
    for (const store::RunRecord& r : runs)
      if (r.run_id == *args.run) return r;
    throw ExplainInputError(strf("%s has no run %lld (runs %lld to %lld)", reader.path().c_str(),
                                 static_cast<long long>(*args.run),
                                 static_cast<long long>(runs.front().run_id),
                                 static_cast<long long>(runs.back().run_id)));
  }
  if (runs.size() > 1)
    throw ExplainInputError(strf("%s holds %zu runs: say which with --run (ids %lld to %lld)",
                                 reader.path().c_str(), runs.size(),
                                 static_cast<long long>(runs.front().run_id),
                                 static_cast<long long>(runs.back().run_id)));
  return runs.front();
}

void check_site(const store::ResultsReader& reader, const store::RunRecord& run,
                const std::string& site) {
  std::vector<std::string> sites;
  for (const store::EntityRecord& e : reader.entities(run.run_id))
    if (e.kind == "site") sites.push_back(e.name);
  for (const std::string& s : sites)
    if (s == site) return;
  throw ExplainInputError(strf("run %lld has no site named '%s': %s",
                               static_cast<long long>(run.run_id), site.c_str(),
                               config::suggest(site, sites, "site").c_str()));
}

std::string moment(int64_t t_ns) {
  // The end of a whole second (--at 59m43s) reads as that second.
  if (t_ns % 1'000'000'000 == 999'999'999)
    return sim::format_duration(sim::SimTime::from_ns(t_ns + 1 - 1'000'000'000)) +
           " (to the end of that second)";
  return report::clock_time(static_cast<double>(t_ns) * 1e-9);
}

std::string text_of(const store::RunRecord& run, const ExplainArgs& args, sim::SimTime at,
                    const engine::ExplainReplay& x, const std::string& source) {
  std::string out =
      strf("Run %lld (%s, seed %llu), site %s at %s; %s\n", static_cast<long long>(run.run_id),
           run.label_or_scenario().c_str(), static_cast<unsigned long long>(run.seed),
           args.site.c_str(), moment(at.ns()).c_str(), source.c_str());
  report::ExplainOptions options;
  options.all_pods = args.all_pods;
  for (const engine::Evaluation& e : x.pod_autoscalers) {
    out +=
        strf("\n== %s: %s at %s (%s before) ==\n%s\n", e.component.c_str(),
             e.kind == "decision" ? "evaluation" : "last logged decision", moment(e.t_ns).c_str(),
             report::clock_time((at.ns() - e.t_ns) * 1e-9).c_str(), e.message.c_str());
    out += report::explain_evaluation(e.component, e.message, e.details, options);
  }
  if (x.last_change && !x.pod_autoscalers.empty() &&
      x.last_change->t_ns != x.pod_autoscalers.front().t_ns) {
    out += strf("(its last logged change: '%s' at %s)\n", x.last_change->message.c_str(),
                moment(x.last_change->t_ns).c_str());
  }
  if (x.pod_autoscalers.empty())
    out += strf("\nNo pod autoscaler of %s evaluated by %s (none configured, or none ran yet).\n",
                args.site.c_str(), moment(at.ns()).c_str());
  if (x.node_autoscaler) {
    const engine::Evaluation& e = *x.node_autoscaler;
    out += strf("\n== cluster autoscaler (%s): %s at %s ==\n", e.component.c_str(),
                e.kind == "decision" ? "loop" : "last logged scale-up", moment(e.t_ns).c_str());
    out += report::explain_node_autoscaler(e.details);
  }
  return out;
}

std::string json_of(const store::RunRecord& run, const ExplainArgs& args, sim::SimTime at,
                    const engine::ExplainReplay& x, const std::string& source) {
  store::JsonWriter j;
  j.begin_object();
  j.key("run").value(run.run_id).key("site").value(args.site).key("at_s").value(at.seconds());
  j.key("source").value(source).key("reproduced").value(x.reproduced);
  if (!x.reproduced) j.key("divergence").value(x.divergence);
  auto evaluation = [&](const engine::Evaluation& e) {
    j.begin_object().key("component").value(e.component).key("kind").value(e.kind);
    j.key("t_s").value(static_cast<double>(e.t_ns) * 1e-9).key("message").value(e.message);
    j.key("details");
    store::write_json(j, e.details);
    j.end_object();
  };
  j.key("autoscalers").begin_array();
  for (const engine::Evaluation& e : x.pod_autoscalers) evaluation(e);
  j.end_array();
  j.key("cluster_autoscaler");
  if (x.node_autoscaler)
    evaluation(*x.node_autoscaler);
  else
    j.null();
  j.end_object();
  return j.str() + "\n";
}

}  // namespace

Explained explain(const ExplainArgs& args) {
  Explained out;
  try {
    std::optional<sim::SimTime> at = parse_moment(args.at);
    if (!at)
      throw ExplainInputError(
          "--at '" + args.at +
          "': not a time (a duration from the start of the run such as 12m04s, or seconds)");
    if (args.db.ends_with(".yaml") || args.db.ends_with(".yml"))
      throw ExplainInputError(args.db +
                              " is a scenario, not a results file: run it first (hcsim run " +
                              args.db + " --out RESULTS.sqlite), then explain RESULTS.sqlite");
    const store::ResultsReader reader(args.db);
    const store::RunRecord run = pick_run(reader, args);
    check_site(reader, run, args.site);
    const int64_t end_ns = run.sim_end_ns.value_or(run.horizon_ns);
    if (at->ns() > end_ns)
      throw ExplainInputError(strf("--at %s is after the end of run %lld (%s)",
                                   moment(at->ns()).c_str(), static_cast<long long>(run.run_id),
                                   moment(end_ns).c_str()));
    // Whole seconds, as the event log shows times (11m36s for 11m36.1s), mean that second:
    // decisions up to its end count.
    if (at->ns() % 1'000'000'000 == 0)
      at = sim::SimTime::from_ns(std::min(end_ns, at->ns() + 999'999'999));
    const std::vector<store::EventRecord> events = reader.events(run.run_id);
    engine::ExplainReplay x;
    std::string source;
    if (!args.no_replay) {
      try {
        const config::Scenario s =
            config::load_scenario_text(run.scenario_yaml, run.scenario_file, run.overrides);
        x = engine::replay_for_explain(s, run.seed, args.site, *at, events);
        source = strf("replayed (%lld logged events reproduced)",
                      static_cast<long long>(x.events_compared));
        if (!x.reproduced) {
          out.warning = "the replay does not reproduce this run (" + x.divergence +
                        "): the scenario's files (traces, manifests) changed since, or another "
                        "hcsim version wrote it; showing the decisions the file logged";
        }
      } catch (const config::ScenarioError& e) {
        out.warning = std::string("the run's scenario no longer loads (") + e.what() +
                      "): showing the decisions the file logged";
        x.reproduced = false;
      }
    }
    if (args.no_replay || !x.reproduced) {
      const bool reproduced = x.reproduced;
      const std::string divergence = x.divergence;
      x = engine::stored_for_explain(args.site, *at, events);
      x.reproduced = reproduced;
      x.divergence = divergence;
      source = "from the decisions the file logged (the evaluations between them are not stored)";
    }
    out.text = args.format == "json" ? json_of(run, args, *at, x, source)
                                     : text_of(run, args, *at, x, source);
    out.code = kExitOk;
  } catch (const ExplainInputError& e) {
    out.error = e.what();
    out.code = kExitBadInput;
  } catch (const store::DbError& e) {
    out.error = e.what();
    out.code = kExitBadInput;
  }
  return out;
}

int cmd_explain(const ExplainArgs& args) {
  const Explained x = explain(args);
  if (!x.warning.empty()) std::fprintf(stderr, "hcsim explain: warning: %s\n", x.warning.c_str());
  if (!x.error.empty()) std::fprintf(stderr, "hcsim explain: %s\n", x.error.c_str());
  std::fputs(x.text.c_str(), stdout);
  return x.code;
}

}  // namespace cli
