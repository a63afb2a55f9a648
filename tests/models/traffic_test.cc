#include <catch2/catch.hpp>

#include <cmath>

#include "fakes.h"
#include "models/common/profile.h"
#include "models/gslb/weighted_split.h"
#include "models/traffic/client_network.h"
#include "models/traffic/open_source.h"

using namespace models;
using sim::seconds;
using sim::SimTime;

namespace {
// Counts what the source sends, per site, and answers every request at once.
struct Sink final : RequestSink {
  RequestPool* pool = nullptr;
  int index = 0;
  uint64_t count = 0;
  std::vector<SimTime> times;
  sim::Simulator* sim = nullptr;
  void submit(RequestId id) override {
    ++count;
    if (times.size() < 200000) times.push_back(sim->now());
    (*pool)[id].client->on_response(id);
  }
};
struct Counter final : TrafficObserver {
  uint64_t sent = 0, ok = 0;
  void on_send(int, bool, bool) override { ++sent; }
  void on_response(int, SimTime, SimTime) override { ++ok; }
  void on_failure(int, FailureCause, SimTime) override {}
};

struct Run {
  std::vector<Sink> sinks;
  Counter counter;
};

void run_source(const Profile& rate, std::vector<double> weights, SimTime until, Run* out,
                uint64_t seed = 1) {
  sim::Simulator sim;
  RequestPool pool;
  out->sinks.assign(weights.size(), Sink{});
  std::vector<RequestSink*> sinks;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    out->sinks[i].pool = &pool;
    out->sinks[i].sim = &sim;
    sinks.push_back(&out->sinks[i]);
  }
  WeightedSplit split(sim::RngStream(seed + 100), weights);
  OpenTrafficConfig cfg;
  cfg.rate = rate;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < weights.size(); ++i) names.push_back("s" + std::to_string(i));
  const Topology topology({}, names, std::vector<SimTime>(weights.size()));
  const ClientNetwork network(topology, 1, std::vector<SimTime>(weights.size()));
  OpenTrafficSource src(sim,
                        {sim::RngStream(seed), sim::RngStream(seed + 1), sim::RngStream(seed + 2),
                         sim::RngStream(seed + 3)},
                        pool, cfg, split, sinks, network, out->counter);
  src.start();
  sim.run_until(until);
}

// |observed - expected| within 4 standard deviations of a Poisson count.
void check_poisson(double observed, double expected) {
  INFO("observed " << observed << ", expected " << expected);
  CHECK(std::abs(observed - expected) < 4 * std::sqrt(expected) + 1);
}
}  // namespace

TEST_CASE("profiles evaluate their shapes") {
  const Profile steps = Profile::steps({{seconds(10), 5}, {seconds(20), 1}});
  CHECK(steps.value(seconds(0)) == 0);
  CHECK(steps.value(seconds(10)) == 5);
  CHECK(steps.value(seconds(25)) == 1);
  const Profile ramp = Profile::ramp(10, 20, seconds(100), seconds(100));
  CHECK(ramp.value(seconds(50)) == 10);
  CHECK(ramp.value(seconds(150)) == Approx(15));
  CHECK(ramp.value(seconds(500)) == 20);
  CHECK(ramp.integral(seconds(0), seconds(300)) == Approx(100 * 10 + 100 * 15 + 100 * 20));
  const Profile fc =
      Profile::flash_crowd(10, 200, seconds(60), seconds(30), seconds(60), seconds(120));
  CHECK(fc.value(seconds(30)) == 10);
  CHECK(fc.value(seconds(75)) == Approx(105));
  CHECK(fc.value(seconds(100)) == 200);
  CHECK(fc.value(seconds(210)) == Approx(105));
  CHECK(fc.value(seconds(400)) == 10);
  CHECK(fc.max_value() == 200);
  const Profile d = Profile::diurnal(100, 0.6, sim::hours(24), SimTime::zero());
  CHECK(d.value(sim::hours(6)) == Approx(160));
  CHECK(d.value(sim::hours(18)) == Approx(40));
  CHECK(d.integral(SimTime::zero(), sim::hours(24)) == Approx(100.0 * 86400));
}

