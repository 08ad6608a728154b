#pragma once
// RAII wrappers over the SQLite C API (private to the warehouse).

#include <sqlite3.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "nbaprops/core/error.hpp"

namespace nbaprops::sqlite_detail {

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};

/// Throws StorageError with the SQLite message; busy/locked errors are marked
/// transient.
[[noreturn]] inline void raise(sqlite3* db, int rc, const std::string& what) {
  std::string msg = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  bool transient = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
  throw StorageError(msg, transient);
}

/// One prepared statement.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr);
    if (rc != SQLITE_OK) raise(db, rc, "prepare '" + sql.substr(0, 200) + "'");
    stmt_.reset(s);
  }
  sqlite3_stmt* get() const noexcept { return stmt_.get(); }
  /// @return true when a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    raise(db_, rc, "step");
  }
  void reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
  }

 private:
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

/// One connection with every dataset attached.
class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* get() const noexcept { return db_.get(); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string m = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      bool transient = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
      throw StorageError("sqlite: " + m + " (in: " + sql.substr(0, 200) + ")", transient);
    }
  }
  /// The statement for @p sql, prepared once per connection and kept: the
  /// per-unit writes run the same few statements thousands of times. Returned
  /// reset, with no bindings (a step that threw earlier left it mid-way).
  Statement& prepared(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) it = statements_.emplace(sql, std::make_unique<Statement>(db_.get(), sql)).first;
    it->second->reset();
    return *it->second;
  }

 private:
  std::unique_ptr<sqlite3, DbCloser> db_;
  /// Declared after db_, so finalized before the connection closes.
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

/// BEGIN … COMMIT, rolled back by the destructor unless committed. Deferred:
/// SQLite takes each attached file's write lock at the transaction's first
/// write to it (BEGIN IMMEDIATE would lock every attached file at once, so
/// writers of different files would wait for each other). The warehouse's
/// per-file mutexes order the writers of one file.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) { c_.exec("BEGIN"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(c_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    c_.exec("COMMIT");
    done_ = true;
  }

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace nbaprops::sqlite_detail
