#include "gui/app.h"

#include <GL/gl.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "config/loader.h"
#include "engine/run.h"
#include "report/explain.h"
#include "report/text.h"
#include "sim/time.h"
#include "store/results_writer.h"

namespace gui {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ImU32 rgb(int r, int g, int b, int a = 255) { return IM_COL32(r, g, b, a); }

ImU32 health_colour(Health h) {
  switch (h) {
    case Health::kUp:
      return rgb(46, 184, 92);
    case Health::kDetecting:
      return rgb(240, 165, 30);
    case Health::kDown:
      return rgb(224, 56, 56);
    case Health::kRecovering:
      return rgb(80, 140, 240);
  }
  return rgb(128, 128, 128);
}

ImU32 pod_colour(PodState s) {
  switch (s) {
    case PodState::kPending:
      return rgb(120, 120, 130);
    case PodState::kScheduling:
      return rgb(150, 170, 200);
    case PodState::kPulling:
      return rgb(150, 100, 220);
    case PodState::kBooting:
      return rgb(240, 190, 40);
    case PodState::kReady:
      return rgb(46, 184, 92);
    case PodState::kUnready:
      return rgb(230, 120, 40);
    case PodState::kTerminating:
      return rgb(170, 60, 60);
  }
  return rgb(0, 0, 0);
}

const ImU32 kSiteColours[] = {rgb(66, 150, 240), rgb(245, 140, 40), rgb(170, 110, 230),
                              rgb(60, 190, 170)};
ImU32 site_colour(std::size_t k) { return kSiteColours[k % 4]; }

std::string clock(double t) {
  const int s = static_cast<int>(std::floor(t));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02dm%02ds", s / 60, s % 60);
  return buf;
}

std::string num(double v, const char* fmt) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

Envelope compute_envelope(const Series& s, const std::vector<float>& v, double duration, int cols) {
  Envelope e;
  e.lo.assign(static_cast<std::size_t>(cols), std::numeric_limits<float>::quiet_NaN());
  e.hi = e.lo;
  for (std::size_t i = 0; i < v.size() && i < s.t.size(); ++i) {
    if (std::isnan(v[i])) continue;
    int c = static_cast<int>(s.t[i] / duration * cols);
    c = std::clamp(c, 0, cols - 1);
    float& lo = e.lo[static_cast<std::size_t>(c)];
    float& hi = e.hi[static_cast<std::size_t>(c)];
    lo = std::isnan(lo) ? v[i] : std::min(lo, v[i]);
    hi = std::isnan(hi) ? v[i] : std::max(hi, v[i]);
    e.max = std::max(e.max, v[i]);
  }
  return e;
}

// A time plot of lines over the whole run, drawn up to the replay time t, with a cursor.
}  // namespace

void App::plot(const Replay& r, std::size_t entity, const char* title,
               const std::vector<Line>& lines, float w, float h, const char* unit, float y_floor) {
  const double duration = r.duration_s(), t = t_;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(w, h));
  const float top = p.y + ImGui::GetTextLineHeight() + 2, left = p.x + 34, right = p.x + w - 4,
              bottom = p.y + h - 4;
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), rgb(24, 27, 33), 3);
  const int cols = std::max(8, static_cast<int>(right - left));
  float ymax = y_floor;
  for (const Line& l : lines) ymax = std::max(ymax, envelope(r, entity, *l.v, cols).max);
  if (ymax <= 0) ymax = 1;
  ymax *= 1.08f;
  // Title and legend.
  float x = p.x + 6;
  dl->AddText(ImVec2(x, p.y + 1), rgb(200, 204, 210), title);
  x += ImGui::CalcTextSize(title).x + 12;
  for (const Line& l : lines) {
    dl->AddRectFilled(ImVec2(x, p.y + 6), ImVec2(x + 8, p.y + 12), l.colour);
    dl->AddText(ImVec2(x + 11, p.y + 1), rgb(150, 155, 165), l.name);
    x += ImGui::CalcTextSize(l.name).x + 22;
  }
  // Axes: the maximum and zero.
  char buf[32];
  std::snprintf(buf, sizeof buf,
                ymax >= 100  ? "%.0f%s"
                : ymax >= 10 ? "%.0f%s"
                             : "%.1f%s",
                ymax, unit);
  dl->AddText(ImVec2(p.x + 3, top - 2), rgb(120, 125, 135), buf);
  dl->AddLine(ImVec2(left, bottom), ImVec2(right, bottom), rgb(60, 64, 72));
  dl->AddLine(ImVec2(left, top), ImVec2(right, top), rgb(40, 44, 50));
  const int shown = std::clamp(static_cast<int>(t / duration * cols) + 1, 0, cols);
  auto y_of = [&](float v) { return bottom - (bottom - top) * (v / ymax); };
  for (const Line& l : lines) {
    const Envelope& e = envelope(r, entity, *l.v, cols);
    ImVec2 prev(-1, -1);
    for (int c = 0; c < shown; ++c) {
      const float lo = e.lo[static_cast<std::size_t>(c)], hi = e.hi[static_cast<std::size_t>(c)];
      if (std::isnan(lo)) {
        prev = ImVec2(-1, -1);
        continue;
      }
      const float xc = left + static_cast<float>(c);
      if (l.dashed && (c / 3) % 2 == 1) {
        prev = ImVec2(-1, -1);
        continue;
      }
      if (hi - lo > 0) dl->AddLine(ImVec2(xc, y_of(lo)), ImVec2(xc, y_of(hi)), l.colour);
      const ImVec2 cur(xc, y_of((lo + hi) / 2));
      if (prev.x >= 0) dl->AddLine(prev, cur, l.colour, 1.5f);
      prev = cur;
    }
  }
  const float xt = left + static_cast<float>(t / duration) * (right - left);
  dl->AddLine(ImVec2(xt, top), ImVec2(xt, bottom), rgb(255, 255, 255, 90));
}

