// hcsim sweep, merge and report end to end, each in its own process as a user or a cluster runs
// them: the results must not depend on the number of workers, on sharding, or on interruption.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "store/json.h"
#include "store/results_reader.h"
#include "support/results_dump.h"
#include "support/small_sweep.h"
#include "support/spawn.h"

using namespace support;
namespace fs = std::filesystem;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::vector<std::string> tables(const std::string& path) {
  REQUIRE(fs::exists(path));
  return dump_all(path);
}

int64_t count_runs(const std::string& path) {
  Db db(path, store::Db::Mode::kReadOnly);
  Stmt st(db, "SELECT COUNT(*) FROM runs WHERE status = 'completed'");
  REQUIRE(st.step());
  return st.int64(0);
}

}  // namespace

TEST_CASE("hcsim sweep writes the same results with one worker and with two") {
  TempDir d;
  write(d / "s.yaml", small_sweep());
  const Result a = hcsim({"sweep", d / "s.yaml", "--jobs", "1", "--out", d / "a.sqlite", "-q"}, d);
  REQUIRE(a.code == 0);
  const Result b = hcsim({"sweep", d / "s.yaml", "--jobs", "2", "--out", d / "b.sqlite", "-q"}, d);
  REQUIRE(b.code == 0);
  CHECK(count_runs(d / "a.sqlite") == 12);
  const auto ta = tables(d / "a.sqlite");
  const auto tb = tables(d / "b.sqlite");
  REQUIRE(ta.size() == tb.size());
  CHECK(ta == tb);
}

TEST_CASE("Sweep configurations share seeds across configurations (common random numbers)") {
  TempDir d;
  write(d / "s.yaml", small_sweep());
  REQUIRE(hcsim({"sweep", d / "s.yaml", "--out", d / "a.sqlite", "-q"}, d).code == 0);
  Db db(d / "a.sqlite", store::Db::Mode::kReadOnly);
  Stmt st(db,
          "SELECT replication, COUNT(DISTINCT seed), COUNT(DISTINCT config_id) FROM runs "
          "GROUP BY replication ORDER BY replication");
  int reps = 0;
  while (st.step()) {
    ++reps;
    CHECK(st.int64(1) == 1);  // one seed per replication, whatever the configuration
    CHECK(st.int64(2) == 6);
  }
  CHECK(reps == 2);
  Stmt seeds(db, "SELECT COUNT(DISTINCT seed) FROM runs");
  REQUIRE(seeds.step());
  CHECK(seeds.int64(0) == 2);  // replications differ
}

TEST_CASE("Shards run in separate processes and merged equal the unsharded sweep") {
  TempDir d;
  write(d / "s.yaml", small_sweep());
  REQUIRE(hcsim({"sweep", d / "s.yaml", "--out", d / "all.sqlite", "-q"}, d).code == 0);
  std::vector<std::string> merge_args{"merge", d / "merged.sqlite"};
  for (int i = 0; i < 3; ++i) {
    const std::string part = d / ("shard-" + std::to_string(i) + ".sqlite");
    const Result r =
        hcsim({"sweep", d / "s.yaml", "--shard", std::to_string(i) + "/3", "--out", part, "-q"}, d);
    REQUIRE(r.code == 0);
    CHECK(count_runs(part) == 4);
    merge_args.push_back(part);
  }
  // Merge in an order other than the shard order: the result must not depend on it.
  std::swap(merge_args[2], merge_args[4]);
  merge_args.push_back("-q");
  REQUIRE(hcsim(merge_args, d).code == 0);
  CHECK(tables(d / "merged.sqlite") == tables(d / "all.sqlite"));
}

