#include "report/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "store/json.h"

namespace report::compare {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string format(const char* fmt, double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// The metric's format with one more decimal, for differences (a difference is often smaller
// than the values' last shown digit).
std::string format_diff(const Metric& m, double v) {
  std::string f = m.fmt;
  const auto dot = f.find('.');
  if (dot != std::string::npos && dot + 1 < f.size() && f[dot + 1] >= '0' && f[dot + 1] <= '8')
    ++f[dot + 1];
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, ("%+" + f.substr(1)).c_str(), v);
  return buf;
}

std::string format_p(double p) {
  if (std::isnan(p)) return "-";
  if (p < 0.001) return "<0.001";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", p);
  return buf;
}

std::string format_pct(double x) {
  if (std::isnan(x) || std::isinf(x)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", 100 * x);
  return buf;
}

std::string ci_text(const Metric& m, const stats::Interval& d) {
  if (std::isnan(d.half_width)) return format_diff(m, d.mean);
  return format_diff(m, d.mean) + " [" + format_diff(m, d.lo()) + ", " + format_diff(m, d.hi()) +
         "]";
}

double mean_of(const std::vector<double>& xs) {
  if (xs.empty()) return kNaN;
  double s = 0;
  for (double x : xs) s += x;
  return s / static_cast<double>(xs.size());
}

}  // namespace

const std::vector<Choice>& choices() {
  static const std::vector<Choice> kChoices = [] {
    const std::pair<const char*, const char*> names[] = {
        {"apdex", "apdex"},  {"p95", "rt_p95_s"},
        {"p99", "rt_p99_s"}, {"error_rate", "error_rate_pct"},
        {"cost", "cost"},    {"rto", "rto_s"},
        {"rpo", "rpo_s"},
    };
    std::vector<Choice> out;
    for (const auto& [name, key] : names) out.push_back({name, metric_index(key)});
    return out;
  }();
  return kChoices;
}

std::optional<Choice> choice(std::string_view name) {
  for (const Choice& c : choices()) {
    if (c.name == name) return c;
  }
  return std::nullopt;
}

std::string choice_names() {
  std::string s;
  for (const Choice& c : choices()) s += (s.empty() ? "" : ", ") + c.name;
  return s;
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kNotApplicable:
      return "n/a";
    case Verdict::kNoDifference:
      return "no significant difference";
    case Verdict::kBetter:
      return "better";
    case Verdict::kWorse:
      return "worse";
  }
  return "?";
}

Paired paired(const Choice& metric, std::span<const double> a, std::span<const double> b,
              double precision, const Unrecovered& unrecovered) {
  const Metric& m = metrics()[metric.index];
  Paired p;
  p.metric = metric;
  p.unrecovered_a = unrecovered.a;
  p.unrecovered_b = unrecovered.b;
  std::vector<double> xa, xb, d;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) continue;
    xa.push_back(a[i]);
    xb.push_back(b[i]);
    d.push_back(b[i] - a[i]);
  }
  p.n = static_cast<int>(d.size());
  p.mean_a = mean_of(xa);
  p.mean_b = mean_of(xb);
  p.diff = stats::mean_ci(d);
  p.relative = p.mean_a != 0 && !std::isnan(p.mean_a) ? p.diff.mean / std::fabs(p.mean_a) : kNaN;
  p.recovery_p = mcnemar_exact_p(unrecovered.only_a, unrecovered.only_b);
  if (p.unrecovered_a + p.unrecovered_b > 0) {
    p.note = "never recovered: " + std::to_string(p.unrecovered_a) + " runs of A, " +
             std::to_string(p.unrecovered_b) + " of B; McNemar p " + format_p(p.recovery_p);
  }
  if (p.recovery_p < 0.05) {
    // Never recovering is worse than any recovery time: significantly more often decides.
    p.verdict = unrecovered.only_b > unrecovered.only_a ? Verdict::kWorse : Verdict::kBetter;
  }
  if (p.n < 2) {
    if (p.recovery_p >= 0.05) {
      p.verdict = Verdict::kNotApplicable;
      p.note = (p.n == 0 ? std::string("no pair has a value on both sides (") + m.title + ")"
                         : std::string("a value in only one pair")) +
               (p.note.empty() ? "" : "; " + p.note);
    }
    p.p_value = kNaN;
    p.precise = true;  // more pairs would not give it a value: it does not hold the others up
    return p;
  }
  double ss = 0;
  for (double x : d) ss += (x - p.diff.mean) * (x - p.diff.mean);
  const double sd = std::sqrt(ss / (p.n - 1));
  if (sd == 0) {
    // Every pair differs by the same amount: no noise left to test against.
    p.p_value = p.diff.mean == 0 ? 1.0 : 0.0;
  } else {
    p.p_value = stats::student_t_two_sided_p(p.diff.mean / (sd / std::sqrt(p.n)), p.n - 1);
  }
  const double h = p.diff.half_width;
  if (p.recovery_p < 0.05) {
    // Decided by the recoveries (above).
  } else if (p.diff.lo() > 0 || p.diff.hi() < 0) {
    const bool up = p.diff.mean > 0;
    p.verdict = up == m.higher_is_better ? Verdict::kBetter : Verdict::kWorse;
  } else {
    p.verdict = Verdict::kNoDifference;
  }
  const double g = precision;
  p.precise = h <= g / (1 + g) * std::fabs(p.diff.mean) || h <= g * std::fabs(p.mean_a);
  return p;
}

