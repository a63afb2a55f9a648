// hcsim-viewer: replays recorded runs like an APM dashboard (Dear ImGui + GLFW + OpenGL 3).
//
//   hcsim-viewer                                 start screen: the five demos, one click each
//   hcsim-viewer RESULTS.sqlite [--run N]        a recorded run (a picker when it holds several)
//   hcsim-viewer SCENARIO.yaml                   simulated in the background, then replayed
//   hcsim-viewer A.sqlite --compare B.sqlite     two runs on one timeline
//   off-screen (e.g. under Xvfb): --screenshot FILE.png --at TIME [--size WxH],
//                                 --dump-state FILE.json --at TIME, --bench-frames N,
//                                 --explain SITE (the explanation panel open)
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/exit_codes.h"
#include "config/units.h"
#include "gui/app.h"
#include "gui/offscreen.h"
#include "gui/window.h"

namespace fs = std::filesystem;

namespace {

struct Options {
  std::string input, compare, screenshot, dump, at = "0s", size = "1600x1000";
  std::string explain;  // off-screen: open the explanation of this site's decision at --at
  std::string keys;     // off-screen: key presses to act on after --at, one frame each
  std::string results_dir = "results/viewer";
  int64_t run = 0, compare_run = 0;
  int bench_frames = 0;
  bool check_layout = false;
  float text_size = 0;
  int window_min = 0;
  bool classroom = false, play = false;
  double speed = 30;
  double run_for = 0;  // > 0: close after this many real seconds, print the frames drawn
  // Checked and derived:
  double at_s = 0;
  int width = 1600, height = 1000;
  bool offscreen() const {
    return !screenshot.empty() || !dump.empty() || bench_frames > 0 || check_layout;
  }
};

void declare(CLI::App& cli, Options* o) {
  cli.add_option("input", o->input,
                 "Results database (.sqlite) or scenario (.yaml); none: the demo list");
  cli.add_option("--run", o->run,
                 "Run id in the results file (default: the only run, else a picker)");
  cli.add_option("--compare", o->compare, "A second results file, shown beside the first");
  cli.add_option("--compare-run", o->compare_run, "Run id in the --compare file");
  cli.add_option("--at", o->at,
                 "Simulated time to show (e.g. 11m30s) for --screenshot/--dump-state");
  cli.add_option("--screenshot", o->screenshot, "Render one frame to this PNG and exit");
  cli.add_option("--explain", o->explain,
                 "With --screenshot/--dump-state: open the explanation of this site's latest "
                 "autoscaler decision at --at (as a click on its replicas chart does)");
  cli.add_option("--keys", o->keys,
                 "With --screenshot/--dump-state: key presses after --at, one frame each, e.g. "
                 "'Right,Shift+Right,],F,Space,Escape,3' (docs/viewer.md)");
  cli.add_option("--dump-state", o->dump,
                 "Write the numbers the dashboard shows at --at as JSON and exit");
  cli.add_option("--size", o->size, "Window size WxH")->capture_default_str();
  cli.add_option("--speed", o->speed, "Simulated seconds per real second while playing (1-1000)")
      ->check(CLI::Range(1.0, 1000.0))
      ->capture_default_str();
  cli.add_option("--results-dir", o->results_dir,
                 "Where scenarios opened in the viewer write results")
      ->capture_default_str();
  cli.add_option("--text-size", o->text_size,
                 "Text size in pixels: 13, 14, 16, 18, 20 or 24 (default: from the window's "
                 "height; the toolbar's 'text' menu changes it)")
      ->check(CLI::IsMember({13, 14, 16, 18, 20, 24}));
  cli.add_option("--window", o->window_min,
                 "The charts' time axis: the last 5, 15 or 60 minutes, or 0 for the whole run")
      ->check(CLI::IsMember({0, 5, 15, 60}))
      ->capture_default_str();
  cli.add_flag("--classroom", o->classroom,
               "The start screen lists the demos' classroom variants (scenarios/demos/classroom: "
               "40 to 80 users, 40 giving about 220 TPS at about 100 ms, as a live dashboard shows "
               "them)");
  cli.add_flag("--check-layout", o->check_layout,
               "Off-screen: render the start, each narration line and the end at --size, print "
               "text that does not fit and where the event log does not follow; exit 1 if any");
  cli.add_option("--bench-frames", o->bench_frames,
                 "Off-screen: play the whole run in N frames and report frame times");
  cli.add_flag("--play", o->play, "Start playing the run as soon as it is open");
  cli.add_option("--run-for", o->run_for,
                 "Close the window after this many seconds and print how many frames it drew "
                 "(paused, the viewer sleeps and draws almost none)")
      ->check(CLI::Range(0.0, 3600.0));
}

// Checks what CLI11 cannot; prints the problem and returns false.
bool check(Options* o) {
  std::string err;
  const auto at = config::parse_duration(o->at, &err);
  if (!at) {
    std::fprintf(stderr, "hcsim-viewer: --at '%s': %s (a time in the run, e.g. 10m50s or 1h05m)\n",
                 o->at.c_str(), err.c_str());
    return false;
  }
  o->at_s = at->seconds();
  if (std::sscanf(o->size.c_str(), "%dx%d", &o->width, &o->height) != 2 || o->width < 320 ||
      o->height < 240 || o->width > 8192 || o->height > 8192) {
    std::fprintf(stderr, "hcsim-viewer: --size '%s': expected WxH, e.g. 1600x1000\n",
                 o->size.c_str());
    return false;
  }
  if (o->offscreen() && o->input.empty() &&
      (!o->dump.empty() || o->bench_frames > 0 || o->check_layout)) {
    std::fprintf(stderr,
                 "hcsim-viewer: --dump-state, --bench-frames and --check-layout need a results "
                 "file\n");
    return false;
  }
  return true;
}

std::string find_demos(const char* argv0) {
  // Next to the executable in a build tree (build/<preset>/hcsim-viewer), or the source tree.
  const fs::path exe = fs::weakly_canonical(fs::path(argv0));
  for (const fs::path& p :
       {exe.parent_path() / "../../scenarios/demos", fs::path("scenarios/demos"),
        fs::path(HCSIM_SOURCE_DIR "/scenarios/demos")}) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) return fs::weakly_canonical(p).string();
  }
  return "scenarios/demos";
}

