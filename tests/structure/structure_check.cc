// tests/structure/structure_check.cc: the size rules of the product's code (docs/architecture.md):
// no function body longer than 100 lines, and no folder with more than 12 .cc files.
//
//   structure_check [--max-lines N] [--max-files N] [--list N] DIR...
//
// Walks each DIR recursively (.cc and .h files), finds function bodies with a small C++ lexer
// (comments, string and character literals, raw strings and preprocessor lines are skipped) and
// prints "file:line: name is N lines (limit M)" for each body over the limit, and one line per
// folder over the file limit. `--list N` prints the N longest functions and the fullest folders
// whatever the limits (for the closing notes). Exit 1 when a rule is broken, 2 on bad arguments.
//
// What counts as a function body: a `{` at namespace or class scope that follows `)`, `}` (a
// constructor's brace initialiser), `const`, `override`, `final`, `noexcept`, `mutable`, or a
// trailing return type. Lambdas and local classes inside a function count toward that function.
// A body's length is the number of lines from its `{` to its `}`, both included.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Token {
  std::string text;
  int line = 0;
};

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Splits C++ source into identifiers, numbers and one-character punctuators, dropping comments,
// literals (replaced by a placeholder token) and preprocessor lines.
std::vector<Token> lex(const std::string& s) {
  std::vector<Token> out;
  int line = 1;
  bool line_start = true;
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto skip_to_eol = [&] {
    while (i < n && s[i] != '\n') {
      if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n') {
        ++line;
        ++i;
      }
      ++i;
    }
  };
  while (i < n) {
    const char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
      line_start = true;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (line_start && c == '#') {
      skip_to_eol();
      continue;
    }
    line_start = false;
    if (c == '/' && i + 1 < n && s[i + 1] == '/') {
      skip_to_eol();
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      i += 2;
      while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/')) line += s[i++] == '\n';
      i += 2;
      continue;
    }
    if (c == 'R' && i + 1 < n && s[i + 1] == '"') {  // raw string R"delim( ... )delim"
      const std::size_t open = s.find('(', i + 2);
      const std::string end = ")" + s.substr(i + 2, open - i - 2) + "\"";
      const std::size_t close = s.find(end, open);
      const int at = line;
      for (std::size_t k = i; k < close && k < n; ++k) line += s[k] == '\n';
      i = close == std::string::npos ? n : close + end.size();
      out.push_back({"\"\"", at});
      continue;
    }
    if (c == '"' || c == '\'') {
      // A quote inside a number (1'000'000) is a digit separator, not a literal.
      if (c == '\'' && !out.empty() &&
          std::isdigit(static_cast<unsigned char>(out.back().text[0])) && i > 0 &&
          ident_char(s[i - 1])) {
        ++i;
        continue;
      }
      const int at = line;
      ++i;
      while (i < n && s[i] != c) {
        if (s[i] == '\\')
          ++i;
        else if (s[i] == '\n')
          ++line;
        ++i;
      }
      ++i;
      out.push_back({c == '"' ? "\"\"" : "''", at});
      continue;
    }
    if (ident_char(c)) {
      const std::size_t b = i;
      while (i < n && (ident_char(s[i]) || (s[i] == '\'' && i + 1 < n && ident_char(s[i + 1]))))
        ++i;
      out.push_back({s.substr(b, i - b), line});
      continue;
    }
    out.push_back({std::string(1, c), line});
    ++i;
  }
  return out;
}

struct Function {
  std::string file;
  std::string name;
  int line = 0;
  int lines = 0;
};

bool is_one_of(const std::string& t, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (t == w) return true;
  return false;
}

// Scope kinds on the brace stack.
enum class Scope { kNamespace, kClass, kData, kFunction };

