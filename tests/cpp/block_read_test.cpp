// SqliteWarehouse::read_block: a block decoded from the database file's pages
// must be exactly what read() gives (rows, values, NULLs, order), and a stored
// value SQLite would convert must send the block through SQLite.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nbaprops/core/error.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using nbaprops::testing::TempDir;

namespace {

const TableSchema& togs() { return catalog::get("nba_analytics.team_offense_game_summary"); }

/// @p n rows of date @p d, given in descending key order.
Table rows_for(Date d, int n, int points_base) {
  Table t(togs());
  for (int i = n; i-- > 0;) {
    const size_t r = t.add_row();
    t.set(r, "game_id", d.compact() + "_G" + std::to_string(i % 7));
    t.set(r, "game_date", d);
    t.set(r, "team_abbr", "T" + std::to_string(1000 + i));
    t.set(r, "opponent_team_abbr", "O" + std::to_string(i % 30));
    t.set(r, "season_year", 2023);
    t.set(r, "win_flag", i % 3 == 1);
    t.set(r, "points_scored", int64_t{points_base + i});
    t.set(r, "ts_pct", i % 3 == 0 ? 1.0 : 0.5 + i / 1000.0);  // 1.0: SQLite stores it as an integer
    if (i % 5 != 0) t.set(r, "pace", 95.0 + i);
    t.set(r, "home_game", i % 2 == 0);
  }
  return t;
}

/// Each row of @p t as its cells' text joined by '|'.
std::vector<std::string> cells(const Table& t) {
  std::vector<std::string> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    std::string row;
    for (size_t c = 0; c < t.num_columns(); ++c) row += (t.col(c).is_null(r) ? "NULL" : t.cell_text(r, c)) + "|";
    out.push_back(row);
  }
  return out;
}

/// Runs @p sql on the analytics file of @p dir through a connection of its own.
void exec(const TempDir& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "nba_analytics.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

const std::vector<std::vector<std::string>> kProjections = {
    {},                                           // every column
    {"points_scored"},                            // keys and date read beside, for the order only
    {"team_abbr", "game_date", "ts_pct", "pace"}  // part of the key
};

}  // namespace

// Dates stored out of rowid order (the later date written first), rows of one
// date out of key order (keys changed after the write), ties on every key, a
// NULL key, a NULL date, rows outside the range, reals stored as integers, and
// enough rows for a b-tree of several levels.
TEST(BlockRead, PagesGiveTheRowsValuesAndOrderOfARead) {
  TempDir dir;
  const Date d0 = Date::parse("2023-11-01");
  {
    SqliteWarehouse writer(dir.path());
    writer.replace_partition(togs(), d0 + 2, rows_for(d0 + 2, 900, 3000));
    writer.replace_partition(togs(), d0, rows_for(d0, 900, 1000));
    writer.replace_partition(togs(), d0 + 3, rows_for(d0 + 3, 50, 4000));  // outside the range
    writer.replace_partition(togs(), d0 - 1, rows_for(d0 - 1, 50, 5000));  // outside the range
    writer.replace_partition(togs(), d0 + 1, rows_for(d0 + 1, 900, 2000));
    // The object that wrote the file reads it through SQLite (its log holds
    // frames a pin would first copy and sync).
    (void)writer.read_block(togs(), DateRange{d0, d0 + 2}, {});
    EXPECT_EQ(writer.page_reads(), 0);
  }
  SqliteWarehouse wh(dir.path());
  exec(dir, "UPDATE team_offense_game_summary SET team_abbr = 'A' WHERE points_scored % 97 = 0");
  exec(dir, "UPDATE team_offense_game_summary SET team_abbr = NULL WHERE points_scored % 89 = 0");
  exec(dir, "UPDATE team_offense_game_summary SET game_date = NULL WHERE points_scored % 83 = 0");
  exec(dir, "UPDATE team_offense_game_summary SET game_id = 'Z', team_abbr = 'Z' WHERE points_scored % 101 = 0");

  const DateRange range{d0, d0 + 2};
  int64_t pages = 0;
  for (const auto& cols : kProjections) {
    const Table want = wh.read(togs(), range, cols);
    const Table got = wh.read_block(togs(), range, cols);
    EXPECT_EQ(wh.page_reads(), ++pages) << "read through SQLite instead";
    ASSERT_EQ(got.column_names(), want.column_names());
    ASSERT_GT(want.num_rows(), 2500u);
    EXPECT_EQ(cells(got), cells(want)) << cols.size() << " columns";
  }
  // One date, and a range with no rows.
  EXPECT_EQ(cells(wh.read_block(togs(), DateRange{d0 + 1, d0 + 1}, {})),
            cells(wh.read(togs(), DateRange{d0 + 1, d0 + 1})));
  EXPECT_EQ(wh.read_block(togs(), DateRange{d0 + 10, d0 + 20}, {}).num_rows(), 0u);
  EXPECT_EQ(wh.page_reads(), pages + 2);
}

