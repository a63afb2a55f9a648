#include "gui/offscreen.h"

#include <GL/gl.h>
#include <stb_image_write.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "cli/exit_codes.h"
#include "sim/time.h"
#include "store/files.h"
#include "store/json.h"

namespace gui {

namespace fs = std::filesystem;

namespace {

// Renders the frames a moment needs to settle: auto-sized widgets take one, a new table (the
// event log) two before it knows its rows' heights, and its scroll to the time one more.
void settle(App& app, Window& window) {
  for (int f = 0; f < 5; ++f) window.render(app, 0);
}

}  // namespace

std::string state_json(const App& app, double t) {
  // The viewer's own state: where the lesson is.
  store::JsonWriter v(true);
  v.begin_object().key("t_s").value(app.time()).key("speed").value(app.speed());
  v.key("playing").value(app.playing()).key("follow").value(app.following());
  v.key("demo").value(app.current_demo()).key("home").value(app.replay() == nullptr);
  v.key("log_shows_now").value(app.log_now_visible());
  v.key("scenario").value(app.replay() != nullptr ? app.replay()->scenario() : "").end_object();
  if (app.replay() == nullptr) return "{\n  \"viewer\": " + v.str() + "\n}\n";
  std::string s = to_json(state_at(*app.replay(), t));
  store::JsonWriter j(true);
  j.begin_object();
  for (const auto& [k, r] : app.layout()) {
    j.key(k).begin_array().value(static_cast<double>(r.x)).value(static_cast<double>(r.y));
    j.value(static_cast<double>(r.w)).value(static_cast<double>(r.h)).end_array();
  }
  j.end_object();
  const std::size_t end = s.rfind('}');
  std::string out =
      s.substr(0, end) + ",\n  \"health_badges\": " + j.str() + ",\n  \"viewer\": " + v.str();
  store::JsonWriter of(true);
  of.begin_array();
  for (const std::string& o : app.overflow()) of.value(o);
  of.end_array();
  out += ",\n  \"overflow\": " + of.str() +
         ",\n  \"text_size\": " + std::to_string(static_cast<int>(app.text_size()));
  if (const std::string* text = app.explanation())
    out += ",\n  \"explanation\": \"" + store::json_escape(*text) + "\"";
  return out + "\n}\n";
}

int write_frame(App& app, Window& window, double t, const std::string& png,
                const std::string& json) {
  app.set_time(t);
  if (app.replay() != nullptr && app.time() < t)
    std::fprintf(stderr,
                 "hcsim-viewer: warning: %s is past the end of the run; showing its end, %s\n",
                 sim::format_clock(t).c_str(), sim::format_clock(app.time()).c_str());
  t = app.time();
  settle(app, window);
  if (!app.overflow().empty())
    std::fprintf(stderr,
                 "hcsim-viewer: warning: %zu thing(s) do not fit this window at %d px text, e.g. "
                 "%s (--check-layout lists them; a smaller --text-size or a larger --size helps)\n",
                 app.overflow().size(), static_cast<int>(app.text_size()),
                 app.overflow().front().c_str());
  if (!png.empty()) {
    int w = 0, h = 0;
    const std::vector<unsigned char> px = window.read_pixels(&w, &h);
    const std::string tmp = png + ".tmp.png";
    if (stbi_write_png(tmp.c_str(), w, h, 4, px.data(), w * 4) == 0) {
      std::fprintf(stderr, "hcsim-viewer: cannot write %s\n", png.c_str());
      return cli::kExitError;
    }
    fs::rename(tmp, png);
  }
  if (!json.empty()) {
    try {
      store::write_file_atomically(json, state_json(app, t));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "hcsim-viewer: cannot write %s: %s\n", json.c_str(), e.what());
      return cli::kExitError;
    }
  }
  return cli::kExitOk;
}

int check_layout(App& app, Window& window) {
  const Replay* r = app.replay();
  if (r == nullptr) return cli::kExitBadInput;
  std::vector<double> times = {0};
  for (const Replay* run : {r, app.compare()}) {
    if (run == nullptr) continue;
    for (const Caption& c : run->captions()) times.push_back(c.t);
    times.push_back(run->duration_s());
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  int problems = 0;
  for (double t : times) {
    app.set_time(t);
    settle(app, window);
    std::vector<std::string> found = app.overflow();
    if (!app.log_now_visible())
      found.push_back("the event log does not show the latest event (follow is on)");
    for (const std::string& f : found)
      std::printf("%s: %s\n", sim::format_clock(t).c_str(), f.c_str());
    problems += static_cast<int>(found.size());
  }
  std::printf("%d moments checked (start, each narration line, end): %d problem(s)\n",
              static_cast<int>(times.size()), problems);
  return problems == 0 ? cli::kExitOk : cli::kExitExpectFailed;
}

void bench_frames(App& app, Window& window, int frames, int width, int height) {
  const Replay* replay = app.replay();
  if (replay == nullptr || frames < 1) return;
  const double dur = replay->duration_s();
  std::vector<double> ms, ui;
  app.set_time(0);
  // A frame is all of it: building the interface, drawing, and presenting it (under Xvfb the
  // swap copies the whole picture to the X server, a cost a person sees).
  for (int f = 0; f < frames; ++f) {
    app.set_time(dur * (f + 1) / frames);
    const auto t0 = std::chrono::steady_clock::now();
    ui.push_back(window.render(app, 0));
    window.swap();
    glFinish();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double first = ms.front();
  std::vector<double> rest(ms.begin() + 1, ms.end());
  std::sort(rest.begin(), rest.end());
  auto q = [&](double p) {
    return rest.empty() ? first : rest[static_cast<std::size_t>(p * (rest.size() - 1))];
  };
  std::sort(ui.begin() + 1, ui.end());
  const double ui_median = ui.size() > 1 ? ui[1 + (ui.size() - 1) / 2] : ui.front();
  std::printf(
      "frames %d at %dx%d, run %.0f s of simulated time in %zu buckets: first frame %.1f ms "
      "(textures), then median %.2f ms, p95 %.2f ms, max %.2f ms (%.0f fps at the median); "
      "building the interface: median %.2f ms; renderer: %s\n",
      frames, width, height, dur, replay->overall().size(), first, q(0.5), q(0.95),
      rest.empty() ? first : rest.back(), 1000.0 / q(0.5), ui_median, window.renderer().c_str());
}

}  // namespace gui
