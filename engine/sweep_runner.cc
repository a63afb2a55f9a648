#include "engine/sweep_runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "config/loader.h"
#include "engine/run.h"
#include "store/results_writer.h"
#include "store/runs.h"

namespace engine {

namespace fs = std::filesystem;

namespace {

struct Outcome {
  bool done = false;
  bool failed = false;  // an error (not a gate)
  std::string error;
};

// The work queue shared by the workers and the thread that merges.
class Pool {
 public:
  Pool(const std::vector<const config::PlannedRun*>& todo, const SweepRunnerOptions& options)
      : todo_(todo), options_(options), outcome_(todo.size()) {}

  std::string part_of(const config::PlannedRun& r) const {
    return options_.parts_dir + "/run-" + std::to_string(r.index + 1) + ".sqlite";
  }

  void work() {
    for (;;) {
      std::size_t k;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (next_ >= todo_.size() || stopping()) return;
        k = next_++;
      }
      const Outcome o = run_one(*todo_[k]);
      {
        std::lock_guard<std::mutex> lock(mu_);
        outcome_[k] = o;
      }
      cv_.notify_all();
    }
  }

  // Waits for run k; false when it will never run (the sweep was stopped before it started).
  bool wait_for(std::size_t k, std::size_t moved) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!outcome_[k].done) {
      if (stopping() && next_ <= k) return false;
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      lock.unlock();
      if (options_.on_progress) options_.on_progress(moved);
      lock.lock();
    }
    return true;
  }

  const Outcome& outcome(std::size_t k) {
    std::lock_guard<std::mutex> lock(mu_);
    return outcome_[k];
  }

 private:
  bool stopping() const { return options_.stop != nullptr && options_.stop->load(); }

  Outcome run_one(const config::PlannedRun& r) const {
    Outcome o;
    try {
      const config::Scenario s = config::load_scenario_file(r.scenario_file, r.sets);
      store::ResultsDb part(part_of(r));
      RunControl control;
      control.stop = options_.stop;
      RunLabel label(r.seed);
      label.config_id = r.config_id;
      label.config_label = r.config_label;
      label.replication = r.replication;
      label.run_id = r.index + 1;
      run_into_db(part, s, label, control);
    } catch (const std::exception& e) {
      o.failed = true;
      o.error = e.what();
    }
    o.done = true;
    return o;
  }

  const std::vector<const config::PlannedRun*>& todo_;
  const SweepRunnerOptions& options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Outcome> outcome_;
  std::size_t next_ = 0;
};

}  // namespace

SweepRunnerResult run_planned(store::Db& out, const std::vector<const config::PlannedRun*>& todo,
                              const SweepRunnerOptions& options) {
  fs::remove_all(options.parts_dir);
  fs::create_directories(options.parts_dir);
  Pool pool(todo, options);
  SweepRunnerResult result;
  result.workers = static_cast<int>(std::min<std::size_t>(
      static_cast<std::size_t>(std::max(options.jobs, 1)), std::max<std::size_t>(todo.size(), 1)));
  std::vector<std::thread> threads;
  for (int i = 0; i < result.workers; ++i) threads.emplace_back([&pool] { pool.work(); });
  for (std::size_t k = 0; k < todo.size(); ++k) {
    if (!pool.wait_for(k, k)) {
      result.interrupted = true;
      break;
    }
    const config::PlannedRun& r = *todo[k];
    const Outcome& o = pool.outcome(k);
    if (o.failed) {
      ++result.errors;
      if (options.on_error) options.on_error(r, o.error);
    }
    try {
      if (fs::exists(pool.part_of(r))) store::copy_run(out, pool.part_of(r), r.index + 1);
      fs::remove(pool.part_of(r));
    } catch (const std::exception& e) {
      ++result.errors;
      if (options.on_error) options.on_error(r, std::string("cannot store it: ") + e.what());
    }
  }
  for (auto& t : threads) t.join();
  std::error_code ec;
  fs::remove_all(options.parts_dir, ec);
  return result;
}

}  // namespace engine
