// gui/replay: what the viewer's dashboard shows at a time equals the results database, computed
// here independently with SQL, at moments before, during and after demo 4's outage.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>

#include "config/loader.h"
#include "engine/run.h"
#include "gui/replay.h"
#include "store/results_writer.h"
#include "store/sqlite.h"
#include "support/demo4.h"

namespace fs = std::filesystem;

TEST_CASE("Viewer numbers equal the results database before, during and after demo 4's outage") {
  const gui::Replay r = gui::Replay::load(support::demo4_db());
  store::Db db(support::demo4_db(), store::Db::Mode::kReadOnly);
  REQUIRE(r.entity_names() == std::vector<std::string>{"all", "private", "public"});
  for (double t : {540.0, 605.5, 620.0, 660.0, 1200.0, 1520.0, 1800.0}) {
    const gui::DashboardState st = gui::state_at(r, t);
    for (std::size_t e = 0; e < 3; ++e) {
      const gui::Numbers& n = st.numbers[e];
      INFO("t " << t << " " << n.entity);
      const support::Sums w = support::window(db, n.entity, t);
      REQUIRE(w.dt == Approx(10));
      CHECK(n.tps == Approx(w.completions / w.dt));
      CHECK(n.velocity == Approx(w.arrivals / w.dt));
      CHECK(n.errors_per_s == Approx(w.failed / w.dt));
      if (w.completions + w.failed > 0)
        CHECK(n.apdex == Approx((w.sat + w.tol / 2) / (w.completions + w.failed)));
      else
        CHECK(std::isnan(n.apdex));
      CHECK(n.active_users == Approx(support::level(db, n.entity, "active_users", t)));
      CHECK(n.replicas_ready == support::level(db, n.entity, "replicas_ready", t));
      CHECK(n.replicas_desired == support::level(db, n.entity, "replicas_desired", t));
      CHECK(n.nodes == support::level(db, n.entity, "nodes", t));
      CHECK(n.cost == Approx(support::level(db, n.entity, "cost", t)).epsilon(1e-6));
    }
  }
  // The outage shows in the numbers: private serves nothing and fails, public takes the load.
  const gui::DashboardState during = gui::state_at(r, 660);
  CHECK(during.numbers[1].tps == 0);
  CHECK(during.numbers[2].tps > gui::state_at(r, 540).numbers[2].tps * 1.2);
}

TEST_CASE("Viewer site health follows the outage, the health checks and the recovery") {
  const gui::Replay r = gui::Replay::load(support::demo4_db());
  store::Db db(support::demo4_db(), store::Db::Mode::kReadOnly);
  const double down = support::first_event(db, "component = 'site/private' AND kind = 'outage'");
  const double detected =
      support::first_event(db, "kind = 'health' AND json_extract(details, '$.healthy') = 0");
  const double back =
      support::first_event(db, "kind = 'outage' AND json_extract(details, '$.recovered') = 1");
  const double healthy =
      support::first_event(db, "kind = 'health' AND json_extract(details, '$.healthy') = 1");
  REQUIRE(down < detected);
  REQUIRE(detected < back);
  REQUIRE(back < healthy);
  auto health = [&](double t) { return gui::state_at(r, t).sites[0].health; };
  CHECK(health(down - 1) == gui::Health::kUp);  // its bucket ends as the outage begins
  CHECK(health((down + detected) / 2) == gui::Health::kDetecting);
  CHECK(health((detected + back) / 2) == gui::Health::kDown);
  CHECK(health((back + healthy) / 2) == gui::Health::kRecovering);
  CHECK(health(healthy + 1) == gui::Health::kUp);
  // The screen shows the bucket holding the clock as it stands at its end: at the second of the
  // mark-down (which falls inside it) the site is already down, as the tiles beside it show.
  REQUIRE(detected != std::floor(detected));
  CHECK(health(std::floor(detected)) == gui::Health::kDown);
  CHECK(r.state_time(std::floor(detected)) > detected);
  for (double t : {down - 1, (down + detected) / 2, healthy + 100})
    CHECK(gui::state_at(r, t).sites[1].health == gui::Health::kUp);
  CHECK(gui::state_at(r, 0).sites[0].weight == Approx(30));
  CHECK(gui::state_at(r, 0).sites[1].weight == Approx(70));
}

