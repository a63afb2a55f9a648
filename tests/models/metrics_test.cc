#include <catch2/catch.hpp>

#include <cmath>

#include "models/metrics/log_histogram.h"
#include "models/metrics/metrics_collector.h"
#include "sim/memory_recorder.h"
#include "sim/rng.h"

using namespace models;
using sim::milliseconds;
using sim::seconds;

TEST_CASE("log histogram bins are contiguous and narrow") {
  for (int b = 0; b + 1 < LogHistogram::kBins; ++b) {
    CHECK(LogHistogram::bin_lo(b) + LogHistogram::bin_width(b) == LogHistogram::bin_lo(b + 1));
  }
  for (int64_t v : {int64_t{0}, int64_t{31}, int64_t{32}, int64_t{1000}, int64_t{123456789},
                    int64_t{1} << 40, (int64_t{1} << 62) + 12345}) {
    const int b = LogHistogram::bin_of(v);
    CHECK(LogHistogram::bin_lo(b) <= v);
    CHECK(v < LogHistogram::bin_lo(b) + LogHistogram::bin_width(b));
    CHECK(static_cast<double>(LogHistogram::bin_width(b)) <=
          std::max(1.0, static_cast<double>(v) / 32));
  }
}

TEST_CASE("histogram quantiles are within 2% of the exact ones") {
  sim::RngStream rng(5);
  LogHistogram h;
  std::vector<double> xs;
  for (int i = 0; i < 100000; ++i) {
    const double x = rng.exponential_mean(0.2) * 1e9;
    xs.push_back(x);
    h.add(static_cast<int64_t>(x));
  }
  std::sort(xs.begin(), xs.end());
  for (double q : {0.5, 0.95, 0.99}) {
    const double exact = xs[static_cast<std::size_t>(std::ceil(q * xs.size())) - 1];
    CHECK(h.quantile(q) == Approx(exact).epsilon(0.02));
  }
  LogHistogram other;
  other.add(5);
  h.merge(other);
  CHECK(h.total() == 100001);
  h.clear();
  CHECK(h.empty());
  CHECK(std::isnan(h.quantile(0.5)));
}

