#include <catch2/catch.hpp>

#include "sim/time.h"

using namespace sim;

TEST_CASE("SimTime unit helpers are exact integers") {
  CHECK(seconds(15).ns() == 15'000'000'000);
  CHECK(milliseconds(250).ns() == 250'000'000);
  CHECK(minutes(2) == seconds(120));
  CHECK(hours(1) == minutes(60));
  CHECK(microseconds(3).ns() == 3000);
  CHECK((seconds(1) + milliseconds(500)).seconds() == 1.5);
  CHECK(seconds(10) / seconds(3) == 3);
  CHECK(seconds(10) % seconds(3) == seconds(1));
}

TEST_CASE("SimTime::from_seconds rounds to the nearest nanosecond") {
  CHECK(SimTime::from_seconds(1.5).ns() == 1'500'000'000);
  CHECK(SimTime::from_seconds(1e-9 * 0.6).ns() == 1);
  CHECK(SimTime::from_seconds(1e-9 * 0.4).ns() == 0);
}

TEST_CASE("saturating_add keeps max() as never") {
  CHECK(saturating_add(SimTime::max(), seconds(1)).is_max());
  CHECK(saturating_add(seconds(1), SimTime::max()).is_max());
  CHECK(saturating_add(seconds(1), seconds(2)) == seconds(3));
  CHECK(saturating_add(SimTime::max() - seconds(1), seconds(2)).is_max());
}

TEST_CASE("format_duration uses the largest exact units") {
  CHECK(format_duration(minutes(10) + seconds(30)) == "10m30s");
  CHECK(format_duration(milliseconds(250)) == "250ms");
  CHECK(format_duration(hours(1)) == "1h");
  CHECK(format_duration(SimTime::zero()) == "0s");
  CHECK(format_duration(seconds(1) + milliseconds(250)) == "1s250ms");
  CHECK(format_duration(SimTime::max()) == "never");
}
