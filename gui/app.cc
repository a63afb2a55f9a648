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

// The T-map's colour for `f` in [0, 1] of the log count scale: dark blue, cyan, yellow, white.
ImU32 heat(float f) {
  const int r8 = static_cast<int>(255 * std::clamp(f * 2 - 0.6f, 0.f, 1.f));
  const int g8 = static_cast<int>(255 * std::clamp(f * 1.5f, 0.f, 1.f));
  const int b8 = static_cast<int>(255 * std::clamp(0.45f + f, 0.f, 1.f) * (f > 0.8f ? 1.f : 0.9f));
  return rgb(r8, g8, b8);
}

const char* kChartNames[] = {"Requests", "Errors",   "Users",         "Traffic share", "Stale DNS",
                             "CPU",      "Replicas", "Response time", "Apdex",         "T-map"};

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

App::App(AppOptions options) : opt_(std::move(options)) { scan_demos(opt_.classroom); }

void App::scan_demos(bool classroom) {
  if (demos_thread_.joinable()) demos_thread_.join();
  classroom_ = classroom;
  const fs::path dir =
      classroom ? fs::path(opt_.demos_dir) / "classroom" : fs::path(opt_.demos_dir);
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string p = e.path().string();
    if (e.path().extension() == ".yaml" && p.find(".sweep.") == std::string::npos)
      files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  {
    std::lock_guard<std::mutex> lock(demos_mu_);
    demos_.clear();
    for (const std::string& f : files) demos_.push_back({f, fs::path(f).stem().string(), "..."});
  }
  demos_loaded_ = false;
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
  demos_loaded_ = true;
}

bool App::animating() const {
  return playing_ || bg_ != nullptr || explain_job_ != nullptr || !demos_loaded_;
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
  charts_.clear();
}

