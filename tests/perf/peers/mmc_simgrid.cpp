// M/M/c (lambda 8/s, mu 1/s, c 10, FIFO) with SimGrid's S4U API (Debian libsimgrid-dev): a
// generator actor appends arrival times to a FIFO queue and ten server actors take them, waiting
// on a condition variable when it is empty (long-lived actors: creating an actor per customer
// was about 30% slower still). Prints customers, wall seconds, customers per second and the mean
// response time (Erlang C: 1.2046 s).
// Usage: mmc_simgrid [CUSTOMERS]
#include <simgrid/s4u.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <random>

namespace sg4 = simgrid::s4u;

namespace {

std::mt19937_64 rng(1);
double total_rt = 0;
long done = 0;
long target = 0;
std::deque<double> queue;  // arrival times of waiting customers
sg4::MutexPtr mutex;
sg4::ConditionVariablePtr nonempty;

double expo(double rate) { return std::exponential_distribution<double>(rate)(rng); }

void server() {
  for (;;) {
    double arrived;
    {
      std::unique_lock<sg4::Mutex> lock(*mutex);
      while (queue.empty()) {
        if (done >= target) return;
        nonempty->wait(lock);
      }
      arrived = queue.front();
      queue.pop_front();
    }
    sg4::this_actor::sleep_for(expo(1.0));
    total_rt += sg4::Engine::get_clock() - arrived;
    if (++done >= target) nonempty->notify_all();
  }
}

void generator(long n) {
  for (long i = 0; i < n; ++i) {
    {
      std::unique_lock<sg4::Mutex> lock(*mutex);
      queue.push_back(sg4::Engine::get_clock());
    }
    nonempty->notify_one();
    sg4::this_actor::sleep_for(expo(8.0));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 200000;
  sg4::Engine e(&argc, argv);
  auto* zone = sg4::create_full_zone("world");
  sg4::Host* host = zone->create_host("server", "1Gf");
  zone->seal();
  target = n;
  mutex = sg4::Mutex::create();
  nonempty = sg4::ConditionVariable::create();
  sg4::Actor::create("generator", host, generator, n);
  for (int k = 0; k < 10; ++k) sg4::Actor::create("server", host, server);
  const auto t0 = std::chrono::steady_clock::now();
  e.run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("simgrid customers %ld wall_s %.3f per_s %.0f mean_rt_s %.4f\n", done, wall,
              static_cast<double>(done) / wall, total_rt / static_cast<double>(done));
  return 0;
}