TEST_CASE("Sweep shard auto reads the Kubernetes and Slurm array index") {
  TempDir d;
  write(d / "s.yaml", small_sweep());
  REQUIRE(hcsim({"sweep", d / "s.yaml", "--out", d / "all.sqlite", "-q"}, d).code == 0);
  // Kubernetes Indexed Job: JOB_COMPLETION_INDEX, the count from --shard-count.
  const Result k0 = hcsim({"sweep", d / "s.yaml", "--shard", "auto", "--shard-count", "2", "--out",
                           d / "k0.sqlite", "-q"},
                          d, 0, {"JOB_COMPLETION_INDEX=0"});
  REQUIRE(k0.code == 0);
  // Slurm job array: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT.
  const Result s1 =
      hcsim({"sweep", d / "s.yaml", "--shard", "auto", "--out", d / "s1.sqlite", "-q"}, d, 0,
            {"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT=2"});
  REQUIRE(s1.code == 0);
  CHECK(count_runs(d / "k0.sqlite") == 6);
  CHECK(count_runs(d / "s1.sqlite") == 6);
  REQUIRE(hcsim({"merge", d / "m.sqlite", d / "k0.sqlite", d / "s1.sqlite", "-q"}, d).code == 0);
  CHECK(tables(d / "m.sqlite") == tables(d / "all.sqlite"));

  SECTION("without an index it says which variables it looked for, exit 2") {
    const Result r = hcsim({"sweep", d / "s.yaml", "--shard", "auto", "--shard-count", "2", "--out",
                            d / "x.sqlite", "-q"},
                           d, 0, {"JOB_COMPLETION_INDEX=", "SLURM_ARRAY_TASK_ID="});
    CHECK(r.code == 2);
    CHECK(r.err.find("JOB_COMPLETION_INDEX") != std::string::npos);
    CHECK_FALSE(fs::exists(d / "x.sqlite"));
  }
  SECTION("an index beyond the count is refused, exit 2") {
    const Result r = hcsim({"sweep", d / "s.yaml", "--shard", "auto", "--shard-count", "2", "--out",
                            d / "x.sqlite", "-q"},
                           d, 0, {"JOB_COMPLETION_INDEX=2"});
    CHECK(r.code == 2);
    CHECK(r.err.find("not below the count") != std::string::npos);
  }
}

TEST_CASE("An interrupted sweep resumes to exactly the results of an uninterrupted one") {
  TempDir d;
  write(d / "s.yaml", small_sweep("small", "20m"));
  REQUIRE(hcsim({"sweep", d / "s.yaml", "--jobs", "2", "--out", d / "all.sqlite", "-q"}, d).code ==
          0);
  const Result cut = hcsim({"sweep", d / "s.yaml", "--jobs", "2", "--out", d / "r.sqlite", "-q"}, d,
                           /*interrupt_after_ms=*/500);
  // Interrupted (130), or finished before the signal arrived on a fast machine (0).
  CHECK((cut.code == 130 || cut.code == 0));
  if (cut.code == 130) {
    CHECK(count_runs(d / "r.sqlite") < 12);
  }
  const Result again =
      hcsim({"sweep", d / "s.yaml", "--jobs", "2", "--out", d / "r.sqlite", "--resume", "-q"}, d);
  REQUIRE(again.code == 0);
  CHECK(tables(d / "r.sqlite") == tables(d / "all.sqlite"));

  SECTION("without --resume the sweep starts afresh and says what it replaces") {
    const Result r = hcsim({"sweep", d / "s.yaml", "--jobs", "2", "--out", d / "r.sqlite"}, d);
    CHECK(r.code == 0);
    CHECK(r.err.find("replacing 12 completed runs") != std::string::npos);
    CHECK(tables(d / "r.sqlite") == tables(d / "all.sqlite"));
  }
  SECTION("--resume with a changed sweep file is refused") {
    write(d / "s.yaml", small_sweep("small", "21m"));
    const Result r = hcsim({"sweep", d / "s.yaml", "--out", d / "r.sqlite", "--resume", "-q"}, d);
    CHECK(r.code == 2);
  }
}

