// store/files.h: writing output files so that a reader never sees half of one.
#pragma once

#include <string>

namespace store {

// Writes `text` to `path` atomically: a temporary file next to it, renamed into place. Creates
// missing parent folders. Throws std::runtime_error (or std::filesystem::filesystem_error).
void write_file_atomically(const std::string& path, const std::string& text);

// The current time as ISO 8601 UTC ("2026-11-30T10:40:02Z"), for run and lock records.
std::string utc_now();

}  // namespace store
