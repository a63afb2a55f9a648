#include "models/gslb/dns_gslb.h"

#include <algorithm>

#include "sim/assert.h"

namespace models {

const char* gslb_policy_name(GslbPolicy p) {
  switch (p) {
    case GslbPolicy::kWeighted:
      return "weighted";
    case GslbPolicy::kFailover:
      return "failover";
    case GslbPolicy::kLatency:
      return "latency";
    case GslbPolicy::kLeastLoaded:
      return "least-loaded";
  }
  return "?";
}

DnsGslb::DnsGslb(sim::Simulator& sim, sim::RngStream rng, const DnsGslbConfig& cfg,
                 std::vector<SiteHealth*> sites, std::vector<std::string> site_names,
                 const Topology& topology, sim::Recorder& rec)
    : sim_(sim),
      rng_(std::move(rng)),
      cfg_(cfg),
      sites_(std::move(sites)),
      names_(std::move(site_names)),
      topology_(topology),
      rec_(rec),
      healthy_(sites_.size(), true),
      drained_(sites_.size(), false),
      checkers_(sites_.size() * static_cast<std::size_t>(std::max(1, cfg.health.checkers))),
      load_(sites_.size(), 0.0) {
  SIM_ASSERT(cfg_.resolvers_per_region > 0, "resolvers_per_region must be positive");
  resolvers_.resize(static_cast<std::size_t>(topology_.region_count() * cfg_.resolvers_per_region));
  // Each resolver population's caching behaviour, drawn once.
  const double total = cfg_.stale.honor + cfg_.stale.floor + cfg_.stale.violators;
  for (Resolver& r : resolvers_) {
    const double u = rng_.uniform01() * total;
    r.kind = u < cfg_.stale.honor ? 0 : (u < cfg_.stale.honor + cfg_.stale.floor ? 1 : 2);
  }
  if (cfg_.weights.size() < sites_.size()) cfg_.weights.resize(sites_.size(), 0.0);
  cfg_.outside.resize(sites_.size(), false);
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    if (cfg_.outside[i]) cfg_.weights[i] = 0;
  }
}

void DnsGslb::start() {
  for (std::size_t c = 0; c < checkers_.size(); ++c) {
    struct Probe {
      DnsGslb* self;
      std::size_t checker;
      void operator()() const {
        self->probe(checker);
        self->sim_.schedule_in(self->cfg_.health.interval, *this);
      }
    };
    const sim::SimTime phase =
        sim::SimTime::from_seconds(rng_.uniform01() * cfg_.health.interval.seconds());
    if (!cfg_.outside[c / (checkers_.size() / sites_.size())])
      sim_.schedule_in(phase, Probe{this, c});
  }
  if (cfg_.policy == GslbPolicy::kLeastLoaded) {
    struct Report {
      DnsGslb* self;
      void operator()() const {
        for (std::size_t i = 0; i < self->sites_.size(); ++i)
          self->load_[i] = self->sites_[i]->report_utilization();
        self->sim_.schedule_in(self->cfg_.load_report_interval, *this);
      }
    };
    sim_.schedule_in(cfg_.load_report_interval, Report{this});
  }
}

sim::SimTime DnsGslb::hold(const Resolver& r) {
  switch (r.kind) {
    case 0:
      return cfg_.ttl;
    case 1:
      return std::max(cfg_.ttl, cfg_.stale.floor_time);
    default:
      return sim::SimTime::from_seconds(std::max(0.0, cfg_.stale.violator_hold.sample(rng_)));
  }
}

sim::SimTime DnsGslb::residual_hold(const Resolver& r) {
  if (r.kind != 2) return sim::SimTime::from_seconds(rng_.uniform01() * hold(r).seconds());
  // A renewal process of violator holds started long ago; the hold that covers now is
  // length-biased, as it is for a resolver met at a random instant.
  const double mean = std::max(1.0, cfg_.stale.violator_hold.mean());
  double t = -20.0 * mean;
  for (;;) {
    const double h = hold(r).seconds();
    if (t + h > 0 || h <= 0) return sim::SimTime::from_seconds(std::max(0.0, t + h));
    t += h;
  }
}

