#include "sim/assert.h"

#include <cstdio>
#include <cstdlib>

namespace sim::detail {

void assert_fail(const char* cond, const char* msg, const char* file, int line) {
  std::fprintf(stderr, "hcsim: internal error: %s (%s) at %s:%d\n", msg, cond, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace sim::detail
