#include "models/site/site.h"

#include <limits>

namespace models {

namespace {
// Without node groups, one node of unlimited size stands in for "capacity is not a concern".
std::vector<NodeGroupConfig> groups_of(const SiteConfig& cfg) {
  if (cfg.has_nodes()) return cfg.node_groups;
  NodeGroupConfig unlimited;
  unlimited.shape = NodeShape{1e12, std::numeric_limits<int>::max()};
  unlimited.count = 1;
  return {unlimited};
}
}  // namespace

const char* balancing_name(Balancing b) {
  switch (b) {
    case Balancing::kRandom:
      return "random";
    case Balancing::kRoundRobin:
      return "round-robin";
    case Balancing::kLeastRequest:
      return "least-request";
    case Balancing::kPowerOfTwo:
      return "p2c";
    case Balancing::kSharedQueue:
      return "shared-queue";
  }
  return "?";
}

Site::Site(sim::Simulator& sim, SiteRngs rngs, RequestPool& pool, const SiteConfig& cfg, int index,
           sim::Recorder& rec)
    : sim_(sim),
      rng_(std::move(rngs.lb)),
      pool_(pool),
      cfg_(cfg),
      index_(index),
      rec_(rec),
      component_("site/" + cfg.name),
      nodes_(sim, groups_of(cfg), cfg.quota_cpu, std::move(rngs.cloud), rec, component_),
      deployment_(sim, std::move(rngs.startup), pool, cfg.deployment, nodes_,
                  static_cast<PodListener&>(*this), static_cast<EndpointListener&>(*this), rec,
                  cfg.name),
      checks_(pool) {
  nodes_.set_listener(this);
  const PodConfig& pod = cfg_.deployment.pod;
  if (cfg_.balancing == Balancing::kLeastRequest && pod.concurrency != PodConfig::kUnlimited &&
      pod.queue != PodConfig::kUnlimited && pod.concurrency + pod.queue < (1 << 16)) {
    load_index_ = LoadIndex(pod.concurrency + pod.queue + 1);
  }
}

void Site::start() {
  inflight_since_ = sim_.now();
  nodes_.start();
  const PodConfig& pod = cfg_.deployment.pod;
  sim::EventDetails details;
  details.add("replicas", cfg_.deployment.replicas).add("cpu", pod.cores);
  for (const auto& [key, v] : {std::pair{"concurrency", pod.concurrency}, {"queue", pod.queue}}) {
    if (v == PodConfig::kUnlimited)
      details.add(key, "unlimited");
    else
      details.add(key, v);
  }
  details.add("balancing", balancing_name(cfg_.balancing));
  details.add("image", cfg_.deployment.image.name).add("nodes", cfg_.initial_nodes());
  rec_.event(sim_.now(), component_, "deployment",
             std::to_string(cfg_.deployment.replicas) + " pods of " + cfg_.deployment.image.name +
                 " (" + balancing_name(cfg_.balancing) + ")",
             details);
  deployment_.start();
}

void Site::change_inflight(int delta) {
  const sim::SimTime now = sim_.now();
  inflight_area_ +=
      static_cast<double>(inflight_) * static_cast<double>((now - inflight_since_).ns());
  inflight_since_ = now;
  inflight_ += delta;
}

void Site::fail(RequestId id, FailureCause cause) { pool_[id].client->on_failure(id, cause); }

Pod* Site::least_loaded(bool need_free_worker) {
  // From a rotating start, so ties spread over the pods instead of piling on the first: through
  // the load index when the site keeps one (the same pick), else a scan.
  const std::size_t n = ready_.size();
  if (++rr_next_ >= n) rr_next_ = 0;
  if (indexed_ && !need_free_worker) return ready_[load_index_.first_least(rr_next_)];
  Pod* best = nullptr;
  int best_load = std::numeric_limits<int>::max();
  auto consider = [&](Pod* p) {
    if (need_free_worker && !p->has_free_worker()) return false;
    const int load = need_free_worker ? p->in_service() : p->load();
    if (load < best_load) {
      best = p;
      best_load = load;
    }
    return load == 0;  // cannot do better
  };
  for (std::size_t k = rr_next_; k < n; ++k) {
    if (consider(ready_[k])) return best;
  }
  for (std::size_t k = 0; k < rr_next_; ++k) {
    if (consider(ready_[k])) return best;
  }
  return best;
}

Pod* Site::pick_pod() {
  const std::size_t n = ready_.size();
  switch (cfg_.balancing) {
    case Balancing::kRandom:
      return ready_[rng_.uniform_int(0, n - 1)];
    case Balancing::kRoundRobin:
      if (++rr_next_ >= n) rr_next_ = 0;
      return ready_[rr_next_];
    case Balancing::kLeastRequest:
      return least_loaded(false);
    case Balancing::kPowerOfTwo: {
      Pod* a = ready_[rng_.uniform_int(0, n - 1)];
      Pod* b = ready_[rng_.uniform_int(0, n - 1)];
      return b->load() < a->load() ? b : a;
    }
    case Balancing::kSharedQueue:
      break;
  }
  return nullptr;
}

void Site::submit(RequestId id) {
  if (!alive_) {
    fail(id, FailureCause::kSiteDown);
    return;
  }
  if (cut_from_clients_) {
    fail(id, FailureCause::kUnreachable);
    return;
  }
  ++arrivals_;
  if (cfg_.balancing == Balancing::kSharedQueue) {
    // Requests wait in the shared queue only while every worker is busy, so a non-empty queue
    // means there is no free worker to look for.
    if (Pod* p = shared_queue_.empty() && !ready_.empty() ? least_loaded(true) : nullptr) {
      if (p->life.refusing) {
        fail(id, FailureCause::kRefused);
        return;
      }
      change_inflight(+1);
      p->start(id);
      return;
    }
    if (ready_.empty()) {
      fail(id, FailureCause::kUnavailable);
      return;
    }
    const std::size_t limit =
        cfg_.deployment.pod.queue == PodConfig::kUnlimited
            ? std::numeric_limits<std::size_t>::max()
            : static_cast<std::size_t>(cfg_.deployment.pod.queue) * ready_.size();
    if (shared_queue_.size() < limit) {
      change_inflight(+1);
      shared_queue_.push_back(id);
      return;
    }
    fail(id, FailureCause::kRejected);
    return;
  }
  if (ready_.empty()) {
    fail(id, FailureCause::kUnavailable);
    return;
  }
  Pod* pod = pick_pod();
  if (pod->life.refusing) {  // still in the endpoints, no longer listening
    fail(id, FailureCause::kRefused);
  } else if (pod->offer(id)) {
    change_inflight(+1);
  } else {
    fail(id, FailureCause::kRejected);
  }
}

void Site::feed_from_shared_queue(Pod& pod) {
  while (!shared_queue_.empty() && pod.has_free_worker()) pod.start(shared_queue_.pop_front());
}

void Site::on_pod_done(Pod& pod, RequestId id) {
  if (pool_[id].probe) {  // a kubelet probe: the site does not count it
    if (pod.life.state == PodState::kTerminating && pod.load() == 0)
      deployment_.on_pod_drained(pod);
    pool_[id].client->on_response(id);
    return;
  }
  change_inflight(-1);
  ++completed_;
  demand_done_ += pool_[id].demand_ns;
  if (pod.life.state == PodState::kReady) {
    if (!shared_queue_.empty() && pod.has_free_worker()) pod.start(shared_queue_.pop_front());
  } else if (pod.life.state == PodState::kTerminating && pod.load() == 0) {
    deployment_.on_pod_drained(pod);
  }
  if (writes_ != nullptr && pool_[id].write && !writes_->on_write_commit(index_, sim_.now())) {
    fail(id, FailureCause::kNoPrimary);
    return;
  }
  pool_[id].client->on_response(id);
}

void Site::on_pod_failed(Pod& /*pod*/, RequestId id, FailureCause cause) {
  drop_database_work(id);
  if (!pool_[id].probe) change_inflight(-1);
  fail(id, cause);
}

void Site::endpoint_added(Pod& pod) {
  ready_.push_back(&pod);
  if (indexed_ && load_index_.positions() + 1 == ready_.size() &&
      load_index_.usable(ready_.size())) {
    load_index_.append();  // the others keep their positions: no reset (O(1), not O(pods))
    pod.set_load_slot(&load_index_, ready_.size() - 1);
  } else {
    reindex();
  }
  if (cfg_.balancing == Balancing::kSharedQueue) feed_from_shared_queue(pod);
}

void Site::endpoint_removed(Pod& pod) {
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    if (ready_[i] == &pod) {
      ready_.erase(ready_.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  pod.set_load_slot(nullptr, 0);
  if (rr_next_ >= ready_.size()) rr_next_ = 0;
  reindex();
}

void Site::reindex() {
  if (load_index_.levels() == 0) return;
  indexed_ = load_index_.usable(ready_.size());
  if (indexed_) load_index_.reset(ready_.size());
  // Every endpoint reports its load to the index now and on every change (or to none).
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    ready_[i]->set_load_slot(indexed_ ? &load_index_ : nullptr, i);
  }
}

WorkloadSignals Site::signals() {
  WorkloadSignals s;
  s.arrivals = arrivals_;
  s.inflight = inflight_;
  s.queued = static_cast<int>(shared_queue_.size());
  for (Pod* p : ready_) s.queued += p->queued();
  s.completed = completed_;
  s.demand_core_ns = demand_done_;
  return s;
}

void Site::outage_begin() {
  if (!alive_) return;
  alive_ = false;
  rec_.event(sim_.now(), component_, "outage", cfg_.name + " down (full outage)",
             sim::EventDetails().add("kind", "full"));
  while (!shared_queue_.empty()) {
    const RequestId id = shared_queue_.pop_front();
    change_inflight(-1);
    fail(id, FailureCause::kSiteDown);
  }
  deployment_.set_frozen(true);
  if (hosted_db_ != nullptr) hosted_db_->set_down(true);
  for (const Node& n : nodes_.nodes()) nodes_.set_down(n.id);
  deployment_.kill_pods(Deployment::kAllNodes, FailureCause::kSiteDown);
}

void Site::outage_end(bool cold) {
  if (alive_) return;
  for (const Node& n : nodes_.nodes()) nodes_.restore(n.id, cold);
  alive_ = true;
  if (hosted_db_ != nullptr) hosted_db_->set_down(false);
  rec_.event(sim_.now(), component_, "outage",
             cfg_.name + " back: pods restart" + (cold ? " cold" : ""),
             sim::EventDetails().add("kind", "full").add("recovered", true));
  deployment_.set_frozen(false);
}

void Site::lose_nodes(const std::vector<uint32_t>& lost) {
  sim::EventDetails details;
  details.add("kind", "partial").begin_array("nodes");
  for (uint32_t n : lost) {
    nodes_.set_down(n);
    details.push(n);
  }
  details.end();
  rec_.event(sim_.now(), component_, "outage", std::to_string(lost.size()) + " nodes lost",
             details);
  for (uint32_t n : lost) deployment_.kill_pods(n, FailureCause::kAborted);
}

void Site::restore_nodes(const std::vector<uint32_t>& nodes, bool cold) {
  for (uint32_t n : nodes) nodes_.restore(n, cold);
  rec_.event(sim_.now(), component_, "outage", std::to_string(nodes.size()) + " nodes back",
             sim::EventDetails().add("kind", "partial").add("recovered", true));
}

void Site::interruption_notice(uint32_t node) {
  // The node termination handler cordons and drains: the pods are deleted (preStop, SIGTERM,
  // their grace period) and the ReplicaSet recreates them elsewhere.
  deployment_.evict_node(node, "spot interruption");
}

void Site::node_terminated(uint32_t node) { deployment_.kill_pods(node, FailureCause::kAborted); }

void Site::set_partition(bool from_gslb, bool from_clients) {
  cut_from_gslb_ = from_gslb;
  cut_from_clients_ = from_clients;
  const bool any = from_gslb || from_clients;
  rec_.event(sim_.now(), component_, "outage",
             any ? cfg_.name + " partitioned from " +
                       (from_gslb && from_clients ? "GSLB and clients"
                        : from_gslb               ? "the GSLB"
                                                  : "clients")
                 : cfg_.name + " reachable again",
             sim::EventDetails()
                 .add("kind", "partition")
                 .add("from_gslb", from_gslb)
                 .add("from_clients", from_clients)
                 .add("recovered", !any));
}

std::vector<uint32_t> Site::ready_node_ids() const {
  std::vector<uint32_t> out;
  for (const Node& n : nodes_.nodes()) {
    if (n.state == Node::State::kReady) out.push_back(n.id);
  }
  return out;
}

void Site::send_health_check(HealthCheckObserver& observer, uint64_t token, double cost_s) {
  if (!alive_ || cut_from_gslb_) {
    observer.on_check_result(token, CheckOutcome::kUnreachable);
    return;
  }
  if (ready_.empty()) {  // the ingress answers 503 at once
    observer.on_check_result(token, CheckOutcome::kFailed);
    return;
  }
  Pod* pod = cfg_.balancing == Balancing::kSharedQueue ? least_loaded(false) : pick_pod();
  if (pod->life.refusing) {
    observer.on_check_result(token, CheckOutcome::kFailed);
    return;
  }
  const RequestId id = pool_.alloc();
  Request& r = pool_[id];
  r = Request{};
  r.sent = sim_.now();
  r.demand_ns = cost_s * 1e9;
  r.client = &checks_;
  r.probe = true;
  r.user = static_cast<uint32_t>(token >> 32);
  r.tag = static_cast<uint32_t>(token);
  checks_.observer = &observer;
  if (!pod->offer(id)) {
    pool_.free(id);
    observer.on_check_result(token, CheckOutcome::kFailed);
  }
}

void Site::HealthChecks::finish(RequestId id, CheckOutcome outcome) {
  const uint64_t token = (uint64_t{pool_[id].user} << 32) | pool_[id].tag;
  pool_.free(id);
  if (observer != nullptr) observer->on_check_result(token, outcome);
}

double Site::report_utilization() {
  const double used = deployment_.serving_cpu_used(), cap = deployment_.serving_capacity();
  const double util =
      cap > reported_capacity_ ? (used - reported_used_) / (cap - reported_capacity_) : 0.0;
  reported_used_ = used;
  reported_capacity_ = cap;
  return util;
}

SiteGauges Site::gauges() {
  change_inflight(0);
  SiteGauges g;
  g.inflight = inflight_;
  g.inflight_area = inflight_area_;
  g.cpu_used = deployment_.serving_cpu_used();
  g.cpu_capacity = deployment_.serving_capacity();
  g.pod_time = deployment_.pod_time();
  if (cfg_.has_nodes()) {
    g.group_node_time = nodes_.node_time();
    for (double t : g.group_node_time) g.node_time += t;
  }
  g.replicas_desired = deployment_.desired();
  g.replicas_ready = deployment_.count(PodState::kReady);
  g.replicas_unready = deployment_.count(PodState::kUnready);
  g.replicas_starting = deployment_.count(PodState::kScheduling) +
                        deployment_.count(PodState::kPulling) +
                        deployment_.count(PodState::kBooting);
  g.replicas_pending = deployment_.count(PodState::kPending);
  if (db_ != nullptr) {
    g.has_db = true;
    g.db_in_use = db_in_use_;
    g.db_waiting = db_waiting_;
    g.db_busy = db_->busy_ns();
    g.db_capacity = db_->capacity_ns();
    g.db_query_ns = db_use_.query_ns;
    g.db_queries = static_cast<double>(db_use_.queries);
  }
  g.nodes = cfg_.has_nodes()
                ? nodes_.count(Node::State::kReady) + nodes_.count(Node::State::kDraining)
                : 0;
  return g;
}

}  // namespace models

// ---- the database client (docs/models.md §7.3) ----

namespace models {

void Site::attach_database(Database* db, sim::RngStream rng) {
  SIM_ASSERT(cfg_.database.has_value() && cfg_.deployment.pod.parks,
             "a database needs the site's database client config");
  db_ = db;
  db_rng_ = std::move(rng);
  db_->add_on_connections_freed([this] { top_up_pools(); });
}

void Site::on_pod_state(Pod& pod, PodState from, PodState to) {
  if (db_ == nullptr) return;
  const int pool = cfg_.database->pool;
  // The application starts (booting; the initial pods are ready at once).
  const bool up =
      to == PodState::kBooting || (to == PodState::kReady && from == PodState::kPending);
  if (up && pod.db.size < pool) {
    // The application opens its pool as it starts (a fixed-size pool, HikariCP's default); what
    // the database refuses it asks for again when connections are closed (top_up_pools).
    const int want = pool - pod.db.size;
    const int got = db_->open_connections(want);
    if (pod.db.size == 0) db_use_.refused += want - got;
    pod.db.size += got;
    if (got < want) {
      rec_.event(sim_.now(), component_, "database",
                 pod.life.name + " got " + std::to_string(pod.db.size) + " of its " +
                     std::to_string(pool) + " database connections: " + db_->name() +
                     " has all its " + std::to_string(db_->connection_limit()) + " in use",
                 sim::EventDetails()
                     .add("pod", pod.life.name)
                     .add("connections", pod.db.size)
                     .add("pool", pool)
                     .add("database", db_->name()));
    }
  } else if (to == PodState::kTerminated && pod.db.size > 0) {
    const int n = pod.db.size;
    pod.db.size = 0;
    db_->close_connections(n);
  }
}

void Site::top_up_pools() {
  deployment_.for_each_pod([&](Pod& pod) {
    const PodState s = pod.life.state;
    const bool up = s == PodState::kBooting || s == PodState::kReady || s == PodState::kUnready ||
                    s == PodState::kTerminating;
    if (!up || pod.db.size >= cfg_.database->pool) return;
    const int got = db_->open_connections(cfg_.database->pool - pod.db.size);
    if (got == 0) return;
    pod.db.size += got;
    rec_.event(sim_.now(), component_, "database",
               pod.life.name + " now holds " + std::to_string(pod.db.size) + " of its " +
                   std::to_string(cfg_.database->pool) + " database connections",
               sim::EventDetails()
                   .add("pod", pod.life.name)
                   .add("connections", pod.db.size)
                   .add("pool", cfg_.database->pool)
                   .add("database", db_->name()));
    while (pod.db.in_use < pod.db.size && !pod.db.waiting.empty()) {
      const auto [id, seq] = pod.db.waiting.pop_front();
      if (id < db_req_.size() && db_req_[id].seq == seq && db_req_[id].stage == DbStage::kWaiting)
        acquire(pod, id);
    }
  });
}

void Site::on_pod_parked(Pod& pod, RequestId id) {
  if (db_req_.size() <= id) db_req_.resize(pool_.capacity());
  DbRequest& r = db_req_[id];
  r.pod = &pod;
  r.seq = ++db_seq_;
  r.since = sim_.now();
  if (pod.db.in_use < pod.db.size) {
    acquire(pod, id);
    return;
  }
  r.stage = DbStage::kWaiting;
  ++db_waiting_;
  ++db_use_.waits;
  pod.db.waiting.push_back({id, r.seq});
  const uint32_t seq = r.seq;
  sim_.schedule_in(cfg_.database->pool_timeout, [this, id, seq] { pool_timeout(id, seq); });
}

void Site::acquire(Pod& pod, RequestId id) {
  DbRequest& r = db_req_[id];
  if (r.stage == DbStage::kWaiting) {
    --db_waiting_;
    db_use_.wait_ns += static_cast<double>((sim_.now() - r.since).ns());
  }
  ++pod.db.in_use;
  ++db_in_use_;
  db_use_.peak_in_use = std::max(db_use_.peak_in_use, db_in_use_);
  r.stage = DbStage::kQuery;
  r.since = sim_.now();
  const Request& q = pool_[id];
  double demand_s = cfg_.database->read.sample(db_rng_);
  if (q.write) demand_s += cfg_.database->write.sample(db_rng_);
  r.db = db_;
  r.rtt = cfg_.database->rtt;
  if (q.write && write_target_) {
    const WriteTarget t = write_target_();
    r.db = t.db;
    r.rtt = t.rtt;
  }
  r.db->query(id, r.seq, std::max(0.0, demand_s) * 1e9, q.write, this);
}

void Site::on_query_done(RequestId id) {
  DbRequest& r = db_req_[id];
  r.stage = DbStage::kReturn;
  const uint32_t seq = r.seq;
  if (r.rtt == sim::SimTime::zero()) {
    finish_query(id, seq);
  } else {
    sim_.schedule_in(r.rtt, [this, id, seq] { finish_query(id, seq); });
  }
}

void Site::release_connection(Pod& pod) {
  --pod.db.in_use;
  --db_in_use_;
  // The connection goes to the next request waiting in this pod.
  while (pod.db.in_use < pod.db.size && !pod.db.waiting.empty()) {
    const auto [next, next_seq] = pod.db.waiting.pop_front();
    if (db_req_[next].seq == next_seq && db_req_[next].stage == DbStage::kWaiting) {
      acquire(pod, next);
      break;
    }
  }
}

void Site::on_query_failed(RequestId id, uint32_t token) {
  if (id >= db_req_.size()) return;
  DbRequest& r = db_req_[id];
  if (r.seq != token || r.stage != DbStage::kQuery) return;  // ended meanwhile
  Pod& pod = *r.pod;
  r.stage = DbStage::kNone;
  r.pod = nullptr;
  ++r.seq;
  release_connection(pod);
  // A write without its primary fails as no_primary, a read as db_down.
  pod.fail_parked(id, pool_[id].write ? FailureCause::kNoPrimary : FailureCause::kDbDown);
}

void Site::finish_query(RequestId id, uint32_t seq) {
  DbRequest& r = db_req_[id];
  if (r.seq != seq || r.stage != DbStage::kReturn) return;  // its pod died meanwhile
  Pod& pod = *r.pod;
  const double t = static_cast<double>((sim_.now() - r.since).ns());
  ++db_use_.queries;
  db_use_.query_ns += t;
  db_use_.query_max_ns = std::max(db_use_.query_max_ns, t);
  r.stage = DbStage::kNone;
  r.pod = nullptr;
  release_connection(pod);
  pod.unpark(id);
}

void Site::pool_timeout(RequestId id, uint32_t seq) {
  if (id >= db_req_.size()) return;
  DbRequest& r = db_req_[id];
  if (r.seq != seq || r.stage != DbStage::kWaiting) return;
  ++db_use_.timeouts;
  Pod& pod = *r.pod;
  // The entry stays in the pod's queue and is skipped (its number no longer matches).
  --db_waiting_;
  db_use_.wait_ns += static_cast<double>((sim_.now() - r.since).ns());
  r.stage = DbStage::kNone;
  r.pod = nullptr;
  ++r.seq;
  pod.fail_parked(id, FailureCause::kPoolTimeout);
}

void Site::drop_database_work(RequestId id) {
  if (id >= db_req_.size()) return;
  DbRequest& r = db_req_[id];
  switch (r.stage) {
    case DbStage::kNone:
      return;
    case DbStage::kWaiting:
      --db_waiting_;
      break;
    case DbStage::kQuery:
      r.db->cancel(id);
      [[fallthrough]];
    case DbStage::kReturn:
      --r.pod->db.in_use;
      --db_in_use_;
      break;
  }
  r.stage = DbStage::kNone;
  r.pod = nullptr;
  ++r.seq;
}

}  // namespace models