void App::loaded(bool compare) {
  (compare ? load_b_ : load_a_) = ++loads_;
  release_textures();
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

namespace {

// A T-map summed into columns of `per` buckets: counts [column * bins + bin], failures per column.
void tmap_columns(const Tmap& m, std::size_t n, std::size_t per, std::vector<double>* cnt,
                  std::vector<double>* fail) {
  const std::size_t cols = (n + per - 1) / per, bins = static_cast<std::size_t>(m.bins);
  cnt->assign(cols * bins, 0.0);
  fail->assign(cols, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = i / per;
    for (std::size_t b = 0; b < bins; ++b) (*cnt)[c * bins + b] += m.counts[i * bins + b];
    (*fail)[c] += m.failed[i];
  }
}

}  // namespace

const App::TmapTexture& App::tmap_texture(const Replay& r, std::size_t entity) {
  const std::string key =
      r.path() + "#" + std::to_string(r.run_id()) + "/" + std::to_string(entity);
  auto it = textures_.find(key);
  if (it != textures_.end()) return it->second;
  const Tmap& m = r.tmaps()[entity];
  const std::size_t n = r.series()[entity].size();
  TmapTexture tt;
  if (m.bins <= 0 || n == 0) return textures_.emplace(key, tt).first->second;
  // Columns of whole buckets, at most 2048; rows = bins, the slowest at the top; a top strip of 3
  // rows marks failed requests. One colour scale for every site of the run (the largest cell of
  // any site), so that the same colour means the same count side by side.
  const std::size_t per = (n + 2047) / 2048;
  tt.cols = static_cast<int>((n + per - 1) / per);
  tt.rows = m.bins + 3;
  tt.col_s = r.bucket_s() * static_cast<double>(per);
  std::vector<double> cnt, fail;
  double top = 1, top_fail = 1;
  for (std::size_t e = 1; e < r.tmaps().size(); ++e) {
    if (r.tmaps()[e].bins != m.bins || r.series()[e].size() != n) continue;
    tmap_columns(r.tmaps()[e], n, per, &cnt, &fail);
    for (double v : cnt) top = std::max(top, v);
    for (double v : fail) top_fail = std::max(top_fail, v);
  }
  tmap_columns(m, n, per, &cnt, &fail);
  tt.top = top;
  std::vector<uint32_t> px(static_cast<std::size_t>(tt.cols * tt.rows), 0);
  auto put = [&](int x, int y, ImU32 c) { px[static_cast<std::size_t>(y * tt.cols + x)] = c; };
  for (int x = 0; x < tt.cols; ++x) {
    for (int b = 0; b < m.bins; ++b) {
      const double v = cnt[static_cast<std::size_t>(x) * static_cast<std::size_t>(m.bins) +
                           static_cast<std::size_t>(b)];
      // Log colour scale: 1 -> dark blue, the largest cell -> white.
      put(x, tt.rows - 1 - b,
          v <= 0 ? rgb(20, 22, 28) : heat(static_cast<float>(std::log1p(v) / std::log1p(top))));
    }
    const double fv = fail[static_cast<std::size_t>(x)];
    const float f =
        fv > 0 ? static_cast<float>(0.35 + 0.65 * std::log1p(fv) / std::log1p(top_fail)) : 0.f;
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
  return textures_.emplace(key, tt).first->second;
}

void App::frame(float width, float height, double dt_real) {
  poll_background();
  layout_.clear();
  overflow_.clear();
  header_h_ = header_h_next_;  // the tallest site header of the last frame
  header_h_next_ = 0;
  if (a_) {
    const double end = std::max(a_->duration_s(), b_ ? b_->duration_s() : 0.0);
    if (playing_) {
      t_ = std::min(end, t_ + dt_real * speed_);
      if (t_ >= end) playing_ = false;
    }
    // Every chart's time axis: the whole run (the longer one in compare mode) or the last
    // minutes up to now.
    const double w = window_min_ * 60.0;
    if (w <= 0 || w >= end)
      window_ = {0, std::max(end, 1e-3)};
    else
      window_ = t_ <= w ? TimeWindow{0, w} : TimeWindow{t_ - w, t_};
  }
  // The text size: chosen, or from the window's height (720 and 768 lines get 14 px, 1,000 lines
  // 18 px, 1,080 lines 20 px), with Dear ImGui's paddings and spacings scaled to match.
  const float want = text_px_ > 0 ? text_px_ : std::clamp(std::floor(height / 51), 13.f, 24.f);
  fonts_ = opt_.fonts.empty() ? FontSet{} : opt_.fonts.front();
  for (const FontSet& f : opt_.fonts) {
    if (f.size <= want + 0.01f) fonts_ = f;
  }
  if (!base_style_) base_style_ = ImGui::GetStyle();
  ImGui::GetStyle() = *base_style_;
  ImGui::GetStyle().ScaleAllSizes(fonts_.size / 13);
  if (fonts_.body) ImGui::PushFont(fonts_.body);
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
    // In compare mode a tab per run: its topology and its event log.
    const Replay* shown = &*a_;
    if (b_ && ImGui::BeginTabBar("runs")) {
      if (ImGui::BeginTabItem(("A: " + a_->scenario()).c_str())) ImGui::EndTabItem();
      if (ImGui::BeginTabItem(("B: " + b_->scenario()).c_str())) {
        shown = &*b_;
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    const DashboardState st = state_at(*shown, t_);
    topology(*shown, st, side, ImGui::GetContentRegionAvail().y * 0.42f);
    event_log(*shown, side, ImGui::GetContentRegionAvail().y);
    ImGui::EndChild();
  }
  ImGui::End();
  explanation_window(width, height);
  if (fonts_.body) ImGui::PopFont();
}

void App::start_screen(float width, float height) {
  (void)height;
  ImGui::Dummy(ImVec2(1, 20));
  if (fonts_.caption) ImGui::PushFont(fonts_.caption);
  ImGui::TextUnformatted("hcsim viewer: hybrid-cloud autoscaling and disaster recovery");
  if (fonts_.caption) ImGui::PopFont();
  ImGui::TextDisabled(
      "Pick a demo: it is simulated on this computer (a few seconds), then replayed.");
  bool classroom = classroom_;
  if (ImGui::Checkbox(
          "Classroom numbers: 40 users give ~220 TPS at ~100 ms, as on a live dashboard",
          &classroom))
    scan_demos(classroom);
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

// The narration caption of this moment; in compare mode each run's, labelled.
void App::captions(float width) {
  const Replay& r = *a_;
  if (fonts_.caption) ImGui::PushFont(fonts_.caption);
  ImGui::PushTextWrapPos(width - 10);
  for (const Replay* run : {&r, b_ ? static_cast<const Replay*>(&*b_) : nullptr}) {
    if (run == nullptr) continue;
    const Caption* c = run->caption_at(t_);
    const char* who = !b_ ? "" : run == &r ? "A: " : "B: ";
    ImGui::PushStyleColor(ImGuiCol_Text,
                          run == &r ? ImVec4(1, 0.93f, 0.6f, 1) : ImVec4(1, 0.8f, 0.5f, 1));
    ImGui::TextWrapped("%s%s %s", who, c ? clock(c->t).c_str() : "", c ? c->text.c_str() : "");
    ImGui::PopStyleColor();
  }
  ImGui::PopTextWrapPos();
  if (fonts_.caption) ImGui::PopFont();
}

void App::timeline(float width) {
  const Replay& r = *a_;
  const double end = std::max(r.duration_s(), b_ ? b_->duration_s() : 0.0);
  const float lh = ImGui::GetTextLineHeight();
  // First line: what is open, and the time slider.
  ImGui::TextColored(ImVec4(0.55f, 0.75f, 1, 1), "%s", r.scenario().c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("run %lld, seed %llu%s%s", static_cast<long long>(r.run_id()),
                      static_cast<unsigned long long>(r.seed()), r.label().empty() ? "" : ", ",
                      r.label().c_str());
  if (b_) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1, 0.75f, 0.4f, 1), " vs %s", b_->scenario().c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("run %lld%s%s", static_cast<long long>(b_->run_id()),
                        b_->label().empty() ? "" : ", ", b_->label().c_str());
  }
  ImGui::SameLine();
  const std::string clock_text = clock(t_) + " / " + clock(end);
  const float clock_w = ImGui::CalcTextSize(clock_text.c_str()).x;
  ImGui::SetNextItemWidth(std::max(lh * 6, width - ImGui::GetCursorPosX() - clock_w - lh * 1.5f));
  float tf = static_cast<float>(t_);
  if (ImGui::SliderFloat("##time", &tf, 0, static_cast<float>(end), ""))
    set_time(static_cast<double>(tf));
  ImGui::SameLine();
  ImGui::TextUnformatted(clock_text.c_str());
  // Second line: the lesson's moves, the charts' settings, compare.
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
  if (ImGui::Button(playing_ ? "Pause" : "Play", ImVec2(lh * 4, 0))) navigate(Nav::kPlay);
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
  ImGui::SetNextItemWidth(lh * 6);
  float sp = static_cast<float>(speed_);
  if (ImGui::SliderFloat("##speed", &sp, 1, 1000, "%.0fx", ImGuiSliderFlags_Logarithmic))
    speed_ = sp;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("simulated seconds per second ([ and ])");
  ImGui::SameLine();
  chart_menu();
  ImGui::SameLine();
  const float cmp_w = std::clamp(width - ImGui::GetCursorPosX() - lh * 6, lh * 5, lh * 12);
  ImGui::SetNextItemWidth(cmp_w);
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
  if (ImGui::GetItemRectMax().x > ImGui::GetWindowPos().x + width + 1)
    overflow_.push_back("toolbar " + num(ImGui::GetItemRectMax().x, "%.0f") + " px wide in " +
                        num(width, "%.0f"));
  captions(width);
  if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());
  ImGui::Separator();
}

void App::chart_menu() {
  static const int kMinutes[] = {0, 60, 15, 5};
  static const char* kWindows[] = {"whole run", "last 60 min", "last 15 min", "last 5 min"};
  int sel = 0;
  for (int i = 0; i < 4; ++i) {
    if (kMinutes[i] == window_min_) sel = i;
  }
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("last 15 min").x + ImGui::GetFrameHeight() * 1.5f);
  if (ImGui::Combo("##window", &sel, kWindows, 4)) window_min_ = kMinutes[sel];
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the charts' time axis");
  ImGui::SameLine();
  std::string size_name = text_px_ > 0 ? num(text_px_, "%.0f px") : "auto";
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("text 24 px").x + ImGui::GetFrameHeight() * 1.5f);
  if (ImGui::BeginCombo("##text", ("text " + size_name).c_str())) {
    if (ImGui::Selectable("auto (from the window's height)", text_px_ <= 0)) text_px_ = 0;
    for (const FontSet& f : opt_.fonts) {
      if (ImGui::Selectable(num(f.size, "%.0f px").c_str(), text_px_ == f.size)) text_px_ = f.size;
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::Button("Charts")) ImGui::OpenPopup("charts");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("which charts each site shows (auto: those that fit, most telling first)");
  if (!ImGui::BeginPopup("charts")) return;
  for (int c = 0; c < kCharts; ++c) {
    int v = static_cast<int>(chart_show_[c]);
    ImGui::PushID(c);
    ImGui::TextUnformatted(kChartNames[c]);
    ImGui::SameLine(ImGui::GetFontSize() * 8);
    ImGui::RadioButton("auto", &v, 0);
    ImGui::SameLine();
    ImGui::RadioButton("on", &v, 1);
    ImGui::SameLine();
    ImGui::RadioButton("off", &v, 2);
    ImGui::PopID();
    chart_show_[c] = static_cast<Show>(v);
  }
  ImGui::EndPopup();
}

namespace {

// Continues the line with an item `w` pixels wide when it fits in the window, else starts a new
// line (a header wraps rather than being cut at the panel's edge).
void same_line_or_wrap(float w) {
  ImGui::SameLine();
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetCursorScreenPos().x + w > right) ImGui::NewLine();
}

}  // namespace

void App::dashboard(const Replay& r, const char* tag, float width, float height, bool compact) {
  const DashboardState st = state_at(r, t_);
  const std::size_t n = r.sites().size();
  if (compact) {
    // Compare mode: the run's label, whether it has ended, then its sites one above the other.
    const float y0 = ImGui::GetCursorPosY();
    ImGui::TextColored(
        std::string(tag) == "A" ? ImVec4(0.55f, 0.75f, 1, 1) : ImVec4(1, 0.75f, 0.4f, 1), "%s: %s",
        tag, r.scenario().c_str());
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("run %lld, seed %llu%s%s", static_cast<long long>(r.run_id()),
                        static_cast<unsigned long long>(r.seed()), r.label().empty() ? "" : ", ",
                        r.label().c_str());
    if (t_ > r.duration_s()) {
      const std::string ended = "ended at " + clock(r.duration_s());
      same_line_or_wrap(ImGui::CalcTextSize(ended.c_str()).x);
      ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "%s", ended.c_str());
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("this run is over: its numbers are those of its last moment");
    }
    if (ImGui::GetItemRectMax().x > ImGui::GetWindowPos().x + width)
      overflow_.push_back(std::string("compare: run ") + tag + "'s label wider than its column");
    height -= ImGui::GetCursorPosY() - y0;
    const float h = height / static_cast<float>(std::max<std::size_t>(n, 1)) - 6;
    for (std::size_t k = 0; k < n; ++k) site_column(r, st, k + 1, tag, width, h, true);
    return;
  }
  const float y0 = ImGui::GetCursorPosY();
  overall_row(r, st.numbers[0], width);
  height -= ImGui::GetCursorPosY() - y0;
  const float w = width / static_cast<float>(std::max<std::size_t>(n, 1)) - 6;
  for (std::size_t k = 0; k < n; ++k) {
    if (k > 0) ImGui::SameLine();
    site_column(r, st, k + 1, tag, w, height - 4, false);
  }
}