// A value SQLite converts on the way out (text in an INTEGER column, a BLOB in
// a TEXT key) is left to SQLite: the block is read through it and gives what
// read() gives; a date not in ISO form fails as read() fails; a read-only
// warehouse (pinning a snapshot writes) reads through SQLite too.
TEST(BlockRead, ValuesSqliteConvertsAndReadOnlyWarehousesGoThroughSqlite) {
  const Date d0 = Date::parse("2023-11-01");
  const DateRange range{d0, d0 + 1};
  struct Case {
    const char* update;
    std::vector<std::vector<std::string>> projections;  // those that read the changed column
    bool unreadable;
  };
  const std::vector<Case> cases = {
      {"SET points_scored = '12abc' WHERE points_scored = 110", {{}, {"points_scored"}}, false},
      {"SET team_abbr = x'5430' WHERE points_scored = 120", kProjections, false},  // a key: always read
      {"SET game_date = '2023-11-01x' WHERE points_scored = 130", kProjections, true},
  };
  for (const Case& c : cases) {
    TempDir dir;
    {
      SqliteWarehouse writer(dir.path());
      writer.replace_partition(togs(), d0, rows_for(d0, 40, 100));
      writer.replace_partition(togs(), d0 + 1, rows_for(d0 + 1, 40, 200));
    }
    SqliteWarehouse wh(dir.path());
    (void)wh.read_block(togs(), range, {});
    ASSERT_EQ(wh.page_reads(), 1);
    exec(dir, std::string("UPDATE team_offense_game_summary ") + c.update);
    for (const auto& cols : c.projections) {
      if (c.unreadable) {
        EXPECT_THROW((void)wh.read(togs(), range, cols), DataError);
        EXPECT_THROW((void)wh.read_block(togs(), range, cols), DataError);
      } else {
        EXPECT_EQ(cells(wh.read_block(togs(), range, cols)), cells(wh.read(togs(), range, cols))) << c.update;
      }
    }
    EXPECT_EQ(wh.page_reads(), 1) << c.update;
    if (&c != &cases.front()) continue;
    SqliteWarehouse ro(dir.path(), true);
    EXPECT_EQ(cells(ro.read_block(togs(), range, {})), cells(ro.read(togs(), range, {})));
    EXPECT_EQ(ro.page_reads(), 0);
  }
}

// Partition counts of a long range come from the date index's pages: the same
// counts as SQLite's GROUP BY, with NULL dates left out, over an index of
// several levels, for ranges that start and end inside it; a date stored as a
// number goes through SQLite (and fails as it fails there).
TEST(BlockRead, LongRangesAreCountedFromTheIndexPages) {
  TempDir dir;
  const Date d0 = Date::parse("2023-10-20");
  {
    SqliteWarehouse writer(dir.path());
    for (int k = 0; k < 120; ++k)
      writer.replace_partition(togs(), d0 + (k * 37) % 120, rows_for(d0 + (k * 37) % 120, 20 + k % 50, k * 100));
  }
  SqliteWarehouse wh(dir.path());
  exec(dir, "UPDATE team_offense_game_summary SET game_date = NULL WHERE points_scored % 13 = 0");
  auto sqlite_counts = [&](Date a, Date b) {
    std::map<Date, int64_t> out;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir.path() / "nba_analytics.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    const std::string sql = "SELECT game_date, COUNT(*) FROM team_offense_game_summary WHERE game_date BETWEEN '" +
                            a.iso() + "' AND '" + b.iso() + "' GROUP BY 1";
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      out[Date::parse(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)))] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  };
  int64_t pages = 0;
  for (const auto& [a, b] : std::vector<std::pair<Date, Date>>{
           {d0, d0 + 119}, {d0 + 17, d0 + 83}, {d0 - 40, d0 + 5}, {d0 + 100, d0 + 200}}) {
    const auto want = sqlite_counts(a, b);
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(wh.partition_counts(togs(), DateRange{a, b}), want) << a.iso() << ".." << b.iso();
    EXPECT_EQ(wh.page_reads(), ++pages);
  }
  EXPECT_EQ(wh.partition_counts(togs(), DateRange{d0 + 300, d0 + 400}).size(), 0u);
  const auto few = wh.partition_counts(togs(), DateRange{d0 + 3, d0 + 4});  // a short range: through SQLite
  EXPECT_EQ(few, sqlite_counts(d0 + 3, d0 + 4));
  EXPECT_EQ(wh.page_reads(), pages + 1);

  exec(dir, "UPDATE team_offense_game_summary SET game_date = 20231101 WHERE points_scored = 101");
  EXPECT_THROW((void)wh.partition_counts(togs(), DateRange{d0, d0 + 119}), DataError);
  EXPECT_EQ(wh.page_reads(), pages + 1);
}

