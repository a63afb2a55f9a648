#include "sim/simulator.h"

#include "sim/assert.h"

namespace sim {

Simulator::RunStatus Simulator::run_until(SimTime end, uint64_t max_events) {
  stop_requested_ = false;
  uint64_t budget = max_events;
  int64_t next;
  while (queue_.peek(&next) && next < end.ns()) {
    if (budget == 0) return RunStatus::kEventBudget;
    --budget;
    int priority;
    Callback cb = queue_.take_top(&now_, &priority);
    ++executed_;
    // Mix (time, priority) into the fingerprint (a multiply-xorshift, cheap and order-sensitive).
    uint64_t h = fingerprint_ ^ static_cast<uint64_t>(now_.ns());
    h *= 0x9e3779b97f4a7c15ull;
    h ^= static_cast<uint64_t>(priority + 128) << 17;
    fingerprint_ = h ^ (h >> 29);
    cb();
    if (stop_requested_) return RunStatus::kStopped;
    if (stop_flag_ != nullptr && (executed_ & 4095) == 0 &&
        stop_flag_->load(std::memory_order_relaxed)) {
      return RunStatus::kStopped;
    }
  }
  if (now_ < end) now_ = end;
  return RunStatus::kReachedEnd;
}

}  // namespace sim
