// The hcsim executable end to end: exit codes, messages, files written, interruption.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite.h"
#include "support/spawn.h"

using namespace support;
namespace fs = std::filesystem;

namespace {

const std::string kExamples = std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/";

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace

TEST_CASE("hcsim run writes a completed run and a summary, exit 0") {
  TempDir d;
  const Result r = hcsim({"run", kExamples + "two-sites-30-70.yaml", "--set", "duration=2m",
                          "--out", d / "r.sqlite", "--summary-json", d / "s.json", "--quiet"},
                         d);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  const std::string json = slurp(d / "s.json");
  for (const char* key :
       {"\"requests\"", "\"completed\"", "\"failed_by\"", "\"error_rate\"", "\"apdex\"",
        "\"rt_mean_s\"", "\"rt_p50_s\"", "\"rt_p95_s\"", "\"rt_p99_s\"", "\"max_replicas\"",
        "\"pod_seconds\"", "\"private\"", "\"public\"", "\"passed\": true"}) {
    CHECK(json.find(key) != std::string::npos);
  }
  store::Db db(d / "r.sqlite", store::Db::Mode::kReadOnly);
  store::Stmt st(db, "SELECT status, expect_passed, seed FROM runs");
  REQUIRE(st.step());
  CHECK(st.text(0) == "completed");
  CHECK(st.int64(1) == 1);
  CHECK(st.int64(2) == 42);
  store::Stmt n(db, "SELECT count(*) FROM series");
  n.step();
  CHECK(n.int64(0) == 3 * 120);
  CHECK_FALSE(fs::exists(d / "r.sqlite.tmp-0"));
}

TEST_CASE("a failing expect: gate exits 1") {
  TempDir d;
  const Result r = hcsim({"run", kExamples + "two-sites-30-70.yaml", "--set", "duration=2m",
                          "--set", "expect.rt_p95_max_s=0.001", "--out", d / "r.sqlite"},
                         d);
  CHECK(r.code == 1);
  CHECK(r.err.find("rt_p95_max_s") != std::string::npos);
  CHECK(r.err.find("FAILED") != std::string::npos);
}

TEST_CASE("bad input exits 2 with a located message and writes nothing") {
  TempDir d;
  write(d / "bad.yaml", "name: x\nduration: 10\n");
  const Result r = hcsim({"run", d / "bad.yaml", "--out", d / "r.sqlite"}, d);
  CHECK(r.code == 2);
  CHECK(r.err == d / "bad.yaml" + ":2:11: duration: '10' has no unit (write e.g. 10s or 10ms)\n");
  CHECK_FALSE(fs::exists(d / "r.sqlite"));
  const Result s = hcsim({"run", kExamples + "two-sites-30-70.yaml", "--set",
                          "sites.public.replicas=x", "--out", d / "r.sqlite"},
                         d);
  CHECK(s.code == 2);
  CHECK(s.err.find("--set 'sites.public.replicas=x':1:23: sites.public.replicas:") == 0);
  CHECK_FALSE(fs::exists(d / "r.sqlite"));
  CHECK(hcsim({"run", d / "missing.yaml"}, d).code == 2);
  CHECK(hcsim({"run"}, d).code == 2);
  CHECK(hcsim({"frobnicate"}, d).code == 2);
  CHECK(hcsim({"run", kExamples + "two-sites-30-70.yaml", "--bogus"}, d).code == 2);
}

TEST_CASE("hcsim validate checks without running") {
  TempDir d;
  const Result ok = hcsim({"validate", kExamples + "flash-crowd-fixed.yaml"}, d);
  CHECK(ok.code == 0);
  CHECK(ok.out.find("ok: scenario 'flash-crowd-fixed'") != std::string::npos);
  write(d / "typo.yaml", "name: x\nduraton: 10m\n");
  const Result bad = hcsim({"validate", d / "typo.yaml"}, d);
  CHECK(bad.code == 2);
  CHECK(bad.err == d / "typo.yaml" + ":2:1: duraton: unknown key; did you mean 'duration'?\n");
}

TEST_CASE("--help is available for each subcommand") {
  TempDir d;
  const Result top = hcsim({"--help"}, d);
  CHECK(top.code == 0);
  CHECK(top.out.find("run") != std::string::npos);
  CHECK(top.out.find("validate") != std::string::npos);
  const Result run = hcsim({"run", "--help"}, d);
  CHECK(run.code == 0);
  for (const char* opt : {"--seed", "--set", "--out", "--summary-json", "--quiet"}) {
    CHECK(run.out.find(opt) != std::string::npos);
  }
}

TEST_CASE("the seed option changes the run and the same seed reproduces the summary") {
  TempDir d;
  auto summary = [&](const char* seed) {
    hcsim({"run", kExamples + "ramp-and-steps.yaml", "--set", "duration=3m", "--seed", seed,
           "--out", d / "r.sqlite", "--summary-json", d / "s.json", "-q"},
          d);
    return slurp(d / "s.json");
  };
  const std::string a = summary("5"), b = summary("5"), c = summary("6");
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a.find("\"seed\": 5") != std::string::npos);
}

