// tests/bad_inputs/: every malformed scenario and sweep exits 2 with a located message that
// contains its expected fragment, in a separate process, and nothing crashes. Plus a very large
// file and random bytes made on the fly.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/spawn.h"

using namespace support;

namespace {

const std::string kDir = std::string(HCSIM_SOURCE_DIR) + "/tests/bad_inputs/";

struct Case {
  std::string file, kind, fragment;
};

std::vector<Case> catalogue() {
  std::vector<Case> out;
  std::ifstream in(kDir + "expected.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream ss(line);
    Case c;
    std::getline(ss, c.file, '\t');
    std::getline(ss, c.kind, '\t');
    std::getline(ss, c.fragment);
    out.push_back(c);
  }
  return out;
}

Result check(const TempDir& d, const std::string& path, bool sweep) {
  return sweep ? hcsim({"sweep", path, "--list", "--out", d / "x.sqlite"}, d)
               : hcsim({"validate", path}, d);
}

// The message names the file, then a line and a column: "file:12:5: ".
bool located(const std::string& err, const std::string& file) {
  for (std::size_t p = err.find(file + ":"); p != std::string::npos;
       p = err.find(file + ":", p + 1)) {
    std::size_t k = p + file.size() + 1;
    int fields = 0;
    while (fields < 2) {
      const std::size_t digits = k;
      while (k < err.size() && err[k] >= '0' && err[k] <= '9') ++k;
      if (k == digits || k >= err.size() || err[k] != ':') break;
      ++k;
      ++fields;
    }
    if (fields == 2 && k < err.size() && err[k] == ' ') return true;
  }
  return false;
}

}  // namespace

TEST_CASE("Bad inputs: each exits 2 with its location and the expected message") {
  const auto cases = catalogue();
  REQUIRE(cases.size() >= 40);
  TempDir d;
  for (const Case& c : cases) {
    INFO(c.file);
    const Result r = check(d, kDir + c.file, c.kind == "sweep");
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(located(r.err, c.file));
    CHECK(r.err.find(c.fragment) != std::string::npos);
    CHECK(r.err.find("terminate") == std::string::npos);
    CHECK_FALSE(fs::exists(d / "x.sqlite"));
  }
}

TEST_CASE("Bad inputs: a very large file with its mistake at the end is found and located") {
  TempDir d;
  // 200,000 narration lines (about 20 MB), then an unknown key.
  {
    std::ifstream base(kDir + "replicas-negative.yaml");
    std::stringstream ss;
    ss << base.rdbuf();
    std::string text = ss.str();
    text.replace(text.find("replicas: -1"), 12, "replicas: 4");
    std::ofstream out(d / "large.yaml");
    out << text << "narration:\n";
    for (int i = 0; i < 200000; ++i)
      out << "  - {at: " << i << "ms, text: \"line " << i << std::string(80, 'x') << "\"}\n";
    out << "colour: blue\n";
  }
  const Result r = hcsim({"validate", d / "large.yaml"}, d);
  INFO(r.err.substr(0, 300));
  CHECK(r.code == 2);
  CHECK(r.err.find("large.yaml:200023:1: colour: unknown key") != std::string::npos);
}

TEST_CASE("Bad inputs: random bytes never crash the loader") {
  TempDir d;
  std::mt19937 rng(12345);
  for (int k = 0; k < 20; ++k) {
    std::string bytes(static_cast<std::size_t>(1 + rng() % 4096), '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % (k % 2 == 0 ? 256 : 96) + (k % 2 ? 32 : 0));
    std::ofstream(d / "r.yaml", std::ios::binary) << bytes;
    const Result r = hcsim({"validate", d / "r.yaml"}, d);
    INFO("sample " << k << ": " << r.err);
    CHECK(r.code == 2);
    CHECK(located(r.err, "r.yaml"));
  }
}