TEST_CASE("T-map bins cover 1 ms to 137 s at four bins per octave") {
  CHECK(TmapBins::kCount == 70);
  CHECK(TmapBins::of_fine(LogHistogram::bin_of(500'000)) == 0);           // 0.5 ms: below
  CHECK(TmapBins::of_fine(LogHistogram::bin_of(int64_t{1} << 20)) == 1);  // 1.05 ms
  CHECK(TmapBins::of_fine(LogHistogram::bin_of(int64_t{1} << 40)) == TmapBins::kCount - 1);
  for (int64_t ns :
       {int64_t{2'000'000}, int64_t{50'000'000}, int64_t{700'000'000}, int64_t{30'000'000'000}}) {
    const int b = TmapBins::of_fine(LogHistogram::bin_of(ns));
    CHECK(TmapBins::lo_seconds(b) <= ns * 1e-9);
    CHECK(ns * 1e-9 < TmapBins::hi_seconds(b));
  }
}

namespace {
struct StaticSite final : GaugeSource {
  std::string n = "a";
  SiteGauges g;
  const std::string& name() const override { return n; }
  SiteGauges gauges() override { return g; }
};
}  // namespace

TEST_CASE("the collector emits one row per entity per bucket with Apdex and failures") {
  sim::Simulator sim;
  sim::MemoryRecorder rec;
  StaticSite site;
  MetricsConfig cfg;
  cfg.bucket = seconds(10);
  cfg.apdex_t = milliseconds(100);
  MetricsCollector m(sim, cfg, rec, {&site});
  m.start();
  sim.schedule_at(seconds(1), [&] {
    for (int i = 0; i < 4; ++i) m.on_send(0, false, false);
    m.on_send(kNoSite, false, false);
    m.on_response(0, milliseconds(50), sim.now());   // satisfied
    m.on_response(0, milliseconds(300), sim.now());  // tolerating (<= 400 ms)
    m.on_response(0, milliseconds(900), sim.now());  // frustrated
    m.on_failure(0, FailureCause::kRejected, sim.now());
    m.on_failure(kNoSite, FailureCause::kNoHealthySite, sim.now());
    site.g.inflight_area = 5e9;  // 0.5 requests on average over the 10 s bucket
  });
  sim.run_until(seconds(15));
  m.finish();
  const auto rows = rec.rows("site", "a");
  REQUIRE(rows.size() == 2);  // [0,10) and the final [10,15)
  const auto& r = *rows[0];
  CHECK(r.get("arrivals") == 4);
  CHECK(r.get("completions") == 3);
  CHECK(r.get("failed") == 1);
  CHECK(r.get("failed_rejected") == 1);
  CHECK(r.get("apdex") == Approx((1 + 0.5) / 4.0));
  CHECK(r.get("share") == Approx(4.0 / 5.0));
  CHECK(r.get("inflight_avg") == Approx(0.5));
  CHECK(r.get("rt_mean_s") == Approx((0.05 + 0.3 + 0.9) / 3));
  CHECK(rows[1]->get("dt_s") == 5);
  CHECK(std::isnan(rows[1]->get("rt_p95_s")));
  const auto all = rec.rows("overall", "all");
  REQUIRE(all.size() == 2);
  CHECK(all[0]->get("arrivals") == 5);
  CHECK(all[0]->get("failed_no_site") == 1);
  CHECK(all[0]->get("apdex") == Approx(1.5 / 5.0));
  const RunSummary s = m.summary();
  CHECK(s.overall.requests == 5);
  CHECK(s.overall.failed == 2);
  CHECK(s.overall.error_rate == Approx(2.0 / 5.0));
  CHECK(s.sites[0].completed == 3);
  CHECK(s.measured_s == 15);
}

TEST_CASE("the summary skips buckets before the warm-up") {
  sim::Simulator sim;
  sim::MemoryRecorder rec;
  StaticSite site;
  MetricsConfig cfg;
  cfg.bucket = seconds(10);
  cfg.warmup = seconds(10);
  MetricsCollector m(sim, cfg, rec, {&site});
  m.start();
  sim.schedule_at(seconds(5), [&] { m.on_response(0, milliseconds(10), sim.now()); });
  sim.schedule_at(seconds(15), [&] {
    m.on_response(0, milliseconds(20), sim.now());
    m.on_response(0, milliseconds(20), sim.now());
  });
  sim.run_until(seconds(20));
  m.finish();
  const RunSummary s = m.summary();
  CHECK(s.sites[0].completed == 2);
  CHECK(s.measured_s == 10);
  CHECK(s.sites[0].rt_mean_s == Approx(0.02));
}

TEST_CASE("the summary judges the requests it counts: outcomes of warm-up requests stay out") {
  sim::Simulator sim;
  sim::MemoryRecorder rec;
  StaticSite site;
  MetricsConfig cfg;
  cfg.bucket = seconds(10);
  cfg.warmup = seconds(7);  // the first measured bucket starts at 10 s
  MetricsCollector m(sim, cfg, rec, {&site});
  m.start();
  sim.schedule_at(seconds(8), [&] {
    for (int i = 0; i < 3; ++i) m.on_send(0, false, false);
  });
  sim.schedule_at(seconds(12), [&] {  // sent at 8 s, in the warm-up
    m.on_response(0, seconds(4), seconds(8));
    m.on_response(0, seconds(4), seconds(8));
    m.on_failure(0, FailureCause::kTimeout, seconds(8));
  });
  sim.schedule_at(seconds(13), [&] { m.on_send(0, false, false); });
  sim.schedule_at(seconds(14), [&] { m.on_response(0, milliseconds(30), seconds(13)); });
  sim.schedule_at(seconds(10), [&] { m.on_send(0, false, false); });  // at the boundary: measured
  sim.schedule_at(seconds(10), [&] { m.on_failure(0, FailureCause::kRejected, seconds(10)); });
  sim.run_until(seconds(20));
  m.finish();
  // The bucket's series counts every outcome in it.
  const auto rows = rec.rows("site", "a");
  REQUIRE(rows.size() == 2);
  CHECK(rows[1]->get("completions") == 3);
  CHECK(rows[1]->get("failed") == 2);
  // The summary counts the requests sent after the warm-up, and judges exactly those.
  const RunSummary s = m.summary();
  CHECK(s.sites[0].requests == 2);
  CHECK(s.sites[0].completed == 1);
  CHECK(s.sites[0].failed == 1);
  CHECK(s.sites[0].failed_by[static_cast<std::size_t>(FailureCause::kTimeout)] == 0);
  CHECK(s.sites[0].rt_p99_s == Approx(0.03).epsilon(0.05));
  CHECK(s.overall.completed + s.overall.failed <= s.overall.requests);
}
