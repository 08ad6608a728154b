// The VFS that gathers a write-ahead log's writes (warehouse/sqlite_wal_vfs.hpp):
// every commit is in the log file when it returns, for connections of any VFS
// and for a process that ends at once; spilled and rolled-back transactions
// leave a sound database.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "test_util.hpp"
#include "warehouse/sqlite_internal.hpp"
#include "warehouse/sqlite_wal_vfs.hpp"

namespace {

using nbaprops::sqlite_detail::Connection;
using nbaprops::sqlite_detail::gathering_wal_vfs;
using nbaprops::sqlite_detail::Statement;
using nbaprops::testing::TempDir;

/// A connection in WAL mode through @p vfs (null: SQLite's default VFS).
std::unique_ptr<Connection> open_wal(const std::filesystem::path& file, const char* vfs) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
  auto c = std::make_unique<Connection>(raw);  // closes it on a failed open too
  if (rc != SQLITE_OK) throw std::runtime_error("open " + file.string() + ": " + sqlite3_errstr(rc));
  c->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
  return c;
}

/// The first column of the first row of @p sql as text ("" for none).
std::string one(Connection& c, const std::string& sql) {
  Statement st(c.get(), sql);
  if (!st.step()) return "";
  const unsigned char* text = sqlite3_column_text(st.get(), 0);
  return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

/// Frames in a log of @p bytes, or -1 when it does not end at a frame's end.
int64_t frames_in(uintmax_t bytes, int page = 4096) {
  if (bytes == 0) return 0;
  if (bytes < 32 || (bytes - 32) % (page + 24) != 0) return -1;
  return static_cast<int64_t>((bytes - 32) / (page + 24));
}

TEST(WalVfs, IsRegisteredUnderItsOwnName) {
  const char* name = gathering_wal_vfs();
  ASSERT_NE(name, nullptr);
  EXPECT_STREQ(name, "nbaprops-wal");
  EXPECT_NE(sqlite3_vfs_find(name), nullptr);
  EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(name)) << "it must not become SQLite's default VFS";
  EXPECT_EQ(gathering_wal_vfs(), name);  // registered once
}

// Files open through SQLite's default VFS of the moment, as they would
// without this one: a default registered later (a test's failing disk, an
// application's own VFS) sees every open.
TEST(WalVfs, OpensThroughTheDefaultVfsOfTheMoment) {
  static sqlite3_vfs* before = sqlite3_vfs_find(nullptr);
  static int opened = 0;
  static sqlite3_vfs counting = *before;
  counting.zName = "nbaprops_test_counting";
  counting.xOpen = [](sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out) {
    ++opened;
    return before->xOpen(before, name, f, flags, out);
  };
  ASSERT_NE(gathering_wal_vfs(), nullptr);
  ASSERT_EQ(sqlite3_vfs_register(&counting, 1), SQLITE_OK);
  TempDir dir;
  {
    auto db = open_wal(dir.path() / "t.sqlite", gathering_wal_vfs());
    db->exec("CREATE TABLE t(i); INSERT INTO t VALUES (1)");
    EXPECT_GE(opened, 2);  // the database and its log
  }
  sqlite3_vfs_register(before, 1);  // the default again
  sqlite3_vfs_unregister(&counting);
  const int seen = opened;
  auto db = open_wal(dir.path() / "t.sqlite", gathering_wal_vfs());
  EXPECT_EQ(one(*db, "SELECT count(*) FROM t"), "1");
  EXPECT_EQ(opened, seen);
}

