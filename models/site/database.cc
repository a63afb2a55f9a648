#include "models/site/database.h"

#include <algorithm>

#include "sim/assert.h"

namespace models {

Database::Database(sim::Simulator& sim, const DatabaseConfig& cfg, sim::Recorder& rec)
    : sim_(sim), cfg_(cfg), rec_(rec), started_(sim.now()) {
  SIM_ASSERT(cfg_.cores > 0 && cfg_.max_connections >= 0 && cfg_.read_replicas >= 0,
             "invalid database config");
  servers_.resize(static_cast<std::size_t>(1 + cfg_.read_replicas));
  for (Server& s : servers_) s.last = sim.now();
}

int Database::open_connections(int want) {
  const int got = std::max(0, std::min(want, connection_limit() - open_));
  open_ += got;
  peak_open_ = std::max(peak_open_, open_);
  return got;
}

void Database::close_connections(int n) {
  open_ -= n;
  SIM_ASSERT(open_ >= 0, "closing connections that were not open");
  if (n <= 0) return;
  for (const auto& cb : on_freed_) cb();
}

double Database::rate(const Server& s) const {
  const double n = static_cast<double>(s.jobs.size());
  return n <= cores() ? 1.0 : cores() / n;
}

void Database::advance(Server& s) {
  const sim::SimTime now = sim_.now();
  if (!s.jobs.empty() && now > s.last) {
    const double dt = static_cast<double>((now - s.last).ns());
    s.vtime += dt * rate(s);
    s.busy_ns += dt * std::min(static_cast<double>(s.jobs.size()), cores());
  }
  s.last = now;
}

void Database::reschedule(std::size_t k) {
  Server& s = servers_[k];
  if (s.jobs.empty()) {
    s.vtime = 0;
    if (s.completion) sim_.cancel(s.completion);
    s.completion = {};
    return;
  }
  const double dt = std::max(0.0, s.jobs.front().tag - s.vtime) / rate(s);
  int64_t dt_ns = static_cast<int64_t>(dt);
  if (static_cast<double>(dt_ns) < dt) ++dt_ns;
  const sim::SimTime at = sim_.now() + sim::nanoseconds(dt_ns);
  if (!sim_.reschedule(s.completion, at))
    s.completion = sim_.schedule_at(at, [this, k] { on_completion(k); });
}

void Database::query(RequestId id, uint32_t token, double demand_ns, bool write,
                     QueryClient* client) {
  if (down_) {
    sim_.schedule_in(sim::SimTime::zero(),
                     [client, id, token] { client->on_query_failed(id, token); });
    return;
  }
  std::size_t k = 0;
  if (!write && servers_.size() > 1) {  // the least busy replica
    k = 1;
    for (std::size_t r = 2; r < servers_.size(); ++r) {
      if (servers_[r].jobs.size() < servers_[k].jobs.size()) k = r;
    }
  }
  Server& s = servers_[k];
  advance(s);
  const double demand = cfg_.tps > 0 ? 1e9 / cfg_.tps : demand_ns;
  s.jobs.push_back({s.vtime + demand, id, token, client});
  std::push_heap(s.jobs.begin(), s.jobs.end(), later);
  reschedule(k);
}

void Database::cancel(RequestId id) {
  for (std::size_t k = 0; k < servers_.size(); ++k) {
    Server& s = servers_[k];
    const auto it =
        std::find_if(s.jobs.begin(), s.jobs.end(), [&](const Job& j) { return j.id == id; });
    if (it == s.jobs.end()) continue;
    advance(s);
    s.jobs.erase(it);
    std::make_heap(s.jobs.begin(), s.jobs.end(), later);
    reschedule(k);
    return;
  }
}

void Database::on_completion(std::size_t k) {
  Server& s = servers_[k];
  s.completion = {};
  advance(s);
  std::pop_heap(s.jobs.begin(), s.jobs.end(), later);
  const Job done = s.jobs.back();
  s.jobs.pop_back();
  reschedule(k);
  done.client->on_query_done(done.id);
}

void Database::set_down(bool down) {
  if (down == down_) return;
  down_ = down;
  rec_.event(
      sim_.now(), "db/" + cfg_.name, "database",
      down ? "database " + cfg_.name + " down with its site" : "database " + cfg_.name + " back",
      sim::EventDetails().add("database", cfg_.name).add("down", down));
  if (!down) return;
  for (std::size_t k = 0; k < servers_.size(); ++k) {
    Server& s = servers_[k];
    advance(s);
    std::vector<Job> lost;
    lost.swap(s.jobs);
    reschedule(k);
    for (const Job& j : lost) {
      QueryClient* client = j.client;
      const RequestId id = j.id;
      const uint32_t token = j.token;
      sim_.schedule_in(sim::SimTime::zero(),
                       [client, id, token] { client->on_query_failed(id, token); });
    }
  }
}

double Database::busy_ns() {
  double b = 0;
  for (Server& s : servers_) {
    advance(s);
    b += s.busy_ns;
  }
  return b;
}

double Database::capacity_ns() {
  return static_cast<double>((sim_.now() - started_).ns()) * cores() *
         static_cast<double>(servers_.size());
}

int Database::active() const {
  int n = 0;
  for (const Server& s : servers_) n += static_cast<int>(s.jobs.size());
  return n;
}

}  // namespace models
