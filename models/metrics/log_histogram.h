// models/metrics/log_histogram.h: response-time histograms.
//
// LogHistogram: log-linear bins over nanoseconds (HDR-histogram style): values below 32 ns are
// exact, above that each power of two is split into 32 equal bins, so a bin's width is at most
// 1/32 of its lower edge (quantiles within about 1.6% after interpolation). 1888 bins cover up to
// 2^63 ns. Adding a value is a few integer operations; clear() and merge() touch only the range
// of bins in use.
//
// TmapBins: the coarser bins stored per bucket for the T-map (response time on y): 4 bins per
// power of two from 2^20 ns (1.05 ms) to 2^37 ns (137 s), plus one bin below and one above.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <span>

namespace models {

class LogHistogram {
 public:
  static constexpr int kSubBits = 5;
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kBins = (63 - kSubBits + 1) * kSub;  // 1888

  static int bin_of(int64_t v) {
    if (v < kSub) return v < 0 ? 0 : static_cast<int>(v);
    const int e = 63 - std::countl_zero(static_cast<uint64_t>(v));
    return (e - kSubBits + 1) * kSub + static_cast<int>((v >> (e - kSubBits)) & (kSub - 1));
  }
  static int64_t bin_lo(int b) {
    if (b < kSub) return b;
    const int e = b / kSub + kSubBits - 1;
    return static_cast<int64_t>(kSub + b % kSub) << (e - kSubBits);
  }
  static int64_t bin_width(int b) {
    if (b < kSub) return 1;
    return int64_t{1} << (b / kSub - 1);
  }

  void add(int64_t v) {
    const int b = bin_of(v);
    ++counts_[static_cast<std::size_t>(b)];
    ++total_;
    if (b < lo_) lo_ = b;
    if (b > hi_) hi_ = b;
  }
  void merge(const LogHistogram& o);
  // Takes out values that were added (merged) before.
  void subtract(const LogHistogram& o);
  void clear();

  uint64_t total() const { return total_; }
  bool empty() const { return total_ == 0; }
  uint64_t count(int b) const { return counts_[static_cast<std::size_t>(b)]; }
  int lowest_bin() const { return lo_; }
  int highest_bin() const { return hi_; }
  // The q-quantile (0 < q <= 1) by nearest rank, interpolated linearly inside its bin, in ns.
  // NaN when empty.
  double quantile(double q) const;
  // Several quantiles in one pass. REQUIRES: qs ascending; out.size() == qs.size().
  void quantiles(std::span<const double> qs, std::span<double> out) const;
  // Upper edge of the highest non-empty bin, in ns (an upper bound of the maximum).
  double max_bound() const;

 private:
  std::array<uint64_t, kBins> counts_{};
  uint64_t total_ = 0;
  int lo_ = kBins;
  int hi_ = -1;
};

struct TmapBins {
  static constexpr int kFirstExp = 20;  // 2^20 ns = 1.048576 ms
  static constexpr int kLastExp = 36;   // last covered octave [2^36, 2^37) ns
  static constexpr int kPerOctave = 4;
  static constexpr int kCount = 2 + (kLastExp - kFirstExp + 1) * kPerOctave;  // 70

  // T-map bin of a LogHistogram bin (computed; fold() uses a table of these).
  static int of_fine(int fine_bin) {
    if (fine_bin < LogHistogram::kSub) return 0;
    const int e = fine_bin / LogHistogram::kSub + LogHistogram::kSubBits - 1;
    if (e < kFirstExp) return 0;
    if (e > kLastExp) return kCount - 1;
    const int sub = fine_bin % LogHistogram::kSub;
    return 1 + (e - kFirstExp) * kPerOctave + sub / (LogHistogram::kSub / kPerOctave);
  }
  // Edges in seconds; bin 0 starts at 0 and the last bin ends at infinity.
  static double lo_seconds(int b);
  static double hi_seconds(int b);
  // Folds a LogHistogram into T-map counts.
  static void fold(const LogHistogram& h, std::span<uint32_t, kCount> out);
};

}  // namespace models
