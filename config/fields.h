// config/fields.h: reading a section's optional settings with a table instead of a ladder of
// "if the key is there, read it into the field".
//
// A table lists each key of a section with the member it sets, its kind and its range:
//
//   static const Fields<models::KnativeConfig> kKnative{
//       number("target_concurrency", &models::KnativeConfig::target_concurrency, 0.01, 1e6),
//       duration("stable_window", &models::KnativeConfig::stable_window, sim::seconds(6),
//                sim::hours(1)),
//       ...};
//   kKnative.read(map, &config);
//
// read() reads every key of the table that the map holds, checked against its range (the
// located error says the range: "must be at least 6s, found 2s"), and leaves the member's
// default otherwise. Every key of the table becomes known to the MapReader, so a misspelt key
// gets "did you mean" the nearest key of the table when the section is finished.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_reader.h"
#include "models/common/distribution.h"
#include "sim/time.h"

namespace config {

// Reads a distribution of durations (config/values.cc), in seconds.
models::Distribution parse_duration_distribution(const Node& n, sim::SimTime max_mean);

template <class C>
struct Field {
  std::string_view key;
  std::function<void(const Node&, C&)> read;
};

template <class C>
class Fields {
 public:
  Fields(std::initializer_list<Field<C>> fields) : fields_(fields) {}

  // Reads each field present in `m` into `*c`.
  void read(MapReader& m, C* c) const {
    for (const Field<C>& f : fields_) {
      if (const Node v = m.get(f.key); v.present()) f.read(v, *c);
    }
  }
  const std::vector<Field<C>>& fields() const { return fields_; }
  bool has(std::string_view key) const {
    for (const Field<C>& f : fields_) {
      if (f.key == key) return true;
    }
    return false;
  }

 private:
  std::vector<Field<C>> fields_;
};

template <class C>
Field<C> duration(std::string_view key, sim::SimTime C::*member, sim::SimTime lo, sim::SimTime hi) {
  return {key, [=](const Node& n, C& c) { c.*member = n.duration_in(lo, hi); }};
}

template <class C>
Field<C> number(std::string_view key, double C::*member, double lo, double hi) {
  return {key, [=](const Node& n, C& c) { c.*member = n.number_in(lo, hi); }};
}

template <class C, class I>
Field<C> integer(std::string_view key, I C::*member, int64_t lo, int64_t hi) {
  return {key, [=](const Node& n, C& c) { c.*member = static_cast<I>(n.integer_in(lo, hi)); }};
}

template <class C>
Field<C> optional_number(std::string_view key, std::optional<double> C::*member, double lo,
                         double hi) {
  return {key, [=](const Node& n, C& c) { c.*member = n.number_in(lo, hi); }};
}

template <class C>
Field<C> boolean(std::string_view key, bool C::*member) {
  return {key, [=](const Node& n, C& c) { c.*member = n.boolean(); }};
}

template <class C>
Field<C> distribution(std::string_view key, models::Distribution C::*member,
                      sim::SimTime max_mean) {
  return {key, [=](const Node& n, C& c) { c.*member = parse_duration_distribution(n, max_mean); }};
}

// Whole seconds, as Kubernetes writes probe settings (initialDelaySeconds: 5).
template <class C>
Field<C> seconds(std::string_view key, sim::SimTime C::*member, int64_t lo, int64_t hi) {
  return {key, [=](const Node& n, C& c) { c.*member = sim::seconds(n.integer_in(lo, hi)); }};
}

// Any other reading (a choice, a nested map): `read` sets the member from the node.
template <class C>
Field<C> custom(std::string_view key, std::function<void(const Node&, C&)> read) {
  return {key, std::move(read)};
}

}  // namespace config
