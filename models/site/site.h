// models/site/site.h: a site (one Kubernetes cluster in one cloud): its node pool, the
// Deployment of the application, and the in-site load balancer that spreads requests over the
// pods in the service's endpoints.
//
// Balancing modes (how an arriving request picks a pod among the serving ones):
//   random         uniform choice (kube-proxy in iptables mode)
//   round-robin    in turn (kube-proxy in IPVS mode)
//   least-request  the pod with the fewest requests in service + queued (ties: in turn)
//   p2c            the less loaded of two random pods (Envoy's default least-request)
//   shared-queue   one FIFO queue for the site; a request waits there until any pod has a free
//                  worker, which then takes it (the ideal M/M/c dispatcher). The queue holds at
//                  most `queue` x serving pods requests.
// A request is rejected (503) when the chosen pod's worker slots and accept queue are full, or,
// for shared-queue, when the shared queue is full. With no serving pod it fails as unavailable.
//
// The site is the ScalableTarget its autoscaler acts on, and the GaugeSource of its series.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/common/distribution.h"
#include "models/common/fault_target.h"
#include "models/common/request.h"
#include "models/common/ring_queue.h"
#include "models/common/scalable_target.h"
#include "models/common/site_gauges.h"
#include "models/common/site_health.h"
#include "models/site/database.h"
#include "models/site/deployment.h"
#include "models/site/load_index.h"
#include "models/site/node_pool.h"
#include "models/site/pod.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

enum class Balancing { kRandom, kRoundRobin, kLeastRequest, kPowerOfTwo, kSharedQueue };
const char* balancing_name(Balancing b);

// How a site's pods use a database (docs/models.md §7.3): a connection pool per pod (HikariCP's
// defaults: 10 connections, 30 s to wait for one), the round trip to the database, and each
// request's database work.
struct DatabaseClientConfig {
  int pool = 10;                                   // connections per pod (maximumPoolSize)
  sim::SimTime pool_timeout = sim::seconds(30);    // connectionTimeout: then the request fails
  sim::SimTime rtt = sim::milliseconds(1);         // pod <-> database round trip
  Distribution read = Distribution::constant(0);   // database core-seconds of every request
  Distribution write = Distribution::constant(0);  // more for a write
};

// What a site's pods did with their database, cumulative from t = 0.
struct DatabaseUse {
  uint64_t queries = 0;
  double query_ns = 0;  // connection acquired to result back (query + round trip)
  double query_max_ns = 0;
  uint64_t waits = 0;     // requests that had to wait for a connection
  double wait_ns = 0;     // time waiting for a connection, over all queries
  uint64_t timeouts = 0;  // gave up waiting (pool_timeout)
  uint64_t refused = 0;   // connections the database refused pods as they started
  int peak_in_use = 0;
};

struct SiteConfig {
  std::string name;
  bool public_cloud = false;
  sim::SimTime rtt;  // client <-> site network round trip, added to response times
  Balancing balancing = Balancing::kLeastRequest;
  DeploymentConfig deployment;
  // Node groups. Without any (no nodes: in the scenario) capacity is unlimited: pods never wait
  // for a node.
  std::vector<NodeGroupConfig> node_groups;
  double quota_cpu = 0;  // regional vCPU quota across the groups (0: none)
  bool has_nodes() const { return !node_groups.empty(); }
  // The database client (with a database attached by attach_database).
  std::optional<DatabaseClientConfig> database;
  int initial_nodes() const {
    int n = 0;
    for (const NodeGroupConfig& g : node_groups) n += g.count;
    return n;
  }
};

struct SiteRngs {
  sim::RngStream lb;
  sim::RngStream startup;
  sim::RngStream cloud{0};  // capacity shortages and spot interruptions
};