// Two writers through the VFS take turns with a reader on SQLite's default VFS:
// each commit, small or many pages, is read by the others at once, and the log
// on disk always ends at a whole frame.
TEST(WalVfs, EveryCommitIsInTheLogWhenItReturns) {
  TempDir dir;
  const auto file = dir.path() / "t.sqlite";
  auto a = open_wal(file, gathering_wal_vfs());
  auto b = open_wal(file, gathering_wal_vfs());
  auto reader = open_wal(file, nullptr);
  a->exec("CREATE TABLE t(i INTEGER, payload BLOB)");
  int64_t expected_bytes = 0;
  for (int i = 1; i <= 120; ++i) {
    Connection& writer = i % 2 ? *a : *b;
    // Every seventh commit writes about 60 pages, the others one or two.
    const int bytes = i % 7 == 0 ? 240000 : 100 + i;
    writer.exec("BEGIN; INSERT INTO t VALUES (" + std::to_string(i) + ", randomblob(" + std::to_string(bytes) +
                ")); COMMIT");
    expected_bytes += bytes;
    ASSERT_EQ(one(*reader, "SELECT count(*) FROM t"), std::to_string(i)) << "commit " << i;
    ASSERT_EQ(one(*reader, "SELECT sum(length(payload)) FROM t"), std::to_string(expected_bytes)) << "commit " << i;
    ASSERT_EQ(one(writer, "SELECT count(*) FROM t"), std::to_string(i));
    ASSERT_GT(frames_in(std::filesystem::file_size(dir.path() / "t.sqlite-wal")), 0) << "commit " << i;
  }
  EXPECT_EQ(one(*reader, "PRAGMA integrity_check"), "ok");
  // The log restarts after a checkpoint that copied it all; the next commit
  // writes the log's header and frames from its start again.
  EXPECT_EQ(one(*reader, "PRAGMA wal_checkpoint(TRUNCATE)"), "0");
  EXPECT_EQ(std::filesystem::file_size(dir.path() / "t.sqlite-wal"), 0U);
  a->exec("INSERT INTO t VALUES (0, x'00')");
  EXPECT_EQ(frames_in(std::filesystem::file_size(dir.path() / "t.sqlite-wal")), 1);  // the table's last leaf
  EXPECT_EQ(one(*reader, "SELECT count(*) FROM t"), "121");
  EXPECT_EQ(one(*b, "SELECT count(*) FROM t"), "121");
}

// A transaction larger than the page cache spills pages to the log before it
// commits (frames rewritten, checksums re-read), more than the VFS gathers at
// once; rolled back, it leaves nothing; committed, all of it.
TEST(WalVfs, TransactionsThatSpillRollBackAndCommitWhole) {
  TempDir dir;
  const auto file = dir.path() / "t.sqlite";
  auto w = open_wal(file, gathering_wal_vfs());
  auto reader = open_wal(file, nullptr);
  w->exec("PRAGMA cache_size=20");
  w->exec("CREATE TABLE t(i INTEGER PRIMARY KEY, payload BLOB); CREATE INDEX t_p ON t(payload)");
  const std::string fill =
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
      "INSERT INTO t SELECT i, randomblob(2000) FROM n";
  w->exec("BEGIN; " + fill);
  w->exec("UPDATE t SET payload = randomblob(2100) WHERE i % 3 = 0");  // pages spilled, then written again
  w->exec("ROLLBACK");
  EXPECT_EQ(one(*reader, "SELECT count(*) FROM t"), "0");
  EXPECT_EQ(one(*w, "SELECT count(*) FROM t"), "0");
  w->exec("BEGIN; " + fill);
  w->exec("UPDATE t SET payload = randomblob(2100) WHERE i % 3 = 0");
  w->exec("COMMIT");
  EXPECT_EQ(one(*reader, "SELECT count(*) FROM t"), "3000");
  EXPECT_EQ(one(*reader, "SELECT sum(length(payload)) FROM t"), std::to_string(2000 * 2000 + 1000 * 2100));
  EXPECT_EQ(one(*reader, "PRAGMA integrity_check"), "ok");
  EXPECT_GT(frames_in(std::filesystem::file_size(dir.path() / "t.sqlite-wal")), 1000);
}

// A process that ends at once (no close, no destructor) after its commits
// returned leaves every one of them in the files.
TEST(WalVfs, CommitsOutliveAProcessThatEndsAtOnce) {
  TempDir dir;
  const auto file = dir.path() / "t.sqlite";
  {
    auto setup = open_wal(file, nullptr);
    setup->exec("CREATE TABLE t(i INTEGER, payload BLOB)");
  }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, gathering_wal_vfs()) != SQLITE_OK) _exit(2);
    const char* sql =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "INSERT INTO t VALUES (1, randomblob(50)); INSERT INTO t VALUES (2, randomblob(300000)); "
        "BEGIN; INSERT INTO t VALUES (3, randomblob(10)); COMMIT; "
        "BEGIN; INSERT INTO t VALUES (4, randomblob(10));";  // left open: not committed
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) _exit(3);
    _exit(0);  // no close: what SQLite left in the VFS stays there
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto reader = open_wal(file, nullptr);
  EXPECT_EQ(one(*reader, "SELECT group_concat(i) FROM (SELECT i FROM t ORDER BY i)"), "1,2,3");
  EXPECT_EQ(one(*reader, "SELECT sum(length(payload)) FROM t"), "300060");
  EXPECT_EQ(one(*reader, "PRAGMA integrity_check"), "ok");
}

}  // namespace
