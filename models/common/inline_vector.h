// models/common/inline_vector.h: a vector of trivially copyable elements whose first N live
// inside the object; past N they move to the heap (doubling, never shrinking).
//
// A pod's requests in service are usually few (a pod near its target utilisation serves one to
// three at a time), and with thousands of pods every separate allocation is one more cache miss
// per request. Keeping the first few inside the pod puts them in the cache lines the pod's
// completion already prefetches.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

#include "sim/assert.h"

namespace models {

template <class T, uint32_t N>
class InlineVector {
  static_assert(std::is_trivially_copyable_v<T>, "elements are moved with memcpy");
  static_assert(N > 0, "at least one element inline");

 public:
  InlineVector() : data_(reinterpret_cast<T*>(inline_)) {}
  InlineVector(const InlineVector&) = delete;
  InlineVector& operator=(const InlineVector&) = delete;

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return cap_; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& front() { return data()[0]; }
  const T& front() const { return data()[0]; }
  T& back() { return data()[size_ - 1]; }
  T& operator[](std::size_t i) { return data()[i]; }
  const T& operator[](std::size_t i) const { return data()[i]; }

  void push_back(const T& v) {
    const T copy = v;  // v may be an element of this vector, and grow() moves them
    if (size_ == cap_) grow();
    data()[size_++] = copy;
  }
  void pop_back() {
    SIM_ASSERT(size_ > 0, "pop_back on an empty vector");
    --size_;
  }
  void clear() { size_ = 0; }

 private:
  // A pointer to wherever the elements are (no branch on every access; the object never moves:
  // copying is deleted, and so is moving).
  T* data() { return data_; }
  const T* data() const { return data_; }
  void grow() {
    SIM_ASSERT(cap_ <= UINT32_MAX / 2, "vector too large");
    std::unique_ptr<T[]> bigger(new T[std::size_t{cap_} * 2]);  // not zeroed: written before read
    std::memcpy(static_cast<void*>(bigger.get()), data(), sizeof(T) * size_);
    heap_ = std::move(bigger);
    data_ = heap_.get();
    cap_ *= 2;
  }

  T* data_;
  std::unique_ptr<T[]> heap_;  // null while the elements fit inline
  uint32_t size_ = 0;
  uint32_t cap_ = N;
  alignas(T) unsigned char inline_[sizeof(T) * N];
};

}  // namespace models
