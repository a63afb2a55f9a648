#include "config/data/traces.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>

#include "config/sections.h"
#include "config/units.h"

namespace config {

using sim::SimTime;

namespace {

// Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Reads `n` digits at s[*i] (advancing); false when they are not there.
bool digits(std::string_view s, std::size_t* i, int n, int* out) {
  if (*i + static_cast<std::size_t>(n) > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    const char c = s[*i + static_cast<std::size_t>(k)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += static_cast<std::size_t>(n);
  *out = v;
  return true;
}

// "Z", "UTC", "+09:00", "-0500", "+09": seconds east of UTC.
std::optional<int> parse_offset(std::string_view s) {
  if (s == "Z" || s == "UTC" || s == "z") return 0;
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  std::size_t i = 1;
  int h = 0, m = 0;
  if (!digits(s, &i, 2, &h)) return std::nullopt;
  if (i < s.size() && s[i] == ':') ++i;
  if (i < s.size() && !digits(s, &i, 2, &m)) return std::nullopt;
  if (i != s.size() || h > 23 || m > 59) return std::nullopt;
  return (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}

double epoch_seconds(int y, int mo, int d, int h, int mi, double sec, int offset_s) {
  return static_cast<double>(
             days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) *
             86400.0 +
         h * 3600.0 + mi * 60.0 + sec - offset_s;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// A real date and time of day (31/Nov and 29/Feb of a common year are not).
bool valid_clock(int y, int mo, int d, int h, int mi, double sec) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1) return false;
  const int days = kDays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0);
  return d <= days && h <= 23 && mi <= 59 && sec < 61;
}

// "10/Oct/2000:13:55:36 -0700" (the bracketed field of the Common Log Format).
std::optional<double> parse_clf_time(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::size_t i = 0;
  int d = 0, y = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, &i, 2, &d) || i + 5 > s.size() || s[i] != '/') return std::nullopt;
  const std::string_view mon = s.substr(i + 1, 3);
  const auto it = std::find(std::begin(kMonths), std::end(kMonths), mon);
  if (it == std::end(kMonths)) return std::nullopt;
  i += 4;
  if (s[i++] != '/' || !digits(s, &i, 4, &y) || i >= s.size() || s[i++] != ':' ||
      !digits(s, &i, 2, &h) || i >= s.size() || s[i++] != ':' || !digits(s, &i, 2, &mi) ||
      i >= s.size() || s[i++] != ':' || !digits(s, &i, 2, &sec) || i >= s.size() || s[i++] != ' ')
    return std::nullopt;
  const auto off = parse_offset(s.substr(i));
  const int mo = static_cast<int>(it - std::begin(kMonths)) + 1;
  if (!off || !valid_clock(y, mo, d, h, mi, sec)) return std::nullopt;
  return epoch_seconds(y, mo, d, h, mi, sec, *off);
}

std::string trim(std::string_view s) {
  const std::size_t a = s.find_first_not_of(" \t\"");
  if (a == std::string_view::npos) return "";
  const std::size_t b = s.find_last_not_of(" \t\"");
  return std::string(s.substr(a, b - a + 1));
}

struct Sample {
  double time = 0;  // seconds: from the run's start, or since the epoch when absolute
  double value = 0;
  Location where;        // the time's
  int value_column = 0;  // where the value is on that line (0: as `where`)
};

struct Raw {
  std::vector<Sample> samples;
  bool absolute = false;
};

[[noreturn]] void fail_at(const Location& at, const Node& file, const std::string& message) {
  throw ScenarioError(at, file.path(), message);
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (;;) {
    const std::size_t comma = line.find(',', from);
    out.push_back(line.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
    if (comma == std::string::npos) return out;
    from = comma + 1;
  }
}

// Column start of field k (1-based), for messages.
int column_of(const std::string& line, std::size_t k) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < k; ++i) pos = line.find(',', pos) + 1;
  return static_cast<int>(pos) + 1;
}

struct CsvOptions {
  std::string column;       // "" = the second column
  std::string time_format;  // auto | seconds | unix | iso
  int offset_s = 0;         // for ISO times without an offset
};