SiteAnswer DnsGslb::select(const ClientContext& client) {
  const std::size_t idx = static_cast<std::size_t>(client.region) *
                              static_cast<std::size_t>(cfg_.resolvers_per_region) +
                          client.resolver % static_cast<uint32_t>(cfg_.resolvers_per_region);
  Resolver& r = resolvers_[idx];
  const sim::SimTime now = sim_.now();
  if (now >= r.expiry || r.site == kNoSite) {  // no answer is not cached
    r.site = answer(client.region);
    r.epoch = epoch_;
    r.expiry = now + (r.primed ? hold(r) : residual_hold(r));
    r.primed = true;
  }
  return {r.site, r.epoch != epoch_};
}

int DnsGslb::weighted_pick(const std::vector<int>& candidates, bool use_weights) {
  if (candidates.size() == 1) return candidates[0];
  double total = 0;
  for (int s : candidates) total += use_weights ? cfg_.weights[static_cast<std::size_t>(s)] : 1.0;
  double u = rng_.uniform01() * total;
  for (int s : candidates) {
    u -= use_weights ? cfg_.weights[static_cast<std::size_t>(s)] : 1.0;
    if (u < 0) return s;
  }
  return candidates.back();
}

int DnsGslb::answer(int region) {
  const int n = static_cast<int>(sites_.size());
  auto usable = [&](int s) {
    const auto i = static_cast<std::size_t>(s);
    return healthy_[i] && !drained_[i] && !cfg_.outside[i];
  };
  switch (cfg_.policy) {
    case GslbPolicy::kWeighted: {
      std::vector<int> c;
      for (int s = 0; s < n; ++s) {
        if (usable(s) && cfg_.weights[static_cast<std::size_t>(s)] > 0) c.push_back(s);
      }
      if (!c.empty()) return weighted_pick(c, true);
      for (int s = 0; s < n; ++s) {
        if (usable(s)) c.push_back(s);  // healthy zero-weight records
      }
      if (!c.empty()) return weighted_pick(c, false);
      if (!cfg_.fail_open) return kNoSite;
      for (int s = 0; s < n; ++s) {
        if (cfg_.weights[static_cast<std::size_t>(s)] > 0 && !drained_[static_cast<std::size_t>(s)])
          c.push_back(s);
      }
      return c.empty() ? kNoSite : weighted_pick(c, true);
    }
    case GslbPolicy::kFailover: {
      for (int s : cfg_.failover_order) {
        if (usable(s)) return s;
      }
      return cfg_.fail_open && !cfg_.failover_order.empty() ? cfg_.failover_order.front() : kNoSite;
    }
    case GslbPolicy::kLatency: {
      const std::vector<int>& near = topology_.nearest(region);
      for (int s : near) {
        if (usable(s)) return s;
      }
      if (!cfg_.fail_open) return kNoSite;
      for (int s : near) {
        if (!cfg_.outside[static_cast<std::size_t>(s)]) return s;
      }
      return kNoSite;
    }
    case GslbPolicy::kLeastLoaded: {
      int best = kNoSite;
      for (int s = 0; s < n; ++s) {
        if (usable(s) && (best == kNoSite || load_[static_cast<std::size_t>(s)] <
                                                 load_[static_cast<std::size_t>(best)]))
          best = s;
      }
      if (best != kNoSite || !cfg_.fail_open) return best;
      for (int s = 0; s < n; ++s) {
        if (!cfg_.outside[static_cast<std::size_t>(s)]) return s;
      }
      return kNoSite;
    }
  }
  return kNoSite;
}

void DnsGslb::probe(std::size_t c) {
  Checker& k = checkers_[c];
  if (k.waiting) return;  // the previous check has not been decided yet
  k.waiting = true;
  ++k.seq;
  k.sent = sim_.now();
  const std::size_t per_site = checkers_.size() / sites_.size();
  const uint64_t token = (uint64_t{static_cast<uint32_t>(c)} << 32) | k.seq;
  // Decided by the answer, or failed at the deadline: the response timeout once connected.
  struct Deadline {
    DnsGslb* self;
    std::size_t checker;
    uint32_t seq;
    void operator()() const { self->check_done(checker, seq, false); }
  };
  k.deadline = sim_.schedule_in(cfg_.health.response_timeout, Deadline{this, c, k.seq});
  sites_[c / per_site]->send_health_check(*this, token, cfg_.health.cost_s);
}

