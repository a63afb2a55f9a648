// models/gslb/dns_gslb.h: a DNS-based global server load balancer, the resolvers that cache its
// answers, and its health checks (models.md §1).
//
// Clients sit behind resolvers (`resolvers_per_region` per region). A resolver with a valid
// cached answer returns it; otherwise it asks the GSLB, which answers by policy among the sites
// it believes healthy:
//   weighted       w_i / sum(w) among healthy sites with weight > 0; if none, the healthy
//                  zero-weight ones; if none, fail open (Route 53): the weighted sites anyway
//   failover       the first healthy site in priority order (failback when it recovers)
//   latency        the nearest healthy site from the resolver's region (topology)
//   least-loaded   the healthy site with the lowest reported CPU utilization
// With fail_open false, no healthy site means no answer (the request fails as no_site).
//
// A resolver keeps an answer for a time that depends on its kind, the stale-client mixture of
// models.md §1.5 (calibrated to Flavel et al. 2014): by default 60% honour the TTL, 30% keep it
// for max(TTL, 60 s) (browser and OS floors), 10% for 60 s + Exp(520 s) (TTL violators, long-lived
// JVMs, pinned connections). Behind one resolver, many clients share one answer, so a 30/70
// split is exact only with many resolvers.
//
// Health checks (Route 53's, docs/models.md §1.3): `checkers` independent checkers per site, each
// every `interval` from its own random phase, send an HTTP request through the site's balancer to
// a pod, where it waits behind the real requests (`cost` CPU). A check fails when the site cannot
// be reached (known after `timeout`, the connection timeout), when the site answers with an error
// (no endpoint, rejected, refused), or when the answer takes longer than `response_timeout`; a
// checker still waiting for an answer skips its next turn. A checker considers the site down
// after `failure_threshold` consecutive failures and up after `success_threshold` successes; the
// GSLB believes the site healthy while more than `healthy_fraction` of its checkers do (Route 53:
// 18%). Transitions go to the event log ("gslb", "health").
// The run starts with the resolvers in equilibrium, not all fetching at t = 0: a resolver's first
// answer is held for the residual of a hold already under way (U(0, hold) for fixed holds; for
// violators, the residual of a renewal process started long before), so their refreshes are
// spread in time as in a system that has been running.
// Every change of what the GSLB would answer (health, weights, draining) starts a new epoch; an
// answer from an older epoch is "stale" (series column dns_stale).
#pragma once

#include <string>
#include <vector>

#include "models/common/distribution.h"
#include "models/common/site_health.h"
#include "models/gslb/site_selector.h"
#include "models/gslb/topology.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/simulator.h"

namespace models {

enum class GslbPolicy { kWeighted, kFailover, kLatency, kLeastLoaded };
const char* gslb_policy_name(GslbPolicy p);

struct HealthCheckConfig {
  sim::SimTime interval = sim::seconds(30);         // Route 53 standard; 10 s "fast"
  sim::SimTime timeout = sim::seconds(4);           // Route 53: 4 s to connect
  sim::SimTime response_timeout = sim::seconds(2);  // Route 53: 2 s to answer once connected
  int failure_threshold = 3;
  int success_threshold = 3;
  int checkers = 1;                // independent checkers per site (Route 53 uses many regions)
  double healthy_fraction = 0.18;  // healthy while more than this fraction of checkers say so
  double cost_s = 0.001;           // CPU of one check in the pod that answers it
};

struct StaleClientMix {
  double honor = 0.6;      // keep the answer for the TTL
  double floor = 0.3;      // keep it for max(TTL, floor_time)
  double violators = 0.1;  // keep it for violator_hold
  sim::SimTime floor_time = sim::seconds(60);
  Distribution violator_hold = Distribution::exponential(520).with_offset(60);
  static StaleClientMix none() {
    return {1.0, 0.0, 0.0, sim::seconds(60), Distribution::constant(0)};
  }
};

struct DnsGslbConfig {
  GslbPolicy policy = GslbPolicy::kWeighted;
  std::vector<double> weights;      // per site (weighted)
  std::vector<int> failover_order;  // site indexes, highest priority first (failover)
  bool fail_open = true;
  sim::SimTime ttl = sim::seconds(60);
  int resolvers_per_region = 200;
  StaleClientMix stale;
  HealthCheckConfig health;
  sim::SimTime load_report_interval = sim::seconds(10);  // least-loaded
  // Per site (empty: none): sites outside the GSLB's record (staging), never answered and never
  // checked, not even when failing open.
  std::vector<bool> outside;
};

class DnsGslb final : public SiteSelector, private HealthCheckObserver {
 public:
  DnsGslb(sim::Simulator& sim, sim::RngStream rng, const DnsGslbConfig& cfg,
          std::vector<SiteHealth*> sites, std::vector<std::string> site_names,
          const Topology& topology, sim::Recorder& rec);
  DnsGslb(const DnsGslb&) = delete;
  DnsGslb& operator=(const DnsGslb&) = delete;

  // Starts the health checks (and load reports for least-loaded).
  void start();
  SiteAnswer select(const ClientContext& client) override;

  // Operator actions (each logged).
  void set_weights(const std::vector<double>& weights) override;
  void set_ttl(sim::SimTime ttl);
  void set_drained(int site, bool drained);

  void add_health_listener(HealthListener* l) { listeners_.push_back(l); }
  bool believes_healthy(int site) const { return healthy_[static_cast<std::size_t>(site)]; }
  uint32_t epoch() const { return epoch_; }
  const DnsGslbConfig& config() const { return cfg_; }

 private:
  struct Resolver {
    int site = kNoSite;
    sim::SimTime expiry;  // the cached answer is used while now < expiry
    uint32_t epoch = 0;
    uint8_t kind = 0;     // 0 honour, 1 floor, 2 violator
    bool primed = false;  // has held an answer (the first hold is a residual one)
  };
  struct Checker {
    int fails = 0, passes = 0;
    bool healthy = true;
    bool waiting = false;  // a check is out, not decided yet
    uint32_t seq = 0;      // of the check out (answers of older checks are ignored)
    sim::SimTime sent, first_failure;
    sim::EventId deadline;
  };
  int answer(int region);
  int weighted_pick(const std::vector<int>& candidates, bool use_weights);
  sim::SimTime hold(const Resolver& r);
  sim::SimTime residual_hold(const Resolver& r);
  void probe(std::size_t checker);
  void on_check_result(uint64_t token, CheckOutcome outcome) override;
  void check_done(std::size_t checker, uint32_t seq, bool ok);
  void update_site(int site);
  void new_epoch(const std::string& why);

  sim::Simulator& sim_;
  sim::RngStream rng_;
  DnsGslbConfig cfg_;
  std::vector<SiteHealth*> sites_;
  std::vector<std::string> names_;
  const Topology& topology_;
  sim::Recorder& rec_;
  std::vector<Resolver> resolvers_;  // region-major
  std::vector<bool> healthy_, drained_;
  std::vector<Checker> checkers_;  // site-major: site x checkers + k
  std::vector<double> load_;
  std::vector<HealthListener*> listeners_;
  uint32_t epoch_ = 0;
};

}  // namespace models
