#include "models/common/profile.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "sim/assert.h"

namespace models {

using sim::SimTime;

Profile Profile::constant(double v) { return Profile({{SimTime::zero(), SimTime::max(), v, v}}); }

Profile Profile::piecewise_constant(const std::vector<std::pair<SimTime, double>>& points) {
  SIM_ASSERT(!points.empty(), "a profile needs at least one point");
  std::vector<Piece> pieces;
  if (points.front().first > SimTime::zero()) {
    pieces.push_back({SimTime::zero(), points.front().first, 0, 0});
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SimTime end = i + 1 < points.size() ? points[i + 1].first : SimTime::max();
    SIM_ASSERT(end > points[i].first, "profile times must increase");
    pieces.push_back({points[i].first, end, points[i].second, points[i].second});
  }
  return Profile(std::move(pieces));
}

Profile Profile::steps(const std::vector<std::pair<SimTime, double>>& steps) {
  return piecewise_constant(steps);
}

Profile Profile::piecewise_linear(const std::vector<std::pair<SimTime, double>>& points) {
  SIM_ASSERT(!points.empty(), "a profile needs at least one point");
  std::vector<Piece> pieces;
  const double first = points.front().second;
  if (points.front().first > SimTime::zero()) {
    pieces.push_back({SimTime::zero(), points.front().first, first, first});
  }
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    SIM_ASSERT(points[i + 1].first > points[i].first, "profile times must increase");
    pieces.push_back(
        {points[i].first, points[i + 1].first, points[i].second, points[i + 1].second});
  }
  const double last = points.back().second;
  pieces.push_back({points.back().first, SimTime::max(), last, last});
  return Profile(std::move(pieces));
}

Profile Profile::ramp(double from, double to, SimTime start, SimTime duration) {
  if (duration <= SimTime::zero()) return steps({{SimTime::zero(), from}, {start, to}});
  return piecewise_linear({{start, from}, {start + duration, to}});
}

Profile Profile::flash_crowd(double base, double peak, SimTime start, SimTime up, SimTime sustain,
                             SimTime down) {
  std::vector<Piece> pieces;
  if (start > SimTime::zero()) pieces.push_back({SimTime::zero(), start, base, base});
  SimTime t = start;
  auto add = [&](SimTime len, double v0, double v1) {
    if (len <= SimTime::zero()) return;  // a zero-length phase is a jump
    pieces.push_back({t, t + len, v0, v1});
    t += len;
  };
  add(up, base, peak);
  add(sustain, peak, peak);
  add(down, peak, base);
  pieces.push_back({t, SimTime::max(), base, base});
  return Profile(std::move(pieces));
}

Profile Profile::diurnal(double mean, double amplitude, SimTime period, SimTime phase) {
  SIM_ASSERT(amplitude >= 0 && amplitude <= 1, "diurnal amplitude must be in [0, 1]");
  SIM_ASSERT(period > SimTime::zero(), "diurnal period must be positive");
  Profile p({{SimTime::zero(), SimTime::max(), mean, mean}});
  p.sine_ = true;
  p.mean_ = mean;
  p.amplitude_ = amplitude;
  p.period_ = period;
  p.phase_ = phase;
  return p;
}

std::size_t Profile::piece_index(SimTime t, std::size_t hint) const {
  std::size_t i = hint < pieces_.size() ? hint : 0;
  if (pieces_[i].start > t) i = 0;
  while (pieces_[i].end <= t) ++i;
  return i;
}

double Profile::piece_value(std::size_t i, SimTime t) const {
  const Piece& p = pieces_[i];
  if (p.is_constant() || p.end.is_max()) return p.v0;
  const double f =
      static_cast<double>((t - p.start).ns()) / static_cast<double>((p.end - p.start).ns());
  return p.v0 + (p.v1 - p.v0) * f;
}

double Profile::value(SimTime t) const {
  if (sine_) {
    const double x =
        static_cast<double>((t - phase_).ns() % period_.ns()) / static_cast<double>(period_.ns());
    return mean_ * (1.0 + amplitude_ * std::sin(2.0 * std::numbers::pi * x));
  }
  return piece_value(piece_index(t), t);
}

double Profile::piece_max(std::size_t i) const {
  if (sine_) return mean_ * (1.0 + amplitude_);
  return std::max(pieces_[i].v0, pieces_[i].v1);
}

double Profile::max_value() const {
  double m = 0;
  for (std::size_t i = 0; i < pieces_.size(); ++i) m = std::max(m, piece_max(i));
  return m;
}

double Profile::integral(SimTime a, SimTime b) const {
  if (b <= a) return 0;
  if (sine_) {
    // Closed form of the sine integral.
    const double w = 2.0 * std::numbers::pi / period_.seconds();
    auto F = [&](SimTime t) {
      const double x = (t - phase_).seconds();
      return mean_ * (x - amplitude_ * std::cos(w * x) / w);
    };
    return F(b) - F(a);
  }
  double total = 0;
  for (std::size_t i = piece_index(a); i < pieces_.size() && pieces_[i].start < b; ++i) {
    const SimTime lo = std::max(a, pieces_[i].start), hi = std::min(b, pieces_[i].end);
    if (hi <= lo) continue;
    total += 0.5 * (piece_value(i, lo) + piece_value(i, hi)) * (hi - lo).seconds();
  }
  return total;
}

}  // namespace models
