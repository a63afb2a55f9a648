#include "engine/estimate.h"

#include "config/sections.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace engine {

using config::Scenario;

namespace {

std::string human(double v, const char* unit) {
  char buf[48];
  if (v >= 1e9)
    std::snprintf(buf, sizeof buf, "%.1f G%s", v / 1e9, unit);
  else if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1f M%s", v / 1e6, unit);
  else if (v >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1f k%s", v / 1e3, unit);
  else
    std::snprintf(buf, sizeof buf, "%.0f %s", v, unit);
  return buf;
}

}  // namespace

Estimate estimate(const Scenario& s) {
  Estimate e;
  const sim::SimTime end = s.duration;
  const double seconds = end.seconds();
  double peak_rate = 0;
  if (s.traffic_kind == config::TrafficKind::kClosed) {
    // Each user sends about one request per think time (plus the response time, ignored: an
    // upper bound), and up to `retries` more when requests fail.
    const double think = std::max(1e-3, s.closed.think_time.mean());
    const double retries = 1.0 + 0.1 * s.closed.client.retries;
    e.requests = s.closed.users.integral(sim::SimTime::zero(), end) / think * retries;
    peak_rate = s.closed.users.max_value() / think * retries;
    // A logged-in user: its 32-byte record, its pending event (a 64-byte slot and a queue
    // entry), its share of requests in flight, queued and tracked for time-outs: about 150 bytes
    // idle, 170 at a surge's peak (fitted from 25,000 to 5 million users: docs/performance.md).
    e.memory_bytes += s.closed.users.max_value() * 170.0;
  } else {
    e.requests = s.open.rate.integral(sim::SimTime::zero(), end);
    peak_rate = s.open.rate.max_value();
  }
  const double sites = static_cast<double>(s.sites.size());
  const double buckets = std::ceil(seconds / std::max(1e-9, s.metrics.bucket.seconds()));
  e.series_rows = buckets * (sites + 1);
  // About two kernel events per request (its arrival or think timer, its completion: measured
  // 2.0 on the demos), and per site and second a few for metrics, autoscalers, health checks.
  e.events = 2.2 * e.requests + 20.0 * sites * seconds;
  // Series rows with their response-time histograms (~250 bytes each, measured on the demos),
  // plus the event log and samples (~100 bytes per simulated second and site).
  e.results_bytes = e.series_rows * 250.0 + 100.0 * sites * seconds + 1e6;
  // Alive at once: the pods (about 2.15 KB each with their share of nodes, load index, metrics
  // pipeline and HPA snapshots, measured between 1,000 and 10,000 pods), requests in flight (a
  // tenth of a second of the peak rate, 128 bytes each), resolvers (24 bytes each), and a fixed
  // part (code, pools, one batch of result rows, the histograms: 9 MB measured on a one-pod run).
  // Within 30% of the measured peak on the scale benchmarks (tests/perf/scale.sh,
  // docs/performance.md); a run that queues for long holds more requests.
  double pods = 0;
  for (const config::SiteSpec& site : s.sites) pods += static_cast<double>(config::most_pods(site));
  double resolvers = 0;
  if (s.gslb.dns) {
    resolvers = static_cast<double>(s.gslb.dns_cfg.resolvers_per_region) *
                std::max<double>(1, static_cast<double>(s.topology.regions.size()));
  }
  e.memory_bytes += pods * 2150.0 + peak_rate * 0.1 * 128.0 + resolvers * 24.0 + 9e6;
  return e;
}

std::string over_limits(const Estimate& e, const Limits& limits) {
  std::string why;
  auto add = [&](const std::string& s) { why += (why.empty() ? "" : "; ") + s; };
  if (e.requests > limits.requests)
    add("about " + human(e.requests, "") + " requests (limit " + human(limits.requests, "") + ")");
  if (e.results_bytes > limits.results_bytes)
    add("a results file of about " + human(e.results_bytes, "B") + " (limit " +
        human(limits.results_bytes, "B") + "; a longer metrics.bucket makes it smaller)");
  if (e.memory_bytes > limits.memory_bytes)
    add("about " + human(e.memory_bytes, "B") + " of memory (limit " +
        human(limits.memory_bytes, "B") + ")");
  return why;
}

std::string describe(const Estimate& e) {
  return "~" + human(e.requests, "") + " requests, ~" + human(e.events, "") + " events, results ~" +
         human(e.results_bytes, "B") + ", memory ~" + human(e.memory_bytes, "B");
}

}  // namespace engine
