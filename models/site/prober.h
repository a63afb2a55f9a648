// models/site/prober.h: the kubelet's probes of one deployment's containers: readiness, liveness
// and startup (docs/models.md §3.4; Kubernetes "Configure Liveness, Readiness and Startup
// Probes", kubelet pkg/kubelet/prober/worker.go).
//
// Each configured probe of a running container has a worker that ticks every `period` from the
// container's start; a tick before `initial_delay` has passed, or while the previous probe of
// that kind is still waiting for its answer, does nothing. An HTTP probe is a small request
// (`cost` of CPU) served by the container itself: it waits in the pod's accept queue behind real
// requests, and fails when it is rejected, when the application is not up yet, or when its
// answer takes longer than `timeout` (the request is then abandoned where it is; its CPU is still
// spent). A TCP probe succeeds when the application is up and its accept queue has room; an exec
// probe when the application is up. Consecutive results are counted per probe:
//   readiness  not ready at container start; ready after `success_threshold` successes, not
//              ready again after `failure_threshold` failures (ProbeListener::on_readiness);
//   liveness   `failure_threshold` failures kill and restart the container
//              (ProbeListener::on_container_failed);
//   startup    while it has not succeeded, readiness and liveness do not run; one success
//              enables them; `failure_threshold` failures restart the container.
// The prober holds no pods: the deployment tells it when containers start and stop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/common/request.h"
#include "models/site/pod.h"
#include "sim/recorder.h"
#include "sim/simulator.h"

namespace models {

enum class ProbeKind : uint8_t { kReadiness, kLiveness, kStartup };
inline constexpr int kProbeKinds = 3;
const char* probe_kind_name(ProbeKind k);  // readiness, liveness, startup

enum class ProbeAction : uint8_t { kHttp, kTcp, kExec };

// One probe, with Kubernetes' defaults.
struct ProbeSpec {
  bool enabled = false;
  ProbeAction action = ProbeAction::kHttp;
  sim::SimTime initial_delay;              // initialDelaySeconds (0)
  sim::SimTime period = sim::seconds(10);  // periodSeconds (10)
  sim::SimTime timeout = sim::seconds(1);  // timeoutSeconds (1)
  int success_threshold = 1;               // successThreshold (1; must be 1 but for readiness)
  int failure_threshold = 3;               // failureThreshold (3)
  double cost_s = 0.001;                   // CPU of one HTTP probe at full speed (hcsim)
};

struct ProbeSet {
  ProbeSpec readiness, liveness, startup;
  bool any() const { return readiness.enabled || liveness.enabled || startup.enabled; }
};

// Told what the probes conclude (the deployment).
class ProbeListener {
 public:
  virtual ~ProbeListener() = default;
  // The readiness probe crossed a threshold.
  virtual void on_readiness(Pod& pod, bool ready) = 0;
  // The liveness or startup probe failed `failure_threshold` times: restart the container.
  virtual void on_container_failed(Pod& pod, ProbeKind kind) = 0;
};

class Prober final : public ResponseHandler {
 public:
  Prober(sim::Simulator& sim, RequestPool& pool, const ProbeSet& probes, ProbeListener& listener);
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  const ProbeSet& probes() const { return probes_; }
  // The container of `pod` started now (first start or restart): its probes start, counts reset.
  // `ready`: the pod is already ready (pods running since before t = 0); its probes have been
  // ticking for a long time, so each worker's next tick comes at `phase` (in [0, 1)) of its
  // period: pods created at different times in the past do not probe in step.
  void container_started(Pod& pod, bool ready = false, double phase = 0);
  // The container stopped (killed, restarting, pod deleted): its probes stop; answers of probes
  // still in the pod are ignored.
  void container_stopped(Pod& pod);

  void on_response(RequestId id) override;
  void on_failure(RequestId id, FailureCause cause) override;

 private:
  struct Worker {
    sim::EventId tick, deadline;
    RequestId inflight = 0;
    bool waiting = false;  // a probe is out and has not been decided
    int run = 0;           // consecutive results equal to `last`
    bool last = false;
  };
  struct PodProbes {
    Pod* pod = nullptr;
    uint32_t generation = 0;  // the pod's
    uint32_t container = 0;   // bumps on every start and stop
    bool started = false;     // the startup probe succeeded (or there is none)
    bool ready = false;
    Worker workers[kProbeKinds];
  };
  struct Tick {
    Prober* self;
    uint32_t slot, container;
    ProbeKind kind;
    void operator()() const { self->on_tick(slot, container, kind); }
  };
  struct Deadline {
    Prober* self;
    uint32_t slot, container;
    ProbeKind kind;
    void operator()() const { self->decide(slot, container, kind, false); }
  };

  const ProbeSpec& spec(ProbeKind k) const;
  PodProbes* live(uint32_t slot, uint32_t container);
  void on_tick(uint32_t slot, uint32_t container, ProbeKind kind);
  void send(PodProbes& s, uint32_t slot, ProbeKind kind);
  void decide(uint32_t slot, uint32_t container, ProbeKind kind, bool ok);
  void conclude(PodProbes& s, ProbeKind kind, bool ok);
  void stop_workers(PodProbes& s);

  sim::Simulator& sim_;
  RequestPool& pool_;
  ProbeSet probes_;
  ProbeListener& listener_;
  std::vector<PodProbes> pods_;  // by pod slot
};

}  // namespace models
