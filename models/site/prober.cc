#include "models/site/prober.h"

namespace models {

const char* probe_kind_name(ProbeKind k) {
  switch (k) {
    case ProbeKind::kReadiness:
      return "readiness";
    case ProbeKind::kLiveness:
      return "liveness";
    case ProbeKind::kStartup:
      return "startup";
  }
  return "?";
}

Prober::Prober(sim::Simulator& sim, RequestPool& pool, const ProbeSet& probes,
               ProbeListener& listener)
    : sim_(sim), pool_(pool), probes_(probes), listener_(listener) {}

const ProbeSpec& Prober::spec(ProbeKind k) const {
  switch (k) {
    case ProbeKind::kReadiness:
      return probes_.readiness;
    case ProbeKind::kLiveness:
      return probes_.liveness;
    case ProbeKind::kStartup:
      break;
  }
  return probes_.startup;
}

Prober::PodProbes* Prober::live(uint32_t slot, uint32_t container) {
  if (slot >= pods_.size()) return nullptr;
  PodProbes& s = pods_[slot];
  return s.pod != nullptr && s.container == container ? &s : nullptr;
}

void Prober::container_started(Pod& pod, bool ready, double phase) {
  const uint32_t slot = pod.index();
  if (slot >= pods_.size()) pods_.resize(slot + 1);
  PodProbes& s = pods_[slot];
  stop_workers(s);
  s.pod = &pod;
  s.generation = pod.life.generation;
  ++s.container;
  s.started = ready || !probes_.startup.enabled;
  s.ready = ready;
  // Each worker's first tick is at its initial delay after the container start, then every
  // period (the kubelet's per-container worker; the ticker's phase is the container's start).
  // A pod running since long before t = 0 is somewhere in its period.
  for (int k = 0; k < kProbeKinds; ++k) {
    const ProbeKind kind = static_cast<ProbeKind>(k);
    if (!spec(kind).enabled) continue;
    const sim::SimTime first = ready
                                   ? sim::SimTime::from_seconds(phase * spec(kind).period.seconds())
                                   : spec(kind).initial_delay;
    s.workers[k].tick = sim_.schedule_in(first, Tick{this, slot, s.container, kind});
  }
}

void Prober::container_stopped(Pod& pod) {
  const uint32_t slot = pod.index();
  if (slot >= pods_.size() || pods_[slot].pod != &pod) return;
  PodProbes& s = pods_[slot];
  stop_workers(s);
  ++s.container;
  s.pod = nullptr;
}

void Prober::stop_workers(PodProbes& s) {
  for (Worker& w : s.workers) {
    sim_.cancel(w.tick);
    sim_.cancel(w.deadline);
    // A probe still in the pod comes back to on_response/on_failure, finds no worker waiting for
    // it and is freed there.
    w = Worker{};
  }
}

void Prober::on_tick(uint32_t slot, uint32_t container, ProbeKind kind) {
  PodProbes* s = live(slot, container);
  if (s == nullptr) return;
  Worker& w = s->workers[static_cast<int>(kind)];
  w.tick = sim_.schedule_in(spec(kind).period, Tick{this, slot, container, kind});
  const bool gated = kind != ProbeKind::kStartup && !s->started;
  if (w.waiting || gated) return;
  send(*s, slot, kind);
}

void Prober::send(PodProbes& s, uint32_t slot, ProbeKind kind) {
  Pod& pod = *s.pod;
  const ProbeSpec& ps = spec(kind);
  const bool app_up = pod.life.running && !pod.life.refusing && sim_.now() >= pod.life.app_up;
  Worker& w = s.workers[static_cast<int>(kind)];
  if (!app_up || ps.action == ProbeAction::kExec) {
    conclude(s, kind, app_up);
    return;
  }
  if (ps.action == ProbeAction::kTcp) {
    conclude(s, kind, pod.can_accept());
    return;
  }
  const RequestId id = pool_.alloc();
  Request& r = pool_[id];
  r = Request{};
  r.sent = sim_.now();
  r.demand_ns = ps.cost_s * 1e9;
  r.client = this;
  r.user = slot;
  r.probe = true;
  if (!pod.offer(id)) {  // the accept queue is full
    pool_.free(id);
    conclude(s, kind, false);
    return;
  }
  w.inflight = id;
  w.waiting = true;
  w.deadline = sim_.schedule_in(ps.timeout, Deadline{this, slot, s.container, kind});
}

void Prober::on_response(RequestId id) {
  const uint32_t slot = pool_[id].user;
  pool_.free(id);
  if (slot >= pods_.size()) return;
  PodProbes& s = pods_[slot];
  for (int k = 0; k < kProbeKinds; ++k) {
    if (s.workers[k].waiting && s.workers[k].inflight == id) {
      decide(slot, s.container, static_cast<ProbeKind>(k), true);
      return;
    }
  }
}

void Prober::on_failure(RequestId id, FailureCause /*cause*/) {
  const uint32_t slot = pool_[id].user;
  pool_.free(id);
  if (slot >= pods_.size()) return;
  PodProbes& s = pods_[slot];
  for (int k = 0; k < kProbeKinds; ++k) {
    if (s.workers[k].waiting && s.workers[k].inflight == id) {
      decide(slot, s.container, static_cast<ProbeKind>(k), false);
      return;
    }
  }
}

void Prober::decide(uint32_t slot, uint32_t container, ProbeKind kind, bool ok) {
  PodProbes* s = live(slot, container);
  if (s == nullptr) return;
  Worker& w = s->workers[static_cast<int>(kind)];
  if (!w.waiting) return;
  w.waiting = false;
  sim_.cancel(w.deadline);
  w.deadline = {};
  conclude(*s, kind, ok);
}

void Prober::conclude(PodProbes& s, ProbeKind kind, bool ok) {
  Worker& w = s.workers[static_cast<int>(kind)];
  if (w.run > 0 && w.last == ok) {
    ++w.run;
  } else {
    w.last = ok;
    w.run = 1;
  }
  const ProbeSpec& ps = spec(kind);
  Pod& pod = *s.pod;
  switch (kind) {
    case ProbeKind::kReadiness:
      if (ok && !s.ready && w.run >= ps.success_threshold) {
        s.ready = true;
        listener_.on_readiness(pod, true);
      } else if (!ok && s.ready && w.run >= ps.failure_threshold) {
        s.ready = false;
        listener_.on_readiness(pod, false);
      }
      break;
    case ProbeKind::kStartup:
      if (ok && !s.started) {
        s.started = true;
        sim_.cancel(w.tick);  // the startup probe has done its work
        w.tick = {};
        // Without a readiness probe the container is ready once it has started.
        if (!probes_.readiness.enabled && !s.ready) {
          s.ready = true;
          listener_.on_readiness(pod, true);
        }
      } else if (!ok && w.run >= ps.failure_threshold) {
        listener_.on_container_failed(pod, kind);
      }
      break;
    case ProbeKind::kLiveness:
      if (!ok && w.run >= ps.failure_threshold) listener_.on_container_failed(pod, kind);
      break;
  }
}

}  // namespace models