// The whole application across its sites: the request-velocity gauge of the talk's dashboard,
// then the overall numbers in one row.
void App::overall_row(const Replay& r, const Numbers& nb, float width) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float lh = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float value_h = fonts_.caption != nullptr ? fonts_.caption->FontSize : lh;
  const float row_h = std::max(lh * 3.2f, lh * 1.2f + value_h + 4);
  // The gauge's scale: a round figure above the highest velocity shown so far (no spoilers).
  const Series& all = r.overall();
  const float seen = charts_.max_between(load_of(r), all.t, all.arrivals, 0, t_);
  const double top =
      nice_ticks(std::max(1.0, std::isnan(seen) ? 1.0 : seen / r.bucket_s()), 4).back();
  const std::string title = "Request velocity, 0-" + format_value(top, Unit::kPerSecond);
  const float radius = row_h - lh * 1.3f;
  const float gauge_w = std::max(ImGui::CalcTextSize(title.c_str()).x, radius * 2) + lh;
  ImGui::Dummy(ImVec2(width, row_h));
  dl->AddText(p, rgb(150, 155, 165), title.c_str());
  const double frac = std::clamp(std::isnan(nb.velocity) ? 0.0 : nb.velocity / top, 0.0, 1.0);
  const ImVec2 c(p.x + gauge_w / 2, p.y + row_h - lh * 0.2f);
  const float pi = 3.14159265f, stroke = lh * 0.4f;
  dl->PathArcTo(c, radius - stroke / 2, pi, 2 * pi, 32);
  dl->PathStroke(rgb(60, 64, 74), 0, stroke);
  if (frac > 0) {
    dl->PathArcTo(c, radius - stroke / 2, pi, pi + pi * static_cast<float>(frac), 32);
    dl->PathStroke(frac < 0.75 ? rgb(80, 160, 240) : rgb(240, 165, 30), 0, stroke);
  }
  // Inside the arc: four digits would cross it, so thousands are written with a k.
  const std::string v =
      nb.velocity >= 999.5 ? num(nb.velocity / 1000, "%.1fk/s") : num(nb.velocity, "%.0f/s");
  dl->AddText(ImVec2(c.x - ImGui::CalcTextSize(v.c_str()).x / 2, c.y - lh * 1.1f),
              rgb(235, 235, 240), v.c_str());
  if (ImGui::IsMouseHoveringRect(p, ImVec2(p.x + gauge_w, p.y + row_h)))
    ImGui::SetTooltip(
        "Requests sent per second by all users over the last 10 s (every attempt, "
        "retries included). The scale ends at a round figure above the highest "
        "rate so far.");
  // The overall numbers beside it, their labels saying whose they are.
  const float cell = (width - gauge_w) / 5;
  ImGui::SetCursorScreenPos(ImVec2(p.x + gauge_w, p.y + (row_h - lh - value_h) / 2));
  ImFont* f = fonts_.caption;
  // A staging site's load test is not the users': the overall series leave it out, and say so.
  const bool staging = std::any_of(r.sites().begin(), r.sites().end(),
                                   [](const SiteInfo& si) { return si.staging; });
  big_number(f, staging ? "Apdex, users" : "Apdex, all sites", num(nb.apdex, "%.2f"),
             apdex_colour(nb.apdex), cell);
  if (staging && ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "The users' requests on every production site. A staging site's load test is left out "
        "of this row (its pods, nodes and cost are in the totals).");
  big_number(f, "TPS", num(nb.tps, "%.0f"), rgb(230, 232, 236), cell);
  big_number(f, "Resp. time", num(nb.rt_mean_s * 1000, "%.0f ms"), rgb(230, 232, 236), cell);
  big_number(f, "Active users", num(nb.active_users, "%.0f"), rgb(230, 232, 236), cell);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Users logged in and not pausing. A site counts a user by the site of its latest "
        "request, so in a run's first seconds, before every user has sent one, the sites add up "
        "to fewer.");
  errors_number(f, nb, cell);
  const ImVec2 end = ImGui::GetItemRectMax();
  if (end.x > p.x + width + 1 || end.y > p.y + row_h + 1)
    overflow_.push_back("the overall row needs " + num(end.x - p.x, "%.0f") + " x " +
                        num(end.y - p.y, "%.0f") + " px of " + num(width, "%.0f") + " x " +
                        num(row_h, "%.0f"));
  ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + row_h + ImGui::GetStyle().ItemSpacing.y));
}

// The errors' big number: failed attempts per second. A request counts when it fails (a timeout
// long after it was sent, or cut off by an outage) and every retry is an attempt, so this can
// be above the request velocity: then the label says so and its tooltip explains.
void App::errors_number(ImFont* font, const Numbers& nb, float cell) {
  const bool above = nb.errors_per_s > nb.velocity + 1e-9;
  big_number(font, above ? "Errors > sent*" : "Errors", num(nb.errors_per_s, "%.1f/s"),
             nb.errors_per_s > 0 ? rgb(224, 56, 56) : rgb(230, 232, 236), cell);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s",
                      above ? "More failures than requests sent in the last 10 s: requests sent "
                              "earlier failed now (timed out, or cut off when their site or pod "
                              "went away). Every retry is an attempt and counts."
                            : "Failed attempts per second over the last 10 s (every retry is an "
                              "attempt; a request counts when it fails).");
}

void App::site_column(const Replay& r, const DashboardState& st, std::size_t entity,
                      const char* tag, float width, float height, bool compact) {
  const SiteInfo& si = r.sites()[entity - 1];
  ImGui::BeginChild((std::string(tag) + si.name).c_str(), ImVec2(width, height), true);
  // Every site's header as tall as the tallest (one wraps where another does not), so that the
  // charts below them have the same heights and y scales side by side.
  const float y0 = ImGui::GetCursorScreenPos().y;
  site_header(si, st.sites[entity - 1], st.numbers[entity], entity, tag);
  const float hh = ImGui::GetCursorScreenPos().y - y0;
  header_h_next_ = std::max(header_h_next_, hh);
  if (hh + 0.5f < header_h_)
    ImGui::Dummy(ImVec2(1, std::max(0.f, header_h_ - hh - ImGui::GetStyle().ItemSpacing.y)));
  site_numbers(st.numbers[entity], width, compact);
  site_plots(r, entity, ImGui::GetContentRegionAvail().x);
  if (ImGui::GetScrollMaxY() > 0)
    overflow_.push_back("site " + si.name + ": its charts need " +
                        num(ImGui::GetScrollMaxY(), "%.0f") + " px more (the column scrolls)");
  ImGui::EndChild();
}

// Name, cloud, health badge (its place goes to layout_ for tests), GSLB weight, cost.

