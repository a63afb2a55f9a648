// store/json.h: the one JSON encoder and decoder of hcsim (run summaries, event details, reports,
// the viewer's state dumps).
//
// JsonWriter writes numbers in the shortest form that reads back exactly; NaN and infinities are
// written as null. JsonValue::parse reads RFC 8259 JSON strictly (one value, nothing after it,
// no comments, no trailing commas, nesting at most 256 deep) and keeps object members in their
// written order.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace store {

class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view v);
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
  JsonWriter& value(double v);
  JsonWriter& value(int64_t v);
  JsonWriter& value(uint64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(bool v);
  JsonWriter& null();
  // Inserts already-serialised JSON as a value.
  JsonWriter& raw(std::string_view json);

  const std::string& str() const { return out_; }

 private:
  void before_value();
  void newline();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
  bool pretty_;
};

// Escapes a string for inclusion in JSON (without the quotes).
std::string json_escape(std::string_view s);

class JsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A parsed JSON value. Lookups never throw: a missing member or index, or a value of another
// type, reads as null (number() as NaN, text() as "", items() and members() as empty).
class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  using Member = std::pair<std::string, JsonValue>;

  JsonValue() = default;
  // Throws JsonError naming the byte offset of the first problem.
  static JsonValue parse(std::string_view text);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_array() const { return type_ == Type::kArray; }

  double number() const { return is_number() ? number_ : kNaN; }
  std::optional<double> optional_number() const {
    return is_number() ? std::optional<double>(number_) : std::nullopt;
  }
  // An integer member (counts, ids): exact for every int64 written by JsonWriter.
  std::optional<int64_t> integer() const;
  bool boolean(bool otherwise = false) const { return type_ == Type::kBool ? flag_ : otherwise; }
  // A string's text; for a number, its text as written.
  const std::string& text() const { return text_; }

  const JsonValue& operator[](std::string_view key) const;
  const JsonValue& operator[](std::size_t index) const;
  bool has(std::string_view key) const;
  const std::vector<JsonValue>& items() const { return items_; }
  const std::vector<Member>& members() const { return members_; }

 private:
  friend class JsonParser;
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  static const JsonValue& null_value();
  Type type_ = Type::kNull;
  bool flag_ = false;
  double number_ = 0;
  std::string text_;
  std::vector<JsonValue> items_;
  std::vector<Member> members_;
};

// Writes a parsed value back out (numbers exactly as they were written).
void write_json(JsonWriter& out, const JsonValue& v);

}  // namespace store
