// models/gslb/site_selector.h: how a client's request picks a site.
//
// The interface every global traffic policy implements: the per-request WeightedSplit (an
// anycast or proxied global load balancer) and the DNS-based DnsGslb, where the answer depends
// on the client's region and resolver and on what that resolver has cached.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/common/request.h"
#include "sim/recorder.h"

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

// Always the same site: test traffic aimed at one site directly (a load test of a staging site),
// past the GSLB.
class PinnedSelector final : public SiteSelector {
 public:
  explicit PinnedSelector(int site) : site_(site) {}
  SiteAnswer select(const ClientContext&) override { return {site_, false}; }
  void set_weights(const std::vector<double>&) override {}

 private:
  int site_;
};

// Logs a change of the sites' weights (component "gslb", kind `kind`): the message lists them
// as whole numbers for people; the details hold {"weights": {site: weight}}.
void record_weights(sim::Recorder& rec, sim::SimTime t, std::string_view kind,
                    const std::vector<std::string>& names, const std::vector<double>& weights);

}  // namespace models
