#include "store/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace store {

std::string json_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size() + 2);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        o += "\\\"";
        break;
      case '\\':
        o += "\\\\";
        break;
      case '\n':
        o += "\\n";
        break;
      case '\r':
        o += "\\r";
        break;
      case '\t':
        o += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          o += buf;
        } else {
          o += ch;
        }
    }
  }
  return o;
}

void JsonWriter::newline() {
  if (!pretty_) return;
  out_ += '\n';
  out_.append(2 * first_.size(), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    newline();
  }
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  const bool empty = first_.back();
  first_.pop_back();
  if (!empty) newline();
  out_ += '}';
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  const bool empty = first_.back();
  first_.pop_back();
  if (!empty) newline();
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  before_value();
  out_ += '"';
  out_ += json_escape(k);
  out_ += pretty_ ? "\": " : "\":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view v) {
  before_value();
  out_ += '"';
  out_ += json_escape(v);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  if (!std::isfinite(v)) return null();
  before_value();
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::value(int64_t v) {
  before_value();
  out_ += std::to_string(v);
  return *this;
}

JsonWriter& JsonWriter::value(uint64_t v) {
  before_value();
  out_ += std::to_string(v);
  return *this;
}

JsonWriter& JsonWriter::value(bool v) {
  before_value();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}

// ---- decoder --------------------------------------------------------------------------------

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}

  JsonValue document() {
    JsonValue v = value(0);
    skip_space();
    if (i_ != s_.size()) fail("unexpected text after the value");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 256;

  [[noreturn]] void fail(const std::string& what) const {
    throw JsonError("JSON at byte " + std::to_string(i_) + ": " + what);
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool eat(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  JsonValue value(int depth) {
    if (depth > kMaxDepth) fail("nested too deeply");
    skip_space();
    if (i_ >= s_.size()) fail("unexpected end");
    JsonValue v;
    const char c = s_[i_];
    if (c == '{') {
      object(&v, depth);
    } else if (c == '[') {
      array(&v, depth);
    } else if (c == '"') {
      v.type_ = JsonValue::Type::kString;
      v.text_ = string();
    } else if (literal("true")) {
      v.type_ = JsonValue::Type::kBool;
      v.flag_ = true;
    } else if (literal("false")) {
      v.type_ = JsonValue::Type::kBool;
    } else if (literal("null")) {
      v.type_ = JsonValue::Type::kNull;
    } else {
      number(&v);
    }
    return v;
  }

  void object(JsonValue* v, int depth) {
    v->type_ = JsonValue::Type::kObject;
    ++i_;
    if (eat('}')) return;
    do {
      skip_space();
      if (i_ >= s_.size() || s_[i_] != '"') fail("expected a member name");
      std::string key = string();
      expect(':');
      v->members_.emplace_back(std::move(key), value(depth + 1));
    } while (eat(','));
    expect('}');
  }

  void array(JsonValue* v, int depth) {
    v->type_ = JsonValue::Type::kArray;
    ++i_;
    if (eat(']')) return;
    do {
      v->items_.push_back(value(depth + 1));
    } while (eat(','));
    expect(']');
  }

  void number(JsonValue* v) {
    const std::size_t b = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    auto digits = [&] {
      const std::size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      return i_ - d;
    };
    const std::size_t int_start = i_;
    if (digits() == 0) fail("expected a value");
    if (s_[int_start] == '0' && i_ - int_start > 1) fail("a number with a leading zero");
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (digits() == 0) fail("expected digits after '.'");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (digits() == 0) fail("expected digits in the exponent");
    }
    v->type_ = JsonValue::Type::kNumber;
    v->text_ = std::string(s_.substr(b, i_ - b));
    const auto r = std::from_chars(v->text_.data(), v->text_.data() + v->text_.size(), v->number_);
    if (r.ec == std::errc::result_out_of_range)
      v->number_ = v->text_[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  }

  void utf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  uint32_t hex4() {
    if (i_ + 4 > s_.size()) fail("a short \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        fail("a bad \\u escape");
    }
    return v;
  }

  std::string string() {
    ++i_;  // the opening quote
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("an unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("a control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("an unterminated string");
      const char e = s_[i_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
            i_ += 2;
            const uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("an unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(&out, cp);
          break;
        }
        default:
          fail("a bad escape");
      }
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

JsonValue JsonValue::parse(std::string_view text) { return JsonParser(text).document(); }

const JsonValue& JsonValue::null_value() {
  static const JsonValue kNull;
  return kNull;
}

std::optional<int64_t> JsonValue::integer() const {
  if (!is_number()) return std::nullopt;
  int64_t v = 0;
  const auto r = std::from_chars(text_.data(), text_.data() + text_.size(), v);
  if (r.ec == std::errc() && r.ptr == text_.data() + text_.size()) return v;
  if (std::isfinite(number_) && number_ == std::floor(number_) && std::fabs(number_) < 9.2e18)
    return static_cast<int64_t>(number_);
  return std::nullopt;
}

const JsonValue& JsonValue::operator[](std::string_view key) const {
  for (const Member& m : members_) {
    if (m.first == key) return m.second;
  }
  return null_value();
}

const JsonValue& JsonValue::operator[](std::size_t index) const {
  return index < items_.size() ? items_[index] : null_value();
}

bool JsonValue::has(std::string_view key) const {
  for (const Member& m : members_) {
    if (m.first == key) return true;
  }
  return false;
}

void write_json(JsonWriter& out, const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::kNull:
      out.null();
      break;
    case JsonValue::Type::kBool:
      out.value(v.boolean());
      break;
    case JsonValue::Type::kNumber:
      out.raw(v.text());
      break;
    case JsonValue::Type::kString:
      out.value(v.text());
      break;
    case JsonValue::Type::kArray:
      out.begin_array();
      for (const JsonValue& item : v.items()) write_json(out, item);
      out.end_array();
      break;
    case JsonValue::Type::kObject:
      out.begin_object();
      for (const auto& [key, member] : v.members()) {
        out.key(key);
        write_json(out, member);
      }
      out.end_object();
      break;
  }
}

}  // namespace store
