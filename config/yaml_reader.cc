#include "config/yaml_reader.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <tuple>

#include "config/units.h"

namespace config {

namespace {

std::string join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string s(path);
  s += '.';
  s += key;
  return s;
}

Location mark_location(const std::string& file, const YAML::Mark& m) {
  if (m.is_null()) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

std::string shorten(std::string s) {
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

const char* type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "nothing";
  }
}

// Normalises "a.b.0.c" and "a.b[0].c" to "a.b[0].c". Returns false on an empty component.
bool normalise_path(std::string_view in, std::string* out) {
  out->clear();
  std::size_t i = 0;
  while (i <= in.size()) {
    const std::size_t dot = in.find('.', i);
    const std::string_view comp = in.substr(i, dot == std::string_view::npos ? in.npos : dot - i);
    if (comp.empty()) return false;
    const bool numeric =
        std::all_of(comp.begin(), comp.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (numeric && !out->empty()) {
      *out += '[';
      *out += comp;
      *out += ']';
    } else {
      if (!out->empty()) *out += '.';
      *out += comp;
    }
    if (dot == std::string_view::npos) break;
    i = dot + 1;
  }
  return true;
}

}  // namespace

ScenarioError::ScenarioError(Location loc, std::string path, std::string message)
    : std::runtime_error([&] {
        std::string s = loc.file;
        if (loc.line > 0) s += ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
        s += ": ";
        if (!path.empty()) s += path + ": ";
        s += message;
        return s;
      }()),
      loc_(std::move(loc)),
      path_(std::move(path)),
      message_(std::move(message)) {}

std::string suggest(std::string_view wrong, const std::vector<std::string>& candidates,
                    std::string_view what) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(wrong, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  const std::size_t limit = std::max<std::size_t>(2, wrong.size() / 3);
  if (!best.empty() && best_d <= limit) return "did you mean '" + best + "'?";
  if (candidates.empty()) return "nothing is expected here";
  std::string s = std::string(what) + ": ";
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (i > 0) s += ", ";
    s += candidates[i];
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Overrides

Overrides::Overrides(const std::vector<std::string>& args, const std::vector<Location>& where) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const std::string file = "--set '" + arg + "'";
    const std::size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ScenarioError({file, 1, 1}, "", "expected path.to.key=value");
    }
    Entry e;
    if (!normalise_path(std::string_view(arg).substr(0, eq), &e.path)) {
      throw ScenarioError({file, 1, 1}, "", "malformed key path '" + arg.substr(0, eq) + "'");
    }
    e.value = arg.substr(eq + 1);
    e.remove = e.value == "~";
    e.loc = {file, 1, static_cast<int>(eq) + 2};
    const std::size_t first = e.value.find_first_not_of(" \t");
    if (first != std::string::npos && (e.value[first] == '{' || e.value[first] == '[')) {
      // Padded so that the YAML parser's columns are those of the argument.
      try {
        e.tree = YAML::Load(std::string(eq + 1, ' ') + e.value);
      } catch (const YAML::Exception& x) {
        throw ScenarioError({file, 1, std::max(x.mark.column + 1, e.loc.column)}, e.path,
                            "YAML syntax error: " + x.msg);
      }
    }
    if (i < where.size() && where[i].line > 0) e.loc = where[i];
    for (const Entry& other : entries_) {
      if (other.path == e.path) {
        throw ScenarioError(e.loc, e.path, "set twice on the command line");
      }
    }
    entries_.push_back(std::move(e));
  }
}

const Overrides::Entry* Overrides::find(std::string_view path) const {
  for (const Entry& e : entries_) {
    if (e.path == path && !e.remove && !e.is_tree()) return &e;
  }
  return nullptr;
}

const Overrides::Entry* Overrides::tree(std::string_view path) const {
  for (const Entry& e : entries_) {
    if (e.path == path && e.is_tree()) return &e;
  }
  return nullptr;
}

