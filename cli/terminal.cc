#include "cli/terminal.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cmath>

namespace cli {

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1; }

void ProgressLine::update(const std::string& label, double fraction, const std::string& detail) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  if (fraction < 0) fraction = 0;
  if (fraction > 1) fraction = 1;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), ' ');
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string eta = "";
  if (fraction > 0.01 && fraction < 1) {
    eta = "  ETA " + sim::format_duration(sim::seconds(
                         static_cast<int64_t>(elapsed / fraction * (1 - fraction)) + 1));
  }
  std::fprintf(stderr, "\r\033[K%s [%s] %3.0f%%  %s%s", label.c_str(), bar.c_str(), fraction * 100,
               detail.c_str(), eta.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

std::string thousands(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

namespace {
std::string num(double v, const char* fmt) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}
std::string ms(double s) { return std::isnan(s) ? "-" : num(s * 1e3, "%.1f"); }

void row(std::string* out, const models::EntitySummary& e) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-12s %12s %12s %10s %7s %6s %9s %9s %9s %9s %6s %5d %5d %5d\n",
                e.name.c_str(), thousands(e.requests).c_str(), thousands(e.completed).c_str(),
                thousands(e.failed).c_str(), num(e.error_rate * 100, "%.2f").c_str(),
                num(e.apdex, "%.3f").c_str(), ms(e.rt_mean_s).c_str(), ms(e.rt_p50_s).c_str(),
                ms(e.rt_p95_s).c_str(), ms(e.rt_p99_s).c_str(),
                num(e.cpu_util * 100, "%.0f").c_str(), e.peak_ready, e.max_replicas, e.peak_nodes);
  *out += buf;
}
}  // namespace

std::string format_summary_table(const models::RunSummary& s) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-12s %12s %12s %10s %7s %6s %9s %9s %9s %9s %6s %5s %5s %5s\n",
                "entity", "requests", "completed", "failed", "err%", "apdex", "mean ms", "p50 ms",
                "p95 ms", "p99 ms", "cpu%", "ready", "want", "nodes");
  out += buf;
  row(&out, s.overall);
  bool staging = false;
  if (s.sites.size() > 1) {
    for (const auto& site : s.sites) {
      row(&out, site);
      if (site.staging) out.insert(out.size() - 1, "  staging");
      staging = staging || site.staging;
    }
  }
  if (staging)
    out +=
        "  staging sites serve test traffic only: their requests are not in 'all' or its gates "
        "(their pods, nodes and cost are)\n";
  return out;
}

namespace {

std::string incident_line(const engine::IncidentReport& inc) {
  const auto rel = [](const std::optional<double>& t, double start) {
    return t ? "+" + num(*t - start, "%.0f") + " s" : std::string("never");
  };
  std::string data;
  if (inc.lost_writes)
    data =
        "; lost " + thousands(*inc.lost_writes) + " writes (RPO " + num(*inc.rpo_s, "%.2f") + " s)";
  if (inc.write_outage) {
    data += "; writes ";
    data += !inc.write_rto_s ? "never resumed"
            : inc.promotion_s
                ? "resumed +" + num(*inc.write_rto_s, "%.0f") + " s at " + inc.primary_after +
                      " (promotion " + num(*inc.promotion_s, "%.0f") + " s)"
                : "resumed +" + num(*inc.write_rto_s, "%.0f") + " s (" + inc.primary_after +
                      " returned)";
  }
  std::string slo = !inc.violated_s ? "SLO held"
                    : inc.violated_before
                        ? "SLO already violated since " +
                              sim::format_duration(sim::SimTime::from_seconds(*inc.violated_s)) +
                              " (before the fault)"
                        : "SLO violated " + rel(inc.violated_s, inc.start_s);
  if (inc.violated_s) {
    slo += ", " + num(inc.violation_s / 60, "%.1f") + " min in violation";
    if (inc.collapses > 0)
      slo +=
          ", " + std::to_string(inc.collapses) + " more collapse" + (inc.collapses == 1 ? "" : "s");
  }
  const std::string rto = !inc.violated_s ? "RTO 0 s"
                          : inc.rto_s     ? "RTO " + num(*inc.rto_s, "%.0f") + " s" +
                                            (inc.violated_before ? " from the violation" : "")
                                      : std::string("NOT RECOVERED by the end of the run");
  return "  incident: " + inc.site + " " + inc.kind + " at " +
         sim::format_duration(sim::SimTime::from_seconds(inc.start_s)) + ": detected " +
         rel(inc.detected_s, inc.start_s) + ", " + slo + "; " + rto + data + "\n";
}

std::string users_line(const models::UserSummary& u) {
  const uint64_t n = u.interactions_ok + u.interactions_failed;
  const double pct =
      n > 0 ? 100.0 * static_cast<double>(u.interactions_failed) / static_cast<double>(n) : 0.0;
  return "  users: " + thousands(n) + " interactions, " + thousands(u.interactions_failed) +
         " failed after all retries (" + num(pct, "%.2f") + "%); " + thousands(u.abandonments) +
         " times a user gave up, up to " + std::to_string(u.abandoned_peak) + " at once, " +
         num(u.abandoned_user_minutes, "%.0f") + " user-minutes lost\n";
}

}  // namespace

