#include "models/metrics/metrics_collector.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/assert.h"

namespace models {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
double ratio(double num, double den) { return den > 0 ? num / den : kNaN; }
}  // namespace

void MetricsCollector::Acc::add(const Acc& o) {
  arrivals += o.arrivals;
  completions += o.completions;
  satisfied += o.satisfied;
  tolerating += o.tolerating;
  dns_stale += o.dns_stale;
  retries += o.retries;
  slow += o.slow;
  for (std::size_t i = 0; i < failed.size(); ++i) failed[i] += o.failed[i];
  rt_sum_ns += o.rt_sum_ns;
  hist.merge(o.hist);
}

void MetricsCollector::Acc::subtract(const Acc& o) {
  arrivals -= o.arrivals;
  completions -= o.completions;
  satisfied -= o.satisfied;
  tolerating -= o.tolerating;
  dns_stale -= o.dns_stale;
  retries -= o.retries;
  slow -= o.slow;
  for (std::size_t c = 0; c < failed.size(); ++c) failed[c] -= o.failed[c];
  rt_sum_ns -= o.rt_sum_ns;
  hist.subtract(o.hist);
}

void MetricsCollector::Acc::clear() {
  arrivals = completions = satisfied = tolerating = dns_stale = slow = retries = 0;
  failed.fill(0);
  rt_sum_ns = 0;
  hist.clear();
}

uint64_t MetricsCollector::Acc::failed_total() const {
  uint64_t n = 0;
  for (uint64_t f : failed) n += f;
  return n;
}

MetricsCollector::MetricsCollector(sim::Simulator& sim, const MetricsConfig& cfg,
                                   sim::Recorder& rec, std::vector<GaugeSource*> sites)
    : sim_(sim),
      cfg_(cfg),
      apdex_4t_(cfg.apdex_t * 4),
      rec_(rec),
      sites_(std::move(sites)),
      acc_(sites_.size() + 1),
      early_(sites_.size() + 1),
      last_gauges_(sites_.size()),
      totals_(sites_.size() + 1) {
  SIM_ASSERT(cfg_.bucket > sim::SimTime::zero(), "metrics bucket must be positive");
}

void MetricsCollector::start() {
  bucket_start_ = sim_.now();
  started_ = sim_.now();
  // Buckets start at started_ + k * bucket; the first one that starts at or after the warm-up
  // is the first measured (flush() runs before other events at a bucket boundary).
  const int64_t b = cfg_.bucket.ns();
  const int64_t w = (cfg_.warmup - started_).ns();
  measure_from_ = started_ + sim::SimTime::from_ns(w <= 0 ? 0 : (w + b - 1) / b * b);
  for (std::size_t i = 0; i < sites_.size(); ++i) last_gauges_[i] = sites_[i]->gauges();
  struct Tick {
    MetricsCollector* self;
    void operator()() const {
      self->flush();
      self->sim_.schedule_in(self->cfg_.bucket, *this, sim::Simulator::kPriorityFirst);
    }
  };
  sim_.schedule_in(cfg_.bucket, Tick{this}, sim::Simulator::kPriorityFirst);
}

void MetricsCollector::finish() {
  SIM_ASSERT(!finished_, "finish() called twice");
  finished_ = true;
  if (sim_.now() > bucket_start_) flush();
}

