// hcsim explain end to end: the replay reproduces the file and gives, at a logged decision's
// moment, exactly the chain the file stored; between decisions it explains the hold; a file the
// replay does not reproduce falls back to the stored decisions; bad input exits 2.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "store/json.h"
#include "store/sqlite.h"
#include "support/spawn.h"

using namespace support;
using store::JsonValue;

namespace {

const std::string kSurge =
    std::string(HCSIM_SOURCE_DIR) + "/scenarios/demos/03-user-surge-autoscale.yaml";

std::string run_surge(const TempDir& d) {
  const std::string out = d / "surge.sqlite";
  const Result r =
      hcsim({"run", kSurge, "--set", "duration=20m", "--allow-late", "--out", out, "-q"}, d);
  INFO(r.err);
  REQUIRE(r.code <= 1);  // 1: the shortened demo misses its expect: gates; the file is complete
  return out;
}

Result explain(const std::vector<std::string>& args, const TempDir& d) {
  std::vector<std::string> all{"explain"};
  all.insert(all.end(), args.begin(), args.end());
  return hcsim(all, d);
}

struct Logged {
  int64_t t_ns = 0;
  std::string details;
};

// The file's first logged HPA rescale of the public site.
Logged first_rescale(const std::string& file) {
  store::Db db(file, store::Db::Mode::kReadOnly);
  store::Stmt q(db,
                "SELECT t_ns, details FROM events WHERE component = 'hpa/public' AND kind = "
                "'scale' AND message LIKE 'scaled%' ORDER BY seq LIMIT 1");
  Logged l;
  if (q.step()) {
    l.t_ns = q.int64(0);
    l.details = q.text(1);
  }
  return l;
}

}  // namespace

TEST_CASE("explain: at a logged rescale the replay gives the stored chain, exactly") {
  TempDir d;
  const std::string file = run_surge(d);
  const Logged logged = first_rescale(file);
  REQUIRE(logged.t_ns > 0);
  const std::string at = std::to_string(static_cast<double>(logged.t_ns) * 1e-9 + 1.0);
  const Result r = explain({file, "--site", "public", "--at", at, "--format", "json"}, d);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const JsonValue j = JsonValue::parse(r.out);
  CHECK(j["reproduced"].boolean());
  CHECK(j["source"].text().starts_with("replayed"));
  REQUIRE(j["autoscalers"].items().size() == 1);
  const JsonValue& e = j["autoscalers"][0];
  CHECK(e["component"].text() == "hpa/public");
  CHECK(e["kind"].text() == "decision");
  CHECK(e["t_s"].number() == Approx(static_cast<double>(logged.t_ns) * 1e-9));
  // The replayed evaluation's details are the stored event's, field for field.
  store::JsonWriter w;
  store::write_json(w, e["details"]);
  CHECK(w.str() == logged.details);
  // The cluster autoscaler's loop too.
  CHECK(j["cluster_autoscaler"]["component"].text() == "site/public");
  CHECK(j["cluster_autoscaler"]["details"].has("outcome"));

  const Result text = explain({file, "--site", "public", "--at", at}, d);
  REQUIRE(text.code == 0);
  CHECK(text.out.find("Proposal (the largest over the metrics)") != std::string::npos);
  CHECK(text.out.find("== cluster autoscaler (site/public)") != std::string::npos);
}

TEST_CASE("explain: between decisions the replay explains the evaluation that held the size") {
  TempDir d;
  const std::string file = run_surge(d);
  const Logged logged = first_rescale(file);
  // 2 min before the first rescale the HPA held its size at every sync without logging.
  const std::string at = std::to_string(static_cast<double>(logged.t_ns) * 1e-9 - 120);
  const Result r = explain({file, "--site", "public", "--at", at, "--format", "json"}, d);
  REQUIRE(r.code == 0);
  const JsonValue j = JsonValue::parse(r.out);
  const JsonValue& e = j["autoscalers"][0];
  CHECK(e["kind"].text() == "decision");
  CHECK(std::stod(at) - e["t_s"].number() < 15.0 + 1e-9);  // the sync period
  CHECK_FALSE(e["details"]["rescale"].boolean());
}

TEST_CASE("explain: a file the replay does not reproduce falls back to the logged decisions") {
  TempDir d;
  const std::string file = run_surge(d);
  const Logged logged = first_rescale(file);
  {
    store::Db db(file, store::Db::Mode::kReadWrite);
    db.exec("UPDATE events SET message = 'edited' WHERE seq = (SELECT MIN(seq) FROM events)");
  }
  const std::string at = std::to_string(static_cast<double>(logged.t_ns) * 1e-9 + 1.0);
  const Result r = explain({file, "--site", "public", "--at", at, "--format", "json"}, d);
  REQUIRE(r.code == 0);
  CHECK(r.err.find("does not reproduce") != std::string::npos);
  const JsonValue j = JsonValue::parse(r.out);
  CHECK_FALSE(j["reproduced"].boolean());
  CHECK(j["source"].text().starts_with("from the decisions the file logged"));
  CHECK(j["autoscalers"][0]["kind"].text() == "scale");
  CHECK(j["autoscalers"][0]["t_s"].number() == Approx(static_cast<double>(logged.t_ns) * 1e-9));
}

TEST_CASE("explain: bad input is refused with exit 2 and says what is wrong") {
  TempDir d;
  const std::string file = run_surge(d);
  const Result site = explain({file, "--site", "publc", "--at", "5m"}, d);
  CHECK(site.code == 2);
  CHECK(site.err.find("no site named 'publc'") != std::string::npos);
  CHECK(site.err.find("public") != std::string::npos);
  const Result late = explain({file, "--site", "public", "--at", "2h"}, d);
  CHECK(late.code == 2);
  CHECK(late.err.find("after the end") != std::string::npos);
  const Result garbled = explain({file, "--site", "public", "--at", "soon"}, d);
  CHECK(garbled.code == 2);
  CHECK(garbled.err.find("not a time") != std::string::npos);
  const Result run = explain({file, "--site", "public", "--at", "5m", "--run", "7"}, d);
  CHECK(run.code == 2);
  CHECK(run.err.find("no run 7") != std::string::npos);
  const Result missing = explain({d / "none.sqlite", "--site", "public", "--at", "5m"}, d);
  CHECK(missing.code == 2);
}