TEST_CASE("hcsim merge refuses results of a different sweep, exit 2") {
  TempDir d;
  write(d / "a.yaml", small_sweep("a"));
  write(d / "b.yaml", small_sweep("b", "4m"));
  REQUIRE(
      hcsim({"sweep", d / "a.yaml", "--shard", "0/2", "--out", d / "a0.sqlite", "-q"}, d).code ==
      0);
  REQUIRE(
      hcsim({"sweep", d / "b.yaml", "--shard", "1/2", "--out", d / "b1.sqlite", "-q"}, d).code ==
      0);
  const Result r = hcsim({"merge", d / "m.sqlite", d / "a0.sqlite", d / "b1.sqlite"}, d);
  CHECK(r.code == 2);
  CHECK(r.err.find("b1.sqlite") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "m.sqlite"));  // nothing half-written
  SECTION("an existing output is left as it was") {
    REQUIRE(hcsim({"merge", d / "m.sqlite", d / "a0.sqlite", "-q"}, d).code == 0);
    const auto before = tables(d / "m.sqlite");
    CHECK(hcsim({"merge", d / "m.sqlite", d / "b1.sqlite"}, d).code == 2);
    CHECK(tables(d / "m.sqlite") == before);
    CHECK_FALSE(fs::exists(d / "m.sqlite.merging"));
  }
  SECTION("and the same shard twice is not counted twice") {
    const Result twice = hcsim({"merge", d / "m2.sqlite", d / "a0.sqlite", d / "a0.sqlite"}, d);
    CHECK(twice.code == 0);
    CHECK(count_runs(d / "m2.sqlite") == 6);
    CHECK(twice.err.find("6 duplicates skipped") != std::string::npos);
  }
}

TEST_CASE("A bad sweep file is refused with its location, exit 2, nothing written") {
  TempDir d;
  std::string text = small_sweep();
  text.replace(text.find("replications: 2"), 15, "replicashuns: 2");
  write(d / "bad.yaml", text);
  Result r = hcsim({"sweep", d / "bad.yaml", "--out", d / "x.sqlite"}, d);
  CHECK(r.code == 2);
  CHECK(r.err.find("bad.yaml:10:1: replicashuns") != std::string::npos);
  CHECK(r.err.find("did you mean 'replications'") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "x.sqlite"));

  SECTION("a value that the scenario rejects names the sweep file's line") {
    std::string t2 = small_sweep();
    t2.replace(t2.find("[20, 25, 30]"), 12, "[20, lots, 40]");
    write(d / "bad2.yaml", t2);
    r = hcsim({"sweep", d / "bad2.yaml", "--out", d / "x.sqlite"}, d);
    CHECK(r.code == 2);
    CHECK(r.err.find("bad2.yaml:") != std::string::npos);
    CHECK(r.err.find("gslb.weights.private") != std::string::npos);
    CHECK_FALSE(fs::exists(d / "x.sqlite"));
  }
  SECTION("a missing base scenario") {
    std::string t3 = small_sweep();
    t3.replace(t3.find("two-sites-30-70.yaml"), 20, "no-such-file.yaml");
    write(d / "bad3.yaml", t3);
    r = hcsim({"sweep", d / "bad3.yaml", "--out", d / "x.sqlite"}, d);
    CHECK(r.code == 2);
    CHECK(r.err.find("no-such-file.yaml") != std::string::npos);
  }
}

