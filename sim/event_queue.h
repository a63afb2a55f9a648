// sim/event_queue.h: the pending-event set: a 4-ary indexed min-heap for the near future and,
// once many events are pending, a calendar ring of unsorted buckets for the rest.
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
//
// Many pending events (a closed-loop user population holds one think timer per user) would make
// every pop walk a deep heap through cold memory. Past `first_spill` pending events in the heap
// the queue splits time at `near_end_`: events before it are in the heap, events at or after it
// are appended, unsorted, to the bucket of width W that holds their time in a ring of K buckets
// (or to an overflow list beyond the ring's span). When the heap runs empty, the next non-empty
// bucket (found through a bitmap) moves into it. The heap then holds only a few dozen events, so
// a push to the far future is an append and a pop sifts a heap that fits in L1. The order is
// still exactly (time, priority, insertion sequence): every event in the heap is earlier than
// every event outside it, and the heap orders its own. W and K follow the pending events'
// spread (about kBucketTarget events a bucket); cancelling or moving a bucketed event leaves a
// stale entry that is recognised by its key and dropped when its bucket is reached. This is a
// calendar queue (Brown, CACM 31(10), 1988, https://doi.org/10.1145/63039.63045) whose current
// day is sorted by the heap, in the spirit of the ladder queue (Tang, Goh, Thng, ACM TOMACS
// 15(3), 2005, https://doi.org/10.1145/1103323.1103324).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
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

  // first_spill: heap size at which the calendar ring is first used (tests set it small).
  explicit EventQueue(std::size_t first_spill = kFirstSpill);
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

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
    Slot& s = this->slot(slot);
    s.cb = cb;
    const uint64_t prio = static_cast<uint64_t>(priority - kMinPriority);
    insert(Entry{t.ns(), (prio << 56) | next_seq_++, slot});
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

  bool empty() const { return heap_size_ == 0 && far_live_ == 0; }
  std::size_t size() const { return heap_size_ + far_live_; }
  // REQUIRES: !empty().
  SimTime top_time() {
    if (heap_size_ == 0) refill();
    return SimTime::from_ns(heap_[0].time);
  }
  // The first event's time in *t, or false if none is pending. After true, take_top() may be
  // called (the kernel's loop: one test per event where empty() and top_time() make three).
  bool peek(int64_t* t) {
    if (heap_size_ == 0) {
      if (far_live_ == 0) return false;
      refill();
    }
    *t = heap_[0].time;
    return true;
  }
  // Removes the first event; returns its callback, time and priority. REQUIRES: !empty().
  Callback pop(SimTime* t, int* priority) {
    if (heap_size_ == 0) refill();
    return take_top(t, priority);
  }
  // pop() without its refill test. REQUIRES: peek() returned true and nothing changed since.
  Callback take_top(SimTime* t, int* priority) {
    const Entry top = heap_[0];
    *t = SimTime::from_ns(top.time);
    *priority = static_cast<int>(top.key >> 56) + kMinPriority;
    Slot& s = slot(top.slot);
    Callback cb = s.cb;
    pos_[top.slot] = kFree;
    if (++s.gen == 0) s.gen = 1;  // generation 0 means "no event"
    free_slots_.push_back(top.slot);
    const Entry last = heap_[--heap_size_];
    if (heap_size_ != 0) sift_down(0, last);
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
    uint64_t far_key = 0;  // key of the slot's live bucketed entry (pos_ == kFar)
  };
  static_assert(sizeof(Slot) == 64, "the comment on pos_ states the slot size");
  static constexpr uint32_t kFree = 0xffffffffu;
  static constexpr uint32_t kFar = 0xfffffffeu;  // in the ring or the overflow list
  static constexpr uint64_t kSeqMask = (uint64_t{1} << 56) - 1;
  static constexpr std::size_t kFirstSpill = 4096;
  static constexpr int64_t kBucketTarget = 128;  // events a bucket should hold
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

  void insert(const Entry& e) {
    if (e.time < near_end_) {
      if (heap_size_ >= heap_room_ && !make_room(e)) return;
      sift_up(heap_size_++, e);
    } else {
      insert_far(e);
    }
  }
  // Called when the heap is full or past spill_at_: grows it, or re-partitions (after which e
  // may belong outside the heap: then it is placed there and the result is false).
  bool make_room(const Entry& e);
  // Appends e to the heap, growing it if needed (never re-partitions).
  void heap_push(const Entry& e) {
    if (heap_size_ == heap_capacity_) grow_heap();
    sift_up(heap_size_++, e);
  }
  void grow_heap();
  void set_spill_at(std::size_t n) {
    spill_at_ = n;
    heap_room_ = static_cast<uint32_t>(std::min<std::size_t>(heap_capacity_, spill_at_ + 1));
  }
  void insert_far(const Entry& e);
  // REQUIRES: heap_ empty and far_live_ > 0. Moves the earliest bucket into the heap.
  void refill();
  // Re-partitions every pending event with a new bucket width and ring size.
  void spill();
  void take_overflow();
  int64_t bucket_start(int64_t b) const {  // saturates at kNever
    return b > (kNever - base_) / width_ ? kNever : base_ + b * width_;
  }
  bool far_entry_live(const Entry& e) const {
    return pos_[e.slot] == kFar && slot(e.slot).far_key == e.key;
  }

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

  // The heap: a plain buffer, so its size is a counter (a vector's is a division by 24) and one
  // test, against heap_room_ = min(capacity, spill_at_ + 1), guards both growth and spilling.
  std::unique_ptr<Entry[]> heap_;
  uint32_t heap_size_ = 0;
  uint32_t heap_capacity_ = 0;
  uint32_t heap_room_ = 0;
  // Slots live in one range of address space reserved up front and committed a block at a time
  // as the pending events grow: a slot never moves, so a million pending events cost their 64 MB
  // with no doubling reserve or copy (a vector would hold up to twice that while it grows), and
  // a slot is one index away (fixed blocks behind a table of pointers cost every access one more
  // dependent load: measured, 1-2% on M/M/c). Reserving commits no memory.
  static constexpr uint32_t kSlotsPerBlock = 4096;  // 256 KB, a whole number of pages
  Slot& slot(uint32_t i) { return slots_[i]; }
  const Slot& slot(uint32_t i) const { return slots_[i]; }
  Slot* slots_ = nullptr;
  std::size_t slots_reserved_ = 0;  // slots the address range holds
  uint32_t slot_count_ = 0;         // slots in use or free (committed: rounded up to a block)
  // Heap index of each slot's entry, or kFree. Kept apart from the callbacks: every heap move
  // writes it, and a dense array of 4-byte positions stays in cache where the 64-byte slots (a
  // 48-byte Callback and its generation, padded to the Callback's 16-byte alignment) do not.
  std::vector<uint32_t> pos_;
  std::vector<uint32_t> free_slots_;
  uint64_t next_seq_ = 0;

  // The calendar ring. Bucket number b covers [base_ + b W, base_ + (b + 1) W); the ring holds
  // buckets next_bucket_ .. next_bucket_ + K - 1 at index b & (K - 1); near_end_ is the start of
  // next_bucket_ (kNever while the heap holds everything).
  int64_t near_end_ = kNever;
  int64_t base_ = 0;
  int64_t width_ = 1;
  int64_t next_bucket_ = 0;
  // A bucket is a list of chunks from one pool, so memory follows the events pending rather than
  // the most each bucket ever held; chunks come in blocks, so the pool never copies itself.
  static constexpr uint32_t kChunkEntries = 10;
  static constexpr uint32_t kChunksPerBlock = 256;
  static constexpr uint32_t kNoChunk = 0xffffffffu;
  struct Chunk {
    Entry entries[kChunkEntries];
    uint32_t next = kNoChunk;
  };
  // The tail's fill count is kept here, not in the chunk, so an append only stores to the
  // chunk (a store that misses the cache does not stall; a load would).
  struct Bucket {
    uint32_t head = kNoChunk, tail = kNoChunk, tail_count = 0;
  };
  Chunk& chunk(uint32_t c) { return chunk_blocks_[c / kChunksPerBlock][c % kChunksPerBlock]; }
  void append(std::size_t index, const Entry& e);
  // Empties ring index `index`, returning its chunks to the pool; calls f on each entry first.
  template <class F>
  void drain_bucket(std::size_t index, F f);
  std::vector<Bucket> ring_;
  std::vector<std::unique_ptr<Chunk[]>> chunk_blocks_;
  std::vector<uint32_t> free_chunks_;
  uint32_t chunks_made_ = 0;
  std::vector<uint64_t> nonempty_;  // one bit per ring index
  std::vector<Entry> overflow_;     // beyond the ring's span
  int64_t overflow_min_bucket_ = kNever;
  std::size_t ring_entries_ = 0;  // live and stale
  std::size_t far_live_ = 0;      // live events in the ring and the overflow list
  std::size_t first_spill_;
  std::size_t spill_at_;
};

}  // namespace sim