TEST_CASE("SIGINT stops a run and leaves a valid database marked interrupted") {
  TempDir d;
  const Result r = hcsim({"run", kExamples + "two-sites-30-70.yaml", "--set", "duration=2000h",
                          "--out", d / "r.sqlite", "--quiet"},
                         d, 700);
  CHECK(r.code == 130);
  store::Db db(d / "r.sqlite", store::Db::Mode::kReadOnly);
  store::Stmt st(db, "SELECT status, sim_end_ns, message FROM runs");
  REQUIRE(st.step());
  CHECK(st.text(0) == "interrupted");
  CHECK(st.int64(1) > 0);
  CHECK(st.int64(1) < int64_t{2000} * 3600 * 1'000'000'000);
  store::Stmt n(db, "SELECT count(*) FROM series");
  n.step();
  CHECK(n.int64(0) > 0);
  store::Stmt ok(db, "PRAGMA integrity_check");
  ok.step();
  CHECK(ok.text(0) == "ok");
}

TEST_CASE("a run or sweep estimated beyond the limits is refused unless forced, exit 2") {
  TempDir d;
  const std::string big = std::string(HCSIM_SOURCE_DIR) + "/tests/perf/mem-1000rps.yaml";
  // 200 days at 1,000 requests per second: 17 G requests.
  Result r = hcsim({"run", big, "--set", "duration=200d", "--out", d / "x.sqlite"}, d);
  CHECK(r.code == 2);
  CHECK(r.err.find("too large to start: about 17.3 G requests") != std::string::npos);
  CHECK(r.err.find("--force") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "x.sqlite"));
  // 60 ms buckets for 30 days: a results file of about 22 GB.
  r = hcsim({"run", big, "--set", "duration=30d", "--set", "traffic.rate=1/s", "--set",
             "metrics.bucket=60ms", "--out", d / "x.sqlite"},
            d);
  CHECK(r.code == 2);
  CHECK(r.err.find("a results file of about") != std::string::npos);
  // validate shows the estimate and says run would refuse it.
  r = hcsim({"validate", big, "--set", "duration=200d"}, d);
  CHECK(r.code == 0);
  CHECK(r.out.find("~17.3 G requests") != std::string::npos);
  CHECK(r.out.find("would refuse it without --force") != std::string::npos);
  // A sweep checks each configuration before running any.
  write(d / "s.yaml", "name: big\nscenario: " + big +
                          "\naxes:\n  - {name: d, set: [duration], values: [1m, 200d]}\n");
  r = hcsim({"sweep", d / "s.yaml", "--out", d / "s.sqlite"}, d);
  CHECK(r.code == 2);
  CHECK(r.err.find("configuration 'd=200d' is too large") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "s.sqlite"));
}