double mcnemar_exact_p(int x, int y) {
  const int k = x + y;
  if (k == 0) return 1;
  // 2 P(X <= min(x, y)) for X ~ Binomial(k, 1/2), at most 1.
  const int lo = std::min(x, y);
  double term = std::exp(-k * std::log(2.0));  // C(k, 0) / 2^k
  double sum = 0;
  for (int i = 0; i <= lo; ++i) {
    sum += term;
    term *= static_cast<double>(k - i) / static_cast<double>(i + 1);
  }
  return std::min(1.0, 2 * sum);
}

Gate parse_gate(std::string_view text) {
  Gate g;
  g.text = std::string(text);
  const auto colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  const auto c = choice(name);
  if (!c) {
    throw std::invalid_argument("--fail-if-worse " + g.text + ": unknown metric '" +
                                std::string(name) + "' (one of " + choice_names() + ")");
  }
  g.metric = *c;
  if (colon == std::string_view::npos) return g;
  std::string margin(text.substr(colon + 1));
  if (!margin.empty() && margin.back() == '%') {
    g.relative = true;
    margin.pop_back();
  }
  char* end = nullptr;
  const double v = margin.empty() ? kNaN : std::strtod(margin.c_str(), &end);
  if (std::isnan(v) || end == nullptr || *end != '\0' || v < 0 || std::isinf(v)) {
    throw std::invalid_argument("--fail-if-worse " + g.text +
                                ": the margin must be a non-negative number in the metric's "
                                "units (seconds for p95, p99, rto, rpo; a duration such as 50ms "
                                "also works there), or a percentage of A such as 5%");
  }
  g.margin = g.relative ? v / 100 : v;
  return g;
}

GateOutcome judge(const Gate& gate, const Paired& p) {
  const Metric& m = metrics()[gate.metric.index];
  GateOutcome o;
  const double margin = gate.relative ? gate.margin * std::fabs(p.mean_a) : gate.margin;
  const std::string against =
      gate.margin > 0
          ? " by more than " + format(m.fmt, margin) +
                (gate.relative ? " (" + format("%g", gate.margin * 100) + "% of A)" : "")
          : "";
  if (p.recovery_p < 0.05) {
    o.failed = p.verdict == Verdict::kWorse;
    o.why = gate.text + ": B is " + (o.failed ? "worse" : "better") +
            ": its incidents recover significantly " + (o.failed ? "less" : "more") + " often (" +
            p.note + ")";
    return o;
  }
  if (p.verdict == Verdict::kNotApplicable) {
    o.failed = true;
    o.why = gate.text + ": cannot be judged (" + p.note + "); a gate with nothing to judge fails";
    return o;
  }
  // The bad direction of the difference, and how far the whole interval lies in it.
  const double worst_side = m.higher_is_better ? -p.diff.hi() : p.diff.lo();
  o.failed = worst_side > margin;
  const std::string what = o.failed ? "significantly worse than A" + against
                           : p.verdict == Verdict::kWorse
                               ? "significantly worse than A, but not" + against
                               : "not significantly worse than A" + against;
  o.why = gate.text + ": B is " + what + " (B - A = " + ci_text(m, p.diff) + ", 95% CI)";
  return o;
}

