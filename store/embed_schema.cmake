# Writes a C++ source defining store::results_schema_sql() with the text of results/schema.sql.
file(READ ${IN} SQL)
file(WRITE ${OUT} "// Generated from results/schema.sql; do not edit.\n#include <string>\n"
  "namespace store {\nconst std::string& results_schema_sql() {\n"
  "  static const std::string kSql = R\"hcsimsql(${SQL})hcsimsql\";\n  return kSql;\n}\n}  // namespace store\n")
