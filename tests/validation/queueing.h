// tests/validation/queueing.h: closed-form queueing results the simulator is checked against
// (models.md §6).
#pragma once

namespace queueing {

// Erlang B by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)).
inline double erlang_b(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return b;
}

// Erlang C: probability that an arrival waits in M/M/c. REQUIRES: a < c.
inline double erlang_c(int c, double a) {
  const double b = erlang_b(c, a);
  const double rho = a / c;
  return b / (1.0 - rho * (1.0 - b));
}

// Mean response time of M/M/c (FCFS), and of c-core PS with exponential service.
inline double mmc_mean_response(double lambda, double mu, int c) {
  return 1.0 / mu + erlang_c(c, lambda / mu) / (c * mu - lambda);
}

// Mean response time of M/G/1-PS (insensitive to the service distribution).
inline double mg1_ps_mean_response(double lambda, double mean_service) {
  return mean_service / (1.0 - lambda * mean_service);
}

}  // namespace queueing
