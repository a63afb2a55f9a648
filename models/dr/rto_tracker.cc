#include "models/dr/rto_tracker.h"

#include <cmath>

#include "models/common/text.h"

namespace models {

std::optional<double> Incident::rto_s() const {
  if (!violated) return 0.0;
  if (!recovered) return std::nullopt;
  return (*recovered - origin()).seconds();
}

RtoTracker::RtoTracker(const SloConfig& slo, std::vector<std::string> site_names,
                       sim::Recorder& rec)
    : slo_(slo), names_(std::move(site_names)), rec_(rec) {}

bool RtoTracker::window_ok() const {
  const uint64_t judged = completed_ + failed_;
  if (judged == 0) return false;  // no evidence that the service works
  if (static_cast<double>(completed_) < slo_.success_ratio * static_cast<double>(judged) - 1e-9)
    return false;
  // Nearest-rank p95 <= T  <=>  at most n - ceil(0.95 n) completions above T.
  const uint64_t rank =
      static_cast<uint64_t>(std::ceil(0.95 * static_cast<double>(completed_) - 1e-9));
  return slow_ <= completed_ - rank;
}

void RtoTracker::on_bucket(sim::SimTime start, sim::SimTime end, uint64_t completed,
                           uint64_t failed, uint64_t slow, int paused_users) {
  window_.push_back({start, completed, failed, slow});
  completed_ += completed;
  failed_ += failed;
  slow_ += slow;
  // Keep the buckets that lie within [end - window, end] (at least the newest one).
  while (window_.size() > 1 && window_.front().start < end - slo_.window) {
    const Bucket old = window_.pop_front();
    completed_ -= old.completed;
    failed_ -= old.failed;
    slow_ -= old.slow;
  }
  within_ = window_ok();
  paused_ = paused_users;
  const bool open = !violations_.empty() && !violations_.back().end;
  if (!within_ && !open) violations_.push_back({end, std::nullopt, paused_users});
  if (within_ && open) violations_.back().end = end;
  for (Incident& inc : incidents_) follow(inc, end);
}

void RtoTracker::follow(Incident& inc, sim::SimTime end) {
  if (end <= inc.start) return;
  const std::string& site = names_[static_cast<std::size_t>(inc.site)];
  const char* fault = fault_kind_name(inc.kind);
  if (!inc.violated) {
    const bool in_scope = !inc.end || end <= *inc.end + slo_.window;
    if (!in_scope || within_) return;
    inc.violated = end;
    inc.paused_at_origin = violations_.back().paused_at_start;
    rec_.event(end, "dr/slo", "violated", "SLO violated after " + site + " " + fault + " fault",
               sim::EventDetails()
                   .add("site", site)
                   .add("fault", fault)
                   .add("fault_start_s", inc.start.seconds()));
    return;
  }
  if (!inc.recovered) {
    // Back within the SLO, and the users who gave up are back (or gone for good).
    if (!within_ || paused_ > inc.paused_at_origin) return;
    inc.recovered = end;
    const double rto = (end - inc.origin()).seconds();
    rec_.event(end, "dr/slo", "recovered",
               "SLO met again and users back: RTO " + fixed(rto, 0) + " s after the " + site + " " +
                   fault + " fault" + (inc.violated_before ? " (from the violation it found)" : ""),
               sim::EventDetails()
                   .add("site", site)
                   .add("fault", fault)
                   .add("rto_s", rto)
                   .add("collapses", inc.collapses));
    return;
  }
  // Recovered: a violation while the fault lasts, or soon after, is the same incident again.
  const sim::SimTime until = std::max(inc.end ? *inc.end : end, *inc.recovered) + slo_.window;
  if (within_ || (inc.end && end > until)) return;
  ++inc.collapses;
  inc.recovered.reset();
  rec_.event(
      end, "dr/slo", "collapsed",
      "SLO violated again after recovering from the " + site + " " + fault + " fault",
      sim::EventDetails().add("site", site).add("fault", fault).add("collapse", inc.collapses));
}

void RtoTracker::on_fault_begin(int site, FaultKind kind, sim::SimTime at) {
  Incident inc;
  inc.site = site;
  inc.kind = kind;
  inc.start = at;
  if (!violations_.empty() && !violations_.back().end) {
    // The fault finds the SLO violated: its RTO runs from that violation, flagged.
    inc.violated = violations_.back().start;
    inc.violated_before = true;
    inc.paused_at_origin = violations_.back().paused_at_start;
    rec_.event(at, "dr/slo", "violated",
               "the " + names_[static_cast<std::size_t>(site)] + " " + fault_kind_name(kind) +
                   " fault began while the SLO was already violated (since " +
                   fixed(inc.violated->seconds(), 0) + " s)",
               sim::EventDetails()
                   .add("site", names_[static_cast<std::size_t>(site)])
                   .add("fault", fault_kind_name(kind))
                   .add("violated_before", true));
  }
  incidents_.push_back(inc);
}

double RtoTracker::violation_seconds(sim::SimTime from, sim::SimTime to) const {
  double s = 0;
  for (const SloInterval& v : violations_) {
    const sim::SimTime a = std::max(v.start, from);
    const sim::SimTime b = std::min(v.end ? *v.end : to, to);
    if (b > a) s += (b - a).seconds();
  }
  return s;
}

void RtoTracker::on_fault_end(int site, FaultKind kind, sim::SimTime at) {
  for (auto it = incidents_.rbegin(); it != incidents_.rend(); ++it) {
    if (it->site == site && it->kind == kind && !it->end) {
      it->end = at;
      return;
    }
  }
}

void RtoTracker::on_health_change(int site, bool healthy, sim::SimTime at) {
  if (healthy) return;
  for (Incident& inc : incidents_) {
    if (inc.site == site && !inc.detected && at >= inc.start && (!inc.end || at <= *inc.end))
      inc.detected = at;
  }
}

}  // namespace models