class Site final : public RequestSink,
                   public GaugeSource,
                   public ScalableTarget,
                   public SiteHealth,
                   public FaultTarget,
                   private PodListener,
                   private EndpointListener,
                   private NodeListener,
                   private QueryClient {
 public:
  Site(sim::Simulator& sim, SiteRngs rngs, RequestPool& pool, const SiteConfig& cfg, int index,
       sim::Recorder& rec);
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  // Creates the initial pods (ready at t = 0). Logs the deployment.
  void start();

  void submit(RequestId id) override;

  const SiteConfig& config() const { return cfg_; }
  const std::string& name() const override { return cfg_.name; }
  int index() const { return index_; }
  int ready_pods() const { return static_cast<int>(ready_.size()); }
  int inflight() const { return inflight_; }
  std::size_t shared_queue_length() const { return shared_queue_.size(); }
  // The serving pods, in load-balancer order.
  Pod& pod(std::size_t i) { return *ready_[i]; }
  std::size_t pod_count() const { return ready_.size(); }
  Deployment& deployment() { return deployment_; }
  NodePool& node_pool() { return nodes_; }
  // Connects the pods to `db` (cfg.database says how); `rng` draws each request's database work.
  void attach_database(Database* db, sim::RngStream rng);
  Database* database() const { return db_; }
  // The database this site hosts (it goes down with the site's full outages).
  void set_hosted_database(Database* db) { hosted_db_ = db; }
  Database* hosted_database() const { return hosted_db_; }
  // Where writes go when not to the site's own database (a single primary elsewhere): the
  // primary's database and the round trip to it, asked at each write.
  struct WriteTarget {
    Database* db;
    sim::SimTime rtt;
  };
  void set_write_target(std::function<WriteTarget()> f) { write_target_ = std::move(f); }
  const DatabaseUse& database_use() const { return db_use_; }

  SiteGauges gauges() override;

  // Faults (driven by the fault injector). A full outage kills every pod (their requests fail
  // as site_down), takes the nodes and the control plane down, and fails new requests; at the
  // end the nodes return (with empty image caches when `cold`) and the deployment recreates its
  // pods from scratch.
  const std::string& target_site_name() const override { return cfg_.name; }
  void outage_begin() override;
  void outage_end(bool cold) override;
  bool alive() const { return alive_; }
  bool control_plane_up() const override { return alive_; }
  // Told of every write the site commits (replication).
  void set_write_observer(WriteObserver* w) { writes_ = w; }
  std::vector<uint32_t> ready_node_ids() const override;
  // Loses these nodes: their pods die (requests aborted) and are recreated where room is.
  void lose_nodes(const std::vector<uint32_t>& nodes) override;
  void restore_nodes(const std::vector<uint32_t>& nodes, bool cold) override;
  // A network partition: unreachable from the GSLB's health checkers and/or from clients.
  void set_partition(bool from_gslb, bool from_clients) override;
  // A brown-out: every pod serves at `factor` of its speed (1 = normal).
  void set_brownout(double factor) override { deployment_.set_capacity_factor(factor); }

  // SiteHealth.
  void send_health_check(HealthCheckObserver& observer, uint64_t token, double cost_s) override;
  double report_utilization() override;
  // ScalableTarget.
  const std::string& target_name() const override { return cfg_.name; }
  int32_t spec_replicas() const override { return deployment_.desired(); }
  int32_t status_replicas() const override { return deployment_.active_replicas(); }
  int32_t ready_replicas() const override { return static_cast<int32_t>(ready_.size()); }
  void scale_to(int32_t replicas, std::string_view by) override {
    deployment_.scale_to(replicas, by);
  }
  void snapshot_pods(std::vector<PodSnapshot>* out) override { deployment_.snapshot_pods(out); }
  WorkloadSignals signals() override;
  sim::SimTime observed_start_latency() const override {
    return deployment_.observed_start_latency();
  }

 private:
  void on_pod_done(Pod& pod, RequestId id) override;
  void on_pod_failed(Pod& pod, RequestId id, FailureCause cause) override;
  void endpoint_added(Pod& pod) override;
  void endpoint_removed(Pod& pod) override;
  void capacity_appeared() override { deployment_.schedule_pending(); }
  void on_pod_parked(Pod& pod, RequestId id) override;
  void on_pod_state(Pod& pod, PodState from, PodState to) override;
  void on_query_done(RequestId id) override;
  void on_query_failed(RequestId id, uint32_t token) override;
  void release_connection(Pod& pod);
  // The database client's steps.
  void acquire(Pod& pod, RequestId id);
  void finish_query(RequestId id, uint32_t seq);
  void pool_timeout(RequestId id, uint32_t seq);
  void top_up_pools();
  void drop_database_work(RequestId id);
  void interruption_notice(uint32_t node) override;
  void node_terminated(uint32_t node) override;
  void fail(RequestId id, FailureCause cause);
  void change_inflight(int delta);
  Pod* pick_pod();
  Pod* least_loaded(bool need_free_worker);
  // Least-request bookkeeping: gives the endpoints their positions in the load index.
  void reindex();
  void feed_from_shared_queue(Pod& pod);

  // The client of the GSLB's health checks in this site: hands their answers to the observer.
  class HealthChecks final : public ResponseHandler {
   public:
    explicit HealthChecks(RequestPool& pool) : pool_(pool) {}
    HealthCheckObserver* observer = nullptr;
    void on_response(RequestId id) override { finish(id, CheckOutcome::kAnswered); }
    void on_failure(RequestId id, FailureCause) override { finish(id, CheckOutcome::kFailed); }

   private:
    void finish(RequestId id, CheckOutcome outcome);
    RequestPool& pool_;
  };

  sim::Simulator& sim_;
  sim::RngStream rng_;
  RequestPool& pool_;
  SiteConfig cfg_;
  int index_;
  sim::Recorder& rec_;
  std::string component_;  // "site/<name>" in the event log
  NodePool nodes_;
  Deployment deployment_;

  std::vector<Pod*> ready_;
  RingQueue<RequestId> shared_queue_;
  std::size_t rr_next_ = 0;
  LoadIndex load_index_;  // least-request with bounded pod loads; levels() == 0 otherwise
  bool indexed_ = false;  // the index is in use (else least_loaded scans)

  int inflight_ = 0;
  double inflight_area_ = 0;
  sim::SimTime inflight_since_;
  bool alive_ = true;
  WriteObserver* writes_ = nullptr;
  bool cut_from_gslb_ = false, cut_from_clients_ = false;
  double reported_used_ = 0, reported_capacity_ = 0;
  uint64_t arrivals_ = 0;
  uint64_t completed_ = 0;
  double demand_done_ = 0;
  HealthChecks checks_;

  // The database client: where each request is (by RequestId) and the counters.
  enum class DbStage : uint8_t { kNone, kWaiting, kQuery, kReturn };
  struct DbRequest {
    Pod* pod = nullptr;
    uint32_t seq = 0;
    DbStage stage = DbStage::kNone;
    sim::SimTime since;      // parked (waiting), or connection acquired (query)
    Database* db = nullptr;  // where its query runs
    sim::SimTime rtt;
  };
  Database* db_ = nullptr;
  Database* hosted_db_ = nullptr;
  std::function<WriteTarget()> write_target_;
  sim::RngStream db_rng_{0};
  std::vector<DbRequest> db_req_;
  uint32_t db_seq_ = 0;
  int db_in_use_ = 0, db_waiting_ = 0;
  DatabaseUse db_use_;
};

}  // namespace models