namespace {

struct Row {
  std::string cells[8];
};

std::vector<Row> rows(const Report& r) {
  std::vector<Row> out;
  out.push_back({{"metric", "A", "B", "B - A (95% CI)", "change", "p", "pairs", "verdict"}});
  for (const Paired& p : r.metrics) {
    const Metric& m = metrics()[p.metric.index];
    std::string verdict = verdict_name(p.verdict);
    if (!p.note.empty()) verdict += " (" + p.note + ")";
    out.push_back({{std::string(m.title), format(m.fmt, p.mean_a), format(m.fmt, p.mean_b),
                    ci_text(m, p.diff), format_pct(p.relative), format_p(p.p_value),
                    std::to_string(p.n), verdict}});
  }
  return out;
}

// How many pairs ran and why they stopped.
std::string pairs_line(const Report& r) {
  const std::string g = format("%g", r.precision * 100) + "%";
  const std::string why =
      r.stopped_precise ? "stopped when every metric's interval met the precision (" + g + ")"
      : r.interrupted
          ? "interrupted before every metric met the precision (" + g + ")"
          : "stopped at the pair limit before every metric met the precision (" + g + ")";
  return std::to_string(r.pairs) +
         " pairs with common random numbers (the same seed on both sides); " + why;
}

}  // namespace

std::string to_text(const Report& r) {
  const std::vector<Row> t = rows(r);
  std::size_t width[8] = {};
  for (const Row& row : t) {
    for (int c = 0; c < 8; ++c) width[c] = std::max(width[c], row.cells[c].size());
  }
  std::string s = "A: " + r.label_a + "\nB: " + r.label_b + "\n" + pairs_line(r) + "\n\n";
  for (const Row& row : t) {
    std::string line;
    for (int c = 0; c < 8; ++c) {
      const std::string& cell = row.cells[c];
      const bool left = c == 0 || c == 7;
      const std::string pad(width[c] - cell.size(), ' ');
      line += left ? cell + (c == 7 ? "" : pad) : pad + cell;
      if (c < 7) line += "  ";
    }
    s += line + "\n";
  }
  for (const auto& [gate, outcome] : r.gates)
    s += std::string(outcome.failed ? "FAIL " : "ok   ") + outcome.why + "\n";
  return s;
}

std::string to_markdown(const Report& r) {
  std::string s =
      "**A**: " + r.label_a + "  \n**B**: " + r.label_b + "  \n" + pairs_line(r) + "\n\n";
  const std::vector<Row> t = rows(r);
  for (std::size_t i = 0; i < t.size(); ++i) {
    s += "|";
    for (const std::string& cell : t[i].cells) s += " " + cell + " |";
    s += "\n";
    if (i == 0) s += "|---|---:|---:|---:|---:|---:|---:|---|\n";
  }
  if (!r.gates.empty()) s += "\n";
  for (const auto& [gate, outcome] : r.gates)
    s += std::string("- ") + (outcome.failed ? "**FAIL** " : "ok ") + outcome.why + "\n";
  return s;
}

std::string to_json(const Report& r) {
  store::JsonWriter j(true);
  j.begin_object();
  j.key("a").value(r.label_a).key("b").value(r.label_b);
  j.key("pairs").value(r.pairs).key("precision").value(r.precision);
  j.key("stopped").value(r.stopped_precise ? "precision"
                         : r.interrupted   ? "interrupted"
                                           : "max_reps");
  j.key("seeds").begin_array();
  for (uint64_t s : r.seeds) j.value(s);
  j.end_array();
  j.key("metrics").begin_array();
  for (const Paired& p : r.metrics) {
    j.begin_object();
    j.key("metric").value(p.metric.name).key("key").value(metrics()[p.metric.index].key);
    j.key("pairs").value(p.n).key("a").value(p.mean_a).key("b").value(p.mean_b);
    j.key("diff")
        .value(p.diff.mean)
        .key("ci_low")
        .value(p.diff.lo())
        .key("ci_high")
        .value(p.diff.hi());
    j.key("relative").value(p.relative).key("p_value").value(p.p_value);
    j.key("verdict").value(verdict_name(p.verdict)).key("precise").value(p.precise);
    if (p.unrecovered_a + p.unrecovered_b > 0) {
      j.key("unrecovered_a").value(p.unrecovered_a).key("unrecovered_b").value(p.unrecovered_b);
      j.key("recovery_p").value(p.recovery_p);
    }
    if (!p.note.empty()) j.key("note").value(p.note);
    j.end_object();
  }
  j.end_array();
  j.key("gates").begin_array();
  for (const auto& [gate, outcome] : r.gates) {
    j.begin_object().key("gate").value(gate.text).key("failed").value(outcome.failed);
    j.key("why").value(outcome.why).end_object();
  }
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

}  // namespace report::compare
