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

namespace {

Scenario load_located(const std::string& text, const std::string& name,
                      const std::vector<std::string>& overrides,
                      const std::vector<Location>& where) {
  const Overrides ov(overrides, where);
  const Node root = load_yaml_text(text, name, &ov);
  Scenario s = parse(root, ov);
  s.source_text = text;
  s.overrides = overrides;
  return s;
}

Location mark_of(const std::string& file, const YAML::Node& n) {
  return {file, n.Mark().line + 1, n.Mark().column + 1};
}

// A value as an override's text: a scalar as written, a map or list in YAML flow style.
std::string flow(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << n;
  return out.c_str();
}

// A variant file (`extends: <base file>`, then name:, description:, set: and narration:): the
// base file's path and the overrides that make the variant (the variant's, then `cmdline`'s,
// which win), each with where it was written. False when `text` is not a variant.
bool read_variant(const std::string& text, const std::string& name,
                  const std::vector<std::string>& cmdline, std::string* base,
                  std::vector<std::string>* args, std::vector<Location>* where) {
  if (text.find("extends:") == std::string::npos) return false;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return false;  // the ordinary loader reports the syntax error
  }
  if (!root.IsMap() || !root["extends"]) return false;
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (key != "extends" && key != "name" && key != "description" && key != "set" &&
        key != "narration" && key.rfind("x-", 0) != 0)
      throw ScenarioError(mark_of(name, kv.first), key,
                          "a variant (extends:) takes name, description, set and narration; "
                          "put other settings under set:");
  }
  const YAML::Node ext = root["extends"];
  if (!ext.IsScalar()) throw ScenarioError(mark_of(name, ext), "extends", "expected a file name");
  namespace fs = std::filesystem;
  const fs::path rel(ext.Scalar());
  *base = rel.is_absolute() || name.empty() ? rel.string()
                                            : (fs::path(name).parent_path() / rel).string();
  std::error_code ec;
  if (!fs::is_regular_file(*base, ec))
    throw ScenarioError(mark_of(name, ext), "extends", "no such file: " + *base);
  const std::string base_text = read_text_file(*base);
  if (base_text.rfind("extends:", 0) == 0 || base_text.find("\nextends:") != std::string::npos)
    throw ScenarioError(mark_of(name, ext), "extends",
                        *base + " is itself a variant: extend the scenario it extends");
  auto add = [&](const std::string& path, const YAML::Node& value) {
    for (const std::string& c : cmdline) {
      if (c.rfind(path + "=", 0) == 0) return;  // the command line wins
    }
    args->push_back(path + "=" + flow(value));
    where->push_back(mark_of(name, value));
  };
  for (const char* key : {"name", "description", "narration"}) {
    if (root[key]) add(key, root[key]);
  }
  if (const YAML::Node set = root["set"]; set) {
    if (!set.IsMap())
      throw ScenarioError(mark_of(name, set), "set", "expected a map of setting: value");
    for (const auto& kv : set) add(kv.first.Scalar(), kv.second);
  }
  for (const std::string& c : cmdline) {
    args->push_back(c);
    where->push_back({});
  }
  return true;
}

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides) {
  std::string base;
  std::vector<std::string> args;
  std::vector<Location> where;
  if (read_variant(text, name, overrides, &base, &args, &where)) {
    Scenario s = load_located(read_text_file(base), base, args, where);
    s.source_file = base;  // the results keep the base's text and the variant as overrides
    return s;
  }
  return load_located(text, name, overrides, {});
}

Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides) {
  Scenario s = load_scenario_text(read_text_file(path), path, overrides);
  if (s.source_file.empty()) s.source_file = path;
  return s;
}

}  // namespace config
