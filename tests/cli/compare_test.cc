// hcsim compare end to end, in its own process as a CI job runs it: a scenario against itself,
// a clearly worse HPA target (detected, gated, stopped early), an answer that does not depend on
// --jobs, the kept results file, and bad input.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "store/json.h"
#include "store/sqlite.h"
#include "support/spawn.h"

using namespace support;

namespace {

const std::string kSurge =
    std::string(HCSIM_SOURCE_DIR) + "/scenarios/demos/03-user-surge-autoscale.yaml";
// The surge (at 10 min) and its aftermath, shorter than the demo's hour.
const std::vector<std::string> kShort{"--set", "duration=30m", "--allow-late"};
const std::string kTarget =
    "sites.public.autoscaler.hpa.metrics[0].resource.target.averageUtilization";

Result compare(const std::vector<std::string>& args, const TempDir& d) {
  std::vector<std::string> all{"compare"};
  all.insert(all.end(), args.begin(), args.end());
  all.insert(all.end(), kShort.begin(), kShort.end());
  all.push_back("-q");
  return hcsim(all, d);
}

const store::JsonValue& metric(const store::JsonValue& j, const std::string& name) {
  for (const store::JsonValue& m : j["metrics"].items()) {
    if (m["metric"].text() == name) return m;
  }
  FAIL("no metric " << name);
  static store::JsonValue none;
  return none;
}

}  // namespace

TEST_CASE("compare: a scenario against itself differs in nothing, at every seed tried") {
  TempDir d;
  for (const char* seed : {"1", "2", "3"}) {
    const Result r = compare(
        {kSurge, kSurge, "--seed", seed, "--format", "json", "--jobs", "2", "--fail-if-worse",
         "apdex", "--fail-if-worse", "p99", "--fail-if-worse", "error_rate"},
        d);
    INFO(r.err);
    REQUIRE(r.code == 0);
    const store::JsonValue j = store::JsonValue::parse(r.out);
    CHECK(j["pairs"].number() == 10);  // identical pairs: precise at the first check
    CHECK(j["stopped"].text() == "precision");
    REQUIRE(j["metrics"].items().size() >= 4);
    for (const store::JsonValue& m : j["metrics"].items()) {
      CHECK(m["verdict"].text() == "no significant difference");
      CHECK(m["diff"].number() == 0);
    }
    for (const store::JsonValue& g : j["gates"].items()) CHECK_FALSE(g["failed"].boolean());
  }
}

TEST_CASE("compare: a clearly worse HPA target is detected, fails the gate, and stops early") {
  TempDir d;
  const Result r =
      compare({kSurge, "--set-b", kTarget + "=95", "--metric", "apdex", "--precision", "0.1",
               "--fail-if-worse", "apdex:0.01", "--format", "json", "--jobs", "2"},
              d);
  INFO(r.err);
  CHECK(r.code == 1);
  const store::JsonValue j = store::JsonValue::parse(r.out);
  CHECK(metric(j, "apdex")["verdict"].text() == "worse");
  CHECK(metric(j, "apdex")["ci_high"].number() < -0.01);
  CHECK(j["stopped"].text() == "precision");
  CHECK(j["pairs"].number() < 64);  // known precisely well before the limit
  REQUIRE(j["gates"].items().size() == 1);
  CHECK(j["gates"].items()[0]["failed"].boolean());
  // Asked for more precision than the pairs can give, it runs to the limit and says so.
  const Result strict =
      compare({kSurge, "--set-b", kTarget + "=95", "--metric", "apdex", "--precision", "0.005",
               "--max-reps", "16", "--format", "json", "--jobs", "2"},
              d);
  REQUIRE(strict.code == 0);
  const store::JsonValue k = store::JsonValue::parse(strict.out);
  CHECK(k["pairs"].number() == 16);
  CHECK(k["stopped"].text() == "max_reps");
  CHECK(metric(k, "apdex")["verdict"].text() == "worse");
  // The same gate with A and B the other way round passes: B is the better one.
  const Result back =
      compare({kSurge, "--set", kTarget + "=95", "--set-b", kTarget + "=60", "--metric", "apdex",
               "--precision", "0.1", "--fail-if-worse", "apdex", "--jobs", "2"},
              d);
  INFO(back.out);
  CHECK(back.code == 0);
  CHECK(back.out.find("better") != std::string::npos);
}

TEST_CASE("compare: the answer does not depend on --jobs, and --out keeps exactly its pairs") {
  TempDir d;
  const std::vector<std::string> args{kSurge,     "--set-b",   kTarget + "=65",
                                      "--metric", "apdex,p99", "--max-reps",
                                      "14",       "--format",  "json"};
  std::vector<std::string> one = args, three = args;
  one.insert(one.end(), {"--jobs", "1", "--out", d / "one.sqlite"});
  three.insert(three.end(), {"--jobs", "3", "--out", d / "three.sqlite"});
  const Result a = compare(one, d);
  const Result b = compare(three, d);
  INFO(a.err << b.err);
  REQUIRE(a.code == 0);
  REQUIRE(b.code == 0);
  CHECK(a.out == b.out);
  const store::JsonValue j = store::JsonValue::parse(a.out);
  const int64_t pairs = static_cast<int64_t>(j["pairs"].number());
  for (const char* f : {"one.sqlite", "three.sqlite"}) {
    store::Db db(d / f, store::Db::Mode::kReadOnly);
    store::Stmt st(db,
                   "SELECT COUNT(*), COUNT(DISTINCT seed), MAX(run_id) FROM runs "
                   "WHERE status = 'completed'");
    REQUIRE(st.step());
    CHECK(st.int64(0) == 2 * pairs);  // runs made ahead of the stopping point are gone
    CHECK(st.int64(1) == pairs);      // A and B of a pair share a seed
    CHECK(st.int64(2) == 2 * pairs);
  }
  // The kept file is a results file like any other.
  CHECK(hcsim({"report", d / "one.sqlite", "--format", "csv", "-q"}, d).code == 0);
}

TEST_CASE("compare: bad input exits 2 before any run") {
  TempDir d;
  CHECK(compare({kSurge}, d).code == 2);  // nothing to compare
  CHECK(compare({kSurge, kSurge, "--metric", "latency"}, d).code == 2);
  CHECK(compare({kSurge, kSurge, "--fail-if-worse", "p95:lots"}, d).code == 2);
  CHECK(compare({kSurge, kSurge, "--precision", "0"}, d).code == 2);
  CHECK(compare({kSurge, kSurge, "--min-reps", "80"}, d).code == 2);
  const Result r = compare({kSurge, "--set-b", "sites.public.autoscaler.hpa.bogus=1"}, d);
  CHECK(r.code == 2);
  CHECK(r.err.find("bogus") != std::string::npos);
  CHECK(compare({kSurge, d / "missing.yaml"}, d).code == 2);
}
