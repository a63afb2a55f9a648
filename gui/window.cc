#include "gui/window.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace gui {

namespace {

void glfw_error(int code, const char* what) {
  std::fprintf(stderr, "GLFW error %d: %s\n", code, what);
}

void style_and_fonts(AppOptions* options) {
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
  const std::string dir = "/usr/share/fonts/truetype/dejavu/";
  const std::string font = dir + "DejaVuSans.ttf", bold = dir + "DejaVuSans-Bold.ttf",
                    mono = dir + "DejaVuSansMono.ttf";
  namespace fs = std::filesystem;
  if (!fs::exists(font) || !fs::exists(bold)) {
    options->fonts.push_back({13, io.Fonts->AddFontDefault()});
    return;
  }
  // Every text size the viewer offers, rasterized once: a size change is a font switch, not a
  // rebuilt atlas. Big numbers and captions keep their proportions to the text.
  for (float px : kTextSizes) {
    FontSet f;
    f.size = px;
    f.body = io.Fonts->AddFontFromFileTTF(font.c_str(), px);
    f.big = io.Fonts->AddFontFromFileTTF(bold.c_str(), std::round(px * 1.85f));
    f.caption = io.Fonts->AddFontFromFileTTF(font.c_str(), std::round(px * 1.2f));
    f.mono = fs::exists(mono) ? io.Fonts->AddFontFromFileTTF(mono.c_str(), std::round(px * 0.93f))
                              : nullptr;
    options->fonts.push_back(f);
  }
}

}  // namespace

Window::Window(int width, int height, bool offscreen, AppOptions* options) {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit())
    throw std::runtime_error("cannot open a display (for off-screen use, run under xvfb-run)");
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  if (offscreen) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  window_ = glfwCreateWindow(width, height, "hcsim viewer", nullptr, nullptr);
  if (window_ == nullptr) {
    glfwTerminate();
    throw std::runtime_error("cannot create an OpenGL 3.3 window");
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(offscreen ? 0 : 1);
  // Installed before Dear ImGui's backend, which calls it from its own key callback.
  glfwSetWindowUserPointer(window_, this);
  glfwSetKeyCallback(window_, on_key);
  install_input_callbacks();
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  style_and_fonts(options);
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 330");
}

Window::~Window() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

namespace {

void input_from(GLFWwindow* w) {
  // Dear ImGui's callbacks call the ones installed before them with the same window.
  if (auto* self = static_cast<Window*>(glfwGetWindowUserPointer(w))) self->note_input();
}

}  // namespace

void Window::install_input_callbacks() {
  glfwSetCursorPosCallback(window_, [](GLFWwindow* w, double, double) { input_from(w); });
  glfwSetMouseButtonCallback(window_, [](GLFWwindow* w, int, int, int) { input_from(w); });
  glfwSetScrollCallback(window_, [](GLFWwindow* w, double, double) { input_from(w); });
  glfwSetCharCallback(window_, [](GLFWwindow* w, unsigned int) { input_from(w); });
  glfwSetCursorEnterCallback(window_, [](GLFWwindow* w, int) { input_from(w); });
  glfwSetWindowFocusCallback(window_, [](GLFWwindow* w, int) { input_from(w); });
  glfwSetFramebufferSizeCallback(window_, [](GLFWwindow* w, int, int) { input_from(w); });
  glfwSetWindowRefreshCallback(window_, [](GLFWwindow* w) { input_from(w); });
}

bool Window::wait_for_input(double timeout_s) {
  if (!input_) glfwWaitEventsTimeout(timeout_s);
  return take_input();
}

bool Window::take_input() {
  const bool had = input_;
  input_ = false;
  return had;
}

void Window::on_key(GLFWwindow* w, int key, int /*scancode*/, int action, int mods) {
  auto* self = static_cast<Window*>(glfwGetWindowUserPointer(w));
  if (self != nullptr) self->input_ = true;
  if (action == GLFW_RELEASE) return;
  if (self == nullptr || (ImGui::GetCurrentContext() != nullptr && ImGui::GetIO().WantTextInput))
    return;  // typing in a text field
  KeyPress k;
  k.shift = (mods & GLFW_MOD_SHIFT) != 0;
  using Key = KeyPress::Key;
  if (key == GLFW_KEY_SPACE && action == GLFW_PRESS) {
    k.key = Key::kSpace;
  } else if (key == GLFW_KEY_LEFT) {
    k.key = Key::kLeft;  // held down: repeats
  } else if (key == GLFW_KEY_RIGHT) {
    k.key = Key::kRight;
  } else if (key == GLFW_KEY_LEFT_BRACKET && action == GLFW_PRESS) {
    k.key = Key::kSlower;
  } else if (key == GLFW_KEY_RIGHT_BRACKET && action == GLFW_PRESS) {
    k.key = Key::kFaster;
  } else if (key == GLFW_KEY_F && action == GLFW_PRESS) {
    k.key = Key::kFollow;
  } else if (key == GLFW_KEY_ESCAPE && action == GLFW_PRESS) {
    k.key = Key::kEscape;
  } else if (key >= GLFW_KEY_1 && key <= GLFW_KEY_9 && action == GLFW_PRESS) {
    k.key = Key::kDigit;
    k.digit = key - GLFW_KEY_0;
  } else {
    return;
  }
  self->keys_.push_back(k);
}

double Window::render(App& app, double dt_real) {
  const auto t_ui = std::chrono::steady_clock::now();
  glfwPollEvents();
  for (const KeyPress& k : keys_) app.press(k);
  keys_.clear();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  int fw, fh;
  glfwGetFramebufferSize(window_, &fw, &fh);
  app.frame(static_cast<float>(fw), static_cast<float>(fh), dt_real);
  ImGui::Render();
  const double ui_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_ui).count();
  glViewport(0, 0, fw, fh);
  glClearColor(0.07f, 0.08f, 0.10f, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  return ui_ms;
}

void Window::swap() { glfwSwapBuffers(window_); }

bool Window::should_close() const { return glfwWindowShouldClose(window_); }

std::vector<unsigned char> Window::read_pixels(int* width, int* height) const {
  int fw, fh;
  glfwGetFramebufferSize(window_, &fw, &fh);
  const std::size_t row = static_cast<std::size_t>(fw) * 4;
  std::vector<unsigned char> px(row * static_cast<std::size_t>(fh));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, fw, fh, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  std::vector<unsigned char> flipped(px.size());
  for (int y = 0; y < fh; ++y)
    std::copy_n(px.data() + static_cast<std::size_t>(fh - 1 - y) * row, row,
                flipped.data() + static_cast<std::size_t>(y) * row);
  *width = fw;
  *height = fh;
  return flipped;
}

std::string Window::renderer() const {
  return reinterpret_cast<const char*>(glGetString(GL_RENDERER));
}

}  // namespace gui
