// report/explain.h: an autoscaler evaluation's typed details (the fields of an hpa/<site>
// "scale" or "decision" event, a policy's, the cluster autoscaler's) told in words, step by
// step, with the arithmetic the controller did. `hcsim explain` and the viewer's explanation
// panel print the same text.
#pragma once

#include <string>

#include "store/json.h"

namespace report {

struct ExplainOptions {
  bool all_pods = false;  // list every counted pod (else the first few and every other one)
};

// The HPA's chain: pods per metric and why each counts or not, the usage ratio against the
// tolerance band, the rule that gave each metric's proposal, the largest proposal, the
// stabilization window's recommendations, the rate limits and min/max, the result.
std::string explain_hpa(const store::JsonValue& details, const ExplainOptions& options = {});

// The cluster autoscaler's loop (a "decision" event of a replay) or a logged scale-up: pending
// pods, what the nodes on their way take, each group's room, and per node why it was or was not
// removed.
std::string explain_node_autoscaler(const store::JsonValue& details);

// Any evaluation, by component: hpa/ -> explain_hpa, site/ -> explain_node_autoscaler, another
// policy -> its inputs as listed in its details and the clamp to min/max. `message` (the
// event's own line) is for the caller to show above it.
std::string explain_evaluation(const std::string& component, const std::string& message,
                               const store::JsonValue& details, const ExplainOptions& options = {});

}  // namespace report
