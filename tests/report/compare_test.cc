// The paired comparison of hcsim compare (report/compare.h): the paired-t interval and p-value
// against hand-computed and tabulated values, the verdict's direction per metric, the sequential
// rule's two ways of being precise, unrecovered incidents, and the --fail-if-worse gates.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "report/compare.h"

using namespace report::compare;

namespace {
Choice metric(const char* name) {
  const auto c = choice(name);
  REQUIRE(c.has_value());
  return *c;
}
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE("two-sided p of Student's t matches the tables") {
  // t(0.975, 4) = 2.776445 and t(0.995, 4) = 4.604095: p = 0.05 and 0.01.
  CHECK(report::stats::student_t_two_sided_p(2.776445, 4) == Approx(0.05).epsilon(1e-5));
  CHECK(report::stats::student_t_two_sided_p(-4.604095, 4) == Approx(0.01).epsilon(1e-5));
  CHECK(report::stats::student_t_two_sided_p(0, 9) == Approx(1.0));
}

TEST_CASE("paired t: interval, p-value and relative change computed by hand") {
  // d = 0.5 0.4 0.7 0.4 0.6: mean 0.52, s = sqrt(0.068 / 4), se = s / sqrt(5).
  const std::vector<double> a{1, 2, 3, 4, 5}, b{1.5, 2.4, 3.7, 4.4, 5.6};
  const Paired p = paired(metric("p95"), a, b, 0.05);
  const double se = std::sqrt(0.068 / 4) / std::sqrt(5.0);
  CHECK(p.n == 5);
  CHECK(p.mean_a == Approx(3));
  CHECK(p.mean_b == Approx(3.52));
  CHECK(p.diff.mean == Approx(0.52));
  CHECK(p.diff.half_width == Approx(2.776445 * se).epsilon(1e-5));
  CHECK(p.p_value == Approx(report::stats::student_t_two_sided_p(0.52 / se, 4)));
  CHECK(p.p_value < 0.001);
  CHECK(p.relative == Approx(0.52 / 3));
  CHECK(p.verdict == Verdict::kWorse);  // a longer p95 is worse
}

TEST_CASE("the verdict follows the metric's good direction") {
  const std::vector<double> a{0.90, 0.91, 0.92, 0.93}, up{0.95, 0.955, 0.97, 0.98};
  CHECK(paired(metric("apdex"), a, up, 0.05).verdict == Verdict::kBetter);
  CHECK(paired(metric("apdex"), up, a, 0.05).verdict == Verdict::kWorse);
  CHECK(paired(metric("error_rate"), a, up, 0.05).verdict == Verdict::kWorse);
  // Differences of both signs: the interval holds 0.
  const std::vector<double> c{1, 2, 3, 4}, d{1.1, 1.9, 3.2, 3.8};
  const Paired n = paired(metric("p95"), c, d, 0.05);
  CHECK(n.verdict == Verdict::kNoDifference);
  CHECK(n.p_value > 0.5);
}

TEST_CASE("identical runs: no difference, p = 1, precise at once") {
  const std::vector<double> a{0.5, 1, 0.25};
  const Paired p = paired(metric("p99"), a, a, 0.05);
  CHECK(p.verdict == Verdict::kNoDifference);
  CHECK(p.p_value == 1.0);
  CHECK(p.precise);
  // A constant shift has no noise: p = 0, and it is known exactly.
  const std::vector<double> b{0.75, 1.25, 0.5};
  const Paired s = paired(metric("p99"), a, b, 0.05);
  CHECK(s.p_value == 0.0);
  CHECK(s.verdict == Verdict::kWorse);
  CHECK(s.precise);
}

TEST_CASE("the sequential rule: precise relative to the difference or to A's level") {
  std::vector<double> low, big, a, small, noisy;
  for (int i = 0; i < 10; ++i) {
    low.push_back(0.1 + 0.01 * (i % 3));
    big.push_back(low.back() + 2 + 0.1 * (i % 2));
    a.push_back(100 + 10 * (i % 3));
    small.push_back(a.back() + 0.5 + 0.5 * (i % 2));
    noisy.push_back(a.back() + (i % 2 == 0 ? 15.0 : -14.0));
  }
  // A large difference with little noise: known to within 5% of itself, though not to within
  // 5% of A's small level. It stops early.
  const Paired p_big = paired(metric("p95"), low, big, 0.05);
  CHECK(p_big.diff.half_width > 0.05 * p_big.mean_a);
  CHECK(p_big.diff.half_width <= 0.05 / 1.05 * std::fabs(p_big.diff.mean));
  CHECK(p_big.precise);
  // A small difference known to well within 5% of A's level (about 110): precise the other way.
  const Paired p_small = paired(metric("cost"), a, small, 0.05);
  CHECK(p_small.diff.half_width > 0.05 / 1.05 * std::fabs(p_small.diff.mean));
  CHECK(p_small.diff.half_width <= 0.05 * p_small.mean_a);
  CHECK(p_small.precise);
  // Noise of +-15 around a difference near 0: neither.
  CHECK_FALSE(paired(metric("cost"), a, noisy, 0.05).precise);
  // A tighter precision asks more of the same data.
  CHECK_FALSE(paired(metric("p95"), low, big, 0.001).precise);
}

TEST_CASE("pairs without a value on both sides are left out and under two pairs is n/a") {
  const std::vector<double> a{1, kNaN, 3, 4}, b{2, 5, kNaN, 5};
  const Paired p = paired(metric("rpo"), a, b, 0.05);
  CHECK(p.n == 2);
  CHECK(p.diff.mean == Approx(1));
  const std::vector<double> none{kNaN, kNaN};
  const Paired q = paired(metric("rpo"), none, none, 0.05);
  CHECK(q.verdict == Verdict::kNotApplicable);
  CHECK(q.precise);  // more pairs would not give it a value
  const GateOutcome g = judge(parse_gate("rpo"), q);
  CHECK(g.failed);  // nothing to judge fails the gate
}

TEST_CASE("McNemar's exact test on the pairs where only one side recovered") {
  CHECK(mcnemar_exact_p(0, 0) == 1.0);
  CHECK(mcnemar_exact_p(1, 0) == 1.0);
  CHECK(mcnemar_exact_p(5, 0) == Approx(2.0 / 32));  // 0.0625: not significant
  CHECK(mcnemar_exact_p(0, 6) == Approx(2.0 / 64));
  CHECK(mcnemar_exact_p(10, 9) == 1.0);
  // 2 P(X <= 2), X ~ Bin(12, 1/2) = 2 (1 + 12 + 66) / 4096.
  CHECK(mcnemar_exact_p(2, 10) == Approx(2.0 * 79 / 4096));
}

TEST_CASE("recoveries decide RTO only when one side fails to recover significantly more often") {
  // Eight pairs: B never recovered in six of them, A always did: B is worse (p = 2/64).
  const std::vector<double> a{60, 70, 80, 90, 60, 70, 80, 90},
      b{55, 65, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  const Paired p = paired(metric("rto"), a, b, 0.05, {0, 6, 0, 6});
  CHECK(p.recovery_p == Approx(2.0 / 64));
  CHECK(p.verdict == Verdict::kWorse);
  CHECK(judge(parse_gate("rto:50%"), p).failed);
  const Paired q = paired(metric("rto"), b, a, 0.05, {6, 0, 6, 0});
  CHECK(q.verdict == Verdict::kBetter);
  CHECK_FALSE(judge(parse_gate("rto"), q).failed);
  // Ten runs against nine that never recovered (one discordant pair): noise; the recovered
  // pairs decide, and here they say B is better.
  const std::vector<double> c{60, 70, 80}, d{55, kNaN, 75};
  const Paired r = paired(metric("rto"), c, d, 0.05, {9, 10, 0, 1});
  CHECK(r.recovery_p == 1.0);
  CHECK(r.verdict == Verdict::kBetter);
  CHECK_FALSE(judge(parse_gate("rto"), r).failed);
  CHECK(r.note.find("McNemar") != std::string::npos);
}

TEST_CASE("fail-if-worse gates: margins absolute or relative, beyond the whole interval") {
  const Gate plain = parse_gate("p95");
  CHECK(plain.margin == 0);
  const Gate rel = parse_gate("p95:10%");
  CHECK(rel.relative);
  CHECK(rel.margin == Approx(0.10));
  const Gate abs = parse_gate("apdex:0.01");
  CHECK_FALSE(abs.relative);
  CHECK(abs.margin == Approx(0.01));
  CHECK_THROWS_AS(parse_gate("latency"), std::invalid_argument);
  CHECK_THROWS_AS(parse_gate("p95:-1"), std::invalid_argument);
  CHECK_THROWS_AS(parse_gate("p95:fast"), std::invalid_argument);
  CHECK_THROWS_AS(parse_gate("p95:"), std::invalid_argument);

  // p95 worse by 0.52 s [0.36, 0.68] on a mean of 3 s.
  const std::vector<double> a{1, 2, 3, 4, 5}, b{1.5, 2.4, 3.7, 4.4, 5.6};
  const Paired p = paired(metric("p95"), a, b, 0.05);
  CHECK(judge(plain, p).failed);
  CHECK(judge(parse_gate("p95:0.3"), p).failed);        // the whole interval is beyond 0.3 s
  CHECK_FALSE(judge(parse_gate("p95:0.5"), p).failed);  // 0.5 s is inside it
  CHECK(judge(parse_gate("p95:10%"), p).failed);        // 0.3 s
  CHECK_FALSE(judge(parse_gate("p95:20%"), p).failed);  // 0.6 s
  // Better B never fails.
  const Paired better = paired(metric("p95"), b, a, 0.05);
  CHECK_FALSE(judge(plain, better).failed);
}