void App::site_header(const SiteInfo& si, const SiteView& sv, const Numbers& nb, std::size_t entity,
                      const char* tag) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGui::TextColored(ImColor(site_colour(entity - 1)).Value, "%s", si.name.c_str());
  const std::string cloud = (si.cloud.empty() ? std::string("?") : si.cloud) + " cloud";
  same_line_or_wrap(ImGui::CalcTextSize(cloud.c_str()).x);
  ImGui::TextDisabled("%s", cloud.c_str());
  const char* hn = health_name(sv.health);
  const ImVec2 ts = ImGui::CalcTextSize(hn);
  const float pad = ts.y * 0.5f;
  same_line_or_wrap(ts.x + 2 * pad);
  const ImVec2 bp = ImGui::GetCursorScreenPos();
  dl->AddRectFilled(bp, ImVec2(bp.x + ts.x + 2 * pad, bp.y + ts.y + 4), health_colour(sv.health),
                    4);
  dl->AddText(ImVec2(bp.x + pad, bp.y + 2), rgb(15, 15, 15), hn);
  layout_[std::string(tag) + "/" + si.name] = {bp.x, bp.y, ts.x + 2 * pad, ts.y + 4};
  ImGui::Dummy(ImVec2(ts.x + 2 * pad, ts.y + 4));
  const std::string weight = si.staging ? std::string("staging: test traffic only")
                                        : "GSLB weight " + num(sv.weight, "%.0f") + "%";
  same_line_or_wrap(ImGui::CalcTextSize(weight.c_str()).x);
  ImGui::TextDisabled("%s", weight.c_str());
  if (!std::isnan(nb.cost) && (nb.cost > 0 || si.cloud == "public")) {
    const std::string cost = "cost so far " + num(nb.cost, "%.2f");
    same_line_or_wrap(ImGui::CalcTextSize(cost.c_str()).x);
    ImGui::TextDisabled("%s", cost.c_str());
  }
}

// The APM numbers: Apdex, TPS, response time, active users, request velocity, errors.
void App::site_numbers(const Numbers& nb, float width, bool compact) {
  struct Cell {
    const char* label;
    std::string value;
    ImU32 colour;
  };
  const ImU32 plain = rgb(230, 232, 236);
  const Cell cells[] = {
      {"Apdex", num(nb.apdex, "%.2f"), apdex_colour(nb.apdex)},
      {"TPS", num(nb.tps, "%.0f"), plain},
      {"Resp. time", num(nb.rt_mean_s * 1000, "%.0f ms"),
       nb.rt_mean_s > 1 ? rgb(240, 165, 30) : plain},
      {"Active users", num(nb.active_users, "%.0f"), plain},
      {"Req. velocity", num(nb.velocity, "%.0f/s"), plain},
      {nb.errors_per_s > nb.velocity + 1e-9 ? "Errors > sent*" : "Errors",
       num(nb.errors_per_s, "%.1f/s"), nb.errors_per_s > 0 ? rgb(224, 56, 56) : plain}};
  // The widest cell with a font, its label or its value.
  auto widest = [&](ImFont* f) {
    float w = 0;
    for (const Cell& c : cells) {
      w = std::max(w, ImGui::CalcTextSize(c.label).x);
      if (f) ImGui::PushFont(f);
      w = std::max(w, ImGui::CalcTextSize(c.value.c_str()).x);
      if (f) ImGui::PopFont();
    }
    return w + ImGui::GetStyle().ItemSpacing.x;
  };
  // The first arrangement that fits: one row of six in big figures, six in caption figures,
  // two rows of three in big, then in caption figures, then text-sized ones (compare mode starts
  // with the caption's).
  const std::pair<ImFont*, int> tries[] = {{fonts_.big, 6},  {fonts_.caption, 6},
                                           {fonts_.big, 3},  {fonts_.caption, 3},
                                           {fonts_.body, 3}, {fonts_.body, 2}};
  ImFont* font = fonts_.body;
  int per_row = 2;
  for (const auto& [f, n] : tries) {
    if ((compact && f == fonts_.big) || widest(f) * static_cast<float>(n) > width) continue;
    font = f;
    per_row = n;
    break;
  }
  const float cell = width / static_cast<float>(per_row);
  if (widest(font) > cell)
    overflow_.push_back("site numbers: a cell needs " + num(widest(font), "%.0f") + " px of " +
                        num(cell, "%.0f"));
  for (int i = 0; i < 6; ++i) {
    if (i == 5)
      errors_number(font, nb, cell);
    else
      big_number(font, cells[i].label, cells[i].value, cells[i].colour, cell);
    if (i == 3 && ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Users logged in whose latest request went to this site. Users who have "
          "not sent a request yet count only in All sites.");
    if ((i + 1) % per_row == 0) ImGui::NewLine();
  }
}

// A backtest's observed series (violet: no site or pod state uses it).
const ImU32 kObserved = IM_COL32(196, 120, 255, 255);

namespace {

// A chart's least height in lines of text (its title, a plot of three or more, its time axis),
// and the T-map's height against a chart's.
constexpr float kChartLines = 6.2f, kTmapShare = 1.6f;

// The chart that shows a series column (kCharts: none).
App::Chart chart_of_column(const std::string& col) {
  if (col == "cpu_util") return App::kChartCpu;
  if (col.rfind("replicas_", 0) == 0) return App::kChartReplicas;
  if (col.rfind("failed", 0) == 0) return App::kChartErrors;
  if (col == "active_users") return App::kChartUsers;
  if (col.rfind("rt_", 0) == 0) return App::kChartResponse;
  if (col == "apdex") return App::kChartApdex;
  if (col == "share") return App::kChartShare;
  if (col == "dns_stale") return App::kChartDns;
  if (col == "arrivals" || col == "completions" || col == "retries") return App::kChartRequests;
  return App::kCharts;
}

// A run whose GSLB weights change while it runs (an operator's move, demo 2): its point is the
// traffic share, so the share and stale-DNS charts come first.
bool weights_change(const Replay& r) {
  for (const SiteInfo& si : r.sites()) {
    if (r.series()[static_cast<std::size_t>(si.entity)].weight_changes) return true;
  }
  return false;
}

}  // namespace

std::vector<App::Chart> App::charts_shown(const Replay& r, float height) const {
  const float lh = ImGui::GetTextLineHeight();
  // The heights site_plots() gives them at the least, with the spacing after each.
  const float gap = ImGui::GetStyle().ItemSpacing.y;
  const float min_h = kChartLines * lh + gap, min_tmap = kTmapShare * kChartLines * lh + gap;
  // Order of importance when the column cannot show them all: what the run's story needs
  // first (its failures, an operator's change of weights), then capacity, then the rest.
  const Series& all = r.overall();
  const bool failures = all.any_failed, routing = weights_change(r);
  const bool sites = r.sites().size() > 1;
  std::vector<Chart> order = {kChartRequests};
  if (failures) order.push_back(kChartErrors);
  if (sites && routing) order.insert(order.end(), {kChartShare, kChartDns});
  order.insert(order.end(), {kChartResponse, kChartReplicas, kChartTmap, kChartCpu});
  if (!failures) order.push_back(kChartErrors);
  if (all.any_users) order.push_back(kChartUsers);
  order.push_back(kChartApdex);
  if (sites && !routing) order.push_back(kChartShare);
  if (sites && !routing && all.any_dns_stale) order.push_back(kChartDns);
  // The charts behind the figures the caption of the moment quotes come first.
  if (const Caption* cap = r.caption_at(t_)) {
    std::vector<Chart> first;
    for (const std::string& col : cap->columns) {
      const Chart c = chart_of_column(col);
      if (c != kCharts && std::find(first.begin(), first.end(), c) == first.end())
        first.push_back(c);
    }
    for (auto it = first.rbegin(); it != first.rend(); ++it) {
      order.erase(std::remove(order.begin(), order.end(), *it), order.end());
      order.insert(order.begin(), *it);
    }
  }
  std::vector<bool> on(kCharts, false);
  float used = 0;
  for (int c = 0; c < kCharts; ++c) {
    if (chart_show_[c] == Show::kOn) {
      on[static_cast<std::size_t>(c)] = true;
      used += c == kChartTmap ? min_tmap : min_h;
    }
  }
  for (const Chart c : order) {
    if (chart_show_[c] != Show::kAuto || on[static_cast<std::size_t>(c)]) continue;
    const float need = c == kChartTmap ? min_tmap : min_h;
    if (used + need > height) break;
    on[static_cast<std::size_t>(c)] = true;
    used += need;
  }
  std::vector<Chart> out;
  for (int c = 0; c < kCharts; ++c) {
    if (on[static_cast<std::size_t>(c)]) out.push_back(static_cast<Chart>(c));
  }
  return out;
}

