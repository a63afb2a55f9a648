#include "config/units.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

namespace config {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Splits a leading decimal number ("12", "1.5", ".5") off s. Returns false when there is none.
bool take_decimal(std::string_view* s, std::string_view* number) {
  std::size_t i = 0;
  while (i < s->size() && is_digit((*s)[i])) ++i;
  std::size_t digits = i;
  if (i < s->size() && (*s)[i] == '.') {
    std::size_t j = i + 1;
    while (j < s->size() && is_digit((*s)[j])) ++j;
    digits += j - i - 1;
    i = j;
  }
  if (digits == 0) return false;
  *number = s->substr(0, i);
  s->remove_prefix(i);
  return true;
}

// number * unit_ns exactly, in nanoseconds; false on overflow or below 1 ns resolution.
bool exact_ns(std::string_view number, int64_t unit_ns, int64_t* out, std::string* error) {
  const std::size_t dot = number.find('.');
  const std::string_view ip = number.substr(0, dot);
  const std::string_view fp =
      dot == std::string_view::npos ? std::string_view{} : number.substr(dot + 1);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t whole = 0;
  for (char c : ip) {
    if (whole > (kMax - 9) / 10) {
      *error = "duration too large";
      return false;
    }
    whole = whole * 10 + (c - '0');
  }
  if (whole != 0 && whole > kMax / unit_ns) {
    *error = "duration too large";
    return false;
  }
  int64_t ns = whole * unit_ns;
  // Fractional part: digits d1 d2 ... each worth unit/10^k.
  int64_t scale = unit_ns;
  for (char c : fp) {
    const int64_t d = c - '0';
    if (scale % 10 != 0) {
      if (d != 0) {
        *error = "finer than the 1 ns resolution";
        return false;
      }
      continue;
    }
    scale /= 10;
    ns += d * scale;
  }
  *out = ns;
  return true;
}

std::optional<double> strict_double(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  // from_chars accepts "nan"/"inf" and hex only in some forms; reject anything not decimal.
  for (char c : s) {
    if (!(is_digit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      return std::nullopt;
  }
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Splits "<number><unit>" into the number and the unit text.
bool split_number_unit(std::string_view s, double* value, std::string_view* unit) {
  s = trim(s);
  std::size_t i = 0;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '.' || s[i] == '-' || s[i] == '+' ||
                          ((s[i] == 'e' || s[i] == 'E') && i + 1 < s.size() &&
                           (is_digit(s[i + 1]) || s[i + 1] == '-' || s[i + 1] == '+')))) {
    ++i;
  }
  const auto v = strict_double(s.substr(0, i));
  if (!v) return false;
  *value = *v;
  *unit = trim(s.substr(i));
  return true;
}

}  // namespace

std::optional<sim::SimTime> parse_duration(std::string_view s, std::string* error) {
  s = trim(s);
  if (s.empty()) {
    *error = "expected a duration such as 15s, 250ms, 2m or 1h";
    return std::nullopt;
  }
  if (s.front() == '-') {
    *error = "a duration cannot be negative";
    return std::nullopt;
  }
  struct Unit {
    std::string_view name;
    int64_t ns;
  };
  static constexpr Unit kUnits[] = {{"ns", 1},
                                    {"us", 1'000},
                                    {"ms", 1'000'000},
                                    {"s", 1'000'000'000},
                                    {"m", 60'000'000'000},
                                    {"min", 60'000'000'000},
                                    {"h", 3'600'000'000'000},
                                    {"d", 86'400'000'000'000}};
  int64_t total = 0;
  std::string_view rest = s;
  bool any = false;
  while (!rest.empty()) {
    std::string_view number;
    if (!take_decimal(&rest, &number)) {
      *error = "'" + std::string(s) + "' is not a duration (write e.g. 15s, 250ms, 2m, 1h30m)";
      return std::nullopt;
    }
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    std::size_t u = 0;
    while (u < rest.size() && std::isalpha(static_cast<unsigned char>(rest[u]))) ++u;
    const std::string_view unit = rest.substr(0, u);
    rest.remove_prefix(u);
    if (unit.empty()) {
      *error = "'" + std::string(s) + "' has no unit (write e.g. " + std::string(number) + "s or " +
               std::string(number) + "ms)";
      return std::nullopt;
    }
    const Unit* found = nullptr;
    for (const Unit& k : kUnits) {
      if (k.name == unit) found = &k;
    }
    if (found == nullptr) {
      *error = "unknown duration unit '" + std::string(unit) + "' in '" + std::string(s) +
               "' (units: ns, us, ms, s, m, h, d)";
      return std::nullopt;
    }
    int64_t part = 0;
    if (!exact_ns(number, found->ns, &part, error)) {
      *error = "'" + std::string(s) + "': " + *error;
      return std::nullopt;
    }
    if (total > std::numeric_limits<int64_t>::max() - part) {
      *error = "'" + std::string(s) + "': duration too large";
      return std::nullopt;
    }
    total += part;
    any = true;
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  if (!any) {
    *error = "expected a duration";
    return std::nullopt;
  }
  return sim::SimTime::from_ns(total);
}

std::optional<double> parse_rate(std::string_view s, std::string* error) {
  s = trim(s);
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) {
    *error = "'" + std::string(s) + "' has no time unit (write e.g. 200/s, 6000/m or 10/h)";
    return std::nullopt;
  }
  const auto v = strict_double(s.substr(0, slash));
  if (!v) {
    *error = "'" + std::string(s) + "' is not a rate (write e.g. 200/s)";
    return std::nullopt;
  }
  const std::string_view unit = trim(s.substr(slash + 1));
  double per_s;
  if (unit == "s")
    per_s = 1;
  else if (unit == "m" || unit == "min")
    per_s = 1.0 / 60;
  else if (unit == "h")
    per_s = 1.0 / 3600;
  else if (unit == "d")
    per_s = 1.0 / 86400;
  else {
    *error = "unknown rate unit '/" + std::string(unit) + "' (use /s, /m, /h or /d)";
    return std::nullopt;
  }
  if (*v < 0) {
    *error = "a rate cannot be negative";
    return std::nullopt;
  }
  return *v * per_s;
}

std::optional<double> parse_size(std::string_view s, std::string* error, bool bare_bytes) {
  double v;
  std::string_view unit;
  if (!split_number_unit(s, &v, &unit)) {
    *error = "'" + std::string(trim(s)) + "' is not a size (write e.g. 600MB, 512Mi or 1.5GiB)";
    return std::nullopt;
  }
  if (v < 0) {
    *error = "a size cannot be negative";
    return std::nullopt;
  }
  // Byte units as people write them; Kubernetes quantity suffixes (512Mi, 1G) below.
  struct Unit {
    std::string_view name;
    double bytes;
  };
  static constexpr Unit kUnits[] = {{"B", 1},
                                    {"kB", 1e3},
                                    {"KB", 1e3},
                                    {"MB", 1e6},
                                    {"GB", 1e9},
                                    {"TB", 1e12},
                                    {"KiB", 1024.0},
                                    {"MiB", 1048576.0},
                                    {"GiB", 1073741824.0},
                                    {"TiB", 1099511627776.0}};
  for (const Unit& u : kUnits) {
    if (u.name == unit) return v * u.bytes;
  }
  if (unit.empty() && !bare_bytes) {
    *error = "'" + std::string(trim(s)) + "' has no unit (write e.g. 600MB or 512Mi)";
    return std::nullopt;
  }
  if (unit == "m" || unit == "n" || unit == "u") {
    *error = "'" + std::string(trim(s)) + "' is a fraction of a byte: did you mean " +
             std::string(trim(s)).substr(0, trim(s).size() - 1) + "M or " +
             std::string(trim(s)).substr(0, trim(s).size() - 1) + "Mi?";
    return std::nullopt;
  }
  const auto q = parse_quantity(s, error);
  if (!q) {
    *error = "unknown size unit '" + std::string(unit) +
             "' (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB, or Kubernetes' k, M, G, T, Ki, Mi, Gi, Ti)";
    return std::nullopt;
  }
  return q;
}

std::optional<double> parse_bandwidth(std::string_view s, std::string* error) {
  s = trim(s);
  const std::size_t slash = s.rfind('/');
  if (slash == std::string_view::npos || trim(s.substr(slash + 1)) != "s") {
    *error = "'" + std::string(s) + "' is not a bandwidth (write e.g. 100MB/s)";
    return std::nullopt;
  }
  return parse_size(s.substr(0, slash), error);
}

std::optional<double> parse_cpu(std::string_view s, std::string* error) {
  const auto q = parse_quantity(s, error);
  if (!q) {
    *error = "'" + std::string(trim(s)) + "' is not a CPU quantity (write 2, 0.5 or 500m)";
    return std::nullopt;
  }
  if (*q < 0) {
    *error = "a CPU quantity cannot be negative";
    return std::nullopt;
  }
  return q;
}

std::optional<double> parse_number(std::string_view s, std::string* error) {
  const auto v = strict_double(s);
  if (!v) *error = "'" + std::string(trim(s)) + "' is not a number";
  return v;
}

std::optional<int64_t> parse_integer(std::string_view s, std::string* error) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    *error = ec == std::errc::result_out_of_range ? "'" + std::string(s) + "' is too large"
                                                  : "'" + std::string(s) + "' is not an integer";
    return std::nullopt;
  }
  return v;
}

std::optional<uint64_t> parse_unsigned(std::string_view s, std::string* error) {
  s = trim(s);
  uint64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    *error = ec == std::errc::result_out_of_range
                 ? "'" + std::string(s) + "' is too large"
                 : "'" + std::string(s) + "' is not a non-negative integer";
    return std::nullopt;
  }
  return v;
}

std::optional<bool> parse_bool(std::string_view s, std::string* error) {
  s = trim(s);
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  *error = "'" + std::string(s) + "' is not a boolean (true or false)";
  return std::nullopt;
}

std::optional<double> parse_quantity(std::string_view s, std::string* error) {
  double v;
  std::string_view suffix;
  if (!split_number_unit(s, &v, &suffix)) {
    *error = "'" + std::string(trim(s)) + "' is not a quantity (write e.g. 100, 500m, 2k or 512Mi)";
    return std::nullopt;
  }
  struct Suffix {
    std::string_view name;
    double factor;
  };
  static constexpr Suffix kSuffixes[] = {{"", 1},
                                         {"n", 1e-9},
                                         {"u", 1e-6},
                                         {"m", 1e-3},
                                         {"k", 1e3},
                                         {"M", 1e6},
                                         {"G", 1e9},
                                         {"T", 1e12},
                                         {"P", 1e15},
                                         {"E", 1e18},
                                         {"Ki", 1024.0},
                                         {"Mi", 1048576.0},
                                         {"Gi", 1073741824.0},
                                         {"Ti", 1099511627776.0},
                                         {"Pi", 1125899906842624.0},
                                         {"Ei", 1152921504606846976.0}};
  for (const Suffix& x : kSuffixes) {
    if (x.name == suffix) {
      const double q = v * x.factor;
      if (!std::isfinite(q) || std::fabs(q) > 9e15) {
        *error = "'" + std::string(trim(s)) + "' is too large";
        return std::nullopt;
      }
      return q;
    }
  }
  *error = "unknown quantity suffix '" + std::string(suffix) +
           "' (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei)";
  return std::nullopt;
}

std::optional<int64_t> parse_quantity_milli(std::string_view s, std::string* error) {
  const auto q = parse_quantity(s, error);
  if (!q) return std::nullopt;
  // Rounded up, as Quantity.MilliValue() does.
  return static_cast<int64_t>(std::ceil(*q * 1000.0 - 1e-9));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace config
