#include <catch2/catch.hpp>

#include "config/units.h"

using namespace config;

namespace {
std::string err_of(std::optional<sim::SimTime> (*f)(std::string_view, std::string*),
                   std::string_view s) {
  std::string e;
  const auto v = f(s, &e);
  return v ? "" : e;
}
}  // namespace

TEST_CASE("durations parse exactly with units") {
  std::string e;
  CHECK(parse_duration("250ms", &e)->ns() == 250'000'000);
  CHECK(parse_duration("15s", &e)->ns() == 15'000'000'000);
  CHECK(*parse_duration("2m", &e) == sim::minutes(2));
  CHECK(*parse_duration("1h30m", &e) == sim::minutes(90));
  CHECK(*parse_duration("10m30s", &e) == sim::seconds(630));
  CHECK(parse_duration("1.5s", &e)->ns() == 1'500'000'000);
  CHECK(parse_duration("0.1s", &e)->ns() == 100'000'000);  // exact, no binary fraction
  CHECK(parse_duration("10us", &e)->ns() == 10'000);
  CHECK(*parse_duration("1d", &e) == sim::hours(24));
  CHECK(*parse_duration("0s", &e) == sim::SimTime::zero());
}

TEST_CASE("durations without or with wrong units are errors") {
  CHECK(err_of(parse_duration, "15").find("has no unit") != std::string::npos);
  CHECK(err_of(parse_duration, "15 parsecs").find("unknown duration unit") != std::string::npos);
  CHECK(err_of(parse_duration, "-5s").find("negative") != std::string::npos);
  CHECK(err_of(parse_duration, "abc").find("not a duration") != std::string::npos);
  CHECK(err_of(parse_duration, "1.5ns").find("1 ns resolution") != std::string::npos);
  CHECK(err_of(parse_duration, "99999999999999999999h").find("too large") != std::string::npos);
  CHECK(!err_of(parse_duration, "").empty());
  CHECK(!err_of(parse_duration, "1m30").empty());
}

TEST_CASE("rates, sizes, bandwidths and CPU quantities") {
  std::string e;
  CHECK(*parse_rate("200/s", &e) == 200);
  CHECK(*parse_rate("6000/m", &e) == Approx(100));
  CHECK(*parse_rate("3600/h", &e) == Approx(1));
  CHECK_FALSE(parse_rate("200", &e));
  CHECK(e.find("no time unit") != std::string::npos);
  CHECK_FALSE(parse_rate("200/fortnight", &e));
  CHECK_FALSE(parse_rate("-1/s", &e));
  CHECK(*parse_size("600MB", &e) == 600e6);
  CHECK(*parse_size("1GiB", &e) == 1073741824.0);
  CHECK_FALSE(parse_size("600", &e));
  CHECK(*parse_bandwidth("100MB/s", &e) == 100e6);
  CHECK(*parse_cpu("500m", &e) == Approx(0.5));
  CHECK(*parse_cpu("2", &e) == 2);
}

TEST_CASE("numbers are strict") {
  std::string e;
  CHECK(*parse_number("0.25", &e) == 0.25);
  CHECK(*parse_number("1e3", &e) == 1000);
  CHECK_FALSE(parse_number("nan", &e));
  CHECK_FALSE(parse_number("inf", &e));
  CHECK_FALSE(parse_number("0x10", &e));
  CHECK_FALSE(parse_number("12abc", &e));
  CHECK_FALSE(parse_number("", &e));
  CHECK(*parse_integer("-12", &e) == -12);
  CHECK_FALSE(parse_integer("1.5", &e));
  CHECK_FALSE(parse_integer("99999999999999999999", &e));
  CHECK(e.find("too large") != std::string::npos);
  CHECK(*parse_unsigned("18446744073709551615", &e) == 18446744073709551615ull);
  CHECK_FALSE(parse_unsigned("-1", &e));
}

TEST_CASE("edit distance") {
  CHECK(edit_distance("replicas", "replcas") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}
