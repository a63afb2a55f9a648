// sim/time.h: simulated time as an integer count of nanoseconds.
//
// SimTime is a strong type around int64 nanoseconds (range about +-292 years). Time never
// accumulates as a floating sum: durations from scenario files are parsed to exact nanoseconds,
// and a floating value (a random inter-arrival time, a service time) is converted once, by
// rounding to the nearest nanosecond, at the point where it becomes a time.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace sim {

class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime from_ns(int64_t ns) { return SimTime(ns); }
  // Rounds to the nearest nanosecond. REQUIRES: s is finite and within range.
  static SimTime from_seconds(double s);
  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime max() { return SimTime(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t ns() const { return ns_; }
  // Correctly rounded (division, not multiplication by 1e-9): 15 s gives exactly 15.0.
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }
  constexpr bool is_max() const { return ns_ == std::numeric_limits<int64_t>::max(); }

  constexpr auto operator<=>(const SimTime&) const = default;
  constexpr SimTime operator+(SimTime o) const { return SimTime(ns_ + o.ns_); }
  constexpr SimTime operator-(SimTime o) const { return SimTime(ns_ - o.ns_); }
  constexpr SimTime& operator+=(SimTime o) {
    ns_ += o.ns_;
    return *this;
  }
  constexpr SimTime& operator-=(SimTime o) {
    ns_ -= o.ns_;
    return *this;
  }
  constexpr SimTime operator*(int64_t k) const { return SimTime(ns_ * k); }
  constexpr SimTime operator/(int64_t k) const { return SimTime(ns_ / k); }
  constexpr int64_t operator/(SimTime o) const { return ns_ / o.ns_; }
  constexpr SimTime operator%(SimTime o) const { return SimTime(ns_ % o.ns_); }

 private:
  constexpr explicit SimTime(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

constexpr SimTime nanoseconds(int64_t n) { return SimTime::from_ns(n); }
constexpr SimTime microseconds(int64_t n) { return SimTime::from_ns(n * 1'000); }
constexpr SimTime milliseconds(int64_t n) { return SimTime::from_ns(n * 1'000'000); }
constexpr SimTime seconds(int64_t n) { return SimTime::from_ns(n * 1'000'000'000); }
constexpr SimTime minutes(int64_t n) { return seconds(n * 60); }
constexpr SimTime hours(int64_t n) { return seconds(n * 3600); }

// Saturating addition: max() + anything stays max() (used for "never").
constexpr SimTime saturating_add(SimTime a, SimTime b) {
  if (a.is_max() || b.is_max()) return SimTime::max();
  if (b.ns() > 0 && a.ns() > std::numeric_limits<int64_t>::max() - b.ns()) return SimTime::max();
  return a + b;
}

// Human form with the largest exact units: "10m30s", "250ms", "1h", "1.5us" is never produced;
// sub-unit remainders are written as the next smaller unit ("1s250ms").
std::string format_duration(SimTime t);

// A moment or span for people, to a tenth of a second: "3.9s", "11m36.1s", "2h05m00.0s".
std::string format_clock(double seconds);

}  // namespace sim
