// models/dr/rto_tracker.h: recovery time objectives measured, incident by incident.
//
// The SLO: over a sliding window (default 1 min) the success ratio completed / (completed +
// failed) is at least `success_ratio` (0.99) and the 95th percentile of client response times is
// at most `rt_p95` (1 s). The p95 condition is checked exactly, by nearest rank, as "at most
// n - ceil(0.95 n) of the window's n completions took longer than rt_p95" (the metrics collector
// counts those per bucket). The window is evaluated at every metrics bucket end, so RTO has the
// bucket's resolution.
//
// Every interval in which the window fails the SLO is recorded, whatever its cause, so that the
// run's total time in violation is known.
//
// An incident starts with every fault (full, partial, partition, brown-out). Its RTO runs from its
// origin -- the fault's start, or, when the SLO was already violated then, the start of that
// violation (the incident is flagged: the fault worsened a violation, it did not cause it) --
// to its recovery: the first bucket end at which the window is back within the SLO *and* the
// closed-loop users who gave up since the origin are back (no more users pausing after
// abandonment than at the origin; users who log off for good stop counting). A violation that
// begins while the fault lasts, or within one window after it ended or after the incident last
// recovered, is a collapse of the same incident: its recovery is taken back, and the RTO runs to
// the last recovery. An incident that never violated the SLO has RTO 0; one still in violation,
// or still waiting for its users, when the run ends has no RTO ("not recovered"). When the GSLB
// reports the site down, the incident records the detection time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/common/fault_target.h"
#include "models/common/ring_queue.h"
#include "models/common/site_health.h"
#include "models/metrics/metrics_collector.h"
#include "sim/recorder.h"
#include "sim/time.h"

namespace models {

struct SloConfig {
  double success_ratio = 0.99;
  sim::SimTime rt_p95 = sim::seconds(1);
  sim::SimTime window = sim::minutes(1);
};

// [start, end) of a violation of the SLO window (end: nullopt while it lasts).
struct SloInterval {
  sim::SimTime start;
  std::optional<sim::SimTime> end;
  int paused_at_start = 0;  // users pausing after abandonment when it began
};

struct Incident {
  int site = 0;
  FaultKind kind = FaultKind::kFull;
  sim::SimTime start;
  std::optional<sim::SimTime> end;        // when the fault ended
  std::optional<sim::SimTime> detected;   // the GSLB marked the site down
  std::optional<sim::SimTime> violated;   // the SLO window first failed (the origin, if earlier)
  std::optional<sim::SimTime> recovered;  // the last recovery (SLO met, users back)
  bool violated_before = false;           // the SLO was already violated at the fault's start
  int collapses = 0;                      // violations after a recovery, within the incident
  int paused_at_origin = 0;               // users pausing after abandonment at the origin
  bool slo_met_throughout() const { return !violated; }
  // Where the RTO starts: the fault, or the violation it found in progress.
  sim::SimTime origin() const { return violated_before ? *violated : start; }
  // Seconds; nullopt when the SLO was violated and never recovered.
  std::optional<double> rto_s() const;
};

class RtoTracker final : public BucketListener, public OutageObserver, public HealthListener {
 public:
  RtoTracker(const SloConfig& slo, std::vector<std::string> site_names, sim::Recorder& rec);

  void on_bucket(sim::SimTime start, sim::SimTime end, uint64_t completed, uint64_t failed,
                 uint64_t slow, int paused_users) override;
  void on_fault_begin(int site, FaultKind kind, sim::SimTime at) override;
  void on_fault_end(int site, FaultKind kind, sim::SimTime at) override;
  void on_health_change(int site, bool healthy, sim::SimTime at) override;

  const SloConfig& slo() const { return slo_; }
  const std::vector<Incident>& incidents() const { return incidents_; }
  // Every violation of the SLO window in the run, in order.
  const std::vector<SloInterval>& violations() const { return violations_; }
  // Seconds of violation within [from, to] (an interval still open ends at `to`).
  double violation_seconds(sim::SimTime from, sim::SimTime to) const;
  // Whether the window ending at the latest bucket meets the SLO (true before any traffic).
  bool within_slo() const { return within_; }

 private:
  struct Bucket {
    sim::SimTime start;
    uint64_t completed, failed, slow;
  };
  bool window_ok() const;
  void follow(Incident& inc, sim::SimTime end);

  SloConfig slo_;
  std::vector<std::string> names_;
  sim::Recorder& rec_;
  RingQueue<Bucket> window_;  // no allocation per bucket
  uint64_t completed_ = 0, failed_ = 0, slow_ = 0;
  bool within_ = true;
  int paused_ = 0;  // at the latest bucket end
  std::vector<Incident> incidents_;
  std::vector<SloInterval> violations_;
};

}  // namespace models
