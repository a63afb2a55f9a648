#include "report/explain.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "report/text.h"

namespace report {

using store::JsonValue;

namespace {

int64_t integer(const JsonValue& v, int64_t otherwise = 0) {
  return v.integer().value_or(otherwise);
}

// A milli-value as a Kubernetes quantity: 850m, 1000m.
std::string milli(int64_t m) { return strf("%lldm", static_cast<long long>(m)); }

std::string seconds(double s) {
  if (s >= 120 && std::fmod(s, 60) < 0.5) return strf("%.0f min", s / 60);
  return strf("%.3g s", s);
}

// One metric's pods: counts per group, then a table (every pod that did not count, and the
// counted ones up to a few unless all are asked for).
void pods_table(std::string& out, const JsonValue& m, bool resource, const ExplainOptions& o) {
  const std::vector<JsonValue>& pods = m["pods"].items();
  std::map<std::string, int> count;
  for (const JsonValue& p : pods) ++count[p["group"].text()];
  out += strf("   pods: %d counted (ready), %d unready, %d missing, %d ignored\n", count["ready"],
              count["unready"], count["missing"], count["ignored"]);
  if (pods.empty()) return;
  constexpr int kCountedShown = 8;
  const std::string unit = resource ? m["name"].text() : "value";
  out += strf("     %-24s %-8s %10s %9s %8s  %s\n", "pod", "group", unit.c_str(),
              resource ? "request" : "", "sample", "why");
  int counted_shown = 0, hidden = 0;
  for (const JsonValue& p : pods) {
    const bool counted = p["group"].text() == "ready";
    if (counted && !o.all_pods && counted_shown >= kCountedShown) {
      ++hidden;
      continue;
    }
    counted_shown += counted ? 1 : 0;
    const std::string value = p.has("value_milli") ? milli(integer(p["value_milli"])) : "-";
    const std::string request = p.has("request_milli") ? milli(integer(p["request_milli"])) : "";
    const std::string age =
        p.has("sample_age_s") ? strf("%.1fs ago", p["sample_age_s"].number()) : "-";
    out += strf("     %-24s %-8s %10s %9s %8s  %s\n", p["pod"].text().c_str(),
                p["group"].text().c_str(), value.c_str(), request.c_str(), age.c_str(),
                p["why"].text().c_str());
  }
  if (hidden > 0) out += strf("     ... %d more counted pods (--all-pods lists them)\n", hidden);
}

// How the metric's proposal came out of its ratio: the rule with its numbers.
void proposal_arithmetic(std::string& out, const JsonValue& m, const JsonValue& d) {
  const double ratio = m["ratio"].number();
  const double down = d["tolerance"]["down"].number(), up = d["tolerance"]["up"].number();
  const bool within = (1.0 - down) <= ratio && ratio <= (1.0 + up);
  out += strf("   tolerance band [%.2f, %.2f]: the ratio is %s\n", 1.0 - down, 1.0 + up,
              within ? "inside it" : "outside it");
  const std::string rule = m["rule"].text();
  const int64_t proposal = integer(m["proposal"]);
  if (m.has("new_ratio")) {
    // Why the controller computed again: unready pods while the ratio says scale up, or pods
    // without a sample (groupPods' missing), whatever the first ratio's tolerance said.
    int unready = 0, missing = 0;
    for (const JsonValue& p : m["pods"].items()) {
      unready += p["group"].text() == "unready" ? 1 : 0;
      missing += p["group"].text() == "missing" ? 1 : 0;
    }
    std::string why;
    if (ratio > 1.0 && unready > 0)
      why += strf("%d unready pod(s) count at 0 when scaling up", unready);
    if (missing > 0) {
      why += strf("%s%d pod(s) without a sample count at %s", why.empty() ? "" : "; ", missing,
                  ratio < 1.0   ? "their request (or the target, if higher) when scaling down"
                  : ratio > 1.0 ? "0 when scaling up"
                                : "nothing (the ratio is exactly 1)");
    }
    std::string filled;
    if (m.has("utilization"))
      filled = strf(" (%.0f%% of the request)", m["new_ratio"].number() * integer(m["target"]));
    out += strf("   second pass (%s): ratio %.4f over %lld pods%s\n",
                why.empty() ? "missing or unready pods filled in" : why.c_str(),
                m["new_ratio"].number(), static_cast<long long>(integer(m["counted_pods"])),
                filled.c_str());
    if (rule.starts_with("ceil(")) {
      out += strf("   %s = ceil(%.4f x %lld) = %lld\n", rule.c_str(), m["new_ratio"].number(),
                  static_cast<long long>(integer(m["counted_pods"])),
                  static_cast<long long>(proposal));
      return;
    }
  } else if (rule == "ceil(ratio x ready pods)") {
    out += strf("   %s = ceil(%.4f x %lld) = %lld\n", rule.c_str(), ratio,
                static_cast<long long>(integer(m["ready_pods"])), static_cast<long long>(proposal));
    return;
  }
  out += strf("   %s: %lld\n", rule.c_str(), static_cast<long long>(proposal));
}

void metric_section(std::string& out, std::size_t i, const JsonValue& m, const JsonValue& d,
                    const ExplainOptions& o) {
  const std::string type = m["type"].text();
  const bool resource = type == "Resource";
  const std::string target_type = m["target_type"].text();
  std::string target =
      target_type == "Utilization"
          ? strf("%lld%% of the request", static_cast<long long>(integer(m["target"])))
          : milli(integer(m["target_milli"]));
  out += strf("%zu. %s metric %s, target %s %s\n", i + 1, type.c_str(), m["name"].text().c_str(),
              target_type.c_str(), target.c_str());
  if (m.has("pods")) pods_table(out, m, resource, o);
  if (m.has("error")) {
    out += strf("   invalid (%s): %s\n", m["error"].text().c_str(), m["message"].text().c_str());
    return;
  }
  if (m.has("utilization")) {
    out += strf(
        "   utilization = sum(usage) x 100 / sum(requests) over the counted pods = %lld%% "
        "(average %s)\n",
        static_cast<long long>(integer(m["utilization"])),
        milli(integer(m["current_milli"])).c_str());
    out +=
        strf("   ratio = %lld / %lld = %.4f\n", static_cast<long long>(integer(m["utilization"])),
             static_cast<long long>(integer(m["target"])), m["ratio"].number());
  } else {
    const std::string per =
        type == "Pods" || target_type == "AverageValue" ? " (average per pod)" : "";
    out += strf("   current %s%s; ratio to the target = %.4f\n",
                milli(integer(m["current_milli"])).c_str(), per.c_str(), m["ratio"].number());
  }
  proposal_arithmetic(out, m, d);
}

// Recommendations (replicas, age) newest first, runs of the same replicas merged:
// "6 (15s to 60s ago), 4 (75s to 300s ago)".
std::string recommendations(std::vector<std::pair<int64_t, double>> recs) {
  if (recs.empty()) return "none kept";
  std::sort(recs.begin(), recs.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::string out;
  for (std::size_t i = 0; i < recs.size();) {
    std::size_t j = i;
    while (j + 1 < recs.size() && recs[j + 1].first == recs[i].first) ++j;
    out += strf("%s%lld (%s", out.empty() ? "" : ", ", static_cast<long long>(recs[i].first),
                clock_time(recs[i].second).c_str());
    out += j > i ? " to " + clock_time(recs[j].second) + " ago)" : " ago)";
    i = j + 1;
  }
  return out;
}

void stabilization_section(std::string& out, const JsonValue& d) {
  const JsonValue& st = d["stabilization"];
  const int64_t proposal = integer(d["proposal"]), current = integer(d["current"]);
  const int64_t stabilized = integer(d["stabilized"]);
  const double up_w = st["up_window_s"].number(), down_w = st["down_window_s"].number();
  const std::vector<JsonValue>& recs = st["recommendations"].items();
  if (!st["behavior"].boolean()) {
    // Legacy: the highest recommendation not older than the downscale window, this one included.
    std::vector<std::pair<int64_t, double>> kept;
    for (const JsonValue& r : recs) {
      if (r["age_s"].number() <= down_w)
        kept.emplace_back(integer(r["replicas"]), r["age_s"].number());
    }
    out += strf(
        "Stabilization (no behavior: the highest recommendation of the last %s, this one "
        "included)\n   kept: %s -> %lld\n",
        seconds(down_w).c_str(), recommendations(kept).c_str(), static_cast<long long>(stabilized));
  } else {
    // behavior: scale up no further than the lowest recommendation of the scale-up window, down
    // no further than the highest of the scale-down window.
    int64_t up_bound = proposal, down_bound = proposal;
    for (const JsonValue& r : recs) {
      const double age = r["age_s"].number();
      const int64_t n = integer(r["replicas"]);
      if (age < up_w) up_bound = std::min(up_bound, n);
      if (age < down_w) down_bound = std::max(down_bound, n);
    }
    out += strf(
        "Stabilization (behavior)\n   lowest recommendation of the last %s = %lld (a scale-up "
        "goes no higher), highest of the last %s = %lld (a scale-down goes no lower): "
        "%lld -> %lld\n",
        seconds(up_w).c_str(), static_cast<long long>(up_bound), seconds(down_w).c_str(),
        static_cast<long long>(down_bound), static_cast<long long>(current),
        static_cast<long long>(stabilized));
  }
  const JsonValue& lim = d["limits"];
  std::string limits;
  if (lim.has("up_factor"))
    limits += strf("a scale-up reaches at most %lld = max(%g x %lld current, %g)",
                   static_cast<long long>(integer(lim["up"])), lim["up_factor"].number(),
                   static_cast<long long>(current), lim["up_minimum"].number());
  else if (lim.has("up"))
    limits += strf("a scale-up reaches at most %lld (the scale-up policies over their periods)",
                   static_cast<long long>(integer(lim["up"])));
  if (lim.has("down"))
    limits += strf("%sa scale-down leaves at least %lld (the scale-down policies)",
                   limits.empty() ? "" : ", ", static_cast<long long>(integer(lim["down"])));
  out += strf("Limits\n   %s%sminReplicas %lld, maxReplicas %lld -> %lld (%s)\n", limits.c_str(),
              limits.empty() ? "" : "; ", static_cast<long long>(integer(d["min_replicas"])),
              static_cast<long long>(integer(d["max_replicas"])),
              static_cast<long long>(integer(d["desired"])), d["scaling_limited"].text().c_str());
}

}  // namespace

std::string explain_hpa(const JsonValue& d, const ExplainOptions& o) {
  std::string out;
  if (d["control_plane_down"].boolean()) return "The site's control plane is down: no HPA sync.\n";
  const int64_t current = integer(d["current"]), desired = integer(d["desired"]);
  out += strf("Current replicas %lld (pods existing %lld)\n", static_cast<long long>(current),
              static_cast<long long>(integer(d["status_replicas"], current)));
  const std::vector<JsonValue>& metrics = d["metrics"].items();
  for (std::size_t i = 0; i < metrics.size(); ++i) metric_section(out, i, metrics[i], d, o);
  const int64_t proposal = integer(d["proposal"], -1);
  if (proposal < 0) {
    out += strf("No proposal (%s): %s\n", d["scaling_active"].text().c_str(),
                d["reason"].text().c_str());
    if (current < integer(d["min_replicas"]) || current > integer(d["max_replicas"]))
      out += strf("Replicas outside [min, max]: set to %lld\n", static_cast<long long>(desired));
    out += strf("Result: %lld replicas (%s)\n", static_cast<long long>(desired),
                d["rescale"].boolean() ? "scaled" : "held");
    return out;
  }
  out += strf("Proposal (the largest over the metrics): %lld\n", static_cast<long long>(proposal));
  if (d.has("stabilization")) stabilization_section(out, d);
  out += strf("Result: %lld -> %lld replicas (%s; %s)\n", static_cast<long long>(current),
              static_cast<long long>(desired), d["rescale"].boolean() ? "scaled" : "held",
              d["able_to_scale"].text().c_str());
  return out;
}

std::string explain_node_autoscaler(const JsonValue& d) {
  std::string out;
  if (!d.has("outcome")) {
    // A logged scale-up (no replay): its own fields.
    out += strf(
        "Scale-up of node group %s by %lld: %lld Pending pods, %lld not covered by nodes "
        "on their way, %lld pods per node\n",
        d["group"].text().c_str(), static_cast<long long>(integer(d["nodes"])),
        static_cast<long long>(integer(d["pending"])),
        static_cast<long long>(integer(d["uncovered"])),
        static_cast<long long>(integer(d["pods_per_node"])));
    return out;
  }
  out += strf("Loop outcome: %s\n", d["outcome"].text().c_str());
  out +=
      strf("Scale-up: %lld Pending pods, %lld taken by nodes on their way: %s\n",
           static_cast<long long>(integer(d["pending_pods"])),
           static_cast<long long>(integer(d["covered_by_upcoming"])), d["scale_up"].text().c_str());
  for (const JsonValue& g : d["groups"].items()) {
    std::string state = g["autoscaled"].boolean() ? "" : ", not autoscaled";
    if (g.has("backed_off_for_s"))
      state += strf(", backed off for %s more", clock_time(g["backed_off_for_s"].number()).c_str());
    out +=
        strf("  group %s: %lld nodes (min %lld, max %lld), %lld pods per node%s\n",
             g["group"].text().c_str(), static_cast<long long>(integer(g["target"])),
             static_cast<long long>(integer(g["min"])), static_cast<long long>(integer(g["max"])),
             static_cast<long long>(integer(g["pods_per_node"])), state.c_str());
  }
  const double unneeded_time = d["unneeded_time_s"].number();
  out += strf(
      "Scale-down: a node is unneeded while its pods' requests are under %.0f%% of its CPU "
      "and they fit elsewhere; removed after %s unneeded%s\n",
      d["threshold"].number() * 100, clock_time(unneeded_time).c_str(),
      d.has("cooldown_for_s")
          ? strf("; in cooldown for %s more", clock_time(d["cooldown_for_s"].number()).c_str())
                .c_str()
          : "");
  for (const JsonValue& n : d["nodes"].items()) {
    std::string verdict = n["verdict"].text();
    if (n.has("unneeded_for_s"))
      verdict += strf(" for %s (removed at %s)", clock_time(n["unneeded_for_s"].number()).c_str(),
                      clock_time(unneeded_time).c_str());
    out += strf("  node %lld (%s): %lld pod(s), requests %.0f%% of CPU: %s\n",
                static_cast<long long>(integer(n["node"])), n["group"].text().c_str(),
                static_cast<long long>(integer(n["pods"])), n["requested_share"].number() * 100,
                verdict.c_str());
  }
  if (!d["removed"].items().empty()) {
    std::string ids;
    for (const JsonValue& id : d["removed"].items())
      ids += strf("%s%lld", ids.empty() ? "" : ", ", static_cast<long long>(integer(id)));
    out += "Removed or drained in this loop: nodes " + ids + "\n";
  }
  return out;
}

std::string explain_evaluation(const std::string& component, const std::string& message,
                               const JsonValue& details, const ExplainOptions& options) {
  if (component.starts_with("hpa/")) return explain_hpa(details, options);
  if (component.starts_with("site/")) return explain_node_autoscaler(details);
  // Another policy: its inputs as its details name them, then the clamp to [min, max].
  (void)message;  // the caller shows it above
  std::string out;
  for (const auto& [key, v] : details.members()) {
    std::string text;
    if (v.is_string() || v.is_number()) {
      text = v.text();
    } else if (v.type() == JsonValue::Type::kBool) {
      text = v.boolean() ? "true" : "false";
    } else {
      store::JsonWriter j;
      store::write_json(j, v);
      text = j.str();
    }
    out += "  " + key + ": " + text + "\n";
  }
  if (details.has("wants") && details.has("result")) {
    out += strf("Result: wants %lld, within [%lld, %lld]: %lld -> %lld replicas\n",
                static_cast<long long>(integer(details["wants"])),
                static_cast<long long>(integer(details["min_replicas"])),
                static_cast<long long>(integer(details["max_replicas"])),
                static_cast<long long>(integer(details["current"])),
                static_cast<long long>(integer(details["result"])));
  }
  return out;
}

}  // namespace report
