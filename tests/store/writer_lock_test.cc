// store/writer_lock.h: one writer per results file, in one process (a second lock on the same
// file conflicts, as across processes; tests/cli/sweep_test.cc races two processes).
#include "store/writer_lock.h"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "store/results_writer.h"

namespace fs = std::filesystem;

namespace {

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("hcsim-lock-" + std::to_string(getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { fs::remove_all(dir); }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
};

}  // namespace

TEST_CASE("WriterLock: a second writer is refused with the holder's pid, command and time") {
  Scratch s;
  const std::string results = s / "r.sqlite";
  CHECK(store::current_writer(results).empty());
  {
    store::WriterLock first(results, "hcsim sweep a.yaml");
    const std::string who = store::current_writer(results);
    CHECK(who.find("pid " + std::to_string(getpid()) + " (hcsim sweep a.yaml), writing since 20") ==
          0);
    try {
      store::WriterLock second(results, "hcsim run b.yaml");
      FAIL("a second writer got the lock");
    } catch (const store::WriterBusy& e) {
      const std::string what = e.what();
      CHECK(what.find(results + " is being written by pid ") == 0);
      CHECK(what.find("(hcsim sweep a.yaml)") != std::string::npos);
    }
    // Another file has its own lock.
    store::WriterLock other(s / "other.sqlite", "hcsim run c.yaml");
  }
  CHECK_FALSE(fs::exists(store::WriterLock::lock_path(results)));
  CHECK(store::current_writer(results).empty());
  store::WriterLock again(results, "hcsim merge");  // free again
  CHECK(store::current_writer(results).find("(hcsim merge)") != std::string::npos);
}

TEST_CASE("WriterLock: a lock file left by a killed writer does not block the next one") {
  Scratch s;
  const std::string results = s / "r.sqlite";
  std::ofstream(store::WriterLock::lock_path(results)) << "pid=999999\ncommand=hcsim sweep x\n";
  CHECK(store::current_writer(results).empty());  // nobody holds it
  store::WriterLock lock(results, "hcsim sweep y");
  CHECK(store::current_writer(results).find("(hcsim sweep y)") != std::string::npos);
}

TEST_CASE("inspect_results tells results files, their sweep and scenarios from other files") {
  Scratch s;
  CHECK_FALSE(store::inspect_results(s / "none.sqlite").exists);
  std::ofstream(s / "notes.txt") << "not a database\n";
  const store::Holdings notes = store::inspect_results(s / "notes.txt");
  CHECK(notes.exists);
  CHECK_FALSE(notes.is_results);
  {
    store::ResultsDb db(s / "r.sqlite");
    store::RunInfo info;
    info.scenario_name = "portal";
    info.scenario_yaml = "name: portal\n";
    const int64_t id = db.begin_run(info);
    store::RunEnd end;
    end.status = "completed";
    db.end_run(id, end);
    info.scenario_name = "batch";
    db.begin_run(info);  // left running: killed
  }
  const store::Holdings r = store::inspect_results(s / "r.sqlite");
  CHECK(r.is_results);
  CHECK(r.sweep_name.empty());
  CHECK(r.runs == 2);
  CHECK(r.completed == 1);
  CHECK(r.scenarios == "batch, portal");
}

TEST_CASE("A results file whose writer was killed mid-transaction still reads, without it") {
  Scratch s;
  const std::string path = s / "r.sqlite";
  int64_t completed_run = 0;
  {
    store::ResultsDb db(path);
    store::RunInfo info;
    info.scenario_name = "portal";
    completed_run = db.begin_run(info);
    store::RunEnd end;
    end.status = "completed";
    db.end_run(completed_run, end);
  }
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Spill a transaction's pages to the file, then die without committing: a hot journal.
    store::Db db(path, store::Db::Mode::kReadWrite);
    db.exec("PRAGMA cache_size = 1");
    db.exec("BEGIN");
    for (int i = 0; i < 2000; ++i)
      db.exec("INSERT INTO meta(key, value) VALUES('k" + std::to_string(i) + "', '" +
              std::string(200, 'x') + "')");
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(fs::exists(path + "-journal"));
  store::Db db(path, store::Db::Mode::kReadOnly);  // rolls the journal back first
  store::Stmt st(db, "SELECT count(*) FROM meta WHERE key LIKE 'k%'");
  REQUIRE(st.step());
  CHECK(st.int64(0) == 0);  // the uncommitted rows are gone
  store::Stmt runs(db, "SELECT count(*) FROM runs WHERE status = 'completed'");
  REQUIRE(runs.step());
  CHECK(runs.int64(0) == 1);  // what was committed is kept
}
