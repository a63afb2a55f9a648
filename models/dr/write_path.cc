#include "models/dr/write_path.h"

#include <algorithm>
#include <cmath>

#include "models/common/text.h"
#include "sim/assert.h"

namespace models {

const char* write_mode_name(WriteMode m) {
  switch (m) {
    case WriteMode::kLocal:
      return "local";
    case WriteMode::kPrimary:
      return "primary";
    case WriteMode::kMultiPrimary:
      return "multi-primary";
  }
  return "?";
}

WritePath::Zipf::Zipf(uint64_t n, double theta) : n_(n), theta_(theta) {
  SIM_ASSERT(n >= 1 && theta >= 0 && theta < 1, "Zipf needs n >= 1 and theta in [0, 1)");
  zetan_ = 0;
  for (uint64_t i = 1; i <= n; ++i) zetan_ += 1.0 / std::pow(static_cast<double>(i), theta);
  const double zeta2 = 1.0 + std::pow(0.5, theta);
  alpha_ = 1.0 / (1.0 - theta);
  eta_ = n > 2
             ? (1.0 - std::pow(2.0 / static_cast<double>(n), 1.0 - theta)) / (1.0 - zeta2 / zetan_)
             : 0.0;
}

uint64_t WritePath::Zipf::sample(sim::RngStream& rng) const {
  const double u = rng.uniform01();
  const double uz = u * zetan_;
  if (uz < 1.0 || n_ == 1) return 0;
  if (uz < 1.0 + std::pow(0.5, theta_) || n_ == 2) return 1;
  const double x = static_cast<double>(n_) * std::pow(eta_ * u - eta_ + 1.0, alpha_);
  return std::min(n_ - 1, static_cast<uint64_t>(x));
}

WritePath::WritePath(sim::Simulator& sim, const WritePathConfig& cfg, Replication* replication,
                     sim::RngStream rng, std::vector<std::string> site_names,
                     WriteLatencySink& latency, sim::Recorder& rec)
    : sim_(sim),
      cfg_(cfg),
      replication_(replication),
      rng_(std::move(rng)),
      names_(std::move(site_names)),
      latency_(latency),
      rec_(rec),
      primary_(cfg.primary),
      down_(names_.size(), false),
      marked_down_(names_.size(), false) {
  if (cfg_.mode == WriteMode::kMultiPrimary) {
    SIM_ASSERT(cfg_.keys > 0 && replication_ != nullptr, "multi-primary needs keys and links");
    zipf_.emplace(cfg_.keys, cfg_.key_skew);
    for (auto& v : last_) v.assign(cfg_.keys, LastWrite{});
  }
  publish_latency();
}

void WritePath::publish_latency() {
  for (std::size_t s = 0; s < names_.size(); ++s) {
    const int site = static_cast<int>(s);
    const int at = cfg_.mode == WriteMode::kPrimary ? primary_ : site;
    sim::SimTime extra;
    const bool through_db = s < cfg_.writes_through_db.size() && cfg_.writes_through_db[s];
    if (site != at && !through_db) extra += cfg_.site_rtt[s][static_cast<std::size_t>(at)];
    const ReplicationLink* l = replication_ != nullptr ? replication_->link_from(at) : nullptr;
    if (l != nullptr && l->sync) extra += l->write_latency;
    latency_.set_write_latency(site, extra);
  }
}

bool WritePath::on_write_commit(int site, sim::SimTime at) {
  switch (cfg_.mode) {
    case WriteMode::kLocal:
      if (replication_ != nullptr) replication_->commit(site, at);
      return true;
    case WriteMode::kPrimary:
      if (!available_) {
        ++failed_;
        return false;
      }
      if (replication_ != nullptr) replication_->commit(primary_, at);
      return true;
    case WriteMode::kMultiPrimary: {
      const uint64_t seq = replication_->commit(site, at);
      if (site == cfg_.primary || site == cfg_.partner) conflicts_ += conflicting(site, seq, at);
      return true;
    }
  }
  return true;
}

bool WritePath::conflicting(int site, uint64_t seq, sim::SimTime at) {
  const std::size_t self = site == cfg_.primary ? 0 : 1;
  const int other_site = self == 0 ? cfg_.partner : cfg_.primary;
  const uint64_t key = zipf_->sample(rng_);
  const LastWrite& other = last_[1 - self][key];
  bool conflict = false;
  if (other.seq != Replication::kNoSequence) {
    // The other site's latest write to this record reaches this site when it has left its link's
    // log and the lag drawn for it has passed.
    const sim::SimTime seen =
        replication_->applied_at(other_site, other.seq) + sim::SimTime::from_seconds(other.lag_s);
    conflict = seen > at;
  }
  const ReplicationLink* l = replication_->link_from(site);
  const double lag = l != nullptr ? std::max(0.0, l->lag.sample(rng_)) : 0.0;
  last_[self][key] = LastWrite{seq, static_cast<float>(lag)};
  return conflict;
}

void WritePath::on_fault_begin(int site, FaultKind kind, sim::SimTime at) {
  if (kind != FaultKind::kFull) return;
  down_[static_cast<std::size_t>(site)] = true;
  if (cfg_.mode != WriteMode::kPrimary || site != primary_ || !available_) return;
  available_ = false;
  WriteOutage o;
  o.site = site;
  o.start = at;
  o.primary_after = site;
  outages_.push_back(o);
  rec_.event(at, "dr/writes", "no_primary",
             "the primary database at " + names_[static_cast<std::size_t>(site)] +
                 " is down: writes fail until it returns or its replica is promoted",
             sim::EventDetails().add("site", names_[static_cast<std::size_t>(site)]));
  // A site the GSLB had already marked down (say, after a brown-out) is known to be gone.
  if (marked_down_[static_cast<std::size_t>(site)]) try_promote(at);
}

void WritePath::on_fault_end(int site, FaultKind kind, sim::SimTime at) {
  if (kind != FaultKind::kFull) return;
  down_[static_cast<std::size_t>(site)] = false;
  if (cfg_.mode != WriteMode::kPrimary || available_ || promoting_) return;
  if (site == primary_) {
    restore(at, std::nullopt);  // back before any promotion started
  } else if (marked_down_[static_cast<std::size_t>(primary_)]) {
    try_promote(at);  // its replica is back: promote it now
  }
}

void WritePath::on_health_change(int site, bool healthy, sim::SimTime at) {
  marked_down_[static_cast<std::size_t>(site)] = !healthy;
  if (healthy || cfg_.mode != WriteMode::kPrimary || site != primary_ || available_ || promoting_)
    return;
  try_promote(at);
}

void WritePath::try_promote(sim::SimTime at) {
  const std::string& from = names_[static_cast<std::size_t>(primary_)];
  const ReplicationLink* l = replication_ != nullptr ? replication_->link_from(primary_) : nullptr;
  if (l == nullptr) {
    rec_.event(at, "dr/writes", "no_replica",
               from + " has no replica to promote: writes wait for it to return",
               sim::EventDetails().add("site", from));
    return;
  }
  const std::string& to = names_[static_cast<std::size_t>(l->to)];
  if (down_[static_cast<std::size_t>(l->to)]) {
    rec_.event(at, "dr/writes", "no_replica",
               "the replica at " + to + " is down too: writes wait for one of them to return",
               sim::EventDetails().add("site", from).add("replica", to));
    return;
  }
  promoting_ = true;
  const double d = std::max(0.0, l->promotion.sample(rng_));
  rec_.event(at, "dr/writes", "promotion",
             "promoting the replica at " + to + " to primary (takes " + fixed(d, 1) + " s)",
             sim::EventDetails().add("from", from).add("to", to).add("duration_s", d));
  struct Done {
    WritePath* self;
    int target;
    sim::SimTime started;
    void operator()() const { self->finish_promotion(target, started); }
  };
  sim_.schedule_in(sim::SimTime::from_seconds(d), Done{this, l->to, at});
}

void WritePath::finish_promotion(int target, sim::SimTime started) {
  promoting_ = false;
  const sim::SimTime now = sim_.now();
  if (down_[static_cast<std::size_t>(target)]) {
    rec_.event(now, "dr/writes", "no_replica",
               "the promotion failed: " + names_[static_cast<std::size_t>(target)] +
                   " went down during it",
               sim::EventDetails().add("replica", names_[static_cast<std::size_t>(target)]));
    if (!down_[static_cast<std::size_t>(primary_)]) restore(now, std::nullopt);
    return;
  }
  primary_ = target;
  restore(now, (now - started).seconds());
  publish_latency();
}

void WritePath::restore(sim::SimTime at, std::optional<double> promotion_s) {
  available_ = true;
  WriteOutage& o = outages_.back();
  o.restored = at;
  o.promotion_s = promotion_s;
  o.primary_after = primary_;
  const std::string& name = names_[static_cast<std::size_t>(primary_)];
  rec_.event(at, "dr/writes", "primary",
             name + " is the primary database; writes resume after " +
                 fixed((at - o.start).seconds(), 1) + " s without one",
             sim::EventDetails()
                 .add("site", name)
                 .add("without_primary_s", (at - o.start).seconds())
                 .add("promoted", promotion_s.has_value()));
}

}  // namespace models