namespace {

void big_number(ImFont* font, const char* label, const std::string& value, ImU32 colour, float w) {
  ImGui::BeginGroup();
  ImGui::TextColored(ImVec4(0.6f, 0.63f, 0.68f, 1), "%s", label);
  if (font) ImGui::PushFont(font);
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::TextUnformatted(value.c_str());
  ImGui::PopStyleColor();
  if (font) ImGui::PopFont();
  ImGui::EndGroup();
  ImGui::SameLine(0, 0);
  const float used = ImGui::GetItemRectSize().x;
  if (used < w) {
    ImGui::Dummy(ImVec2(w - used, 1));
    ImGui::SameLine(0, 0);
  }
}

ImU32 apdex_colour(double a) {
  if (std::isnan(a)) return rgb(150, 150, 150);
  if (a >= 0.94) return rgb(46, 184, 92);
  if (a >= 0.85) return rgb(160, 200, 60);
  if (a >= 0.7) return rgb(240, 165, 30);
  return rgb(224, 56, 56);
}

// Event kinds the log can filter on.
const char* kKinds[] = {"scale", "pod", "health", "outage", "dns", "node", "rollout", "other"};
int kind_index(const Event& e) {
  if (e.kind == "scale" || e.kind == "restart" || e.kind == "deployment") return 0;
  if (e.kind == "pod") return 1;
  if (e.kind == "health") return 2;
  if (e.kind == "outage" || e.kind == "data_loss" || e.kind == "violated" ||
      e.kind == "recovered" || e.kind == "activate")
    return 3;
  if (e.kind == "dns" || e.kind == "split") return 4;
  if (e.kind == "node") return 5;
  if (e.kind == "rollout") return 6;
  return 7;
}

}  // namespace

App::App(AppOptions options) : opt_(std::move(options)) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(opt_.demos_dir, ec)) {
    const std::string p = e.path().string();
    if (e.path().extension() == ".yaml" && p.find(".sweep.") == std::string::npos)
      files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) demos_.push_back({f, fs::path(f).stem().string(), "..."});
  demos_thread_ = std::thread([this] { load_demos(); });
}

void App::load_demos() {
  std::vector<Demo> demos;
  {
    std::lock_guard<std::mutex> lock(demos_mu_);
    demos = demos_;
  }
  for (Demo& d : demos) {
    try {
      const config::Scenario s = config::load_scenario_file(d.file, {});
      d.name = s.name;
      d.description = s.description;
    } catch (const std::exception& e) {
      d.description = e.what();
    }
    std::lock_guard<std::mutex> lock(demos_mu_);
    for (Demo& shown : demos_) {
      if (shown.file == d.file) shown = d;
    }
  }
}

void App::wait_for_demos() {
  if (demos_thread_.joinable()) demos_thread_.join();
}

App::~App() {
  wait_for_demos();
  if (explain_job_ && explain_job_->thread.joinable()) explain_job_->thread.join();
  if (bg_ && bg_->thread.joinable()) {
    bg_->stop = true;
    bg_->thread.join();
  }
  release_textures();
}

void App::release_textures() {
  for (auto& [k, t] : textures_) {
    if (t.tex != 0) glDeleteTextures(1, &t.tex);
  }
  textures_.clear();
  envelopes_.clear();
}

void App::loaded(bool compare) {
  (compare ? load_b_ : load_a_) = ++loads_;
  release_textures();
}

const Envelope& App::envelope(const Replay& r, std::size_t entity, const std::vector<float>& column,
                              int cols) {
  const Series& s = r.series()[entity];
  const uint64_t load = b_ && &r == &*b_ ? load_b_ : load_a_;
  const std::ptrdiff_t member =
      reinterpret_cast<const char*>(&column) - reinterpret_cast<const char*>(&s);
  const auto key = std::make_tuple(load, entity, member, cols);
  auto it = envelopes_.find(key);
  if (it != envelopes_.end()) return it->second;
  if (envelopes_.size() > 512) envelopes_.clear();
  return envelopes_.emplace(key, compute_envelope(s, column, r.duration_s(), cols)).first->second;
}

void App::set_time(double t) {
  const double end = a_ ? a_->duration_s() : 0;
  t_ = std::clamp(t, 0.0, std::max(end, b_ ? b_->duration_s() : 0.0));
}

bool App::open(const std::string& path, int64_t run_id) {
  error_.clear();
  if (path.size() > 5 &&
      (path.substr(path.size() - 5) == ".yaml" || path.substr(path.size() - 4) == ".yml")) {
    if (bg_) {
      error_ = "a scenario is already running";
      return false;
    }
    // Validate first, so a bad file is reported at once.
    try {
      (void)config::load_scenario_file(path, {});
    } catch (const std::exception& e) {
      error_ = e.what();
      return false;
    }
    bg_ = std::make_unique<Background>();
    bg_->scenario = path;
    bg_->out = (fs::path(opt_.results_dir) / (fs::path(path).stem().string() + ".sqlite")).string();
    Background* bg = bg_.get();
    bg_->thread = std::thread([bg] {
      try {
        const config::Scenario s = config::load_scenario_file(bg->scenario, {});
        fs::create_directories(fs::path(bg->out).parent_path());
        fs::remove(bg->out);
        store::ResultsDb db(bg->out);
        engine::RunControl control;
        control.stop = &bg->stop;
        const double horizon = s.duration.seconds();
        control.on_progress = [bg, horizon](sim::SimTime now) {
          bg->progress = now.seconds() / horizon;
        };
        engine::run_into_db(db, s, engine::RunLabel(s.seed), control);
      } catch (const std::exception& e) {
        bg->error = e.what();
      }
      bg->done = true;
    });
    return true;
  }
  try {
    const auto runs = list_runs(path);
    if (runs.empty()) throw std::runtime_error(path + ": it holds no runs");
    if (run_id == 0 && runs.size() > 1) {
      pick_path_ = path;
      pick_runs_ = runs;
      pick_compare_ = false;
      return true;
    }
    a_ = Replay::load(path, run_id);
    loaded(false);
    t_ = 0;
    return true;
  } catch (const std::exception& e) {
    error_ = e.what();
    return false;
  }
}

bool App::run_and_open(const std::string& scenario) {
  if (!open(scenario)) return false;
  if (bg_) {
    bg_->thread.join();
    poll_background();
  }
  return error_.empty() && a_.has_value();
}

bool App::open_compare(const std::string& path, int64_t run_id) {
  error_.clear();
  try {
    const auto runs = list_runs(path);
    if (run_id == 0 && runs.size() > 1) {
      pick_path_ = path;
      pick_runs_ = runs;
      pick_compare_ = true;
      return true;
    }
    b_ = Replay::load(path, run_id);
    loaded(true);
    return true;
  } catch (const std::exception& e) {
    error_ = e.what();
    return false;
  }
}

