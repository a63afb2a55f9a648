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
  const Result r =
      hcsim({"run", kExamples + "two-sites-30-70.yaml", "--allow-late", "--set", "duration=2m",
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
  const Result r =
      hcsim({"run", kExamples + "two-sites-30-70.yaml", "--allow-late", "--set", "duration=2m",
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

TEST_CASE("every example scenario validates, and the national-scale day runs a slice") {
  TempDir d;
  int files = 0;
  for (const auto& e : fs::directory_iterator(kExamples)) {
    if (e.path().extension() != ".yaml") continue;
    ++files;
    const Result r = hcsim({"validate", e.path().string()}, d);
    INFO(e.path().string() << ": " << r.err);
    CHECK(r.code == 0);
  }
  CHECK(files >= 11);
  // The tax day's first ten minutes (40,000 users at night): the trace, two regions and both
  // sites work end to end; the whole day is measured in its header, not here.
  const Result r =
      hcsim({"run", kExamples + "tax-day.yaml", "--allow-late", "--set", "duration=10m", "--out",
             d / "t.sqlite", "--summary-json", d / "t.json", "-q"},
            d);
  CHECK(r.code == 0);
  std::stringstream summary;
  summary << std::ifstream(d / "t.json").rdbuf();
  CHECK(summary.str().find("\"requests\": ") != std::string::npos);
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
    hcsim({"run", kExamples + "ramp-and-steps.yaml", "--allow-late", "--set", "duration=3m",
           "--seed", seed, "--out", d / "r.sqlite", "--summary-json", d / "s.json", "-q"},
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
  const Result r = hcsim({"run", kExamples + "two-sites-30-70.yaml", "--allow-late", "--set",
                          "duration=2000h", "--out", d / "r.sqlite", "--quiet"},
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
  Result r =
      hcsim({"run", big, "--allow-late", "--set", "duration=200d", "--out", d / "x.sqlite"}, d);
  CHECK(r.code == 2);
  CHECK(r.err.find("too large to start: about 17.3 G requests") != std::string::npos);
  CHECK(r.err.find("--force") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "x.sqlite"));
  // 60 ms buckets for 30 days: a results file of about 22 GB.
  r = hcsim({"run", big, "--allow-late", "--set", "duration=30d", "--set", "traffic.rate=1/s",
             "--set", "metrics.bucket=60ms", "--out", d / "x.sqlite"},
            d);
  CHECK(r.code == 2);
  CHECK(r.err.find("a results file of about") != std::string::npos);
  // validate shows the estimate and says run would refuse it.
  r = hcsim({"validate", big, "--allow-late", "--set", "duration=200d"}, d);
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

namespace {

// Two sites, 2 minutes: the base of the "nothing is silently ignored" tests.
std::string two_minute_scenario(const std::string& extra) {
  return "name: quiet-run\nduration: 2m\nseed: 3\nmetrics: {warmup: 10s}\n"
         "traffic:\n  rate: 50/s\n  request: {cpu: {dist: exponential, mean: 20ms}}\n"
         "gslb: {policy: weighted, weights: {private: 30, public: 70}}\n"
         "sites:\n"
         "  private:\n    cloud: private\n    replicas: 2\n"
         "    deployment: {pod: {cpu: 1, concurrency: 8, queue: 64}}\n"
         "  public:\n    cloud: public\n    replicas: 2\n    nodes: {count: 1, cpu: 4}\n"
         "    deployment: {pod: {cpu: 1, concurrency: 8, queue: 64}}\n" +
         extra;
}

}  // namespace

TEST_CASE("An outage after the end is refused with its line, or dropped with a kept warning") {
  TempDir d;
  write(d / "late.yaml",
        two_minute_scenario("events:\n  - {at: 3m, outage: {site: private, duration: 1m}}\n"
                            "expect: {rto_max_s: 300}\n"));
  const Result refused = hcsim({"run", d / "late.yaml", "--out", d / "r.sqlite", "-q"}, d);
  CHECK(refused.code == 2);
  CHECK(refused.err.find(d / "late.yaml" + ":20:") == 0);
  CHECK(refused.err.find("events[0].at: the outage at 3m is at or after the end of the run") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(d / "r.sqlite"));

  // Dropped on request: the warning is printed and kept in the summary, and the RTO gate, with
  // no incident left to judge, is "not evaluated" and fails the run instead of passing as 0 s.
  const Result dropped = hcsim({"run", d / "late.yaml", "--allow-late", "--out", d / "r.sqlite",
                                "--summary-json", d / "s.json"},
                               d);
  CHECK(dropped.code == 1);
  CHECK(dropped.err.find("warning: " + d / "late.yaml" + ":20:") != std::string::npos);
  CHECK(dropped.err.find("rto_max_s 300: NOT EVALUATED (no incident in the run): FAILED") !=
        std::string::npos);
  const std::string json = slurp(d / "s.json");
  const std::size_t warnings = json.find("\"warnings\": [");
  REQUIRE(warnings != std::string::npos);
  CHECK(json.find("\"" + d / "late.yaml" + ":20:", warnings) != std::string::npos);
  CHECK(json.find("\"status\": \"not evaluated\"") != std::string::npos);
  CHECK(json.find("\"why_not\": \"no incident in the run\"") != std::string::npos);
}

TEST_CASE("A gate with nothing to judge fails the run unless it is marked optional") {
  TempDir d;
  // The private site gets no traffic: its gate cannot be evaluated; no site is priced either.
  const std::string gates = "expect:\n  cost_max: 100\n  sites:\n    private: {apdex_min: 0.9}\n";
  write(d / "idle.yaml", two_minute_scenario(gates));
  const std::vector<std::string> no_private{"--set", "gslb.weights.private=0"};
  std::vector<std::string> args{"run", d / "idle.yaml", "--out", d / "r.sqlite"};
  args.insert(args.end(), no_private.begin(), no_private.end());
  const Result strict = hcsim(args, d);
  CHECK(strict.code == 1);
  CHECK(strict.err.find("expect private apdex_min 0.9: NOT EVALUATED (site 'private' served no "
                        "request in the measured period): FAILED") != std::string::npos);
  CHECK(strict.err.find("expect overall cost_max 100: NOT EVALUATED (the scenario prices no "
                        "site (cost:))") != std::string::npos);

  write(d / "optional.yaml",
        two_minute_scenario("expect:\n  cost_max: 100\n  optional: [cost_max]\n  sites:\n"
                            "    private: {apdex_min: 0.9, optional: [apdex_min]}\n"));
  args[1] = d / "optional.yaml";
  const Result lenient = hcsim(args, d);
  CHECK(lenient.code == 0);
  CHECK(lenient.err.find("NOT EVALUATED (site 'private' served no request in the measured "
                         "period), optional") != std::string::npos);
}

TEST_CASE(
    "validate warns of limits the node pool can never hold and timers the run never "
    "reaches, and the summary keeps the warnings") {
  TempDir d;
  write(d / "w.yaml",
        two_minute_scenario(
            "    autoscaler:\n      hpa: {minReplicas: 2, maxReplicas: 9, metrics: [{type: "
            "Resource, resource: {name: cpu, target: {type: Utilization, "
            "averageUtilization: 60}}}]}\n"));
  // The public site's single 4-core node holds 4 one-core pods; the HPA may ask for 9.
  const Result v = hcsim({"validate", d / "w.yaml", "--set",
                          "sites.private.deployment.readinessProbe.periodSeconds=600"},
                         d);
  INFO(v.err);
  CHECK(v.code == 0);
  CHECK(v.err.find("sites.public.autoscaler.hpa: the hpa autoscaler may ask for 9 replicas "
                   "(maxReplicas), but the node pool can hold at most 4 pods (1 node x 4 pods "
                   "of 1 core on 4-core nodes)") != std::string::npos);
  CHECK(v.err.find("sites.private.deployment.readinessProbe: readinessProbe's first probe "
                   "(10m) is not shorter than the run (2m)") != std::string::npos);
  CHECK(v.out.find("2 warnings") != std::string::npos);
  const Result r = hcsim(
      {"run", d / "w.yaml", "-q", "--out", d / "r.sqlite", "--summary-json", d / "s.json"}, d);
  CHECK(r.code == 0);
  CHECK(r.err.empty());  // -q: the warnings are in the summary
  CHECK(slurp(d / "s.json").find("may ask for 9 replicas") != std::string::npos);
}

TEST_CASE("validate warns of a scale event or a DR activation the node pool can never hold") {
  TempDir d;
  write(d / "s.yaml",
        two_minute_scenario("events:\n  - {at: 1m, scale: {site: public, replicas: 12}}\n"));
  const Result v = hcsim({"validate", d / "s.yaml"}, d);
  CHECK(v.code == 0);
  CHECK(v.err.find("a scale event asks site 'public' for 12 pods, but its node pool can hold at "
                   "most 4") != std::string::npos);
  write(d / "dr.yaml", two_minute_scenario("dr: {preset: warm-standby, primary: private, standby: "
                                           "public, activate_replicas: 9}\n"));
  const Result dr = hcsim({"validate", d / "dr.yaml", "--set", "gslb={policy: failover}"}, d);
  INFO(dr.err);
  CHECK(dr.code == 0);
  CHECK(dr.err.find("dr: the DR automation scales the standby to 9 pods (activate_replicas), but "
                    "its node pool can hold at most 4") != std::string::npos);
}
