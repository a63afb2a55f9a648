#include "gui/chart.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace gui {

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();

ImU32 rgb(int r, int g, int b, int a = 255) { return IM_COL32(r, g, b, a); }
const ImU32 kAxisText = IM_COL32(150, 155, 165, 255);
const ImU32 kGrid = IM_COL32(255, 255, 255, 22);

std::string strf(const char* fmt, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// A number without trailing zeros: 2, 2.5, 0.25.
std::string plain(double v) {
  std::string s = strf("%.2f", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

void merge(float v, float* lo, float* hi) {
  if (std::isnan(v)) return;
  *lo = std::isnan(*lo) ? v : std::min(*lo, v);
  *hi = std::isnan(*hi) ? v : std::max(*hi, v);
}

}  // namespace

std::string format_value(double v, Unit u) {
  if (std::isnan(v)) return "-";
  switch (u) {
    case Unit::kPercent:
      return plain(std::round(v * 1000) / 10) + "%";
    case Unit::kSeconds:
      if (std::abs(v) < 1) return plain(std::round(v * 10000) / 10) + " ms";
      return plain(std::round(v * 100) / 100) + " s";
    case Unit::kPerSecond:
    case Unit::kCount: {
      const char* per = u == Unit::kPerSecond ? "/s" : "";
      const double a = std::abs(v);
      if (a >= 1e6) return plain(std::round(v / 1e4) / 100) + "M" + per;
      if (a >= 1e4) return plain(std::round(v / 1e3)) + "k" + per;
      if (a >= 1e3) return plain(std::round(v / 1e2) / 10) + "k" + per;
      if (a >= 10 || v == std::round(v)) return plain(std::round(v)) + per;
      return plain(std::round(v * 100) / 100) + per;
    }
  }
  return plain(v);
}

std::vector<double> nice_ticks(double max, int approx) {
  approx = std::max(approx, 2);
  if (!(max > 0) || !std::isfinite(max)) max = 1;
  const double raw = max / approx;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * mag;
  for (double m : {1.0, 2.0, 2.5, 5.0}) {
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  }
  std::vector<double> ticks;
  for (int i = 0; i <= approx + 1; ++i) {
    ticks.push_back(i * step);
    if (i * step >= max * (1 - 1e-9)) break;
  }
  return ticks;
}

double time_step(double span_s, int max_ticks) {
  static const double kSteps[] = {1,   2,    5,    10,   15,    30,    60,    120,   300,   600,
                                  900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800};
  max_ticks = std::max(max_ticks, 1);
  for (double s : kSteps) {
    if (span_s / s <= max_ticks) return s;
  }
  return std::ceil(span_s / max_ticks / 86400) * 86400;
}

std::string time_label(double t_s) {
  const long s = std::lround(t_s);
  char buf[32];
  if (s >= 3600 && s % 3600 == 0)
    std::snprintf(buf, sizeof buf, "%ldh", s / 3600);
  else if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ld", s / 3600, s / 60 % 60);
  else if (s % 60 == 0)
    std::snprintf(buf, sizeof buf, "%ldm", s / 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

MinMaxPyramid::MinMaxPyramid(const std::vector<float>& v) : v_(&v) {
  const std::vector<float>* lo = &v;
  const std::vector<float>* hi = &v;
  while (lo->size() > 1) {
    const std::size_t n = (lo->size() + 1) / 2;
    std::vector<float> l(n, kNaNf), h(n, kNaNf);
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t c = 2 * j; c < std::min(2 * j + 2, lo->size()); ++c) {
        merge((*lo)[c], &l[j], &h[j]);
        merge((*hi)[c], &l[j], &h[j]);
      }
    }
    lo_.push_back(std::move(l));
    hi_.push_back(std::move(h));
    lo = &lo_.back();
    hi = &hi_.back();
  }
}

void MinMaxPyramid::range(std::size_t i0, std::size_t i1, float* lo, float* hi) const {
  *lo = *hi = kNaNf;
  i1 = std::min(i1, v_->size());
  // Bottom-up over the levels: an odd left end or right end is taken at this level, the rest
  // is covered by whole parents one level up.
  for (std::size_t level = 0; i0 < i1; ++level, i0 /= 2, i1 /= 2) {
    const std::vector<float>& l = level == 0 ? *v_ : lo_[level - 1];
    const std::vector<float>& h = level == 0 ? *v_ : hi_[level - 1];
    if (i0 % 2 == 1) {
      merge(l[i0], lo, hi);
      merge(h[i0], lo, hi);
      ++i0;
    }
    if (i1 % 2 == 1 && i0 < i1) {
      --i1;
      merge(l[i1], lo, hi);
      merge(h[i1], lo, hi);
    }
  }
}

ChartCache::Slot& ChartCache::slot(uint64_t load, const std::vector<float>& v) {
  Slot& slot = slots_[{load, &v}];
  if (!slot.pyramid) slot.pyramid = std::make_unique<MinMaxPyramid>(v);
  return slot;
}

float ChartCache::max_between(uint64_t load, const std::vector<double>& t,
                              const std::vector<float>& v, double t0, double t1) {
  const std::size_t n = std::min(t.size(), v.size());
  auto holding = [&](double x) {
    const auto it = std::upper_bound(t.begin(), t.begin() + n, x);
    return static_cast<std::size_t>(it - t.begin());  // one past the bucket holding x
  };
  const std::size_t i0 = holding(t0), i1 = holding(t1);
  float lo, hi;
  slot(load, v).pyramid->range(i0 == 0 ? 0 : i0 - 1, i1, &lo, &hi);
  return hi;
}

const Envelope& ChartCache::envelope(uint64_t load, const std::vector<double>& t,
                                     const std::vector<float>& v, const TimeWindow& w, int cols) {
  Slot& slot = this->slot(load, v);
  if (slot.cols == cols && slot.w == w) return slot.env;
  slot.w = w;
  slot.cols = cols;
  slot.env.lo.assign(static_cast<std::size_t>(cols), kNaNf);
  slot.env.hi.assign(static_cast<std::size_t>(cols), kNaNf);
  const double span = (w.t1 - w.t0) / cols;
  const std::size_t n = std::min(t.size(), v.size());
  if (n == 0) return slot.env;
  // The data end with the last bucket, as long as the one before it.
  const double end = t[n - 1] + (n > 1 ? t[n - 1] - t[n - 2] : 1.0);
  for (int c = 0; c < cols; ++c) {
    const double a = w.t0 + span * c, b = a + span;
    // The buckets that start in the column, or the one the column lies in.
    std::size_t i0 =
        static_cast<std::size_t>(std::lower_bound(t.begin(), t.begin() + n, a) - t.begin());
    std::size_t i1 =
        static_cast<std::size_t>(std::lower_bound(t.begin(), t.begin() + n, b) - t.begin());
    if (i0 == i1) {
      if (i0 == 0 || a >= end) continue;
      i0 -= 1;
      i1 = i0 + 1;
    }
    slot.pyramid->range(i0, i1, &slot.env.lo[static_cast<std::size_t>(c)],
                        &slot.env.hi[static_cast<std::size_t>(c)]);
  }
  return slot.env;
}

float axis_label_width() { return ImGui::CalcTextSize("888 ms").x; }

void draw_time_axis(const TimeWindow& win, float x0, float x1, float y, float grid_top) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float label_w = ImGui::CalcTextSize("00h00").x + 12;
  const double span = win.t1 - win.t0;
  const double step = time_step(span, std::max(1, static_cast<int>((x1 - x0) / label_w)));
  dl->AddLine(ImVec2(x0, y), ImVec2(x1, y), rgb(70, 74, 84));
  for (double x = std::ceil(win.t0 / step) * step; x <= win.t1 + 1e-9; x += step) {
    const float px = x0 + static_cast<float>((x - win.t0) / span) * (x1 - x0);
    if (grid_top < y) dl->AddLine(ImVec2(px, grid_top), ImVec2(px, y), kGrid);
    dl->AddLine(ImVec2(px, y), ImVec2(px, y + 3), kAxisText);
    const std::string lab = time_label(x);
    const float tw = ImGui::CalcTextSize(lab.c_str()).x;
    const float lx = std::clamp(px - tw / 2, x0 - 2, x1 - tw);
    dl->AddText(ImVec2(lx, y + 2), kAxisText, lab.c_str());
  }
}

namespace {

// The value of `l` in the bucket holding t (NaN before the data or past the end).
float value_at(const Series& s, const Line& l, double t) {
  auto it = std::upper_bound(s.t.begin(), s.t.end(), t);
  if (it == s.t.begin()) return kNaNf;
  const std::size_t i = static_cast<std::size_t>(it - s.t.begin()) - 1;
  return i < l.v->size() ? (*l.v)[i] * l.scale : kNaNf;
}

void tooltip(const Series& s, const ChartSpec& spec, double t, double now) {
  ImGui::BeginTooltip();
  ImGui::Text("%s at %s", spec.title, time_label(std::floor(t)).c_str());
  if (t > now) {
    ImGui::TextDisabled("not replayed yet");
  } else {
    for (const Line& l : spec.lines) {
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(l.colour), "%s", l.name);
      ImGui::SameLine(ImGui::GetFontSize() * 9);
      ImGui::TextUnformatted(format_value(value_at(s, l, t), spec.unit).c_str());
    }
  }
  ImGui::EndTooltip();
}

// The title and the lines' legend from (x0, y0), wrapped onto more lines when the chart is
// narrow. Returns the top of the last line.
float title_and_legend(const ChartSpec& spec, float x0, float y0, float w,
                       std::vector<std::string>* overflow) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float lh = ImGui::GetTextLineHeight();
  float x = x0 + 4, ly = y0;
  dl->AddText(ImVec2(x, ly), rgb(205, 208, 214), spec.title);
  x += ImGui::CalcTextSize(spec.title).x + lh * 0.8f;
  for (const Line& l : spec.lines) {
    const float iw = ImGui::CalcTextSize(l.name).x + lh * 0.75f;
    if (x + iw > x0 + w && x > x0 + lh * 2) {
      x = x0 + lh;
      ly += lh;
    }
    dl->AddRectFilled(ImVec2(x, ly + lh * 0.3f), ImVec2(x + lh * 0.55f, ly + lh * 0.85f), l.colour);
    dl->AddText(ImVec2(x + lh * 0.75f, ly), kAxisText, l.name);
    if (x + iw > x0 + w && overflow != nullptr)
      overflow->push_back(std::string("chart '") + spec.title + "': legend '" + l.name +
                          "' ends past the chart's edge");
    x += iw + lh * 0.75f;
  }
  return ly;
}

