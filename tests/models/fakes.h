// tests/models/fakes.h: fake neighbours for component tests.
#pragma once

#include <vector>

#include "models/common/request.h"
#include "sim/simulator.h"

namespace fakes {

// A client that records when each request finished or failed.
class Client final : public models::ResponseHandler {
 public:
  Client(sim::Simulator& sim, models::RequestPool& pool) : sim_(sim), pool_(pool) {}
  models::RequestId make(double demand_s) {
    const models::RequestId id = pool_.alloc();
    models::Request& r = pool_[id];
    r = {};
    r.sent = sim_.now();
    r.demand_ns = demand_s * 1e9;
    r.client = this;
    return id;
  }
  void on_response(models::RequestId id) override {
    done.push_back({id, sim_.now()});
    pool_.free(id);
  }
  void on_failure(models::RequestId id, models::FailureCause c) override {
    failed.push_back({id, c});
    pool_.free(id);
  }
  struct Done {
    models::RequestId id;
    sim::SimTime at;
  };
  struct Failed {
    models::RequestId id;
    models::FailureCause cause;
  };
  std::vector<Done> done;
  std::vector<Failed> failed;

 private:
  sim::Simulator& sim_;
  models::RequestPool& pool_;
};

}  // namespace fakes