void MetricsCollector::emit(std::string_view table, std::string_view entity, const Acc& a,
                            sim::SimTime dt, const SiteGauges& g, const SiteGauges& before,
                            uint64_t all_arrivals, int site, double cost) {
  const double n = static_cast<double>(a.completions);
  const uint64_t failed = a.failed_total();
  const double judged = static_cast<double>(a.completions + failed);
  const bool any = a.completions > 0;
  const double dt_ns = static_cast<double>(dt.ns());
  static constexpr std::array<double, 3> kQ{0.50, 0.95, 0.99};
  std::array<double, 3> q{};
  a.hist.quantiles(kQ, q);
  const bool db = g.has_db;
  const std::array<sim::Field, 42> fields{{
      {"dt_s", dt.seconds()},
      {"arrivals", static_cast<double>(a.arrivals)},
      {"completions", n},
      {"failed", static_cast<double>(failed)},
      {"failed_rejected", static_cast<double>(a.failed[0])},
      {"failed_timeout", static_cast<double>(a.failed[1])},
      {"failed_site_down", static_cast<double>(a.failed[2])},
      {"failed_unreachable", static_cast<double>(a.failed[3])},
      {"failed_no_site", static_cast<double>(a.failed[4])},
      {"failed_unavailable", static_cast<double>(a.failed[5])},
      {"failed_aborted", static_cast<double>(a.failed[6])},
      {"failed_refused", static_cast<double>(a.failed[7])},
      {"failed_no_primary", static_cast<double>(a.failed[8])},
      {"failed_pool_timeout", static_cast<double>(a.failed[9])},
      {"failed_db_down", static_cast<double>(a.failed[10])},
      {"rt_mean_s", any ? a.rt_sum_ns / n * 1e-9 : kNaN},
      {"rt_p50_s", q[0] * 1e-9},
      {"rt_p95_s", q[1] * 1e-9},
      {"rt_p99_s", q[2] * 1e-9},
      {"rt_max_s", a.hist.max_bound() * 1e-9},
      {"apdex",
       ratio(static_cast<double>(a.satisfied) + 0.5 * static_cast<double>(a.tolerating), judged)},
      {"apdex_satisfied", static_cast<double>(a.satisfied)},
      {"apdex_tolerating", static_cast<double>(a.tolerating)},
      {"inflight", static_cast<double>(g.inflight)},
      {"inflight_avg", ratio(g.inflight_area - before.inflight_area, dt_ns)},
      {"cpu_util", ratio(g.cpu_used - before.cpu_used, g.cpu_capacity - before.cpu_capacity)},
      {"replicas_desired", static_cast<double>(g.replicas_desired)},
      {"replicas_ready", static_cast<double>(g.replicas_ready)},
      {"replicas_starting", static_cast<double>(g.replicas_starting)},
      {"replicas_unready", static_cast<double>(g.replicas_unready)},
      {"replicas_pending", static_cast<double>(g.replicas_pending)},
      {"nodes", static_cast<double>(g.nodes)},
      {"share", site >= 0 && staging(static_cast<std::size_t>(site))
                    ? kNaN
                    : ratio(static_cast<double>(a.arrivals), static_cast<double>(all_arrivals))},
      {"pod_seconds", (g.pod_time - before.pod_time) * 1e-9},
      {"dns_stale", static_cast<double>(a.dns_stale)},
      {"retries", static_cast<double>(a.retries)},
      {"active_users", users_ != nullptr ? static_cast<double>(users_->active_users(site)) : kNaN},
      {"cost", cost},
      {"db_util", db && site != kNoSite
                      ? ratio(g.db_busy - before.db_busy, g.db_capacity - before.db_capacity)
                      : kNaN},
      {"db_connections", db ? static_cast<double>(g.db_in_use) : kNaN},
      {"db_waiting", db ? static_cast<double>(g.db_waiting) : kNaN},
      {"db_query_s",
       db ? ratio(g.db_query_ns - before.db_query_ns, g.db_queries - before.db_queries) * 1e-9
          : kNaN},
  }};
  static_assert(kFailureCauseCount == 11, "update the failed_<cause> fields");
  rec_.series(table, entity, bucket_start_, fields);
  if (any) {
    std::array<uint32_t, TmapBins::kCount> tmap{};
    TmapBins::fold(a.hist, tmap);
    rec_.histogram(table, entity, bucket_start_, tmap);
  }
}

double MetricsCollector::site_cost(std::size_t i, const SiteGauges& g) const {
  if (i >= rates_.size()) return kNaN;
  std::vector<double> node_s(g.group_node_time.size());
  for (std::size_t k = 0; k < node_s.size(); ++k) node_s[k] = g.group_node_time[k] * 1e-9;
  return rates_[i].cost((sim_.now() - started_).seconds(), g.pod_time * 1e-9, node_s);
}

