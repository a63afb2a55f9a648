#include "sim/event_details.h"

#include <limits>

#include "sim/assert.h"

namespace sim {

EventDetails::Item& EventDetails::push_item(Item::Kind kind, std::string_view key) {
  Item& it = items_.emplace_back();
  it.kind = kind;
  it.key = key;
  return it;
}

EventDetails& EventDetails::add(std::string_view key, double v) {
  push_item(Item::Kind::kNumber, key).number = v;
  return *this;
}

EventDetails& EventDetails::add(std::string_view key, int64_t v) {
  push_item(Item::Kind::kInteger, key).integer = v;
  return *this;
}

EventDetails& EventDetails::add(std::string_view key, bool v) {
  push_item(Item::Kind::kBool, key).integer = v ? 1 : 0;
  return *this;
}

EventDetails& EventDetails::add(std::string_view key, std::string_view v) {
  push_item(Item::Kind::kText, key).text = v;
  return *this;
}

EventDetails& EventDetails::begin_object(std::string_view key) {
  push_item(Item::Kind::kBeginObject, key);
  return *this;
}

EventDetails& EventDetails::begin_array(std::string_view key) {
  push_item(Item::Kind::kBeginArray, key);
  return *this;
}

EventDetails& EventDetails::end() {
  push_item(Item::Kind::kEnd, {});
  return *this;
}

const EventDetails::Item* EventDetails::find(std::string_view key) const {
  int depth = 0;
  for (const Item& it : items_) {
    if (depth == 0 && it.kind != Item::Kind::kEnd && it.key == key) return &it;
    if (it.kind == Item::Kind::kBeginObject || it.kind == Item::Kind::kBeginArray) ++depth;
    if (it.kind == Item::Kind::kEnd) --depth;
    SIM_ASSERT(depth >= 0, "EventDetails: end() without a begin");
  }
  return nullptr;
}

std::string EventDetails::text(std::string_view key) const {
  const Item* it = find(key);
  return it != nullptr && it->kind == Item::Kind::kText ? it->text : std::string();
}

double EventDetails::number(std::string_view key) const {
  const Item* it = find(key);
  if (it == nullptr) return std::numeric_limits<double>::quiet_NaN();
  switch (it->kind) {
    case Item::Kind::kNumber:
      return it->number;
    case Item::Kind::kInteger:
    case Item::Kind::kBool:
      return static_cast<double>(it->integer);
    default:
      return std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace sim