Overrides Overrides::rebased(std::string_view from, std::string_view to) const {
  Overrides out;
  for (const Entry& e : entries_) {
    if (e.path.size() <= from.size() || e.path.compare(0, from.size(), from) != 0 ||
        (e.path[from.size()] != '.' && e.path[from.size()] != '['))
      continue;
    Entry copy = e;
    copy.path = std::string(to) + e.path.substr(from.size());
    copy.origin = &e;
    copy.used = false;
    out.entries_.push_back(std::move(copy));
  }
  return out;
}

void Overrides::mark_origins_used() const {
  for (const Entry& e : entries_) {
    if (e.used && e.origin != nullptr) e.origin->used = true;
  }
}

const Overrides::Entry* Overrides::removal(std::string_view path) const {
  for (const Entry& e : entries_) {
    if (e.path == path && e.remove) return &e;
  }
  return nullptr;
}

bool Overrides::any_below(std::string_view path) const {
  for (const Entry& e : entries_) {
    if (!e.remove && e.path.size() > path.size() && e.path.compare(0, path.size(), path) == 0 &&
        (path.empty() || e.path[path.size()] == '.' || e.path[path.size()] == '[')) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> Overrides::children(std::string_view path) const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) {
    if (e.remove) continue;
    std::string_view rest = e.path;
    if (!path.empty()) {
      if (rest.size() <= path.size() + 1 || rest.compare(0, path.size(), path) != 0 ||
          rest[path.size()] != '.') {
        continue;
      }
      rest.remove_prefix(path.size() + 1);
    }
    const std::size_t end = rest.find_first_of(".[");
    std::string key(rest.substr(0, end));
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(std::move(key));
  }
  return out;
}