ChartSpec App::chart_spec(const Replay& r, std::size_t entity, Chart c) const {
  const Series& s = r.series()[entity];
  const float per_s = static_cast<float>(1 / r.bucket_s());
  const ImU32 site = entity == 0 ? rgb(220, 220, 220) : site_colour(entity - 1);
  ChartSpec cs;
  cs.title = kChartNames[c];
  switch (c) {
    case kChartRequests:
      cs.title = "Requests /s";
      cs.unit = Unit::kPerSecond;
      cs.lines = {{&s.completions, rgb(200, 200, 210), "completed", false, per_s},
                  {&s.arrivals, site, "arriving", false, per_s}};
      // Retries are arrivals too: shown apart, so that errors above the users' own requests
      // are explained (a failed attempt comes back as a retry).
      if (s.any_retries)
        cs.lines.push_back({&s.retries, rgb(190, 130, 250), "of which retries", false, per_s});
      break;
    case kChartErrors:
      cs.title = "Errors /s";
      cs.unit = Unit::kPerSecond;
      cs.lines = {{&s.failed, rgb(224, 56, 56), "failed requests", false, per_s}};
      break;
    case kChartUsers:
      cs.title = "Active users";
      cs.lines = {{&s.active_users, rgb(200, 200, 210), "logged in"}};
      break;
    case kChartShare:
      cs.unit = Unit::kPercent;
      cs.y_fixed = 1;
      cs.lines = {{&s.share, site, "actual"}};
      if (!s.gslb_weight.empty())
        cs.lines.push_back({&s.gslb_weight, rgb(220, 220, 220), "GSLB weight", true});
      break;
    case kChartDns:
      cs.unit = Unit::kPercent;
      cs.lines = {{&s.stale_share, rgb(240, 165, 30), "arrivals on a stale answer"}};
      break;
    case kChartCpu:
      cs.title = "CPU";
      cs.unit = Unit::kPercent;
      cs.y_floor = 1;
      cs.lines = {{&s.cpu_util, site, "of request"}};
      if (!s.observed_cpu.empty()) cs.lines.push_back({&s.observed_cpu, kObserved, "observed"});
      break;
    case kChartReplicas:
      cs.lines = {{&s.replicas_desired, rgb(220, 220, 220), "desired", true},
                  {&s.replicas_ready, rgb(46, 184, 92), "ready"},
                  {&s.replicas_starting, rgb(240, 190, 40), "starting"},
                  {&s.replicas_unready, pod_colour(PodState::kUnready), "unready"},
                  {&s.replicas_pending, rgb(150, 150, 160), "pending"}};
      if (!s.observed_replicas.empty())
        cs.lines.push_back({&s.observed_replicas, kObserved, "observed"});
      break;
    case kChartResponse:
      cs.unit = Unit::kSeconds;
      cs.lines = {{&s.rt_p50, rgb(80, 160, 240), "p50"},
                  {&s.rt_p95, rgb(240, 165, 30), "p95"},
                  {&s.rt_p99, rgb(224, 56, 56), "p99"}};
      cs.refs = {{r.apdex_t_s(), rgb(120, 220, 140, 200),
                  "Apdex T " + format_value(r.apdex_t_s(), Unit::kSeconds)}};
      break;
    case kChartApdex:
      cs.unit = Unit::kPercent;
      cs.y_fixed = 1;
      cs.lines = {{&s.apdex, rgb(46, 184, 92), "score"}};
      break;
    default:
      break;
  }
  return cs;
}

// The highest value shown so far of chart c over every site of every open run: one y scale for
// the same chart side by side, so that equal heights mean equal values.
double App::shared_top(Chart c) {
  double top = 0;
  const double t1 = std::min(t_, window_.t1);
  if (t1 < window_.t0) return 0;
  for (const Replay* run : {a_ ? &*a_ : nullptr, b_ ? &*b_ : nullptr}) {
    if (run == nullptr) continue;
    for (std::size_t e = 1; e < run->series().size(); ++e) {
      const Series& s = run->series()[e];
      for (const Line& l : chart_spec(*run, e, c).lines) {
        const float hi = charts_.max_between(load_of(*run), s.t, *l.v, window_.t0, t1);
        if (!std::isnan(hi)) top = std::max(top, static_cast<double>(hi * l.scale));
      }
    }
  }
  return top;
}

void App::site_plots(const Replay& r, std::size_t entity, float pw) {
  const float rest = ImGui::GetContentRegionAvail().y - 2;
  const std::vector<Chart> shown = charts_shown(r, rest);
  const float lh = ImGui::GetTextLineHeight();
  // Heights: the T-map gets half again a chart's share; at least the minimum each.
  float weights = 0;
  for (Chart c : shown) weights += c == kChartTmap ? kTmapShare : 1.f;
  const float gap = ImGui::GetStyle().ItemSpacing.y;
  const float unit = std::max(
      kChartLines * lh, (rest - gap * static_cast<float>(shown.size())) / std::max(weights, 1.f));
  for (Chart c : shown) {
    if (c == kChartTmap) {
      tmap_panel(r, entity, pw, unit * kTmapShare);
      continue;
    }
    ChartSpec spec = chart_spec(r, entity, c);
    spec.y_floor = std::max(spec.y_floor, shared_top(c));
    const ChartHover h = draw_chart(charts_, load_of(r), r.series()[entity], spec, window_, t_, pw,
                                    unit, &overflow_);
    if (c != kChartReplicas || !h.clicked) continue;
    // A click on the replicas: why this many, at that moment (not after now).
    const double t = std::min(h.t, r.state_time(t_));
    const std::size_t i = r.decision_at(r.entity_names()[entity], t);
    if (i < r.events().size()) {
      explain(r, i, t);
    } else {
      explanation_ = Explanation{"No decision", "No autoscaler of " + r.entity_names()[entity] +
                                                    " logged a decision by " + clock(t) + "."};
    }
    start_explain_replay(r, r.entity_names()[entity], t);
  }
}

namespace {

// The row (fraction of the bins from the bottom) of a response time on the T-map's log axis.
float tmap_row(const Tmap& m, double v) {
  const auto& lo = m.bin_lo_s;
  if (v <= lo.front()) return 0;
  if (v >= lo.back()) return 1;
  const std::size_t b =
      static_cast<std::size_t>(std::upper_bound(lo.begin(), lo.end(), v) - lo.begin()) - 1;
  const double frac = std::log(v / lo[b]) / std::log(lo[b + 1] / lo[b]);
  return static_cast<float>((static_cast<double>(b) + frac) / static_cast<double>(lo.size()));
}

}  // namespace