// Opens the input (and the compare run); off-screen a scenario is simulated first and a file of
// several runs shows its first. Prints the problem and returns false.
bool open_inputs(gui::App& app, const Options& o) {
  if (o.input.empty()) return true;
  const bool yaml = o.input.size() > 5 && (o.input.substr(o.input.size() - 5) == ".yaml" ||
                                           o.input.substr(o.input.size() - 4) == ".yml");
  bool ok = o.offscreen() && yaml ? app.run_and_open(o.input) : app.open(o.input, o.run);
  if (ok && o.offscreen() && !app.replay() && !yaml && o.run == 0) ok = app.open(o.input, 1);
  if (ok && !o.compare.empty()) ok = app.open_compare(o.compare, o.compare_run);
  if (!ok) std::fprintf(stderr, "hcsim-viewer: %s\n", app.error().c_str());
  return ok;
}

// "Right,Shift+Left,[,],F,Space,Escape,2": the keys the viewer acts on, by name.
bool parse_keys(const std::string& text, std::vector<gui::KeyPress>* out) {
  using Key = gui::KeyPress::Key;
  std::size_t from = 0;
  while (from <= text.size()) {
    const std::size_t comma = text.find(',', from);
    std::string name =
        text.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    from = comma == std::string::npos ? text.size() + 1 : comma + 1;
    gui::KeyPress k;
    if (name.rfind("Shift+", 0) == 0) {
      k.shift = true;
      name = name.substr(6);
    }
    if (name == "Space")
      k.key = Key::kSpace;
    else if (name == "Left")
      k.key = Key::kLeft;
    else if (name == "Right")
      k.key = Key::kRight;
    else if (name == "[")
      k.key = Key::kSlower;
    else if (name == "]")
      k.key = Key::kFaster;
    else if (name == "F" || name == "f")
      k.key = Key::kFollow;
    else if (name == "Escape")
      k.key = Key::kEscape;
    else if (name.size() == 1 && name[0] >= '1' && name[0] <= '9') {
      k.key = Key::kDigit;
      k.digit = name[0] - '0';
    } else {
      std::fprintf(stderr,
                   "hcsim-viewer: --keys: unknown key '%s' (Space, Left, Right, Shift+Left, "
                   "Shift+Right, [, ], F, Escape, 1-9)\n",
                   name.c_str());
      return false;
    }
    out->push_back(k);
  }
  return true;
}

