#include "runner/run.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "runner/json.h"
#include "runner/world.h"

namespace runner {

namespace {

void check_one(std::vector<ExpectCheck>* out, const std::string& scope, const Expectations& e,
               const models::EntitySummary& s) {
  auto add = [&](const char* key, const std::optional<double>& limit, double value, bool is_min) {
    if (!limit) return;
    const bool ok = !std::isnan(value) && (is_min ? value >= *limit : value <= *limit);
    out->push_back({scope, key, *limit, value, ok});
  };
  add("apdex_min", e.apdex_min, s.apdex, true);
  add("error_rate_max", e.error_rate_max, s.error_rate, false);
  add("rt_p95_max_s", e.rt_p95_max_s, s.rt_p95_s, false);
  add("rt_p99_max_s", e.rt_p99_max_s, s.rt_p99_s, false);
}

void entity_json(JsonWriter& j, const models::EntitySummary& e) {
  j.begin_object();
  j.key("requests").value(e.requests);
  j.key("completed").value(e.completed);
  j.key("failed").value(e.failed);
  j.key("failed_by").begin_object();
  for (int c = 0; c < models::kFailureCauseCount; ++c) {
    j.key(models::failure_cause_name(static_cast<models::FailureCause>(c)))
        .value(e.failed_by[static_cast<std::size_t>(c)]);
  }
  j.end_object();
  j.key("error_rate").value(e.error_rate);
  j.key("apdex").value(e.apdex);
  j.key("rt_mean_s").value(e.rt_mean_s);
  j.key("rt_p50_s").value(e.rt_p50_s);
  j.key("rt_p95_s").value(e.rt_p95_s);
  j.key("rt_p99_s").value(e.rt_p99_s);
  j.key("rt_max_s").value(e.rt_max_s);
  j.key("throughput_rps").value(e.throughput_rps);
  j.key("inflight_mean").value(e.inflight_mean);
  j.key("cpu_util").value(e.cpu_util);
  j.key("max_replicas").value(e.max_replicas);
  j.key("pod_seconds").value(e.pod_seconds);
  j.end_object();
}

}  // namespace

std::vector<ExpectCheck> check_expectations(const Scenario& s, const models::RunSummary& summary) {
  std::vector<ExpectCheck> out;
  check_one(&out, "overall", s.expect, summary.overall);
  for (const SiteExpectations& se : s.site_expect) {
    const int i = s.site_index(se.site);
    check_one(&out, se.site, se.expect, summary.sites[static_cast<std::size_t>(i)]);
  }
  return out;
}

std::string summary_to_json(const Scenario& s, uint64_t seed, const RunResult& r) {
  JsonWriter j(true);
  j.begin_object();
  j.key("scenario").value(s.name);
  j.key("seed").value(seed);
  j.key("status").value(r.status);
  j.key("duration_s").value(s.duration.seconds());
  j.key("simulated_s").value(r.sim_end.seconds());
  j.key("warmup_s").value(s.metrics.warmup.seconds());
  j.key("measured_s").value(r.summary.measured_s);
  j.key("overall");
  entity_json(j, r.summary.overall);
  j.key("sites").begin_object();
  for (const auto& site : r.summary.sites) {
    j.key(site.name);
    entity_json(j, site);
  }
  j.end_object();
  j.key("expect").begin_object();
  if (r.expect_passed)
    j.key("passed").value(*r.expect_passed);
  else
    j.key("passed").null();
  j.key("checks").begin_array();
  for (const ExpectCheck& c : r.checks) {
    j.begin_object();
    j.key("scope").value(c.scope).key("key").value(c.key).key("limit").value(c.limit);
    j.key("value").value(c.value).key("passed").value(c.passed);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  j.end_object();
  return j.str() + "\n";
}

RunResult execute(const Scenario& s, uint64_t seed, sim::Recorder& rec, const RunControl& control) {
  const auto wall0 = std::chrono::steady_clock::now();
  World world(s, seed, rec);
  world.simulator().set_stop_flag(control.stop);
  world.start();
  RunResult r;
  constexpr uint64_t kSlice = 1 << 18;
  for (;;) {
    const auto status = world.advance(kSlice);
    if (control.on_progress) control.on_progress(world.simulator().now());
    if (status == sim::Simulator::RunStatus::kReachedEnd) {
      r.status = "completed";
      break;
    }
    if (status == sim::Simulator::RunStatus::kStopped ||
        (control.stop != nullptr && control.stop->load())) {
      r.status = "interrupted";
      break;
    }
  }
  world.finish();
  r.summary = world.summary();
  r.events = world.simulator().events_executed();
  r.fingerprint = world.simulator().fingerprint();
  r.sim_end = world.simulator().now();
  if (r.status == "completed") {
    r.checks = check_expectations(s, r.summary);
    if (!r.checks.empty()) {
      r.expect_passed = true;
      for (const auto& c : r.checks) r.expect_passed = *r.expect_passed && c.passed;
    }
  }
  r.summary_json = summary_to_json(s, seed, r);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return r;
}

RunResult run_into_db(ResultsDb& db, const RunInfo& info, const RunControl& control,
                      int64_t* run_id_out) {
  const int64_t run_id = db.begin_run(info);
  if (run_id_out != nullptr) *run_id_out = run_id;
  RunResult r;
  try {
    RunRecorder rec(db, run_id);
    r = execute(*info.scenario, info.seed, rec, control);
    rec.flush();
  } catch (const std::exception& e) {
    RunEnd end;
    end.status = "failed";
    end.message = e.what();
    try {
      db.end_run(run_id, end);
    } catch (...) {
    }
    throw;
  }
  RunEnd end;
  end.status = r.status;
  end.sim_end = r.sim_end;
  end.events = r.events;
  end.fingerprint = r.fingerprint;
  end.expect_passed = r.expect_passed;
  end.summary_json = r.summary_json;
  end.wall_seconds = r.wall_seconds;
  if (r.status == "interrupted")
    end.message = "interrupted at t=" + sim::format_duration(r.sim_end);
  db.end_run(run_id, end);
  return r;
}

}  // namespace runner
