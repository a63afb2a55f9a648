// The store's JSON encoder and decoder: round trips, strictness, and what lookups return.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "store/json.h"

using store::JsonError;
using store::JsonValue;
using store::JsonWriter;

TEST_CASE("JSON written by JsonWriter reads back with the same values") {
  JsonWriter j;
  j.begin_object();
  j.key("name").value("a \"quoted\"\nline\twith \\ and \x01");
  j.key("pi").value(3.141592653589793).key("tiny").value(5e-324).key("big").value(1.5e300);
  j.key("n").value(int64_t{-9007199254740993}).key("u").value(uint64_t{18446744073709551615u});
  j.key("ok").value(true).key("no").value(false).key("nan").value(std::nan(""));
  j.key("list").begin_array().value(1).value("two").begin_object().end_object().end_array();
  j.end_object();
  const JsonValue v = JsonValue::parse(j.str());
  CHECK(v["name"].text() == "a \"quoted\"\nline\twith \\ and \x01");
  CHECK(v["pi"].number() == 3.141592653589793);
  CHECK(v["tiny"].number() == 5e-324);
  CHECK(v["big"].number() == 1.5e300);
  CHECK(v["n"].integer() == int64_t{-9007199254740993});
  CHECK(v["u"].text() == "18446744073709551615");
  CHECK(v["ok"].boolean());
  CHECK_FALSE(v["no"].boolean(true));
  CHECK(v["nan"].is_null());
  REQUIRE(v["list"].items().size() == 3);
  CHECK(v["list"][1].text() == "two");
  CHECK(v["list"][2].is_object());
}

TEST_CASE("JSON lookups of what is not there read as null, NaN, empty") {
  const JsonValue v = JsonValue::parse(R"({"a": {"b": [1, 2]}, "s": "x"})");
  CHECK(v["missing"].is_null());
  CHECK(std::isnan(v["missing"]["deeper"].number()));
  CHECK(v["a"]["b"][7].is_null());
  CHECK(v["s"]["b"].is_null());
  CHECK(v["s"].items().empty());
  CHECK_FALSE(v["a"]["b"].integer().has_value());
  CHECK(v["a"]["b"][0].integer() == 1);
  CHECK(v.has("s"));
  CHECK_FALSE(v.has("t"));
}

TEST_CASE("JSON strings decode escapes and surrogate pairs to UTF-8") {
  const JsonValue v = JsonValue::parse(R"(["\u00e9\u4e2d\ud83d\ude00", "\/\b\f\r"])");
  CHECK(v[0].text() == "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80");
  CHECK(v[1].text() == "/\b\f\r");
}

TEST_CASE("malformed JSON is refused with the byte offset") {
  for (const char* bad : {"",
                          "{",
                          "{\"a\":}",
                          "[1,]",
                          "{\"a\":1,}",
                          "01",
                          "1.",
                          "-",
                          "1e",
                          "\"\\x\"",
                          "\"unterminated",
                          "tru",
                          "nul",
                          "{} {}",
                          "[1 2]",
                          "{'a':1}",
                          "\"a\nb\"",
                          "\"\\ud800\\u0041\"",
                          "// comment\n1",
                          "NaN",
                          "Infinity"}) {
    INFO(bad);
    CHECK_THROWS_AS(JsonValue::parse(bad), JsonError);
  }
  try {
    JsonValue::parse("[1, 2, x]");
    FAIL("no error");
  } catch (const JsonError& e) {
    CHECK(std::string(e.what()).find("byte 7") != std::string::npos);
  }
}

TEST_CASE("JSON nesting deeper than the limit is refused, not a stack overflow") {
  CHECK_NOTHROW(JsonValue::parse(std::string(200, '[') + std::string(200, ']')));
  CHECK_THROWS_AS(JsonValue::parse(std::string(100000, '[')), JsonError);
}
