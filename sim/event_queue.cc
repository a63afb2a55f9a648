#include "sim/event_queue.h"

#include "sim/assert.h"

namespace sim {

EventQueue::EventQueue() {
  heap_.reserve(64);
  slots_.reserve(64);
  free_slots_.reserve(64);
}

EventId EventQueue::push(SimTime t, int priority, Callback cb) {
  SIM_ASSERT(priority >= kMinPriority && priority <= kMaxPriority, "event priority out of range");
  SIM_ASSERT(next_seq_ < kSeqMask, "event sequence number overflow");
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.cb = cb;
  const uint64_t prio = static_cast<uint64_t>(priority - kMinPriority);
  const Entry e{t.ns(), (prio << 56) | next_seq_++, slot};
  heap_.emplace_back();
  sift_up(static_cast<uint32_t>(heap_.size() - 1), e);
  return EventId{slot, s.gen};
}

bool EventQueue::pending(EventId id) const {
  return id.gen != 0 && id.slot < slots_.size() && slots_[id.slot].gen == id.gen &&
         slots_[id.slot].pos != kFree;
}

bool EventQueue::cancel(EventId id) {
  if (!pending(id)) return false;
  remove_at(slots_[id.slot].pos);
  release(id.slot);
  return true;
}

Callback EventQueue::pop(SimTime* t, int* priority) {
  SIM_ASSERT(!heap_.empty(), "pop from an empty event queue");
  const Entry top = heap_[0];
  *t = SimTime::from_ns(top.time);
  *priority = static_cast<int>(top.key >> 56) + kMinPriority;
  Callback cb = slots_[top.slot].cb;
  remove_at(0);
  release(top.slot);
  return cb;
}

void EventQueue::release(uint32_t slot) {
  Slot& s = slots_[slot];
  s.pos = kFree;
  if (++s.gen == 0) s.gen = 1;  // generation 0 means "no event"
  free_slots_.push_back(slot);
}

void EventQueue::remove_at(uint32_t pos) {
  const Entry last = heap_.back();
  heap_.pop_back();
  if (pos == heap_.size()) return;
  // The moved entry may need to go either way.
  if (pos > 0 && less(last, heap_[(pos - 1) / 4])) {
    sift_up(pos, last);
  } else {
    sift_down(pos, last);
  }
}

void EventQueue::sift_up(uint32_t pos, Entry e) {
  while (pos > 0) {
    const uint32_t parent = (pos - 1) / 4;
    if (!less(e, heap_[parent])) break;
    place(pos, heap_[parent]);
    pos = parent;
  }
  place(pos, e);
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
