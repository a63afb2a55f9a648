// store/sqlite.h: thin RAII wrappers over the SQLite C API (a connection, a prepared
// statement, a transaction). Errors throw DbError with SQLite's message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace store {

class DbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Db {
 public:
  enum class Mode { kReadOnly, kReadWrite, kCreate };
  // Opens the database file (kCreate: creating it when missing). Throws DbError.
  Db(const std::string& path, Mode mode);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const std::string& sql);
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Stmt {
 public:
  Stmt(const Db& db, const std::string& sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }

  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, double v);  // NaN binds NULL
  Stmt& bind(int i, std::string_view v);
  Stmt& bind_blob(int i, std::span<const unsigned char> v);
  Stmt& bind_null(int i);
  Stmt& bind(int i, const std::optional<int64_t>& v) { return v ? bind(i, *v) : bind_null(i); }
  // Steps once; true when a row is available.
  bool step();
  // Steps to completion and resets for reuse.
  void run();
  void reset();
  int column_count() const { return sqlite3_column_count(stmt_); }
  bool is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  bool is_real(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_FLOAT; }
  int64_t int64(int i) const { return sqlite3_column_int64(stmt_, i); }
  double real(int i) const { return sqlite3_column_double(stmt_, i); }
  std::string text(int i) const;
  std::string column_name(int i) const { return sqlite3_column_name(stmt_, i); }
  std::span<const unsigned char> blob(int i) const;

 private:
  const Db* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN ... COMMIT; rolls back if destroyed without commit().
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool open_ = true;
};

}  // namespace store
