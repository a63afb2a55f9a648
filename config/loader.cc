// config/loader.cc: the root of a scenario file, and loading scenarios from files or text with
// --set overrides. The sections are in config/load_*.cc.
#include "config/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/sections.h"

namespace config {

using sim::SimTime;

namespace {

constexpr int64_t kMaxBuckets = 50'000'000;

void parse_metrics(const Node& n, Scenario* s) {
  MapReader m = n.map();
  if (const Node b = m.get("bucket"); b.present()) {
    s->metrics.bucket = b.duration_in(sim::milliseconds(1), kMaxDuration);
  }
  if (const Node t = m.get("apdex_t"); t.present()) {
    s->metrics.apdex_t = t.duration_in(sim::microseconds(1), sim::hours(1));
  }
  if (const Node w = m.get("warmup"); w.present()) {
    s->metrics.warmup = w.duration_in(SimTime::zero(), kMaxDuration);
    if (s->metrics.warmup >= s->duration) w.fail("must be shorter than the scenario's duration");
  }
  m.finish();
  if (s->duration / s->metrics.bucket > kMaxBuckets) {
    m.get("bucket").fail(
        "gives more than 50,000,000 buckets over the duration; use a longer bucket");
  }
}

Scenario parse(const Node& root, const Overrides& overrides) {
  if (!root.present()) root.fail("the scenario is empty");
  Scenario s;
  if (!root.is_map())
    root.fail("a scenario is a map of settings (name:, duration:, traffic:, sites: ...)");
  MapReader m = root.map();
  const Node name = m.required("name");
  s.name = name.text();
  const bool name_ok =
      !s.name.empty() && s.name.size() <= 128 && s.name[0] != '.' &&
      std::all_of(s.name.begin(), s.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
  if (!name_ok)
    name.fail("names use 1 to 128 letters, digits, '-', '_' and '.' (they name result files)");
  if (const Node d = m.get("description"); d.present()) s.description = d.text();
  // Extension keys (x-...), as in Docker Compose: a place for anchors that `<<: *name` merges.
  for (const std::string& k : m.keys()) {
    if (k.rfind("x-", 0) == 0) (void)m.get(k);
  }
  s.duration = m.required("duration").duration_in(sim::milliseconds(1), kMaxDuration);
  if (const Node seed = m.get("seed"); seed.present()) s.seed = seed.unsigned_integer();
  if (const Node late = m.get("allow_late"); late.present()) s.allow_late = late.boolean();
  parse_metrics(m.get("metrics"), &s);
  parse_sites(m.required("sites"), &s);
  parse_traffic(m.required("traffic"), &s);
  parse_topology(m.get("topology"), &s);
  finish_databases(m.get("sites"), m.get("traffic"), &s);
  parse_gslb(m.get("gslb"), &s);
  parse_dr(m.get("dr"), m.get("gslb"), &s);
  parse_replication(m.get("replication"), &s);
  check_write_path(m.get("dr"), &s);
  parse_slo(m.get("slo"), &s);
  parse_expect(m.get("expect"), &s);
  parse_narration(m.get("narration"), &s);
  parse_events(m.get("events"), &s);
  parse_faults(m.get("faults"), &s);
  m.finish();
  check_feasibility(root, &s);
  if (!s.replication.empty()) {
    const double wf =
        s.traffic_kind == TrafficKind::kOpen ? s.open.write_fraction : s.closed.write_fraction;
    if (wf <= 0)
      m.fail_key("replication", "replication needs writes: set traffic.request.write_fraction");
  }
  if (const Overrides::Entry* e = overrides.first_unused()) {
    throw ScenarioError(e->loc, e->path, "does not name a setting of this scenario");
  }
  return s;
}

}  // namespace

int Scenario::site_index(const std::string& site) const {
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (sites[i].site.name == site) return static_cast<int>(i);
  }
  return -1;
}

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ScenarioError({path, 0, 0}, "", "is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({path, 0, 0}, "", "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Scenario load_scenario_text(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides) {
  const Overrides ov(overrides);
  const Node root = load_yaml_text(text, name, &ov);
  Scenario s = parse(root, ov);
  s.source_text = text;
  s.overrides = overrides;
  return s;
}

Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides) {
  Scenario s = load_scenario_text(read_text_file(path), path, overrides);
  s.source_file = path;
  return s;
}

}  // namespace config
