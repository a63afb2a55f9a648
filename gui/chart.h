// gui/chart.h: the dashboard's time charts. Each has a y axis from zero with a few labelled ticks
// in its unit and gridlines, the time axis under it (the same window for every chart, both sites
// and both runs of compare mode), a y scale chosen from what has been shown so far (the future
// never rescales the past), reference lines (Apdex T) and a tooltip with the exact values of the
// bucket under the cursor. Text that does not fit is reported, not silently clipped, so tests can
// check a layout at a given window size.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gui/replay.h"

namespace gui {

enum class Unit {
  kCount,      // users, replicas, nodes
  kPercent,    // the values are fractions (CPU utilisation, Apdex, share): shown x 100 with %
  kSeconds,    // response times: ms below a second
  kPerSecond,  // rates
};

// "12", "1.5k", "45%", "250 ms", "1.2 s", "3.4/s".
std::string format_value(double v, Unit u);

// Zero and evenly spaced ticks of a 1-2-2.5-5 step up to the first at or above `max`, about
// `approx` of them (at least two). The last tick is the axis top.
std::vector<double> nice_ticks(double max, int approx);

// The step of time ticks (seconds) for a span so that at most `max_ticks` fit.
double time_step(double span_s, int max_ticks);
// A time tick's label: "30m", "1h", "1h30", "2m30s".
std::string time_label(double t_s);

// The time axis every chart shares: [t0, t1] seconds.
struct TimeWindow {
  double t0 = 0, t1 = 1;
  bool operator==(const TimeWindow& o) const { return t0 == o.t0 && t1 == o.t1; }
};

// One line of a chart: a column of a Series times `scale` (1 / bucket length turns counts per
// bucket into rates).
struct Line {
  const std::vector<float>* v;
  unsigned int colour;  // ImU32
  const char* name;
  bool dashed = false;
  float scale = 1;
};

// A horizontal reference line (the Apdex T on the response-time chart).
struct RefLine {
  double value;
  unsigned int colour;
  std::string label;
};

struct ChartSpec {
  const char* title = "";
  std::vector<Line> lines;
  Unit unit = Unit::kCount;
  double y_floor = 0;  // the axis reaches at least this (CPU: 100% of the request)
  double y_fixed = 0;  // > 0: the axis top, whatever the data (Apdex: 100%)
  std::vector<RefLine> refs;
};

// Min and max of a column over pixel columns.
struct Envelope {
  std::vector<float> lo, hi;  // per column; NaN when no data
};

// Min/max of a column over any range of buckets in O(log n): a pyramid of pairwise min and max,
// built once per loaded column (about the column's size again in memory).
class MinMaxPyramid {
 public:
  explicit MinMaxPyramid(const std::vector<float>& v);
  // Buckets [i0, i1); NaN when none has data.
  void range(std::size_t i0, std::size_t i1, float* lo, float* hi) const;

 private:
  const std::vector<float>* v_;
  std::vector<std::vector<float>> lo_, hi_;  // level 1 up (level 0 is the column itself)
};

// Envelopes of the open runs' columns for the current window and chart width; rebuilt only
// when those change (a paused replay, or the whole-run window, costs nothing per frame).
class ChartCache {
 public:
  const Envelope& envelope(uint64_t load, const std::vector<double>& t, const std::vector<float>& v,
                           const TimeWindow& w, int cols);
  // The largest value of the buckets from the one holding t0 to the one holding t1 (NaN: none).
  float max_between(uint64_t load, const std::vector<double>& t, const std::vector<float>& v,
                    double t0, double t1);
  void clear() { slots_.clear(); }

 private:
  struct Slot;
  Slot& slot(uint64_t load, const std::vector<float>& v);
  struct Slot {
    std::unique_ptr<MinMaxPyramid> pyramid;
    TimeWindow w;
    int cols = -1;
    Envelope env;
  };
  std::map<std::pair<uint64_t, const void*>, Slot> slots_;
};

// What the pointer did over a chart.
struct ChartHover {
  bool hovered = false, clicked = false;
  double t = 0;  // the time under the pointer
};

// Draws a chart at the cursor, w x h pixels, of `s` (a run's series, its load number `load`)
// over `win`, with data up to `now`. Text that does not fit is added to `overflow`.
ChartHover draw_chart(ChartCache& cache, uint64_t load, const Series& s, const ChartSpec& spec,
                      const TimeWindow& win, double now, float w, float h,
                      std::vector<std::string>* overflow);

// The width of the y axis' labels every chart leaves (a wider label widens its chart's margin).
float axis_label_width();

// The time axis under a plot from x0 to x1 at y (ticks, labels and vertical gridlines up to
// grid_top when it is above y).
void draw_time_axis(const TimeWindow& win, float x0, float x1, float y, float grid_top);

}  // namespace gui
