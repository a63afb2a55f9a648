// tests/perf/mmc_floor.cc: the floor for the M/M/c benchmark, a bare-minimum hand-written
// heap-based M/M/c loop (lambda = 8/s, mu = 1/s, c = 10, FCFS). No kernel, no metrics, no
// output but the mean response time; the same Boost.Random engine and exponential distribution
// as hcsim. The engine's speed is quoted as a ratio to this floor (DESIGN: within 2x).
// Usage: bench_mmc_floor [requests]   (default 20,000,000)
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <queue>
#include <vector>

int main(int argc, char** argv) {
  const long long n = argc > 1 ? std::atoll(argv[1]) : 20'000'000;
  const double lambda = 8.0, mu = 1.0;
  const int c = 10;
  boost::random::mt19937_64 rng(1);
  boost::random::exponential_distribution<double> exp1(1.0);
  struct Ev {
    double t;
    double arrived;  // < 0: an arrival event
    bool operator>(const Ev& o) const { return t > o.t; }
  };
  std::priority_queue<Ev, std::vector<Ev>, std::greater<Ev>> heap;
  std::deque<double> waiting;
  int busy = 0;
  long long arrivals = 0, done = 0;
  double sum_rt = 0;
  const auto t0 = std::chrono::steady_clock::now();
  heap.push({exp1(rng) / lambda, -1});
  while (done < n) {
    const Ev e = heap.top();
    heap.pop();
    if (e.arrived < 0) {
      ++arrivals;
      heap.push({e.t + exp1(rng) / lambda, -1});
      if (busy < c) {
        ++busy;
        heap.push({e.t + exp1(rng) / mu, e.t});
      } else {
        waiting.push_back(e.t);
      }
    } else {
      ++done;
      sum_rt += e.t - e.arrived;
      if (!waiting.empty()) {
        const double a = waiting.front();
        waiting.pop_front();
        heap.push({e.t + exp1(rng) / mu, a});
      } else {
        --busy;
      }
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "floor: %lld requests in %.3f s = %.2f M requests/s; mean response %.4f s (analytic "
      "1.2046)\n",
      done, wall, static_cast<double>(done) / wall * 1e-6, sum_rt / static_cast<double>(done));
  return 0;
}
