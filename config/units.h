// config/units.h: parsing of the values scenario files write with units.
//
// durations: 250ms, 15s, 2m, 1h30m, 1.5s, 10us (units ns us ms s m h d; a unit is required).
// rates: 200/s, 6000/m, 6000/min, 10/h (always converted to per second).
// Kubernetes quantities: 500m, 2, 1.5, 1e3, 2k, 512Mi, 1Gi (the suffixes of resource.Quantity:
// n u m k M G T P E powers of 1000, Ki Mi Gi Ti Pi Ei of 1024). One parser reads them, and CPU
// and sizes are read through it.
// sizes: 600MB, 1.5GB, 512KiB, 100B, or a quantity such as 512Mi or 1G (bytes).
// bandwidth: 100MB/s (bytes per second).
// cpu: 2, 0.5, 500m (cores; "m" = millicores, as in Kubernetes).
// numbers: strict decimal; nan, inf, hex and trailing text are errors.
//
// Each parser returns the value or sets `error` to a sentence saying what is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/time.h"

namespace config {

std::optional<sim::SimTime> parse_duration(std::string_view s, std::string* error);
std::optional<double> parse_rate(std::string_view s, std::string* error);
// bare_bytes: a number without unit is bytes (a Kubernetes memory quantity); otherwise an error.
std::optional<double> parse_size(std::string_view s, std::string* error, bool bare_bytes = false);
std::optional<double> parse_bandwidth(std::string_view s, std::string* error);
std::optional<double> parse_cpu(std::string_view s, std::string* error);
std::optional<double> parse_number(std::string_view s, std::string* error);
std::optional<int64_t> parse_integer(std::string_view s, std::string* error);
std::optional<uint64_t> parse_unsigned(std::string_view s, std::string* error);
std::optional<bool> parse_bool(std::string_view s, std::string* error);
// A Kubernetes resource quantity ("500m", "2", "1.5k", "512Mi", "1e3") in base units.
std::optional<double> parse_quantity(std::string_view s, std::string* error);
// The same as an integer number of milli-units, rounded up as Quantity.MilliValue() does.
std::optional<int64_t> parse_quantity_milli(std::string_view s, std::string* error);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace config
