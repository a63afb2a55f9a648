// sim/callback.h: the kernel's event action, a small callable stored inline.
//
// Callback holds any trivially copyable callable of up to kCapacity bytes (a lambda capturing a
// `this` pointer and a few integers or SimTimes) without touching the heap, so scheduling an
// event never allocates. The static_asserts turn a capture that would allocate (a std::string,
// a std::vector) into a compile error: keep such payloads in the component and capture an index.
//
// A callable may also have a `void prefetch() const` member that prefetches what it will touch
// (a user's record, say). The event queue calls it when the event comes near the front, well
// before it runs, so that memory is in cache by then (see EventQueue::refill). The hook lives in
// the Callback's alignment padding: it costs no space.
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace sim {

class Callback {
 public:
  static constexpr std::size_t kCapacity = 32;

  Callback() = default;

  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Callback>>>
  Callback(F f) {  // NOLINT(google-explicit-constructor): lambdas convert implicitly
    static_assert(sizeof(F) <= kCapacity, "event callback captures too much; capture an index");
    static_assert(alignof(F) <= alignof(std::max_align_t), "over-aligned event callback");
    static_assert(std::is_trivially_copyable_v<F> && std::is_trivially_destructible_v<F>,
                  "event callbacks must be trivially copyable (capture pointers and numbers)");
    ::new (static_cast<void*>(storage_)) F(std::move(f));
    invoke_ = [](void* p) { (*static_cast<F*>(p))(); };
    if constexpr (requires(const F& g) { g.prefetch(); }) {
      prefetch_ = [](const void* p) { static_cast<const F*>(p)->prefetch(); };
    }
  }

  explicit operator bool() const { return invoke_ != nullptr; }
  void operator()() { invoke_(storage_); }
  // Prefetches what the callable will touch, if it says how.
  void prefetch() const {
    if (prefetch_ != nullptr) prefetch_(storage_);
  }

 private:
  alignas(std::max_align_t) unsigned char storage_[kCapacity];  // written before it is read
  void (*invoke_)(void*) = nullptr;
  void (*prefetch_)(const void*) = nullptr;
};
static_assert(sizeof(Callback) == 48, "the prefetch hook fits in the alignment padding");

}  // namespace sim