void DnsGslb::on_check_result(uint64_t token, CheckOutcome outcome) {
  const std::size_t c = static_cast<std::size_t>(token >> 32);
  const uint32_t seq = static_cast<uint32_t>(token);
  if (c >= checkers_.size()) return;
  Checker& k = checkers_[c];
  if (!k.waiting || k.seq != seq) return;  // a late answer to a check already decided
  switch (outcome) {
    case CheckOutcome::kAnswered:
      check_done(c, seq, sim_.now() - k.sent <= cfg_.health.response_timeout);
      break;
    case CheckOutcome::kFailed:
      check_done(c, seq, false);
      break;
    case CheckOutcome::kUnreachable: {
      // No connection: the checker learns it when its connection attempt times out.
      sim_.cancel(k.deadline);
      struct Deadline {
        DnsGslb* self;
        std::size_t checker;
        uint32_t seq;
        void operator()() const { self->check_done(checker, seq, false); }
      };
      k.deadline = sim_.schedule_at(k.sent + cfg_.health.timeout, Deadline{this, c, seq});
      break;
    }
  }
}

void DnsGslb::check_done(std::size_t c, uint32_t seq, bool ok) {
  Checker& k = checkers_[c];
  if (!k.waiting || k.seq != seq) return;
  k.waiting = false;
  sim_.cancel(k.deadline);
  k.deadline = {};
  if (ok) {
    k.fails = 0;
    if (!k.healthy && ++k.passes >= cfg_.health.success_threshold) {
      k.healthy = true;
      k.passes = 0;
    }
  } else {
    k.passes = 0;
    if (k.fails == 0) k.first_failure = k.sent;
    if (k.healthy && ++k.fails >= cfg_.health.failure_threshold) {
      k.healthy = false;
      k.fails = 0;
    }
  }
  update_site(static_cast<int>(c / (checkers_.size() / sites_.size())));
}

void DnsGslb::update_site(int site) {
  const std::size_t i = static_cast<std::size_t>(site);
  const std::size_t per_site = checkers_.size() / sites_.size();
  int up = 0;
  sim::SimTime first_failure = sim::SimTime::max();
  for (std::size_t c = i * per_site; c < (i + 1) * per_site; ++c) {
    up += checkers_[c].healthy ? 1 : 0;
    if (!checkers_[c].healthy) first_failure = std::min(first_failure, checkers_[c].first_failure);
  }
  const bool healthy =
      static_cast<double>(up) > cfg_.health.healthy_fraction * static_cast<double>(per_site);
  if (healthy == healthy_[i]) return;
  healthy_[i] = healthy;
  if (healthy) {
    rec_.event(sim_.now(), "gslb", "health", names_[i] + " marked healthy",
               sim::EventDetails()
                   .add("site", names_[i])
                   .add("healthy", true)
                   .add("checkers_healthy", up)
                   .add("checkers", static_cast<int>(per_site)));
    new_epoch(names_[i] + " healthy");
  } else {
    rec_.event(sim_.now(), "gslb", "health",
               names_[i] + " marked down after " + std::to_string(cfg_.health.failure_threshold) +
                   " failed checks",
               sim::EventDetails()
                   .add("site", names_[i])
                   .add("healthy", false)
                   .add("first_failed_probe_s", first_failure.seconds())
                   .add("checkers_healthy", up)
                   .add("checkers", static_cast<int>(per_site)));
    new_epoch(names_[i] + " down");
  }
  for (HealthListener* l : listeners_) l->on_health_change(site, healthy, sim_.now());
}

void DnsGslb::new_epoch(const std::string& why) {
  ++epoch_;
  (void)why;
}

void DnsGslb::set_weights(const std::vector<double>& weights) {
  cfg_.weights = weights;
  cfg_.weights.resize(sites_.size(), 0.0);
  record_weights(rec_, sim_.now(), "dns", names_, cfg_.weights);
  new_epoch("weights");
}

void DnsGslb::set_ttl(sim::SimTime ttl) {
  cfg_.ttl = ttl;
  rec_.event(sim_.now(), "gslb", "dns", "TTL set to " + sim::format_duration(ttl),
             sim::EventDetails().add("ttl_s", ttl.seconds()));
}

void DnsGslb::set_drained(int site, bool drained) {
  drained_[static_cast<std::size_t>(site)] = drained;
  rec_.event(sim_.now(), "gslb", "dns",
             names_[static_cast<std::size_t>(site)] + (drained ? " drained" : " undrained"),
             sim::EventDetails()
                 .add("site", names_[static_cast<std::size_t>(site)])
                 .add("drained", drained));
  new_epoch("drain");
}

}  // namespace models
