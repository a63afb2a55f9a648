// gui/offscreen.h: the viewer's off-screen modes (tests, screenshots, benchmarks under Xvfb):
// one settled frame at a time written as PNG and/or the numbers it shows as JSON, or the whole
// run played in N frames with frame times measured.
#pragma once

#include <string>

#include "gui/app.h"
#include "gui/window.h"

namespace gui {

// Renders the frame at time t (five times: widgets and the event log settle) and writes the
// PNG (when png is not "") and the dashboard state (when json is not ""), each atomically.
// Returns an exit code (cli/exit_codes.h).
int write_frame(App& app, Window& window, double t, const std::string& png,
                const std::string& json);

// Plays the whole run in `frames` frames (the worst case for data per frame) and prints the
// first frame's time, the median, p95 and max of the others, and the interface-building median.
void bench_frames(App& app, Window& window, int frames, int width, int height);

// Renders the run at its start, at each narration line and at its end (in compare mode the
// second run's too), and prints what did not
// fit (text cut off, a column that scrolls) and where the event log failed to follow. Returns
// 0 when nothing was found, 1 otherwise (2 without a run).
int check_layout(App& app, Window& window);

// The --dump-state JSON: the dashboard state at t (docs/viewer.md) with the layout of the
// health badges.
std::string state_json(const App& app, double t);

}  // namespace gui