// The functions in one file.
std::vector<Function> functions_of(const std::string& file, const std::string& text) {
  const std::vector<Token> toks = lex(text);
  std::vector<Function> out;
  std::vector<Scope> stack;
  std::vector<std::size_t> open_at;  // token index of each open brace
  std::size_t stmt_start = 0;        // first token of the current declaration at this scope
  auto at_scope_level = [&] {
    return stack.empty() || stack.back() == Scope::kNamespace || stack.back() == Scope::kClass;
  };
  for (std::size_t i = 0; i < toks.size(); ++i) {
    const std::string& t = toks[i].text;
    if (t == "{") {
      Scope kind = Scope::kData;
      if (!at_scope_level()) {
        kind = stack.empty()                      ? Scope::kData
               : stack.back() == Scope::kFunction ? Scope::kFunction
                                                  : Scope::kData;
      } else {
        bool type_decl = false, ns = false, arrow = false, assign = false;
        int parens = 0;
        for (std::size_t k = stmt_start; k < i; ++k) {
          const std::string& w = toks[k].text;
          if (w == "(") ++parens;
          if (w == ")") --parens;
          if (parens > 0) continue;
          if (w == "namespace" || (w == "extern" && k + 1 < i && toks[k + 1].text == "\"\""))
            ns = true;
          if (is_one_of(w, {"class", "struct", "union", "enum"})) type_decl = true;
          if (w == "-" && k + 1 < i && toks[k + 1].text == ">") arrow = true;
          if (w == "=" && !(k > 0 && is_one_of(toks[k - 1].text, {"operator", "=", "!", "<", ">"})))
            assign = true;
        }
        const std::string prev = i > 0 ? toks[i - 1].text : "";
        const bool body_follows =
            is_one_of(prev, {")", "const", "override", "final", "noexcept", "mutable", "}"}) ||
            arrow;
        if (ns) {
          kind = Scope::kNamespace;
        } else if (type_decl && !body_follows) {
          kind = prev == "=" ? Scope::kData : Scope::kClass;
          // "enum class X {" is data, "struct X {" holds members.
          for (std::size_t k = stmt_start; k < i; ++k)
            if (toks[k].text == "enum") kind = Scope::kData;
        } else if (body_follows && !assign) {
          kind = Scope::kFunction;
        }
      }
      stack.push_back(kind);
      open_at.push_back(i);
      if (at_scope_level()) stmt_start = i + 1;
      continue;
    }
    if (t == "}") {
      if (stack.empty()) continue;  // unbalanced (macro tricks): ignore
      const Scope kind = stack.back();
      const std::size_t open = open_at.back();
      stack.pop_back();
      open_at.pop_back();
      if (kind == Scope::kFunction && at_scope_level()) {
        // The name: the identifier before the first '(' of the declaration.
        std::string name = "?";
        for (std::size_t k = stmt_start; k < open; ++k) {
          if (toks[k].text == "(" && k > 0) {
            std::size_t e = k - 1;
            name = toks[e].text;
            // Qualified names and operators: Class::name, operator()
            while (e >= 2 && toks[e - 1].text == ":" && toks[e - 2].text == ":" && e >= 3) {
              name = toks[e - 3].text + "::" + name;
              e -= 3;
            }
            break;
          }
        }
        out.push_back({file, name, toks[open].line, toks[i].line - toks[open].line + 1});
      }
      if (at_scope_level()) stmt_start = i + 1;
      continue;
    }
    if (at_scope_level() &&
        (t == ";" ||
         (t == ":" && i > 0 && is_one_of(toks[i - 1].text, {"public", "private", "protected"})))) {
      stmt_start = i + 1;
    }
  }
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  int max_lines = 100, max_files = 12, list = 0;
  std::vector<std::string> dirs;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if ((arg == "--max-lines" || arg == "--max-files" || arg == "--list") && a + 1 < argc) {
      const int v = std::atoi(argv[++a]);
      (arg == "--max-lines" ? max_lines : arg == "--max-files" ? max_files : list) = v;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr,
                   "usage: structure_check [--max-lines N] [--max-files N] [--list N] DIR...\n");
      return 2;
    } else {
      dirs.push_back(arg);
    }
  }
  if (dirs.empty()) {
    std::fprintf(stderr, "structure_check: no folder given\n");
    return 2;
  }
  std::vector<Function> all;
  std::map<std::string, int> cc_per_folder;
  for (const std::string& d : dirs) {
    if (!fs::is_directory(d)) {
      std::fprintf(stderr, "structure_check: %s is not a folder\n", d.c_str());
      return 2;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(d))
      if (e.is_regular_file() && (e.path().extension() == ".cc" || e.path().extension() == ".h"))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      if (f.extension() == ".cc") ++cc_per_folder[f.parent_path().string()];
      for (Function& fn : functions_of(f.string(), read(f))) all.push_back(std::move(fn));
    }
  }
  int broken = 0;
  for (const Function& f : all) {
    if (f.lines > max_lines) {
      std::printf("%s:%d: %s is %d lines (limit %d)\n", f.file.c_str(), f.line, f.name.c_str(),
                  f.lines, max_lines);
      ++broken;
    }
  }
  for (const auto& [folder, count] : cc_per_folder) {
    if (count > max_files) {
      std::printf("%s: %d .cc files (limit %d)\n", folder.c_str(), count, max_files);
      ++broken;
    }
  }
  if (list > 0) {
    std::vector<Function> sorted = all;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Function& a, const Function& b) { return a.lines > b.lines; });
    std::printf("longest functions:\n");
    for (int k = 0; k < list && k < static_cast<int>(sorted.size()); ++k)
      std::printf("  %4d  %s:%d %s\n", sorted[k].lines, sorted[k].file.c_str(), sorted[k].line,
                  sorted[k].name.c_str());
    std::vector<std::pair<int, std::string>> folders;
    for (const auto& [folder, count] : cc_per_folder) folders.emplace_back(count, folder);
    std::stable_sort(folders.begin(), folders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::printf("fullest folders (.cc files):\n");
    for (int k = 0; k < list && k < static_cast<int>(folders.size()); ++k)
      std::printf("  %4d  %s\n", folders[k].first, folders[k].second.c_str());
  }
  std::printf("%zu functions checked, %d over the limits\n", all.size(), broken);
  return broken ? 1 : 0;
}
