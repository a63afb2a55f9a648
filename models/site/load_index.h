// models/site/load_index.h: which pod a least-request balancer picks, without scanning the pods.
//
// The balancer's rule (Site::least_loaded): the pod with the fewest requests (in service +
// queued); among equals, the first at or after a rotating start position, wrapping around. The
// index keeps, for every load level, a bitset of the endpoint positions at that level, and the
// lowest non-empty level. A pick reads one bitset from the start position (a few 64-bit words
// for a few hundred pods) instead of every pod's load, and gives the same pod as the scan.
//
// Loads are small integers bounded by concurrency + queue, and change by one at a time, so the
// lowest level moves by at most a step or two per update. A new endpoint is appended; a removed
// one shifts the positions after it, and the caller then resets the index.
//
// Memory: levels x ceil(positions / 64) words. The site uses the index only when that stays
// small (usable()); otherwise it scans.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/assert.h"

namespace models {

class LoadIndex {
 public:
  // An index for loads in [0, levels). levels = 0 makes an index that is never usable.
  explicit LoadIndex(int levels = 0);

  // Whether the index can hold `positions` endpoints without using too much memory.
  bool usable(std::size_t positions) const;
  // Clears the index and sizes it for `positions` positions, all at level 0 (the caller then
  // sets the ones that are not). REQUIRES: usable(positions).
  void reset(std::size_t positions);
  // Adds a position after the last one, at level 0 (the caller then sets it). Amortised O(1):
  // the rows grow by doubling. REQUIRES: usable(positions() + 1).
  void append();
  std::size_t positions() const { return level_of_.size(); }
  // Position pos is now at level `load`. REQUIRES: pos < the number of positions, 0 <= load <
  // levels. Inline: pods call it on every arrival and departure.
  void set(std::size_t pos, int load) {
    SIM_ASSERT(pos < level_of_.size() && load >= 0 && load < levels_, "load index update");
    const int old = level_of_[pos];
    if (old == load) return;
    const uint64_t bit = uint64_t{1} << (pos % 64);
    row(old)[pos / 64] &= ~bit;
    row(load)[pos / 64] |= bit;
    --count_[static_cast<std::size_t>(old)];
    ++count_[static_cast<std::size_t>(load)];
    level_of_[pos] = load;
    if (load < min_) {
      min_ = load;
    } else {
      while (count_[static_cast<std::size_t>(min_)] == 0) ++min_;  // some position is at `load`
    }
  }
  // The first position at the lowest load level, searching from `start` and wrapping.
  // REQUIRES: start < the number of positions.
  std::size_t first_least(std::size_t start) const;

  int levels() const { return levels_; }

 private:
  uint64_t* row(int level) { return &bits_[static_cast<std::size_t>(level) * words_]; }
  const uint64_t* row(int level) const { return &bits_[static_cast<std::size_t>(level) * words_]; }

  int levels_;
  std::size_t words_ = 0;        // 64-bit words per level
  std::vector<uint64_t> bits_;   // levels_ rows of words_ words
  std::vector<uint32_t> count_;  // positions per level
  std::vector<int> level_of_;    // level of each position
  int min_ = 0;                  // lowest non-empty level (when positions() > 0)
};

}  // namespace models
