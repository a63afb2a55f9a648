#include "sim/memory_recorder.h"

#include <limits>

namespace sim {

double MemoryRecorder::Row::get(std::string_view name) const {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

void MemoryRecorder::series(std::string_view table, std::string_view entity, SimTime t,
                            std::span<const Field> fields) {
  Row r{std::string(table), std::string(entity), t, {}};
  r.fields.reserve(fields.size());
  for (const Field& f : fields) r.fields.emplace_back(std::string(f.name), f.value);
  rows_.push_back(std::move(r));
}

void MemoryRecorder::histogram(std::string_view table, std::string_view entity, SimTime t,
                               std::span<const uint32_t> counts) {
  histograms_.push_back(
      {std::string(table), std::string(entity), t, {counts.begin(), counts.end()}});
}

void MemoryRecorder::event(SimTime t, std::string_view component, std::string_view kind,
                           std::string_view message, const EventDetails& details) {
  events_.push_back({t, std::string(component), std::string(kind), std::string(message), details});
}

void MemoryRecorder::sample(std::string_view component, std::string_view name, SimTime t,
                            double value) {
  samples_.push_back({std::string(component), std::string(name), t, value});
}

std::vector<const MemoryRecorder::Row*> MemoryRecorder::rows(std::string_view table,
                                                             std::string_view entity) const {
  std::vector<const Row*> out;
  for (const Row& r : rows_) {
    if (r.table == table && r.entity == entity) out.push_back(&r);
  }
  return out;
}

}  // namespace sim
