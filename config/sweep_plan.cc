#include "config/sweep_plan.h"

#include <algorithm>
#include <filesystem>

#include "config/loader.h"
#include "sim/rng.h"

namespace config {

namespace fs = std::filesystem;

namespace {

std::string resolve(const Node& n, const std::string& rel) {
  const fs::path p(rel);
  if (p.is_absolute() || n.file().empty()) return rel;
  return (fs::path(n.file()).parent_path() / p).lexically_normal().string();
}

// Axis names and value labels name configurations in reports, tables and charts: one line of
// printable text (a line break would split a CSV row, a Markdown table or a chart script).
std::string one_line(const Node& n, const std::string& text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      n.fail("must be one line of text, without line breaks, tabs or control characters");
  }
  if (text.size() > 200) n.fail("must be at most 200 characters");
  return text;
}

// A YAML scalar as the text of a --set value.
std::string scalar(const Node& n) {
  if (n.is_map() || n.is_list()) n.fail("expected a single value");
  return n.text();
}

std::vector<std::string> parse_set_map(const Node& n) {
  std::vector<std::string> out;
  if (!n.present()) return out;
  MapReader m = n.map();
  for (const std::string& path : m.keys()) out.push_back(path + "=" + scalar(m.get(path)));
  return out;
}

SweepAxis parse_axis(const Node& n, std::size_t index) {
  MapReader m = n.map();
  SweepAxis axis;
  axis.name = m.get("name").present() ? one_line(m.get("name"), m.get("name").text())
                                      : "axis" + std::to_string(index + 1);
  if (axis.name.empty()) m.get("name").fail("must not be empty");
  std::vector<std::string> paths;
  if (const Node s = m.get("set"); s.present()) {
    if (s.is_list()) {
      for (const Node& p : s.list()) paths.push_back(p.text());
    } else {
      paths.push_back(s.text());
    }
    if (paths.empty()) s.fail("needs at least one setting path");
  }
  const Node values = m.required("values");
  for (const Node& v : values.list()) {
    SweepAxis::Value value;
    value.where = v.where();
    if (v.is_map()) {
      if (!paths.empty())
        v.fail("this axis sets " + paths[0] +
               ": give plain values, or drop set: and give {label, set} groups");
      MapReader vm = v.map();
      value.label = one_line(vm.get("label"), vm.required("label").text());
      value.sets = parse_set_map(vm.get("set"));
      vm.finish();
    } else {
      if (paths.empty())
        v.fail(
            "a plain value needs the axis's set: path(s); or give {label: ..., set: {path: "
            "value}}");
      value.label = one_line(v, scalar(v));
      for (const std::string& p : paths) value.sets.push_back(p + "=" + value.label);
    }
    if (value.label.empty()) v.fail("an empty label");
    for (const auto& other : axis.values) {
      if (other.label == value.label)
        v.fail("value '" + value.label + "' appears twice on this axis");
    }
    axis.values.push_back(std::move(value));
  }
  if (axis.values.empty()) values.fail("needs at least one value");
  m.finish();
  return axis;
}

SweepSpec parse_sweep(const Node& root, const std::string& path) {
  if (!root.present() || !root.is_map())
    root.fail("a sweep is a map: name:, scenario:, axes:, replications: ...");
  MapReader m = root.map();
  SweepSpec s;
  s.source_file = path;
  s.name = m.required("name").text();
  const bool name_ok =
      !s.name.empty() && s.name.size() <= 128 && s.name[0] != '.' &&
      std::all_of(s.name.begin(), s.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
  if (!name_ok)
    m.get("name").fail(
        "names use 1 to 128 letters, digits, '-', '_' and '.' (they name result files)");
  if (const Node d = m.get("description"); d.present()) s.description = d.text();
  const Node one = m.get("scenario");
  const Node many = m.get("scenarios");
  if (one.present() == many.present())
    root.fail("give scenario: (one file) or scenarios: (a list), not both");
  if (one.present()) {
    s.scenarios.push_back(resolve(one, one.text()));
    s.scenario_where.push_back(one.where());
  } else {
    for (const Node& f : many.list()) {
      s.scenarios.push_back(resolve(f, f.text()));
      s.scenario_where.push_back(f.where());
    }
    if (s.scenarios.empty()) many.fail("needs at least one scenario file");
  }
  s.sets = parse_set_map(m.get("set"));
  if (const Node axes = m.get("axes"); axes.present()) {
    const std::vector<Node> list = axes.list();
    for (std::size_t i = 0; i < list.size(); ++i) {
      s.axes.push_back(parse_axis(list[i], i));
      for (std::size_t j = 0; j < i; ++j) {
        if (s.axes[j].name == s.axes[i].name)
          list[i].fail("two axes are named '" + s.axes[i].name + "'");
      }
    }
  }
  if (const Node c = m.get("combine"); c.present()) s.zip = c.choice({"cartesian", "zip"}) == "zip";
  if (s.zip) {
    for (const SweepAxis& a : s.axes) {
      if (a.values.size() != s.axes[0].values.size())
        m.get("combine").fail("zip needs axes of equal length ('" + a.name + "' has " +
                              std::to_string(a.values.size()) + " values, '" + s.axes[0].name +
                              "' " + std::to_string(s.axes[0].values.size()) + ")");
    }
  }
  if (const Node r = m.get("replications"); r.present())
    s.replications = static_cast<int>(r.integer_in(1, 1'000'000));
  if (const Node v = m.get("seed"); v.present()) s.seed = v.unsigned_integer();
  if (const Node v = m.get("shards"); v.present())
    s.shards = static_cast<int>(v.integer_in(1, 1'000'000));
  m.finish();
  return s;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

}  // namespace

SweepPlan plan_sweep_file(const std::string& path, const std::vector<std::string>& extra_sets) {
  const Node root = load_yaml_file(path, nullptr);
  SweepPlan plan;
  plan.spec = parse_sweep(root, path);
  plan.spec.source_text = read_text_file(path);
  const SweepSpec& s = plan.spec;

  // The configurations: each base scenario x (the cartesian product, or the zip, of the axes).
  std::vector<std::vector<std::size_t>> combos;
  if (s.axes.empty()) {
    combos.resize(1);  // one configuration: no axes
  } else if (s.zip) {
    for (std::size_t i = 0; i < s.axes[0].values.size(); ++i) combos.emplace_back(s.axes.size(), i);
  } else {
    // Odometer order: the last axis varies fastest.
    std::vector<std::size_t> idx(s.axes.size(), 0);
    bool more = true;
    while (more) {
      combos.push_back(idx);
      more = false;
      for (std::size_t k = s.axes.size(); k-- > 0;) {
        if (++idx[k] < s.axes[k].values.size()) {
          more = true;
          break;
        }
        idx[k] = 0;
      }
    }
  }
  if (s.scenarios.size() * combos.size() * static_cast<std::size_t>(s.replications) > 10'000'000) {
    throw ScenarioError({path, 1, 1}, "", "more than 10 million runs");
  }
  uint64_t hash = sim::fnv1a64(s.source_text);
  int64_t config = 0;
  for (std::size_t f = 0; f < s.scenarios.size(); ++f) {
    std::string scenario_text;
    try {
      scenario_text = read_text_file(s.scenarios[f]);
    } catch (const ScenarioError& e) {
      throw ScenarioError(s.scenario_where[f], s.scenarios.size() > 1 ? "scenarios" : "scenario",
                          "cannot read '" + s.scenarios[f] + "': " + e.message());
    }
    hash = sim::splitmix64(hash ^ sim::fnv1a64(scenario_text));
    for (const auto& combo : combos) {
      std::vector<std::string> sets = extra_sets;
      sets.insert(sets.end(), s.sets.begin(), s.sets.end());
      std::vector<std::string> label_parts;
      const Location* where = &s.scenario_where[f];
      for (std::size_t a = 0; a < combo.size(); ++a) {
        const SweepAxis::Value& v = s.axes[a].values[combo[a]];
        sets.insert(sets.end(), v.sets.begin(), v.sets.end());
        label_parts.push_back(s.axes[a].name + "=" + v.label);
        where = &v.where;
      }
      // Check the configuration now: a bad value fails before any run starts.
      Scenario scenario;
      try {
        scenario = load_scenario_file(s.scenarios[f], sets);
      } catch (const ScenarioError& e) {
        throw ScenarioError(*where, "",
                            "configuration '" + join(label_parts, ", ") + "' of " + s.scenarios[f] +
                                ": " + e.what());
      }
      if (s.scenarios.size() > 1) label_parts.insert(label_parts.begin(), scenario.name);
      const std::string label = label_parts.empty() ? scenario.name : join(label_parts, ", ");
      for (const std::string& w : scenario.warnings) {
        if (std::find(plan.warnings.begin(), plan.warnings.end(), w) == plan.warnings.end())
          plan.warnings.push_back(w);
      }
      for (int r = 0; r < s.replications; ++r) {
        PlannedRun run;
        run.index = static_cast<int64_t>(plan.runs.size());
        run.config_id = config;
        run.config_label = label;
        run.scenario_file = s.scenarios[f];
        run.sets = sets;
        run.replication = r;
        run.seed = sim::derive_seed(s.seed.value_or(scenario.seed), static_cast<uint64_t>(r));
        hash = sim::splitmix64(
            hash ^ sim::fnv1a64(label + "|" + join(sets, "|") + "|" + std::to_string(run.seed)));
        plan.runs.push_back(std::move(run));
      }
      ++config;
    }
  }
  plan.configs = config;
  plan.hash = hash;
  return plan;
}

}  // namespace config
