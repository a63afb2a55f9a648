#include "models/autoscaling/metrics_pipeline.h"

#include <cmath>

namespace models {

bool is_pod_metric(const std::string& name) {
  return name == "requests_per_second" || name == "concurrency";
}

bool is_workload_metric(const std::string& name) {
  return name == "requests_per_second" || name == "queue_length" || name == "inflight";
}

MetricsPipeline::MetricsPipeline(sim::Simulator& sim, const MetricsPipelineConfig& cfg,
                                 ScalableTarget& target)
    : sim_(sim), cfg_(cfg), target_(target) {}

void MetricsPipeline::start() {
  struct Resources {
    MetricsPipeline* self;
    void operator()() const {
      self->read_resources();
      self->sim_.schedule_in(self->cfg_.resolution, *this);
    }
  };
  struct Custom {
    MetricsPipeline* self;
    void operator()() const {
      self->scrape_custom();
      self->sim_.schedule_in(self->cfg_.custom_interval, *this);
    }
  };
  // The cluster was running before t = 0: a baseline reading now makes the first scheduled
  // reading a sample. Readings happen before autoscalers that sync at the same instant (a
  // sample taken "now" is visible to a sync "now").
  read_resources();
  sim_.schedule_in(cfg_.phase, Resources{this}, sim::Simulator::kPriorityFirst + 1);
  sim_.schedule_in(cfg_.phase, Custom{this}, sim::Simulator::kPriorityFirst + 1);
}

const hpa::PodMetrics& MetricsPipeline::pod_metric(const std::string& name) const {
  if (name == "requests_per_second") return rps_;
  if (name == "concurrency") return concurrency_;
  return none_;
}

std::optional<int64_t> MetricsPipeline::workload_metric(const std::string& name) const {
  if (name == "requests_per_second") return site_rps_;
  if (name == "queue_length") return queue_length_;
  if (name == "inflight") return inflight_;
  return std::nullopt;
}

std::optional<double> MetricsPipeline::pod_mean(const std::string& name) const {
  const hpa::PodMetrics& m = name == "cpu" ? cpu_ : name == "memory" ? memory_ : pod_metric(name);
  if (m.empty()) return std::nullopt;
  double sum = 0;
  int n = 0;
  for (const auto& [pod, sample] : m) {
    double v = static_cast<double>(sample.value_milli) / 1000.0;
    if (name == "cpu") {
      const auto req = last_reading_.find(pod);
      if (req == last_reading_.end() || req->second.cpu_request_milli <= 0) continue;
      v = static_cast<double>(sample.value_milli) / req->second.cpu_request_milli;
    }
    sum += v;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

void MetricsPipeline::read_resources() {
  const sim::SimTime now = sim_.now();
  const std::vector<PodSnapshot>& pods = target_.pods_now();
  // Updated in place, not rebuilt beside the old maps: at ten thousand pods each map is a
  // megabyte, and a second copy of each during the reading would be the run's peak.
  cpu_.clear();
  memory_.clear();
  const uint64_t round = ++reading_round_;
  for (const PodSnapshot& p : pods) {
    if (!p.running) continue;
    memory_[p.name] = {static_cast<int64_t>(std::llround(p.memory_bytes * 1000.0)), now,
                       sim::SimTime::zero()};
    const auto [it, first] = last_reading_.try_emplace(p.name);
    Reading& r = it->second;
    if (!first && now > r.t) {  // the first reading is the baseline
      const double window_ns = static_cast<double>((now - r.t).ns());
      const double cores = (p.cpu_used_core_ns - r.cpu) / window_ns;
      cpu_[p.name] = {static_cast<int64_t>(std::llround(cores * 1000.0)), now, now - r.t};
    }
    r = {now, p.cpu_used_core_ns, p.cpu_request * 1000.0, round};
  }
  // Pods not running any more: their readings go.
  std::erase_if(last_reading_, [round](const auto& kv) { return kv.second.round != round; });
}

void MetricsPipeline::scrape_custom() {
  const sim::SimTime now = sim_.now();
  const std::vector<PodSnapshot>& pods = target_.pods_now();
  // In place, as read_resources.
  rps_.clear();
  concurrency_.clear();
  const uint64_t round = ++scrape_round_;
  for (const PodSnapshot& p : pods) {
    if (!p.running) continue;
    History& h = scrapes_[p.name];
    h.round = round;
    std::vector<Scrape>& hist = h.scrapes;
    hist.push_back({now, static_cast<double>(p.completed), p.load_area});
    // A window holds a few scrapes: a vector's front erase is cheaper than a deque's 512-byte
    // block per pod (5 MB at 10,000 pods).
    std::size_t drop = 0;
    while (hist.size() - drop > 1 && now - hist[drop + 1].t >= cfg_.custom_window) ++drop;
    hist.erase(hist.begin(), hist.begin() + static_cast<std::ptrdiff_t>(drop));
    if (hist.size() >= 2) {
      const Scrape& a = hist.front();
      const Scrape& b = hist.back();
      const double dt_s = (b.t - a.t).seconds();
      rps_[p.name] = {
          static_cast<int64_t>(std::llround((b.completed - a.completed) / dt_s * 1000.0)), now,
          b.t - a.t};
      concurrency_[p.name] = {
          static_cast<int64_t>(std::llround((b.load_area - a.load_area) / (dt_s * 1e9) * 1000.0)),
          now, b.t - a.t};
    }
  }
  std::erase_if(scrapes_, [round](const auto& kv) { return kv.second.round != round; });

  const WorkloadSignals s = target_.signals();
  arrivals_.push_back({now, s.arrivals});
  while (arrivals_.size() > 1 && now - arrivals_[1].first >= cfg_.custom_window)
    arrivals_.pop_front();
  if (arrivals_.size() >= 2) {
    const double dt = (arrivals_.back().first - arrivals_.front().first).seconds();
    const double rate =
        static_cast<double>(arrivals_.back().second - arrivals_.front().second) / dt;
    site_rps_ = static_cast<int64_t>(std::llround(rate * 1000.0));
    rate_history_.push_back({now, rate});
    if (rate_history_.size() > 2048) rate_history_.pop_front();
  }
  queue_length_ = static_cast<int64_t>(s.queued) * 1000;
  inflight_ = static_cast<int64_t>(s.inflight) * 1000;
}

}  // namespace models