TEST_CASE("hcsim report writes Markdown with charts, CSV and JSON from a sweep") {
  TempDir d;
  write(d / "s.yaml", small_sweep());
  REQUIRE(hcsim({"sweep", d / "s.yaml", "--jobs", "2", "--out", d / "a.sqlite", "-q"}, d).code ==
          0);
  const Result md = hcsim({"report", d / "a.sqlite", "--out", d / "rep.md", "-q"}, d);
  REQUIRE(md.code == 0);
  const std::string text = slurp(d / "rep.md");
  CHECK(text.find("| rank") != std::string::npos);
  CHECK(text.find("private=20, lb=least-request") != std::string::npos);
  CHECK(text.find("±") != std::string::npos);
  CHECK(text.find("Pareto") != std::string::npos);
  // Every chart the Markdown references exists and is a PNG.
  int charts = 0;
  for (std::size_t p = text.find("]("); p != std::string::npos; p = text.find("](", p + 2)) {
    const std::size_t e = text.find(')', p);
    const std::string rel = text.substr(p + 2, e - p - 2);
    if (rel.size() < 4 || rel.substr(rel.size() - 4) != ".png") continue;
    ++charts;
    const std::string png = slurp(d / rel);
    INFO(rel);
    REQUIRE(png.size() > 1000);
    CHECK(png.substr(1, 3) == "PNG");
  }
  CHECK(charts >= 5);

  const Result csv = hcsim({"report", d / "a.sqlite", "--format", "csv", "--out", d / "r.csv"}, d);
  REQUIRE(csv.code == 0);
  const std::string c = slurp(d / "r.csv");
  CHECK(std::count(c.begin(), c.end(), '\n') == 7);  // header + 6 configurations
  const Result js = hcsim({"report", d / "a.sqlite", "--format", "json", "--out", d / "r.json"}, d);
  REQUIRE(js.code == 0);
  CHECK(slurp(d / "r.json").find("\"configurations\"") != std::string::npos);

  SECTION("a file that is not a results database: exit 2") {
    write(d / "junk.sqlite", "not a database");
    const Result r = hcsim({"report", d / "junk.sqlite", "--out", d / "x.md"}, d);
    CHECK(r.code == 2);
    CHECK_FALSE(fs::exists(d / "x.md"));
  }
}

TEST_CASE("Sweep axes combine as a cartesian product or zipped in step") {
  TempDir d;
  std::string text = small_sweep();
  text.replace(text.find("replications: 2"), 15, "replications: 1");
  write(d / "c.yaml", text);
  Result r = hcsim({"sweep", d / "c.yaml", "--list"}, d);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("6 configurations x 1 replications = 6 runs") != std::string::npos);
  // Cartesian: the last axis varies fastest.
  CHECK(r.out.find("run 1  config 0  rep 0  seed 7  private=20, lb=least-request") !=
        std::string::npos);
  CHECK(r.out.find("run 2  config 1  rep 0  seed 7  private=20, lb=random") != std::string::npos);

  // Zip needs axes of equal length: two of three values are refused with the location.
  write(d / "z.yaml", text + "combine: zip\n");
  r = hcsim({"sweep", d / "z.yaml", "--list"}, d);
  CHECK(r.code == 2);
  CHECK(r.err.find("z.yaml:") != std::string::npos);
  CHECK(r.err.find("equal length") != std::string::npos);
  text.replace(text.find("[20, 25, 30]"), 12, "[20, 30]");
  write(d / "z.yaml", text + "combine: zip\n");
  r = hcsim({"sweep", d / "z.yaml", "--list"}, d);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("2 configurations") != std::string::npos);
  CHECK(r.out.find("private=20, lb=least-request") != std::string::npos);
  CHECK(r.out.find("private=30, lb=random") != std::string::npos);
  CHECK(r.out.find("private=20, lb=random") == std::string::npos);
}

TEST_CASE("Every sweep file in the repository plans without errors") {
  TempDir d;
  int files = 0;
  for (const char* dir : {"/scenarios/sweeps", "/scenarios/demos", "/tests/perf"}) {
    for (const auto& e : fs::directory_iterator(std::string(HCSIM_SOURCE_DIR) + dir)) {
      const std::string p = e.path().string();
      if (p.size() < 11 || p.substr(p.size() - 11) != ".sweep.yaml") {
        if (std::string(dir) != "/scenarios/sweeps") continue;
      }
      ++files;
      const Result r = hcsim({"sweep", p, "--list"}, d);
      INFO(p << ": " << r.err);
      CHECK(r.code == 0);
    }
  }
  CHECK(files >= 5);
}

