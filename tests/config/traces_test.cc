// Traces from real systems (config/data/traces.h): the shipped example traces read back to the
// numbers written in them, in every format; absolute times, start: and time zones; composed
// profiles; and malformed files refused with file:line:column.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/data/traces.h"
#include "config/loader.h"
#include "store/json.h"
#include "support/spawn.h"

using namespace config;
using sim::SimTime;

namespace {

const std::string kTraces = std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/traces/";

// A scenario whose traffic rate is `rate` (a flow map).
std::string scenario(const std::string& rate) {
  return "name: t\nduration: 2h\ntraffic:\n  rate: " + rate +
         "\n  request: {cpu: {dist: exponential, mean: 40ms}}\nsites:\n  a:\n    cloud: private\n"
         "    replicas: 4\n    deployment: {pod: {cpu: 1}}\n";
}

models::Profile rate_of(const std::string& rate) {
  return load_scenario_text(scenario(rate), "s.yaml").open.rate;
}

std::string error_of(const std::string& rate) {
  try {
    (void)rate_of(rate);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

// The shipped query_range answer's values for one site (or summed), straight from the JSON.
std::vector<std::pair<double, double>> prometheus_values(const std::string& file,
                                                         const std::string& site) {
  const store::JsonValue j = store::JsonValue::parse(support::slurp(kTraces + file));
  std::map<double, double> sum;
  for (const store::JsonValue& series : j["data"]["result"].items()) {
    if (!site.empty() && series["metric"]["site"].text() != site) continue;
    for (const store::JsonValue& v : series["values"].items())
      sum[v[0].number()] += std::stod(v[1].text());
  }
  return {sum.begin(), sum.end()};
}

struct TempFile {
  explicit TempFile(const std::string& ext)
      : path(std::filesystem::temp_directory_path().string() + "/hcsim-trace-" +
             std::to_string(::getpid()) + "-" + std::to_string(counter++) + ext) {}
  ~TempFile() { std::filesystem::remove(path); }
  const TempFile& write(const std::string& text) const {
    std::ofstream(path) << text;
    return *this;
  }
  std::string path;
  static inline int counter = 0;
};

}  // namespace

TEST_CASE("traces: the shipped Prometheus answer reads back per site and summed") {
  for (const std::string site : {"private", "public", ""}) {
    const auto want = prometheus_values("shop-requests.prom.json", site);
    REQUIRE(want.size() == 121);
    const std::string selector = site.empty() ? "" : ", series: {site: " + site + "}";
    const models::Profile p =
        rate_of("{profile: trace, file: " + kTraces + "shop-requests.prom.json" + selector + "}");
    for (const auto& [ts, v] : want) {
      const double t = ts - want.front().first;  // t = 0 at the first sample
      CHECK(p.value(SimTime::from_seconds(t)) == Approx(v).epsilon(1e-12));
    }
  }
}

TEST_CASE("traces: the shipped CSV (ISO times in +09:00) equals the Prometheus answer") {
  const auto want = prometheus_values("shop-requests.prom.json", "public");
  const models::Profile csv =
      rate_of("{profile: trace, file: " + kTraces + "shop-requests.csv, column: public}");
  for (const auto& [ts, v] : want) {
    const double t = ts - want.front().first;
    CHECK(csv.value(SimTime::from_seconds(t)) == Approx(v).epsilon(1e-12));
  }
  // start: one hour in (10:00 KST = 01:00 UTC): the trace is cut there.
  const models::Profile later = rate_of("{profile: trace, file: " + kTraces +
                                        "shop-requests.csv, column: public, start: "
                                        "'2026-11-23T01:00:00Z'}");
  CHECK(later.value(SimTime::zero()) == Approx(want[60].second));
  // Naive times with time_zone: read in that zone.
  TempFile f(".csv");
  f.write("time,rate\n2026-11-23 09:00:00,10\n2026-11-23 09:01:00,20\n");
  const models::Profile tz = rate_of("{profile: trace, file: " + f.path +
                                     ", time_zone: '+09:00', start: '2026-11-23T00:00:30Z'}");
  // 09:00 KST is 00:00Z, before start: its value is in force until 09:01 KST, 30 s in.
  CHECK(tz.value(SimTime::zero()) == Approx(10));
  CHECK(tz.value(sim::seconds(31)) == Approx(20));
}

TEST_CASE("traces: the shipped access log bins into requests per second") {
  const std::string log = support::slurp(kTraces + "shop-access.log");
  const auto lines = static_cast<double>(std::count(log.begin(), log.end(), '\n'));
  REQUIRE(lines > 1000);
  for (const char* bin : {"1m", "10s"}) {
    const models::Profile p = rate_of(std::string("{profile: trace, file: ") + kTraces +
                                      "shop-access.log, bin: " + bin + "}");
    // Every request is in one bin: the integral over the trace's span is the line count.
    CHECK(p.integral(SimTime::zero(), sim::minutes(10)) == Approx(lines).epsilon(1e-9));
  }
  // Out-of-order lines and another zone: the same instants in UTC.
  TempFile f(".log");
  f.write(
      "h - - [23/Nov/2026:09:00:30 +0900] \"GET / HTTP/1.0\" 200 1\n"
      "h - - [23/Nov/2026:00:00:10 +0000] \"GET / HTTP/1.0\" 200 1\n"
      "h - - [22/Nov/2026:19:01:05 -0500] \"GET / HTTP/1.0\" 200 1\n");
  const models::Profile p = rate_of("{profile: trace, file: " + f.path + ", bin: 1m}");
  CHECK(p.value(SimTime::zero()) == Approx(2.0 / 60));   // 00:00:10 and 00:00:30 UTC
  CHECK(p.value(sim::seconds(61)) == Approx(1.0 / 60));  // 00:01:05 UTC
}

TEST_CASE("traces: malformed files are refused at file:line:column") {
  TempFile json(".json");
  json.write(
      "{\"status\": \"success\", \"data\": {\"resultType\": \"matrix\", \"result\": [\n"
      "  {\"metric\": {\"site\": \"a\"}, \"values\": [[1700000000, \"1\"],\n"
      "                                        [1700000060, \"x\"]]}]}}\n");
  std::string e = error_of("{profile: trace, file: " + json.path + "}");
  CHECK(e.find(json.path + ":3:") == 0);
  CHECK(e.find("value") != std::string::npos);
  json.write("{\"status\": \"success\", \"data\": {\"resultType\": \"vector\", \"result\": []}}");
  CHECK(error_of("{profile: trace, file: " + json.path + "}").find("query_range") !=
        std::string::npos);
  json.write(
      "{\"status\": \"success\", \"data\": {\"resultType\": \"matrix\", \"result\": [\n"
      "  {\"metric\": {\"site\": \"a\"}, \"values\": [[1700000000, \"1\"]]}]}}\n");
  e = error_of("{profile: trace, file: " + json.path + ", series: {site: b}}");
  CHECK(e.find("s.yaml:4:") == 0);  // at the selector, in the scenario
  CHECK(e.find("no series of " + json.path + " has the labels {site=b}") != std::string::npos);
  CHECK(e.find("(it has {site=a})") != std::string::npos);
  // Timestamps that go back inside a series, and a negative sample (even one a sum would hide).
  json.write(
      "{\"status\": \"success\", \"data\": {\"resultType\": \"matrix\", \"result\": [\n"
      "  {\"metric\": {\"site\": \"a\"}, \"values\": [[1700000060, \"1\"],\n"
      "                                        [1700000000, \"1\"]]}]}}\n");
  e = error_of("{profile: trace, file: " + json.path + "}");
  CHECK(e.find(json.path + ":3:") == 0);
  CHECK(e.find("increase within a series") != std::string::npos);
  json.write(
      "{\"status\": \"success\", \"data\": {\"resultType\": \"matrix\", \"result\": [\n"
      "  {\"metric\": {\"site\": \"a\"}, \"values\": [[1700000000, \"-3\"]]},\n"
      "  {\"metric\": {\"site\": \"b\"}, \"values\": [[1700000000, \"5\"]]}]}}\n");
  CHECK(error_of("{profile: trace, file: " + json.path + "}").find(json.path + ":2:") == 0);
  json.write("{\"status\": \"error\", \"errorType\": \"bad_data\", \"error\": \"parse error\"}");
  CHECK(error_of("{profile: trace, file: " + json.path + "}").find("bad_data: parse error") !=
        std::string::npos);
  json.write("{\"status\": \"success\", \"data\": {\n  \"resultType\": \"matrix\",, }");
  CHECK(error_of("{profile: trace, file: " + json.path + "}").find(json.path + ":2:") == 0);

  TempFile csv(".csv");
  csv.write("time,rate\n2026-11-23T09:00:00Z,1\n2026-11-23T08:59:00Z,2\n");
  e = error_of("{profile: trace, file: " + csv.path + "}");
  CHECK(e.find(csv.path + ":3:") == 0);
  CHECK(e.find("increase") != std::string::npos);
  csv.write("time,rate\n0,1\n60,-2\n");
  CHECK(error_of("{profile: trace, file: " + csv.path + "}").find(csv.path + ":3:4:") == 0);
  csv.write("time,private,public\n0,1,2\n");
  e = error_of("{profile: trace, file: " + csv.path + ", column: publc}");
  CHECK(e.find("did you mean 'public'") != std::string::npos);

  TempFile log(".log");
  log.write(
      "h - - [23/Nov/2026:09:00:30 +0900] \"GET /\" 200 1\nh - - [23/Nov/2026:9:00 +0900] x\n");
  CHECK(error_of("{profile: trace, file: " + log.path + "}").find(log.path + ":2:8:") == 0);
  TempFile odd(".dat");
  odd.write("0,1\n");
  CHECK(error_of("{profile: trace, file: " + odd.path + "}").find("format") != std::string::npos);
  CHECK(error_of("{profile: trace, file: " + odd.path + ", format: csv}").empty());
}

TEST_CASE("traces: a trace that ends before the run is warned about where it is named") {
  TempFile f(".csv");
  f.write("t,rate\n0,10\n600,20\n");
  const Scenario s =
      load_scenario_text(scenario("{profile: trace, file: " + f.path + "}"), "s.yaml");
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0].find("s.yaml:4:") == 0);
  CHECK(s.warnings[0].find("the trace ends at 10m") != std::string::npos);
  f.write("t,rate\n0,10\n7200,20\n");  // to the run's end: nothing to say
  CHECK(load_scenario_text(scenario("{profile: trace, file: " + f.path + "}"), "s.yaml")
            .warnings.empty());
}