TEST_CASE("open traffic follows a constant rate") {
  Run r;
  run_source(Profile::constant(50), {1}, seconds(2000), &r);
  check_poisson(static_cast<double>(r.sinks[0].count), 50.0 * 2000);
  CHECK(r.counter.sent == r.sinks[0].count);
  CHECK(r.counter.ok == r.sinks[0].count);
}

TEST_CASE("open traffic follows ramps, steps and a flash crowd (thinning)") {
  const Profile ramp = Profile::ramp(10, 100, seconds(100), seconds(1000));
  Run r;
  run_source(ramp, {1}, seconds(1500), &r);
  check_poisson(static_cast<double>(r.sinks[0].count),
                ramp.integral(SimTime::zero(), seconds(1500)));
  // The second half of the ramp gets more arrivals than the first, in the right proportion.
  uint64_t first = 0, second = 0;
  for (SimTime t : r.sinks[0].times) {
    if (t >= seconds(100) && t < seconds(600)) ++first;
    if (t >= seconds(600) && t < seconds(1100)) ++second;
  }
  check_poisson(static_cast<double>(first), ramp.integral(seconds(100), seconds(600)));
  check_poisson(static_cast<double>(second), ramp.integral(seconds(600), seconds(1100)));

  const Profile fc =
      Profile::flash_crowd(20, 400, seconds(300), seconds(45), seconds(80), seconds(318));
  Run f;
  run_source(fc, {1}, seconds(1200), &f);
  check_poisson(static_cast<double>(f.sinks[0].count), fc.integral(SimTime::zero(), seconds(1200)));

  const Profile st = Profile::steps({{SimTime::zero(), 0}, {seconds(100), 30}, {seconds(200), 0}});
  Run s;
  run_source(st, {1}, seconds(1000), &s);
  check_poisson(static_cast<double>(s.sinks[0].count), 3000);
  for (SimTime t : s.sinks[0].times) CHECK((t >= seconds(100) && t < seconds(200)));
}

TEST_CASE("open traffic follows a diurnal sine (thinning against its peak)") {
  // Period 1000 s, amplitude 0.8: the rising half-period gets far more than the falling one.
  const Profile d = Profile::diurnal(50, 0.8, seconds(1000), SimTime::zero());
  Run r;
  run_source(d, {1}, seconds(3000), &r);
  check_poisson(static_cast<double>(r.sinks[0].count), d.integral(SimTime::zero(), seconds(3000)));
  uint64_t high = 0, low = 0;
  for (SimTime t : r.sinks[0].times) {
    const int64_t in_period = t.ns() % seconds(1000).ns();
    (in_period < seconds(500).ns() ? high : low) += 1;
  }
  const double high_expected = 3 * d.integral(SimTime::zero(), seconds(500));
  const double low_expected = 3 * d.integral(seconds(500), seconds(1000));
  REQUIRE(high_expected > 3 * low_expected);  // the shape is there to be seen
  check_poisson(static_cast<double>(high), high_expected);
  check_poisson(static_cast<double>(low), low_expected);
}

TEST_CASE("a weighted split sends each site its share") {
  Run r;
  run_source(Profile::constant(100), {30, 70}, seconds(1000), &r);
  const double total = static_cast<double>(r.sinks[0].count + r.sinks[1].count);
  const double share = static_cast<double>(r.sinks[0].count) / total;
  // Binomial: sd of the share = sqrt(p (1-p) / n).
  CHECK(std::abs(share - 0.3) < 4 * std::sqrt(0.3 * 0.7 / total));
}

TEST_CASE("changing the split leaves the arrival times unchanged (common random numbers)") {
  Run a, b;
  run_source(Profile::constant(20), {50, 50}, seconds(100), &a);
  run_source(Profile::constant(20), {10, 90}, seconds(100), &b);
  CHECK(a.counter.sent == b.counter.sent);
}