void App::poll_background() {
  if (explain_job_ && explain_job_->done) {
    explain_job_->thread.join();
    explanation_ = Explanation{explain_job_->title, explain_job_->text};
    explain_job_.reset();
  }
  if (!bg_ || !bg_->done) return;
  if (bg_->thread.joinable()) bg_->thread.join();
  if (!bg_->error.empty()) {
    error_ = bg_->error;
  } else {
    try {
      a_ = Replay::load(bg_->out);
      loaded(false);
      t_ = 0;
      playing_ = true;
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }
  bg_.reset();
}

const App::TmapTexture& App::tmap_texture(const Replay& r, std::size_t entity) {
  const std::string key =
      r.path() + "#" + std::to_string(r.run_id()) + "/" + std::to_string(entity);
  auto it = textures_.find(key);
  if (it != textures_.end()) return it->second;
  const Tmap& m = r.tmaps()[entity];
  const Series& s = r.series()[entity];
  TmapTexture tt;
  if (m.bins > 0 && s.size() > 0) {
    // Columns of whole buckets, at most 2048; rows = bins, the slowest at the top; a top strip
    // of 3 rows marks failed requests.
    const std::size_t n = s.size();
    const std::size_t per = (n + 2047) / 2048;
    tt.cols = static_cast<int>((n + per - 1) / per);
    tt.rows = m.bins + 3;
    tt.col_s = r.bucket_s() * static_cast<double>(per);
    std::vector<double> cnt(static_cast<std::size_t>(tt.cols * m.bins), 0.0),
        fail(static_cast<std::size_t>(tt.cols), 0.0);
    double top = 1, top_fail = 1;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t c = i / per;
      for (int b = 0; b < m.bins; ++b) {
        double& v = cnt[c * static_cast<std::size_t>(m.bins) + static_cast<std::size_t>(b)];
        v += m.counts[i * static_cast<std::size_t>(m.bins) + static_cast<std::size_t>(b)];
        top = std::max(top, v);
      }
      fail[c] += m.failed[i];
      top_fail = std::max(top_fail, fail[c]);
    }
    std::vector<uint32_t> px(static_cast<std::size_t>(tt.cols * tt.rows), 0);
    auto put = [&](int x, int y, ImU32 c) { px[static_cast<std::size_t>(y * tt.cols + x)] = c; };
    for (int x = 0; x < tt.cols; ++x) {
      for (int b = 0; b < m.bins; ++b) {
        const double v = cnt[static_cast<std::size_t>(x) * static_cast<std::size_t>(m.bins) +
                             static_cast<std::size_t>(b)];
        const int y = tt.rows - 1 - b;
        if (v <= 0) {
          put(x, y, rgb(20, 22, 28));
          continue;
        }
        // Log colour scale: dark blue -> cyan -> yellow -> white.
        const float f = static_cast<float>(std::log1p(v) / std::log1p(top));
        const int r8 = static_cast<int>(255 * std::clamp(f * 2 - 0.6f, 0.f, 1.f));
        const int g8 = static_cast<int>(255 * std::clamp(f * 1.5f, 0.f, 1.f));
        const int b8 =
            static_cast<int>(255 * std::clamp(0.45f + f, 0.f, 1.f) * (f > 0.8f ? 1.f : 0.9f));
        put(x, y, rgb(r8, g8, b8));
      }
      const float f =
          fail[static_cast<std::size_t>(x)] > 0
              ? static_cast<float>(0.35 + 0.65 * std::log1p(fail[static_cast<std::size_t>(x)]) /
                                              std::log1p(top_fail))
              : 0.f;
      for (int y = 0; y < 3; ++y)
        put(x, y, f > 0 ? rgb(230, 50, 50, static_cast<int>(255 * f)) : rgb(20, 22, 28));
    }
    glGenTextures(1, &tt.tex);
    glBindTexture(GL_TEXTURE_2D, tt.tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, tt.cols, tt.rows, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 px.data());
  }
  return textures_.emplace(key, tt).first->second;
}

void App::frame(float width, float height, double dt_real) {
  poll_background();
  layout_.clear();
  if (playing_ && a_) {
    const double end = std::max(a_->duration_s(), b_ ? b_->duration_s() : 0.0);
    t_ = std::min(end, t_ + dt_real * speed_);
    if (t_ >= end) playing_ = false;
  }
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(width, height));
  ImGui::Begin("hcsim", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings);
  if (!pick_runs_.empty()) {
    run_picker();
  } else if (!a_) {
    start_screen(width, height);
  } else {
    timeline(width);
    const float h = ImGui::GetContentRegionAvail().y;
    const float w = ImGui::GetContentRegionAvail().x;
    const float side = std::max(360.f, w * 0.30f);
    ImGui::BeginChild("main", ImVec2(w - side - 8, h), false);
    if (b_) {
      const float half = (w - side - 8) / 2 - 4;
      ImGui::BeginChild("A", ImVec2(half, h), false);
      dashboard(*a_, "A", half, h, true);
      ImGui::EndChild();
      ImGui::SameLine();
      ImGui::BeginChild("B", ImVec2(half, h), false);
      dashboard(*b_, "B", half, h, true);
      ImGui::EndChild();
    } else {
      dashboard(*a_, "A", w - side - 8, h, false);
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("side", ImVec2(side, h), false);
    const DashboardState st = state_at(*a_, t_);
    topology(*a_, st, side, h * 0.42f);
    event_log(*a_, side, ImGui::GetContentRegionAvail().y);
    ImGui::EndChild();
  }
  ImGui::End();
  explanation_window(width, height);
}