Raw read_csv(const Node& file, const std::string& path, const CsvOptions& o) {
  std::ifstream in(path);
  if (!in) file.fail("cannot open trace file '" + path + "'");
  Raw raw;
  std::string line;
  int lineno = 0;
  bool first_row = true;
  std::size_t value_col = 1;
  std::string mode = o.time_format;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (lineno == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    const std::size_t text = line.find_first_not_of(" \t");
    if (text == std::string::npos || line[text] == '#') continue;
    const std::vector<std::string> cells = split_csv(line);
    auto bad = [&](std::size_t cell, const std::string& msg) {
      fail_at({path, lineno, column_of(line, cell)}, file, msg);
    };
    std::string err;
    const std::string t_text = trim(cells[0]);
    const auto as_number = parse_number(t_text, &err);
    const auto as_iso = as_number ? std::nullopt : parse_iso8601(t_text, o.offset_s);
    if (first_row && !as_number && !as_iso) {  // a header
      first_row = false;
      if (!o.column.empty()) {
        std::vector<std::string> names;
        for (const std::string& c : cells) names.push_back(trim(c));
        const auto it = std::find(names.begin() + 1, names.end(), o.column);
        if (it == names.end())
          bad(0, "no column named '" + o.column + "' in the header: " +
                     suggest(o.column, std::vector<std::string>(names.begin() + 1, names.end()),
                             "column"));
        value_col = static_cast<std::size_t>(it - names.begin());
      }
      continue;
    }
    if (first_row && !o.column.empty())
      bad(0, "column: '" + o.column + "' needs a header row naming the columns");
    first_row = false;
    if (mode == "auto") {
      if (!as_number && !as_iso)
        bad(0,
            "expected a time in the first column (seconds, or ISO 8601 such as "
            "2026-11-23T09:00:00Z), then a comma and the value: is this a CSV file?");
      mode = as_number ? "seconds" : "iso";
    }
    Sample s;
    s.where = {path, lineno, 1};
    if (mode == "iso") {
      if (!as_iso)
        bad(0, "expected an ISO 8601 time (2026-11-23T09:00:00Z), as on the first data row");
      s.time = *as_iso;
      raw.absolute = true;
    } else {
      if (!as_number) bad(0, "expected a time in seconds, as on the first data row: " + err);
      s.time = *as_number;
      raw.absolute = mode == "unix";
      if (!raw.absolute && (*as_number < 0 || *as_number > kMaxDuration.seconds()))
        bad(0, "time out of range");
    }
    if (cells.size() <= value_col)
      bad(cells.size(), "expected a value in column " + std::to_string(value_col + 1));
    const auto v = parse_number(trim(cells[value_col]), &err);
    if (!v) bad(value_col, err);
    s.value = *v;
    s.value_column = column_of(line, value_col);
    raw.samples.push_back(s);
  }
  return raw;
}

Location mark_of(const std::string& path, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return {path, m.line + 1, m.column + 1};
}

// The series of a query_range answer whose labels match `want`, summed per timestamp.
Raw read_prometheus(const Node& file, const std::string& path,
                    const std::map<std::string, std::string>& want, const Node& selector) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    file.fail("cannot open trace file '" + path + "'");
  } catch (const YAML::ParserException& e) {
    fail_at({path, e.mark.line + 1, e.mark.column + 1}, file, "not valid JSON: " + e.msg);
  }
  const Location top{path, 1, 1};
  if (!root.IsMap()) fail_at(top, file, "expected a Prometheus query_range answer (a JSON object)");
  if (root["status"] && root["status"].as<std::string>("") != "success") {
    std::string why = "the query did not succeed (status " + root["status"].as<std::string>("?");
    if (root["errorType"]) why += ", " + root["errorType"].as<std::string>("");
    if (root["error"]) why += ": " + root["error"].as<std::string>("");
    fail_at(mark_of(path, root["status"]), file, why + ")");
  }
  const YAML::Node data = root["data"] ? root["data"] : root;
  if (!data.IsMap() || !data["resultType"] || !data["result"])
    fail_at(top, file, "expected data.resultType and data.result (the /api/v1/query_range answer)");
  if (data["resultType"].as<std::string>("") != "matrix")
    fail_at(mark_of(path, data["resultType"]), file,
            "resultType is '" + data["resultType"].as<std::string>("") +
                "': export with /api/v1/query_range (a matrix), not /api/v1/query");
  std::map<double, Sample> sum;  // by timestamp
  std::vector<std::string> seen;
  int kept = 0;
  for (const YAML::Node& series : data["result"]) {
    const YAML::Node labels = series["metric"];
    std::string described;
    bool match = true;
    if (labels && labels.IsMap()) {
      for (const auto& kv : labels) {
        described += (described.empty() ? "" : ",") + kv.first.as<std::string>() + "=" +
                     kv.second.as<std::string>("");
      }
    }
    for (const auto& [k, v] : want)
      match = match && labels && labels[k] && labels[k].as<std::string>("") == v;
    seen.push_back("{" + described + "}");
    if (!match) continue;
    ++kept;
    const YAML::Node values = series["values"];
    if (!values || !values.IsSequence())
      fail_at(mark_of(path, series), file,
              "a series without 'values' (a query_range matrix has them)");
    std::optional<double> previous;
    for (const YAML::Node& pair : values) {
      const Location at = mark_of(path, pair);
      if (!pair.IsSequence() || pair.size() != 2)
        fail_at(at, file, "expected [unix_time, \"value\"]");
      std::string err;
      const auto ts = parse_number(pair[0].as<std::string>(""), &err);
      if (!ts) fail_at(mark_of(path, pair[0]), file, "timestamp: " + err);
      if (previous && *ts <= *previous)
        fail_at(mark_of(path, pair[0]), file,
                "timestamps must increase within a series (this one is not after the one before)");
      previous = ts;
      const std::string vt = pair[1].as<std::string>("");
      if (vt == "NaN") continue;  // no value at this step
      const auto v = parse_number(vt, &err);
      if (!v) fail_at(mark_of(path, pair[1]), file, "value: " + err);
      if (*v < 0) fail_at(mark_of(path, pair[1]), file, "value out of range (negative)");
      Sample& s = sum[*ts];
      if (s.where.line == 0) s = {*ts, 0, at, 0};
      s.value += *v;
    }
  }
  if (kept == 0 && want.empty()) fail_at(top, file, "the answer holds no series");
  if (kept == 0) {
    std::string list, asked;
    for (std::size_t i = 0; i < seen.size() && i < 8; ++i) list += (i ? ", " : "") + seen[i];
    for (const auto& [k, v] : want) asked += (asked.empty() ? "" : ",") + k + "=" + v;
    std::vector<std::string> candidates(seen.begin(), seen.end());
    std::string hint;
    if (want.size() == 1) {
      // The label values the answer has for the one label asked for: "did you mean".
      std::vector<std::string> values;
      for (const YAML::Node& series : data["result"]) {
        const YAML::Node v = series["metric"][want.begin()->first];
        if (v) values.push_back(v.as<std::string>(""));
      }
      if (!values.empty()) hint = "; " + suggest(want.begin()->second, values, "values");
    }
    selector.fail("no series of " + path + " has the labels {" + asked + "} (it has " +
                  (list.empty() ? std::string("none") : list) + ")" + hint);
  }
  Raw raw;
  raw.absolute = true;
  for (const auto& [t, s] : sum) raw.samples.push_back(s);
  return raw;
}