TEST_CASE("A sweep killed with SIGKILL or SIGTERM resumes to exactly the uninterrupted results") {
  TempDir d;
  write(d / "s.yaml", small_sweep("small", "20m"));
  REQUIRE(hcsim({"sweep", d / "s.yaml", "--jobs", "2", "--out", d / "all.sqlite", "-q"}, d).code ==
          0);
  for (int sig : {SIGKILL, SIGTERM}) {
    INFO("signal " << sig);
    const std::string out = d / ("r" + std::to_string(sig) + ".sqlite");
    const Result cut =
        hcsim({"sweep", d / "s.yaml", "--jobs", "2", "--out", out, "-q"}, d, 700, {}, sig);
    // Killed (128 + 9), stopped cleanly by SIGTERM (130), or done before the signal (0).
    CHECK((cut.code == 137 || cut.code == 130 || cut.code == 0));
    if (cut.code != 0) {
      // What a report would read: every row of every run passes the reader's checks (a completed
      // run is whole; a cut one is marked, never half-written as completed). A signal that lands
      // after the last run finished (a fast machine) still exits 130 or 137, with all 12.
      CHECK_NOTHROW(store::ResultsReader(out).check_all());
    }
    const Result again =
        hcsim({"sweep", d / "s.yaml", "--jobs", "2", "--out", out, "--resume", "-q"}, d);
    REQUIRE(again.code == 0);
    CHECK(tables(out) == tables(d / "all.sqlite"));
  }
}

TEST_CASE("a sweep label with a line break is refused at load time, with its location") {
  TempDir d;
  write(d / "s.yaml", "name: bad-label\nscenario: " + std::string(HCSIM_SOURCE_DIR) +
                          "/scenarios/examples/two-sites-30-70.yaml\n"
                          "axes:\n  - name: lb\n    values:\n"
                          "      - {label: \"x\\nsystem('touch " +
                          (d / "pwned") + "')\", set: {}}\n");
  const Result r = hcsim({"sweep", d / "s.yaml", "--out", d / "r.sqlite", "-q"}, d);
  CHECK(r.code == 2);
  CHECK(r.err.find("s.yaml:6:") != std::string::npos);
  CHECK(r.err.find("one line of text") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "r.sqlite"));
  CHECK_FALSE(fs::exists(d / "pwned"));
}