int run_offscreen(gui::App& app, gui::Window& window, const Options& o) {
  if (app.replay() == nullptr && !o.input.empty()) {
    std::fprintf(stderr, "hcsim-viewer: nothing to show\n");
    return cli::kExitBadInput;
  }
  if (o.check_layout) return gui::check_layout(app, window);
  if (o.bench_frames > 0) {
    gui::bench_frames(app, window, o.bench_frames, o.width, o.height);
    return cli::kExitOk;
  }
  app.wait_for_demos();  // the start screen lists every demo
  if (!o.explain.empty() && !app.explain_site(o.explain, o.at_s)) {
    std::fprintf(stderr, "hcsim-viewer: --explain %s: %s\n", o.explain.c_str(),
                 app.error().c_str());
    return cli::kExitBadInput;
  }
  if (o.keys.empty()) return gui::write_frame(app, window, o.at_s, o.screenshot, o.dump);
  std::vector<gui::KeyPress> keys;
  if (!parse_keys(o.keys, &keys)) return cli::kExitBadInput;
  app.set_time(o.at_s);
  for (const gui::KeyPress& k : keys) {
    window.queue_key(k);
    window.render(app, 0);
    app.finish_background();  // a digit opens a demo: simulated before the next key
  }
  return gui::write_frame(app, window, app.time(), o.screenshot, o.dump);
}

// Draws while something moves (playing, background work) and for a few frames after each input
// (Dear ImGui settles hover and open/close in those); otherwise sleeps until input comes, so a
// paused viewer costs no CPU.
// With `run_for` > 0 it closes after that many seconds and prints the frames it drew.
void run_interactive(gui::App& app, gui::Window& window, double run_for) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto last = start;
  int quiet = 0;  // frames since the last input
  long frames = 0;
  auto left = [&] {
    return run_for > 0 ? run_for - std::chrono::duration<double>(Clock::now() - start).count()
                       : 1.0;
  };
  while (!window.should_close() && left() > 0) {
    if (!app.animating() && quiet >= 3) {
      if (!window.wait_for_input(std::min(0.25, left()))) continue;
      quiet = 0;
    }
    const auto now = std::chrono::steady_clock::now();
    // A frame after a sleep advances the replay by the frame time, not by the sleep.
    const double dt = std::min(0.1, std::chrono::duration<double>(now - last).count());
    window.render(app, dt);
    last = now;
    window.swap();
    ++frames;
    quiet = window.take_input() ? 0 : quiet + 1;
  }
  if (run_for > 0) std::printf("frames %ld in %.1f s\n", frames, run_for);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli("hcsim-viewer: replay hcsim runs like an APM dashboard");
  Options o;
  declare(cli, &o);
  CLI11_PARSE(cli, argc, argv);
  if (!check(&o)) return cli::kExitBadInput;

  gui::AppOptions opt;
  opt.demos_dir = find_demos(argv[0]);
  opt.classroom = o.classroom;
  opt.results_dir = o.results_dir;
  std::optional<gui::Window> window;
  try {
    window.emplace(o.width, o.height, o.offscreen(), &opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hcsim-viewer: %s\n", e.what());
    return cli::kExitError;
  }
  gui::App app(opt);
  app.set_speed(o.speed);
  app.set_text_size(o.text_size);
  app.set_window(o.window_min);
  if (!open_inputs(app, o)) return cli::kExitBadInput;
  if (o.play && app.replay() != nullptr) app.set_playing(true);
  if (o.offscreen()) return run_offscreen(app, *window, o);
  run_interactive(app, *window, o.run_for);
  return cli::kExitOk;
}
