#include "models/dr/replication.h"

#include <algorithm>
#include <cstdio>

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
    links_.push_back(LinkState{l, std::move(rngs[i]), RingQueue<Pending>(), sim::SimTime::zero()});
  }
}

int Replication::link_of(int site) const {
  return site < 0 || static_cast<std::size_t>(site) >= link_by_site_.size()
             ? -1
             : link_by_site_[static_cast<std::size_t>(site)];
}

void Replication::trim(LinkState& s, sim::SimTime now) {
  while (!s.pending.empty() && s.pending.front().replicated <= now) s.pending.pop_front();
}

void Replication::on_write_commit(int site, sim::SimTime at) {
  ++committed_;
  const int l = link_of(site);
  if (l < 0) return;
  LinkState& s = links_[static_cast<std::size_t>(l)];
  if (s.link.sync) return;  // acknowledged only once replicated: never at risk
  trim(s, at);
  const double lag = std::max(0.0, s.link.lag.sample(s.rng));
  const sim::SimTime replicated = std::max(s.last_replicated, at + sim::SimTime::from_seconds(lag));
  s.last_replicated = replicated;
  if (replicated > at) s.pending.push_back({at, replicated});
}

uint64_t Replication::unreplicated(int site) {
  const int l = link_of(site);
  if (l < 0) return 0;
  LinkState& s = links_[static_cast<std::size_t>(l)];
  trim(s, sim_.now());
  return s.pending.size();
}

double Replication::exposure_s(int site) {
  const int l = link_of(site);
  if (l < 0) return 0;
  LinkState& s = links_[static_cast<std::size_t>(l)];
  trim(s, sim_.now());
  return s.pending.empty() ? 0.0 : (sim_.now() - s.pending.front().commit).seconds();
}

void Replication::on_fault_begin(int site, FaultKind kind, sim::SimTime at) {
  const int l = link_of(site);
  if (kind != FaultKind::kFull || l < 0) return;
  LinkState& s = links_[static_cast<std::size_t>(l)];
  trim(s, at);
  DataLoss loss;
  loss.site = site;
  loss.at = at;
  loss.lost_writes = s.pending.size();
  loss.rpo_s = s.pending.empty() ? 0.0 : (at - s.pending.front().commit).seconds();
  while (!s.pending.empty()) s.pending.pop_front();
  s.last_replicated = at;
  losses_.push_back(loss);
  const std::string& name = names_[static_cast<std::size_t>(site)];
  char details[200];
  std::snprintf(details, sizeof details,
                "{\"site\":\"%s\",\"lost_writes\":%llu,\"rpo_s\":%.6f,\"mode\":\"%s\"}",
                name.c_str(), static_cast<unsigned long long>(loss.lost_writes), loss.rpo_s,
                s.link.sync ? "sync" : "async");
  char text[160];
  std::snprintf(text, sizeof text, "%s lost %llu unreplicated writes (RPO %.3f s)", name.c_str(),
                static_cast<unsigned long long>(loss.lost_writes), loss.rpo_s);
  rec_.event(at, "dr/replication", "data_loss", text, details);
}

void Replication::on_fault_end(int /*site*/, FaultKind /*kind*/, sim::SimTime /*at*/) {}

}  // namespace models
