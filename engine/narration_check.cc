#include "engine/narration_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <set>

#include "sim/time.h"

namespace engine {

namespace {

// The series values of the needed columns, per entity name, per bucket start.
struct Values {
  std::vector<std::string> columns;
  std::map<std::string, std::map<int64_t, std::vector<double>>> rows;  // entity -> t_ns -> values
  // Column c in the bucket holding t, or, with over_s, its mean (total: its sum) over the buckets
  // that start in the over_s seconds before t (NaN without data; NULLs are skipped).
  double at(const std::string& entity, std::size_t c, int64_t t_ns, double over_s,
            bool total) const {
    const auto e = rows.find(entity);
    if (e == rows.end()) return std::nan("");
    auto last = e->second.upper_bound(t_ns);
    if (last == e->second.begin()) return std::nan("");
    auto first = std::prev(last);
    if (over_s > 0) {
      first = e->second.lower_bound(t_ns - static_cast<int64_t>(std::llround(over_s * 1e9)));
      const auto before = e->second.lower_bound(t_ns);
      if (before != first) last = before;
    }
    double sum = 0;
    int n = 0;
    for (auto it = first; it != last; ++it) {
      const double x = c < it->second.size() ? it->second[c] : std::nan("");
      if (std::isnan(x)) continue;
      sum += x;
      ++n;
    }
    if (n == 0) return std::nan("");
    return total ? sum : sum / n;
  }
};

Values read_values(const config::Scenario& s, const store::ResultsReader& r, int64_t run_id) {
  Values v;
  std::set<std::string> cols;
  for (const config::NarrationLine& l : s.narration) {
    for (const config::NarrationFigure& f : l.figures) {
      for (const auto& [entity, column] : f.terms) cols.insert(column);
    }
  }
  const auto& known = store::schema_series_columns();
  for (const std::string& c : cols) {
    if (std::find(known.begin(), known.end(), c) != known.end()) v.columns.push_back(c);
  }
  if (v.columns.empty()) return v;
  std::map<int64_t, std::string> names;
  for (const store::EntityRecord& e : r.entities(run_id)) names[e.entity_id] = e.name;
  std::vector<std::string_view> views(v.columns.begin(), v.columns.end());
  r.for_each_series(run_id, views, [&](const store::SeriesRow& row) {
    v.rows[names[row.entity_id]][row.t_ns].assign(row.values.begin(), row.values.end());
  });
  return v;
}

std::string figure_text(double v, bool percent) {
  char buf[48];
  std::snprintf(buf, sizeof buf, percent ? "%.1f%%" : "%.4g", percent ? v * 100 : v);
  return buf;
}

}  // namespace

std::vector<NarrationMismatch> check_narration(const config::Scenario& s,
                                               const store::ResultsReader& r, int64_t run_id) {
  std::vector<NarrationMismatch> out;
  const Values v = read_values(s, r, run_id);
  std::vector<store::EventRecord> events;
  bool events_read = false;
  for (const config::NarrationLine& l : s.narration) {
    const double t = l.at.seconds();
    for (const config::NarrationFigure& f : l.figures) {
      NarrationMismatch m{t, f.quote, ""};
      if (!f.event_component.empty()) {
        if (!events_read) {
          events = r.events(run_id);
          events_read = true;
        }
        const double when = f.value >= 0 ? f.value : std::floor(t);
        bool found = false;
        for (const store::EventRecord& e : events) {
          found = found || (e.component == f.event_component &&
                            e.message.find(f.event_message) != std::string::npos &&
                            std::floor(e.t_s()) == when);
        }
        if (!found)
          m.what = "no " + f.event_component + " event '" + f.event_message + "' at " +
                   sim::format_clock(when);
      } else {
        double sum = 0;
        std::string terms;
        for (const auto& [entity, column] : f.terms) {
          const auto& known = store::schema_series_columns();
          if (std::find(known.begin(), known.end(), column) == known.end())
            m.what = "no series column '" + column + "' (results/schema.sql)";
          const std::size_t c = static_cast<std::size_t>(
              std::find(v.columns.begin(), v.columns.end(), column) - v.columns.begin());
          sum += v.at(entity, c, l.at.ns(), f.over_s, f.sum);
          terms += (terms.empty() ? "" : " + ") + entity + "." + column;
        }
        const double tol = f.relative ? f.tolerance * std::abs(f.value) : f.tolerance;
        if (m.what.empty() && (std::isnan(sum) || std::abs(sum - f.value) > tol + 1e-9))
          m.what = terms +
                   (f.over_s > 0 ? std::string(f.sum ? " (sum" : " (mean") + " of the last " +
                                       sim::format_clock(f.over_s) + ")"
                                 : "") +
                   " was " + (std::isnan(sum) ? "no data" : figure_text(sum, f.percent));
      }
      if (!m.what.empty()) out.push_back(std::move(m));
    }
  }
  return out;
}

std::string describe(const NarrationMismatch& m) {
  return "narration at " + sim::format_clock(m.t_s) + ": '" + m.quote +
         "' is not what the run shows: " + m.what;
}

}  // namespace engine