const Overrides::Entry* Overrides::first_unused() const {
  for (const Entry& e : entries_) {
    if (!e.used) return &e;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Node

Node::Node(std::shared_ptr<const std::string> file, const Overrides* overrides, YAML::Node node,
           std::string path, Location fallback)
    : file_(std::move(file)),
      overrides_(overrides),
      node_(std::move(node)),
      path_(std::move(path)),
      fallback_(std::move(fallback)) {}

const Overrides::Entry* Node::override_here() const {
  return overrides_ != nullptr ? overrides_->find(path_) : nullptr;
}

bool Node::present() const {
  if (override_here() != nullptr) return true;
  if (overrides_ != nullptr && overrides_->any_below(path_)) return true;
  return node_.IsDefined() && !node_.IsNull();
}

bool Node::is_map() const {
  if (override_here() != nullptr) return false;  // a single value given in place of a map
  return (node_.IsDefined() && node_.IsMap()) ||
         (override_here() == nullptr && overrides_ != nullptr && overrides_->any_below(path_) &&
          !(node_.IsDefined() && node_.IsSequence()));
}

bool Node::is_list() const { return node_.IsDefined() && node_.IsSequence(); }

Location Node::where() const {
  if (const auto* o = override_here()) return o->loc;
  if (node_.IsDefined()) {
    Location l = mark_location(*file_, node_.Mark());
    if (l.line > 0) return l;
  }
  return fallback_;
}

void Node::fail(const std::string& message) const { throw ScenarioError(where(), path_, message); }

std::string Node::scalar_text(const char* what) const {
  if (const auto* o = override_here()) {
    o->used = true;
    return o->value;
  }
  if (!node_.IsDefined() || node_.IsNull())
    fail(std::string("expected ") + what + ", found nothing");
  if (!node_.IsScalar()) fail(std::string("expected ") + what + ", found " + type_name(node_));
  return node_.Scalar();
}

std::string Node::text() const { return scalar_text("a string"); }

namespace {
template <class T>
T checked(const Node& n, std::optional<T> v, const std::string& err) {
  if (!v) n.fail(err);
  return *v;
}
std::string fmt(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}
}  // namespace

double Node::number() const {
  std::string err;
  return checked(*this, parse_number(scalar_text("a number"), &err), err);
}

double Node::number_in(double lo, double hi) const {
  const double v = number();
  if (v < lo) fail("must be >= " + fmt(lo) + ", found " + fmt(v));
  if (v > hi) fail("must be <= " + fmt(hi) + ", found " + fmt(v));
  return v;
}

int64_t Node::integer_in(int64_t lo, int64_t hi) const {
  std::string err;
  const int64_t v = checked(*this, parse_integer(scalar_text("an integer"), &err), err);
  if (v < lo) fail("must be >= " + std::to_string(lo) + ", found " + std::to_string(v));
  if (v > hi) fail("must be <= " + std::to_string(hi) + ", found " + std::to_string(v));
  return v;
}

uint64_t Node::unsigned_integer() const {
  std::string err;
  return checked(*this, parse_unsigned(scalar_text("a non-negative integer"), &err), err);
}

bool Node::boolean() const {
  std::string err;
  return checked(*this, parse_bool(scalar_text("true or false"), &err), err);
}

sim::SimTime Node::duration() const {
  std::string err;
  return checked(*this, parse_duration(scalar_text("a duration"), &err), err);
}

sim::SimTime Node::duration_in(sim::SimTime lo, sim::SimTime hi) const {
  const sim::SimTime v = duration();
  if (v < lo)
    fail("must be at least " + sim::format_duration(lo) + ", found " + sim::format_duration(v));
  if (v > hi)
    fail("must be at most " + sim::format_duration(hi) + ", found " + sim::format_duration(v));
  return v;
}

double Node::rate() const {
  std::string err;
  return checked(*this, parse_rate(scalar_text("a rate such as 200/s"), &err), err);
}

double Node::size() const {
  std::string err;
  return checked(*this, parse_size(scalar_text("a size such as 600MB"), &err), err);
}

double Node::bandwidth() const {
  std::string err;
  return checked(*this, parse_bandwidth(scalar_text("a bandwidth such as 100MB/s"), &err), err);
}

double Node::cpu() const {
  std::string err;
  return checked(*this, parse_cpu(scalar_text("a CPU quantity"), &err), err);
}

double Node::memory() const {
  std::string err;
  return checked(*this, parse_size(scalar_text("a memory quantity such as 512Mi"), &err, true),
                 err);
}

int64_t Node::quantity_milli() const {
  std::string err;
  return checked(*this, parse_quantity_milli(scalar_text("a quantity"), &err), err);
}

std::pair<double, bool> Node::int_or_percent(double max_percent) const {
  std::string t = scalar_text("a number or a percentage");
  if (!t.empty() && t.back() == '%') {
    std::string err;
    const auto v = parse_number(t.substr(0, t.size() - 1), &err);
    if (!v) fail("'" + t + "' is not a percentage");
    if (*v < 0 || *v > max_percent) fail("must be between 0% and " + fmt(max_percent) + "%");
    return {*v, true};
  }
  std::string err;
  const auto v = parse_integer(t, &err);
  if (!v) fail("'" + t + "' is not an integer or a percentage such as 25%");
  if (*v < 0 || *v > 1'000'000) fail("must be between 0 and 1000000");
  return {static_cast<double>(*v), false};
}

std::string Node::choice(std::initializer_list<std::string_view> options) const {
  const std::string v = scalar_text("one of the listed choices");
  for (std::string_view o : options) {
    if (v == o) return v;
  }
  std::vector<std::string> opts(options.begin(), options.end());
  fail("'" + shorten(v) + "' is not valid; " + suggest(v, opts, "choose one of"));
}

MapReader Node::map() const {
  if (override_here() != nullptr) {
    fail("is a map of settings; --set changes single values (use " + path_ + ".<key>=...)");
  }
  // Overrides below a single value turn it into a map of theirs (`users: 300` with
  // --set users.profile=...).
  const bool overridden = overrides_ != nullptr && overrides_->any_below(path_);
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap() && !(overridden && node_.IsScalar())) {
    fail(std::string("expected a map (key: value lines), found ") + type_name(node_));
  }
  return MapReader(*this);
}

std::vector<Node> Node::list() const {
  if (override_here() != nullptr) {
    fail("is a list; --set changes single values (use " + path_ + "[0].<key>=...)");
  }
  std::vector<Node> out;
  if (!node_.IsDefined() || node_.IsNull()) return out;
  if (!node_.IsSequence()) fail(std::string("expected a list, found ") + type_name(node_));
  const Location here = where();
  std::size_t i = 0;
  for (const YAML::Node& item : node_) {
    const std::string path = path_ + "[" + std::to_string(i++) + "]";
    if (overrides_ != nullptr) {
      if (const Overrides::Entry* r = overrides_->removal(path)) {  // path[i]=~: item removed
        r->used = true;
        continue;
      }
      if (const Overrides::Entry* t = overrides_->tree(path)) {  // path[i]={...}: replaced
        t->used = true;
        out.emplace_back(std::make_shared<const std::string>(t->loc.file), overrides_, t->tree,
                         path, t->loc);
        continue;
      }
    }
    out.emplace_back(file_, overrides_, item, path, here);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MapReader

namespace {

// The (key, key node, value) entries of a YAML map, its own keys first, then those it merges
// with `<<` (a map or a list of maps; earlier ones win, YAML 1.1 merge key type) that it does
// not write itself. Throws ScenarioError for a non-scalar or repeated key, or a bad merge.
void map_entries(const YAML::Node& y, const std::string& file, const std::string& path, int depth,
                 std::vector<std::tuple<std::string, YAML::Node, YAML::Node>>* out) {
  std::vector<YAML::Node> merges;
  const std::size_t own_start = out->size();
  for (auto it = y.begin(); it != y.end(); ++it) {
    const YAML::Node k = it->first;  // a copy: it-> returns a temporary proxy
    const YAML::Node v = it->second;
    const Location kl = mark_location(file, k.Mark());
    if (!k.IsScalar()) throw ScenarioError(kl, path, "map keys must be plain names");
    const std::string key = k.Scalar();
    if (key == "<<" && k.Tag() != "!") {  // a quoted "<<" is a plain key
      if (v.IsMap()) {
        merges.push_back(v);
      } else if (v.IsSequence()) {
        for (const YAML::Node& m : v) {
          if (!m.IsMap())
            throw ScenarioError(kl, path, "'<<' merges maps: every item must be a map (*anchor)");
          merges.push_back(m);
        }
      } else {
        throw ScenarioError(kl, path, "'<<' merges a map (<<: *anchor) or a list of maps");
      }
      continue;
    }
    for (std::size_t i = own_start; i < out->size(); ++i) {
      if (std::get<0>((*out)[i]) == key) {
        throw ScenarioError(kl, join(path, key),
                            "duplicate key (first defined at line " +
                                std::to_string(std::get<1>((*out)[i]).Mark().line + 1) + ")");
      }
    }
    out->emplace_back(key, k, v);
  }
  if (depth > 16 && !merges.empty())
    throw ScenarioError(mark_location(file, y.Mark()), path, "'<<' merges nest too deep");
  for (const YAML::Node& m : merges) {
    std::vector<std::tuple<std::string, YAML::Node, YAML::Node>> merged;
    map_entries(m, file, path, depth + 1, &merged);
    for (auto& e : merged) {
      bool have = false;
      for (std::size_t i = own_start; i < out->size() && !have; ++i)
        have = std::get<0>((*out)[i]) == std::get<0>(e);
      if (!have) out->push_back(std::move(e));
    }
  }
}

}  // namespace

MapReader::MapReader(const Node& n) : node_(n) {
  const YAML::Node& y = n.node_;
  if (!y.IsDefined() || !y.IsMap()) return;
  std::vector<std::tuple<std::string, YAML::Node, YAML::Node>> entries;
  map_entries(y, n.file(), n.path(), 0, &entries);
  for (auto& [key, key_node, value] : entries) file_keys_.push_back({key, key_node, value});
}

Node MapReader::child(std::string_view key) const {
  const std::string path = join(node_.path(), key);
  YAML::Node value;  // undefined when absent
  if (const Overrides::Entry* r =
          node_.overrides_ != nullptr ? node_.overrides_->removal(path) : nullptr) {
    for (const auto& fk : file_keys_) r->used = r->used || fk.key == key;
    return Node(node_.file_, node_.overrides_, value, path, node_.where());
  }
  if (const Overrides::Entry* t =
          node_.overrides_ != nullptr ? node_.overrides_->tree(path) : nullptr) {
    t->used = true;
    return Node(std::make_shared<const std::string>(t->loc.file), node_.overrides_, t->tree, path,
                t->loc);
  }
  for (const FileKey& fk : file_keys_) {
    if (fk.key == key) {
      value.reset(fk.value);  // reset(): assigning a YAML::Node would write through it
      break;
    }
  }
  return Node(node_.file_, node_.overrides_, value, path, node_.where());
}

bool MapReader::in_file(std::string_view key) const {
  for (const FileKey& fk : file_keys_) {
    if (fk.key == key) return true;
  }
  return false;
}

Node MapReader::get(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  return child(key);
}

Node MapReader::required(std::string_view key) {
  Node n = get(key);
  if (!n.present()) {
    // A misspelt key is the likeliest reason: report it as such ("replcas" for "replicas").
    const std::size_t limit = std::max<std::size_t>(2, key.size() / 3);
    for (const std::string& k : keys()) {
      if (std::find(known_.begin(), known_.end(), k) == known_.end() &&
          edit_distance(k, key) <= limit) {
        throw ScenarioError(key_location(k), join(node_.path(), k),
                            "unknown key; did you mean '" + std::string(key) + "'?");
      }
    }
    throw ScenarioError(node_.where(), n.path(), "required key is missing");
  }
  return n;
}

Location MapReader::key_location(std::string_view key) const {
  for (const FileKey& fk : file_keys_) {
    if (fk.key == key) return mark_location(node_.file(), fk.key_node.Mark());
  }
  if (node_.overrides_ != nullptr) {
    const std::string path = join(node_.path(), key);
    for (const auto& e : node_.overrides_->entries()) {
      if (e.path == path || e.path.compare(0, path.size() + 1, path + ".") == 0 ||
          e.path.compare(0, path.size() + 1, path + "[") == 0) {
        return e.loc;
      }
    }
  }
  return node_.where();
}

void MapReader::fail_key(std::string_view key, const std::string& message) const {
  throw ScenarioError(key_location(key), join(node_.path(), key), message);
}

std::vector<std::string> MapReader::keys() const {
  std::vector<std::string> out;
  for (const FileKey& fk : file_keys_) {
    const bool removed = node_.overrides_ != nullptr &&
                         node_.overrides_->removal(join(node_.path(), fk.key)) != nullptr;
    if (!removed) out.push_back(fk.key);
  }
  if (node_.overrides_ != nullptr) {
    for (std::string& k : node_.overrides_->children(node_.path())) {
      if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(std::move(k));
    }
  }
  return out;
}

void MapReader::finish() {
  for (const std::string& k : keys()) {
    if (std::find(known_.begin(), known_.end(), k) == known_.end()) {
      fail_key(k, "unknown key; " + suggest(k, known_, "valid keys here are"));
    }
  }
}

// ---------------------------------------------------------------------------------------------

namespace {
Node load(const std::string& name, const Overrides* overrides,
          const std::function<YAML::Node()>& parse) {
  auto file = std::make_shared<const std::string>(name);
  YAML::Node root;
  try {
    root = parse();
  } catch (const YAML::ParserException& e) {
    throw ScenarioError(mark_location(name, e.mark), "", "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw ScenarioError({name, 0, 0}, "", std::string("cannot read YAML: ") + e.what());
  }
  return Node(file, overrides, root, "", {name, 1, 1});
}
}  // namespace

Node load_yaml_text(const std::string& text, const std::string& name, const Overrides* overrides) {
  return load(name, overrides, [&] { return YAML::Load(text); });
}

Node load_yaml_file(const std::string& path, const Overrides* overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({path, 0, 0}, "", "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return load_yaml_text(ss.str(), path, overrides);
}

}  // namespace config
