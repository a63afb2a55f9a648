// models/gslb/site_selector.h: how a client's request picks a site.
//
// The interface every global traffic policy implements. This step ships WeightedSplit (an ideal
// per-request split, like an anycast or proxied global load balancer); the DNS-based GSLB with
// resolver caches and health checks implements the same interface, keyed by the client.
#pragma once

#include <cstdint>

namespace models {

class SiteSelector {
 public:
  virtual ~SiteSelector() = default;
  // The site index for a new request from `client` (a user or client id), or kNoSite.
  virtual int select(uint32_t client) = 0;
};

}  // namespace models
