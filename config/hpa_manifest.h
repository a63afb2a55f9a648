// runner/hpa_spec_loader.h: reads a HorizontalPodAutoscaler spec in Kubernetes' own YAML shape
// (autoscaling/v2: minReplicas, maxReplicas, metrics, behavior), inline in a scenario or from a
// real manifest file (apiVersion, kind, metadata, spec), strictly, with located errors.
#pragma once

#include <string>

#include "config/yaml_reader.h"
#include "models/autoscaling/hpa_spec.h"

namespace config {

// `spec` is the map holding minReplicas, maxReplicas, metrics and behavior. Metric names must
// be ones the simulation produces (cpu, memory; requests_per_second, concurrency;
// queue_length, inflight).
models::hpa::HpaSpec parse_hpa_spec(const Node& spec);
// A whole manifest file; relative paths are resolved by the caller.
models::hpa::HpaSpec load_hpa_manifest(const std::string& path);

}  // namespace config
