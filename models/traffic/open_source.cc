#include "models/traffic/open_source.h"

namespace models {

OpenTrafficSource::OpenTrafficSource(sim::Simulator& sim, TrafficRngs rngs, RequestPool& pool,
                                     const OpenTrafficConfig& cfg, SiteSelector& selector,
                                     std::vector<RequestSink*> sites, const ClientNetwork& network,
                                     TrafficObserver& observer)
    : sim_(sim),
      rng_(std::move(rngs)),
      pool_(pool),
      cfg_(cfg),
      selector_(selector),
      sites_(std::move(sites)),
      network_(network),
      observer_(observer) {
  if (cfg_.rate.piece_count() == 1 && cfg_.rate.piece_is_constant(0) && cfg_.rate.piece(0).v0 > 0) {
    constant_rate_ = cfg_.rate.piece(0).v0;
    mean_gap_s_ = 1.0 / constant_rate_;
  }
}

void OpenTrafficSource::start() { schedule_next(sim_.now()); }

// Thinning against the current piece's maximum, restarting at piece boundaries.
void OpenTrafficSource::schedule_next(sim::SimTime from) {
  const Profile& p = cfg_.rate;
  if (constant_rate_ > 0) {  // fast path: one constant piece forever
    const double gap_s = rng_.arrivals.exponential_mean(mean_gap_s_);
    if (gap_s < 1e9)
      sim_.schedule_at(from + sim::SimTime::from_seconds(gap_s), [this] { on_arrival(); });
    return;
  }
  sim::SimTime t = from;
  for (;;) {
    const std::size_t i = p.piece_index(t, piece_);
    if (i != piece_ || bound_ < 0) {  // a new piece: its thinning bound and mean gap
      piece_ = i;
      bound_ = p.piece_max(i);
      bound_gap_s_ = bound_ > 0 ? 1.0 / bound_ : 0;
    }
    const Profile::Piece& piece = p.piece(piece_);
    if (bound_ <= 0) {
      if (piece.end.is_max()) return;  // no more arrivals, ever
      t = piece.end;
      continue;
    }
    const double gap_s = rng_.arrivals.exponential_mean(bound_gap_s_);
    const sim::SimTime cand = gap_s > 1e9
                                  ? sim::SimTime::max()
                                  : sim::saturating_add(t, sim::SimTime::from_seconds(gap_s));
    if (cand >= piece.end) {
      if (piece.end.is_max()) return;
      t = piece.end;
      continue;
    }
    if (p.piece_is_constant(piece_) ||
        rng_.arrivals.uniform01() * bound_ < p.value_in(piece_, cand)) {
      sim_.schedule_at(cand, [this] { on_arrival(); });
      return;
    }
    t = cand;
  }
}

void OpenTrafficSource::on_arrival() {
  const RequestId id = pool_.alloc();
  Request& r = pool_[id];
  r.sent = sim_.now();
  r.demand_ns = cfg_.demand.sample(rng_.demand) * 1e9;
  if (r.demand_ns < 0) r.demand_ns = 0;
  r.client = this;
  r.user = 0;
  r.attempt = 0;
  r.write = cfg_.write_fraction > 0 && rng_.writes.uniform01() < cfg_.write_fraction;
  const ClientContext client = network_.draw(rng_.clients);
  r.region = static_cast<uint16_t>(client.region);
  const SiteAnswer answer = selector_.select(client);
  const int site = answer.site;
  r.site = static_cast<int16_t>(site);
  ++sent_;
  schedule_next(sim_.now());
  observer_.on_send(site, answer.stale, false);
  if (site == kNoSite) {
    on_failure(id, FailureCause::kNoHealthySite);
    return;
  }
  sites_[static_cast<std::size_t>(site)]->submit(id);
}

void OpenTrafficSource::on_response(RequestId id) {
  const Request& r = pool_[id];
  sim::SimTime rt = sim_.now() - r.sent + network_.rtt(r.region, r.site);
  if (r.write) rt += network_.write_latency(r.site);
  observer_.on_response(r.site, rt, r.sent);
  pool_.free(id);
}

void OpenTrafficSource::on_failure(RequestId id, FailureCause cause) {
  observer_.on_failure(pool_[id].site, cause, pool_[id].sent);
  pool_.free(id);
}

}  // namespace models
