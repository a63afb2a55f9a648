// models/traffic/closed_users.h: closed-loop users who send, wait, think and retry.
//
// N(t) users are logged in (a Profile of user counts). Each one sends a request, waits for the
// response or its timeout, thinks (think-time distribution), and sends again. A failure -- a
// timeout, a 503, a request cut off, a site that is down (a new connection fails after the
// connect timeout; a request in service when the site died waits for its timeout) --
// is retried up to `retries` times after backoff x multiplier^attempt x (1 +- jitter), each
// retry resolving DNS again through the user's resolver. When retries run out the interaction
// has failed; after `abandon_after` failed interactions in a row the user gives up for
// `abandon_pause`. Every attempt is a request in the series (retries raise the request rate:
// retry storms emerge under overload). A request the user stopped waiting for still uses the
// site until it finishes; its late response is dropped.
//
// Timeouts cost no event per request: every request has the same timeout, so deadlines come in
// send order; they wait in a FIFO and one timer, set to the oldest deadline of a request still
// unanswered, expires them (answered requests are skipped when the timer fires).
//
// Users log in at the profile's pace (their first request after one think time) and log out
// after their current interaction. `active_users`: users logged in and not pausing, per site by
// the site of their latest request.
#pragma once

#include <vector>

#include "models/common/distribution.h"
#include "models/common/profile.h"
#include "models/common/request.h"
#include "models/common/ring_queue.h"
#include "models/gslb/site_selector.h"
#include "models/traffic/client_network.h"
#include "models/traffic/open_source.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

struct ClientPolicy {
  sim::SimTime timeout = sim::seconds(30);
  sim::SimTime connect_timeout =
      sim::seconds(3);  // how long a dead or unreachable site takes to fail
  int retries = 0;
  sim::SimTime backoff = sim::milliseconds(500);
  double backoff_multiplier = 2.0;
  double jitter = 0.5;
  int abandon_after = 0;  // failed interactions in a row; 0 = never give up
  sim::SimTime abandon_pause = sim::minutes(5);
};

struct ClosedTrafficConfig {
  Profile users = Profile::constant(100);
  Distribution think_time = Distribution::exponential(5.0);
  ClientPolicy client;
  Distribution demand = Distribution::exponential(0.05);
  double write_fraction = 0;
};

class ClosedUsers final : public ResponseHandler, public ActiveUsersSource {
 public:
  ClosedUsers(sim::Simulator& sim, TrafficRngs rngs, RequestPool& pool,
              const ClosedTrafficConfig& cfg, SiteSelector& selector,
              std::vector<RequestSink*> sites, const ClientNetwork& network,
              TrafficObserver& observer);
  ClosedUsers(const ClosedUsers&) = delete;
  ClosedUsers& operator=(const ClosedUsers&) = delete;

  void start();
  void on_response(RequestId id) override;
  void on_failure(RequestId id, FailureCause cause) override;

  // Logged-in users not pausing, in total and per site (by their latest request's site).
  int active_users() const;
  int active_users(int site) const override;
  UserCounts user_counts() const override;
  int logged_in() const { return logged_in_; }
  // Requests the timeout FIFO tracks: answered ones leave it as new ones are sent, so it stays
  // near the requests in flight, not the sends of a whole timeout (memory at a million users).
  std::size_t timeouts_tracked() const { return deadlines_.size(); }

 private:
  // kConnecting: the site is dead or unreachable and the client waits for its connection attempt
  // to fail.
  enum class State : uint8_t { kThinking, kWaiting, kConnecting, kBackoff, kPaused, kOut };
  // 32 bytes: with a million users, every byte here is a megabyte, and a smaller record keeps
  // more users in cache. attempt fits a byte (retries <= 100), failed_in_a_row saturates at
  // 65535 (abandon_after <= 1000), sites and regions fit 16 bits (the loader allows at most
  // 1000 of each: config/load_sites.cc, config/load_network.cc).
  struct User {
    State state : 3 = State::kOut;
    bool leaving : 1 = false;
    bool has_request : 1 = false;
    uint8_t attempt = 0;
    uint16_t region = 0;
    int16_t last_site = kNoSite;
    uint16_t failed_in_a_row = 0;
    uint32_t resolver = 0;
    uint32_t generation = 0;
    RequestId request = 0;
    // Low 32 bits of the send sequence number of the request being waited for. Deadlines compare
    // it for equality only, and every deadline leaves the FIFO by its own time, so two requests
    // of one user that are 2^32 sends apart can never both be in it.
    uint32_t seq = 0;
    sim::EventId timer;
  };
  static_assert(sizeof(User) == 32, "User is meant to stay at 32 bytes");
  struct Deadline {
    sim::SimTime at;
    uint32_t seq;  // low 32 bits, as User::seq
    uint32_t user;
  };
  struct Wake {
    ClosedUsers* self;
    uint32_t user;
    uint32_t generation;
    int kind;  // 0 think/backoff/pause over, 2 connect failure seen
    RequestId request;
    FailureCause cause;
    void operator()() const { self->wake(user, generation, kind, request, cause); }
    void prefetch() const { __builtin_prefetch(&self->users_[user]); }
  };
  void wake(uint32_t u, uint32_t generation, int kind, RequestId request, FailureCause cause);
  void expire_timeouts();
  bool still_waiting(const Deadline& d) const;
  void trim_deadlines();
  void arm_timeout_timer();
  void adjust_population();
  void log_in();
  void send(uint32_t u);
  void interaction_failed(uint32_t u, int site, FailureCause cause, sim::SimTime sent);
  // `after`: the time until the user sees the outcome (the response's way back).
  void think(uint32_t u, sim::SimTime after);
  void finish_interaction(uint32_t u, sim::SimTime after = sim::SimTime::zero());
  // The time a response or an error from `r`'s site takes to reach its user: the round trip
  // (the model puts the whole network time on the way back) and a write's replication wait.
  sim::SimTime way_back(const Request& r) const;
  void schedule(uint32_t u, sim::SimTime at, int kind, RequestId request = 0,
                FailureCause cause = FailureCause::kTimeout);

  sim::Simulator& sim_;
  TrafficRngs rng_;
  sim::RngStream think_rng_;
  RequestPool& pool_;
  ClosedTrafficConfig cfg_;
  SiteSelector& selector_;
  std::vector<RequestSink*> sites_;
  const ClientNetwork& network_;
  TrafficObserver& observer_;
  std::vector<User> users_;
  std::vector<uint32_t> free_users_;
  std::vector<uint32_t> in_order_;  // logged-in users, oldest first (the newest log out first)
  std::vector<int> active_by_site_;
  RingQueue<Deadline> deadlines_;  // in send order
  bool timeout_armed_ = false;
  uint64_t send_seq_ = 0;
  int logged_in_ = 0;
  int paused_ = 0;
  void change_paused(int delta);  // keeps the paused user-seconds integral
  double paused_area_ = 0;        // user-seconds up to paused_since_
  sim::SimTime paused_since_;
  uint64_t abandonments_ = 0, interactions_ok_ = 0, interactions_failed_ = 0;
  std::size_t piece_ = 0;
};

}  // namespace models