void App::start_screen(float width, float height) {
  (void)height;
  ImGui::Dummy(ImVec2(1, 20));
  if (opt_.caption_font) ImGui::PushFont(opt_.caption_font);
  ImGui::TextUnformatted("hcsim viewer: hybrid-cloud autoscaling and disaster recovery");
  if (opt_.caption_font) ImGui::PopFont();
  ImGui::TextDisabled(
      "Pick a demo: it is simulated on this computer (a few seconds), then replayed.");
  ImGui::Dummy(ImVec2(1, 10));
  if (bg_) {
    ImGui::Text("Simulating %s ...", fs::path(bg_->scenario).filename().string().c_str());
    ImGui::ProgressBar(static_cast<float>(bg_->progress.load()), ImVec2(width * 0.5f, 0));
  }
  std::vector<Demo> demos;
  {
    std::lock_guard<std::mutex> lock(demos_mu_);
    demos = demos_;
  }
  for (std::size_t i = 0; i < demos.size(); ++i) {
    const Demo& d = demos[i];
    ImGui::PushID(static_cast<int>(i));
    ImGui::BeginDisabled(bg_ != nullptr);
    if (ImGui::Button(d.name.c_str(), ImVec2(width * 0.32f, 44))) open(d.file);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::PushTextWrapPos(width - 20);
    ImGui::TextWrapped("%s", d.description.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopID();
  }
  ImGui::Dummy(ImVec2(1, 16));
  ImGui::TextUnformatted("Or open a results file (.sqlite) or a scenario (.yaml):");
  ImGui::SetNextItemWidth(width * 0.5f);
  const bool enter = ImGui::InputText("##open", open_path_, sizeof open_path_,
                                      ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if ((ImGui::Button("Open") || enter) && open_path_[0] != '\0') open(open_path_);
  if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());
}

void App::run_picker() {
  ImGui::Text("%s holds %zu runs. Pick one%s:", pick_path_.c_str(), pick_runs_.size(),
              pick_compare_ ? " to compare" : "");
  if (ImGui::BeginTable("runs", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY)) {
    ImGui::TableSetupColumn("run");
    ImGui::TableSetupColumn("scenario");
    ImGui::TableSetupColumn("configuration");
    ImGui::TableSetupColumn("seed");
    ImGui::TableSetupColumn("status");
    ImGui::TableHeadersRow();
    for (const RunEntry& e : pick_runs_) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      char id[32];
      std::snprintf(id, sizeof id, "%lld", static_cast<long long>(e.run_id));
      if (ImGui::Selectable(id, false, ImGuiSelectableFlags_SpanAllColumns)) {
        const std::string path = pick_path_;
        const bool cmp = pick_compare_;
        pick_runs_.clear();
        if (cmp)
          open_compare(path, e.run_id);
        else
          open(path, e.run_id);
        ImGui::EndTable();
        return;
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.scenario.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.label.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(e.seed));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.status.c_str());
    }
    ImGui::EndTable();
  }
}

void App::timeline(float width) {
  const Replay& r = *a_;
  const double end = std::max(r.duration_s(), b_ ? b_->duration_s() : 0.0);
  ImGui::TextColored(ImVec4(0.55f, 0.75f, 1, 1), "%s", r.scenario().c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("run %lld, seed %llu%s%s", static_cast<long long>(r.run_id()),
                      static_cast<unsigned long long>(r.seed()), r.label().empty() ? "" : ", ",
                      r.label().c_str());
  if (b_) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1, 0.75f, 0.4f, 1), "  vs  %s", b_->scenario().c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("run %lld%s%s", static_cast<long long>(b_->run_id()),
                        b_->label().empty() ? "" : ", ", b_->label().c_str());
  }
  if (ImGui::Button("Home")) {
    navigate(Nav::kHome);
    ImGui::Separator();
    return;
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the start screen (Escape)");
  const int demo = current_demo();
  if (demo >= 0) {
    ImGui::SameLine();
    ImGui::BeginDisabled(demo == 0);
    if (ImGui::Button("< demo")) navigate(Nav::kPrevDemo);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(demo + 1 >= static_cast<int>(demos_.size()));
    if (ImGui::Button("demo >")) navigate(Nav::kNextDemo);
    ImGui::EndDisabled();
  }
  ImGui::SameLine();
  if (ImGui::Button(playing_ ? "Pause" : "Play", ImVec2(64, 0))) navigate(Nav::kPlay);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Space");
  ImGui::SameLine();
  if (ImGui::Button("<<")) navigate(Nav::kPrevEvent);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the event before, as the log shows them");
  ImGui::SameLine();
  if (ImGui::Button(">>")) navigate(Nav::kNextEvent);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the event after, as the log shows them");
  ImGui::SameLine();
  if (ImGui::Button("|<")) navigate(Nav::kPrevCaption);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the narration before (Shift+Left)");
  ImGui::SameLine();
  if (ImGui::Button(">|")) navigate(Nav::kNextCaption);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the narration after (Shift+Right)");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(150);
  float sp = static_cast<float>(speed_);
  if (ImGui::SliderFloat("##speed", &sp, 1, 1000, "%.0fx", ImGuiSliderFlags_Logarithmic))
    speed_ = sp;
  ImGui::SameLine();
  ImGui::Text("%s / %s", clock(t_).c_str(), clock(end).c_str());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(width - ImGui::GetCursorPosX() - 260);
  float tf = static_cast<float>(t_);
  if (ImGui::SliderFloat("##time", &tf, 0, static_cast<float>(end), ""))
    set_time(static_cast<double>(tf));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(170);
  const bool enter =
      ImGui::InputTextWithHint("##cmp", "compare with .sqlite", compare_path_, sizeof compare_path_,
                               ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (b_) {
    if (ImGui::Button("Single")) {
      b_.reset();
      release_textures();
    }
  } else if ((ImGui::Button("Compare") || enter) && compare_path_[0] != '\0') {
    open_compare(compare_path_);
  }
  // The narration caption of this moment.
  const Caption* c = r.caption_at(t_);
  if (opt_.caption_font) ImGui::PushFont(opt_.caption_font);
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.93f, 0.6f, 1));
  ImGui::PushTextWrapPos(width - 10);
  ImGui::TextWrapped("%s %s", c ? clock(c->t).c_str() : "", c ? c->text.c_str() : "");
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  if (opt_.caption_font) ImGui::PopFont();
  if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());
  ImGui::Separator();
}

void App::dashboard(const Replay& r, const char* tag, float width, float height, bool compact) {
  const DashboardState st = state_at(r, t_);
  const std::size_t n = r.sites().size();
  if (compact) {
    // Compare mode: the sites one above the other.
    const float h = height / static_cast<float>(std::max<std::size_t>(n, 1)) - 6;
    for (std::size_t k = 0; k < n; ++k) site_column(r, st, k + 1, tag, width, h, true);
    return;
  }
  const float w = width / static_cast<float>(std::max<std::size_t>(n, 1)) - 6;
  for (std::size_t k = 0; k < n; ++k) {
    if (k > 0) ImGui::SameLine();
    site_column(r, st, k + 1, tag, w, height - 4, false);
  }
}

