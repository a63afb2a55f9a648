// sim/memory_recorder.h: a Recorder that keeps everything in memory, for tests and for callers
// that want the numbers without a database.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sim/recorder.h"

namespace sim {

class MemoryRecorder final : public Recorder {
 public:
  struct Row {
    std::string table, entity;
    SimTime t;
    std::vector<std::pair<std::string, double>> fields;
    double get(std::string_view name) const;  // NaN when absent
  };
  struct Histogram {
    std::string table, entity;
    SimTime t;
    std::vector<uint32_t> counts;
  };
  struct Event {
    SimTime t;
    std::string component, kind, message;
    EventDetails details;
  };
  struct Sample {
    std::string component, name;
    SimTime t;
    double value;
  };

  void series(std::string_view table, std::string_view entity, SimTime t,
              std::span<const Field> fields) override;
  void histogram(std::string_view table, std::string_view entity, SimTime t,
                 std::span<const uint32_t> counts) override;
  using Recorder::event;
  void event(SimTime t, std::string_view component, std::string_view kind, std::string_view message,
             const EventDetails& details) override;
  void sample(std::string_view component, std::string_view name, SimTime t, double value) override;

  // Rows of one (table, entity) in time order.
  std::vector<const Row*> rows(std::string_view table, std::string_view entity) const;

  std::vector<Row> rows_;
  std::vector<Histogram> histograms_;
  std::vector<Event> events_;
  std::vector<Sample> samples_;
};

}  // namespace sim
