#pragma once
// RAII wrappers over the SQLite C API (private to the warehouse).

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

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
  /// @return the attached files whose WAL reached the threshold at a commit
  /// of this connection since the last call, each with the most frames its
  /// log held at one (see defer_checkpoints).
  std::map<std::string, int> take_due_checkpoints() { return std::exchange(checkpoint_due_, {}); }
  /// Instead of SQLite's automatic checkpoint, which runs inside the COMMIT
  /// that fills the WAL (holding every file's write lock the transaction
  /// took), notes each file whose WAL holds @p pages at a commit and leaves
  /// its checkpoint to the warehouse's background checkpointer
  /// (take_due_checkpoints).
  void defer_checkpoints(int pages) {
    wal_pages_ = pages;
    sqlite3_wal_hook(db_.get(), &Connection::on_wal_commit, this);
  }

  /// The statement for @p sql, prepared once per connection and kept: the
  /// per-unit writes run the same few statements thousands of times. Returned
  /// reset, with no bindings (a step that threw earlier left it mid-way).
  Statement& prepared(const std::string& sql) { return prepared_as(sql, sql); }
  /// prepared() kept under a short @p name (find_prepared finds it).
  Statement& prepared_as(const std::string& name, const std::string& sql) {
    auto it = statements_.find(name);
    if (it == statements_.end()) it = statements_.emplace(name, std::make_unique<Statement>(db_.get(), sql)).first;
    it->second->reset();
    return *it->second;
  }
  /// A yes/no fact about a file's schema, kept with the file's schema version
  /// it was read at (overwrite_partition: whether a table has triggers or a
  /// unique index); a different version means it must be read again.
  std::pair<int64_t, bool>& schema_fact(const std::string& key) { return schema_facts_[key]; }
  /// How many kept statements have a name starting with @p prefix.
  [[nodiscard]] size_t count_prepared(const std::string& prefix) const {
    return static_cast<size_t>(std::count_if(statements_.begin(), statements_.end(),
                                             [&](const auto& kept) { return kept.first.starts_with(prefix); }));
  }
  /// The statement kept under @p name, reset, or nullptr.
  Statement* find_prepared(const std::string& name) {
    auto it = statements_.find(name);
    if (it == statements_.end()) return nullptr;
    it->second->reset();
    return it->second.get();
  }

 private:
  static int on_wal_commit(void* self, sqlite3* /*db*/, const char* name, int frames) {
    auto* c = static_cast<Connection*>(self);
    if (frames >= c->wal_pages_) {
      int& most = c->checkpoint_due_[name];
      most = std::max(most, frames);
    }
    return SQLITE_OK;
  }

  std::unique_ptr<sqlite3, DbCloser> db_;
  int wal_pages_ = 0;
  std::map<std::string, int> checkpoint_due_;  ///< file → most frames its log held
  /// Declared after db_, so finalized before the connection closes.
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
  std::unordered_map<std::string, std::pair<int64_t, bool>> schema_facts_;  ///< schema_fact: key → (version, fact)
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
  /// Ends the transaction now (after a failed COMMIT, SQLite may have ended
  /// it already; that is not an error).
  void rollback() noexcept {
    if (!done_) sqlite3_exec(c_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    done_ = true;
  }

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace nbaprops::sqlite_detail
