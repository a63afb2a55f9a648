#include "models/dr/replication.h"

#include <algorithm>

#include "models/common/text.h"
#include "sim/assert.h"

namespace models {

Replication::Replication(sim::Simulator& sim, std::vector<ReplicationLink> links,
                         std::vector<sim::RngStream> rngs, std::vector<std::string> site_names,
                         sim::Recorder& rec)
    : sim_(sim), link_by_site_(site_names.size(), -1), names_(std::move(site_names)), rec_(rec) {
  SIM_ASSERT(links.size() == rngs.size(), "one RNG stream per replication link");
  for (std::size_t i = 0; i < links.size(); ++i) {
    const ReplicationLink& l = links[i];
    SIM_ASSERT(l.from >= 0 && static_cast<std::size_t>(l.from) < names_.size(),
               "bad replication source");
    SIM_ASSERT(link_by_site_[static_cast<std::size_t>(l.from)] < 0,
               "one replication link per source site");
    link_by_site_[static_cast<std::size_t>(l.from)] = static_cast<int>(i);
    const double retention_s = std::clamp(30.0 * l.lag.mean(), 60.0, 3600.0);
    links_.push_back(LinkState{l, std::move(rngs[i]), sim::SimTime::from_seconds(retention_s),
                               RingQueue<sim::SimTime>()});
  }
}

int Replication::link_of(int site) const {
  return site < 0 || static_cast<std::size_t>(site) >= link_by_site_.size()
             ? -1
             : link_by_site_[static_cast<std::size_t>(site)];
}

void Replication::trim(LinkState& s, sim::SimTime now) {
  while (!s.commits.empty() && s.commits.front() <= now - s.retention) s.commits.pop_front();
}

uint64_t Replication::count_after(const LinkState& s, sim::SimTime after) {
  // Commits are in time order: binary search for the first one after `after`.
  std::size_t lo = 0, hi = s.commits.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (s.commits[mid] > after) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return s.commits.size() - lo;
}

void Replication::on_write_commit(int site, sim::SimTime at) {
  ++committed_;
  const int l = link_of(site);
  if (l < 0) return;
  LinkState& s = links_[static_cast<std::size_t>(l)];
  if (s.link.sync) return;  // acknowledged only once replicated: never at risk
  trim(s, at);
  s.commits.push_back(at);
}

uint64_t Replication::writes_within(int site, sim::SimTime window) {
  const int l = link_of(site);
  if (l < 0) return 0;
  LinkState& s = links_[static_cast<std::size_t>(l)];
  trim(s, sim_.now());
  return count_after(s, sim_.now() - window);
}

void Replication::on_fault_begin(int site, FaultKind kind, sim::SimTime at) {
  const int l = link_of(site);
  if (kind != FaultKind::kFull || l < 0) return;
  LinkState& s = links_[static_cast<std::size_t>(l)];
  trim(s, at);
  DataLoss loss;
  loss.site = site;
  loss.at = at;
  if (!s.link.sync) {
    const sim::SimTime lag = sim::SimTime::from_seconds(std::max(0.0, s.link.lag.sample(s.rng)));
    loss.rpo_s = lag.seconds();
    loss.lost_writes = count_after(s, at - lag);
  }
  while (!s.commits.empty()) s.commits.pop_front();
  losses_.push_back(loss);
  const std::string& name = names_[static_cast<std::size_t>(site)];
  rec_.event(at, "dr/replication", "data_loss",
             name + " lost " + std::to_string(loss.lost_writes) +
                 " unreplicated writes (replication lag, RPO " + fixed(loss.rpo_s, 3) + " s)",
             sim::EventDetails()
                 .add("site", name)
                 .add("lost_writes", loss.lost_writes)
                 .add("rpo_s", loss.rpo_s)
                 .add("mode", s.link.sync ? "sync" : "async"));
}

void Replication::on_fault_end(int /*site*/, FaultKind /*kind*/, sim::SimTime /*at*/) {}

}  // namespace models