std::string format_node_groups(const models::RunSummary& s,
                               const std::vector<std::vector<models::NodeGroupSummary>>& groups) {
  std::string out;
  for (std::size_t i = 0; i < groups.size() && i < s.sites.size(); ++i) {
    if (groups[i].size() < 2) continue;
    out += "  node groups of " + s.sites[i].name + ":";
    for (const models::NodeGroupSummary& g : groups[i]) {
      out += " " + g.name + " " + num(g.node_seconds / 3600, "%.1f") + " node-h " +
             num(g.cost, "%.2f") + " (peak " + std::to_string(g.peak_nodes);
      if (g.failed > 0) out += ", " + std::to_string(g.failed) + " refused";
      if (g.activity.timeouts > 0)
        out += ", " + std::to_string(g.activity.timeouts) + " scale-up" +
               (g.activity.timeouts == 1 ? "" : "s") + " timed out";
      if (g.activity.backoff_s > 0)
        out += ", backed off " + num(g.activity.backoff_s / 60, "%.0f") + " min";
      if (g.interruptions > 0) out += ", " + std::to_string(g.interruptions) + " interrupted";
      out += ");";
    }
    out.back() = '\n';
  }
  return out;
}

std::string format_failures_and_databases(const engine::RunResult& r) {
  std::string out;
  const models::EntitySummary& all = r.summary.overall;
  std::string causes;
  for (int c = 0; c < models::kFailureCauseCount; ++c) {
    const uint64_t n = all.failed_by[static_cast<std::size_t>(c)];
    if (n == 0) continue;
    causes += (causes.empty() ? "" : ", ") +
              std::string(models::failure_cause_name(static_cast<models::FailureCause>(c))) + " " +
              thousands(n);
  }
  if (!causes.empty()) out += "  failures: " + causes + "\n";
  for (const engine::RunResult::Database& d : r.databases) {
    out += "  database " + d.name + ": " + num(100 * d.utilization, "%.0f") +
           "% busy over the run, peak " + std::to_string(d.peak_connections) + " connections (" +
           std::to_string(d.max_connections) + " per server)\n";
    for (std::size_t i = 0; i < r.database_use.size() && i < r.summary.sites.size(); ++i) {
      const auto& u = r.database_use[i];
      if (!u) continue;
      bool uses = false;
      for (const std::string& site : d.sites) uses = uses || site == r.summary.sites[i].name;
      if (!uses) continue;
      const double q = static_cast<double>(u->queries);
      const double asked = q + static_cast<double>(u->timeouts);
      out += "    " + r.summary.sites[i].name + "'s pods: " + thousands(u->queries) + " queries, " +
             num(q > 0 ? u->query_ns / q * 1e-6 : 0.0, "%.1f") + " ms mean; " +
             thousands(u->waits) + " waited for a connection (" +
             num(asked > 0 ? u->wait_ns / asked * 1e-6 : 0.0, "%.1f") + " ms mean wait), " +
             thousands(u->timeouts) + " gave up (pool_timeout); " + thousands(u->refused) +
             " connections refused as pods started\n";
    }
  }
  return out;
}

std::string format_cost_and_incidents(const models::RunSummary& s, const engine::DrSummary& dr) {
  std::string out;
  if (!std::isnan(s.overall.cost)) {
    std::string per_site;
    for (const auto& site : s.sites)
      per_site += (per_site.empty() ? "" : ", ") + site.name + " " + num(site.cost, "%.2f");
    const double per_hour = s.run_s > 0 ? s.overall.cost / (s.run_s / 3600) : 0.0;
    out += "  cost: " + num(s.overall.cost, "%.2f") + " (" + per_site + "); " +
           num(per_hour, "%.2f") + " per hour, " + num(per_hour * 24, "%.2f") + " per day; " +
           num(s.overall.cost_per_1k, "%.4f") + " per 1,000 completed requests\n";
  }
  double node_hours = 0;
  for (const auto& site : s.sites) node_hours += site.node_seconds / 3600;
  if (s.overall.peak_nodes > 0) {
    out += "  pods: peak " + std::to_string(s.overall.peak_ready) + " ready, " +
           std::to_string(s.overall.max_replicas) + " desired; nodes: peak " +
           std::to_string(s.overall.peak_nodes) + ", " + num(node_hours, "%.1f") + " node-hours\n";
  }
  for (const engine::IncidentReport& inc : dr.incidents) out += incident_line(inc);
  for (std::size_t i = 0; i < dr.sites.size() && i < s.sites.size(); ++i) {
    if (const auto& b = dr.sites[i].replication_backlog_max_s; b && *b > 0) {
      out += "  replication from " + s.sites[i].name + ": its replica fell up to " +
             num(*b, "%.1f") + " s behind (writes queued for the link's throughput)\n";
    }
  }
  if (dr.write_conflicts)
    out += "  multi-primary: " + thousands(*dr.write_conflicts) +
           " writes conflicted with an unreplicated write of the other site\n";
  out += "  SLO: " + num(dr.slo_violation_s / 60, "%.1f") + " min in violation after the warm-up\n";
  if (s.users) out += users_line(*s.users);
  return out;
}

void print_warnings(const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
}

void add_allow_late_flag(CLI::App* cmd, bool* flag) {
  cmd->add_flag("--allow-late", *flag,
                "Drop events, outages and narration lines at or after the end of the run with a "
                "warning, instead of refusing the scenario (same as --set allow_late=true)");
}

std::vector<std::string> with_allow_late(std::vector<std::string> sets, bool allow_late) {
  if (allow_late) sets.insert(sets.begin(), "allow_late=true");
  return sets;
}

}  // namespace cli
