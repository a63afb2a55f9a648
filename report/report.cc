#include "report/report.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "report/aggregate.h"
#include "report/gnuplot.h"
#include "report/markdown.h"
#include "report/tables.h"
#include "store/files.h"
#include "store/results_reader.h"

namespace report {

namespace fs = std::filesystem;

namespace {

void open_results(const std::string& path, std::optional<store::ResultsReader>* reader) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw BadInput(path + ": no such results file");
  try {
    reader->emplace(path);
    (*reader)->check_all();  // a corrupt file is refused whole, before anything is drawn
  } catch (const store::DbError& e) {
    throw BadInput(e.what());
  }
}

Written write_markdown(const Options& options, MarkdownContext ctx,
                       const std::vector<Configuration>& configs,
                       const std::vector<const Configuration*>& by_rank) {
  const std::string out = options.out.empty()
                              ? "results/" + fs::path(options.db).stem().string() + "-report.md"
                              : options.out;
  const fs::path charts = fs::path(out).parent_path() / (fs::path(out).stem().string() + "-charts");
  ctx.charts_rel = charts.filename().string();
  ctx.charts_wanted = options.charts;
  if (!options.charts || !gnuplot::available()) {
    store::write_file_atomically(out, markdown(ctx, configs, by_rank));
    return {out, "", ""};
  }
  // Charts are drawn into a scratch folder that replaces the old one only when every chart was
  // drawn; then the Markdown that links them is written.
  const fs::path scratch = charts.string() + ".tmp-" + std::to_string(getpid());
  fs::remove_all(scratch);
  fs::create_directories(scratch);
  ctx.charts_dir = scratch;
  try {
    const std::string text = markdown(ctx, configs, by_rank);
    fs::remove_all(charts);
    fs::rename(scratch, charts);
    store::write_file_atomically(out, text);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
    throw;
  }
  return {out, charts.string(), ""};
}

}  // namespace

Written write_report(const Options& options) {
  if (options.format != "md" && options.format != "csv" && options.format != "json")
    throw BadInput("--format must be md, csv or json");
  static const std::set<std::string> kY{"apdex", "error_rate", "p95", "p99", "rto"};
  if (!kY.count(options.pareto_y))
    throw BadInput("--pareto-y must be apdex, error_rate, p95, p99 or rto");
  std::optional<store::ResultsReader> reader;
  open_results(options.db, &reader);
  const auto meta = reader->meta();
  std::vector<RunFigures> runs;
  const std::vector<store::RunRecord> completed = reader->runs("completed");
  for (const store::RunRecord& r : completed) runs.push_back(run_figures(r));
  std::vector<Configuration> configs = aggregate(runs, options.pareto_y);
  const Completeness completeness = check_completeness(meta, completed, &configs);
  std::set<std::string> scenario_names;
  for (const RunFigures& r : runs) scenario_names.insert(r.scenario);
  const bool comparable = scenario_names.size() <= 1;
  std::vector<const Configuration*> by_rank;
  for (const Configuration& c : configs) by_rank.push_back(&c);
  if (comparable) {
    std::sort(by_rank.begin(), by_rank.end(),
              [](const Configuration* a, const Configuration* b) { return a->rank < b->rank; });
  }
  const auto name = meta.find("sweep_name");
  const std::string title =
      name != meta.end() ? name->second : fs::path(options.db).stem().string();
  const int64_t unfinished = reader->count_runs_not("completed");

  if (options.format == "md") {
    MarkdownContext ctx;
    ctx.reader = &*reader;
    ctx.meta = meta;
    ctx.title = title;
    ctx.completed_runs = runs.size();
    ctx.unfinished_runs = unfinished;
    ctx.completeness = completeness;
    ctx.comparable = comparable;
    ctx.pareto_y = options.pareto_y;
    return write_markdown(options, ctx, configs, by_rank);
  }
  TableContext table{options.db,       title,        runs.size(), unfinished,
                     options.pareto_y, completeness, {}};
  if (options.format == "json") {
    for (const store::RunRecord& r : completed) {
      std::vector<SiteBacktest> b = backtest(*reader, r.run_id);
      if (!b.empty()) table.backtests.emplace_back(r.run_id, std::move(b));
    }
  }
  const std::string text = options.format == "csv" ? to_csv(by_rank) : to_json(table, by_rank);
  if (options.out.empty()) return {"", "", text};
  store::write_file_atomically(options.out, text);
  return {options.out, "", ""};
}

}  // namespace report
