// Closed-loop users: the interactive response-time law, timeouts, retries, abandonment and the
// user-count profile.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>

#include "models/gslb/weighted_split.h"
#include "models/traffic/client_network.h"
#include "models/traffic/closed_users.h"

using namespace models;
using sim::seconds;
using sim::SimTime;

namespace {

// A site that answers after a fixed delay, fails every request with a cause, or never answers.
struct FakeSite final : RequestSink {
  sim::Simulator* sim = nullptr;
  RequestPool* pool = nullptr;
  enum class Mode { kServe, kFail, kBlackHole } mode = Mode::kServe;
  SimTime delay = sim::milliseconds(100);
  FailureCause cause = FailureCause::kRejected;
  uint64_t submitted = 0;
  void submit(RequestId id) override {
    ++submitted;
    switch (mode) {
      case Mode::kServe:
        sim->schedule_in(delay, [this, id] { (*pool)[id].client->on_response(id); });
        break;
      case Mode::kFail:
        (*pool)[id].client->on_failure(id, cause);
        break;
      case Mode::kBlackHole:
        break;
    }
  }
};

struct Counter final : TrafficObserver {
  uint64_t sent = 0, ok = 0;
  std::array<uint64_t, kFailureCauseCount> failed{};
  double rt_sum = 0;
  void on_send(int, bool, bool) override { ++sent; }
  void on_response(int, SimTime rt, SimTime) override {
    ++ok;
    rt_sum += rt.seconds();
  }
  void on_failure(int, FailureCause c, SimTime) override { ++failed[static_cast<std::size_t>(c)]; }
};

struct Rig {
  sim::Simulator sim;
  RequestPool pool;
  FakeSite site;
  Counter counter;
  Topology topology;
  ClientNetwork network{topology, 1, {SimTime::zero()}};
  WeightedSplit split{sim::RngStream(9), {1.0}};
  std::unique_ptr<ClosedUsers> users;
  explicit Rig(const ClosedTrafficConfig& cfg, SimTime rtt = sim::milliseconds(10))
      : topology({}, {"s"}, {rtt}) {
    site.sim = &sim;
    site.pool = &pool;
    users = std::make_unique<ClosedUsers>(
        sim,
        TrafficRngs{sim::RngStream(1), sim::RngStream(2), sim::RngStream(3), sim::RngStream(4)},
        pool, cfg, split, std::vector<RequestSink*>{&site}, network, counter);
    users->start();
  }
};

}  // namespace

TEST_CASE("closed users follow the interactive response-time law X = N / (R + Z)") {
  ClosedTrafficConfig cfg;
  cfg.users = Profile::constant(200);
  cfg.think_time = Distribution::exponential(2.0);
  Rig rig(cfg);
  rig.sim.run_until(seconds(3600));
  const double R = 0.1 + 0.01;  // site delay + round trip
  const double X = static_cast<double>(rig.counter.ok) / 3600.0;
  CHECK(X == Approx(200 / (R + 2.0)).epsilon(0.02));
  CHECK(rig.counter.rt_sum / static_cast<double>(rig.counter.ok) == Approx(R));
  CHECK(rig.users->active_users() == 200);
  CHECK(rig.users->active_users(0) == 200);
}

TEST_CASE("a user sees the response a round trip later, and thinks only from then on") {
  // A long round trip (300 ms) against a short think time (100 ms): the cycle is site + round
  // trip + think, so X = N / (0.1 + 0.3 + 0.1); users that thought from the site's answer would
  // send twice as often.
  ClosedTrafficConfig cfg;
  cfg.users = Profile::constant(10);
  cfg.think_time = Distribution::exponential(0.1);
  Rig rig(cfg, sim::milliseconds(300));
  rig.sim.run_until(seconds(600));
  CHECK(static_cast<double>(rig.counter.ok) / 600.0 == Approx(10 / 0.5).epsilon(0.03));
  CHECK(rig.counter.rt_sum / static_cast<double>(rig.counter.ok) == Approx(0.4));
  // An error from the site takes the way back too (no retries here).
  ClosedTrafficConfig fail = cfg;
  fail.client.retries = 0;
  Rig failing(fail, sim::milliseconds(300));
  failing.site.mode = FakeSite::Mode::kFail;
  failing.sim.run_until(seconds(600));
  const double errors = static_cast<double>(
      failing.counter.failed[static_cast<std::size_t>(FailureCause::kRejected)]);
  CHECK(errors / 600.0 == Approx(10 / 0.4).epsilon(0.03));
  // A response that would arrive after the user's timeout is a timeout.
  ClosedTrafficConfig late = cfg;
  late.client.retries = 0;
  late.client.timeout = sim::milliseconds(350);
  Rig slow(late, sim::milliseconds(300));
  slow.sim.run_until(seconds(60));
  CHECK(slow.counter.ok == 0);
  CHECK(slow.counter.failed[static_cast<std::size_t>(FailureCause::kTimeout)] > 0);
}

