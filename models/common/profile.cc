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
  // Forward from the hint for a few pieces (the traffic source's case), else binary search.
  std::size_t i = hint < pieces_.size() ? hint : 0;
  if (pieces_[i].start <= t) {
    for (int step = 0; step < 4 && i < pieces_.size(); ++step, ++i) {
      if (pieces_[i].end > t) return i;
    }
  }
  const auto it = std::upper_bound(pieces_.begin(), pieces_.end(), t,
                                   [](SimTime x, const Piece& p) { return x < p.start; });
  return static_cast<std::size_t>(it - pieces_.begin()) - 1;
}

Profile Profile::combine(Op op, std::vector<Profile> operands) {
  SIM_ASSERT(!operands.empty(), "a composition needs an operand");
  // The union of the operands' piece boundaries.
  std::vector<SimTime> starts;
  for (const Profile& o : operands)
    for (const Piece& p : o.pieces_) starts.push_back(p.start);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  auto c = std::make_shared<Composite>();
  c->op = op;
  c->operands = std::move(operands);
  std::vector<Piece> pieces;
  std::vector<std::size_t> hint(c->operands.size(), 0);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const SimTime end = i + 1 < starts.size() ? starts[i + 1] : SimTime::max();
    std::vector<uint32_t> idx;
    for (std::size_t k = 0; k < c->operands.size(); ++k) {
      hint[k] = c->operands[k].piece_index(starts[i], hint[k]);
      idx.push_back(static_cast<uint32_t>(hint[k]));
    }
    c->operand_piece.push_back(std::move(idx));
    pieces.push_back({starts[i], end, 0, 0});
  }
  Profile p(std::move(pieces));
  p.composite_ = std::move(c);
  for (std::size_t i = 0; i < p.pieces_.size(); ++i) {
    p.pieces_[i].v0 = p.composite_value(i, p.pieces_[i].start);
    p.pieces_[i].v1 =
        p.pieces_[i].end.is_max() ? p.pieces_[i].v0 : p.composite_value(i, p.pieces_[i].end);
  }
  return p;
}

double Profile::composite_value(std::size_t i, SimTime t) const {
  const Composite& c = *composite_;
  double v = c.op == Op::kSum ? 0.0 : 1.0;
  for (std::size_t k = 0; k < c.operands.size(); ++k) {
    const double x = c.operands[k].value_in(c.operand_piece[i][k], t);
    v = c.op == Op::kSum ? v + x : v * x;
  }
  return v;
}

bool Profile::composite_constant(std::size_t i) const {
  const Composite& c = *composite_;
  for (std::size_t k = 0; k < c.operands.size(); ++k)
    if (!c.operands[k].piece_is_constant(c.operand_piece[i][k])) return false;
  return true;
}

double Profile::max_within(std::size_t k, SimTime start, SimTime end) const {
  if (sine_ || composite_ != nullptr) return piece_max(k);
  const Piece& p = pieces_[k];
  if (p.is_constant() || p.end.is_max()) return p.v0;
  return std::max(piece_value(k, start), piece_value(k, std::min(end, p.end)));
}

double Profile::piece_value(std::size_t i, SimTime t) const {
  if (composite_ != nullptr) return composite_value(i, t);
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
  return value_in(piece_index(t), t);
}

double Profile::piece_max(std::size_t i) const {
  if (sine_) return mean_ * (1.0 + amplitude_);
  if (composite_ != nullptr) {
    const Composite& c = *composite_;
    const Piece& p = pieces_[i];
    double m = c.op == Op::kSum ? 0.0 : 1.0;
    for (std::size_t k = 0; k < c.operands.size(); ++k) {
      const double x = c.operands[k].max_within(c.operand_piece[i][k], p.start, p.end);
      m = c.op == Op::kSum ? m + x : m * x;
    }
    return m;
  }
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
    if (composite_ == nullptr) {
      total += 0.5 * (piece_value(i, lo) + piece_value(i, hi)) * (hi - lo).seconds();
      continue;
    }
    // A product of lines (or a sine) is curved: Simpson's rule on one-minute slices, exact for
    // the product of two lines (a quadratic).
    const double len = (hi - lo).seconds();
    const int n = std::max(1, static_cast<int>(std::min(1e5, std::ceil(len / 60.0))));
    const double h = len / n;
    for (int j = 0; j < n; ++j) {
      const SimTime x0 = lo + SimTime::from_seconds(h * j);
      const SimTime x2 = j + 1 == n ? hi : lo + SimTime::from_seconds(h * (j + 1));
      const SimTime x1 = x0 + SimTime::from_ns((x2 - x0).ns() / 2);
      total += (x2 - x0).seconds() / 6.0 *
               (composite_value(i, x0) + 4 * composite_value(i, x1) + composite_value(i, x2));
    }
  }
  return total;
}

}  // namespace models
