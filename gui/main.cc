// hcsim-viewer: replays recorded runs like an APM dashboard (Dear ImGui + GLFW + OpenGL 3).
//
//   hcsim-viewer                                 start screen: the five demos, one click each
//   hcsim-viewer RESULTS.sqlite [--run N]        a recorded run (a picker when it holds several)
//   hcsim-viewer SCENARIO.yaml                   simulated in the background, then replayed
//   hcsim-viewer A.sqlite --compare B.sqlite     two runs on one timeline
//   off-screen (e.g. under Xvfb): --screenshot FILE.png --at TIME [--size WxH],
//                                 --dump-state FILE.json --at TIME, --bench-frames N
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb_image_write.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "cli/exit_codes.h"
#include "config/units.h"
#include "gui/app.h"
#include "store/json.h"

namespace fs = std::filesystem;

namespace {

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

void glfw_error(int code, const char* what) {
  std::fprintf(stderr, "GLFW error %d: %s\n", code, what);
}

// The state JSON with the layout of the health badges appended.
std::string state_json(const gui::App& app, double t) {
  std::string s = gui::to_json(gui::state_at(*app.replay(), t));
  store::JsonWriter j(true);
  j.begin_object();
  for (const auto& [k, r] : app.layout()) {
    j.key(k).begin_array().value(static_cast<double>(r.x)).value(static_cast<double>(r.y));
    j.value(static_cast<double>(r.w)).value(static_cast<double>(r.h)).end_array();
  }
  j.end_object();
  const std::size_t end = s.rfind('}');
  return s.substr(0, end) + ",\n  \"health_badges\": " + j.str() + "\n}\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli("hcsim-viewer: replay hcsim runs like an APM dashboard");
  std::string input, compare, screenshot, dump, at = "0s", size = "1600x1000";
  int64_t run = 0, compare_run = 0;
  int bench_frames = 0;
  double speed = 30;
  cli.add_option("input", input,
                 "Results database (.sqlite) or scenario (.yaml); none: the demo list");
  cli.add_option("--run", run, "Run id in the results file (default: the only run, else a picker)");
  cli.add_option("--compare", compare, "A second results file, shown beside the first");
  cli.add_option("--compare-run", compare_run, "Run id in the --compare file");
  cli.add_option("--at", at, "Simulated time to show (e.g. 11m30s) for --screenshot/--dump-state");
  cli.add_option("--screenshot", screenshot, "Render one frame to this PNG and exit");
  cli.add_option("--dump-state", dump,
                 "Write the numbers the dashboard shows at --at as JSON and exit");
  cli.add_option("--size", size, "Window size WxH")->capture_default_str();
  cli.add_option("--speed", speed, "Simulated seconds per real second while playing (1-1000)")
      ->check(CLI::Range(1.0, 1000.0))
      ->capture_default_str();
  std::string results_dir = "results/viewer";
  cli.add_option("--results-dir", results_dir, "Where scenarios opened in the viewer write results")
      ->capture_default_str();
  cli.add_option("--bench-frames", bench_frames,
                 "Off-screen: play the whole run in N frames and report frame times");
  CLI11_PARSE(cli, argc, argv);

  std::string err;
  const auto at_t = config::parse_duration(at, &err);
  if (!at_t) {
    std::fprintf(stderr, "hcsim-viewer: --at '%s': %s\n", at.c_str(), err.c_str());
    return cli::kExitBadInput;
  }
  int width = 1600, height = 1000;
  if (std::sscanf(size.c_str(), "%dx%d", &width, &height) != 2 || width < 320 || height < 240 ||
      width > 8192 || height > 8192) {
    std::fprintf(stderr, "hcsim-viewer: --size '%s': expected WxH, e.g. 1600x1000\n", size.c_str());
    return cli::kExitBadInput;
  }
  const bool offscreen = !screenshot.empty() || !dump.empty() || bench_frames > 0;
  if (offscreen && input.empty() && (!dump.empty() || bench_frames > 0)) {
    std::fprintf(stderr, "hcsim-viewer: --dump-state and --bench-frames need a results file\n");
    return cli::kExitBadInput;
  }

  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr,
                 "hcsim-viewer: cannot open a display (for off-screen use, run under xvfb-run)\n");
    return cli::kExitError;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  if (offscreen) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  GLFWwindow* window = glfwCreateWindow(width, height, "hcsim viewer", nullptr, nullptr);
  if (window == nullptr) {
    std::fprintf(stderr, "hcsim-viewer: cannot create an OpenGL 3.3 window\n");
    glfwTerminate();
    return cli::kExitError;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(offscreen ? 0 : 1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 0;
  style.ChildRounding = 4;
  style.FrameRounding = 3;
  // The window's background is the clear colour and panels are outlined, not filled: a software
  // renderer (Mesa llvmpipe under Xvfb) is bound by how often each pixel is filled.
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 0);
  style.Colors[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  style.Colors[ImGuiCol_Border] = ImVec4(0.22f, 0.24f, 0.29f, 1);
  gui::AppOptions opt;
  const char* font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  const char* bold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
  if (fs::exists(font) && fs::exists(bold)) {
    io.Fonts->AddFontFromFileTTF(font, 14.0f);
    opt.big_font = io.Fonts->AddFontFromFileTTF(bold, 26.0f);
    opt.caption_font = io.Fonts->AddFontFromFileTTF(font, 17.0f);
  }
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330");

  opt.demos_dir = find_demos(argv[0]);
  opt.results_dir = results_dir;
  int code = cli::kExitOk;
  {
    gui::App app(opt);
    app.set_speed(speed);
    bool ok = true;
    if (!input.empty()) {
      const bool yaml = input.size() > 5 && (input.substr(input.size() - 5) == ".yaml" ||
                                             input.substr(input.size() - 4) == ".yml");
      ok = offscreen && yaml ? app.run_and_open(input) : app.open(input, run);
      if (ok && offscreen && !app.replay()) {
        if (!yaml && run == 0) ok = app.open(input, 1);  // several runs: the first
      }
      if (ok && !compare.empty()) ok = app.open_compare(compare, compare_run);
      if (!ok) {
        std::fprintf(stderr, "hcsim-viewer: %s\n", app.error().c_str());
        code = cli::kExitBadInput;
      }
    }
    double ui_ms = 0;  // of the last frame: building the interface (the rest is drawing)
    auto render = [&](double dt_real) {
      const auto t_ui = std::chrono::steady_clock::now();
      glfwPollEvents();
      ImGui_ImplOpenGL3_NewFrame();
      ImGui_ImplGlfw_NewFrame();
      ImGui::NewFrame();
      int fw, fh;
      glfwGetFramebufferSize(window, &fw, &fh);
      app.frame(static_cast<float>(fw), static_cast<float>(fh), dt_real);
      ImGui::Render();
      ui_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_ui)
                  .count();
      glViewport(0, 0, fw, fh);
      glClearColor(0.07f, 0.08f, 0.10f, 1);
      glClear(GL_COLOR_BUFFER_BIT);
      ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    };
    if (code == 0 && offscreen) {
      if (app.replay() == nullptr && !input.empty()) {
        std::fprintf(stderr, "hcsim-viewer: nothing to show\n");
        code = cli::kExitBadInput;
      } else if (bench_frames > 0) {
        // Play the whole run in N frames: the worst case for data per frame.
        const double dur = app.replay()->duration_s();
        std::vector<double> ms, ui;
        app.set_time(0);
        for (int f = 0; f < bench_frames; ++f) {
          app.set_time(dur * (f + 1) / bench_frames);
          const auto t0 = std::chrono::steady_clock::now();
          render(0);
          glFinish();
          ms.push_back(
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                  .count());
          ui.push_back(ui_ms);
          glfwSwapBuffers(window);
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
            "frames %d at %dx%d, run %.0f s of simulated time in %zu buckets: first frame "
            "%.1f ms (textures), then median %.2f ms, p95 %.2f ms, max %.2f ms (%.0f fps at the "
            "median); building the interface: median %.2f ms; renderer: %s\n",
            bench_frames, width, height, dur, app.replay()->overall().size(), first, q(0.5),
            q(0.95), rest.empty() ? first : rest.back(), 1000.0 / q(0.5), ui_median,
            reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
      } else {
        app.set_time(at_t->seconds());
        // Two frames: the first lays out auto-sized widgets, the second draws them settled.
        render(0);
        render(0);
        if (!screenshot.empty()) {
          int fw, fh;
          glfwGetFramebufferSize(window, &fw, &fh);
          std::vector<unsigned char> px(static_cast<std::size_t>(fw) *
                                        static_cast<std::size_t>(fh) * 4);
          glPixelStorei(GL_PACK_ALIGNMENT, 1);
          glReadBuffer(GL_BACK);
          glReadPixels(0, 0, fw, fh, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
          std::vector<unsigned char> flipped(px.size());
          const std::size_t row = static_cast<std::size_t>(fw) * 4;
          for (int y = 0; y < fh; ++y)
            std::copy_n(px.data() + static_cast<std::size_t>(fh - 1 - y) * row, row,
                        flipped.data() + static_cast<std::size_t>(y) * row);
          const std::string tmp = screenshot + ".tmp.png";
          if (stbi_write_png(tmp.c_str(), fw, fh, 4, flipped.data(), static_cast<int>(row)) == 0) {
            std::fprintf(stderr, "hcsim-viewer: cannot write %s\n", screenshot.c_str());
            code = cli::kExitError;
          } else {
            fs::rename(tmp, screenshot);
          }
        }
        if (!dump.empty() && code == 0 && app.replay() != nullptr) {
          std::ofstream(dump) << state_json(app, at_t->seconds());
        }
      }
    } else if (code == 0) {
      auto last = std::chrono::steady_clock::now();
      while (!glfwWindowShouldClose(window)) {
        const auto now = std::chrono::steady_clock::now();
        render(std::chrono::duration<double>(now - last).count());
        last = now;
        glfwSwapBuffers(window);
      }
    }
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return code;
}
