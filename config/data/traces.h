// config/data/traces.h: time series read from files people export from real systems, for traffic
// profiles (`profile: trace`) and observed series (a site's `observed:` replicas and CPU).
//
// Formats (`format:`, else by the file's extension):
//  - csv (.csv): a time column, then value columns; a header row names them. Times are seconds
//    from the start of the run (as before), or absolute: ISO 8601 (2026-11-23T09:00:00Z, with an
//    offset, or none and `time_zone:`), or Unix seconds with `time_format: unix`.
//  - prometheus (.json): the answer of the HTTP API's /api/v1/query_range (resultType matrix),
//    as `curl` saves it. `series: {label: value}` keeps the series whose labels match; the kept
//    series are summed at each timestamp (no `series:`: every series, i.e. the overall total).
//  - access_log (.log, .txt): web-server access logs in Common or Combined Log Format (the
//    NASA-HTTP and ClarkNet traces), one request per line; binned into a rate per second over
//    `bin` (default 1m). Only the [day/Mon/year:hh:mm:ss zone] field is read.
// Absolute times become run time by subtracting `start:` (ISO 8601; default: the first sample),
// samples before it are dropped. Every problem names file:line:column.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/yaml_reader.h"
#include "sim/time.h"

namespace config {

using TracePoints = std::vector<std::pair<sim::SimTime, double>>;

// Reads the trace a map node describes (`file:` and the keys above). `max_value` bounds the
// values; keys the caller handles itself (e.g. `interpolate`, `scale`) are left in `m`.
TracePoints read_trace(MapReader& m, double max_value);

// Seconds since the Unix epoch of an ISO 8601 date-time ("2026-11-23T09:00:00Z",
// "2026-11-23 09:00:00.5+09:00"); without an offset the time is at `default_offset_s` from
// UTC. nullopt when `text` is not one.
std::optional<double> parse_iso8601(std::string_view text, int default_offset_s = 0);

}  // namespace config
