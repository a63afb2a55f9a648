// sim/recorder.h: where simulation output goes. Models emit through this interface only and
// never see how it is stored (SQLite in store/, memory in tests, nothing in benchmarks).
//
// Four kinds of record, all emitted at low rates (per bucket or per control-plane event, never
// per request):
//  - series rows: one row of named values per (table, entity, bucket start), e.g. the "site"
//    table row for entity "public" at t = 60 s;
//  - histograms: a row of counts per (table, entity, bucket start), e.g. the response-time
//    histogram behind the T-map;
//  - events: the event log (scale decisions, health transitions, outages) with a message for
//    people and typed details for programs (sim/event_details.h);
//  - samples: a single named value of a component at a time (e.g. an HPA's observed metric).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "sim/event_details.h"
#include "sim/time.h"

namespace sim {

struct Field {
  std::string_view name;
  double value;
};

class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void series(std::string_view table, std::string_view entity, SimTime t,
                      std::span<const Field> fields) = 0;
  virtual void histogram(std::string_view table, std::string_view entity, SimTime t,
                         std::span<const uint32_t> counts) = 0;
  virtual void event(SimTime t, std::string_view component, std::string_view kind,
                     std::string_view message, const EventDetails& details) = 0;
  // An event without details.
  void event(SimTime t, std::string_view component, std::string_view kind,
             std::string_view message) {
    event(t, component, kind, message, EventDetails{});
  }
  virtual void sample(std::string_view component, std::string_view name, SimTime t,
                      double value) = 0;
  // A recorder that wants every control loop's reasoning, not only its changes: autoscalers then
  // also emit a "decision" event at each evaluation (hcsim explain's replay). Results files
  // never hold these.
  virtual bool tracing() const { return false; }
};

// Discards everything (benchmarks of the bare engine).
class NullRecorder final : public Recorder {
 public:
  void series(std::string_view, std::string_view, SimTime, std::span<const Field>) override {}
  void histogram(std::string_view, std::string_view, SimTime, std::span<const uint32_t>) override {}
  void event(SimTime, std::string_view, std::string_view, std::string_view,
             const EventDetails&) override {}
  void sample(std::string_view, std::string_view, SimTime, double) override {}
};

}  // namespace sim
