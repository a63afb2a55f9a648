// models/common/request.h: a user request in flight, the pool that stores them, and the narrow
// interfaces along a request's path: client -> (SiteSelector) -> RequestSink (a site) ->
// ResponseHandler (back to the client).
//
// Requests live in a RequestPool and are named by a 32-bit RequestId; the pool reuses freed
// entries, so steady-state traffic allocates nothing. The client that sent a request owns it and
// frees it when it receives the response or the failure.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/assert.h"
#include "sim/time.h"

namespace models {

using RequestId = uint32_t;
inline constexpr int kNoSite = -1;

// Why a request failed, as the client sees it.
enum class FailureCause : uint8_t {
  kRejected = 0,   // the site's accept queue was full (HTTP 503)
  kTimeout,        // the client gave up waiting
  kSiteDown,       // the site was down: connection refused or reset
  kUnreachable,    // the site could not be reached (network partition)
  kNoHealthySite,  // the GSLB had no site to answer with
  kUnavailable,    // the site had no ready pod (HTTP 503 from the ingress)
  kAborted,        // in progress when its pod was killed (grace period over, node or site lost)
  kRefused,        // sent to a pod that was not listening: shutting down or restarting
  kNoPrimary,      // a write while no database primary could take it (failover, promotion)
  kPoolTimeout,    // waited longer than its pod pool's connection timeout for a database connection
  kDbDown,         // a read whose database could not be reached (the site hosting it was down)
  kCount
};
inline constexpr int kFailureCauseCount = static_cast<int>(FailureCause::kCount);
// Stable names used in series columns ("failed_<name>") and the summary JSON.
const char* failure_cause_name(FailureCause c);

class ResponseHandler;

struct Request {
  sim::SimTime sent;     // when the client sent it
  double demand_ns = 0;  // CPU work, in core-nanoseconds at full speed
  ResponseHandler* client = nullptr;
  uint32_t user = 0;       // meaning defined by the client (a user index)
  uint32_t tag = 0;        // meaning defined by the client
  int16_t site = kNoSite;  // the site it was sent to
  uint16_t region = 0;     // the client's region (round trips depend on it)
  uint16_t attempt = 0;    // 0 for the first try, then retries
  bool write = false;      // writes data (replication, RPO)
  bool probe = false;      // a health probe (kubelet or GSLB): not a user's request, not counted
};

class RequestPool {
 public:
  // A request with every field at its default (a reused entry keeps nothing of its past).
  RequestId alloc() {
    if (!free_.empty()) {
      const RequestId id = free_.back();
      free_.pop_back();
      items_[id] = Request{};
      return id;
    }
    SIM_ASSERT(items_.size() < 0xffffffffu, "too many requests in flight");
    items_.emplace_back();
    return static_cast<RequestId>(items_.size() - 1);
  }
  void free(RequestId id) { free_.push_back(id); }
  Request& operator[](RequestId id) { return items_[id]; }
  const Request& operator[](RequestId id) const { return items_[id]; }
  std::size_t in_use() const { return items_.size() - free_.size(); }
  std::size_t capacity() const { return items_.size(); }

 private:
  std::vector<Request> items_;
  std::vector<RequestId> free_;
};

// The client side of a request: told once, either of the response or of the failure.
class ResponseHandler {
 public:
  virtual ~ResponseHandler() = default;
  // The site finished serving the request at sim.now().
  virtual void on_response(RequestId id) = 0;
  virtual void on_failure(RequestId id, FailureCause cause) = 0;
};

// Something that accepts requests (a site). REQUIRES: the caller does not touch the request
// after submit(): the site may fail it (and the client free it) before submit() returns.
class RequestSink {
 public:
  virtual ~RequestSink() = default;
  virtual void submit(RequestId id) = 0;
};

// Observes requests from the client's point of view (the metrics collector implements it).
// site is kNoSite for requests that never reached a site.
class TrafficObserver {
 public:
  virtual ~TrafficObserver() = default;
  // stale_dns: the site came from a DNS answer older than the GSLB's latest change. retry: the
  // request is a closed-loop user's retry of a failed attempt.
  virtual void on_send(int site, bool stale_dns, bool retry) = 0;
  // rt: client-observed response time (network round trip + wait + service). sent: when the
  // client sent the request (the summary counts an outcome in the period its request was sent).
  virtual void on_response(int site, sim::SimTime rt, sim::SimTime sent) = 0;
  virtual void on_failure(int site, FailureCause cause, sim::SimTime sent) = 0;
};

// Told when a site finished serving a request with the write flag: the write path commits it.
class WriteObserver {
 public:
  virtual ~WriteObserver() = default;
  // False when no database could take the write (no primary): the site fails the request.
  virtual bool on_write_commit(int site, sim::SimTime at) = 0;
};

// Told how much longer than a read a write served at `site` takes for its client (synchronous
// replication, a round trip to a remote primary). Changes when the primary moves.
class WriteLatencySink {
 public:
  virtual ~WriteLatencySink() = default;
  virtual void set_write_latency(int site, sim::SimTime extra) = 0;
};

// Users logged in and active (closed-loop traffic), per site (kNoSite: all).
// What closed-loop users lived through, cumulative since the start of the run.
struct UserCounts {
  int paused = 0;                    // now: users pausing after abandonment
  double paused_user_seconds = 0;    // the integral of `paused` over time
  uint64_t abandonments = 0;         // times a user gave up after failed interactions in a row
  uint64_t interactions_ok = 0;      // interactions answered (after retries, if any)
  uint64_t interactions_failed = 0;  // interactions that failed after all retries
};

class ActiveUsersSource {
 public:
  virtual ~ActiveUsersSource() = default;
  virtual int active_users(int site) const = 0;
  virtual UserCounts user_counts() const = 0;
};

}  // namespace models