// The T-map's title and legend from (x0, y0), wrapped under the title when the panel is narrow:
// the colour scale from 1 to the run's largest cell, and the failures' strip. Returns the top of
// its last line.
float App::tmap_legend(double top, float x0, float y0, float pw) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float lh = ImGui::GetTextLineHeight();
  const char* title = "T-map (response time)";
  dl->AddText(ImVec2(x0 + 4, y0), rgb(205, 208, 214), title);
  const std::string top_lab = format_value(top, Unit::kCount) + " per cell";
  const float bar = lh * 4, one = ImGui::CalcTextSize("1").x;
  const float scale_w = one + bar + ImGui::CalcTextSize(top_lab.c_str()).x + 6;
  const float failed_w = lh * 0.75f + ImGui::CalcTextSize("failed").x;
  float lx = x0 + 4 + ImGui::CalcTextSize(title).x + lh * 0.8f, ly = y0;
  if (lx + scale_w > x0 + pw) {
    lx = x0 + lh;
    ly += lh;
  }
  dl->AddText(ImVec2(lx, ly), rgb(150, 155, 165), "1");
  lx += one + 3;
  for (int i = 0; i < 16; ++i)
    dl->AddRectFilled(ImVec2(lx + bar * static_cast<float>(i) / 16, ly + lh * 0.25f),
                      ImVec2(lx + bar * static_cast<float>(i + 1) / 16, ly + lh * 0.9f),
                      heat(static_cast<float>(i + 1) / 16));
  lx += bar + 3;
  dl->AddText(ImVec2(lx, ly), rgb(150, 155, 165), top_lab.c_str());
  lx += ImGui::CalcTextSize(top_lab.c_str()).x + lh * 0.8f;
  if (lx + failed_w > x0 + pw) {
    lx = x0 + lh;
    ly += lh;
  }
  dl->AddRectFilled(ImVec2(lx, ly + lh * 0.25f), ImVec2(lx + lh * 0.55f, ly + lh * 0.9f),
                    rgb(230, 50, 50));
  dl->AddText(ImVec2(lx + lh * 0.75f, ly), rgb(150, 155, 165), "failed");
  if (lx + failed_w > x0 + pw || lh + scale_w > pw)
    overflow_.push_back("T-map legend wider than its panel (" + num(pw, "%.0f") + " px)");
  return ly;
}

// The T-map's tooltip at time t: the failures of its bucket (row < 0: the red strip) or the
// requests of the response-time bin at `row` (a fraction of the bins from the bottom).
void App::tmap_tooltip(const Replay& r, std::size_t entity, double t, float row) {
  const Tmap& m = r.tmaps()[entity];
  const Series& s = r.series()[entity];
  const std::size_t i = r.bucket_at(t);
  ImGui::BeginTooltip();
  ImGui::Text("T-map at %s", time_label(std::floor(t)).c_str());
  if (t > t_ || i >= s.size()) {
    ImGui::TextDisabled("not replayed yet");
  } else if (row < 0) {
    ImGui::Text("%.0f failed requests in this bucket", static_cast<double>(m.failed[i]));
  } else {
    const int b = std::clamp(static_cast<int>(row * static_cast<float>(m.bins)), 0, m.bins - 1);
    const double lo = m.bin_lo_s[static_cast<std::size_t>(b)];
    const double hi = b + 1 < m.bins ? m.bin_lo_s[static_cast<std::size_t>(b) + 1] : lo * 2;
    ImGui::Text("%u requests answered in %s to %s in this bucket",
                m.counts[i * static_cast<std::size_t>(m.bins) + static_cast<std::size_t>(b)],
                format_value(lo, Unit::kSeconds).c_str(), format_value(hi, Unit::kSeconds).c_str());
  }
  ImGui::EndTooltip();
}

// The T-map over the charts' time window up to now: response time upwards on a log axis with
// labelled ticks, the count per cell in colour (one scale for every site of the run, its legend
// in the title line), failed requests as the red strip on top.
void App::tmap_panel(const Replay& r, std::size_t entity, float pw, float th) {
  const TmapTexture& tm = tmap_texture(r, entity);
  const Tmap& m = r.tmaps()[entity];
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(pw, th));
  const bool hovered = ImGui::IsItemHovered();
  const float lh = ImGui::GetTextLineHeight();
  const float ly = tmap_legend(tm.top, p.x, p.y, pw);
  if (tm.tex == 0 || m.bin_lo_s.size() < 2) return;
  // The axis: labelled 1-2-5 response times.
  float label_w = 0;
  std::vector<double> ticks;
  for (double d = 1e-3; d <= 1e3; d *= 10) {
    for (double k : {1.0, 2.0, 5.0}) {
      if (d * k >= m.bin_lo_s.front() && d * k <= m.bin_lo_s.back()) ticks.push_back(d * k);
    }
  }
  label_w = axis_label_width();
  for (double v : ticks)
    label_w = std::max(label_w, ImGui::CalcTextSize(format_value(v, Unit::kSeconds).c_str()).x);
  const float strip = std::max(6.f, lh * 0.5f);
  const float top = ly + lh + 4, left = p.x + label_w + 8, right = p.x + pw - 4,
              bottom = p.y + th - lh - 3, heat_top = top + strip + 2;
  if (bottom - heat_top < lh * 2) {
    overflow_.push_back("T-map " + num(th, "%.0f") + " px high, too low to show");
    return;
  }
  const TimeWindow& w = window_;
  const double span = w.t1 - w.t0, cover = tm.cols * tm.col_s;
  const double shown_t1 = std::min(t_, w.t1);
  if (shown_t1 > w.t0) {
    const float x1 = left + static_cast<float>((shown_t1 - w.t0) / span) * (right - left);
    const float u0 = static_cast<float>(w.t0 / cover), u1 = static_cast<float>(shown_t1 / cover);
    const float v_strip = 3.f / static_cast<float>(tm.rows);
    const auto tex = reinterpret_cast<ImTextureID>(static_cast<intptr_t>(tm.tex));
    dl->AddImage(tex, ImVec2(left, top), ImVec2(x1, top + strip), ImVec2(u0, 0),
                 ImVec2(u1, v_strip));
    dl->AddImage(tex, ImVec2(left, heat_top), ImVec2(x1, bottom), ImVec2(u0, v_strip),
                 ImVec2(u1, 1));
  }
  float last_y = 1e9f;
  for (double v : ticks) {
    const float y = bottom - (bottom - heat_top) * tmap_row(m, v);
    if (last_y - y < lh * 1.1f) continue;  // the labels a line apart at least
    last_y = y;
    dl->AddLine(ImVec2(left - 3, y), ImVec2(right, y), rgb(255, 255, 255, 16));
    const std::string lab = format_value(v, Unit::kSeconds);
    dl->AddText(ImVec2(left - ImGui::CalcTextSize(lab.c_str()).x - 5, y - lh / 2),
                rgb(150, 155, 165), lab.c_str());
  }
  draw_time_axis(w, left, right, bottom, bottom);
  if (t_ >= w.t0 && t_ <= w.t1) {
    const float xt = left + static_cast<float>((t_ - w.t0) / span) * (right - left);
    dl->AddLine(ImVec2(xt, top), ImVec2(xt, bottom), rgb(255, 255, 255, 110));
  }
  const ImVec2 mp = ImGui::GetMousePos();
  if (!hovered || mp.x < left || mp.x > right || mp.y < top || mp.y > bottom) return;
  tmap_tooltip(r, entity, w.t0 + static_cast<double>((mp.x - left) / (right - left)) * span,
               mp.y < heat_top ? -1.f : (bottom - mp.y) / (bottom - heat_top));
}

