// Charts never fail silently and never run what a label says: every string that reaches a
// gnuplot script is quoted for gnuplot, gnuplot starts without a shell, and a chart that is not
// drawn fails the report (nothing written) instead of leaving a link to a missing image.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/loader.h"
#include "engine/run.h"
#include "report/gnuplot.h"
#include "report/report.h"
#include "store/results_writer.h"
#include "support/spawn.h"

namespace fs = std::filesystem;
using support::TempDir;

namespace {

// Two configurations of a 2-minute two-site run, labelled as given, in one results file.
std::string results_with_labels(const TempDir& d, const std::vector<std::string>& labels) {
  const config::Scenario s = config::load_scenario_file(
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/two-sites-30-70.yaml",
      {"allow_late=true", "duration=2m"});
  const std::string path = d / "r.sqlite";
  store::ResultsDb db(path);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    engine::RunLabel label(s.seed);
    label.config_id = static_cast<int64_t>(i);
    label.config_label = labels[i];
    label.replication = 0;
    label.run_id = static_cast<int64_t>(i) + 1;
    engine::run_into_db(db, s, label, {});
  }
  return path;
}

// The images a Markdown report links, which must all exist and not be empty.
std::vector<fs::path> linked_images(const std::string& md_path) {
  const std::string md = support::slurp(md_path);
  std::vector<fs::path> out;
  // Markdown images: ![caption](path)
  for (std::size_t at = md.find("!["); at != std::string::npos; at = md.find("![", at + 2)) {
    const std::size_t open = md.find("](", at);
    const std::size_t close = md.find(')', open);
    if (open == std::string::npos || close == std::string::npos) break;
    out.push_back(fs::path(md_path).parent_path() / md.substr(open + 2, close - open - 2));
  }
  return out;
}

}  // namespace

TEST_CASE("gnuplot strings are single-quoted with quotes doubled and control characters blanked") {
  using report::gnuplot::quote;
  CHECK(quote("team's pick") == "'team''s pick'");
  CHECK(quote("a\nsystem('x')") == "'a system(''x'')'");
  CHECK(quote("tab\there\r\x7f") == "'tab here  '");
  CHECK(quote("") == "''");
  CHECK(report::gnuplot::data_string("say \"hi\"\n") == "\"say 'hi' \"");
}

TEST_CASE("a label with an apostrophe gives a complete report with every chart it links") {
  REQUIRE(report::gnuplot::available());  // scripts/setup.sh installs gnuplot-nox
  TempDir d;
  const std::string db = results_with_labels(d, {"team's pick", "the 'other' one"});
  report::Options o;
  o.db = db;
  o.out = d / "report.md";
  const report::Written w = report::write_report(o);
  const auto images = linked_images(w.path);
  CHECK(images.size() == 10);  // 5 charts per run (the example prices nothing: no Pareto)
  for (const fs::path& p : images) {
    INFO(p.string());
    REQUIRE(fs::is_regular_file(p));
    CHECK(fs::file_size(p) > 1000);
  }
  CHECK(support::slurp(w.path).find("team's pick") != std::string::npos);
}

TEST_CASE("a label that tries to run a command through gnuplot runs nothing") {
  REQUIRE(report::gnuplot::available());  // scripts/setup.sh installs gnuplot-nox
  TempDir d;
  const std::string marker = d / "pwned";
  const std::vector<std::string> attacks{"x\nsystem('touch " + marker + "')\n#",
                                         "x'\nsystem(\"touch " + marker + "\")\nprint '",
                                         "x' . system('touch " + marker + "') . '",
                                         "x`touch " + marker + "`", "x$(touch " + marker + ")"};
  const std::string db = results_with_labels(d, attacks);
  report::Options o;
  o.db = db;
  o.out = d / "report.md";
  const report::Written w = report::write_report(o);
  CHECK_FALSE(fs::exists(marker));
  for (const fs::path& p : linked_images(w.path)) CHECK(fs::is_regular_file(p));
}

TEST_CASE("a chart gnuplot does not draw fails the report, and nothing is written") {
  REQUIRE(report::gnuplot::available());  // scripts/setup.sh installs gnuplot-nox
  TempDir d;
  const std::string db = results_with_labels(d, {"a", "b"});
  // A gnuplot that answers the availability check but fails on every script.
  fs::create_directories(d / "bin");
  {
    std::ofstream f(d / "bin/gnuplot");
    f << "#!/bin/sh\n[ \"$1\" = -e ] && exit 0\necho 'line 3: broken on purpose' >&2\nexit 1\n";
  }
  fs::permissions(d / "bin/gnuplot", fs::perms::owner_all);
  const std::string old_path = std::getenv("PATH");
  setenv("PATH", ((d / "bin") + ":" + old_path).c_str(), 1);
  report::Options o;
  o.db = db;
  o.out = d / "report.md";
  try {
    report::write_report(o);
    FAIL("the report was written without its charts");
  } catch (const report::gnuplot::Error& e) {
    CHECK(std::string(e.what()).find("broken on purpose") != std::string::npos);
  }
  setenv("PATH", old_path.c_str(), 1);
  CHECK_FALSE(fs::exists(d / "report.md"));
  CHECK_FALSE(fs::exists(d / "report-charts"));
}

TEST_CASE("a run's section names the gates it missed and when writes came back") {
  // The DR example with a database primary on private and strict gates: the outage misses the
  // RTO gate, and writes wait for the promotion.
  TempDir d;
  const config::Scenario s = config::load_scenario_file(
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/dr-active-active.yaml",
      {"allow_late=true", "duration=15m", "dr.preset=active-active", "dr.primary=private",
       "dr.standby=public", "expect.rto_max_s=60", "expect.error_rate_max=0.5"});
  const std::string path = d / "r.sqlite";
  {
    store::ResultsDb db(path);
    engine::run_into_db(db, s, engine::RunLabel(s.seed), {});
  }
  report::Options o;
  o.db = path;
  o.out = d / "report.md";
  o.charts = false;
  const std::string md = support::slurp(report::write_report(o).path);
  INFO(md);
  CHECK(md.find("**Its `expect:` gates failed**: `rto_max_s` ") != std::string::npos);
  CHECK(md.find("> 60.") != std::string::npos);
  CHECK(md.find("error_rate_max") == std::string::npos);  // it passed: not listed
  CHECK(md.find("| writes back after |") != std::string::npos);
  CHECK(md.find("(promotion ") != std::string::npos);
}
