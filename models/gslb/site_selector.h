// models/gslb/site_selector.h: how a client's request picks a site.
//
// The interface every global traffic policy implements: the per-request WeightedSplit (an
// anycast or proxied global load balancer) and the DNS-based DnsGslb, where the answer depends
// on the client's region and resolver and on what that resolver has cached.
#pragma once

#include <cstdint>
#include <vector>

#include "models/common/request.h"

namespace models {

struct ClientContext {
  int region = 0;         // index of the client's region
  uint32_t resolver = 0;  // index of its resolver within the region
};

struct SiteAnswer {
  int site = kNoSite;
  bool stale = false;  // the answer predates the GSLB's latest change (cached DNS)
};

class SiteSelector {
 public:
  virtual ~SiteSelector() = default;
  virtual SiteAnswer select(const ClientContext& client) = 0;
  // Operator actions. Weights are per site (policies that ignore weights ignore them).
  virtual void set_weights(const std::vector<double>& weights) = 0;
};

}  // namespace models
