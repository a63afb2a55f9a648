// sim/assert.h: invariant checks that stay active in release builds (like xbt_assert, IM_ASSERT).
// A failed SIM_ASSERT is a bug in hcsim, never a user error: user errors are reported by the
// scenario loader before t=0. It prints the condition, the message and the location, then aborts.
#pragma once

namespace sim::detail {
[[noreturn]] void assert_fail(const char* cond, const char* msg, const char* file, int line);
}  // namespace sim::detail

#define SIM_ASSERT(cond, msg)                                       \
  do {                                                              \
    if (__builtin_expect(!(cond), 0)) {                             \
      ::sim::detail::assert_fail(#cond, (msg), __FILE__, __LINE__); \
    }                                                               \
  } while (0)
