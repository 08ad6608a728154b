// sqlite_file: records decoded straight from the pages equal what SQLite
// returns, and every layout it does not read raises FileLayoutUnsupported.
#include "nbaprops/warehouse/sqlite_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "test_util.hpp"
#include "warehouse/sqlite_internal.hpp"

using namespace nbaprops;
using nbaprops::sqlite_file::Field;
using nbaprops::sqlite_file::FileLayoutUnsupported;
using nbaprops::sqlite_file::LeafCursor;
using nbaprops::sqlite_file::PinnedTable;
using nbaprops::testing::TempDir;

namespace {

using Value = std::variant<std::monostate, int64_t, double, std::string>;
using Rows = std::vector<std::vector<Value>>;

std::unique_ptr<sqlite_detail::Connection> connect(const std::filesystem::path& file) {
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  return std::make_unique<sqlite_detail::Connection>(raw);
}

/// Every row of @p table as SQLite returns it (storage classes, rowid order).
Rows via_sqlite(sqlite_detail::Connection& c, const std::string& table) {
  sqlite_detail::Statement st(c.get(), "SELECT * FROM " + table + " ORDER BY rowid");
  Rows out;
  while (st.step()) {
    std::vector<Value> row;
    for (int i = 0; i < sqlite3_column_count(st.get()); ++i) {
      switch (sqlite3_column_type(st.get(), i)) {
        case SQLITE_INTEGER:
          row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(st.get(), i)));
          break;
        case SQLITE_FLOAT:
          row.emplace_back(sqlite3_column_double(st.get(), i));
          break;
        case SQLITE_TEXT:
          row.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), i)),
                                       static_cast<size_t>(sqlite3_column_bytes(st.get(), i))));
          break;
        default:
          row.emplace_back(std::monostate{});
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

Value value_of(const Field& f) {
  switch (f.kind) {
    case Field::Kind::kInt:
      return f.i;
    case Field::Kind::kReal:
      return f.r;
    case Field::Kind::kText:
    case Field::Kind::kBlob:
      return std::string(f.s);
    default:
      return std::monostate{};
  }
}

/// The rows of leaves [first, last) decoded from the pages (@p fields leading
/// fields each).
Rows via_pages(const PinnedTable& t, size_t first, size_t last, size_t fields) {
  Rows out;
  LeafCursor cur(t, t.leaves().data() + first, t.leaves().data() + last, fields);
  while (cur.next()) {
    std::vector<Value> row;
    for (size_t i = 0; i < fields; ++i) row.push_back(value_of(cur.field(i)));
    out.push_back(std::move(row));
  }
  return out;
}

Rows via_pages(const PinnedTable& t, size_t fields) { return via_pages(t, 0, t.leaves().size(), fields); }

/// A REAL column's integral values are stored as integers; SQLite hands them
/// back as floats, the reader as the stored integer.
void as_real(Rows& rows, size_t col) {
  for (auto& r : rows) {
    if (const auto* i = std::get_if<int64_t>(&r[col])) r[col] = static_cast<double>(*i);
  }
}

/// A cursor over every leaf of @p t.
LeafCursor whole(const PinnedTable& t, size_t fields) {
  return LeafCursor(t, t.leaves().data(), t.leaves().data() + t.leaves().size(), fields);
}

/// Whether another process finds a lock on @p file: a forked child asks for a
/// write lock over the whole file (what a closing SQLite connection does before
/// it checkpoints and deletes the log), which any lock of this process blocks.
/// The child uses its own descriptor and no SQLite, and only async-signal-safe
/// calls.
bool locked_for_other_processes(const std::filesystem::path& file) {
  const pid_t child = fork();
  if (child == 0) {
    const int fd = ::open(file.c_str(), O_RDWR);
    struct flock want{};
    want.l_type = F_WRLCK;
    want.l_whence = SEEK_SET;
    const bool locked = fd >= 0 && fcntl(fd, F_GETLK, &want) == 0 && want.l_type != F_UNLCK;
    _exit(locked ? 0 : 1);
  }
  int status = 0;
  EXPECT_GT(child, 0);
  EXPECT_EQ(waitpid(child, &status, 0), child);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// Each test: a fresh database file in a temporary directory.
class SqliteFile : public ::testing::Test {
 protected:
  /// A connection to the file, after running @p setup on it.
  sqlite_detail::Connection& open(const std::string& setup) {
    db_ = connect(file_);
    db_->exec(setup);
    return *db_;
  }

  TempDir dir_;
  std::filesystem::path file_ = dir_.path() / "d.sqlite";
  std::unique_ptr<sqlite_detail::Connection> db_;
};

}  // namespace

