#include "cli/results_file.h"

#include <cstdio>
#include <filesystem>

namespace cli {

namespace {
std::string& command_line_text() {
  static std::string text = "hcsim";
  return text;
}

std::string runs_text(int64_t n) {
  return std::to_string(n) + " completed run" + (n == 1 ? "" : "s");
}
}  // namespace

void set_command_line(int argc, char** argv) {
  std::string text;
  for (int i = 0; i < argc; ++i) {
    std::string a = i == 0 ? std::string("hcsim") : std::string(argv[i]);
    for (char& c : a) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    if (a.empty() || a.find(' ') != std::string::npos) a = "'" + a + "'";
    text += (i > 0 ? " " : "") + a;
    if (text.size() > 400) {
      text += " ...";
      break;
    }
  }
  command_line_text() = text;
}

const std::string& command_line() { return command_line_text(); }

std::unique_ptr<store::WriterLock> lock_results(const std::string& path, const char* who) {
  try {
    std::error_code ec;
    const std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    return std::make_unique<store::WriterLock>(path, command_line());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", who, e.what());
    return nullptr;
  }
}

bool may_replace(const std::string& path, const Replacement& with, bool force, bool quiet,
                 const char* who) {
  const store::Holdings h = store::inspect_results(path);
  if (!h.exists) return true;
  std::string held;  // what would be lost, when it is not earlier results of the same work
  if (!h.is_results) {
    held = "is not an hcsim results file";
  } else if (h.runs > 0) {
    if (!with.sweep_name.empty() && h.sweep_name != with.sweep_name) {
      held = h.sweep_name.empty() ? "holds runs of " + h.scenarios + " (" + runs_text(h.completed) +
                                        "), not of sweep '" + with.sweep_name + "'"
                                  : "holds sweep '" + h.sweep_name + "' (" +
                                        runs_text(h.completed) + "), not '" + with.sweep_name + "'";
    } else if (with.sweep_name.empty() && !h.sweep_name.empty()) {
      held = "holds sweep '" + h.sweep_name + "' (" + runs_text(h.completed) + ")";
    } else if (with.sweep_name.empty() && h.scenarios != with.scenario) {
      held = "holds runs of " + h.scenarios + " (" + runs_text(h.completed) + "), not of '" +
             with.scenario + "'";
    }
  }
  if (!held.empty() && !force) {
    std::fprintf(stderr,
                 "%s: %s %s: not replaced. Write elsewhere with --out, or add --force to replace "
                 "it.\n",
                 who, path.c_str(), held.c_str());
    return false;
  }
  if (quiet) return true;
  if (!held.empty()) {
    std::fprintf(stderr, "%s: replacing %s, which %s (--force)\n", who, path.c_str(), held.c_str());
  } else if (!with.sweep_name.empty() && h.completed > 0) {
    std::fprintf(stderr, "%s: replacing %s in %s (%s)\n", who, runs_text(h.completed).c_str(),
                 path.c_str(),
                 h.sweep_hash == with.sweep_hash ? "--resume keeps them"
                                                 : "from another version of this sweep");
  }
  return true;
}

}  // namespace cli
