// models/autoscaling/autoscaler.h: the interface every pod autoscaler implements (the HPA and
// its rivals). An autoscaler reads a ScalableTarget and its metrics and calls scale_to(); it
// schedules its own evaluations from start().
#pragma once

namespace models {

class Autoscaler {
 public:
  virtual ~Autoscaler() = default;
  virtual void start() = 0;
  virtual const char* kind() const = 0;
};

}  // namespace models
