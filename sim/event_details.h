// sim/event_details.h: the typed fields of an event-log record.
//
// Models describe an event with named, typed values (numbers, integers, booleans, text) that
// may nest (objects and arrays); the store serialises them (to JSON in results files), so no
// model formats text for a machine and no reader parses a message meant for people. Details are
// built at control-plane rates (scale decisions, pod transitions, health changes), never per
// request.
//
//   sim::EventDetails d;
//   d.add("site", name).add("healthy", false);
//   d.begin_array("metrics");
//   d.begin_object().add("type", "Resource").add("proposal", 7).end();
//   d.end();
//
// Inside an array values have no key (the overloads without one). REQUIRES: every begin_ is
// matched by an end() before the details are recorded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

class EventDetails {
 public:
  struct Item {
    enum class Kind : uint8_t { kNumber, kInteger, kBool, kText, kBeginObject, kBeginArray, kEnd };
    Kind kind = Kind::kNumber;
    std::string key;   // "" inside arrays and for kEnd
    std::string text;  // kText
    double number = 0;
    int64_t integer = 0;  // kInteger; kBool as 0 / 1
  };

  EventDetails& add(std::string_view key, double v);
  EventDetails& add(std::string_view key, int64_t v);
  EventDetails& add(std::string_view key, int v) { return add(key, static_cast<int64_t>(v)); }
  EventDetails& add(std::string_view key, uint32_t v) { return add(key, static_cast<int64_t>(v)); }
  EventDetails& add(std::string_view key, uint64_t v) { return add(key, static_cast<int64_t>(v)); }
  EventDetails& add(std::string_view key, bool v);
  EventDetails& add(std::string_view key, std::string_view v);
  EventDetails& add(std::string_view key, const char* v) { return add(key, std::string_view(v)); }
  EventDetails& add(std::string_view key, const std::string& v) {
    return add(key, std::string_view(v));
  }
  // Array elements.
  EventDetails& push(double v) { return add({}, v); }
  EventDetails& push(int64_t v) { return add({}, v); }
  EventDetails& push(int v) { return add({}, static_cast<int64_t>(v)); }
  EventDetails& push(uint32_t v) { return add({}, static_cast<int64_t>(v)); }
  EventDetails& push(std::string_view v) { return add({}, v); }

  EventDetails& begin_object(std::string_view key = {});
  EventDetails& begin_array(std::string_view key = {});
  EventDetails& end();

  bool empty() const { return items_.empty(); }
  const std::vector<Item>& items() const { return items_; }

  // Top-level lookups (tests): the item with `key` at the outermost level, or nullptr.
  const Item* find(std::string_view key) const;
  std::string text(std::string_view key) const;  // "" when absent or not text
  double number(std::string_view key) const;     // NaN when absent; integers and booleans too

 private:
  Item& push_item(Item::Kind kind, std::string_view key);
  std::vector<Item> items_;
};

}  // namespace sim