void App::site_column(const Replay& r, const DashboardState& st, std::size_t entity,
                      const char* tag, float width, float height, bool compact) {
  const SiteInfo& si = r.sites()[entity - 1];
  ImGui::BeginChild((std::string(tag) + si.name).c_str(), ImVec2(width, height), true);
  site_header(si, st.sites[entity - 1], st.numbers[entity], entity, tag);
  site_numbers(st.numbers[entity], width, compact);
  site_plots(r, entity, ImGui::GetContentRegionAvail().x, compact);
  tmap_panel(r, entity, ImGui::GetContentRegionAvail().x);
  ImGui::EndChild();
}

// Name, cloud, health badge (its place goes to layout_ for tests), GSLB weight, cost.
void App::site_header(const SiteInfo& si, const SiteView& sv, const Numbers& nb, std::size_t entity,
                      const char* tag) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGui::TextColored(ImColor(site_colour(entity - 1)).Value, "%s", si.name.c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("%s cloud", si.cloud.empty() ? "?" : si.cloud.c_str());
  ImGui::SameLine();
  const ImVec2 bp = ImGui::GetCursorScreenPos();
  const char* hn = health_name(sv.health);
  const ImVec2 ts = ImGui::CalcTextSize(hn);
  dl->AddRectFilled(bp, ImVec2(bp.x + ts.x + 16, bp.y + ts.y + 4), health_colour(sv.health), 4);
  dl->AddText(ImVec2(bp.x + 8, bp.y + 2), rgb(15, 15, 15), hn);
  layout_[std::string(tag) + "/" + si.name] = {bp.x, bp.y, ts.x + 16, ts.y + 4};
  ImGui::Dummy(ImVec2(ts.x + 16, ts.y + 4));
  ImGui::SameLine();
  ImGui::TextDisabled("GSLB weight %s%%", num(sv.weight, "%.0f").c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("cost %s", num(nb.cost, "%.2f").c_str());
}

// The APM numbers: Apdex, TPS, response time, active users, request velocity, errors.
void App::site_numbers(const Numbers& nb, float width, bool compact) {
  const float cell = compact ? width / 6 : width / 3;
  ImFont* value_font = compact ? opt_.caption_font : opt_.big_font;
  big_number(value_font, "Apdex", num(nb.apdex, "%.2f"), apdex_colour(nb.apdex), cell);
  big_number(value_font, "TPS", num(nb.tps, "%.0f"), rgb(230, 232, 236), cell);
  big_number(value_font, "Resp. time", num(nb.rt_mean_s * 1000, "%.0f ms"),
             nb.rt_mean_s > 1 ? rgb(240, 165, 30) : rgb(230, 232, 236), cell);
  if (!compact) ImGui::NewLine();
  big_number(value_font, "Active users", num(nb.active_users, "%.0f"), rgb(230, 232, 236), cell);
  big_number(value_font, "Req. velocity", num(nb.velocity, "%.0f/s"), rgb(230, 232, 236), cell);
  big_number(value_font, "Errors", num(nb.errors_per_s, "%.1f/s"),
             nb.errors_per_s > 0 ? rgb(224, 56, 56) : rgb(230, 232, 236), cell);
  ImGui::NewLine();
}

// A backtest's observed series (violet: no site or pod state uses it).
const ImU32 kObserved = IM_COL32(196, 120, 255, 255);

void App::site_plots(const Replay& r, std::size_t entity, float pw, bool compact) {
  const Series& s = r.series()[entity];
  const float rest = ImGui::GetContentRegionAvail().y;
  const float ph = compact ? std::max(50.f, rest / 3 - 6) : std::max(56.f, (rest - 8) / 5.6f - 4);
  std::vector<Line> replicas =
      compact ? std::vector<Line>{{&s.replicas_ready, rgb(46, 184, 92), "ready"},
                                  {&s.replicas_desired, rgb(220, 220, 220), "desired", true},
                                  {&s.replicas_unready, pod_colour(PodState::kUnready), "unready"},
                                  {&s.replicas_pending, rgb(150, 150, 160), "pending"}}
              : std::vector<Line>{{&s.replicas_desired, rgb(220, 220, 220), "desired", true},
                                  {&s.replicas_ready, rgb(46, 184, 92), "ready"},
                                  {&s.replicas_starting, rgb(240, 190, 40), "starting"},
                                  {&s.replicas_unready, pod_colour(PodState::kUnready), "unready"},
                                  {&s.replicas_pending, rgb(150, 150, 160), "pending"}};
  const std::vector<Line> latency{{&s.rt_p50, rgb(80, 160, 240), "p50"},
                                  {&s.rt_p95, rgb(240, 165, 30), "p95"},
                                  {&s.rt_p99, rgb(224, 56, 56), "p99"}};
  if (!compact) {
    std::vector<Line> cpu{{&s.cpu_util, site_colour(entity - 1), "utilisation"}};
    if (!s.observed_cpu.empty()) cpu.push_back({&s.observed_cpu, kObserved, "observed"});
    plot(r, entity, "Container CPU", cpu, pw, ph, "", 1.0f);
    plot(r, entity, "Users and requests",
         {{&s.active_users, rgb(200, 200, 210), "active users"},
          {&s.arrivals, site_colour(entity - 1), "requests / bucket"}},
         pw, ph, "");
  }
  if (!s.observed_replicas.empty())
    replicas.push_back({&s.observed_replicas, kObserved, "observed"});
  plot(r, entity, "Replicas", replicas, pw, ph, "");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("click: why this many replicas?");
  if (ImGui::IsItemClicked()) {
    // The plot's time axis runs from 34 px after its left edge to 4 px before its right edge.
    const float left = ImGui::GetItemRectMin().x + 34, right = ImGui::GetItemRectMax().x - 4;
    const double t =
        std::clamp(static_cast<double>((ImGui::GetMousePos().x - left) / (right - left)), 0.0,
                   1.0) *
        r.duration_s();
    const std::size_t i = r.decision_at(r.entity_names()[entity], std::min(t, t_));
    if (i < r.events().size()) {
      explain(r, i, std::min(t, t_));
    } else {
      explanation_ = Explanation{"No decision", "No autoscaler of " + r.entity_names()[entity] +
                                                    " logged a decision by " + clock(t) + "."};
    }
    start_explain_replay(r, r.entity_names()[entity], std::min(t, t_));
  }
  plot(r, entity, "Response time", latency, pw, ph, "s");
}

// The T-map up to t: response time upwards (log), failed requests as the red strip, with the
// time ticks the plots above share.
void App::tmap_panel(const Replay& r, std::size_t entity, float pw) {
  const TmapTexture& tm = tmap_texture(r, entity);
  const float th = ImGui::GetContentRegionAvail().y - 4;
  if (tm.tex == 0 || th <= 30) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const double dur = r.duration_s();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(pw, th));
  dl->AddRectFilled(p, ImVec2(p.x + pw, p.y + th), rgb(24, 27, 33), 3);
  dl->AddText(ImVec2(p.x + 6, p.y + 1), rgb(200, 204, 210),
              "T-map (response time, log; red: failed)");
  const float top = p.y + ImGui::GetTextLineHeight() + 2, left = p.x + 34, right = p.x + pw - 4,
              bottom = p.y + th - 4;
  const float frac = static_cast<float>(std::clamp(t_ / dur, 0.0, 1.0));
  const float cover = static_cast<float>(tm.cols * tm.col_s / dur);
  const float u1 = std::min(1.f, frac / std::max(cover, 1e-6f));
  dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(tm.tex)), ImVec2(left, top),
               ImVec2(left + (right - left) * frac, bottom), ImVec2(0, 0), ImVec2(u1, 1));
  // Axis labels: the fastest and slowest bin shown.
  const Tmap& m = r.tmaps()[entity];
  if (!m.bin_lo_s.empty()) {
    dl->AddText(ImVec2(p.x + 2, bottom - 14), rgb(120, 125, 135),
                num(m.bin_lo_s.front() * 1000, "%.0fms").c_str());
    dl->AddText(ImVec2(p.x + 2, top + 6), rgb(120, 125, 135),
                num(m.bin_lo_s.back(), "%.0fs").c_str());
  }
  const float xt = left + frac * (right - left);
  dl->AddLine(ImVec2(xt, top), ImVec2(xt, bottom), rgb(255, 255, 255, 90));
  const double step = dur <= 3600 ? 600 : dur <= 6 * 3600 ? 3600 : 4 * 3600;
  for (double x = step; x < dur; x += step) {
    const float px = left + static_cast<float>(x / dur) * (right - left);
    dl->AddLine(ImVec2(px, bottom), ImVec2(px, bottom + 3), rgb(120, 125, 135));
    const std::string lab = x < 3600 ? num(x / 60, "%.0fm") : num(x / 3600, "%.0fh");
    dl->AddText(ImVec2(px - ImGui::CalcTextSize(lab.c_str()).x / 2, bottom - 15),
                rgb(150, 155, 165), lab.c_str());
  }
}

