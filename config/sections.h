// config/sections.h: the loader's sections (internal to config/). Each parse_* reads one part of
// a scenario file into the Scenario, strictly: unknown keys, bad units and out-of-range values
// fail with file:line:column and the key path (config/yaml_reader.h). The root (loader.cc) calls
// them in an order where each finds what it refers to: sites before traffic, topology and GSLB,
// the GSLB before DR, everything before events and faults.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/fields.h"
#include "config/scenario.h"
#include "config/yaml_reader.h"
#include "models/common/profile.h"
#include "sim/time.h"

namespace config {

inline constexpr sim::SimTime kMaxDuration = sim::hours(24 * 3650);  // ten years
inline constexpr double kMaxRate = 1e9;                              // requests per second

// ---- values shared by sections (values.cc) ----
// Site, region and hub names: a letter, then letters, digits, '-' and '_', at most 64.
bool valid_name(const std::string& s);
// `rel` relative to the file `n` was read from (unchanged when absolute or from --set).
std::string resolve_relative(const Node& n, const std::string& rel);
// A site named by a scalar (events, replication, GSLB order): its index, or a located error.
int site_ref(const Node& n, const Scenario& s);
// Per-site weights written as a map {site: weight}; sites not named get 0.
std::vector<double> parse_weights(const Node& wn, const Scenario& s);
// kFactor: a plain multiplier (the second and later operands of a product).
enum class ValueKind { kRate, kCount, kFactor };
// A rate, count or factor over time: a plain value, or {profile: constant|steps|ramp|
// flash_crowd|diurnal|trace|sum|product, ...}.
// `s`, when given, receives warnings (a trace that ends before the run does).
models::Profile parse_profile(const Node& n, ValueKind kind, Scenario* s = nullptr);

// The scenario's topology over its sites (their names and client round trips), as the engine
// builds it: for checks that need round trips between sites.
models::Topology topology_of(const Scenario& s);
// The most pods a site can run at once: the larger of its replicas and its autoscaler's maximum,
// capped by what its nodes (and quota) can hold.
int64_t most_pods(const SiteSpec& spec);
// A located warning ("file:line:column: path: message"), kept in s->warnings.
void warn(const Node& n, const std::string& message, Scenario* s);
// An item (`what`: "outage", "narration line" ...) timed at `at`, read from `at_node`: true when
// the run reaches it. An item at or after the end is an error naming --allow-late; with
// allow_late it is a warning and false (the caller drops it).
bool within_run(const Node& at_node, sim::SimTime at, const std::string& what, Scenario* s);

// ---- sections ----
void parse_traffic(const Node& n, Scenario* s);           // load_traffic.cc
void parse_sites(const Node& n, Scenario* s);             // load_sites.cc
models::ImageSpec parse_image(const Node& n);             // load_sites.cc
void parse_autoscaler(const Node& n, AutoscalerSpec* a);  // load_autoscalers.cc
void set_min_replicas(AutoscalerSpec* a, int32_t n);      // load_autoscalers.cc
void parse_topology(const Node& n, Scenario* s);          // load_network.cc
// After sites:, traffic: and topology: the sites' database clients get the requests' database
// work and their round trip to a database at another site.
void finish_databases(const Node& sites, const Node& traffic, Scenario* s);  // load_sites.cc
void parse_gslb(const Node& n, Scenario* s);                                 // load_network.cc
void parse_dr(const Node& n, const Node& gslb_node, Scenario* s);            // load_dr.cc
void parse_replication(const Node& n, Scenario* s);                          // load_dr.cc
// After dr: and replication: (the write path needs both). `dr_node` is the dr: section.
void check_write_path(const Node& dr_node, Scenario* s);              // load_dr.cc
void parse_slo(const Node& n, Scenario* s);                           // load_dr.cc
models::FaultSpec parse_fault_spec(MapReader& m, const Scenario& s);  // load_dr.cc
void parse_faults(const Node& n, Scenario* s);                        // load_dr.cc
void parse_events(const Node& n, Scenario* s);                        // load_events.cc
void parse_expect(const Node& n, Scenario* s);                        // load_events.cc
void parse_narration(const Node& n, Scenario* s);                     // load_events.cc
// Last, on the whole scenario (`root`): unschedulable pods are errors; autoscaler limits beyond
// the node pool, and timers the run never reaches, are warnings.
void check_feasibility(const Node& root, Scenario* s);  // checks.cc

}  // namespace config
