#include "report/backtest.h"

#include <cmath>

namespace report {

namespace {

// The deployment's desired replicas over the run: (seconds, replicas) at t = 0 and each change.
std::vector<std::pair<double, double>> desired_steps(const std::vector<store::EventRecord>& events,
                                                     const std::string& site) {
  std::vector<std::pair<double, double>> out;
  const std::string component = "site/" + site;
  for (const store::EventRecord& e : events) {
    if (e.component != component || e.kind != "deployment") continue;
    if (e.details.has("to"))
      out.emplace_back(e.t_s(), e.details["to"].number());
    else if (e.details.has("replicas") && out.empty())
      out.emplace_back(e.t_s(), e.details["replicas"].number());
  }
  return out;
}

double value_at(const std::vector<std::pair<double, double>>& steps, double t) {
  double v = steps.empty() ? 0 : steps.front().second;
  for (const auto& [at, x] : steps) {
    if (at > t + 1e-9) break;
    v = x;
  }
  return v;
}

void compare_replicas(const std::vector<store::SampleRecord>& observed,
                      const std::vector<std::pair<double, double>>& steps, SiteBacktest* b) {
  double abs_sum = 0, sum = 0;
  for (std::size_t k = 0; k < observed.size(); ++k) {
    const double t = static_cast<double>(observed[k].t_ns) * 1e-9;
    const double sim = value_at(steps, t);
    b->observed_replicas.emplace_back(t, observed[k].value);
    abs_sum += std::abs(sim - observed[k].value);
    sum += sim - observed[k].value;
    if (!b->observed_first_up_s && k > 0 && observed[k].value > observed[k - 1].value)
      b->observed_first_up_s = t;
  }
  b->replica_points = static_cast<int>(observed.size());
  if (!observed.empty()) {
    b->replicas_mae = abs_sum / static_cast<double>(observed.size());
    b->replicas_bias = sum / static_cast<double>(observed.size());
  }
  for (const store::SampleRecord& o : observed) {
    if (!b->observed_peak_s || o.value > b->observed_peak) {
      b->observed_peak = o.value;
      b->observed_peak_s = static_cast<double>(o.t_ns) * 1e-9;
    }
  }
  for (const auto& [t, v] : steps) {
    if (b->observed_peak_s && v >= b->observed_peak) {
      b->simulated_peak_s = t;
      break;
    }
  }
  b->simulated_replicas = steps;
  for (std::size_t i = 1; i < steps.size(); ++i) {
    if (steps[i].second > steps[i - 1].second) {
      b->simulated_first_up_s = steps[i].first;
      break;
    }
  }
}

void compare_cpu(const store::ResultsReader& reader, int64_t run_id, int64_t entity,
                 const std::vector<store::SampleRecord>& observed, SiteBacktest* b) {
  std::vector<std::pair<double, double>> buckets;  // (start s, utilisation)
  const std::string_view columns[] = {"cpu_util"};
  reader.for_each_series(run_id, columns, [&](const store::SeriesRow& r) {
    if (r.entity_id == entity && !std::isnan(r.values[0]))
      buckets.emplace_back(static_cast<double>(r.t_ns) * 1e-9, r.values[0]);
  });
  b->simulated_cpu = buckets;
  double abs_sum = 0, sum = 0;
  for (std::size_t k = 0; k < observed.size(); ++k) {
    const double t = static_cast<double>(observed[k].t_ns) * 1e-9;
    const double from = k > 0 ? static_cast<double>(observed[k - 1].t_ns) * 1e-9 : t;
    double total = 0;
    int n = 0;
    for (const auto& [start, u] : buckets) {
      const bool inside = k > 0 ? start >= from - 1e-9 && start < t - 1e-9
                                : start <= t + 1e-9;  // the first point: the bucket holding it
      if (k == 0 && inside) {
        total = u;
        n = 1;
      } else if (inside) {
        total += u;
        ++n;
      }
    }
    b->observed_cpu.emplace_back(t, observed[k].value);
    if (n == 0) continue;
    const double sim = total / n;
    abs_sum += std::abs(sim - observed[k].value);
    sum += sim - observed[k].value;
    ++b->cpu_points;
  }
  if (b->cpu_points > 0) {
    b->cpu_mae_pp = 100 * abs_sum / b->cpu_points;
    b->cpu_bias_pp = 100 * sum / b->cpu_points;
  }
}

}  // namespace

std::vector<SiteBacktest> backtest(const store::ResultsReader& reader, int64_t run_id) {
  std::vector<SiteBacktest> out;
  std::optional<std::vector<store::EventRecord>> events;
  for (const store::EntityRecord& e : reader.entities(run_id)) {
    if (e.kind != "site") continue;
    const std::string component = "observed/" + e.name;
    const auto replicas = reader.samples(run_id, component, "replicas");
    const auto cpu = reader.samples(run_id, component, "cpu_util");
    if (replicas.empty() && cpu.empty()) continue;
    SiteBacktest b;
    b.site = e.name;
    if (!replicas.empty()) {
      if (!events) events = reader.events(run_id);
      compare_replicas(replicas, desired_steps(*events, e.name), &b);
      // The chart's simulated line runs to the end of the run.
      if (const auto run = reader.run(run_id); run && !b.simulated_replicas.empty())
        b.simulated_replicas.emplace_back(run->simulated_s(), b.simulated_replicas.back().second);
    }
    if (!cpu.empty()) compare_cpu(reader, run_id, e.entity_id, cpu, &b);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace report
