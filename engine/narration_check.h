// engine/narration_check.h: are a run's captions true when they appear? Each figure a narration
// line declares (config::NarrationFigure: a quote of its text and the series columns or the event
// it stands for) is compared with the run's results at the line's time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/scenario.h"
#include "store/results_reader.h"

namespace engine {

struct NarrationMismatch {
  double t_s = 0;     // the line's time
  std::string quote;  // the figure's quote
  std::string
      what;  // "private.replicas_ready was 12", "no gslb event 'public marked down' at 11m26s"
};

// The figures of `s`'s narration that the results of `run_id` contradict: a series figure
// against the sum of its columns in the bucket holding the line's time (levels are those at the
// bucket's end, as in the series), within its tolerance; an event figure against the times
// (to the second) of the events of that component whose message contains its text.
std::vector<NarrationMismatch> check_narration(const config::Scenario& s,
                                               const store::ResultsReader& r, int64_t run_id);

// "narration at 19m52s: '16 pods' is not what the run shows: private.replicas_ready was 12".
std::string describe(const NarrationMismatch& m);

}  // namespace engine
