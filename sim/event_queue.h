// sim/event_queue.h: the pending-event set, a 4-ary indexed min-heap.
//
// Events are ordered by (time, priority, insertion sequence): two events at the same time run in
// priority order (lower first), then in the order they were scheduled. The order never depends
// on addresses or hash iteration, so a run is reproducible bit for bit.
//
// Callbacks live in a slot pool that is reused: after warm-up, push/pop/cancel do not allocate.
// Each slot remembers its heap position, so cancel removes the entry at once (O(log n)) and the
// heap never holds dead events, and move re-sifts it where it is (a pod's completion moves on
// every admission). An EventId carries a generation so a stale id cancels or moves nothing.
// Measured and not kept (docs/performance.md): binary and 8-ary heaps, a branch-free sift-down,
// bottom-up (Floyd) sift-down, leaving a running event's entry for its successor to replace.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/assert.h"
#include "sim/callback.h"
#include "sim/time.h"

namespace sim {

struct EventId {
  uint32_t slot = 0;
  uint32_t gen = 0;  // 0 = no event
  explicit operator bool() const { return gen != 0; }
  friend bool operator==(EventId, EventId) = default;
};

class EventQueue {
 public:
  static constexpr int kMinPriority = -128;
  static constexpr int kMaxPriority = 127;

  EventQueue();

  // REQUIRES: kMinPriority <= priority <= kMaxPriority.
  EventId push(SimTime t, int priority, const Callback& cb) {
    SIM_ASSERT(static_cast<unsigned>(priority - kMinPriority) <= 255u && next_seq_ < kSeqMask,
               "event priority out of range or sequence overflow");
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = new_slot();
    }
    Slot& s = slots_[slot];
    s.cb = cb;
    const uint64_t prio = static_cast<uint64_t>(priority - kMinPriority);
    heap_.emplace_back();
    sift_up(static_cast<uint32_t>(heap_.size() - 1),
            Entry{t.ns(), (prio << 56) | next_seq_++, slot});
    return EventId{slot, s.gen};
  }
  // Removes a pending event. Returns false if it already ran, was cancelled or is invalid.
  bool cancel(EventId id);
  // Moves a pending event to time t, keeping its callback, priority and id. It is ordered exactly
  // as if it had been cancelled and pushed again now (it takes a new insertion sequence), so the
  // run is the same event for event; it costs one sift instead of a removal and an insertion.
  // Returns false (and does nothing) if the event is not pending.
  bool move(EventId id, SimTime t);
  bool pending(EventId id) const;

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  // REQUIRES: !empty().
  SimTime top_time() const { return SimTime::from_ns(heap_[0].time); }
  // Removes the first event; returns its callback, time and priority. REQUIRES: !empty().
  Callback pop(SimTime* t, int* priority) {
    const Entry top = heap_[0];
    *t = SimTime::from_ns(top.time);
    *priority = static_cast<int>(top.key >> 56) + kMinPriority;
    Slot& s = slots_[top.slot];
    Callback cb = s.cb;
    pos_[top.slot] = kFree;
    if (++s.gen == 0) s.gen = 1;  // generation 0 means "no event"
    free_slots_.push_back(top.slot);
    const Entry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0, last);
    return cb;
  }

 private:
  struct Entry {
    int64_t time;
    uint64_t key;  // priority in the top 8 bits, insertion sequence below
    uint32_t slot;
  };
  struct Slot {
    Callback cb;
    uint32_t gen = 1;
  };
  static_assert(sizeof(Slot) == 64, "the comment on pos_ states the slot size");
  static constexpr uint32_t kFree = 0xffffffffu;
  static constexpr uint64_t kSeqMask = (uint64_t{1} << 56) - 1;

  static bool less(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.key < b.key);
  }
  void place(uint32_t pos, const Entry& e) {
    heap_[pos] = e;
    pos_[e.slot] = pos;
  }
  void sift_up(uint32_t pos, Entry e) {
    while (pos > 0) {
      const uint32_t parent = (pos - 1) / 4;
      if (!less(e, heap_[parent])) break;
      place(pos, heap_[parent]);
      pos = parent;
    }
    place(pos, e);
  }
  void sift_down(uint32_t pos, Entry e);
  // Puts e at pos, then sifts it whichever way it needs to go.
  void resift(uint32_t pos, const Entry& e);
  void remove_at(uint32_t pos);
  void release(uint32_t slot);
  uint32_t new_slot();

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  // Heap index of each slot's entry, or kFree. Kept apart from the callbacks: every heap move
  // writes it, and a dense array of 4-byte positions stays in cache where the 64-byte slots (a
  // 48-byte Callback and its generation, padded to the Callback's 16-byte alignment) do not.
  std::vector<uint32_t> pos_;
  std::vector<uint32_t> free_slots_;
  uint64_t next_seq_ = 0;
};

}  // namespace sim