namespace {

// The legend of pod states at the bottom of the box at o (w x h), wrapped to its width. Returns
// its top.
float pod_legend(ImVec2 o, float w, float h) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float lh = ImGui::GetTextLineHeight();
  std::vector<std::pair<ImVec2, int>> items;
  float lx = o.x, rows = 1;
  for (int k = 0; k < kPodStates; ++k) {
    const float iw = lh * 0.8f + ImGui::CalcTextSize(pod_state_name(static_cast<PodState>(k))).x;
    if (lx > o.x && lx + iw > o.x + w) {
      lx = o.x;
      ++rows;
    }
    items.push_back({ImVec2(lx, rows), k});
    lx += iw + lh * 0.7f;
  }
  const float top = o.y + h - rows * lh;
  for (const auto& [at, k] : items) {
    const PodState ps = static_cast<PodState>(k);
    const float y = top + (at.y - 1) * lh;
    dl->AddRectFilled(ImVec2(at.x, y + lh * 0.2f), ImVec2(at.x + lh * 0.55f, y + lh * 0.75f),
                      pod_colour(ps));
    dl->AddText(ImVec2(at.x + lh * 0.8f, y), rgb(150, 155, 165), pod_state_name(ps));
  }
  return top;
}

// The weight and the rate of a GSLB -> site edge from `gslb` to `in` (the site box's left middle):
// above the edge (below it for a site under the GSLB), ending just before the box, on two lines
// when one does not fit between the GSLB's diamond and the box. False when even two do not.
bool edge_label(const std::string& weight, const std::string& rate, ImVec2 gslb, float diamond,
                ImVec2 in) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float lh = ImGui::GetTextLineHeight();
  const std::string one = weight + " " + rate;
  const float room = in.x - 4 - (gslb.x + diamond);
  const bool two = ImGui::CalcTextSize(one.c_str()).x > room;
  const float lw =
      two ? std::max(ImGui::CalcTextSize(weight.c_str()).x, ImGui::CalcTextSize(rate.c_str()).x)
          : ImGui::CalcTextSize(one.c_str()).x;
  const float lx = std::max(gslb.x + diamond, in.x - lw - 4);
  const float ey = gslb.y + (in.y - gslb.y) * (lx + lw / 2 - gslb.x) / (in.x - gslb.x);
  const float text_h = lh * (two ? 2.f : 1.f);
  const float ly = in.y > gslb.y + 1 ? ey + lh * 0.4f : ey - text_h - lh * 0.3f;
  const ImU32 colour = rgb(220, 222, 226);
  if (two) {
    dl->AddText(ImVec2(lx, ly), colour, weight.c_str());
    dl->AddText(ImVec2(lx, ly + lh), colour, rate.c_str());
  } else {
    dl->AddText(ImVec2(lx, ly), colour, one.c_str());
  }
  return lw <= room;
}

// A staging site's feed: not from the GSLB but from its load test, drawn as a short edge into the
// box's left middle `in`, labelled "load test" and its rate above it, right of `left`. False when
// the label does not fit.
bool staging_feed(ImVec2 in, const std::string& rate, float left, ImU32 colour) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float lh = ImGui::GetTextLineHeight();
  const char* what = "load test";
  const float lw = std::max(ImGui::CalcTextSize(what).x, ImGui::CalcTextSize(rate.c_str()).x);
  const float lx = std::max(left, in.x - lw - 6);
  dl->AddLine(ImVec2(lx, in.y), in, colour, 2.f);
  dl->AddCircleFilled(ImVec2(lx, in.y), lh * 0.2f, colour);
  const ImU32 text = rgb(220, 222, 226);
  dl->AddText(ImVec2(lx, in.y - lh * 2.2f), text, what);
  dl->AddText(ImVec2(lx, in.y - lh * 1.2f), text, rate.c_str());
  return lx + lw + 6 <= in.x + 0.5f;
}

}  // namespace