// Draws a line's envelope over its first `shown` pixel columns from x = left; y_of maps a value
// to its pixel row. A software renderer pays per triangle, so a column costs at most two: where
// its values span more than a pixel it is a 1-pixel min-max bar, stretched to reach the previous
// column's middle (which joins it to the line); elsewhere the line through the middles is one
// polyline per run of such columns, smoothed through the font texture (two triangles per
// segment), starting at the middle of the column before it; a level stretch of it is one segment.
template <typename YOf>
void draw_line(ImDrawList* dl, const Envelope& e, const Line& l, int shown, float left,
               const YOf& y_of) {
  std::vector<ImVec2> pts;
  auto flush = [&] {
    if (pts.size() > 1) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), l.colour, 0, 1.f);
    pts.clear();
  };
  float prev_mid = std::numeric_limits<float>::quiet_NaN();
  for (int c = 0; c <= shown; ++c) {
    const bool gap = c == shown || std::isnan(e.lo[static_cast<std::size_t>(c)]) ||
                     (l.dashed && (c / 4) % 2 == 1);
    if (gap) {
      flush();
      prev_mid = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    const float lo = e.lo[static_cast<std::size_t>(c)], hi = e.hi[static_cast<std::size_t>(c)];
    const float xc = left + static_cast<float>(c);
    const float ylo = y_of(lo * l.scale), yhi = y_of(hi * l.scale), mid = (ylo + yhi) / 2;
    if (ylo - yhi > 1) {
      flush();
      const bool joined = !std::isnan(prev_mid);
      dl->AddRectFilled(ImVec2(xc, joined ? std::min(yhi, prev_mid) : yhi),
                        ImVec2(xc + 1, joined ? std::max(ylo, prev_mid) : ylo), l.colour);
    } else {
      if (pts.empty() && !std::isnan(prev_mid)) pts.emplace_back(xc - 0.5f, prev_mid);
      const std::size_t n = pts.size();
      if (n >= 2 && pts[n - 1].y == mid && pts[n - 2].y == mid)
        pts[n - 1].x = xc + 0.5f;
      else
        pts.emplace_back(xc + 0.5f, mid);
    }
    prev_mid = mid;
  }
}

}  // namespace

