#include "models/faults/fault_injector.h"

#include <algorithm>
#include <cmath>

namespace models {

const char* fault_kind_name(FaultKind k) {
  switch (k) {
    case FaultKind::kFull:
      return "full";
    case FaultKind::kPartial:
      return "partial";
    case FaultKind::kPartition:
      return "partition";
    case FaultKind::kBrownout:
      return "brownout";
  }
  return "?";
}

FaultInjector::FaultInjector(sim::Simulator& sim, sim::RngFactory& rngs,
                             std::vector<FaultTarget*> sites, std::vector<ScheduledFault> scheduled,
                             std::vector<RandomFault> random, sim::Recorder& rec)
    : sim_(sim),
      sites_(std::move(sites)),
      scheduled_(std::move(scheduled)),
      random_(std::move(random)),
      start_rng_(rngs.stream("faults/starts")),
      pick_rng_(rngs.stream("faults/nodes")),
      rec_(rec) {
  for (const RandomFault& r : random_) {
    random_rngs_.push_back(
        rngs.stream("faults/" + sites_[static_cast<std::size_t>(r.spec.site)]->target_site_name()));
  }
  active_.resize(scheduled_.size() + random_.size());
}

void FaultInjector::start() {
  for (std::size_t i = 0; i < scheduled_.size(); ++i) {
    active_[i].spec = scheduled_[i].spec;
    struct Begin {
      FaultInjector* self;
      std::size_t i;
      void operator()() const { self->begin(i); }
    };
    struct End {
      FaultInjector* self;
      std::size_t i;
      void operator()() const { self->end(i); }
    };
    ScheduledFault& f = scheduled_[i];
    if (f.latest > f.at) {
      const double span_s = (f.latest - f.at).seconds();
      f.at = f.at + sim::SimTime::from_seconds(start_rng_.uniform01() * span_s);
    }
    sim_.schedule_at(f.at, Begin{this, i});
    if (!f.duration.is_max()) sim_.schedule_at(f.at + f.duration, End{this, i});
  }
  for (std::size_t r = 0; r < random_.size(); ++r) {
    active_[scheduled_.size() + r].spec = random_[r].spec;
    random_cycle(r, false);
  }
}

void FaultInjector::random_cycle(std::size_t r, bool failing) {
  // Up for Exp(MTBF), then down for Exp(MTTR), and so on.
  sim::RngStream& rng = random_rngs_[r];
  const sim::SimTime mean = failing ? random_[r].mttr : random_[r].mtbf;
  const sim::SimTime wait = sim::SimTime::from_seconds(rng.exponential_mean(mean.seconds()));
  struct Flip {
    FaultInjector* self;
    std::size_t r;
    bool failing;
    void operator()() const {
      const std::size_t slot = self->scheduled_.size() + r;
      if (failing) {
        self->end(slot);
      } else {
        self->begin(slot);
      }
      self->random_cycle(r, !failing);
    }
  };
  sim_.schedule_in(wait, Flip{this, r, failing});
}

void FaultInjector::begin(std::size_t slot) {
  Active& a = active_[slot];
  FaultTarget& site = *sites_[static_cast<std::size_t>(a.spec.site)];
  switch (a.spec.kind) {
    case FaultKind::kFull:
      site.outage_begin();
      break;
    case FaultKind::kPartial: {
      std::vector<uint32_t> ready = site.ready_node_ids();
      const std::size_t n = std::min(
          ready.size(), static_cast<std::size_t>(
                            std::ceil(a.spec.fraction * static_cast<double>(ready.size()) - 1e-9)));
      a.nodes.clear();
      for (std::size_t k = 0; k < n; ++k) {  // a random sample without replacement
        const std::size_t j =
            k + static_cast<std::size_t>(pick_rng_.uniform_int(0, ready.size() - 1 - k));
        std::swap(ready[k], ready[j]);
        a.nodes.push_back(ready[k]);
      }
      std::sort(a.nodes.begin(), a.nodes.end());
      site.lose_nodes(a.nodes);
      break;
    }
    case FaultKind::kPartition:
      site.set_partition(a.spec.from_gslb, a.spec.from_clients);
      break;
    case FaultKind::kBrownout:
      site.set_brownout(a.spec.factor);
      rec_.event(sim_.now(), "site/" + site.target_site_name(), "outage",
                 site.target_site_name() + " browned out to " +
                     std::to_string(static_cast<int>(a.spec.factor * 100)) + "% speed",
                 sim::EventDetails().add("kind", "brownout").add("factor", a.spec.factor));
      break;
  }
  for (OutageObserver* o : observers_) o->on_fault_begin(a.spec.site, a.spec.kind, sim_.now());
}

void FaultInjector::end(std::size_t slot) {
  Active& a = active_[slot];
  FaultTarget& site = *sites_[static_cast<std::size_t>(a.spec.site)];
  switch (a.spec.kind) {
    case FaultKind::kFull:
      site.outage_end(a.spec.cold);
      break;
    case FaultKind::kPartial:
      site.restore_nodes(a.nodes, a.spec.cold);
      break;
    case FaultKind::kPartition:
      site.set_partition(false, false);
      break;
    case FaultKind::kBrownout:
      site.set_brownout(1.0);
      rec_.event(sim_.now(), "site/" + site.target_site_name(), "outage",
                 site.target_site_name() + " back to full speed",
                 sim::EventDetails().add("kind", "brownout").add("recovered", true));
      break;
  }
  for (OutageObserver* o : observers_) o->on_fault_end(a.spec.site, a.spec.kind, sim_.now());
}

}  // namespace models