void App::topology(const Replay& r, const DashboardState& st, float width, float height) {
  ImGui::BeginChild("topology", ImVec2(width, height), true);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetContentRegionAvail().y;
  const float lh = ImGui::GetTextLineHeight();
  const ImU32 grey = rgb(150, 155, 165);
  dl->AddText(o, rgb(200, 204, 210), "Topology: regions -> GSLB -> sites");
  const float legend_top = pod_legend(o, w, h);
  const std::size_t nr = r.regions().size(), ns = r.sites().size();
  const float top = o.y + lh * 1.5f, ah = legend_top - top - lh * 0.3f;
  const ImVec2 gslb(o.x + w * 0.34f, top + ah / 2);
  const float diamond = lh * 1.5f;
  const double total = st.numbers[0].velocity;
  auto thickness = [&](double rate) {
    return total > 0 ? 1.f + lh * 0.6f * static_cast<float>(std::sqrt(rate / total)) : 1.f;
  };
  // Regions.
  float radius = lh * 1.1f;
  for (const Region& g : r.regions())
    radius =
        std::max(radius, ImGui::CalcTextSize(num(total * g.share, "%.0f/s").c_str()).x / 2 + 3);
  for (std::size_t i = 0; i < nr; ++i) {
    const Region& g = r.regions()[i];
    const ImVec2 c(o.x + radius + 4,
                   top + ah * (static_cast<float>(i) + 0.5f) / static_cast<float>(nr));
    dl->AddLine(c, gslb, rgb(120, 160, 220, 160), thickness(total * g.share));
    dl->AddCircleFilled(c, radius, rgb(60, 90, 140));
    const ImVec2 ts = ImGui::CalcTextSize(g.name.c_str());
    dl->AddText(ImVec2(std::max(o.x, c.x - ts.x / 2), c.y + radius + 1), rgb(200, 204, 210),
                g.name.c_str());
    const std::string rate = num(total * g.share, "%.0f/s");
    const float rw = ImGui::CalcTextSize(rate.c_str()).x;
    dl->AddText(ImVec2(c.x - rw / 2, c.y - lh / 2), rgb(230, 232, 236), rate.c_str());
  }
  // Sites, with edges from the GSLB as thick as their traffic.
  const float sx = o.x + w * 0.60f, sw = w * 0.40f;
  const float gap = lh * 0.5f;
  const float sh = ah / static_cast<float>(std::max<std::size_t>(ns, 1)) - gap;
  for (std::size_t k = 0; k < ns; ++k) {
    const SiteInfo& si = r.sites()[k];
    const SiteView& sv = st.sites[k];
    const Numbers& nb = st.numbers[k + 1];
    const float y0 = top + (sh + gap) * static_cast<float>(k);
    const ImVec2 in(sx, y0 + sh / 2);
    char lab[64];
    if (si.staging) {  // outside the GSLB: its load test reaches it directly
      if (!staging_feed(in, num(nb.velocity, "%.0f/s"), gslb.x + diamond, site_colour(k)))
        overflow_.push_back("topology: the load test's label wider than its room");
    } else {
      dl->AddLine(gslb, in, site_colour(k), thickness(nb.velocity));
      // A site the GSLB marked down gets no new answers, whatever its weight.
      const bool out = sv.health == Health::kDown || sv.health == Health::kRecovering;
      std::snprintf(lab, sizeof lab, out ? "%.0f%% (out)" : "%.0f%%", sv.weight);
      if (!edge_label(lab, num(nb.velocity, "%.0f/s"), gslb, diamond, in))
        overflow_.push_back(std::string("topology: the label '") + lab + "' wider than its room");
    }
    dl->AddRect(ImVec2(sx, y0), ImVec2(sx + sw, y0 + sh), health_colour(sv.health), 5, 0, 3);
    // The site's name and health, and its nodes: on one line when they fit, else on two.
    std::snprintf(lab, sizeof lab, "%s %s", si.name.c_str(), health_name(sv.health));
    const std::string nodes = nb.nodes > 0 ? std::to_string(nb.nodes) + " nodes" : "";
    float pods_top = y0 + lh + 6;
    dl->AddText(ImVec2(sx + 6, y0 + 3), health_colour(sv.health), lab);
    const float name_w = ImGui::CalcTextSize(lab).x, nodes_w = ImGui::CalcTextSize(nodes.c_str()).x;
    if (!nodes.empty() && name_w + nodes_w + lh + 12 <= sw) {
      dl->AddText(ImVec2(sx + 6 + name_w + lh * 0.7f, y0 + 3), grey, nodes.c_str());
    } else if (!nodes.empty()) {
      dl->AddText(ImVec2(sx + 6, y0 + 3 + lh), grey, nodes.c_str());
      pods_top += lh;
    }
    if (std::max(name_w, nodes_w) + 12 > sw)
      overflow_.push_back(std::string("topology: '") + lab + "' wider than its box");
    // Pods as squares by state, in node order.
    std::vector<std::pair<int, PodState>> pods;
    for (const Pod& p : si.pods) {
      PodState ps;
      if (p.state_at(r.state_time(t_), &ps)) pods.emplace_back(p.node, ps);
    }
    std::stable_sort(pods.begin(), pods.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    const float q = std::round(lh * 0.6f), qgap = 2;
    const int per_row = std::max(1, static_cast<int>((sw - 12) / (q + qgap)));
    for (std::size_t i = 0; i < pods.size(); ++i) {
      const float px = sx + 6 + static_cast<float>(static_cast<int>(i) % per_row) * (q + qgap);
      const float py = pods_top + static_cast<float>(static_cast<int>(i) / per_row) * (q + qgap);
      if (py + q > y0 + sh - 2) break;
      dl->AddRectFilled(ImVec2(px, py), ImVec2(px + q, py + q), pod_colour(pods[i].second), 1.5f);
    }
  }
  // The GSLB, its policy above it.
  dl->AddQuadFilled(ImVec2(gslb.x, gslb.y - diamond), ImVec2(gslb.x + diamond, gslb.y),
                    ImVec2(gslb.x, gslb.y + diamond), ImVec2(gslb.x - diamond, gslb.y),
                    rgb(90, 100, 120));
  const float gw = ImGui::CalcTextSize("GSLB").x;
  dl->AddText(ImVec2(gslb.x - gw / 2, gslb.y - lh / 2), rgb(240, 240, 240), "GSLB");
  const std::string& pol = r.gslb_policy();
  const float pw = ImGui::CalcTextSize(pol.c_str()).x;
  dl->AddText(ImVec2(std::max(o.x, gslb.x - pw / 2), gslb.y - diamond - lh - 2), grey, pol.c_str());
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
    if (fonts_.mono) ImGui::PushFont(fonts_.mono);
    ImGui::TextUnformatted(explanation_->text.c_str());
    if (fonts_.mono) ImGui::PopFont();
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
        // The next event not shown yet (those of the bucket shown are).
        for (const Event& e : ev)
          if (e.t > r.state_time(t_) + eps && visible(e)) {
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
  const float box = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x +
                    ImGui::GetStyle().ItemSpacing.x;
  ImGui::SetNextItemWidth(
      std::max(ImGui::GetFontSize() * 5, ImGui::GetContentRegionAvail().x - 2 * box -
                                             ImGui::CalcTextSize("followfuture").x -
                                             ImGui::GetStyle().ItemSpacing.x));
  ImGui::InputTextWithHint("##filter", "filter (text)", filter_, sizeof filter_);
  ImGui::SameLine();
  ImGui::Checkbox("follow", &follow_);
  ImGui::SameLine();
  ImGui::Checkbox("future", &show_future_);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("also list the events still to come (greyed), as the results hold them");
  // The kinds' check boxes, wrapped to the panel's width.
  const float right_edge = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (int k = 0; k < 8; ++k) {
    if (k > 0) {
      ImGui::SameLine();
      if (ImGui::GetCursorScreenPos().x + box + ImGui::CalcTextSize(kKinds[k]).x > right_edge)
        ImGui::NewLine();
    }
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
    const std::size_t next = r.next_event(r.state_time(t_));  // the events shown as past
    bool scrolled = false;
    // Scroll after a move of the time, and again while the latest event is out of view in this
    // frame (a new table skips its first frame, and rows that wrap settle their height later).
    log_now_visible_ = true;
    auto scroll = [&] { return follow_ && (t_ != scrolled_to_ || !log_now_visible_); };
    for (std::size_t i = 0; i < r.events().size(); ++i) {
      const Event& e = r.events()[i];
      const bool past = i < next;
      if (!visible(e) || (!past && !show_future_)) continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (!past && !scrolled && scroll()) {
        ImGui::SetScrollHereY(0.8f);
        scrolled = true;
      }
      ImGui::PushID(static_cast<int>(i));
      const std::string label = clock(e.t);
      if (ImGui::Selectable(label.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
        set_time(e.t);
        playing_ = false;
        if (explainable(e)) explain(r, i, e.t);
      }
      if (explainable(e) && ImGui::IsItemHovered()) ImGui::SetTooltip("click: why?");
      if (past) log_now_visible_ = ImGui::IsItemVisible();  // the last one past stays
      ImGui::PopID();
      const ImVec4 colour = past ? ImVec4(0.85f, 0.86f, 0.88f, 1) : ImVec4(0.45f, 0.47f, 0.5f, 1);
      ImGui::TableNextColumn();
      ImGui::TextColored(colour, "%s", e.component.c_str());
      ImGui::TableNextColumn();
      // Wrapped in its column: a long message is read whole, not cut at the panel's edge.
      // Failures in red, recoveries (a site healthy or back, the SLO met) in green.
      const bool good = e.kind == "recovered" || e.details["healthy"].boolean() ||
                        (e.kind == "outage" && e.details["recovered"].boolean());
      const bool bad = !good && (kind_index(e) == 3 || kind_index(e) == 2);
      ImGui::PushStyleColor(ImGuiCol_Text, good  ? ImVec4(0.45f, 0.85f, 0.55f, past ? 1.f : 0.5f)
                                           : bad ? ImVec4(1, 0.55f, 0.45f, past ? 1.f : 0.5f)
                                                 : colour);
      ImGui::PushTextWrapPos(0);
      ImGui::TextUnformatted(e.message.c_str());
      ImGui::PopTextWrapPos();
      ImGui::PopStyleColor();
    }
    // Past the last event: the end of the log (where this frame's rows end: their heights
    // settle over the first frames, so the last frame's scroll range is no guide).
    if (!scrolled && scroll()) {
      ImGui::SetScrollHereY(1.0f);
      scrolled = true;
    }
    if (scrolled) scrolled_to_ = t_;
    ImGui::EndTable();
  }
  ImGui::EndChild();
}

}  // namespace gui