// Requests per `bin` from an access log, as a rate per second at each bin's start.
Raw read_access_log(const Node& file, const std::string& path, SimTime bin) {
  std::ifstream in(path);
  if (!in) file.fail("cannot open trace file '" + path + "'");
  std::string line;
  int lineno = 0;
  std::vector<std::pair<double, int>> times;  // (epoch seconds, line)
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::size_t open = line.find('[');
    const std::size_t close = open == std::string::npos ? open : line.find(']', open);
    if (close == std::string::npos)
      fail_at({path, lineno, 1}, file,
              "expected a Common Log Format line: host ident user [10/Oct/2000:13:55:36 -0700] "
              "\"request\" status bytes");
    const auto t = parse_clf_time(std::string_view(line).substr(open + 1, close - open - 1));
    if (!t)
      fail_at({path, lineno, static_cast<int>(open) + 2}, file,
              "expected a time as [10/Oct/2000:13:55:36 -0700]");
    // Logs are written in order of completion, so times go back by at most a request's
    // duration. A line an hour or more away from the lines before it is a stray (another day's
    // log, a clock jump): binning it would stretch the trace over the gap and empty the replay.
    if (!times.empty()) {
      const double latest =
          std::max_element(times.end() - std::min<std::ptrdiff_t>(times.size(), 64), times.end())
              ->first;
      if (*t < latest - 3600 || *t > latest + 3600)
        fail_at({path, lineno, static_cast<int>(open) + 2}, file,
                "this line's time is more than an hour " +
                    std::string(*t < latest ? "before" : "after") +
                    " the lines before it: a stray line from another log? (a gap in traffic "
                    "shows as bins without requests; split the log at a real gap)");
    }
    times.emplace_back(*t, lineno);
  }
  if (times.empty()) file.fail("access log '" + path + "' has no requests");
  // Logs are written in order of completion; bin them whatever the order. Bins are aligned to
  // whole multiples of their width in UTC (minutes on the minute), as monitoring graphs are.
  const double width = bin.seconds();
  std::map<int64_t, int> counts;
  for (const auto& [t, l] : times) ++counts[static_cast<int64_t>(std::floor(t / width))];
  Raw raw;
  raw.absolute = true;
  const int64_t first = counts.begin()->first, last = counts.rbegin()->first;
  for (int64_t k = first; k <= last; ++k) {  // bins without a request are a rate of 0
    const auto it = counts.find(k);
    raw.samples.push_back({static_cast<double>(k) * width,
                           it == counts.end() ? 0.0 : it->second / width,
                           {path, 0, 0},
                           0});
  }
  return raw;
}

std::string format_of(const Node& file, const std::string& path) {
  const std::size_t dot = path.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  if (ext == "csv") return "csv";
  if (ext == "json") return "prometheus";
  if (ext == "log" || ext == "txt") return "access_log";
  file.fail(
      "cannot tell the trace's format from its name: give format: csv, prometheus or "
      "access_log");
}

}  // namespace

