// gui/chart: the charts' scales and labels, and the min/max envelopes they draw, against brute
// force over random columns with gaps.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <imgui.h>

#include "gui/chart.h"

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Min and max of v[i0, i1) skipping NaN, NaN when none.
void brute(const std::vector<float>& v, std::size_t i0, std::size_t i1, float* lo, float* hi) {
  *lo = *hi = kNaN;
  for (std::size_t i = i0; i < i1 && i < v.size(); ++i) {
    if (std::isnan(v[i])) continue;
    *lo = std::isnan(*lo) ? v[i] : std::min(*lo, v[i]);
    *hi = std::isnan(*hi) ? v[i] : std::max(*hi, v[i]);
  }
}

bool same(float a, float b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

TEST_CASE("Chart ticks start at zero, step 1-2-2.5-5 and reach the maximum") {
  for (double max : {0.0, 0.37, 1.0, 7.0, 13.0, 99.0, 100.0, 101.0, 1234.0, 86400.0}) {
    for (int approx : {1, 2, 3, 4, 5}) {
      INFO("max " << max << " approx " << approx);
      const std::vector<double> t = gui::nice_ticks(max, approx);
      REQUIRE(t.size() >= 2);
      CHECK(t.front() == 0);
      CHECK(t.back() >= max * (1 - 1e-9));
      CHECK(t.size() <= static_cast<std::size_t>(std::max(approx, 2) + 2));
      const double step = t[1] - t[0];
      const double mant = step / std::pow(10.0, std::floor(std::log10(step)));
      CHECK((std::abs(mant - 1) < 1e-9 || std::abs(mant - 2) < 1e-9 ||
             std::abs(mant - 2.5) < 1e-9 || std::abs(mant - 5) < 1e-9));
      for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i] - t[i - 1] == Approx(step));
    }
  }
  CHECK(gui::nice_ticks(100, 4) == std::vector<double>{0, 25, 50, 75, 100});
  CHECK(gui::nice_ticks(1, 2) == std::vector<double>{0, 0.5, 1});
}

TEST_CASE("Chart labels carry their unit") {
  using gui::Unit;
  CHECK(gui::format_value(0.5, Unit::kPercent) == "50%");
  CHECK(gui::format_value(0.995, Unit::kPercent) == "99.5%");
  CHECK(gui::format_value(0.25, Unit::kSeconds) == "250 ms");
  CHECK(gui::format_value(0.0042, Unit::kSeconds) == "4.2 ms");
  CHECK(gui::format_value(1.5, Unit::kSeconds) == "1.5 s");
  CHECK(gui::format_value(0, Unit::kSeconds) == "0 ms");
  CHECK(gui::format_value(1500, Unit::kPerSecond) == "1.5k/s");
  CHECK(gui::format_value(25000, Unit::kCount) == "25k");
  CHECK(gui::format_value(7, Unit::kCount) == "7");
  CHECK(gui::format_value(2.5, Unit::kCount) == "2.5");
  CHECK(gui::format_value(std::nan(""), Unit::kCount) == "-");
}

TEST_CASE("Time ticks fit the width and read as clock times") {
  CHECK(gui::time_step(2400, 8) == 300);
  CHECK(gui::time_step(2400, 5) == 600);
  CHECK(gui::time_step(86400, 8) == 10800);
  CHECK(gui::time_step(86400, 7) == 21600);
  CHECK(gui::time_step(300, 6) == 60);
  for (double span : {10.0, 300.0, 2400.0, 86400.0, 7 * 86400.0}) {
    for (int n : {1, 3, 8, 20}) CHECK(span / gui::time_step(span, n) <= n);
  }
  CHECK(gui::time_label(600) == "10m");
  CHECK(gui::time_label(150) == "2m30s");
  CHECK(gui::time_label(3600) == "1h");
  CHECK(gui::time_label(5400) == "1h30");
  CHECK(gui::time_label(45) == "45s");
}

TEST_CASE("The min/max pyramid answers every range as brute force does") {
  std::mt19937 rng(7);
  for (std::size_t n : {1u, 2u, 3u, 7u, 64u, 1000u, 1025u}) {
    std::vector<float> v(n);
    std::uniform_real_distribution<float> u(-5, 100);
    for (float& x : v) x = (rng() % 5 == 0) ? kNaN : u(rng);
    const gui::MinMaxPyramid p(v);
    for (int k = 0; k < 400; ++k) {
      std::size_t i0 = rng() % (n + 1), i1 = rng() % (n + 2);
      if (i0 > i1) std::swap(i0, i1);
      float lo, hi, blo, bhi;
      p.range(i0, i1, &lo, &hi);
      brute(v, i0, i1, &blo, &bhi);
      INFO("n " << n << " [" << i0 << ", " << i1 << ")");
      CHECK(same(lo, blo));
      CHECK(same(hi, bhi));
    }
  }
}