void App::topology(const Replay& r, const DashboardState& st, float width, float height) {
  ImGui::BeginChild("topology", ImVec2(width, height), true);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetContentRegionAvail().y;
  dl->AddText(o, rgb(200, 204, 210), "Topology: regions -> GSLB -> sites");
  const std::size_t nr = r.regions().size(), ns = r.sites().size();
  const float top = o.y + 22;
  const float ah = h - 26;
  const ImVec2 gslb(o.x + w * 0.36f, top + ah / 2);
  const double total = st.numbers[0].velocity;
  auto thickness = [&](double rate) {
    return total > 0 ? 1.f + 9.f * static_cast<float>(std::sqrt(rate / total)) : 1.f;
  };
  // Regions.
  for (std::size_t i = 0; i < nr; ++i) {
    const Region& g = r.regions()[i];
    const ImVec2 c(o.x + 34, top + ah * (static_cast<float>(i) + 0.5f) / static_cast<float>(nr));
    dl->AddLine(c, gslb, rgb(120, 160, 220, 160), thickness(total * g.share));
    dl->AddCircleFilled(c, 16, rgb(60, 90, 140));
    const ImVec2 ts = ImGui::CalcTextSize(g.name.c_str());
    dl->AddText(ImVec2(c.x - ts.x / 2, c.y + 18), rgb(200, 204, 210), g.name.c_str());
    dl->AddText(ImVec2(c.x - 12, c.y - 7), rgb(230, 232, 236),
                num(total * g.share, "%.0f").c_str());
  }
  // Sites, with edges from the GSLB weighted by their traffic.
  const float sx = o.x + w * 0.58f, sw = w * 0.42f - 6;
  const float sh = ah / static_cast<float>(std::max<std::size_t>(ns, 1)) - 8;
  for (std::size_t k = 0; k < ns; ++k) {
    const SiteInfo& si = r.sites()[k];
    const SiteView& sv = st.sites[k];
    const Numbers& nb = st.numbers[k + 1];
    const float y0 = top + (sh + 8) * static_cast<float>(k);
    const ImVec2 in(sx, y0 + sh / 2);
    dl->AddLine(gslb, in, site_colour(k), thickness(nb.velocity));
    char lab[64];
    // A site the GSLB marked down gets no new answers, whatever its weight.
    const bool out = sv.health == Health::kDown || sv.health == Health::kRecovering;
    std::snprintf(lab, sizeof lab, out ? "%.0f%% (out)  %.0f/s" : "%.0f%%  %.0f/s", sv.weight,
                  nb.velocity);
    const ImVec2 mid((gslb.x + in.x) / 2 - 30, (gslb.y + in.y) / 2 - 16);
    dl->AddText(mid, rgb(220, 222, 226), lab);
    dl->AddRectFilled(ImVec2(sx, y0), ImVec2(sx + sw, y0 + sh), rgb(30, 34, 42), 5);
    dl->AddRect(ImVec2(sx, y0), ImVec2(sx + sw, y0 + sh), health_colour(sv.health), 5, 0, 3);
    if (nb.nodes > 0)
      std::snprintf(lab, sizeof lab, "%s  %s  %d nodes", si.name.c_str(), health_name(sv.health),
                    nb.nodes);
    else
      std::snprintf(lab, sizeof lab, "%s  %s", si.name.c_str(), health_name(sv.health));
    dl->AddText(ImVec2(sx + 6, y0 + 3), health_colour(sv.health), lab);
    // Pods as squares by state, in node order.
    std::vector<std::pair<int, PodState>> pods;
    for (const Pod& p : si.pods) {
      PodState ps;
      if (p.state_at(t_, &ps)) pods.emplace_back(p.node, ps);
    }
    std::stable_sort(pods.begin(), pods.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    const float q = 9, gap = 2;
    const int per_row = std::max(1, static_cast<int>((sw - 12) / (q + gap)));
    for (std::size_t i = 0; i < pods.size(); ++i) {
      const float px = sx + 6 + static_cast<float>(static_cast<int>(i) % per_row) * (q + gap);
      const float py = y0 + 22 + static_cast<float>(static_cast<int>(i) / per_row) * (q + gap);
      if (py + q > y0 + sh - 2) break;
      dl->AddRectFilled(ImVec2(px, py), ImVec2(px + q, py + q), pod_colour(pods[i].second), 1.5f);
    }
  }
  // The GSLB.
  dl->AddQuadFilled(ImVec2(gslb.x, gslb.y - 22), ImVec2(gslb.x + 22, gslb.y),
                    ImVec2(gslb.x, gslb.y + 22), ImVec2(gslb.x - 22, gslb.y), rgb(90, 100, 120));
  dl->AddText(ImVec2(gslb.x - 17, gslb.y - 7), rgb(240, 240, 240), "GSLB");
  const std::string pol = r.gslb_policy().empty() ? "" : r.gslb_policy();
  const float pw = ImGui::CalcTextSize(pol.c_str()).x;
  dl->AddText(ImVec2(gslb.x - pw / 2, gslb.y - 42), rgb(150, 155, 165), pol.c_str());
  // Legend of pod states.
  float lx = o.x + 4;
  const float ly = o.y + h - 14;
  for (int k = 0; k < kPodStates; ++k) {
    const PodState ps = static_cast<PodState>(k);
    dl->AddRectFilled(ImVec2(lx, ly + 3), ImVec2(lx + 8, ly + 11), pod_colour(ps));
    dl->AddText(ImVec2(lx + 11, ly), rgb(150, 155, 165), pod_state_name(ps));
    lx += ImGui::CalcTextSize(pod_state_name(ps)).x + 20;
  }
  ImGui::EndChild();
}

void App::explain(const Replay& r, std::size_t event, double clicked_t) {
  const Event& e = r.events()[event];
  const std::string site = e.component.substr(e.component.find('/') + 1);
  Explanation x;
  x.title = e.component + " at " + clock(e.t);
  x.text = e.message + "\n\n" + report::explain_evaluation(e.component, e.message, e.details);
  x.text += "\nThis is the decision the results file logged";
  if (clicked_t > e.t + 1e-6) x.text += " last before " + clock(clicked_t);
  x.text += ". For the evaluation at any moment, replayed exactly:\n  hcsim explain " + r.path() +
            " --site " + site + " --at " + report::strf("%.1f", clicked_t) + " --run " +
            std::to_string(r.run_id()) + "\n";
  explanation_ = std::move(x);
}

void App::start_explain_replay(const Replay& r, const std::string& site, double t) {
  if (explain_job_) {
    explain_job_->thread.join();  // a replay stops at its moment: never long for a demo
    explain_job_.reset();
  }
  if (explanation_)
    explanation_->text = "Replaying the run to " + clock(t) +
                         " for the exact evaluation...\n\nMeanwhile, the last logged decision:\n" +
                         explanation_->text;
  auto job = std::make_unique<ExplainJob>();
  cli::ExplainArgs args;
  args.db = r.path();
  args.site = site;
  args.at = report::strf("%.3f", t);
  args.run = r.run_id();
  job->title = site + " at " + clock(t);
  ExplainJob* j = job.get();
  job->thread = std::thread([j, args] {
    const cli::Explained x = cli::explain(args);
    j->text = x.code == cli::kExitOk ? x.text : x.error;
    if (!x.warning.empty()) j->text = "Note: " + x.warning + "\n\n" + j->text;
    j->done = true;
  });
  explain_job_ = std::move(job);
}

bool App::explain_site(const std::string& site, double t) {
  if (!a_) {
    error_ = "no run open";
    return false;
  }
  const std::vector<std::string>& names = a_->entity_names();
  if (std::find(names.begin() + 1, names.end(), site) == names.end()) {
    error_ = "no site named '" + site + "' in this run";
    return false;
  }
  // As a click on the site's replicas chart, with the replay done before the frame is drawn.
  cli::ExplainArgs args;
  args.db = a_->path();
  args.site = site;
  args.at = report::strf("%.3f", t);
  args.run = a_->run_id();
  const cli::Explained x = cli::explain(args);
  if (x.code != cli::kExitOk) {
    error_ = x.error;
    return false;
  }
  explanation_ = Explanation{site + " at " + clock(t),
                             (x.warning.empty() ? "" : "Note: " + x.warning + "\n\n") + x.text};
  return true;
}

void App::explanation_window(float width, float height) {
  if (!explanation_) return;
  ImGui::SetNextWindowSize(ImVec2(std::min(1400.f, width - 40), std::min(700.f, height - 40)),
                           ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(width / 2, height / 2), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowBgAlpha(0.97f);  // the style's window background is transparent
  bool open = true;
  const std::string title = "Why? " + explanation_->title + "###explanation";
  if (ImGui::Begin(title.c_str(), &open,
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_HorizontalScrollbar)) {
    if (opt_.mono_font) ImGui::PushFont(opt_.mono_font);
    ImGui::TextUnformatted(explanation_->text.c_str());
    if (opt_.mono_font) ImGui::PopFont();
  }
  ImGui::End();
  if (!open) explanation_.reset();
}

bool App::visible(const Event& e) const {
  if (!show_kind_[kind_index(e)]) return false;
  const std::string_view filter = filter_;
  return filter.empty() || e.message.find(filter) != std::string::npos ||
         e.component.find(filter) != std::string::npos || e.kind.find(filter) != std::string::npos;
}

int App::current_demo() const {
  if (!a_) return -1;
  std::lock_guard<std::mutex> lock(demos_mu_);
  for (std::size_t i = 0; i < demos_.size(); ++i) {
    if (fs::path(demos_[i].file).stem().string() == a_->scenario() ||
        demos_[i].name == a_->scenario())
      return static_cast<int>(i);
  }
  return -1;
}

void App::open_demo(std::size_t index) {
  std::string file;
  {
    std::lock_guard<std::mutex> lock(demos_mu_);
    if (index >= demos_.size()) return;
    file = demos_[index].file;
  }
  if (bg_) return;  // one simulation at a time
  explanation_.reset();
  open(file);
}

void App::finish_background() {
  if (bg_ && bg_->thread.joinable()) bg_->thread.join();
  poll_background();
}

void App::navigate(Nav n) {
  if (n == Nav::kHome) {
    a_.reset();
    b_.reset();
    release_textures();
    explanation_.reset();
    pick_runs_.clear();
    playing_ = false;
    t_ = 0;
    error_.clear();
    return;
  }
  if (n == Nav::kPrevDemo || n == Nav::kNextDemo) {
    const int d = current_demo();
    if (d < 0) return;
    if (n == Nav::kPrevDemo && d > 0) open_demo(static_cast<std::size_t>(d - 1));
    if (n == Nav::kNextDemo) open_demo(static_cast<std::size_t>(d + 1));
    return;
  }
  if (!a_) return;
  const Replay& r = *a_;
  const double eps = 1e-6;
  switch (n) {
    case Nav::kStepBack:
    case Nav::kStepForward: {
      // To the start of the bucket before / after the one holding now.
      const double b = r.bucket_s();
      const double k = std::floor(t_ / b + eps);
      set_time(n == Nav::kStepForward ? (k + 1) * b : (std::abs(t_ - k * b) < eps ? k - 1 : k) * b);
      playing_ = false;
      break;
    }
    case Nav::kPrevCaption:
    case Nav::kNextCaption: {
      const std::vector<Caption>& cs = r.captions();
      if (n == Nav::kNextCaption) {
        for (const Caption& c : cs)
          if (c.t > t_ + eps) {
            set_time(c.t);
            break;
          }
      } else {
        for (auto it = cs.rbegin(); it != cs.rend(); ++it)
          if (it->t < t_ - eps) {
            set_time(it->t);
            break;
          }
      }
      playing_ = false;
      break;
    }
    case Nav::kPrevEvent:
    case Nav::kNextEvent: {
      const std::vector<Event>& ev = r.events();
      if (n == Nav::kNextEvent) {
        for (const Event& e : ev)
          if (e.t > t_ + eps && visible(e)) {
            set_time(e.t);
            break;
          }
      } else {
        for (auto it = ev.rbegin(); it != ev.rend(); ++it)
          if (it->t < t_ - eps && visible(*it)) {
            set_time(it->t);
            break;
          }
      }
      break;
    }
    case Nav::kSlower:
      speed_ = std::max(1.0, speed_ / 2);
      break;
    case Nav::kFaster:
      speed_ = std::min(1000.0, speed_ * 2);
      break;
    case Nav::kFollow:
      follow_ = !follow_;
      scrolled_to_ = -1;
      break;
    case Nav::kPlay: {
      const double end = std::max(r.duration_s(), b_ ? b_->duration_s() : 0.0);
      if (!playing_ && t_ >= end) t_ = 0;
      playing_ = !playing_;
      break;
    }
    default:
      break;
  }
}

void App::press(const KeyPress& k) {
  using Key = KeyPress::Key;
  switch (k.key) {
    case Key::kEscape:
      if (explanation_)
        explanation_.reset();
      else if (a_ || !pick_runs_.empty())
        navigate(Nav::kHome);
      break;
    case Key::kDigit:
      if (k.digit >= 1) open_demo(static_cast<std::size_t>(k.digit - 1));
      break;
    case Key::kSpace:
      navigate(Nav::kPlay);
      break;
    case Key::kLeft:
      navigate(k.shift ? Nav::kPrevCaption : Nav::kStepBack);
      break;
    case Key::kRight:
      navigate(k.shift ? Nav::kNextCaption : Nav::kStepForward);
      break;
    case Key::kSlower:
      navigate(Nav::kSlower);
      break;
    case Key::kFaster:
      navigate(Nav::kFaster);
      break;
    case Key::kFollow:
      navigate(Nav::kFollow);
      break;
  }
}

void App::event_log(const Replay& r, float width, float height) {
  ImGui::BeginChild("events", ImVec2(width, height), true);
  ImGui::TextUnformatted("Event log");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(width - 190);
  ImGui::InputTextWithHint("##filter", "filter (text)", filter_, sizeof filter_);
  ImGui::SameLine();
  ImGui::Checkbox("follow", &follow_);
  for (int k = 0; k < 8; ++k) {
    if (k > 0) ImGui::SameLine();
    ImGui::Checkbox(kKinds[k], &show_kind_[k]);
  }
  if (ImGui::BeginTable(
          "log", 3,
          ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("time");
    ImGui::TableSetupColumn("source");
    ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableHeadersRow();
    const std::size_t next = r.next_event(t_);
    bool scrolled = false;
    for (std::size_t i = 0; i < r.events().size(); ++i) {
      const Event& e = r.events()[i];
      if (!visible(e)) continue;
      ImGui::TableNextRow();
      const bool past = i < next;
      if (!past && !scrolled && follow_ && t_ != scrolled_to_) {
        ImGui::SetScrollHereY(0.8f);
        scrolled = true;
      }
      ImGui::TableNextColumn();
      ImGui::PushID(static_cast<int>(i));
      const std::string label = clock(e.t);
      if (ImGui::Selectable(label.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
        set_time(e.t);
        playing_ = false;
        if (explainable(e)) explain(r, i, e.t);
      }
      if (explainable(e) && ImGui::IsItemHovered()) ImGui::SetTooltip("click: why?");
      ImGui::PopID();
      const ImVec4 colour = past ? ImVec4(0.85f, 0.86f, 0.88f, 1) : ImVec4(0.45f, 0.47f, 0.5f, 1);
      ImGui::TableNextColumn();
      ImGui::TextColored(colour, "%s", e.component.c_str());
      ImGui::TableNextColumn();
      ImGui::TextColored(kind_index(e) == 3 || kind_index(e) == 2
                             ? ImVec4(1, 0.55f, 0.45f, past ? 1.f : 0.5f)
                             : colour,
                         "%s", e.message.c_str());
    }
    if (scrolled) scrolled_to_ = t_;
    ImGui::EndTable();
  }
  ImGui::EndChild();
}

}  // namespace gui
