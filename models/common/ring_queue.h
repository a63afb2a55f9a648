// models/common/ring_queue.h: a FIFO ring buffer that grows by doubling and never shrinks, so a
// queue that has reached its working size stops allocating (std::deque allocates and frees
// blocks as it moves). Nothing is allocated until the first push: every pod has queues that
// most pods never use.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/assert.h"

namespace models {

template <class T>
class RingQueue {
 public:
  RingQueue() = default;

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  void push_back(const T& v) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & (buf_.size() - 1)] = v;
    ++size_;
  }
  T pop_front() {
    SIM_ASSERT(size_ > 0, "pop from an empty queue");
    T v = buf_[head_];
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
    return v;
  }
  const T& front() const { return buf_[head_]; }
  // i-th element from the front. REQUIRES: i < size().
  const T& operator[](std::size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }
  T& operator[](std::size_t i) { return buf_[(head_ + i) & (buf_.size() - 1)]; }
  void clear() { head_ = size_ = 0; }

 private:
  static constexpr std::size_t kFirstCapacity = 16;  // a power of two, as every capacity
  void grow() {
    std::vector<T> bigger(buf_.empty() ? kFirstCapacity : buf_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
    buf_.swap(bigger);
    head_ = 0;
  }

  std::vector<T> buf_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace models
