// models/common/profile.h: a value that changes over simulated time, such as an arrival rate
// (requests per second) or a number of active users.
//
// A Profile is a sequence of contiguous pieces covering [0, forever); each piece is linear
// between its start and end values (constant when they are equal), or, for the diurnal
// profile, a sine. Open traffic samples a non-homogeneous Poisson process from it by thinning
// against each piece's maximum (Lewis-Shedler), restarting at piece boundaries, which is exact
// because the exponential distribution is memoryless.
//
// Shapes: constant, steps, linear ramp, flash crowd (Ari et al. 2003: linear ramp-up, sustained
// peak, linear ramp-down; models.md §4.1), diurnal sine (models.md §4.3) and piecewise-linear
// traces; and compositions: the sum or the product of profiles (a diurnal curve times a surge
// factor). A composition's pieces are the union of its operands' pieces, so on each piece every
// operand is one line (or the sine): its bound for thinning is the sum or product of the
// operands' bounds there (values are non-negative), and its value their sum or product.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "sim/time.h"

namespace models {

class Profile {
 public:
  struct Piece {
    sim::SimTime start, end;  // end == SimTime::max() for the last piece
    double v0 = 0, v1 = 0;    // value at start and (approached) at end
    bool is_constant() const { return v0 == v1; }
  };

  static Profile constant(double v);
  // Steps: value 0 before the first step; each step holds until the next.
  // REQUIRES: times strictly increasing, values >= 0.
  static Profile steps(const std::vector<std::pair<sim::SimTime, double>>& steps);
  // `from` until `start`, linear to `to` over `duration`, then `to`.
  static Profile ramp(double from, double to, sim::SimTime start, sim::SimTime duration);
  // base until start; linear to peak over up; peak for sustain; linear to base over down; base.
  static Profile flash_crowd(double base, double peak, sim::SimTime start, sim::SimTime up,
                             sim::SimTime sustain, sim::SimTime down);
  // Linear interpolation between points (value of the first point before it, of the last after).
  // REQUIRES: at least one point, times strictly increasing.
  static Profile piecewise_linear(const std::vector<std::pair<sim::SimTime, double>>& points);
  // Piecewise constant: each point's value holds until the next point.
  static Profile piecewise_constant(const std::vector<std::pair<sim::SimTime, double>>& points);
  // mean * (1 + amplitude * sin(2 pi (t - phase) / period)). REQUIRES: 0 <= amplitude <= 1.
  static Profile diurnal(double mean, double amplitude, sim::SimTime period, sim::SimTime phase);
  enum class Op { kSum, kProduct };
  // The sum or product of `operands` at every moment. REQUIRES: at least one operand.
  static Profile combine(Op op, std::vector<Profile> operands);

  double value(sim::SimTime t) const;
  // The value of piece i's line at t (t may equal the piece's end). Not for diurnal profiles.
  double piece_value(std::size_t i, sim::SimTime t) const;
  // value(t) when t is in piece i (saves finding the piece again).
  double value_in(std::size_t i, sim::SimTime t) const {
    return sine_ ? value(t) : piece_value(i, t);
  }
  // Index of the piece containing t; `hint` (a previous answer) makes forward scans O(1).
  std::size_t piece_index(sim::SimTime t, std::size_t hint = 0) const;
  const Piece& piece(std::size_t i) const { return pieces_[i]; }
  std::size_t piece_count() const { return pieces_.size(); }
  // Upper bound of the value on piece i.
  double piece_max(std::size_t i) const;
  bool piece_is_constant(std::size_t i) const {
    return !sine_ && (composite_ == nullptr ? pieces_[i].is_constant() : composite_constant(i));
  }
  double max_value() const;
  // Integral of the value over [a, b), in value x seconds (e.g. expected arrivals).
  double integral(sim::SimTime a, sim::SimTime b) const;

 private:
  explicit Profile(std::vector<Piece> pieces) : pieces_(std::move(pieces)) {}
  // The operands' maximum over [start, end) inside their piece k (tighter than piece_max for a
  // line cut short).
  double max_within(std::size_t k, sim::SimTime start, sim::SimTime end) const;
  double composite_value(std::size_t i, sim::SimTime t) const;
  bool composite_constant(std::size_t i) const;
  struct Composite {
    Op op = Op::kSum;
    std::vector<Profile> operands;
    // Per piece of the composition, the index of the piece of each operand it lies in.
    std::vector<std::vector<uint32_t>> operand_piece;
  };
  std::shared_ptr<const Composite> composite_;
  std::vector<Piece> pieces_;
  bool sine_ = false;
  double mean_ = 0, amplitude_ = 0;
  sim::SimTime period_, phase_;
};

}  // namespace models
