#include "models/site/load_index.h"

#include <algorithm>
#include <bit>

#include "sim/assert.h"

namespace models {

namespace {
// At most this many words (8 MiB) of bitsets; beyond it the site scans instead.
constexpr std::size_t kMaxWords = std::size_t{1} << 20;
}  // namespace

LoadIndex::LoadIndex(int levels) : levels_(std::max(levels, 0)) {}

bool LoadIndex::usable(std::size_t positions) const {
  if (levels_ == 0) return false;
  const std::size_t words = (positions + 63) / 64;
  return words <= kMaxWords / static_cast<std::size_t>(levels_);
}

void LoadIndex::reset(std::size_t positions) {
  SIM_ASSERT(usable(positions), "load index too large");
  words_ = (positions + 63) / 64;
  bits_.assign(static_cast<std::size_t>(levels_) * words_, 0);
  for (std::size_t pos = 0; pos < positions; ++pos) bits_[pos / 64] |= uint64_t{1} << (pos % 64);
  count_.assign(static_cast<std::size_t>(levels_), 0);
  count_[0] = static_cast<uint32_t>(positions);
  level_of_.assign(positions, 0);
  min_ = 0;
}

void LoadIndex::append() {
  const std::size_t pos = level_of_.size();
  SIM_ASSERT(usable(pos + 1), "load index too large");
  if (pos / 64 >= words_) {  // re-lay the rows out with twice the words (the new ones empty)
    const std::size_t wider = std::max<std::size_t>(1, 2 * words_);
    std::vector<uint64_t> bits(static_cast<std::size_t>(levels_) * wider, 0);
    for (std::size_t l = 0; l < static_cast<std::size_t>(levels_) && words_ > 0; ++l) {
      std::copy_n(bits_.data() + l * words_, words_, bits.data() + l * wider);
    }
    bits_.swap(bits);
    words_ = wider;
  }
  bits_[pos / 64] |= uint64_t{1} << (pos % 64);
  ++count_[0];
  level_of_.push_back(0);
  min_ = 0;
}

std::size_t LoadIndex::first_least(std::size_t start) const {
  SIM_ASSERT(start < level_of_.size(), "load index search outside the positions");
  const uint64_t* r = row(min_);
  const std::size_t w0 = start / 64;
  // Bits at or after start in its word, then the following words, then wrap to the beginning
  // (ending with the bits before start in the first word).
  uint64_t w = r[w0] & (~uint64_t{0} << (start % 64));
  if (w != 0) return w0 * 64 + static_cast<std::size_t>(std::countr_zero(w));
  for (std::size_t k = w0 + 1; k < words_; ++k) {
    if (r[k] != 0) return k * 64 + static_cast<std::size_t>(std::countr_zero(r[k]));
  }
  for (std::size_t k = 0; k <= w0; ++k) {
    if (r[k] != 0) return k * 64 + static_cast<std::size_t>(std::countr_zero(r[k]));
  }
  SIM_ASSERT(false, "load index: the lowest level is empty");
  return 0;
}

}  // namespace models