// The object that wrote a file reads it through SQLite while its log holds
// frames not yet in the file, and from the pages again once the log is settled
// (here by another connection's checkpoint, as a second process or a close
// would settle it), until it writes the file again. The rows are the same
// either way. (sqlite_file_test checks log_settled itself.)
TEST(BlockRead, AWrittenFileIsReadFromItsPagesOnceItsLogIsSettled) {
  TempDir dir;
  const Date d0 = Date::parse("2023-11-01");
  SqliteWarehouse wh(dir.path());
  for (int k = 0; k < 4; ++k) wh.replace_partition(togs(), d0 + k, rows_for(d0 + k, 300, 1000 * (k + 1)));
  const DateRange range{d0, d0 + 3};
  const std::vector<std::string> all = cells(wh.read(togs(), range));
  ASSERT_EQ(all.size(), 1200u);

  EXPECT_EQ(cells(wh.read_block(togs(), range, {})), all);
  EXPECT_EQ(wh.page_reads(), 0) << "pinned a log holding this warehouse's frames";

  exec(dir, "PRAGMA wal_checkpoint(PASSIVE)");
  EXPECT_EQ(cells(wh.read_block(togs(), range, {})), all);
  EXPECT_EQ(wh.page_reads(), 1) << "a settled log, read through SQLite";
  EXPECT_EQ(wh.partition_counts(togs(), DateRange{d0 - 30, d0 + 30}).size(), 4u);
  EXPECT_EQ(wh.page_reads(), 2);

  wh.replace_partition(togs(), d0 + 1, rows_for(d0 + 1, 10, 9000));
  const std::vector<std::string> after = cells(wh.read(togs(), range));
  ASSERT_EQ(after.size(), 910u);
  EXPECT_EQ(cells(wh.read_block(togs(), range, {})), after);
  EXPECT_EQ(wh.page_reads(), 2) << "written again: through SQLite";
}

// The run ledger's date index has three columns (unit_date, processor,
// finished_at): a block is still read from the pages (each entry's rowid is
// its last field), with the rows and order read() gives. Coverage reads the
// ledger this way.
TEST(BlockRead, TheLedgersThreeColumnIndexGivesTheBlocksRowids) {
  TempDir dir;
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  const Date d0 = Date::parse("2024-01-01");
  {
    SqliteWarehouse writer(dir.path());
    writer.ensure_table(ledger);
    for (int run = 0; run < 3; ++run) {
      Table t(ledger);
      for (int k = 0; k < 400; ++k) {
        const size_t r = t.add_row();
        const Date d = d0 + (k * 7 + run) % 40;  // dates out of rowid order
        t.set(r, "run_id", "run" + std::to_string(run));
        t.set(r, "processor", k % 3 == 0 ? "player_shot_zone_analysis" : "team_defense_zone_analysis");
        t.set(r, "output_table",
              k % 3 == 0 ? "nba_precompute.player_shot_zone_analysis" : "nba_precompute.team_defense_zone_analysis");
        t.set(r, "unit_date", d);
        t.set(r, "status", k % 11 == 0 ? "failed" : "success");
        t.set(r, "rows_written", int64_t{k});
        t.set(r, "finished_at", "2026-12-0" + std::to_string(run + 1) + "T00:00:" + std::to_string(10 + k % 50) + "Z");
      }
      writer.append(ledger, t);
    }
  }
  SqliteWarehouse wh(dir.path());
  const std::vector<std::string> cols = {"output_table", "unit_date", "status", "finished_at"};
  for (const DateRange range : {DateRange{d0 + 5, d0 + 25}, DateRange{d0 - 10, d0 + 60}}) {
    const Table want = wh.read(ledger, range, cols);
    ASSERT_GT(want.num_rows(), 300u);
    const int64_t before = wh.page_reads();
    EXPECT_EQ(cells(wh.read_block(ledger, range, cols)), cells(want));
    EXPECT_EQ(wh.page_reads(), before + 1) << "read through SQLite instead";
  }
}
