#include "report/tables.h"

#include <cmath>
#include <cstdio>

#include "store/json.h"

namespace report {

namespace {

std::string fmt6(double v) {
  if (std::isnan(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string to_csv(const std::vector<const Configuration*>& by_rank) {
  std::string text = "rank,configuration,runs,gates_passed,gates_known,meets_slo,pareto";
  for (const Metric& m : metrics()) text += std::string(",") + m.key + "_mean," + m.key + "_ci95";
  text += "\n";
  for (const Configuration* c : by_rank) {
    text += std::to_string(c->rank) + "," + csv_field(c->label) + "," +
            std::to_string(c->runs.size()) + "," + std::to_string(c->gates_passed) + "," +
            std::to_string(c->gates_known) + "," + (c->meets ? "1" : "0") + "," +
            (c->pareto ? "1" : "0");
    for (const auto& ci : c->ci) text += "," + fmt6(ci.mean) + "," + fmt6(ci.half_width);
    text += "\n";
  }
  return text;
}

std::string to_json(const TableContext& context, const std::vector<const Configuration*>& by_rank) {
  store::JsonWriter j(true);
  j.begin_object();
  j.key("results").value(context.results).key("title").value(context.title);
  j.key("completed_runs").value(static_cast<int64_t>(context.completed_runs));
  j.key("unfinished_runs").value(context.unfinished_runs).key("pareto_y").value(context.pareto_y);
  j.key("configurations").begin_array();
  for (const Configuration* c : by_rank) {
    j.begin_object();
    j.key("rank").value(c->rank).key("configuration").value(c->label).key("config_id").value(c->id);
    j.key("runs").value(static_cast<int64_t>(c->runs.size()));
    j.key("gates_passed").value(c->gates_passed).key("gates_known").value(c->gates_known);
    j.key("meets_slo").value(c->meets).key("pareto").value(c->pareto);
    j.key("unrecovered_incidents").value(c->unrecovered);
    for (std::size_t m = 0; m < metrics().size(); ++m) {
      j.key(metrics()[m].key).begin_object();
      j.key("mean").value(c->ci[m].mean).key("ci95").value(c->ci[m].half_width);
      j.key("n").value(c->ci[m].n);
      j.end_object();
    }
    j.key("sites").begin_object();
    for (const Configuration::Site& s : c->sites) {
      j.key(s.name).begin_object();
      for (std::size_t m = 0; m < site_metrics().size(); ++m) {
        j.key(site_metrics()[m].key).begin_object();
        j.key("mean").value(s.ci[m].mean).key("ci95").value(s.ci[m].half_width);
        j.key("n").value(s.ci[m].n);
        j.end_object();
      }
      j.end_object();
    }
    j.end_object();
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

}  // namespace report
