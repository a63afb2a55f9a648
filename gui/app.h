// gui/app.h: the viewer's user interface (Dear ImGui), independent of the window system: main.cc
// owns the GLFW window and the OpenGL context and calls App::frame() once per frame.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "gui/chart.h"
#include "gui/replay.h"

#include <imgui.h>

namespace gui {

// A rectangle on screen, in pixels from the top left.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

// The text sizes the viewer offers (pixels); the window loads a FontSet for each.
inline constexpr float kTextSizes[] = {13, 14, 16, 18, 20, 24};

// The fonts of one text size: the interface's, the big numbers', the captions' and the
// explanation panel's monospaced columns (null when the DejaVu fonts are not installed: Dear
// ImGui's own font is used).
struct FontSet {
  float size = 13;  // pixels of the interface's text
  ImFont* body = nullptr;
  ImFont* big = nullptr;
  ImFont* caption = nullptr;
  ImFont* mono = nullptr;
};

struct AppOptions {
  std::string demos_dir;       // where the start screen finds the demo scenarios
  bool classroom = false;      // start with the classroom variants (demos_dir/classroom)
  std::string results_dir;     // where scenarios opened in the viewer write their results
  std::vector<FontSet> fonts;  // smallest first
};

// A key press the viewer acts on. The window turns the keyboard's presses into these as they
// happen (a tap shorter than a frame still counts), and the off-screen --keys script too.
struct KeyPress {
  enum class Key { kSpace, kLeft, kRight, kSlower, kFaster, kFollow, kEscape, kDigit };
  Key key = Key::kSpace;
  bool shift = false;
  int digit = 0;  // kDigit: 1 to 9
};

class App {
 public:
  explicit App(AppOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Opens a results file (run_id 0: the only run, else the picker) or a scenario (run in the
  // background, then opened). Errors show in the window and return false.
  bool open(const std::string& path, int64_t run_id = 0);
  // Waits until the start screen's list of demos is read (it is read in the background so that
  // the window opens at once).
  void wait_for_demos();
  // Runs a scenario in this thread and opens its results (the off-screen modes).
  bool run_and_open(const std::string& scenario);
  // A second run for compare mode.
  bool open_compare(const std::string& path, int64_t run_id = 0);

  // Builds one frame of the interface; dt_real is the wall time since the last frame (it
  // advances the timeline while playing).
  void frame(float width, float height, double dt_real);

  void set_time(double t);
  double time() const { return t_; }
  double speed() const { return speed_; }
  bool playing() const { return playing_; }
  bool following() const { return follow_; }

  // A lesson's moves; the buttons and keys call these (docs/viewer.md lists the keys).
  enum class Nav {
    kHome,      // back to the start screen
    kPrevDemo,  // the demo before / after the open one (start screen order)
    kNextDemo,
    kStepBack,  // one bucket back / forward
    kStepForward,
    kPrevCaption,  // the narration line before / after now
    kNextCaption,
    kPrevEvent,  // the event before / after now that the log shows (its filters apply)
    kNextEvent,
    kSlower,  // half / double the replay speed (1x to 1000x)
    kFaster,
    kFollow,  // the event log follows the replay, or not
    kPlay,    // play / pause
  };
  void navigate(Nav n);
  void press(const KeyPress& k);
  // Opens the start screen's demo `index` (0-based; simulated in the background).
  void open_demo(std::size_t index);
  // The open run's demo index in the start screen's list, or -1.
  int current_demo() const;
  // Waits for a scenario being simulated in the background and opens its results.
  void finish_background();
  // Opens the explanation of `site`'s latest autoscaler decision at or before t (as a click on
  // its replicas chart). False (error() says why) for an unknown site or no decision yet.
  bool explain_site(const std::string& site, double t);
  // The open explanation's text, or nullptr.
  const std::string* explanation() const { return explanation_ ? &explanation_->text : nullptr; }
  // Whether the next frame differs from the last without any input: playing, or waiting for
  // work in the background (a scenario, an explanation's replay, the start screen's list).
  bool animating() const;
  void set_playing(bool p) { playing_ = p; }
  void set_speed(double s) { speed_ = s; }
  const Replay* replay() const { return a_ ? &*a_ : nullptr; }
  const Replay* compare() const { return b_ ? &*b_ : nullptr; }
  const std::string& error() const { return error_; }
  // Where the last frame drew each site's health badge ("A/private", "B/public" in compare
  // mode), for tests that read screenshots.
  const std::map<std::string, Rect>& layout() const { return layout_; }
  // What the last frame could not fit (text wider or taller than its place), one line each:
  // empty when nothing was cut off.
  const std::vector<std::string>& overflow() const { return overflow_; }
  // Whether the event log showed the latest event at or before now in the last frame (what its
  // follow is for; true when no event is past yet).
  bool log_now_visible() const { return log_now_visible_; }

  // The charts a site column can show, in the order they are drawn.
  enum Chart : int {
    kChartRequests,
    kChartErrors,
    kChartUsers,
    kChartShare,
    kChartDns,
    kChartCpu,
    kChartReplicas,
    kChartResponse,
    kChartApdex,
    kChartTmap,
    kCharts
  };
  // A chart's choice: shown when it fits (auto, in the order of importance for the run), always
  // or never.
  enum class Show : int { kAuto, kOn, kOff };
  void set_chart(Chart c, Show s) { chart_show_[c] = s; }
  // The time axis: the whole run (0) or the last `minutes`.
  void set_window(int minutes) { window_min_ = minutes; }
  // The text size in pixels (one of the loaded fonts'), 0: chosen from the window's height.
  void set_text_size(float px) { text_px_ = px; }
  float text_size() const { return fonts_.size; }

 private:
  struct TmapTexture {
    unsigned int tex = 0;
    int cols = 0, rows = 0;
    double col_s = 0;  // seconds per column
    double top = 1;    // the largest count of a cell (the colour scale's top)
  };
  struct Background {
    std::thread thread;
    std::atomic<double> progress{0};
    std::atomic<bool> done{false};
    std::atomic<bool> stop{false};
    std::string scenario, out, error;
  };

  void start_screen(float width, float height);
  void run_picker();
  void timeline(float width);
  void captions(float width);
  void dashboard(const Replay& r, const char* tag, float width, float height, bool compact);
  void site_column(const Replay& r, const DashboardState& st, std::size_t entity, const char* tag,
                   float width, float height, bool compact);
  void site_header(const SiteInfo& si, const SiteView& sv, const Numbers& nb, std::size_t entity,
                   const char* tag);
  void site_numbers(const Numbers& nb, float width, bool compact);
  void overall_row(const Replay& r, const Numbers& nb, float width);
  void errors_number(ImFont* font, const Numbers& nb, float cell);
  void site_plots(const Replay& r, std::size_t entity, float width);
  // The charts a site column shows in `height` pixels, in drawing order.
  std::vector<Chart> charts_shown(const Replay& r, float height) const;
  ChartSpec chart_spec(const Replay& r, std::size_t entity, Chart c) const;
  double shared_top(Chart c);
  void tmap_panel(const Replay& r, std::size_t entity, float width, float height);
  float tmap_legend(double top, float x0, float y0, float width);
  void tmap_tooltip(const Replay& r, std::size_t entity, double t, float row);
  void chart_menu();
  // The loaded run's number (the chart cache's key: a new run may reuse a closed one's address).
  uint64_t load_of(const Replay& r) const { return b_ && &r == &*b_ ? load_b_ : load_a_; }
  void loaded(bool compare);  // a run was loaded into slot A or B
  void load_demos();
  // Lists the start screen's demos: the demos, or their classroom variants.
  void scan_demos(bool classroom);
  void topology(const Replay& r, const DashboardState& st, float width, float height);
  void event_log(const Replay& r, float width, float height);
  // Whether the event log shows `e` with its current filters.
  bool visible(const Event& e) const;
  // The explanation panel: why an autoscaler decided what it did (a scale event clicked in the
  // log, or a point of a replicas chart: the site's latest decision at that time).
  void explain(const Replay& r, std::size_t event, double clicked_t);
  void explanation_window(float width, float height);
  const TmapTexture& tmap_texture(const Replay& r, std::size_t entity);
  void release_textures();
  void poll_background();

  AppOptions opt_;
  std::optional<Replay> a_, b_;
  struct Explanation {
    std::string title, text;
  };
  std::optional<Explanation> explanation_;
  // A replay for the exact evaluation at a clicked moment (hcsim explain's), in the background.
  struct ExplainJob {
    std::thread thread;
    std::atomic<bool> done{false};
    std::string title, text;
  };
  std::unique_ptr<ExplainJob> explain_job_;
  void start_explain_replay(const Replay& r, const std::string& site, double t);
  double t_ = 0;
  float header_h_ = 0, header_h_next_ = 0;  // the tallest site header (last frame, this one)
  bool playing_ = false;
  double speed_ = 30;
  std::string error_;
  std::map<std::string, Rect> layout_;
  std::map<std::string, TmapTexture> textures_;  // key: path#run/entity
  ChartCache charts_;
  TimeWindow window_;  // this frame's time axis
  int window_min_ = 0;
  float text_px_ = 0;                     // the text size asked for, 0: auto
  FontSet fonts_;                         // this frame's
  std::optional<ImGuiStyle> base_style_;  // Dear ImGui's sizes at 13 px, scaled per frame
  Show chart_show_[kCharts] = {};
  std::vector<std::string> overflow_;
  bool log_now_visible_ = true;
  uint64_t loads_ = 0;  // runs loaded so far: each load gets a new number
  uint64_t load_a_ = 0, load_b_ = 0;
  std::unique_ptr<Background> bg_;
  // The run picker: a results file with several runs.
  std::string pick_path_;
  bool pick_compare_ = false;
  std::vector<RunEntry> pick_runs_;
  // Event log filters.
  char filter_[128] = "";
  bool show_kind_[8] = {true, false, true, true, true, true, true, true};
  bool follow_ = true;
  bool show_future_ = false;  // the log lists events still to come (a spoiler in a lesson)
  double scrolled_to_ = -1;   // the time the event log last scrolled to
  char open_path_[512] = "";
  char compare_path_[512] = "";
  struct Demo {
    std::string file, name, description;
  };
  // The start screen's demos: file names at once, names and descriptions from a background
  // thread (each scenario is loaded and checked, which takes a moment for five of them).
  mutable std::mutex demos_mu_;
  std::vector<Demo> demos_;  // guarded by demos_mu_
  std::thread demos_thread_;
  std::atomic<bool> demos_loaded_{false};
  bool classroom_ = false;  // the start screen lists the classroom variants
};

}  // namespace gui
