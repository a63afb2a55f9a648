// models/common/fault_target.h: what a fault can do to a site, and who wants to know.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/time.h"

namespace models {

enum class FaultKind { kFull, kPartial, kPartition, kBrownout };
const char* fault_kind_name(FaultKind k);

class FaultTarget {
 public:
  virtual ~FaultTarget() = default;
  virtual const std::string& target_site_name() const = 0;
  virtual void outage_begin() = 0;
  virtual void outage_end(bool cold) = 0;
  virtual std::vector<uint32_t> ready_node_ids() const = 0;
  virtual void lose_nodes(const std::vector<uint32_t>& nodes) = 0;
  virtual void restore_nodes(const std::vector<uint32_t>& nodes, bool cold) = 0;
  virtual void set_partition(bool from_gslb, bool from_clients) = 0;
  virtual void set_brownout(double factor) = 0;
};

// Told when a fault starts and ends (RTO and RPO trackers).
class OutageObserver {
 public:
  virtual ~OutageObserver() = default;
  virtual void on_fault_begin(int site, FaultKind kind, sim::SimTime at) = 0;
  virtual void on_fault_end(int site, FaultKind kind, sim::SimTime at) = 0;
};

}  // namespace models
