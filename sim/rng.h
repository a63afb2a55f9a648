// sim/rng.h: named, reproducible random-number streams.
//
// Every component draws from its own stream, named after the component ("traffic/demand",
// "site/public/lb"). A stream's seed is SplitMix64(master_seed ^ FNV-1a(name)): adding,
// removing or re-parameterising one component leaves every other component's numbers
// untouched, which gives common random numbers across compared configurations.
//
// Engines and distributions come from Boost.Random (pinned to 1.74 by the build): std::
// distributions are implementation-defined and would make a seed mean different numbers on
// different standard libraries. Inside a run there is no other source of randomness.
#pragma once

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cstdint>
#include <string_view>

namespace sim {

// FNV-1a, 64 bit: a stable hash of a name (never std::hash, which varies between libraries).
constexpr uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

// SplitMix64 finaliser: spreads nearby inputs over the whole 64-bit range.
constexpr uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The seed of replication `index` of a scenario whose seed is `master`.
constexpr uint64_t derive_seed(uint64_t master, uint64_t index) {
  return index == 0 ? master : splitmix64(master ^ splitmix64(index));
}

class RngStream {
 public:
  using Engine = boost::random::mt19937_64;

  explicit RngStream(uint64_t seed) : engine_(seed) {}

  Engine& engine() { return engine_; }

  // Uniform on [0, 1).
  double uniform01() { return boost::random::uniform_01<double>()(engine_); }
  // Uniform integer on [lo, hi] (inclusive). REQUIRES: lo <= hi.
  uint64_t uniform_int(uint64_t lo, uint64_t hi) {
    return boost::random::uniform_int_distribution<uint64_t>(lo, hi)(engine_);
  }
  // Exponential with the given mean. REQUIRES: mean > 0.
  double exponential_mean(double mean) {
    return boost::random::exponential_distribution<double>(1.0)(engine_) * mean;
  }
  double normal(double mu, double sigma) {
    return boost::random::normal_distribution<double>(mu, sigma)(engine_);
  }
  // Gamma with shape k and scale theta (mean k * theta). REQUIRES: k > 0, theta > 0.
  double gamma(double shape, double scale) {
    return boost::random::gamma_distribution<double>(shape, scale)(engine_);
  }

 private:
  Engine engine_;
};

class RngFactory {
 public:
  explicit RngFactory(uint64_t master_seed) : master_(master_seed) {}
  uint64_t master_seed() const { return master_; }
  uint64_t seed_for(std::string_view name) const { return splitmix64(master_ ^ fnv1a64(name)); }
  RngStream stream(std::string_view name) const { return RngStream(seed_for(name)); }

 private:
  uint64_t master_;
};

}  // namespace sim