void MetricsCollector::flush() {
  const sim::SimTime now = sim_.now();
  const sim::SimTime dt = now - bucket_start_;
  const bool measured = bucket_start_ >= cfg_.warmup;
  const bool warmup_ends = bucket_start_ < cfg_.warmup && now >= cfg_.warmup;
  uint64_t all_arrivals = acc_.back().arrivals;  // the users' requests
  for (std::size_t i = 0; i < sites_.size(); ++i) all_arrivals += staging(i) ? 0 : acc_[i].arrivals;

  overall_.clear();
  SiteGauges sum_now, sum_before;
  Totals& overall_totals = totals_.back();
  double cost_all = rates_.empty() ? kNaN : 0.0;
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const SiteGauges g = sites_[i]->gauges();
    const SiteGauges& before = last_gauges_[i];
    const double cost = site_cost(i, g);
    emit("site", sites_[i]->name(), acc_[i], dt, g, before, all_arrivals, static_cast<int>(i),
         cost);
    cost_all += cost;
    sum_now.inflight += g.inflight;
    sum_now.inflight_area += g.inflight_area;
    sum_now.cpu_used += g.cpu_used;
    sum_now.cpu_capacity += g.cpu_capacity;
    sum_now.pod_time += g.pod_time;
    sum_now.node_time += g.node_time;
    sum_now.replicas_desired += g.replicas_desired;
    sum_now.replicas_ready += g.replicas_ready;
    sum_now.replicas_starting += g.replicas_starting;
    sum_now.replicas_unready += g.replicas_unready;
    sum_now.replicas_pending += g.replicas_pending;
    sum_now.nodes += g.nodes;
    sum_now.has_db = sum_now.has_db || g.has_db;
    sum_now.db_in_use += g.db_in_use;
    sum_now.db_waiting += g.db_waiting;
    sum_now.db_query_ns += g.db_query_ns;
    sum_now.db_queries += g.db_queries;
    sum_before.db_query_ns += before.db_query_ns;
    sum_before.db_queries += before.db_queries;
    sum_before.inflight_area += before.inflight_area;
    sum_before.cpu_used += before.cpu_used;
    sum_before.cpu_capacity += before.cpu_capacity;
    sum_before.pod_time += before.pod_time;
    if (!staging(i)) overall_.add(acc_[i]);
    for (const auto& [site, l] : site_listeners_) {
      if (static_cast<std::size_t>(site) != i) continue;
      const Acc& a = acc_[i];
      l->on_site_bucket(bucket_start_, now,
                        {a.completions, a.failed_total(), a.satisfied, a.tolerating, &a.hist});
    }

    Totals& t = totals_[i];
    t.max_replicas = std::max(t.max_replicas, g.replicas_desired);
    t.peak_ready = std::max(t.peak_ready, g.replicas_ready);
    t.peak_nodes = std::max(t.peak_nodes, g.nodes);
    t.pod_seconds = g.pod_time * 1e-9;
    t.node_seconds = g.node_time * 1e-9;
    t.cost = cost;
    if (warmup_ends) t.cost_at_warmup = cost;
    if (measured) {
      t.acc.add(acc_[i]);
      t.inflight_area += g.inflight_area - before.inflight_area;
      t.cpu_used += g.cpu_used - before.cpu_used;
      t.cpu_capacity += g.cpu_capacity - before.cpu_capacity;
    }
    last_gauges_[i] = g;
    acc_[i].clear();
  }
  overall_.add(acc_.back());
  emit("overall", "all", overall_, dt, sum_now, sum_before, all_arrivals, kNoSite, cost_all);
  overall_totals.max_replicas = std::max(overall_totals.max_replicas, sum_now.replicas_desired);
  overall_totals.peak_ready = std::max(overall_totals.peak_ready, sum_now.replicas_ready);
  overall_totals.peak_nodes = std::max(overall_totals.peak_nodes, sum_now.nodes);
  overall_totals.pod_seconds = sum_now.pod_time * 1e-9;
  overall_totals.node_seconds = sum_now.node_time * 1e-9;
  overall_totals.cost = cost_all;
  if (warmup_ends) overall_totals.cost_at_warmup = cost_all;
  if (measured) {
    overall_totals.acc.add(overall_);
    overall_totals.inflight_area += sum_now.inflight_area - sum_before.inflight_area;
    overall_totals.cpu_used += sum_now.cpu_used - sum_before.cpu_used;
    overall_totals.cpu_capacity += sum_now.cpu_capacity - sum_before.cpu_capacity;
    measured_ += dt;
  }
  const UserCounts users = users_ != nullptr ? users_->user_counts() : UserCounts{};
  if (warmup_ends) users_from_ = users;
  if (measured) paused_peak_ = std::max(paused_peak_, users.paused);
  if (bucket_listener_ != nullptr) {
    bucket_listener_->on_bucket(bucket_start_, now, overall_.completions, overall_.failed_total(),
                                overall_.slow, users.paused);
  }
  acc_.back().clear();
  bucket_start_ = now;
}