TEST_F(SqliteFile, RecordsDecodeLikeSqliteAcrossAMultiLevelTree) {
  // Small pages: a three-level tree from a few thousand rows; the log is not
  // checkpointed automatically, so PinnedTable must copy it into the file.
  auto* c = &open(
      "PRAGMA page_size=512; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
      "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b INTEGER)");
  const int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  const std::vector<int64_t> ints{0,
                                  1,
                                  -1,
                                  127,
                                  128,
                                  -128,
                                  -129,
                                  32767,
                                  32768,
                                  -32769,
                                  8388607,
                                  -8388609,
                                  2147483647,
                                  -2147483649,
                                  140737488355327,
                                  -140737488355329,
                                  kMin,
                                  kMax};
  c->exec("BEGIN");
  {
    sqlite_detail::Statement ins(c->get(), "INSERT INTO t VALUES (?, ?, ?, ?)");
    for (int k = 0; k < 4000; ++k) {
      const int64_t v = ints[static_cast<size_t>(k) % ints.size()];
      if (k % 7 == 3) {
        sqlite3_bind_null(ins.get(), 1);
      } else {
        sqlite3_bind_int64(ins.get(), 1, v);
      }
      if (k % 5 == 0) {
        sqlite3_bind_null(ins.get(), 2);
      } else {
        sqlite3_bind_double(ins.get(), 2, k % 3 == 0 ? k : k / 7.0 - 100);  // integral: stored as an integer
      }
      const std::string text = k % 11 == 0 ? "" : "h\xc3\xa9llo " + std::string(static_cast<size_t>(k % 97), 'x');
      if (k % 13 == 0) {
        sqlite3_bind_null(ins.get(), 3);
      } else {
        sqlite3_bind_text(ins.get(), 3, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      }
      sqlite3_bind_int64(ins.get(), 4, k % 2);
      ins.step();
      ins.reset();
    }
  }
  c->exec("COMMIT");
  c->exec("DELETE FROM t WHERE rowid % 9 = 0");  // free space inside pages
  Rows expect = via_sqlite(*c, "t");
  as_real(expect, 1);

  const PinnedTable t(file_, "t");
  ASSERT_GT(t.leaves().size(), 100u);
  EXPECT_EQ(t.field_of("s"), 2u);
  EXPECT_THROW((void)t.field_of("nope"), FileLayoutUnsupported);
  Rows got = via_pages(t, 4);
  as_real(got, 1);
  EXPECT_EQ(got, expect);
  // Runs of leaves, concatenated, are the whole table in order.
  const size_t mid = t.leaves().size() / 3;
  Rows joined = via_pages(t, 0, mid, 2);
  Rows rest = via_pages(t, mid, t.leaves().size(), 2);
  joined.insert(joined.end(), rest.begin(), rest.end());
  as_real(joined, 1);
  ASSERT_EQ(joined.size(), expect.size());
  for (size_t r = 0; r < joined.size(); ++r) {
    ASSERT_EQ(joined[r][0], expect[r][0]) << "row " << r;
    ASSERT_EQ(joined[r][1], expect[r][1]) << "row " << r;
  }
}

TEST_F(SqliteFile, EmptyTableAndRollbackJournal) {
  auto* c = &open("PRAGMA journal_mode=DELETE; CREATE TABLE t (a TEXT, b INTEGER)");
  {
    const PinnedTable t(file_, "t");
    EXPECT_EQ(t.leaves().size(), 1u);
    EXPECT_TRUE(via_pages(t, 2).empty());
  }
  c->exec("INSERT INTO t VALUES ('a', 1), (NULL, 2)");
  const PinnedTable t(file_, "t");
  EXPECT_EQ(via_pages(t, 2), via_sqlite(*c, "t"));
}

TEST_F(SqliteFile, RowsOnOverflowPagesAreUnsupported) {
  open("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('short'), (printf('%.*c', 5000, 'x'))");
  const PinnedTable t(file_, "t");
  LeafCursor cur = whole(t, 1);
  ASSERT_TRUE(cur.next());
  EXPECT_EQ(cur.field(0).s, "short");
  EXPECT_THROW(cur.next(), FileLayoutUnsupported);
}

TEST_F(SqliteFile, RecordsWrittenBeforeAnAddedColumnAreUnsupported) {
  open("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1); ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7");
  const PinnedTable t(file_, "t");
  EXPECT_EQ(via_pages(t, 1), (Rows{{Value(int64_t{1})}}));  // the leading field alone reads
  LeafCursor cur = whole(t, 2);
  EXPECT_THROW(cur.next(), FileLayoutUnsupported);  // b's default lives in the schema, not the record
}

TEST_F(SqliteFile, OtherTableKindsAreUnsupported) {
  open(
      "CREATE TABLE k (id INTEGER PRIMARY KEY, a TEXT);"
      "CREATE TABLE w (id TEXT PRIMARY KEY, a TEXT) WITHOUT ROWID;"
      "CREATE TABLE g (a INTEGER, b INTEGER GENERATED ALWAYS AS (a + 1))");
  for (const char* name : {"k", "w", "g", "missing"}) {
    EXPECT_THROW(PinnedTable(file_, name), FileLayoutUnsupported) << name;
  }
  EXPECT_THROW(PinnedTable(dir_.path() / "absent.sqlite", "t"), FileLayoutUnsupported);
}

TEST_F(SqliteFile, ALogHeldBackByAnOlderReaderIsUnsupported) {
  auto* writer = &open(
      "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t (a INTEGER);"
      "INSERT INTO t VALUES (1)");
  auto old_reader = connect(file_);
  old_reader->exec("BEGIN");
  (void)via_sqlite(*old_reader, "t");  // pins the snapshot holding one row
  writer->exec("INSERT INTO t VALUES (2)");
  // The new frame cannot be copied into the file while the older snapshot
  // needs the page it replaces: the file is not any one snapshot.
  EXPECT_THROW(PinnedTable(file_, "t"), FileLayoutUnsupported);
  old_reader->exec("COMMIT");
  const PinnedTable t(file_, "t");
  EXPECT_EQ(via_pages(t, 1), (Rows{{Value(int64_t{1})}, {Value(int64_t{2})}}));
  // Commits after the pin go to the log and leave the pinned file as it was.
  writer->exec("DELETE FROM t; INSERT INTO t VALUES (3)");
  EXPECT_EQ(via_pages(t, 1), (Rows{{Value(int64_t{1})}, {Value(int64_t{2})}}));
}

TEST_F(SqliteFile, CorruptPagesAreUnsupportedOrReadInBounds) {
  open(
      "PRAGMA page_size=512; PRAGMA journal_mode=DELETE; CREATE TABLE t (a INTEGER, b TEXT, c REAL);"
      "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 300)"
      "INSERT INTO t SELECT k, printf('%.*c', k % 40, 'v'), k / 3.0 FROM n");
  db_.reset();
  std::string bytes;
  {
    std::ifstream in(file_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 4u * 512);
  std::mt19937 rng(12);
  int unsupported = 0, read = 0;
  for (int round = 0; round < 300; ++round) {
    std::string copy = bytes;
    // Garble a few bytes of the table's pages (page 1, the schema, stays intact).
    for (int k = 0; k < 1 + round % 8; ++k) {
      const size_t at = 512 + rng() % (copy.size() - 512);
      copy[at] = static_cast<char>(rng());
    }
    const auto garbled = dir_.path() / ("g" + std::to_string(round) + ".sqlite");
    std::ofstream(garbled, std::ios::binary) << copy;
    try {
      const PinnedTable t(garbled, "t");
      LeafCursor cur = whole(t, 3);
      while (cur.next()) {
        for (size_t i = 0; i < 3; ++i) (void)value_of(cur.field(i));  // in bounds: the sanitizer build checks
      }
      ++read;
    } catch (const FileLayoutUnsupported&) {
      ++unsupported;
    }
    std::filesystem::remove(garbled);
  }
  EXPECT_GT(unsupported, 0);
  EXPECT_GT(read, 0);
}

TEST_F(SqliteFile, PageReadsKeepTheProcessLocksAndLaterWritesLand) {
  // Page reads must never open and close a descriptor of their own: closing
  // one drops every POSIX lock of the process on the file (those of SQLite's
  // connections too), another process's closing connection then deletes the
  // log the writers here still use.
  auto* writer = &open(
      "PRAGMA page_size=512; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
      "CREATE TABLE t (a INTEGER, b TEXT);"
      "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 3000)"
      "INSERT INTO t SELECT k, printf('%.*c', k % 50, 'w') FROM n");
  auto holder = connect(file_);  // another connection holding locks
  auto write_more = [&](int round) {
    writer->exec("INSERT INTO t SELECT a + 10000, b FROM t WHERE a % 7 = " + std::to_string(round) +
                 "; DELETE FROM t WHERE a % 11 = " + std::to_string(round));
  };
  for (int round = 0; round < 3; ++round) {
    holder->exec("BEGIN");
    (void)via_sqlite(*holder, "t");  // a read lock at the latest snapshot
    ASSERT_TRUE(locked_for_other_processes(file_));
    {
      const PinnedTable t(file_, "t");
      const size_t n = t.leaves().size();
      ASSERT_GT(n, 8u);
      // Four cursors at once, each through its own SQLite file handle.
      std::vector<Rows> parts(4);
      std::vector<std::thread> threads;
      for (size_t k = 0; k < parts.size(); ++k) {
        threads.emplace_back([&, k] { parts[k] = via_pages(t, n * k / 4, n * (k + 1) / 4, 2); });
      }
      for (auto& th : threads) th.join();
      Rows got;
      for (auto& p : parts) got.insert(got.end(), p.begin(), p.end());
      EXPECT_EQ(got, via_sqlite(*holder, "t")) << "round " << round;
    }
    EXPECT_TRUE(locked_for_other_processes(file_)) << "a page read dropped the process's locks, round " << round;
    holder->exec("COMMIT");
    write_more(round);  // writes after the reads
  }
  // More writes while the holder reads an older snapshot, then every
  // connection agrees on the rows and the file is sound.
  holder->exec("BEGIN");
  const Rows old = via_sqlite(*holder, "t");
  write_more(5);
  EXPECT_EQ(via_sqlite(*holder, "t"), old);
  holder->exec("COMMIT");
  const Rows now = via_sqlite(*writer, "t");
  EXPECT_NE(now, old);
  auto fresh = connect(file_);
  EXPECT_EQ(via_sqlite(*fresh, "t"), now);
  {
    sqlite_detail::Statement check(fresh->get(), "PRAGMA integrity_check");
    ASSERT_TRUE(check.step());
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(check.get(), 0)), "ok");
  }
  const PinnedTable t(file_, "t");
  EXPECT_EQ(via_pages(t, 2), now);
  EXPECT_TRUE(locked_for_other_processes(file_));
}

