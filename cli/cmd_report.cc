// hcsim report: summarises a results file (report::write_report) as Markdown with charts, CSV or
// JSON. Exit 2 for a missing or foreign results file, 3 when a chart cannot be drawn or the
// report cannot be written (then nothing is written).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "report/gnuplot.h"
#include "report/report.h"
#include "store/results_reader.h"
#include "store/writer_lock.h"

namespace cli {

CLI::App* add_report_command(CLI::App& app, ReportArgs* args) {
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Summarise a results file: configurations with confidence intervals, ranking, "
      "Pareto front, charts");
  cmd->add_option("results", args->db, "Results database")->required();
  cmd->add_option("--format", args->format, "md (with charts), csv or json")
      ->check(CLI::IsMember({"md", "csv", "json"}));
  cmd->add_option("--out", args->out,
                  "File to write (md default: results/<results name>-report.md, with charts in "
                  "<report name>-charts/; csv and json default: stdout)");
  cmd->add_option("--pareto-y", args->pareto_y,
                  "SLO measure of the Pareto front against cost: apdex, error_rate, p95, p99, rto")
      ->check(CLI::IsMember({"apdex", "error_rate", "p95", "p99", "rto"}));
  cmd->add_flag("--no-charts", args->no_charts, "md: do not draw charts");
  cmd->add_flag("--quiet,-q", args->quiet, "Print nothing but errors");
  return cmd;
}

int cmd_report(const ReportArgs& args) {
  report::Options options;
  options.db = args.db;
  options.format = args.format;
  options.out = args.out;
  options.pareto_y = args.pareto_y;
  options.charts = !args.no_charts;
  if (const std::string who = store::current_writer(args.db); !who.empty()) {
    std::fprintf(stderr,
                 "hcsim report: warning: %s is being written by %s; the report covers the runs "
                 "finished so far\n",
                 args.db.c_str(), who.c_str());
  }
  try {
    const report::Written w = report::write_report(options);
    if (!w.text.empty()) std::fwrite(w.text.data(), 1, w.text.size(), stdout);
    if (!args.quiet && args.format == "md") {
      std::fprintf(stderr, "hcsim report: %s%s\n", w.path.c_str(),
                   w.charts_dir.empty() ? "" : (" (charts in " + w.charts_dir + ")").c_str());
    }
    return kExitOk;
  } catch (const store::CorruptResults& e) {
    std::fprintf(stderr, "hcsim report: %s\n", e.what());
    return kExitBadInput;
  } catch (const report::BadInput& e) {
    std::fprintf(stderr, "hcsim report: %s\n", e.what());
    return kExitBadInput;
  } catch (const report::gnuplot::Error& e) {
    std::fprintf(stderr, "hcsim report: a chart could not be drawn, no report written: %s\n",
                 e.what());
    return kExitError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim report: %s\n", e.what());
    return kExitError;
  }
}

}  // namespace cli