EntitySummary MetricsCollector::summarize(const std::string& name, const Totals& t,
                                          double measured_s) {
  const Acc& a = t.acc;
  EntitySummary s;
  s.name = name;
  s.requests = a.arrivals;
  s.completed = a.completions;
  s.failed_by = a.failed;
  s.failed = a.failed_total();
  const double judged = static_cast<double>(s.completed + s.failed);
  s.error_rate = judged > 0 ? static_cast<double>(s.failed) / judged : 0.0;
  s.apdex =
      ratio(static_cast<double>(a.satisfied) + 0.5 * static_cast<double>(a.tolerating), judged);
  const double n = static_cast<double>(a.completions);
  s.rt_mean_s = n > 0 ? a.rt_sum_ns / n * 1e-9 : kNaN;
  s.rt_p50_s = a.hist.quantile(0.50) * 1e-9;
  s.rt_p95_s = a.hist.quantile(0.95) * 1e-9;
  s.rt_p99_s = a.hist.quantile(0.99) * 1e-9;
  s.rt_max_s = a.hist.max_bound() * 1e-9;
  s.throughput_rps = ratio(n, measured_s);
  s.inflight_mean = ratio(t.inflight_area * 1e-9, measured_s);
  s.cpu_util = ratio(t.cpu_used, t.cpu_capacity);
  s.max_replicas = t.max_replicas;
  s.peak_ready = t.peak_ready;
  s.peak_nodes = t.peak_nodes;
  s.pod_seconds = t.pod_seconds;
  s.node_seconds = t.node_seconds;
  s.dns_stale = a.dns_stale;
  s.cost = t.cost;
  s.cost_per_1k = ratio((t.cost - t.cost_at_warmup) * 1000.0, n);
  return s;
}

RunSummary MetricsCollector::summary() const {
  RunSummary r;
  r.measured_s = measured_.seconds();
  r.run_s = (bucket_start_ - started_).seconds();
  Totals overall = totals_.back();
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    Totals t = totals_[i];
    t.acc.subtract(early_[i]);
    if (!staging(i)) overall.acc.subtract(early_[i]);
    r.sites.push_back(summarize(sites_[i]->name(), t, r.measured_s));
    r.sites.back().staging = staging(i);
  }
  overall.acc.subtract(early_.back());
  r.overall = summarize("all", overall, r.measured_s);
  if (users_ != nullptr) {
    const UserCounts now = users_->user_counts();
    UserSummary u;
    u.interactions_ok = now.interactions_ok - users_from_.interactions_ok;
    u.interactions_failed = now.interactions_failed - users_from_.interactions_failed;
    u.abandonments = now.abandonments - users_from_.abandonments;
    u.abandoned_peak = paused_peak_;
    u.abandoned_user_minutes = (now.paused_user_seconds - users_from_.paused_user_seconds) / 60;
    r.users = u;
  }
  return r;
}

}  // namespace models
