// models/site/database.h: a database server shared by the pods of one or more sites
// (docs/models.md §7.3).
//
// Capacity. The primary (and each read replica) is a processor-sharing server of `cores`: the n
// queries in it share the cores, each progressing at min(1, cores / n), as the pods' CPU does
// (pod.h). With `tps` instead, a server completes `tps` queries per second shared equally (one
// core, every query the same demand of 1 / tps seconds). Writes run on the primary; reads on the
// least busy read replica, or on the primary when there is none.
//
// Connections. Pods hold connections in pools (the site's database client, site.h); each server
// accepts at most `max_connections` (PostgreSQL's default is 100) and pools spread theirs over
// the servers, so the database takes max_connections x (1 + read_replicas) in all: a pool that
// asks for more gets what is left, and the rest when other pools close theirs.
//
// Metrics: busy core-time against capacity (utilization), queries in service, open
// connections, and per-query service times (the caller adds the network).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/common/request.h"
#include "sim/recorder.h"
#include "sim/simulator.h"

namespace models {

struct DatabaseConfig {
  std::string name;           // the site that hosts it
  double cores = 8;           // per server
  double tps = 0;             // > 0: capacity in queries per second instead of cores
  int max_connections = 100;  // per server
  int read_replicas = 0;      // servers that take reads, each of `cores` (or `tps`)
};

// Told when a query finishes.
class QueryClient {
 public:
  virtual ~QueryClient() = default;
  virtual void on_query_done(RequestId id) = 0;
  // The database went down (or was down) with the query: it will not be answered.
  virtual void on_query_failed(RequestId id, uint32_t token) = 0;
};

class Database {
 public:
  Database(sim::Simulator& sim, const DatabaseConfig& cfg, sim::Recorder& rec);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const DatabaseConfig& config() const { return cfg_; }
  const std::string& name() const { return cfg_.name; }

  // Opens up to `want` connections; returns how many it got.
  int open_connections(int want);
  void close_connections(int n);
  int connections_open() const { return open_; }
  int peak_connections_open() const { return peak_open_; }
  // max_connections x servers: what the database accepts in all.
  int connection_limit() const { return cfg_.max_connections * static_cast<int>(servers_.size()); }
  // Called when connections were closed: pools short of theirs may ask again (every client
  // that shares the database registers).
  void add_on_connections_freed(std::function<void()> cb) { on_freed_.push_back(std::move(cb)); }

  // Runs a query of `demand_ns` core-nanoseconds (ignored with tps) now; `client` is told when
  // it is done unless cancelled first, or that it failed (with `token`, to tell a stale failure).
  void query(RequestId id, uint32_t token, double demand_ns, bool write, QueryClient* client);
  void cancel(RequestId id);
  // The site hosting it fails and returns: while down, queries in it and new ones fail
  // (clients are told in an event of their own).
  void set_down(bool down);
  bool down() const { return down_; }

  // Cumulative busy core-nanoseconds and capacity core-nanoseconds, up to now.
  double busy_ns();
  double capacity_ns();
  int active() const;  // queries in service

 private:
  struct Job {
    double tag;
    RequestId id;
    uint32_t token;
    QueryClient* client;
  };
  struct Server {
    std::vector<Job> jobs;  // min-heap on (tag, id)
    double vtime = 0;
    double busy_ns = 0;
    sim::SimTime last;
    sim::EventId completion;
  };
  static bool later(const Job& a, const Job& b) {
    return a.tag > b.tag || (a.tag == b.tag && a.id > b.id);
  }
  double cores() const { return cfg_.tps > 0 ? 1.0 : cfg_.cores; }
  double rate(const Server& s) const;
  void advance(Server& s);
  void reschedule(std::size_t k);
  void on_completion(std::size_t k);

  sim::Simulator& sim_;
  DatabaseConfig cfg_;
  sim::Recorder& rec_;
  std::vector<Server> servers_;  // 0: the primary, then the read replicas
  int open_ = 0, peak_open_ = 0;
  bool down_ = false;
  std::vector<std::function<void()>> on_freed_;
  sim::SimTime started_;
};

}  // namespace models
