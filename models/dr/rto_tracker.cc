#include "models/dr/rto_tracker.h"

#include <cmath>

#include "models/common/text.h"

namespace models {

std::optional<double> Incident::rto_s() const {
  if (!violated) return 0.0;
  if (!recovered) return std::nullopt;
  return (*recovered - start).seconds();
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
                           uint64_t failed, uint64_t slow) {
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
  for (Incident& inc : incidents_) {
    if (end <= inc.start) continue;
    if (!inc.violated) {
      const bool in_scope = !inc.end || end <= *inc.end + slo_.window;
      if (in_scope && !within_) {
        inc.violated = end;
        rec_.event(end, "dr/slo", "violated",
                   "SLO violated after " + names_[static_cast<std::size_t>(inc.site)] + " " +
                       fault_kind_name(inc.kind) + " fault",
                   sim::EventDetails()
                       .add("site", names_[static_cast<std::size_t>(inc.site)])
                       .add("fault", fault_kind_name(inc.kind))
                       .add("fault_start_s", inc.start.seconds()));
      }
    } else if (!inc.recovered && within_) {
      inc.recovered = end;
      const std::string& site = names_[static_cast<std::size_t>(inc.site)];
      const double rto = (end - inc.start).seconds();
      rec_.event(end, "dr/slo", "recovered",
                 "SLO met again: RTO " + fixed(rto, 0) + " s after the " + site + " " +
                     fault_kind_name(inc.kind) + " fault",
                 sim::EventDetails()
                     .add("site", site)
                     .add("fault", fault_kind_name(inc.kind))
                     .add("rto_s", rto));
    }
  }
}

void RtoTracker::on_fault_begin(int site, FaultKind kind, sim::SimTime at) {
  Incident inc;
  inc.site = site;
  inc.kind = kind;
  inc.start = at;
  incidents_.push_back(inc);
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
