#include "sim/event_queue.h"

#include <algorithm>
#include <bit>
#include <memory>

#include <sys/mman.h>

#include "sim/assert.h"

namespace sim {

EventQueue::EventQueue(std::size_t first_spill) : first_spill_(first_spill) {
  heap_capacity_ = 64;
  heap_ = std::make_unique<Entry[]>(heap_capacity_);
  set_spill_at(first_spill);
  pos_.reserve(64);
  free_slots_.reserve(64);
}

EventQueue::~EventQueue() {
  if (slots_ != nullptr) munmap(slots_, slots_reserved_ * sizeof(Slot));
}

uint32_t EventQueue::new_slot() {
  if (slot_count_ % kSlotsPerBlock == 0) {
    if (slots_ == nullptr) {
      // As much address space as the system lends (a process limit or valgrind may lend less):
      // 16 GB, 268 million pending events, first.
      for (std::size_t n = std::size_t{1} << 28; slots_ == nullptr && n >= kSlotsPerBlock; n /= 2) {
        void* p = mmap(nullptr, n * sizeof(Slot), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
          slots_ = static_cast<Slot*>(p);
          slots_reserved_ = n;
        }
      }
    }
    SIM_ASSERT(slots_ != nullptr && slot_count_ + kSlotsPerBlock <= slots_reserved_,
               "too many pending events (no address space left for their slots)");
    Slot* block = slots_ + slot_count_;
    const int committed = mprotect(block, kSlotsPerBlock * sizeof(Slot), PROT_READ | PROT_WRITE);
    SIM_ASSERT(committed == 0, "out of memory for pending events");
    std::uninitialized_default_construct_n(block, kSlotsPerBlock);
  }
  pos_.push_back(kFree);
  return slot_count_++;
}

bool EventQueue::pending(EventId id) const {
  return id.gen != 0 && id.slot < slot_count_ && slot(id.slot).gen == id.gen &&
         pos_[id.slot] != kFree;
}

bool EventQueue::cancel(EventId id) {
  if (!pending(id)) return false;
  if (pos_[id.slot] == kFar) {
    --far_live_;  // its entry stays behind, stale, until its bucket is reached
  } else {
    remove_at(pos_[id.slot]);
  }
  release(id.slot);
  return true;
}

void EventQueue::release(uint32_t slot) {
  Slot& s = this->slot(slot);
  pos_[slot] = kFree;
  if (++s.gen == 0) s.gen = 1;  // generation 0 means "no event"
  free_slots_.push_back(slot);
}

bool EventQueue::move(EventId id, SimTime t) {
  if (!pending(id)) return false;
  const uint32_t pos = pos_[id.slot];
  SIM_ASSERT(next_seq_ < kSeqMask, "event sequence overflow");
  if (pos == kFar) {
    --far_live_;  // the old entry goes stale
    insert(Entry{t.ns(), (slot(id.slot).far_key & ~kSeqMask) | next_seq_++, id.slot});
    return true;
  }
  const Entry e{t.ns(), (heap_[pos].key & ~kSeqMask) | next_seq_++, id.slot};
  if (e.time < near_end_) {
    resift(pos, e);
  } else {
    remove_at(pos);
    insert_far(e);
  }
  return true;
}

void EventQueue::insert_far(const Entry& e) {
  ++far_live_;
  pos_[e.slot] = kFar;
  slot(e.slot).far_key = e.key;
  const int64_t b = (e.time - base_) / width_;
  if (b < next_bucket_ + static_cast<int64_t>(ring_.size())) {
    append(static_cast<std::size_t>(b) & (ring_.size() - 1), e);
  } else {
    overflow_.push_back(e);
    overflow_min_bucket_ = std::min(overflow_min_bucket_, b);
  }
}

void EventQueue::append(std::size_t index, const Entry& e) {
  Bucket& b = ring_[index];
  if (b.tail == kNoChunk || b.tail_count == kChunkEntries) {
    uint32_t c;
    if (!free_chunks_.empty()) {
      c = free_chunks_.back();
      free_chunks_.pop_back();
    } else {
      if (chunks_made_ % kChunksPerBlock == 0) {
        chunk_blocks_.push_back(std::make_unique<Chunk[]>(kChunksPerBlock));
      }
      c = chunks_made_++;
    }
    chunk(c).next = kNoChunk;
    if (b.tail == kNoChunk) {
      b.head = c;
      nonempty_[index / 64] |= uint64_t{1} << (index % 64);
    } else {
      chunk(b.tail).next = c;
    }
    b.tail = c;
    b.tail_count = 0;
  }
  chunk(b.tail).entries[b.tail_count++] = e;
  ++ring_entries_;
}

template <class F>
void EventQueue::drain_bucket(std::size_t index, F f) {
  Bucket& b = ring_[index];
  for (uint32_t c = b.head; c != kNoChunk;) {
    Chunk& ch = chunk(c);
    const uint32_t count = c == b.tail ? b.tail_count : kChunkEntries;
    for (uint32_t j = 0; j < count; ++j) f(ch.entries[j]);
    ring_entries_ -= count;
    free_chunks_.push_back(c);
    c = ch.next;
  }
  b = Bucket{};
  nonempty_[index / 64] &= ~(uint64_t{1} << (index % 64));
}

void EventQueue::refill() {
  SIM_ASSERT(far_live_ > 0, "pop from an empty event queue");
  while (heap_size_ == 0) {
    if (far_live_ < first_spill_ / 8 || ring_entries_ == 0) {
      spill();  // few left (back to the heap alone), or only the overflow list: re-partition
      continue;
    }
    // The first non-empty ring index at or after next_bucket_'s, circularly.
    const std::size_t k = ring_.size();
    const std::size_t start = static_cast<std::size_t>(next_bucket_) & (k - 1);
    std::size_t word = start / 64;
    uint64_t bits = nonempty_[word] & (~uint64_t{0} << (start % 64));
    while (bits == 0) {
      word = (word + 1) % nonempty_.size();
      bits = nonempty_[word];
    }
    const std::size_t index = word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
    const int64_t bucket = next_bucket_ + static_cast<int64_t>((index + k - start) & (k - 1));
    if (overflow_min_bucket_ <= bucket) {
      take_overflow();  // some overflow entry belongs at or before this bucket
      continue;
    }
    next_bucket_ = bucket + 1;
    near_end_ = bucket_start(next_bucket_);
    // These events run soon: start loading their slots, then what their callbacks will touch,
    // so that the cache misses of a whole bucket overlap instead of one per event as it runs.
    const Bucket& b = ring_[index];
    for (uint32_t c = b.head; c != kNoChunk; c = chunk(c).next) {
      const Chunk& ch = chunk(c);
      const uint32_t count = c == b.tail ? b.tail_count : kChunkEntries;
      for (uint32_t j = 0; j < count; ++j) {
        __builtin_prefetch(&pos_[ch.entries[j].slot]);
        __builtin_prefetch(&slot(ch.entries[j].slot));
      }
    }
    drain_bucket(index, [this](const Entry& e) {
      if (!far_entry_live(e)) return;
      --far_live_;
      slot(e.slot).cb.prefetch();
      heap_push(e);
    });
  }
  if (heap_size_ > spill_at_) spill();
}

void EventQueue::take_overflow() {
  const int64_t ring_end = next_bucket_ + static_cast<int64_t>(ring_.size());
  overflow_min_bucket_ = kNever;
  std::size_t kept = 0;
  for (const Entry& e : overflow_) {
    if (!far_entry_live(e)) continue;
    const int64_t b = (e.time - base_) / width_;
    if (b < ring_end) {
      append(static_cast<std::size_t>(b) & (ring_.size() - 1), e);
    } else {
      overflow_[kept++] = e;
      overflow_min_bucket_ = std::min(overflow_min_bucket_, b);
    }
  }
  overflow_.resize(kept);
}

void EventQueue::spill() {
  // Gather every pending event (dropping stale bucket entries).
  std::vector<Entry> all;  // freed on return: a spill is rare, its peak should not stay
  all.reserve(heap_size_ + far_live_);
  all.assign(heap_.get(), heap_.get() + heap_size_);
  heap_size_ = 0;
  for (std::size_t i = 0; i < ring_.size(); ++i) {
    drain_bucket(i, [this, &all](const Entry& e) {
      if (far_entry_live(e)) all.push_back(e);
    });
  }
  for (const Entry& e : overflow_) {
    if (far_entry_live(e)) all.push_back(e);
  }
  overflow_.clear();
  overflow_min_bucket_ = kNever;
  ring_entries_ = 0;
  far_live_ = 0;
  const std::size_t n = all.size();
  if (n < first_spill_ / 2) {  // few events: the heap alone
    near_end_ = kNever;
    set_spill_at(first_spill_);
    for (const Entry& e : all) {
      heap_push(e);
    }
    return;
  }
  // Bucket width from the spread of the earliest events: a quarter of them lie within q of the
  // first, so about n / (4 q) events per nanosecond there; W gives kBucketTarget of them a bucket.
  int64_t first = kNever;
  for (const Entry& e : all) first = std::min(first, e.time);
  std::vector<int64_t> gaps;
  const std::size_t stride = n / 4096 + 1;
  for (std::size_t i = 0; i < n; i += stride) gaps.push_back(all[i].time - first);
  auto quarter = gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 4);
  std::nth_element(gaps.begin(), quarter, gaps.end());
  int64_t spread = *quarter;
  if (spread == 0) spread = *std::max_element(gaps.begin(), gaps.end()) / 4;
  const double per_ns =
      static_cast<double>(n) / 4.0 / static_cast<double>(std::max<int64_t>(1, spread));
  width_ = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(kBucketTarget) / per_ns));
  // Ring of about 4 n / kBucketTarget buckets (a power of two).
  const std::size_t k = std::bit_ceil(std::clamp<std::size_t>(4 * n / kBucketTarget, 64, 1u << 20));
  if (ring_.size() != k) {
    ring_.resize(k);
    nonempty_.assign(k / 64, 0);
  }
  base_ = first;
  next_bucket_ = 1;
  near_end_ = bucket_start(1);
  for (const Entry& e : all) {
    if (e.time < near_end_) {
      heap_push(e);
    } else {
      insert_far(e);
    }
  }
  // A heap that stays large after a re-partition holds ties a narrower bucket cannot split:
  // do not re-partition again until it doubles.
  set_spill_at(std::max<std::size_t>(16 * kBucketTarget, 2 * std::size_t{heap_size_}));
}

bool EventQueue::make_room(const Entry& e) {
  if (heap_size_ > spill_at_) {
    spill();
    if (e.time >= near_end_) {
      insert_far(e);
      return false;
    }
  }
  if (heap_size_ == heap_capacity_) grow_heap();
  return true;
}

void EventQueue::grow_heap() {
  SIM_ASSERT(heap_capacity_ <= kFar / 2, "too many pending events");
  auto bigger = std::make_unique<Entry[]>(std::size_t{heap_capacity_} * 2);
  std::copy(heap_.get(), heap_.get() + heap_size_, bigger.get());
  heap_ = std::move(bigger);
  heap_capacity_ *= 2;
  set_spill_at(spill_at_);
}

void EventQueue::remove_at(uint32_t pos) {
  const Entry last = heap_[--heap_size_];
  if (pos == heap_size_) return;
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
  const uint32_t n = heap_size_;
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
