#include "models/dr/replication.h"

#include <algorithm>

#include "models/common/text.h"
#include "sim/assert.h"

namespace models {

namespace {

// A write that waits longer than this in the log makes the link "falling behind" in the event
// log; it is reported caught up when a write finds the log empty again.
constexpr sim::SimTime kBehind = sim::seconds(1);

}  // namespace

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
    LinkState s(l, std::move(rngs[i]));
    s.retention = sim::SimTime::from_seconds(std::clamp(30.0 * l.lag.mean(), 60.0, 3600.0));
    s.service =
        l.throughput > 0 ? sim::SimTime::from_seconds(1.0 / l.throughput) : sim::SimTime::zero();
    links_.push_back(std::move(s));
  }
}

int Replication::link_of(int site) const {
  return site < 0 || static_cast<std::size_t>(site) >= link_by_site_.size()
             ? -1
             : link_by_site_[static_cast<std::size_t>(site)];
}

void Replication::trim(LinkState& s, sim::SimTime now) const {
  // Writes applied long ago go; nothing the paused link has not applied does.
  const sim::SimTime before = std::min(now - s.retention, s.paused_since);
  while (!s.log.empty() && s.log.front().applied <= before) s.log.pop_front();
}

uint64_t Replication::commit(int site, sim::SimTime at) {
  ++committed_;
  const int l = link_of(site);
  if (l < 0) return kNoSequence;
  LinkState& s = links_[static_cast<std::size_t>(l)];
  if (s.link.sync) return kNoSequence;  // acknowledged only once replicated: never at risk
  trim(s, at);
  const sim::SimTime wait = std::max(sim::SimTime::zero(), s.last_applied - at);
  s.last_applied = at + wait + s.service;
  s.log.push_back(Write{at, s.last_applied});
  if (s.service > sim::SimTime::zero()) report_backlog(s, at, wait);
  return s.pushed++;
}

void Replication::report_backlog(LinkState& s, sim::SimTime at, sim::SimTime wait) {
  s.backlog_max = std::max(s.backlog_max, wait);
  if (s.paused_since != sim::SimTime::max()) return;  // the outage explains it
  const std::string route = names_[static_cast<std::size_t>(s.link.from)] + " -> " +
                            names_[static_cast<std::size_t>(s.link.to)];
  if (!s.behind && wait > kBehind) {
    s.behind = true;
    s.worst_wait = wait;
    rec_.event(at, "dr/replication", "backlog",
               "replication " + route + " is falling behind: writes come faster than " +
                   fixed(s.link.throughput, 0) + " per second",
               sim::EventDetails()
                   .add("from", names_[static_cast<std::size_t>(s.link.from)])
                   .add("throughput", s.link.throughput)
                   .add("lag_s", wait.seconds()));
  } else if (s.behind) {
    s.worst_wait = std::max(s.worst_wait, wait);
    if (wait == sim::SimTime::zero()) {
      s.behind = false;
      rec_.event(at, "dr/replication", "caught_up",
                 "replication " + route + " caught up (its backlog peaked at " +
                     fixed(s.worst_wait.seconds(), 1) + " s)",
                 sim::EventDetails()
                     .add("from", names_[static_cast<std::size_t>(s.link.from)])
                     .add("peak_lag_s", s.worst_wait.seconds()));
    }
  }
}

sim::SimTime Replication::applied_at(int site, uint64_t seq) const {
  const int l = link_of(site);
  if (l < 0 || seq == kNoSequence) return kLongAgo;
  const LinkState& s = links_[static_cast<std::size_t>(l)];
  const uint64_t first = s.pushed - s.log.size();
  if (seq < first || seq >= s.pushed) return kLongAgo;
  return s.log[static_cast<std::size_t>(seq - first)].applied;
}

uint64_t Replication::writes_within(int site, sim::SimTime window) {
  const int l = link_of(site);
  if (l < 0) return 0;
  LinkState& s = links_[static_cast<std::size_t>(l)];
  trim(s, sim_.now());
  uint64_t n = 0;
  for (std::size_t i = s.log.size(); i > 0 && s.log[i - 1].committed > sim_.now() - window; --i)
    ++n;
  return n;
}

double Replication::backlog_max_s(int site) const {
  const int l = link_of(site);
  return l < 0 ? 0.0 : links_[static_cast<std::size_t>(l)].backlog_max.seconds();
}

void Replication::on_fault_begin(int site, FaultKind kind, sim::SimTime at) {
  if (kind != FaultKind::kFull) return;
  // A link into the failed site stops applying.
  for (LinkState& s : links_) {
    if (s.link.to == site && s.paused_since == sim::SimTime::max()) s.paused_since = at;
  }
  const int l = link_of(site);
  if (l < 0) return;
  LinkState& s = links_[static_cast<std::size_t>(l)];
  trim(s, at);
  DataLoss loss;
  loss.site = site;
  loss.at = at;
  if (!s.link.sync) {
    const sim::SimTime lag = sim::SimTime::from_seconds(std::max(0.0, s.link.lag.sample(s.rng)));
    // The replica has what left the log by t_o - L, and nothing while it was down itself.
    const sim::SimTime cutoff = std::min(at - lag, s.paused_since);
    // Applied times rise with the log order: find the first write not applied by the cutoff.
    std::size_t lo = 0, hi = s.log.size();
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (s.log[mid].applied > cutoff) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    loss.lost_writes = s.log.size() - lo;
    sim::SimTime complete_to = std::min(at - lag, s.paused_since);
    if (lo < s.log.size()) complete_to = std::min(complete_to, s.log[lo].committed);
    loss.rpo_s = (at - complete_to).seconds();
  }
  s.log.clear();
  s.last_applied = at;
  s.behind = false;
  losses_.push_back(loss);
  const std::string& name = names_[static_cast<std::size_t>(site)];
  rec_.event(at, "dr/replication", "data_loss",
             name + " lost " + std::to_string(loss.lost_writes) + " unreplicated writes (RPO " +
                 fixed(loss.rpo_s, 3) + " s)",
             sim::EventDetails()
                 .add("site", name)
                 .add("lost_writes", loss.lost_writes)
                 .add("rpo_s", loss.rpo_s)
                 .add("mode", s.link.sync ? "sync" : "async"));
}

void Replication::on_fault_end(int site, FaultKind kind, sim::SimTime at) {
  if (kind != FaultKind::kFull) return;
  // Links into the returning site resume: what they had not applied when it went down leaves
  // the log from now on, at the link's pace.
  for (LinkState& s : links_) {
    if (s.link.to != site || s.paused_since == sim::SimTime::max()) continue;
    sim::SimTime prev = at;
    bool pending = false;
    for (std::size_t i = 0; i < s.log.size(); ++i) {
      Write& w = s.log[i];
      if (w.applied <= s.paused_since) continue;
      w.applied = std::max(w.committed, prev) + s.service;
      prev = w.applied;
      pending = true;
    }
    if (pending) s.last_applied = prev;
    s.paused_since = sim::SimTime::max();
  }
}

}  // namespace models