TEST_CASE("Chart envelopes hold each pixel column's buckets, and the maximum shown so far") {
  std::vector<double> t;
  std::vector<float> v;
  for (int i = 0; i < 3600; ++i) {
    t.push_back(i);
    v.push_back(i % 97 == 0 ? kNaN : static_cast<float>((i * 37) % 101));
  }
  gui::ChartCache cache;
  for (const gui::TimeWindow w :
       {gui::TimeWindow{0, 3600}, gui::TimeWindow{1200, 1500}, gui::TimeWindow{3000, 3900}}) {
    for (int cols : {50, 300, 1000}) {
      const gui::Envelope& e = cache.envelope(1, t, v, w, cols);
      REQUIRE(e.lo.size() == static_cast<std::size_t>(cols));
      const double span = (w.t1 - w.t0) / cols;
      for (int c = 0; c < cols; ++c) {
        const double a = w.t0 + span * c, b = a + span;
        // The buckets starting in [a, b), else the one holding a.
        std::size_t i0 = std::min<std::size_t>(static_cast<std::size_t>(std::ceil(a)), 3600),
                    i1 = std::min<std::size_t>(static_cast<std::size_t>(std::ceil(b)), 3600);
        if (i0 == i1) {
          i0 = static_cast<std::size_t>(std::floor(a));
          i1 = i0 + 1;
        }
        float blo, bhi;
        brute(v, i0, i1, &blo, &bhi);
        INFO("window " << w.t0 << "-" << w.t1 << " cols " << cols << " column " << c);
        CHECK(same(e.lo[static_cast<std::size_t>(c)], blo));
        CHECK(same(e.hi[static_cast<std::size_t>(c)], bhi));
      }
    }
  }
  float lo, hi;
  brute(v, 100, 201, &lo, &hi);
  CHECK(cache.max_between(1, t, v, 100.5, 200.2) == hi);
  CHECK(std::isnan(cache.max_between(1, t, v, -5, -1)));
}

namespace {

// The vertices draw_chart adds to a window's draw list for `lines` (no GPU: an ImGui context
// with its font atlas built draws into plain vertex buffers).
int chart_vertices(const gui::Series& s, const std::vector<gui::Line>& lines, float w) {
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w + 40, 400));
  ImGui::Begin("chart");
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const int before = dl->VtxBuffer.Size;
  gui::ChartCache cache;
  gui::ChartSpec spec;
  spec.title = "Test";
  spec.lines = lines;
  gui::draw_chart(cache, 1, s, spec, gui::TimeWindow{0, 3600}, 3600, w, 300, nullptr);
  const int n = dl->VtxBuffer.Size - before;
  ImGui::End();
  ImGui::EndFrame();
  return n;
}

}  // namespace

TEST_CASE("A chart line costs at most two triangles a pixel column, a level stretch one segment") {
  // A software renderer (llvmpipe) pays per vertex and triangle: the frame-time budget at
  // 1920x1080 rests on these counts (docs/viewer.md#performance).
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(1200, 800);
  io.IniFilename = nullptr;
  unsigned char* px;
  int tw, th;
  io.Fonts->GetTexDataAsRGBA32(&px, &tw, &th);
  gui::Series s;
  std::vector<float> noisy, flat(3600, 40.f), step(3600, 0.f);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0, 100);
  for (int i = 0; i < 3600; ++i) {
    s.t.push_back(i);
    noisy.push_back(u(rng));
    if (i >= 1800) step[static_cast<std::size_t>(i)] = 60;
  }
  const float w = 800;
  const gui::Line axis{&noisy, 0xffffffffu, "a"};  // sets the y axis the same for every case
  const int base = chart_vertices(s, {axis}, w);
  auto extra = [&](const std::vector<float>& v) {
    return chart_vertices(s, {axis, gui::Line{&v, 0xff00ff00u, "b"}}, w) - base;
  };
  const int legend = 16;  // the second line's legend entry: a square and a letter
  // A dense line: one bar (4 vertices) a column, no line beside it (it was 6).
  CHECK(extra(noisy) <= 4 * static_cast<int>(w) + legend);
  CHECK(extra(noisy) >= 3 * static_cast<int>(w));  // the test measures what it claims to
  // A level line: a couple of segments, whatever the width (it was 2 vertices a column).
  CHECK(extra(flat) <= legend + 8);
  // A step: two level stretches joined by one column.
  CHECK(extra(step) <= legend + 16);
  ImGui::DestroyContext();
}