TEST_CASE("traces: a malformed trace makes hcsim validate exit 2 naming the file and line") {
  support::TempDir d;
  std::ofstream(d / "rate.csv") << "t,rate\n0,1\n0,2\n";
  std::ofstream(d / "s.yaml") << scenario("{profile: trace, file: rate.csv}");
  const support::Result r = support::hcsim({"validate", d / "s.yaml"}, d);
  CHECK(r.code == 2);
  CHECK(r.err.find("rate.csv:3:1:") != std::string::npos);
}

TEST_CASE("profiles compose: a diurnal curve times a surge factor, and sums") {
  const models::Profile p = rate_of(
      "{profile: product, of: [{profile: diurnal, mean: 100/s, amplitude: 0.5, period: 2h},"
      " {profile: flash_crowd, base: 1, peak: 3, start: 30m, ramp_up: 1m, sustain: 10m, "
      "ramp_down: 5m}]}");
  const models::Profile diurnal =
      rate_of("{profile: diurnal, mean: 100/s, amplitude: 0.5, period: 2h}");
  for (const int s : {0, 600, 1800, 1830, 1900, 2400, 2520, 2700, 3600, 7000}) {
    const SimTime t = sim::seconds(s);
    double factor = 1;
    if (s >= 1800 && s < 1860) factor = 1 + 2 * (s - 1800) / 60.0;
    if (s >= 1860 && s < 2460) factor = 3;
    if (s >= 2460 && s < 2760) factor = 3 - 2 * (s - 2460) / 300.0;
    CHECK(p.value(t) == Approx(diurnal.value(t) * factor));
    // The thinning bound holds on every piece.
    CHECK(p.piece_max(p.piece_index(t)) >= p.value(t) - 1e-9);
  }
  const models::Profile sum = rate_of(
      "{profile: sum, of: [50/s, {profile: ramp, from: 0/s, to: 100/s, start: 10m, duration: "
      "10m}]}");
  CHECK(sum.value(sim::minutes(5)) == Approx(50));
  CHECK(sum.value(sim::minutes(15)) == Approx(100));
  CHECK(sum.integral(SimTime::zero(), sim::minutes(20)) == Approx(50 * 1200 + 50 * 600));
  // A product of two lines is a quadratic: its integral is exact (Simpson).
  const models::Profile q = rate_of(
      "{profile: product, of: [{profile: ramp, from: 0/s, to: 10/s, duration: 10m},"
      " {profile: ramp, from: 0, to: 1, duration: 10m}]}");
  CHECK(q.integral(SimTime::zero(), sim::minutes(10)) == Approx(10.0 * 600 / 3));
  CHECK(error_of("{profile: product, of: [100/s]}").find("at least two") != std::string::npos);
  CHECK(error_of("{profile: product, of: [100/s, 2/s]}").find("of[1]") != std::string::npos);
}