namespace {

// Waits until `results` has a writer (its lock file names a pid); false after 30 s.
bool wait_for_writer(const std::string& results, Spawned& writer) {
  for (int i = 0; i < 3000; ++i) {
    if (slurp(results + ".lock").find("pid=") != std::string::npos) return true;
    if (!writer.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string meta_value(const std::string& path, const std::string& key) {
  Db db(path, store::Db::Mode::kReadOnly);
  Stmt st(db, "SELECT value FROM meta WHERE key = ?");
  st.bind(1, key);
  return st.step() ? st.text(0) : "";
}

}  // namespace

TEST_CASE("A second writer of a results file is refused at once, naming the first, who finishes") {
  TempDir d;
  write(d / "a.yaml", small_sweep("first", "60m"));
  write(d / "b.yaml", small_sweep("second", "3m"));
  const std::string out = d / "shared.sqlite";
  Spawned first = hcsim_start({"sweep", d / "a.yaml", "--jobs", "1", "--out", out, "-q"}, d, "-a");
  REQUIRE(wait_for_writer(out, first));
  const std::string pid = "pid " + std::to_string(first.pid());
  // The same sweep, another sweep, a single run and a merge into the same file: all refused.
  const std::vector<std::vector<std::string>> others{
      {"sweep", d / "a.yaml", "--out", out, "-q"},
      {"sweep", d / "b.yaml", "--out", out, "--force", "-q"},
      {"sweep", d / "a.yaml", "--out", out, "--resume", "-q"},
      {"run", std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/two-sites-30-70.yaml", "--out",
       out, "--force", "-q"},
      {"merge", out, d / "a.yaml"},
  };
  for (const auto& args : others) {
    INFO(args[0] << " " << args[1]);
    const Result second = hcsim(args, d);
    CHECK(second.code == 2);
    CHECK(second.err.find(out + " is being written by " + pid) != std::string::npos);
    CHECK(second.err.find("hcsim sweep " + d / "a.yaml") != std::string::npos);
  }
  REQUIRE(first.running());  // the refusals came while the first writer was at work
  const Result done = first.wait();
  INFO(done.err);
  CHECK(done.code == 0);
  CHECK(count_runs(out) == 12);
  CHECK(meta_value(out, "sweep_name") == "first");
  CHECK_FALSE(fs::exists(out + ".lock"));  // let go of, and tidied
  CHECK_FALSE(fs::exists(out + ".parts"));
}

TEST_CASE("A results file of another sweep or of other runs is replaced only with --force") {
  TempDir d;
  write(d / "a.yaml", small_sweep("first", "3m"));
  write(d / "b.yaml", small_sweep("second", "3m"));
  const std::string out = d / "r.sqlite";
  REQUIRE(hcsim({"sweep", d / "a.yaml", "--out", out, "-q"}, d).code == 0);
  const auto before = tables(out);

  const Result other = hcsim({"sweep", d / "b.yaml", "--out", out}, d);
  CHECK(other.code == 2);
  CHECK(other.err.find("holds sweep 'first' (12 completed runs), not 'second': not replaced") !=
        std::string::npos);
  CHECK(other.err.find("--force") != std::string::npos);
  const std::string two_sites =
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/two-sites-30-70.yaml";
  const Result run = hcsim({"run", two_sites, "--out", out, "-q"}, d);
  CHECK(run.code == 2);
  CHECK(run.err.find("holds sweep 'first'") != std::string::npos);
  CHECK(tables(out) == before);  // untouched

  // The same sweep again replaces its own results, saying so.
  const Result again = hcsim({"sweep", d / "a.yaml", "--out", out}, d);
  CHECK(again.code == 0);
  CHECK(again.err.find("replacing 12 completed runs") != std::string::npos);

  const Result forced = hcsim({"sweep", d / "b.yaml", "--out", out, "--force", "-q"}, d);
  CHECK(forced.code == 0);
  CHECK(meta_value(out, "sweep_name") == "second");

  // A file that is not a results file is never taken for one.
  write(d / "notes.txt", "my notes\n");
  const Result notes = hcsim({"run", two_sites, "--out", d / "notes.txt", "-q"}, d);
  CHECK(notes.code == 2);
  CHECK(notes.err.find("is not an hcsim results file: not replaced") != std::string::npos);
  CHECK(slurp(d / "notes.txt") == "my notes\n");
  // Runs of another scenario are kept from a run too.
  REQUIRE(hcsim({"run", two_sites, "--out", d / "one.sqlite", "-q", "--allow-late", "--set",
                 "duration=2m"},
                d)
              .code == 0);
  const Result renamed = hcsim({"run", two_sites, "--out", d / "one.sqlite", "-q", "--allow-late",
                                "--set", "duration=2m", "--set", "name=other-name"},
                               d);
  CHECK(renamed.code == 2);
  CHECK(renamed.err.find("holds runs of two-sites-30-70 (1 completed run), not of 'other-name'") !=
        std::string::npos);
}

TEST_CASE("report and merge refuse a corrupt results file with exit 2, naming table and row") {
  TempDir d;
  write(d / "s.yaml", small_sweep("small", "3m"));
  REQUIRE(hcsim({"sweep", d / "s.yaml", "--out", d / "good.sqlite", "-q"}, d).code == 0);
  fs::copy_file(d / "good.sqlite", d / "bad.sqlite");
  {
    Db db(d / "bad.sqlite", store::Db::Mode::kReadWrite);
    db.exec(
        "UPDATE rt_hist SET first_bin = 2000000000 WHERE run_id = 5 AND t_ns = "
        "(SELECT min(t_ns) FROM rt_hist WHERE run_id = 5)");
  }
  const Result report = hcsim({"report", d / "bad.sqlite", "--out", d / "r.md"}, d);
  CHECK(report.code == 2);
  CHECK(report.err.find(d / "bad.sqlite: table rt_hist, run 5, entity ") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "r.md"));
  const auto before = tables(d / "good.sqlite");
  const Result merge = hcsim({"merge", d / "good.sqlite", d / "bad.sqlite"}, d);
  CHECK(merge.code == 2);
  CHECK(merge.err.find("table rt_hist, run 5") != std::string::npos);
  CHECK(tables(d / "good.sqlite") == before);
}

TEST_CASE("A report over a partial sweep names what is missing and marks every affected row") {
  TempDir d;
  write(d / "s.yaml", small_sweep("small", "3m"));
  // Shard 0 of 3: runs 1, 4, 7 and 10 of 12 (configurations 1, 2, 4 and 5, one replication
  // each); configurations 3 and 6 have nothing.
  REQUIRE(
      hcsim({"sweep", d / "s.yaml", "--shard", "0/3", "--out", d / "part.sqlite", "-q"}, d).code ==
      0);
  const Result md =
      hcsim({"report", d / "part.sqlite", "--out", d / "r.md", "--no-charts", "-q"}, d);
  REQUIRE(md.code == 0);
  const std::string text = slurp(d / "r.md");
  CHECK(text.find("**This sweep is incomplete: 8 of its 12 planned runs have no completed "
                  "result in this file**") != std::string::npos);
  CHECK(text.find("2 configurations have no result at all (private=25, lb=least-request; "
                  "private=30, lb=random)") != std::string::npos);
  CHECK(text.find("**1 of 2** (missing 2)") != std::string::npos);
  CHECK(text.find("**1 of 2** (missing 3)") != std::string::npos);
  CHECK(text.find("**private=25, lb=least-request: no completed run** | **0 of 2**") !=
        std::string::npos);
  CHECK(text.find("ties go to the higher Apdex, then to the order of the sweep file") !=
        std::string::npos);
  const Result json = hcsim({"report", d / "part.sqlite", "--format", "json"}, d);
  CHECK(json.out.find("\"missing_runs\": 8") != std::string::npos);
  CHECK(json.out.find("\"absent_configurations\": [\n    2,\n    5\n  ]") != std::string::npos);
}

TEST_CASE("A report flags configurations whose runs came out identical") {
  TempDir d;
  write(d / "s.yaml",
        "name: twins\nscenario: " + std::string(HCSIM_SOURCE_DIR) +
            "/scenarios/examples/two-sites-30-70.yaml\n"
            "set: {allow_late: true, duration: 2m}\n"
            "axes:\n  - name: lb\n    values:\n"
            "      - {label: as-written, set: {}}\n"
            "      - {label: least-request, set: {sites.private.deployment.balancing: "
            "least-request}}\n"
            "      - {label: random, set: {sites.private.deployment.balancing: "
            "random}}\n"
            "replications: 2\n");
  REQUIRE(hcsim({"sweep", d / "s.yaml", "--out", d / "t.sqlite", "-q"}, d).code == 0);
  const Result json = hcsim({"report", d / "t.sqlite", "--format", "json"}, d);
  REQUIRE(json.code == 0);
  // least-request is the default: its runs are those of the file as written; random differs.
  const store::JsonValue report = store::JsonValue::parse(json.out);
  std::map<std::string, const store::JsonValue*> by_label;
  for (const store::JsonValue& c : report["configurations"].items())
    by_label[c["configuration"].text()] = &c;
  REQUIRE(by_label.size() == 3);
  CHECK((*by_label.at("lb=least-request"))["identical_to"].integer() == 0);
  CHECK((*by_label.at("lb=random"))["identical_to"].is_null());
  CHECK((*by_label.at("lb=as-written"))["identical_to"].is_null());
  REQUIRE(hcsim({"report", d / "t.sqlite", "--out", d / "t.md", "--no-charts", "-q"}, d).code == 0);
  CHECK(slurp(d / "t.md").find("lb=least-request (identical to lb=as-written)") !=
        std::string::npos);
}