// log_settled reads the WAL-index header through a connection's own mapping:
// false while the log holds a committed frame not yet in the file, true once a
// checkpoint (here on another connection) copied every frame, false again
// after the next commit; a rollback-journal file has no log. And a pin that
// asks for a settled log gives up before it checkpoints anything.
TEST_F(SqliteFile, TheLogIsSettledOnceEveryFrameIsInTheFile) {
  auto& writer = open("PRAGMA journal_mode=WAL; CREATE TABLE t (a TEXT, b INTEGER); INSERT INTO t VALUES ('a', 1)");
  auto reader = connect(file_);
  auto settled = [&] {
    reader->exec("SELECT count(*) FROM t");  // maps the WAL-index
    return sqlite_file::log_settled(reader->get(), "main");
  };
  EXPECT_FALSE(settled());
  EXPECT_THROW(PinnedTable(file_, "t", reader->get(), writer.get(), "main", true), FileLayoutUnsupported);
  EXPECT_FALSE(settled()) << "the refused pin copied the log";
  writer.exec("PRAGMA wal_checkpoint(PASSIVE)");
  EXPECT_TRUE(settled());
  {
    const PinnedTable t(file_, "t", reader->get(), writer.get(), "main", true);
    EXPECT_EQ(via_pages(t, 2), via_sqlite(writer, "t"));
  }
  writer.exec("INSERT INTO t VALUES ('b', 2)");
  EXPECT_FALSE(settled());

  auto journal = connect(dir_.path() / "j.sqlite");
  journal->exec("PRAGMA journal_mode=DELETE; CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  EXPECT_TRUE(sqlite_file::log_settled(journal->get(), "main"));
}
