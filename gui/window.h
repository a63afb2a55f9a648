// gui/window.h: the viewer's window: GLFW, an OpenGL 3.3 core context, Dear ImGui with its
// GLFW and OpenGL 3 backends and the DejaVu fonts. One per process; the destructor shuts all
// of it down in order. Off-screen (under Xvfb) the window is hidden and does not wait for
// vertical sync.
#pragma once

#include <string>
#include <vector>

#include "gui/app.h"

struct GLFWwindow;

namespace gui {

class Window {
 public:
  // Throws std::runtime_error when there is no display or no OpenGL 3.3. Fills the fonts of
  // `options` (left null when the DejaVu fonts are not installed).
  Window(int width, int height, bool offscreen, AppOptions* options);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  // One frame of `app`: polls input, builds the interface, draws it into the back buffer.
  // dt_real: wall seconds since the last frame. Returns the milliseconds spent building the
  // interface (the rest is drawing).
  double render(App& app, double dt_real);
  void swap();
  bool should_close() const;
  // The back buffer as RGBA rows, top row first.
  std::vector<unsigned char> read_pixels(int* width, int* height) const;
  std::string renderer() const;
  // Queues a key press for the next frame, as the keyboard does (the off-screen --keys script).
  void queue_key(const KeyPress& k) { keys_.push_back(k); }
  // Sleeps until the keyboard, the mouse or the window manager sends something, or `timeout_s`
  // passes. Returns whether anything came since the last call (then a frame is due).
  bool wait_for_input(double timeout_s);
  // Whether input came since the last call (and forgets it).
  bool take_input();
  void note_input() { input_ = true; }

 private:
  // GLFW's key callback: presses are queued as they happen and handed to the app at the next
  // frame, so a press and its release between two frames still count (Dear ImGui 1.86 keeps
  // only which keys are down at frame time).
  static void on_key(GLFWwindow* w, int key, int scancode, int action, int mods);
  // Installed for every other kind of input before Dear ImGui's own callbacks (which call them):
  // they only note that something happened, for wait_for_input().
  void install_input_callbacks();
  GLFWwindow* window_ = nullptr;
  bool input_ = true;
  std::vector<KeyPress> keys_;
};

}  // namespace gui
