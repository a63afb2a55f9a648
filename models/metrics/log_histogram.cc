#include "models/metrics/log_histogram.h"

#include <cmath>
#include <limits>

namespace models {

void LogHistogram::merge(const LogHistogram& o) {
  for (int b = o.lo_; b <= o.hi_; ++b)
    counts_[static_cast<std::size_t>(b)] += o.counts_[static_cast<std::size_t>(b)];
  total_ += o.total_;
  if (o.lo_ < lo_) lo_ = o.lo_;
  if (o.hi_ > hi_) hi_ = o.hi_;
}

void LogHistogram::subtract(const LogHistogram& o) {
  for (int b = o.lo_; b <= o.hi_; ++b)
    counts_[static_cast<std::size_t>(b)] -= o.counts_[static_cast<std::size_t>(b)];
  total_ -= o.total_;
  while (lo_ <= hi_ && counts_[static_cast<std::size_t>(lo_)] == 0) ++lo_;
  while (hi_ >= lo_ && counts_[static_cast<std::size_t>(hi_)] == 0) --hi_;
  if (hi_ < lo_) {
    lo_ = kBins;
    hi_ = -1;
  }
}

void LogHistogram::clear() {
  for (int b = lo_; b <= hi_; ++b) counts_[static_cast<std::size_t>(b)] = 0;
  total_ = 0;
  lo_ = kBins;
  hi_ = -1;
}

double LogHistogram::quantile(double q) const {
  double out = 0;
  quantiles(std::span<const double>(&q, 1), std::span<double>(&out, 1));
  return out;
}

void LogHistogram::quantiles(std::span<const double> qs, std::span<double> out) const {
  if (total_ == 0) {
    for (double& o : out) o = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  std::size_t next = 0;
  auto rank_of = [&](double q) {
    const uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_)));
    return rank < 1 ? uint64_t{1} : (rank > total_ ? total_ : rank);
  };
  uint64_t want = rank_of(qs[0]);
  uint64_t seen = 0;
  for (int b = lo_; b <= hi_; ++b) {
    const uint64_t c = counts_[static_cast<std::size_t>(b)];
    // Spread the c values evenly over the bin: the k-th (1-based) sits at lo + (k - 0.5) w / c.
    while (seen + c >= want) {
      const double k = static_cast<double>(want - seen);
      out[next] = static_cast<double>(bin_lo(b)) +
                  (k - 0.5) * static_cast<double>(bin_width(b)) / static_cast<double>(c);
      if (++next == qs.size()) return;
      want = rank_of(qs[next]);
    }
    seen += c;
  }
}

double LogHistogram::max_bound() const {
  if (total_ == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(bin_lo(hi_)) + static_cast<double>(bin_width(hi_));
}

double TmapBins::lo_seconds(int b) {
  if (b <= 0) return 0;
  if (b >= kCount - 1) return std::ldexp(1.0, kLastExp + 1) * 1e-9;
  const int e = kFirstExp + (b - 1) / kPerOctave;
  const int q = (b - 1) % kPerOctave;
  return std::ldexp(1.0 + q / static_cast<double>(kPerOctave), e) * 1e-9;
}

double TmapBins::hi_seconds(int b) {
  if (b >= kCount - 1) return std::numeric_limits<double>::infinity();
  return lo_seconds(b + 1);
}

void TmapBins::fold(const LogHistogram& h, std::span<uint32_t, kCount> out) {
  static const std::array<uint8_t, LogHistogram::kBins> kTable = [] {
    std::array<uint8_t, LogHistogram::kBins> t{};
    for (int b = 0; b < LogHistogram::kBins; ++b)
      t[static_cast<std::size_t>(b)] = static_cast<uint8_t>(of_fine(b));
    return t;
  }();
  for (auto& c : out) c = 0;
  for (int b = h.lowest_bin(); b <= h.highest_bin(); ++b) {
    out[kTable[static_cast<std::size_t>(b)]] += static_cast<uint32_t>(h.count(b));
  }
}

}  // namespace models