std::optional<double> parse_iso8601(std::string_view s, int default_offset_s) {
  std::size_t i = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, whole = 0;
  if (!digits(s, &i, 4, &y) || i >= s.size() || s[i++] != '-' || !digits(s, &i, 2, &mo) ||
      i >= s.size() || s[i++] != '-' || !digits(s, &i, 2, &d) || i >= s.size() ||
      (s[i] != 'T' && s[i] != ' ' && s[i] != 't'))
    return std::nullopt;
  ++i;
  if (!digits(s, &i, 2, &h) || i >= s.size() || s[i++] != ':' || !digits(s, &i, 2, &mi))
    return std::nullopt;
  double sec = 0;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!digits(s, &i, 2, &whole)) return std::nullopt;
    sec = whole;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      const std::size_t from = ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == from) return std::nullopt;
      sec += std::stod("0." + std::string(s.substr(from, i - from)));
    }
  }
  int offset = default_offset_s;
  if (i < s.size()) {
    const auto off = parse_offset(s.substr(i));
    if (!off) return std::nullopt;
    offset = *off;
  }
  if (!valid_clock(y, mo, d, h, mi, sec)) return std::nullopt;
  return epoch_seconds(y, mo, d, h, mi, sec, offset);
}

TracePoints read_trace(MapReader& m, double max_value) {
  const Node file = m.required("file");
  const std::string path = resolve_relative(file, file.text());
  const std::string format = m.get("format").present()
                                 ? m.get("format").choice({"csv", "prometheus", "access_log"})
                                 : format_of(file, path);
  int offset_s = 0;
  if (const Node tz = m.get("time_zone"); tz.present()) {
    const auto off = parse_offset(tz.text());
    if (!off) tz.fail("expected UTC or a fixed offset such as +09:00 or -05:00");
    offset_s = *off;
  }
  std::optional<double> start;
  if (const Node st = m.get("start"); st.present()) {
    start = parse_iso8601(st.text(), offset_s);
    if (!start) st.fail("expected an ISO 8601 date-time such as 2026-11-23T09:00:00Z");
  }
  Raw raw;
  if (format == "csv") {
    CsvOptions o;
    o.offset_s = offset_s;
    if (const Node c = m.get("column"); c.present()) o.column = c.text();
    o.time_format = m.get("time_format").present()
                        ? m.get("time_format").choice({"seconds", "unix", "iso"})
                        : "auto";
    raw = read_csv(file, path, o);
  } else if (format == "prometheus") {
    std::map<std::string, std::string> want;
    const Node sel = m.get("series");
    if (sel.present()) {
      MapReader sm = sel.map();
      for (const std::string& k : sm.keys()) want[k] = sm.get(k).text();
    }
    raw = read_prometheus(file, path, want, sel.present() ? sel : file);
  } else {
    const SimTime bin = m.get("bin").present()
                            ? m.get("bin").duration_in(sim::seconds(1), sim::hours(24))
                            : sim::minutes(1);
    raw = read_access_log(file, path, bin);
  }
  if (start && !raw.absolute)
    m.get("start").fail(
        "the trace's times are seconds from the start of the run: no start: needed");
  if (raw.samples.empty()) file.fail("trace file '" + path + "' has no data rows");
  const double origin = raw.absolute ? start.value_or(raw.samples.front().time) : 0.0;
  TracePoints pts;
  for (std::size_t k = 0; k < raw.samples.size(); ++k) {
    const Sample& s = raw.samples[k];
    auto bad = [&](const std::string& msg, bool at_value) {
      Location at = s.where;
      if (at_value && s.value_column > 0) at.column = s.value_column;
      fail_at(at, file, msg);
    };
    if (k > 0 && s.time <= raw.samples[k - 1].time)
      bad("times must increase from row to row", false);
    if (s.value < 0 || s.value > max_value || !std::isfinite(s.value))
      bad("value out of range (0 to " + std::to_string(static_cast<int64_t>(max_value)) + ")",
          true);
    const double t = s.time - origin;
    if (t > kMaxDuration.seconds())
      bad("time out of range (more than ten years after the start)", false);
    // Before start: only the last such sample is kept (at its negative time), so the value in
    // force at start carries into the run.
    if (t < 0 && k + 1 < raw.samples.size() && raw.samples[k + 1].time - origin <= 0) continue;
    pts.emplace_back(SimTime::from_seconds(t), s.value);
  }
  if (!pts.empty() && pts.back().first < SimTime::zero()) pts.clear();  // all before start
  if (pts.empty()) m.get("start").fail("every sample of '" + path + "' is before start:");
  return pts;
}

}  // namespace config
