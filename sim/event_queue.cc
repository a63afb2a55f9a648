#include "sim/event_queue.h"

#include "sim/assert.h"

namespace sim {

EventQueue::EventQueue() {
  heap_.reserve(64);
  slots_.reserve(64);
  pos_.reserve(64);
  free_slots_.reserve(64);
}

uint32_t EventQueue::new_slot() {
  slots_.emplace_back();
  pos_.push_back(kFree);
  SIM_ASSERT(slots_.size() < kFree, "too many pending events");
  return static_cast<uint32_t>(slots_.size() - 1);
}

bool EventQueue::pending(EventId id) const {
  return id.gen != 0 && id.slot < slots_.size() && slots_[id.slot].gen == id.gen &&
         pos_[id.slot] != kFree;
}

bool EventQueue::cancel(EventId id) {
  if (!pending(id)) return false;
  remove_at(pos_[id.slot]);
  release(id.slot);
  return true;
}

void EventQueue::release(uint32_t slot) {
  Slot& s = slots_[slot];
  pos_[slot] = kFree;
  if (++s.gen == 0) s.gen = 1;  // generation 0 means "no event"
  free_slots_.push_back(slot);
}

bool EventQueue::move(EventId id, SimTime t) {
  if (!pending(id)) return false;
  const uint32_t pos = pos_[id.slot];
  SIM_ASSERT(next_seq_ < kSeqMask, "event sequence overflow");
  const uint64_t prio = heap_[pos].key & ~kSeqMask;
  resift(pos, Entry{t.ns(), prio | next_seq_++, id.slot});
  return true;
}

void EventQueue::remove_at(uint32_t pos) {
  const Entry last = heap_.back();
  heap_.pop_back();
  if (pos == heap_.size()) return;
  resift(pos, last);
}

void EventQueue::resift(uint32_t pos, const Entry& e) {
  if (pos > 0 && less(e, heap_[(pos - 1) / 4])) {
    sift_up(pos, e);
  } else {
    sift_down(pos, e);
  }
}

void EventQueue::sift_down(uint32_t pos, Entry e) {
  const uint32_t n = static_cast<uint32_t>(heap_.size());
  for (;;) {
    const uint32_t first = 4 * pos + 1;
    if (first >= n) break;
    uint32_t best = first;
    const uint32_t last = first + 4 < n ? first + 4 : n;
    for (uint32_t c = first + 1; c < last; ++c) {
      if (less(heap_[c], heap_[best])) best = c;
    }
    if (!less(heap_[best], e)) break;
    place(pos, heap_[best]);
    pos = best;
  }
  place(pos, e);
}

}  // namespace sim