TEST_CASE("every failed attempt is retried up to the count, then the user thinks and tries again") {
  ClosedTrafficConfig cfg;
  cfg.users = Profile::constant(10);
  cfg.think_time = Distribution::constant(5.0);
  cfg.client.retries = 2;
  cfg.client.backoff = sim::milliseconds(500);
  cfg.client.jitter = 0;
  Rig rig(cfg);
  rig.site.mode = FakeSite::Mode::kFail;
  rig.sim.run_until(seconds(600));
  // An interaction: attempt, 0.5 s, attempt, 1 s, attempt, then 5 s thinking: 3 per 6.5 s.
  const double per_user = static_cast<double>(rig.site.submitted) / 10.0;
  CHECK(per_user == Approx(3 * 600 / 6.5).margin(4));
  CHECK(rig.counter.failed[static_cast<int>(FailureCause::kRejected)] == rig.site.submitted);
}

TEST_CASE(
    "a dead site is noticed after the connect timeout, a silent one after the client timeout") {
  ClosedTrafficConfig cfg;
  cfg.users = Profile::constant(1);
  cfg.think_time = Distribution::constant(1.0);
  cfg.client.timeout = seconds(10);
  cfg.client.connect_timeout = seconds(3);
  {
    Rig rig(cfg);
    rig.site.mode = FakeSite::Mode::kFail;
    rig.site.cause = FailureCause::kSiteDown;
    rig.sim.run_until(seconds(100));
    CHECK(rig.site.submitted == Approx(100 / 4.0).margin(1));  // 3 s to fail + 1 s thinking
  }
  {
    Rig rig(cfg);
    rig.site.mode = FakeSite::Mode::kBlackHole;
    rig.sim.run_until(sim::milliseconds(110500));
    CHECK(rig.site.submitted == 10);  // sent at 1, 12, ..., 100 s: 10 s timeout + 1 s thinking
    CHECK(rig.counter.failed[static_cast<int>(FailureCause::kTimeout)] == 10);
  }
  {
    // Responses later than the timeout are dropped: a timeout is counted, never a response.
    Rig rig(cfg);
    rig.site.delay = seconds(12);
    rig.sim.run_until(seconds(200));
    CHECK(rig.counter.ok == 0);
    CHECK(rig.counter.failed[static_cast<int>(FailureCause::kTimeout)] > 10);
    CHECK(rig.pool.in_use() <= 2);  // late responses free their requests
  }
}

TEST_CASE("users abandon after failed interactions in a row and come back after a pause") {
  ClosedTrafficConfig cfg;
  cfg.users = Profile::constant(20);
  cfg.think_time = Distribution::constant(1.0);
  cfg.client.abandon_after = 3;
  cfg.client.abandon_pause = seconds(60);
  Rig rig(cfg);
  rig.site.mode = FakeSite::Mode::kFail;
  rig.sim.run_until(seconds(10));
  CHECK(rig.users->active_users() == 0);  // each failed 3 times within ~4 s, then paused
  CHECK(rig.users->logged_in() == 20);
  const UserCounts locked = rig.users->user_counts();
  CHECK(locked.paused == 20);
  CHECK(locked.abandonments == 20);
  CHECK(locked.interactions_failed == 60);  // three failed interactions each (no retries)
  rig.site.mode = FakeSite::Mode::kServe;
  rig.sim.run_until(seconds(75));
  CHECK(rig.users->active_users() == 20);
  // Each pause lasted exactly abandon_pause: the user-seconds lost are 20 x 60 s.
  const UserCounts back = rig.users->user_counts();
  CHECK(back.paused == 0);
  CHECK(back.paused_user_seconds == Approx(20 * 60.0));
  CHECK(back.interactions_ok > 0);
}

TEST_CASE("the user count follows its profile: log-ins at once, log-outs after the interaction") {
  ClosedTrafficConfig cfg;
  cfg.users = Profile::steps({{SimTime::zero(), 50}, {seconds(100), 500}, {seconds(200), 20}});
  cfg.think_time = Distribution::exponential(1.0);
  Rig rig(cfg);
  rig.sim.run_until(seconds(50));
  CHECK(rig.users->logged_in() == 50);
  rig.sim.run_until(seconds(150));
  CHECK(rig.users->logged_in() == 500);
  const uint64_t before = rig.counter.ok;
  rig.sim.run_until(seconds(199));
  CHECK(static_cast<double>(rig.counter.ok - before) / 49.0 == Approx(500 / 1.11).epsilon(0.05));
  rig.sim.run_until(seconds(260));
  CHECK(rig.users->logged_in() == 20);
  CHECK(rig.users->active_users() == 20);
}

TEST_CASE("the timeout FIFO stays near the requests in flight, not a timeout's worth of sends") {
  ClosedTrafficConfig cfg;
  cfg.users = Profile::constant(1000);
  cfg.think_time = Distribution::exponential(1.0);
  cfg.client.timeout = seconds(10);
  Rig rig(cfg);
  rig.site.delay = sim::milliseconds(10);
  std::size_t most = 0;
  std::function<void()> sample = [&] {
    most = std::max(most, rig.users->timeouts_tracked());
    rig.sim.schedule_in(sim::milliseconds(250), [&sample] { sample(); });
  };
  rig.sim.schedule_in(seconds(1), [&sample] { sample(); });
  rig.sim.run_until(seconds(600));
  // About 980 sends a second and 20 in flight (R = 20 ms, Z = 1 s); a FIFO that kept every
  // deadline until it expired would hold about 9,800.
  INFO("most deadlines tracked: " << most);
  CHECK(rig.counter.ok > 500000);
  CHECK(most > 0);
  CHECK(most < 200);
}
