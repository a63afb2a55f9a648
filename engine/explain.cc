#include "engine/explain.h"

#include <atomic>

#include "engine/run.h"
#include "store/results_writer.h"

namespace engine {

bool is_pod_autoscaler_of(const std::string& component, const std::string& site) {
  const std::string suffix = "/" + site;
  return component.size() > suffix.size() && component.ends_with(suffix) &&
         !component.starts_with("site/") && !component.starts_with("dr/");
}

namespace {

std::string when(sim::SimTime t) { return sim::format_clock(t.seconds()); }

bool is_node_autoscaler_of(const std::string& component, const std::string& site) {
  return component == "site/" + site;
}

// Keeps the latest evaluation per pod autoscaler (in the order they first appear).
void keep_latest(std::vector<Evaluation>* latest, Evaluation e) {
  for (Evaluation& have : *latest) {
    if (have.component == e.component) {
      have = std::move(e);
      return;
    }
  }
  latest->push_back(std::move(e));
}

Evaluation evaluation_of(const store::EventRecord& e) {
  return {e.t_ns, e.component, e.kind, e.message, e.details};
}

// A recorder that keeps the site's autoscaler evaluations and the events up to the moment, and
// stops the run once the simulation has passed it.
class ExplainRecorder final : public sim::Recorder {
 public:
  ExplainRecorder(std::string site, sim::SimTime at, std::atomic<bool>* stop)
      : site_(std::move(site)), at_(at), stop_(stop) {}

  void series(std::string_view, std::string_view, sim::SimTime t,
              std::span<const sim::Field>) override {
    passed(t);
  }
  void histogram(std::string_view, std::string_view, sim::SimTime,
                 std::span<const uint32_t>) override {}
  void event(sim::SimTime t, std::string_view component, std::string_view kind,
             std::string_view message, const sim::EventDetails& details) override {
    if (passed(t)) return;
    const std::string c(component);
    if (kind != "decision") {
      logged.push_back({t.ns(), c, std::string(kind), std::string(message)});
      return;
    }
    Evaluation e{t.ns(), c, std::string(kind), std::string(message),
                 store::JsonValue::parse(store::details_to_json(details))};
    if (is_node_autoscaler_of(c, site_)) {
      out.node_autoscaler = std::move(e);
    } else if (is_pod_autoscaler_of(c, site_)) {
      keep_latest(&out.pod_autoscalers, std::move(e));
    }
  }
  void sample(std::string_view, std::string_view, sim::SimTime, double) override {}
  bool tracing() const override { return true; }

  struct Logged {
    int64_t t_ns;
    std::string component, kind, message;
  };
  std::vector<Logged> logged;
  ExplainReplay out;

 private:
  bool passed(sim::SimTime t) {
    if (t <= at_) return false;
    stop_->store(true);
    return true;
  }
  std::string site_;
  sim::SimTime at_;
  std::atomic<bool>* stop_;
};

}  // namespace

ExplainReplay stored_for_explain(const std::string& site, sim::SimTime at,
                                 const std::vector<store::EventRecord>& logged) {
  ExplainReplay out;
  for (const store::EventRecord& e : logged) {
    if (e.t_ns > at.ns()) break;
    if (is_pod_autoscaler_of(e.component, site) && e.kind == "scale") {
      keep_latest(&out.pod_autoscalers, evaluation_of(e));
      out.last_change = evaluation_of(e);
    } else if (is_node_autoscaler_of(e.component, site) && e.kind == "autoscaler") {
      out.node_autoscaler = evaluation_of(e);
    }
  }
  return out;
}

ExplainReplay replay_for_explain(const config::Scenario& s, uint64_t seed, const std::string& site,
                                 sim::SimTime at, const std::vector<store::EventRecord>& logged) {
  std::atomic<bool> stop{false};
  ExplainRecorder rec(site, at, &stop);
  RunControl control;
  control.stop = &stop;
  (void)execute(s, seed, rec, control);
  ExplainReplay out = std::move(rec.out);
  out.last_change = stored_for_explain(site, at, logged).last_change;
  // The reproduction check: the file's events up to the moment, in order, against the replay's.
  std::size_t k = 0;
  for (const store::EventRecord& e : logged) {
    if (e.t_ns > at.ns()) break;
    ++out.events_compared;
    if (k >= rec.logged.size()) {
      out.reproduced = false;
      out.divergence = "the replay has no event where the file has '" + e.message + "' at " +
                       when(sim::SimTime::from_ns(e.t_ns));
      return out;
    }
    const ExplainRecorder::Logged& r = rec.logged[k++];
    if (r.t_ns != e.t_ns || r.component != e.component || r.kind != e.kind ||
        r.message != e.message) {
      out.reproduced = false;
      out.divergence = "at " + when(sim::SimTime::from_ns(e.t_ns)) + " the file has " +
                       e.component + " '" + e.message + "', the replay " + r.component + " '" +
                       r.message + "' at " + when(sim::SimTime::from_ns(r.t_ns));
      return out;
    }
  }
  if (k < rec.logged.size()) {
    out.reproduced = false;
    out.divergence = "the replay logs '" + rec.logged[k].message + "' at " +
                     when(sim::SimTime::from_ns(rec.logged[k].t_ns)) +
                     ", which the file does not have";
  }
  return out;
}

}  // namespace engine
