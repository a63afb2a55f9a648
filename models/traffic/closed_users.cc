#include "models/traffic/closed_users.h"

#include <algorithm>
#include <cmath>

namespace models {

namespace {
constexpr int kWakeUp = 0, kFailureSeen = 2;
}

ClosedUsers::ClosedUsers(sim::Simulator& sim, TrafficRngs rngs, RequestPool& pool,
                         const ClosedTrafficConfig& cfg, SiteSelector& selector,
                         std::vector<RequestSink*> sites, const ClientNetwork& network,
                         TrafficObserver& observer)
    : sim_(sim),
      rng_(std::move(rngs)),
      think_rng_(rng_.arrivals),
      pool_(pool),
      cfg_(cfg),
      selector_(selector),
      sites_(std::move(sites)),
      network_(network),
      observer_(observer),
      active_by_site_(sites_.size(), 0) {
  // The population never exceeds the profile's maximum: reserve it once, so that a million users
  // cost their records and no doubling reserve.
  const auto most = static_cast<std::size_t>(std::max(0L, std::lround(cfg_.users.max_value())));
  users_.reserve(most);
  in_order_.reserve(most);
}

void ClosedUsers::start() { adjust_population(); }

// Follows the user-count profile: at every piece boundary, and every second along a ramp.
void ClosedUsers::adjust_population() {
  const sim::SimTime now = sim_.now();
  const int target = static_cast<int>(std::lround(cfg_.users.value(now)));
  while (logged_in_ < target) log_in();
  while (logged_in_ > target && !in_order_.empty()) {
    const uint32_t u = in_order_.back();
    in_order_.pop_back();
    User& user = users_[u];
    user.leaving = true;
    --logged_in_;
    if (user.state == State::kThinking || user.state == State::kPaused) {
      // Between interactions: leave now.
      sim_.cancel(user.timer);
      finish_interaction(u);
    }
  }
  piece_ = cfg_.users.piece_index(now, piece_);
  const Profile::Piece& piece = cfg_.users.piece(piece_);
  sim::SimTime next = piece.end;
  if (!cfg_.users.piece_is_constant(piece_)) next = std::min(next, now + sim::seconds(1));
  if (next.is_max()) return;
  struct Adjust {
    ClosedUsers* self;
    void operator()() const { self->adjust_population(); }
  };
  sim_.schedule_at(next, Adjust{this});
}

void ClosedUsers::log_in() {
  uint32_t u;
  if (!free_users_.empty()) {
    u = free_users_.back();
    free_users_.pop_back();
  } else {
    u = static_cast<uint32_t>(users_.size());
    users_.emplace_back();
  }
  User& user = users_[u];
  const uint32_t generation = user.generation + 1;
  user = User{};
  user.generation = generation;
  const ClientContext c = network_.draw(rng_.clients);
  user.region = static_cast<uint16_t>(c.region);
  user.resolver = c.resolver;
  in_order_.push_back(u);
  ++logged_in_;
  think(u, sim::SimTime::zero());  // the first request comes after one think time
}

void ClosedUsers::schedule(uint32_t u, sim::SimTime at, int kind, RequestId request,
                           FailureCause cause) {
  User& user = users_[u];
  user.timer = sim_.schedule_at(at, Wake{this, u, user.generation, kind, request, cause});
}

void ClosedUsers::think(uint32_t u, sim::SimTime after) {
  User& user = users_[u];
  user.state = State::kThinking;
  const double t = std::max(0.0, cfg_.think_time.sample(think_rng_));
  schedule(u, sim_.now() + after + sim::SimTime::from_seconds(t), kWakeUp);
}

sim::SimTime ClosedUsers::way_back(const Request& r) const {
  sim::SimTime d = network_.rtt(r.region, r.site);
  if (r.write) d += network_.write_latency(r.site);
  return d;
}

void ClosedUsers::send(uint32_t u) {
  User& user = users_[u];
  const SiteAnswer answer = selector_.select({user.region, user.resolver});
  const RequestId id = pool_.alloc();
  Request& r = pool_[id];
  r.sent = sim_.now();
  r.demand_ns = std::max(0.0, cfg_.demand.sample(rng_.demand) * 1e9);
  r.client = this;
  r.user = u;
  r.region = user.region;
  r.attempt = static_cast<uint16_t>(user.attempt);
  r.write = cfg_.write_fraction > 0 && rng_.writes.uniform01() < cfg_.write_fraction;
  r.site = static_cast<int16_t>(answer.site);
  user.state = State::kWaiting;
  user.request = id;
  user.has_request = true;
  user.seq = static_cast<uint32_t>(++send_seq_);
  if (answer.site != kNoSite && user.last_site != answer.site) {
    if (user.last_site != kNoSite) --active_by_site_[static_cast<std::size_t>(user.last_site)];
    ++active_by_site_[static_cast<std::size_t>(answer.site)];
    user.last_site = static_cast<int16_t>(answer.site);
  }
  observer_.on_send(answer.site, answer.stale, user.attempt > 0);
  if (answer.site == kNoSite) {
    on_failure(id, FailureCause::kNoHealthySite);
    return;
  }
  deadlines_.push_back({sim_.now() + cfg_.client.timeout, user.seq, u});
  if (!timeout_armed_) {
    arm_timeout_timer();
  } else {
    trim_deadlines();
  }
  sites_[static_cast<std::size_t>(answer.site)]->submit(id);
}

void ClosedUsers::on_response(RequestId id) {
  const Request& r = pool_[id];
  User& user = users_[r.user];
  if (!user.has_request || user.request != id) {  // the user stopped waiting: a late response
    pool_.free(id);
    return;
  }
  // The user sees the response a round trip later (and thinks from then on); a response that
  // would arrive after the user's timeout is a timeout.
  const sim::SimTime back = way_back(r);
  const sim::SimTime deadline = r.sent + cfg_.client.timeout;
  if (sim_.now() + back > deadline) {
    user.state = State::kConnecting;
    schedule(r.user, deadline, kFailureSeen, id, FailureCause::kTimeout);
    return;
  }
  observer_.on_response(r.site, sim_.now() - r.sent + back, r.sent);
  ++interactions_ok_;
  const uint32_t u = r.user;
  pool_.free(id);
  user.has_request = false;
  user.attempt = 0;
  user.failed_in_a_row = 0;
  finish_interaction(u, back);
}

void ClosedUsers::on_failure(RequestId id, FailureCause cause) {
  const Request& r = pool_[id];
  User& user = users_[r.user];
  if (!user.has_request || user.request != id) {  // already timed out
    pool_.free(id);
    return;
  }
  if (cause == FailureCause::kSiteDown || cause == FailureCause::kUnreachable) {
    // Nobody answers. A new connection fails when its attempt times out (or the request
    // timeout comes first); a request already in service when the site died gets no reset
    // either, and its client waits for the request timeout.
    const sim::SimTime deadline = r.sent + cfg_.client.timeout;
    const bool in_flight = sim_.now() > r.sent;
    sim::SimTime seen = in_flight ? deadline : sim_.now() + cfg_.client.connect_timeout;
    if (!in_flight && deadline < seen) {
      seen = deadline;
      cause = FailureCause::kTimeout;
    }
    user.state = State::kConnecting;
    schedule(r.user, seen, kFailureSeen, id, cause);
    return;
  }
  // An error from the site (503, refused, aborted) reaches the user a round trip later.
  if (r.site != kNoSite) {
    const sim::SimTime deadline = r.sent + cfg_.client.timeout;
    sim::SimTime seen = sim_.now() + way_back(r);
    if (seen > deadline) {
      seen = deadline;
      cause = FailureCause::kTimeout;
    }
    if (seen > sim_.now()) {
      user.state = State::kConnecting;
      schedule(r.user, seen, kFailureSeen, id, cause);
      return;
    }
  }
  const uint32_t u = r.user;
  const int site = r.site;
  const sim::SimTime sent = r.sent;
  pool_.free(id);
  user.has_request = false;
  interaction_failed(u, site, cause, sent);
}

void ClosedUsers::wake(uint32_t u, uint32_t generation, int kind, RequestId request,
                       FailureCause cause) {
  User& user = users_[u];
  if (user.generation != generation || user.state == State::kOut) return;
  user.timer = {};
  switch (kind) {
    case kWakeUp:
      if (user.state == State::kPaused) {
        change_paused(-1);
        user.failed_in_a_row = 0;
      }
      send(u);
      break;
    case kFailureSeen: {
      const int site = pool_[request].site;
      const sim::SimTime sent = pool_[request].sent;
      pool_.free(request);
      user.has_request = false;
      interaction_failed(u, site, cause, sent);
      break;
    }
  }
}

void ClosedUsers::arm_timeout_timer() {
  struct Expire {
    ClosedUsers* self;
    void operator()() const { self->expire_timeouts(); }
  };
  timeout_armed_ = true;
  sim_.schedule_at(deadlines_.front().at, Expire{this});
}

bool ClosedUsers::still_waiting(const Deadline& d) const {
  const User& user = users_[d.user];
  return user.state == State::kWaiting && user.has_request && user.seq == d.seq;
}

// While the timer is armed, answered requests at the front of the FIFO are dropped as new ones
// come (at most two a send, so the FIFO shrinks when it can); the timer would drop them when it
// fires, and its time does not depend on them. Without this the FIFO holds every request of the
// last timeout (48 bytes a user at 10 s, 5 s think). A request that stopped waiting never waits
// again, so dropping it early changes nothing. The user a few entries ahead is prefetched: the
// FIFO is read in order, its users are not.
void ClosedUsers::trim_deadlines() {
  for (int i = 0; i < 2 && deadlines_.size() > 1; ++i) {
    __builtin_prefetch(&users_[deadlines_[std::min<std::size_t>(8, deadlines_.size() - 1)].user]);
    if (still_waiting(deadlines_.front())) return;
    deadlines_.pop_front();
  }
}

void ClosedUsers::expire_timeouts() {
  timeout_armed_ = false;
  const sim::SimTime now = sim_.now();
  while (!deadlines_.empty()) {
    const Deadline d = deadlines_.front();
    User& user = users_[d.user];
    const bool waiting = still_waiting(d);
    if (waiting && d.at > now) break;
    deadlines_.pop_front();
    if (!waiting) continue;  // answered, failed or gone
    // Give up waiting; the site keeps working on the request until it is done (its late
    // response is dropped).
    const int site = pool_[user.request].site;
    user.has_request = false;
    interaction_failed(d.user, site, FailureCause::kTimeout, pool_[user.request].sent);
  }
  if (!deadlines_.empty()) arm_timeout_timer();
}

void ClosedUsers::interaction_failed(uint32_t u, int site, FailureCause cause, sim::SimTime sent) {
  observer_.on_failure(site, cause, sent);
  User& user = users_[u];
  if (user.attempt < cfg_.client.retries && !user.leaving) {
    const double jitter = 1.0 + cfg_.client.jitter * (2.0 * rng_.clients.uniform01() - 1.0);
    const double wait = cfg_.client.backoff.seconds() *
                        std::pow(cfg_.client.backoff_multiplier, user.attempt) * jitter;
    ++user.attempt;
    user.state = State::kBackoff;
    schedule(u, sim_.now() + sim::SimTime::from_seconds(std::max(0.0, wait)), kWakeUp);
    return;
  }
  user.attempt = 0;
  if (user.failed_in_a_row < UINT16_MAX) ++user.failed_in_a_row;
  ++interactions_failed_;
  if (cfg_.client.abandon_after > 0 && user.failed_in_a_row >= cfg_.client.abandon_after &&
      !user.leaving) {
    user.state = State::kPaused;
    change_paused(1);
    ++abandonments_;
    if (user.last_site != kNoSite) --active_by_site_[static_cast<std::size_t>(user.last_site)];
    user.last_site = kNoSite;
    schedule(u, sim_.now() + cfg_.client.abandon_pause, kWakeUp);
    return;
  }
  finish_interaction(u);
}

void ClosedUsers::finish_interaction(uint32_t u, sim::SimTime after) {
  User& user = users_[u];
  if (!user.leaving) {
    think(u, after);
    return;
  }
  if (user.state == State::kPaused) change_paused(-1);
  if (user.last_site != kNoSite) --active_by_site_[static_cast<std::size_t>(user.last_site)];
  user.state = State::kOut;
  ++user.generation;
  free_users_.push_back(u);
}

int ClosedUsers::active_users() const { return logged_in_ - paused_; }

void ClosedUsers::change_paused(int delta) {
  const sim::SimTime now = sim_.now();
  paused_area_ += static_cast<double>(paused_) * (now - paused_since_).seconds();
  paused_since_ = now;
  paused_ += delta;
}

UserCounts ClosedUsers::user_counts() const {
  UserCounts c;
  c.paused = paused_;
  c.paused_user_seconds =
      paused_area_ + static_cast<double>(paused_) * (sim_.now() - paused_since_).seconds();
  c.abandonments = abandonments_;
  c.interactions_ok = interactions_ok_;
  c.interactions_failed = interactions_failed_;
  return c;
}

int ClosedUsers::active_users(int site) const {
  return site < 0 ? active_users() : active_by_site_[static_cast<std::size_t>(site)];
}

}  // namespace models
