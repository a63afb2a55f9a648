// config/load_traffic.cc: traffic: (open arrivals or closed-loop users, request demand, clients).
#include "config/sections.h"

namespace config {

using sim::SimTime;

namespace {

using models::ClientPolicy;

const Fields<ClientPolicy> kClient{
    duration("timeout", &ClientPolicy::timeout, sim::milliseconds(1), sim::hours(24)),
    duration("connect_timeout", &ClientPolicy::connect_timeout, SimTime::zero(), sim::hours(1)),
};
const Fields<ClientPolicy> kRetries{
    duration("backoff", &ClientPolicy::backoff, SimTime::zero(), sim::hours(1)),
    number("multiplier", &ClientPolicy::backoff_multiplier, 1, 100),
    number("jitter", &ClientPolicy::jitter, 0, 1),
};
const Fields<ClientPolicy> kAbandon{
    duration("pause", &ClientPolicy::abandon_pause, SimTime::zero(), sim::hours(24)),
};

void parse_client(const Node& n, ClientPolicy* c) {
  MapReader m = n.map();
  kClient.read(m, c);
  if (const Node r = m.get("retries"); r.present()) {
    MapReader rm = r.map();
    c->retries = static_cast<int>(rm.required("count").integer_in(0, 100));
    kRetries.read(rm, c);
    rm.finish();
  }
  if (const Node a = m.get("abandon"); a.present()) {
    MapReader am = a.map();
    c->abandon_after = static_cast<int>(am.required("after_failures").integer_in(1, 1000));
    kAbandon.read(am, c);
    am.finish();
  }
  m.finish();
}

}  // namespace

void parse_traffic(const Node& n, Scenario* s) {
  MapReader m = n.map();
  if (const Node k = m.get("kind"); k.present())
    s->traffic_kind =
        k.choice({"open", "closed"}) == "open" ? TrafficKind::kOpen : TrafficKind::kClosed;
  MapReader req = m.required("request").map();
  const models::Distribution demand =
      parse_duration_distribution(req.required("cpu"), sim::hours(24));
  double write_fraction = 0;
  if (const Node w = req.get("write_fraction"); w.present()) write_fraction = w.number_in(0, 1);
  if (const Node d = req.get("database"); d.present()) {
    // The database work of a request: read (every request) and write (writes, in addition), in
    // seconds of a database core.
    MapReader dm = d.map();
    s->db_read = parse_duration_distribution(dm.required("read"), sim::hours(1));
    if (const Node w = dm.get("write"); w.present())
      s->db_write = parse_duration_distribution(w, sim::hours(1));
    dm.finish();
    s->has_db_demand = true;
  }
  req.finish();
  if (s->traffic_kind == TrafficKind::kOpen) {
    s->open.rate = parse_profile(m.required("rate"), ValueKind::kRate, s);
    s->open.demand = demand;
    s->open.write_fraction = write_fraction;
    for (const char* key : {"users", "think_time", "client"}) {
      if (m.has(key))
        m.fail_key(key, std::string(key) + ": belongs to closed traffic (kind: closed)");
    }
  } else {
    if (m.has("rate"))
      m.fail_key("rate",
                 "closed traffic has users, not a rate: the users' think time and the response "
                 "times set the rate");
    s->closed.users = parse_profile(m.required("users"), ValueKind::kCount, s);
    if (const Node t = m.get("think_time"); t.present())
      s->closed.think_time = parse_duration_distribution(t, sim::hours(24));
    if (const Node c = m.get("client"); c.present()) parse_client(c, &s->closed.client);
    s->closed.demand = demand;
    s->closed.write_fraction = write_fraction;
  }
  for (SiteSpec& spec : s->sites) {  // staging sites' test requests: the same work by default
    if (spec.test_traffic && !spec.test_cpu_given) spec.test_traffic->demand = demand;
  }
  m.finish();
}

}  // namespace config
