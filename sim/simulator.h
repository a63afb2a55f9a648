// sim/simulator.h: the discrete-event kernel. A plain object (no singleton), so several
// simulations can run side by side in one process, one per thread.
//
// Clock + event queue: schedule_at / schedule_in / cancel / run_until / now. Events at the same
// time run by (priority, insertion order). The kernel knows nothing about clouds.
//
// Fingerprint: a running hash over (time, priority) of every executed event, OMNeT++-style; any
// change in model behaviour changes some event's time or order and so the fingerprint.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>

#include "sim/assert.h"
#include "sim/callback.h"
#include "sim/event_queue.h"
#include "sim/time.h"

namespace sim {

class Simulator {
 public:
  // Priorities for events that must run before or after ordinary events at the same instant.
  static constexpr int kPriorityFirst = -100;  // e.g. metric bucket boundaries
  static constexpr int kPriorityNormal = 0;
  static constexpr int kPriorityLast = 100;

  Simulator() = default;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  SimTime now() const { return now_; }

  // REQUIRES: t >= now().
  EventId schedule_at(SimTime t, const Callback& cb, int priority = kPriorityNormal) {
    SIM_ASSERT(t >= now_, "event scheduled in the past");
    return queue_.push(t, priority, cb);
  }
  // REQUIRES: dt >= 0.
  EventId schedule_in(SimTime dt, const Callback& cb, int priority = kPriorityNormal) {
    return schedule_at(now_ + dt, cb, priority);
  }
  // Returns true if the event was pending and is now removed.
  bool cancel(EventId id) { return queue_.cancel(id); }
  // Moves a pending event to time t (same callback, priority and id); ordered as if cancelled
  // and scheduled again now. Returns false if it is not pending. REQUIRES: t >= now().
  bool reschedule(EventId id, SimTime t) {
    SIM_ASSERT(t >= now_, "event rescheduled into the past");
    return queue_.move(id, t);
  }
  bool pending(EventId id) const { return queue_.pending(id); }

  enum class RunStatus { kReachedEnd, kEventBudget, kStopped };
  // Executes events with time < end in order. Returns kReachedEnd (now() == end) when none is
  // left before end, kEventBudget after max_events events, kStopped after stop() or when the
  // stop flag is set (both leave now() at the last event).
  RunStatus run_until(SimTime end, uint64_t max_events = std::numeric_limits<uint64_t>::max());
  // Asks run_until to return after the current event.
  void stop() { stop_requested_ = true; }
  // An external flag (for example set by a signal handler) checked every 4096 events.
  void set_stop_flag(const std::atomic<bool>* flag) { stop_flag_ = flag; }

  uint64_t events_executed() const { return executed_; }
  std::size_t events_pending() const { return queue_.size(); }
  uint64_t fingerprint() const { return fingerprint_; }

 private:
  EventQueue queue_;
  SimTime now_;
  uint64_t executed_ = 0;
  uint64_t fingerprint_ = 0xcbf29ce484222325ull;
  bool stop_requested_ = false;
  const std::atomic<bool>* stop_flag_ = nullptr;
};

}  // namespace sim
