// config/yaml_reader.h: strict, located reading of scenario YAML.
//
// A Node is a position in a document (its YAML path, e.g. "sites.public.replicas") with the
// value found there in the file and/or given by a `--set path=value` override. Every read is
// typed and checked; every error is a ScenarioError that names file, line, column and path:
//
//   scenarios/x.yaml:12:7: sites.public.replicas: expected an integer, found 'ten'
//   --set 'sites.public.replicas=-1':1:23: sites.public.replicas: must be >= 0
//
// MapReader records which keys the loader asked for; finish() rejects any other key in the file
// or in the overrides, suggesting the nearest known key ("did you mean 'replicas'?").
// Overrides are matched by logical path, not by YAML node, so YAML anchors and aliases shared by
// two sites stay independent when one of them is overridden. `path=~` removes a setting (a
// whole map, e.g. an autoscaler, so that another can be given in its place).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.h"

namespace config {

struct Location {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
};

class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(Location loc, std::string path, std::string message);
  const Location& location() const { return loc_; }
  const std::string& path() const { return path_; }
  const std::string& message() const { return message_; }

 private:
  Location loc_;
  std::string path_;
  std::string message_;
};

// "did you mean 'x'?" for the nearest candidate, or a list of the valid ones.
std::string suggest(std::string_view wrong, const std::vector<std::string>& candidates,
                    std::string_view what);

class Overrides {
 public:
  struct Entry {
    std::string path;  // normalised: list indexes as [i]
    std::string value;
    Location loc;  // file "--set 'arg'", line 1, column of the value
    mutable bool used = false;
    bool remove = false;  // value "~": the setting is removed, as if the file did not have it
    // A value written as a YAML flow map or list ("{profile: ramp, from: 1, to: 9}", "[1, 2]"):
    // it replaces the whole setting, the file's keys below it included.
    YAML::Node tree;
    const Entry* origin = nullptr;  // rebased(): the entry this one copies
    bool is_tree() const { return tree.IsMap() || tree.IsSequence(); }
  };
  Overrides() = default;
  // Parses "path.to.key=value" arguments; throws ScenarioError on a malformed one. `where[i]`,
  // when given, is where argument i was written (a variant file's set:), for error messages.
  explicit Overrides(const std::vector<std::string>& args, const std::vector<Location>& where = {});
  // The override that sets `path` to a single value (removals and trees excluded).
  const Entry* find(std::string_view path) const;
  // The override that replaces `path` with a map or list written in the argument.
  const Entry* tree(std::string_view path) const;
  // The removal of `path` ("path=~"), if any.
  const Entry* removal(std::string_view path) const;
  // Map keys that overrides add directly under `path`, in argument order, without repeats.
  std::vector<std::string> children(std::string_view path) const;
  bool any_below(std::string_view path) const;
  const Entry* first_unused() const;
  const std::vector<Entry>& entries() const { return entries_; }
  // The entries below `from`, re-pathed below `to` (the HPA manifest an hpa_file: names is read
  // with the overrides of the autoscaler's hpa.<key>, as spec.<key>). Call mark_origins_used()
  // on the copy after reading, so that the originals count as used.
  Overrides rebased(std::string_view from, std::string_view to) const;
  void mark_origins_used() const;

 private:
  std::vector<Entry> entries_;
};

class MapReader;

class Node {
 public:
  Node(std::shared_ptr<const std::string> file, const Overrides* overrides, YAML::Node node,
       std::string path, Location fallback);

  const std::string& path() const { return path_; }
  // In the file with a non-null value, or set by an override (itself or a key below it).
  bool present() const;
  bool is_map() const;
  bool is_list() const;
  Location where() const;
  [[noreturn]] void fail(const std::string& message) const;

  // Scalars. Each fails with a located message when the value is absent or malformed.
  std::string text() const;
  double number() const;
  double number_in(double lo, double hi) const;  // inclusive range
  int64_t integer_in(int64_t lo, int64_t hi) const;
  uint64_t unsigned_integer() const;
  bool boolean() const;
  sim::SimTime duration() const;
  sim::SimTime duration_in(sim::SimTime lo, sim::SimTime hi) const;
  double rate() const;             // per second
  double size() const;             // bytes, with a unit (600MB, 512Mi)
  double memory() const;           // bytes: a Kubernetes memory quantity (512Mi, 1G, 536870912)
  double bandwidth() const;        // bytes per second
  double cpu() const;              // cores
  int64_t quantity_milli() const;  // a Kubernetes quantity, in milli-units
  // An int-or-percent ("25%" or 2), returned as (value, is_percent).
  std::pair<double, bool> int_or_percent(double max_percent) const;
  // One of `options` (with a suggestion when it is not).
  std::string choice(std::initializer_list<std::string_view> options) const;

  MapReader map() const;
  std::vector<Node> list() const;

  // The file this node came from (for resolving relative paths).
  const std::string& file() const { return *file_; }
  // The --set overrides this node is read with (null: none).
  const Overrides* overrides() const { return overrides_; }

 private:
  friend class MapReader;
  const Overrides::Entry* override_here() const;
  std::string scalar_text(const char* what) const;

  std::shared_ptr<const std::string> file_;
  const Overrides* overrides_;
  YAML::Node node_;
  std::string path_;
  Location fallback_;
};

class MapReader {
 public:
  explicit MapReader(const Node& n);
  // The node at key, present or not; the key becomes known.
  Node get(std::string_view key);
  // Fails "required key is missing" when absent.
  Node required(std::string_view key);
  bool has(std::string_view key) { return get(key).present(); }
  // True when the key is written in the file (not only added by an override).
  bool in_file(std::string_view key) const;
  // For maps whose keys are names (sites, weights): the keys in file order, then keys that only
  // overrides add. Reading them with get() marks them known.
  std::vector<std::string> keys() const;
  bool empty() const { return keys().empty(); }
  // Fails on the first key that was never asked for.
  void finish();
  // Where a key is written (its key node, or the --set argument that adds it).
  Location key_location(std::string_view key) const;
  // Fails with the key's location and path (for errors about a name used as a key).
  [[noreturn]] void fail_key(std::string_view key, const std::string& message) const;
  const Node& node() const { return node_; }

 private:
  Node child(std::string_view key) const;
  Node node_;
  struct FileKey {
    std::string key;
    YAML::Node key_node;  // where the key is written
    YAML::Node value;
  };
  // Keys written in the map, then those it merges with `<<: *anchor` (YAML merge keys) that it
  // does not write itself.
  std::vector<FileKey> file_keys_;
  std::vector<std::string> known_;
};

// Loads a YAML document (file or text) as a root Node. Parse errors become ScenarioErrors.
Node load_yaml_file(const std::string& path, const Overrides* overrides);
Node load_yaml_text(const std::string& text, const std::string& name, const Overrides* overrides);

}  // namespace config