TEST_CASE("Viewer pods by state match the replicas the series recorded") {
  const gui::Replay r = gui::Replay::load(support::demo4_db());
  store::Db db(support::demo4_db(), store::Db::Mode::kReadOnly);
  // A pod's state at the end of a bucket against the bucket's ready count, at several times.
  for (double t : {300.0, 599.0, 700.0, 900.0, 1700.0, 2300.0}) {
    for (std::size_t k = 0; k < 2; ++k) {
      const std::string site = r.sites()[k].name;
      INFO("t " << t << " " << site);
      const gui::DashboardState st = gui::state_at(r, t + 0.999999);
      CHECK(st.sites[k].pods_by_state[static_cast<int>(gui::PodState::kReady)] ==
            support::level(db, site, "replicas_ready", t));
    }
  }
  // During the outage the private site has no pods at all.
  const gui::DashboardState st = gui::state_at(r, 700);
  int any = 0;
  for (int s = 0; s < gui::kPodStates; ++s) any += st.sites[0].pods_by_state[s];
  CHECK(any == 0);
}

TEST_CASE("Viewer replay loads captions, events, the T-map and refuses a bad file") {
  const gui::Replay r = gui::Replay::load(support::demo4_db());
  CHECK(r.captions().size() == 9);  // the narration of demo 4
  REQUIRE(r.caption_at(620) != nullptr);
  CHECK(r.caption_at(620)->text.find("fails") != std::string::npos);
  CHECK(r.regions().size() == 1);
  CHECK(r.regions()[0].name == "seoul");
  CHECK(r.duration_s() == Approx(2400));
  // The T-map holds every completion of the overall series.
  const gui::Tmap& m = r.tmaps()[0];
  double hist = 0, done = 0;
  for (uint32_t c : m.counts) hist += c;
  for (float c : r.overall().completions) done += std::isnan(c) ? 0 : c;
  CHECK(hist == done);
  // Events: next and previous around a time.
  const std::size_t i = r.next_event(600);
  REQUIRE(i < r.events().size());
  CHECK(r.events()[i].t > 600);
  CHECK(r.events()[r.prev_event(r.events()[i].t)].t < r.events()[i].t);
  CHECK_THROWS_WITH(gui::Replay::load("/nonexistent/x.sqlite"),
                    Catch::Contains("/nonexistent/x.sqlite"));
}

TEST_CASE("Viewer GSLB weights follow the operator's change in demo 2") {
  const gui::Replay r = gui::Replay::load(support::demo_db("02-gslb-weighted.yaml"));
  const auto before = gui::state_at(r, 1199).sites;
  const auto after = gui::state_at(r, 1201).sites;
  CHECK(before[0].weight == Approx(30));
  CHECK(before[1].weight == Approx(70));
  CHECK(after[0].weight == Approx(50));
  CHECK(after[1].weight == Approx(50));
  CHECK(r.regions().size() == 2);
}

TEST_CASE("Viewer replay refuses a corrupt results file with the table and row, at once") {
  const std::string bad = (std::filesystem::temp_directory_path() /
                           ("hcsim-corrupt-view-" + std::to_string(getpid()) + ".sqlite"))
                              .string();
  std::filesystem::copy_file(support::demo4_db(), bad,
                             std::filesystem::copy_options::overwrite_existing);
  {
    store::Db db(bad, store::Db::Mode::kReadWrite);
    // Once made the viewer allocate without bound; now refused before anything is allocated.
    db.exec(
        "UPDATE rt_hist SET first_bin = 2000000000 WHERE t_ns = (SELECT max(t_ns) FROM rt_hist)");
  }
  CHECK_THROWS_WITH(gui::Replay::load(bad), Catch::Contains("table rt_hist, run 1, entity") &&
                                                Catch::Contains("are not among the"));
  std::filesystem::remove(bad);
}