ChartHover draw_chart(ChartCache& cache, uint64_t load, const Series& s, const ChartSpec& spec,
                      const TimeWindow& win, double now, float w, float h,
                      std::vector<std::string>* overflow) {
  ChartHover out;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(w, h));
  out.hovered = ImGui::IsItemHovered();
  out.clicked = ImGui::IsItemClicked();
  const float lh = ImGui::GetTextLineHeight();
  const float ly = title_and_legend(spec, p.x, p.y, w, overflow);
  const float top = ly + lh + 4, bottom = p.y + h - lh - 3;
  if (bottom - top < lh) {
    if (overflow != nullptr)
      overflow->push_back(std::string("chart '") + spec.title + "': " + strf("%.0f", h) +
                          " px high, too low for its plot");
    return out;
  }
  // The y axis: the top from what has been shown so far (or fixed), ticks in the chart's unit,
  // the left margin as wide as their labels.
  const double span = win.t1 - win.t0;
  double shown_max = spec.y_floor;
  if (now >= win.t0) {
    for (const Line& l : spec.lines) {
      const float hi = cache.max_between(load, s.t, *l.v, win.t0, std::min(now, win.t1));
      if (!std::isnan(hi)) shown_max = std::max(shown_max, static_cast<double>(hi * l.scale));
    }
  }
  for (const RefLine& r : spec.refs) shown_max = std::max(shown_max, r.value * 1.1);
  if (spec.y_fixed > 0) shown_max = spec.y_fixed;
  const int approx = std::clamp(static_cast<int>((bottom - top) / (lh * 1.6f)), 1, 4);
  const std::vector<double> ticks = nice_ticks(shown_max, approx);
  // One left margin for every chart (their time axes line up), wider only for a long label.
  float label_w = axis_label_width();
  for (double v : ticks)
    label_w = std::max(label_w, ImGui::CalcTextSize(format_value(v, spec.unit).c_str()).x);
  const float left = p.x + label_w + 8;
  const float right = p.x + w - 4;
  const int cols = std::max(8, static_cast<int>(right - left));
  const double ytop = ticks.back();
  auto y_of = [&](double v) {
    return bottom - (bottom - top) * static_cast<float>(std::clamp(v / ytop, 0.0, 1.05));
  };
  for (double v : ticks) {
    const float y = y_of(v);
    dl->AddLine(ImVec2(left, y), ImVec2(right, y), v == 0 ? rgb(70, 74, 84) : kGrid);
    const std::string lab = format_value(v, spec.unit);
    const float tw = ImGui::CalcTextSize(lab.c_str()).x;
    dl->AddText(ImVec2(left - tw - 5, std::clamp(y - lh / 2, p.y + lh * 0.6f, bottom - lh / 2)),
                kAxisText, lab.c_str());
  }
  draw_time_axis(win, left, right, bottom, top);
  for (const RefLine& r : spec.refs) {
    const float y = y_of(r.value);
    for (float xd = left; xd < right; xd += 10)
      dl->AddLine(ImVec2(xd, y), ImVec2(std::min(xd + 5, right), y), r.colour);
    const float tw = ImGui::CalcTextSize(r.label.c_str()).x;
    dl->AddText(ImVec2(right - tw - 2, y - lh), r.colour, r.label.c_str());
  }
  // The lines, up to now: per pixel column its min-max bar and a line through the middles.
  const int shown = std::clamp(static_cast<int>(std::ceil((now - win.t0) / span * cols)), 0, cols);
  for (const Line& l : spec.lines)
    draw_line(dl, cache.envelope(load, s.t, *l.v, win, cols), l, shown, left, y_of);
  // Now, and the pointer with its values.
  if (now >= win.t0 && now <= win.t1) {
    const float xt = left + static_cast<float>((now - win.t0) / span) * (right - left);
    dl->AddLine(ImVec2(xt, top), ImVec2(xt, bottom), rgb(255, 255, 255, 110));
  }
  const ImVec2 m = ImGui::GetMousePos();
  if (out.hovered && m.x >= left && m.x <= right) {
    out.t = win.t0 + static_cast<double>((m.x - left) / (right - left)) * span;
    dl->AddLine(ImVec2(m.x, top), ImVec2(m.x, bottom), rgb(255, 230, 120, 120));
    tooltip(s, spec, out.t, now);
  } else if (out.clicked) {
    out.clicked = false;  // on the margins: no time
  }
  return out;
}

}  // namespace gui