TEST_CASE("Viewer: a replicas chart click finds the site's latest logged autoscaler decision") {
  const gui::Replay r = gui::Replay::load(support::demo4_db());
  const std::vector<gui::Event>& ev = r.events();
  for (const std::string site : {"private", "public"}) {
    // Every explainable decision of the site: decision_at just after it returns it, and just
    // before the next one still returns it.
    std::vector<std::size_t> own;
    for (std::size_t i = 0; i < ev.size(); ++i) {
      if (gui::explainable(ev[i]) && ev[i].component.ends_with("/" + site) &&
          !ev[i].component.starts_with("site/"))
        own.push_back(i);
    }
    REQUIRE_FALSE(own.empty());
    CHECK(r.decision_at(site, ev[own.front()].t - 1) >= ev.size());
    for (std::size_t k = 0; k < own.size(); ++k) {
      const std::size_t found = r.decision_at(site, ev[own[k]].t + 1e-3);
      REQUIRE(found < ev.size());
      CHECK(ev[found].t == ev[own[k]].t);
      CHECK(ev[found].component == ev[own[k]].component);
      CHECK(ev[found].details.has("metrics"));
    }
  }
  CHECK(r.decision_at("nowhere", r.duration_s()) >= ev.size());
}

TEST_CASE("Viewer: a backtest's observed replicas and CPU hold their latest value per bucket") {
  const std::string p =
      (fs::temp_directory_path() / ("hcsim-test-" + std::to_string(getpid()) + "-backtest.sqlite"))
          .string();
  fs::remove(p);
  config::Scenario s = config::load_scenario_file(
      std::string(HCSIM_SOURCE_DIR) + "/scenarios/examples/backtest-prometheus.yaml",
      {"duration=20m", "allow_late=true"});
  {
    store::ResultsDb db(p);
    engine::run_into_db(db, s, engine::RunLabel(s.seed), engine::RunControl{});
  }
  const gui::Replay r = gui::Replay::load(p);
  store::Db db(p, store::Db::Mode::kReadOnly);
  for (std::size_t e = 1; e < r.entity_names().size(); ++e) {
    const gui::Series& x = r.series()[e];
    REQUIRE(x.observed_replicas.size() == x.size());
    REQUIRE(x.observed_cpu.size() == x.size());
    for (std::size_t b = 0; b < x.size(); b += 7) {
      // The latest observed sample at or before the bucket's start, by SQL.
      store::Stmt st(db,
                     "SELECT value FROM samples WHERE run_id = 1 AND component = ? AND name = "
                     "'replicas' AND t_ns <= ? ORDER BY t_ns DESC LIMIT 1");
      st.bind(1, "observed/" + r.entity_names()[e])
          .bind(2, static_cast<int64_t>(std::llround(x.t[b] * 1e9)));
      REQUIRE(st.step());
      CHECK(x.observed_replicas[b] == static_cast<float>(st.real(0)));
    }
  }
  fs::remove(p);
}

TEST_CASE("Viewer health: marked down without a fault is down, recovering only after a fault") {
  // Demo 3: no fault; the overloaded sites fail their checks and are marked down (12m: both).
  const gui::Replay surge = gui::Replay::load(support::demo_db("03-user-surge-autoscale.yaml"));
  const gui::DashboardState st = gui::state_at(surge, 12 * 60 + 40);
  for (const gui::SiteView& v : st.sites) {
    INFO(v.name);
    CHECK(v.health == gui::Health::kDown);
  }
  // Demo 4: private's fault ends at 25m; until the GSLB takes it back it is recovering.
  const gui::Replay dr = gui::Replay::load(support::demo4_db());
  CHECK(gui::state_at(dr, 10 * 60 + 15).sites[0].health == gui::Health::kDetecting);
  CHECK(gui::state_at(dr, 20 * 60).sites[0].health == gui::Health::kDown);
  CHECK(gui::state_at(dr, 25 * 60 + 5).sites[0].health == gui::Health::kRecovering);
  CHECK(gui::state_at(dr, 39 * 60).sites[0].health == gui::Health::kUp);
}
