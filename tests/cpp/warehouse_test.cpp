#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <numeric>
#include <thread>
#include <tuple>

#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "pipeline_fakes.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using nbaprops::testing::TempDir;
namespace pipeline_fakes = nbaprops::testing::pipeline_fakes;

namespace {

const TableSchema& togs() { return catalog::get("nba_analytics.team_offense_game_summary"); }

Table rows_for(Date d, int n, int points_base) {
  Table t(togs());
  for (int i = 0; i < n; ++i) {
    size_t r = t.add_row();
    t.set(r, "game_id", d.compact() + "_AAA_B" + std::to_string(i));
    t.set(r, "game_date", d);
    t.set(r, "team_abbr", "T" + std::to_string(i));
    t.set(r, "opponent_team_abbr", "O" + std::to_string(i));
    t.set(r, "season_year", 2023);
    t.set(r, "points_scored", int64_t{points_base + i});
    t.set(r, "ts_pct", 0.5 + i / 100.0);
    t.set(r, "home_game", i % 2 == 0);
    t.set(r, "win_flag", false);
  }
  return t;
}

/// Sets every required cell of @p row still NULL to a placeholder of its type.
void fill_required(Table& t, size_t row) {
  for (size_t i = 0; i < t.num_columns(); ++i) {
    if (!t.def(i).required || !t.col(i).is_null(row)) continue;
    switch (t.col(i).storage()) {
      case Storage::kInt:
        t.col(i).set_int(row, 0);
        break;
      case Storage::kReal:
        t.col(i).set_real(row, 0.0);
        break;
      case Storage::kText:
        t.col(i).set_text(row, "x");
        break;
    }
  }
}

/// One run-ledger row of @p processor for @p d (required cells filled).
Table ledger_row(const char* run_id, const char* processor, Date d) {
  Table t(catalog::get("nba_orchestration.run_ledger"));
  const size_t r = t.add_row();
  t.set(r, "run_id", run_id);
  t.set(r, "processor", processor);
  t.set(r, "unit_date", d);
  t.set(r, "status", "success");
  fill_required(t, r);
  return t;
}

/// One team_defense_zone_analysis row for @p d (required cells filled).
Table zone_row(Date d) {
  Table t(catalog::get("nba_precompute.team_defense_zone_analysis"));
  const size_t r = t.add_row();
  t.set(r, "team_abbr", "AAA");
  t.set(r, "analysis_date", d);
  fill_required(t, r);
  return t;
}

/// The rows @p sql gives on the analytics file of @p dir, each as its cells'
/// text joined by '|' (NULL as "NULL").
std::vector<std::string> query_rows(const TempDir& dir, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((dir.path() / "nba_analytics.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::vector<std::string> out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const auto* t = sqlite3_column_text(st, c);
      row += (t ? reinterpret_cast<const char*>(t) : "NULL") + std::string("|");
    }
    out.push_back(row);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

/// Every row of a read of @p columns, as its cells' text joined by '|'.
std::vector<std::string> read_order(SqliteWarehouse& wh, const std::vector<std::string>& columns) {
  const Table t = wh.read(togs(), std::nullopt, columns);
  std::vector<std::string> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    std::string row;
    for (size_t c = 0; c < t.num_columns(); ++c) row += t.cell_text(r, c) + "|";
    out.push_back(row);
  }
  return out;
}

/// The same cells as SQLite's own ORDER BY date, keys gives them.
std::vector<std::string> sqlite_order(const TempDir& dir) {
  return query_rows(dir, "SELECT points_scored FROM team_offense_game_summary ORDER BY game_date, game_id, team_abbr");
}

/// Runs @p sql on the analytics file of @p dir through a connection of its own.
void exec(const TempDir& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "nba_analytics.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

}  // namespace

TEST(Warehouse, ReplaceAndReadRoundTrip) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  Date d1 = Date::parse("2023-11-01"), d2 = Date::parse("2023-11-02");
  wh.replace_partition(togs(), d1, rows_for(d1, 4, 100));
  wh.replace_partition(togs(), d2, rows_for(d2, 6, 90));
  auto counts = wh.partition_counts(togs(), std::nullopt);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[d1], 4);
  EXPECT_EQ(counts[d2], 6);
  Table back = wh.read(togs(), DateRange{d1, d1},
                       {"game_date", "team_abbr", "points_scored", "ts_pct", "home_game", "nba_game_id"});
  ASSERT_EQ(back.num_rows(), 4u);
  EXPECT_EQ(*back.get_date(0, "game_date"), d1);
  EXPECT_EQ(*back.get_int(2, "points_scored"), 102);
  EXPECT_DOUBLE_EQ(*back.get_real(3, "ts_pct"), 0.53);
  EXPECT_EQ(*back.get_bool(0, "home_game"), true);
  EXPECT_FALSE(back.get_text(0, "nba_game_id").has_value());  // NULL stays NULL
  // Replacing with fewer rows leaves exactly the new rows; other partitions
  // untouched.
  wh.replace_partition(togs(), d1, rows_for(d1, 2, 50));
  counts = wh.partition_counts(togs(), std::nullopt);
  EXPECT_EQ(counts[d1], 2);
  EXPECT_EQ(counts[d2], 6);
  // An empty result clears the partition (DECISION 4).
  wh.replace_partition(togs(), d1, Table(togs()));
  counts = wh.partition_counts(togs(), std::nullopt);
  EXPECT_EQ(counts.count(d1), 0u);
  EXPECT_EQ(counts[d2], 6);
}

// Rows are inserted 16 at a time by one statement and the rest one by one:
// every cell, NULLs included, lands in its row, rows in the order given, for
// whole-schema rows and for a projection.
TEST(Warehouse, ManyRowsAreStoredCellForCellInKeyOrder) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-11-01");
  Table whole = rows_for(d, 37, 100);
  for (size_t r = 0; r < whole.num_rows(); r += 5) whole.col("ts_pct").set_null(r);
  std::vector<std::string> names;
  for (const auto& def : togs().columns) {
    if (def.required) names.push_back(def.name);
  }
  names.push_back("points_scored");
  Table projected(togs(), names);
  Table source = rows_for(d + 1, 21, 500);
  std::vector<size_t> from;
  for (const auto& n : names) from.push_back(source.require(n));
  projected.append_columns(source, from);
  for (size_t r = 0; r < projected.num_rows(); ++r) fill_required(projected, r);
  // Given in date order, but not in key order: row i's keys end in the text
  // of i ("…B10" sorts before "…B2"). Given the later date first.
  wh.replace_partition(togs(), d + 1, projected);
  wh.replace_partition(togs(), d, whole);

  // Stored (rowid order) by date, each date's rows in key order.
  auto key_order = [](int n) {
    std::vector<int> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [](int a, int b) { return std::to_string(a) < std::to_string(b); });
    return idx;
  };
  const auto got = query_rows(dir,
                              "SELECT game_date, team_abbr, points_scored, ts_pct FROM team_offense_game_summary "
                              "ORDER BY rowid");
  ASSERT_EQ(got.size(), 58u);
  const std::vector<int> later = key_order(21), first = key_order(37);
  for (size_t k = 0; k < later.size(); ++k) {
    const int r = later[k];
    EXPECT_EQ(got[k], "2023-11-02|T" + std::to_string(r) + "|" + std::to_string(500 + r) + "|NULL|");
  }
  for (size_t k = 0; k < first.size(); ++k) {
    const int r = first[k];
    char ts[32] = "NULL";
    if (r % 5 != 0) {  // SQLite's REAL as text
      std::snprintf(ts, sizeof ts, "%.15g", whole.col("ts_pct").real_at(static_cast<size_t>(r)));
    }
    EXPECT_EQ(got[later.size() + k],
              "2023-11-01|T" + std::to_string(r) + "|" + std::to_string(100 + r) + "|" + std::string(ts) + "|");
  }
  // Read back in the same order, rows already sorted or not.
  const Table back = wh.read(togs(), DateRange{d, d + 1}, {"team_abbr"});
  ASSERT_EQ(back.num_rows(), 58u);
  for (size_t k = 0; k < first.size(); ++k) EXPECT_EQ(back.col(0).text_at(k), "T" + std::to_string(first[k]));
}

TEST(Warehouse, ReplaceIsAtomicUnderInjectedFailure) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  Date d = Date::parse("2023-12-25");
  wh.replace_partition(togs(), d, rows_for(d, 5, 100));
  wh.inject_write_failure_after(3);  // fails after the DELETE and 3 of 8 inserts
  EXPECT_THROW(wh.replace_partition(togs(), d, rows_for(d, 8, 70)), StorageError);
  Table back = wh.read(togs(), DateRange{d, d}, {"points_scored"});
  ASSERT_EQ(back.num_rows(), 5u);  // the old partition, intact
  for (size_t r = 0; r < 5; ++r) EXPECT_EQ(*back.get_int(r, "points_scored"), 100 + static_cast<int64_t>(r));
  // The hook is one-shot: the next write goes through.
  wh.replace_partition(togs(), d, rows_for(d, 8, 70));
  EXPECT_EQ(wh.partition_counts(togs(), std::nullopt)[d], 8);
}

TEST(Warehouse, RejectsRowsOutsideThePartitionAndNullRequired) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  Date d = Date::parse("2024-01-15");
  wh.replace_partition(togs(), d, rows_for(d, 3, 100));
  try {
    wh.replace_partition(togs(), d, rows_for(d + 1, 2, 0));
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("2024-01-16"), std::string::npos) << e.what();
  }
  Table bad = rows_for(d, 2, 0);
  bad.set_null(1, "team_abbr");
  try {
    wh.replace_partition(togs(), d, bad);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("row 1"), std::string::npos) << m;
    EXPECT_NE(m.find("team_abbr"), std::string::npos) << m;
    EXPECT_NE(m.find("2024-01-15"), std::string::npos) << m;
  }
  EXPECT_EQ(wh.partition_counts(togs(), std::nullopt)[d],
            3);  // nothing half-written
}

TEST(Warehouse, ParallelReadersWhileWriting) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  Date d0 = Date::parse("2023-11-01");
  for (int i = 0; i < 10; ++i) wh.replace_partition(togs(), d0 + i, rows_for(d0 + i, 4, i));
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 20; ++k) {
        if (t == 0) {
          wh.replace_partition(togs(), d0 + (k % 10), rows_for(d0 + (k % 10), 4, k));
        } else {
          auto n = wh.read(togs(), DateRange{d0, d0 + 9}, {"team_abbr"}).num_rows();
          if (n != 40) ++bad;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(Warehouse, OpenRejectsUnknownScheme) { EXPECT_THROW(open_warehouse("ftp://host/warehouse"), ConfigError); }

TEST(Warehouse, WriteBatchReplacesOnlyTheCoveredKeysAcrossTables) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-11-01");
  wh.replace_partition(togs(), d, rows_for(d, 4, 100));  // games ..._B0 … _B3
  // A file that covers one game (…_B1) replaces that game's row only.
  Table one = rows_for(d, 2, 7).slice(1, 2);
  wh.write_batch({TableWrite{&togs(), &one, {d}, {"game_id"}}});
  Table back = wh.read(togs(), DateRange{d, d}, {"game_id", "points_scored"});
  ASSERT_EQ(back.num_rows(), 4u);
  int64_t sum = 0;
  for (size_t r = 0; r < back.num_rows(); ++r) sum += *back.get_int(r, "points_scored");
  EXPECT_EQ(sum, 100 + 8 + 102 + 103);
  // All or nothing: a failing second write leaves the first table unchanged
  // too.
  const TableSchema& tdgs = catalog::get("nba_analytics.team_defense_game_summary");
  Table bad(tdgs);  // a row outside the covered dates fails the insert step
  size_t r = bad.add_row();
  bad.set(r, "game_date", d + 1);
  Table fresh = rows_for(d, 1, 1);
  try {
    wh.write_batch({TableWrite{&togs(), &fresh, {d}, {}}, TableWrite{&tdgs, &bad, {d}, {}}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("team_defense_game_summary"), std::string::npos) << e.what();
  }
  EXPECT_EQ(wh.partition_counts(togs(), std::nullopt)[d], 4);
}

// Writers lock the dataset files they write, one by one, not the whole
// warehouse: while another connection holds nba_analytics' write lock, a batch
// writing nba_precompute and the run ledger commits at once, and a batch
// writing nba_analytics waits for the lock and then commits.
TEST(Warehouse, WritersOfDifferentDatasetFilesDoNotWaitForEachOther) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-11-01");
  const TableSchema& tdza = catalog::get("nba_precompute.team_defense_zone_analysis");
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  wh.replace_partition(togs(), d, rows_for(d, 2, 100));
  const Table zone = zone_row(d);
  const Table led = ledger_row("r1", "tdza", d);

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "nba_analytics.sqlite").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto precompute = std::async(std::launch::async, [&] {
    wh.write_batch({TableWrite{&ledger, &led, {d}, {}, {}, true}, TableWrite{&tdza, &zone, {d}, {}}});
  });
  const Table fewer = rows_for(d, 1, 7);
  auto analytics = std::async(std::launch::async, [&] { wh.replace_partition(togs(), d, fewer); });
  const bool precompute_done = precompute.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  const bool analytics_waited = analytics.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout;
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  precompute.get();
  analytics.get();
  EXPECT_TRUE(precompute_done) << "a write to nba_precompute waited for nba_analytics' lock";
  EXPECT_TRUE(analytics_waited) << "a write to nba_analytics did not wait for its file's lock";
  EXPECT_EQ(wh.partition_counts(tdza, std::nullopt)[d], 1);
  EXPECT_EQ(wh.partition_counts(ledger, std::nullopt)[d], 1);
  EXPECT_EQ(wh.partition_counts(togs(), std::nullopt)[d], 1);
}

// A batch spanning a data file and the run logs' file is still all or
// nothing: a failure while writing the ledger row leaves the data unchanged.
TEST(Warehouse, ABatchAcrossFilesRollsBackEveryFile) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-11-01");
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  wh.replace_partition(togs(), d, rows_for(d, 5, 100));
  const Table led = ledger_row("r1", "togs", d);
  const Table empty(togs());  // clears the partition: no insert, so the ledger's is the first row
  wh.inject_write_failure_after(0);
  EXPECT_THROW(wh.write_batch({TableWrite{&ledger, &led, {d}, {}, {}, true}, TableWrite{&togs(), &empty, {d}, {}}}),
               StorageError);
  EXPECT_EQ(wh.partition_counts(togs(), std::nullopt)[d], 5);
  EXPECT_TRUE(wh.partition_counts(ledger, std::nullopt).empty());
  // Concurrent batches of both kinds from four threads: no deadlock, no busy
  // error, every row where it belongs.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const TableSchema& tdza = catalog::get("nba_precompute.team_defense_zone_analysis");
      for (int i = 0; i < 25; ++i) {
        const Date day = d + (t * 25 + i);
        const Table a = rows_for(day, 3, i), z = zone_row(day), l = ledger_row("r2", t % 2 ? "togs" : "tdza", day);
        if (t % 2) {
          wh.write_batch({TableWrite{&togs(), &a, {day}, {}}, TableWrite{&ledger, &l, {day}, {}, {}, true}});
        } else {
          wh.write_batch({TableWrite{&ledger, &l, {day}, {}, {}, true}, TableWrite{&tdza, &z, {day}, {}}});
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto ledger_rows = wh.partition_counts(ledger, std::nullopt);
  EXPECT_EQ(ledger_rows.size(), 100u);
  int64_t togs_rows = 0;
  for (const auto& [day, n] : wh.partition_counts(togs(), std::nullopt)) togs_rows += n;
  EXPECT_EQ(togs_rows, 5 + 50 * 3);
  EXPECT_EQ(wh.partition_counts(catalog::get("nba_precompute.team_defense_zone_analysis"), std::nullopt).size(), 50u);
}

// A full disk between the files of one commit (audit B finding 1): SQLite
// commits the data file, then fails the run logs' file. The error says which
// writes are stored; a commit failing at its first file keeps every old row
// and stays a plain StorageError.
TEST(Warehouse, ACommitFailingBetweenItsFilesSaysWhichWritesAreStored) {
  auto& disk = pipeline_fakes::FullDisk::get();  // before the warehouse opens its files
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-11-01");
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  wh.replace_partition(togs(), d, rows_for(d, 5, 100));
  wh.append(ledger, ledger_row("r0", "togs", d));
  const Table fresh = rows_for(d, 3, 200), led = ledger_row("r1", "togs", d);
  const std::vector<TableWrite> batch{TableWrite{&ledger, &led, {d}, {}, {}, true},
                                      TableWrite{&togs(), &fresh, {d}, {}}};
  disk.arm("nba_orchestration.sqlite-wal");
  try {
    wh.write_batch(batch);
    ADD_FAILURE() << "the commit did not fail";
  } catch (const PartialCommitError& e) {
    using Stored = PartialCommitError::Stored;
    EXPECT_EQ(e.stored(), (std::vector<Stored>{Stored::kNo, Stored::kYes})) << e.what();
    EXPECT_NE(std::string(e.what()).find("committed: nba_analytics.team_offense_game_summary; not committed (old rows "
                                         "kept): nba_orchestration.run_ledger"),
              std::string::npos)
        << e.what();
  }
  EXPECT_GT(disk.failed(), 0);
  disk.disarm();
  EXPECT_EQ(wh.partition_counts(togs(), std::nullopt)[d], 3);  // the new rows
  EXPECT_EQ(wh.partition_counts(ledger, std::nullopt)[d], 1);  // r0 only
  // The data file full: nothing committed, the old rows kept.
  const Table again = rows_for(d, 4, 300);
  disk.arm("nba_analytics.sqlite-wal");
  EXPECT_THROW(
      {
        try {
          wh.write_batch({TableWrite{&togs(), &again, {d}, {}}, TableWrite{&ledger, &led, {d}, {}, {}, true}});
        } catch (const PartialCommitError&) {
          ADD_FAILURE() << "nothing was committed";
        }
      },
      StorageError);
  disk.disarm();
  EXPECT_EQ(wh.partition_counts(togs(), std::nullopt)[d], 3);
  EXPECT_EQ(wh.partition_counts(ledger, std::nullopt)[d], 1);
  wh.write_batch(batch);  // the files work again
  EXPECT_EQ(wh.partition_counts(ledger, std::nullopt)[d], 2);
}

// Audit B finding 5: a table written before a column joined the catalog
// (ml_feature_store_v2.quality_tier) could no longer be written ("no such
// column"). The column is added when the table is first opened for writing;
// the stored rows read NULL there, through SQLite and through the page reader
// (which leaves records shorter than the table to SQLite).
TEST(Warehouse, ATableWrittenBeforeACatalogColumnGetsTheColumn) {
  TempDir dir;
  const Date d1 = Date::parse("2023-11-01"), d2 = Date::parse("2023-11-02");
  {
    SqliteWarehouse wh(dir.path());
    wh.replace_partition(togs(), d1, rows_for(d1, 3, 100));
  }
  exec(dir, "ALTER TABLE team_offense_game_summary DROP COLUMN ts_pct");  // as an older build left it
  SqliteWarehouse wh(dir.path());
  wh.replace_partition(togs(), d2, rows_for(d2, 2, 200));
  EXPECT_EQ(query_rows(dir,
                       "SELECT count(*) FROM pragma_table_info('team_offense_game_summary') WHERE name = "
                       "'ts_pct' AND type = 'REAL'"),
            (std::vector<std::string>{"1|"}));
  auto cells = [](const Table& t) {
    std::vector<std::string> out;
    for (size_t r = 0; r < t.num_rows(); ++r) out.push_back(t.cell_text(r, 0) + "|" + t.cell_text(r, 1));
    return out;
  };
  const std::vector<std::string> read = cells(wh.read(togs(), std::nullopt, {"points_scored", "ts_pct"}));
  ASSERT_EQ(read.size(), 5u);
  EXPECT_EQ(std::count_if(read.begin(), read.end(), [](const std::string& r) { return r.ends_with("|NULL"); }), 3)
      << ::testing::PrintToString(read);  // d1's rows: NULL
  exec(dir, "PRAGMA wal_checkpoint(TRUNCATE)");
  const int64_t pages = wh.page_reads();
  EXPECT_EQ(cells(wh.read_block(togs(), DateRange{d1, d2}, {"points_scored", "ts_pct"})), read);
  EXPECT_EQ(wh.page_reads(), pages);  // d1's records are shorter than the table: read through SQLite
  wh.replace_partition(togs(), d1, rows_for(d1, 3, 100));
  exec(dir, "PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(wh.read_block(togs(), DateRange{d1, d2}, {"ts_pct"}).num_rows(), 5u);
  EXPECT_EQ(wh.page_reads(), pages + 1);  // every record whole again: from the pages
}

// A table not written since a column joined the catalog (a read-only
// warehouse, or no write yet) still lacks it: each read path read the
// column's NAME in every row ('ts_pct'), SQLite taking the unknown
// double-quoted identifier for a string literal. It reads NULL, through
// SQLite (writable and read-only) and through the page reader; the other
// columns are unchanged.
TEST(Warehouse, ACatalogColumnTheStoredTableLacksReadsNull) {
  TempDir dir;
  const Date d1 = Date::parse("2023-11-01"), d2 = Date::parse("2023-11-02");
  {
    SqliteWarehouse wh(dir.path());
    wh.replace_partition(togs(), d1, rows_for(d1, 3, 100));
    wh.replace_partition(togs(), d2, rows_for(d2, 2, 200));
  }
  exec(dir, "ALTER TABLE team_offense_game_summary DROP COLUMN ts_pct");
  exec(dir, "PRAGMA wal_checkpoint(TRUNCATE)");
  const std::vector<std::string> columns{"game_date", "team_abbr", "points_scored", "ts_pct", "home_game"};
  const std::vector<std::string> expected{
      "2023-11-01|T0|100|NULL|true|", "2023-11-01|T1|101|NULL|false|", "2023-11-01|T2|102|NULL|true|",
      "2023-11-02|T0|200|NULL|true|", "2023-11-02|T1|201|NULL|false|",
  };
  auto text = [](const Table& t) {
    std::vector<std::string> out;
    for (size_t r = 0; r < t.num_rows(); ++r) {
      std::string row;
      for (size_t c = 0; c < t.num_columns(); ++c) row += t.cell_text(r, c) + "|";
      out.push_back(row);
    }
    return out;
  };
  {
    SqliteWarehouse wh(dir.path());
    EXPECT_EQ(read_order(wh, columns), expected);
    EXPECT_EQ(text(wh.read(togs(), DateRange{d1, d1}, {"ts_pct"})),
              (std::vector<std::string>{"NULL|", "NULL|", "NULL|"}));
    const int64_t pages = wh.page_reads();
    EXPECT_EQ(text(wh.read_block(togs(), DateRange{d1, d2}, columns)), expected);
    EXPECT_EQ(wh.page_reads(), pages + 1);  // from the pages, not left to SQLite
    EXPECT_EQ(wh.stored_columns(togs())->count("ts_pct"), 0u);
    // Hashes of what is stored: the missing column hashes as NULL.
    const auto hashes = wh.content_hashes(togs(), DateRange{d1, d2}, {"points_scored", "ts_pct"});
    EXPECT_EQ(hashes.size(), 2u);
  }
  {
    SqliteWarehouse ro(dir.path(), true);
    EXPECT_EQ(read_order(ro, columns), expected);
    EXPECT_EQ(text(ro.read_block(togs(), DateRange{d1, d2}, columns)), expected);
  }
  // Nothing of ours reads a double-quoted name as a string: the table still
  // lacks the column (no write since).
  EXPECT_EQ(
      query_rows(dir, "SELECT count(*) FROM pragma_table_info('team_offense_game_summary') WHERE name = 'ts_pct'"),
      (std::vector<std::string>{"0|"}));
}

// A column stored with another type, or one the catalog does not know, refuses
// the write, naming table and column.
TEST(Warehouse, AStoredColumnTheCatalogDoesNotDeclareRefusesTheWrite) {
  const Date d = Date::parse("2023-11-01");
  {
    TempDir dir;
    {
      SqliteWarehouse wh(dir.path());
      wh.replace_partition(togs(), d, rows_for(d, 3, 100));
    }
    exec(dir, "ALTER TABLE team_offense_game_summary ADD COLUMN legacy_extra TEXT");
    SqliteWarehouse wh(dir.path());
    try {
      wh.replace_partition(togs(), d, rows_for(d, 2, 200));
      ADD_FAILURE() << "written";
    } catch (const StorageError& e) {
      EXPECT_NE(std::string(e.what()).find(
                    "nba_analytics.team_offense_game_summary has column legacy_extra (TEXT), which the catalog does "
                    "not know"),
                std::string::npos)
          << e.what();
    }
    EXPECT_EQ(wh.partition_counts(togs(), std::nullopt)[d], 3);
  }
  TempDir dir;
  {
    SqliteWarehouse wh(dir.path());
    wh.replace_partition(togs(), d, rows_for(d, 3, 100));
  }
  exec(dir,
       "ALTER TABLE team_offense_game_summary DROP COLUMN points_scored; "
       "ALTER TABLE team_offense_game_summary ADD COLUMN points_scored TEXT");
  SqliteWarehouse wh(dir.path());
  try {
    wh.replace_partition(togs(), d, rows_for(d, 2, 200));
    ADD_FAILURE() << "written";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("nba_analytics.team_offense_game_summary stores column points_scored as "
                                         "TEXT, the catalog declares INTEGER"),
              std::string::npos)
        << e.what();
  }
}

// Reads keep every value when columns repeat (the last text and date of a
// column are reused), and an unreadable stored date is still an error naming
// the table and column, also where it is empty.
TEST(Warehouse, ReadsOfRepeatedValuesAndUnreadableDates) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-11-01");
  Table rows = rows_for(d, 3, 10);
  rows.set(1, "team_abbr", "T0");  // T0, T0, T2
  wh.replace_partition(togs(), d, rows);
  wh.replace_partition(togs(), d + 1, rows_for(d + 1, 2, 20));
  const Table back = wh.read(togs(), std::nullopt, {"game_date", "team_abbr", "points_scored"});
  ASSERT_EQ(back.num_rows(), 5u);
  std::string seen;
  for (size_t r = 0; r < back.num_rows(); ++r) {
    seen += back.get_date(r, "game_date")->iso() + " " + back.col("team_abbr").text_at(r) + ";";
  }
  EXPECT_EQ(seen, "2023-11-01 T0;2023-11-01 T0;2023-11-01 T2;2023-11-02 T0;2023-11-02 T1;");
  for (const char* bad : {"", "2023-13-45"}) {
    exec(dir, std::string("UPDATE team_offense_game_summary SET game_date = '") + bad + "' WHERE team_abbr = 'T2'");
    try {
      (void)wh.read(togs(), std::nullopt, {"game_date", "team_abbr"});
      FAIL() << "expected an unreadable date for '" << bad << "'";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("team_offense_game_summary.game_date"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("stored value unreadable"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(*bad ? "no such day" : "bad format"), std::string::npos) << e.what();
    }
  }
}

// Reads come in key order within each date whatever order the rows were
// stored in (the sort is done after SQLite's date-ordered scan), with ties in
// stored order, exactly as SQLite's ORDER BY date, keys gives them; also when
// the projection leaves the keys out, and when a stored key would sort
// differently from its decoded value (a BLOB in a TEXT column).
TEST(Warehouse, ReadsComeInKeyOrderWhateverTheStoredOrder) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-11-01");
  Table rows = rows_for(d, 6, 10);
  // Stored order: B5 B4 ... B0 with team_abbr tied on two games; one NULL key.
  Table reversed(togs());
  for (size_t r = rows.num_rows(); r-- > 0;) reversed.append_row(rows, r);
  reversed.set(0, "game_id", rows.col("game_id").text_at(1));  // a tie on both keys with the row of game B1
  reversed.set(0, "team_abbr", rows.col("team_abbr").text_at(1));
  reversed.set(2, "team_abbr", "A");
  wh.replace_partition(togs(), d, reversed);
  wh.replace_partition(togs(), d + 1, rows_for(d + 1, 3, 40));
  exec(dir, "UPDATE team_offense_game_summary SET game_id = NULL WHERE points_scored = 13");

  const auto want = sqlite_order(dir);
  ASSERT_EQ(want.size(), 9u);
  EXPECT_EQ(read_order(wh, {"points_scored"}), want);
  const auto full = read_order(wh, {"game_id", "team_abbr", "points_scored"});
  ASSERT_EQ(full.size(), want.size());
  for (size_t i = 0; i < full.size(); ++i) EXPECT_TRUE(full[i].ends_with("|" + want[i])) << full[i];
  EXPECT_EQ(full.front(), "NULL|A|13|");  // NULL keys first
  // Stored as 15 14 13 12 11 10; the tie (game B1, team T1: 15 and 11) keeps the stored order.
  EXPECT_EQ(want[0] + want[1] + want[2] + want[3] + want[4] + want[5], "13|10|15|11|12|14|");

  exec(dir, "UPDATE team_offense_game_summary SET team_abbr = x'5430' WHERE points_scored = 10");
  EXPECT_EQ(read_order(wh, {"points_scored"}), sqlite_order(dir));  // a BLOB sorts after every text
}

// SQLite's memory statistics are off (set when the library loads): with them,
// every SQLite allocation of every worker took one process-wide mutex.
TEST(Warehouse, SqliteKeepsNoMemoryStatistics) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-11-01");
  wh.replace_partition(togs(), d, rows_for(d, 50, 10));
  EXPECT_EQ(wh.read(togs(), DateRange{d, d}).num_rows(), 50u);
  EXPECT_EQ(sqlite3_memory_used(), 0) << "SQLITE_CONFIG_MEMSTATUS is on";
}

/// The sizes of the analytics file of @p dir and of its WAL.
std::pair<uintmax_t, uintmax_t> db_and_wal(const TempDir& dir) {
  return {std::filesystem::file_size(dir.path() / "nba_analytics.sqlite"),
          std::filesystem::file_size(dir.path() / "nba_analytics.sqlite-wal")};
}

// The checkpoint of a file whose WAL filled runs after the commit, on the
// background checkpointer's thread (outside the files' locks and outside the
// unit that committed), and runs: when the writer pauses between writes (as a
// pipeline's units do, computing), the WAL restarts and stays near its
// threshold instead of holding every page ever written.
TEST(Warehouse, FullWalsAreCheckpointedAfterTheCommit) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  wh.checkpoint_after_pages(64);
  const Date d0 = Date::parse("2023-11-01");
  for (int i = 0; i < 60; ++i) {
    wh.replace_partition(togs(), d0 + i, rows_for(d0 + i, 200, i));
    wh.wait_for_checkpoints();
  }
  int64_t rows = 0;
  for (const auto& [d, n] : wh.partition_counts(togs(), std::nullopt)) rows += n;
  EXPECT_EQ(rows, 60 * 200);
  const auto [db, wal] = db_and_wal(dir);
  EXPECT_GT(db, 600'000u) << "the rows were never checkpointed into the database file";
  EXPECT_LT(wal, db / 2) << "the WAL kept every page: wal " << wal << " bytes, database " << db;
}

// Writers that never pause keep committing while the background checkpointer
// copies their file's log; a log twice the threshold is checkpointed by the
// writer that filled it, so it still restarts (3.8 MB of frames written here,
// the log stays near 0.5 MB), and every row is there after the warehouse
// closed.
TEST(Warehouse, WritersThatNeverPauseStillRestartTheWal) {
  TempDir dir;
  const Date d0 = Date::parse("2023-11-01");
  {
    SqliteWarehouse wh(dir.path());
    wh.checkpoint_after_pages(64);
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w) {
      writers.emplace_back([&, w] {
        for (int i = w; i < 60; i += 2) wh.replace_partition(togs(), d0 + i, rows_for(d0 + i, 200, i));
      });
    }
    for (auto& t : writers) t.join();
    const auto [db, wal] = db_and_wal(dir);
    EXPECT_LT(wal, db) << "the WAL grew with the writes: wal " << wal << " bytes, database " << db;
    wh.wait_for_checkpoints();
    wh.wait_for_checkpoints();  // nothing due: returns at once
  }  // closing joins the checkpointer's thread
  EXPECT_EQ(query_rows(dir, "SELECT COUNT(*), COUNT(DISTINCT game_date) FROM team_offense_game_summary"),
            std::vector<std::string>{"12000|60|"});
}

// Background I/O forbidden (a run with one worker): the writer that filled a
// log checkpoints it after its commit, and nothing is left for the
// checkpointer's thread.
TEST(Warehouse, WithoutBackgroundIoTheWriterCheckpoints) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  wh.checkpoint_after_pages(64);
  wh.allow_background_io(false);
  const Date d0 = Date::parse("2023-11-01");
  for (int i = 0; i < 60; ++i) wh.replace_partition(togs(), d0 + i, rows_for(d0 + i, 200, i));
  const auto [db, wal] = db_and_wal(dir);  // no wait_for_checkpoints: done inline
  EXPECT_GT(db, 600'000u) << "the rows were never checkpointed into the database file";
  EXPECT_LT(wal, db / 2) << "the WAL kept every page: wal " << wal << " bytes, database " << db;
}

// A rerun's partition hashes overwrite the stored rows in place (an upsert):
// one row per partition, each keeping its rowid; the same rows again keep
// the same hash, other rows change only their partition's.
TEST(Warehouse, PartitionHashesAreUpdatedInPlace) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d0 = Date::parse("2023-11-01");
  for (int i = 0; i < 3; ++i) wh.replace_partition(togs(), d0 + i, rows_for(d0 + i, 10, i));
  const char* sql =
      "SELECT rowid, partition_date, content_hash, row_count FROM nbaprops_partition_hashes ORDER BY rowid";
  const auto before = query_rows(dir, sql);
  ASSERT_EQ(before.size(), 3u);
  wh.replace_partition(togs(), d0 + 1, rows_for(d0 + 1, 10, 1));  // the same rows again
  EXPECT_EQ(query_rows(dir, sql), before);
  wh.replace_partition(togs(), d0 + 1, rows_for(d0 + 1, 7, 5));  // other rows
  const auto after = query_rows(dir, sql);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0], before[0]);
  EXPECT_EQ(after[2], before[2]);
  EXPECT_EQ(after[1].substr(0, after[1].find('|')), before[1].substr(0, before[1].find('|'))) << "a new rowid";
  EXPECT_NE(after[1], before[1]);
  EXPECT_TRUE(after[1].ends_with("|7|")) << after[1];
}

// A rerun that replaces a stored partition overwrites the stored rows where
// they are (same rowids, no index churn): stored rows left over are deleted,
// new rows left over appended. Either way the stored partition is exactly the
// new rows, in key order, with its content hash, and a failure part-way leaves
// the old rows.
TEST(Warehouse, ARerunOverwritesTheStoredRowsInPlace) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d0 = Date::parse("2023-11-01"), d1 = d0 + 1, d2 = d0 + 2;
  wh.replace_partition(togs(), d0, rows_for(d0, 5, 100));
  wh.replace_partition(togs(), d1, rows_for(d1, 12, 200));
  wh.replace_partition(togs(), d2, rows_for(d2, 3, 300));
  const char* rowids = "SELECT rowid FROM team_offense_game_summary WHERE game_date = '2023-11-02' ORDER BY rowid";
  const auto ids_before = query_rows(dir, rowids);
  ASSERT_EQ(ids_before.size(), 12u);
  const char* stored =
      "SELECT game_date, team_abbr, points_scored, ts_pct FROM team_offense_game_summary ORDER BY rowid";
  const auto others = query_rows(dir, stored);

  // The same keys with other values, NULLs where there were none, given in
  // reverse key order.
  Table again = rows_for(d1, 12, 700);
  for (size_t r = 0; r < again.num_rows(); r += 4) again.col("ts_pct").set_null(r);
  std::vector<size_t> reverse(again.num_rows());
  std::iota(reverse.begin(), reverse.end(), 0);
  std::sort(reverse.begin(), reverse.end(), [](size_t a, size_t b) { return std::to_string(a) > std::to_string(b); });
  Table given(togs());
  for (size_t r : reverse) given.append_row(again, r);
  wh.replace_partition(togs(), d1, given);

  EXPECT_EQ(query_rows(dir, rowids), ids_before) << "rows were deleted and appended, not overwritten";
  const auto after = query_rows(dir, stored);
  ASSERT_EQ(after.size(), others.size());
  for (size_t k = 0; k < after.size(); ++k) {
    if (after[k].starts_with("2023-11-02")) continue;
    EXPECT_EQ(after[k], others[k]) << "another partition changed";
  }
  // Stored in key order ("B10" before "B2"), every cell the new one.
  std::vector<std::string> expect;
  std::vector<size_t> keys(12);
  std::iota(keys.begin(), keys.end(), 0);
  std::sort(keys.begin(), keys.end(), [](size_t a, size_t b) { return std::to_string(a) < std::to_string(b); });
  for (size_t r : keys) {
    char ts[32] = "NULL";
    if (r % 4 != 0) std::snprintf(ts, sizeof ts, "%.15g", again.col("ts_pct").real_at(r));
    expect.push_back("2023-11-02|T" + std::to_string(r) + "|" + std::to_string(700 + r) + "|" + ts + "|");
  }
  EXPECT_EQ(query_rows(dir,
                       "SELECT game_date, team_abbr, points_scored, ts_pct FROM team_offense_game_summary "
                       "WHERE game_date = '2023-11-02' ORDER BY rowid"),
            expect);
  const Table back = wh.read(togs(), DateRange{d1, d1}, {"team_abbr", "points_scored"});
  ASSERT_EQ(back.num_rows(), 12u);
  for (size_t k = 0; k < keys.size(); ++k) EXPECT_EQ(*back.get_int(k, "points_scored"), 700 + int64_t(keys[k]));
  EXPECT_EQ(wh.partition_hashes(togs(), DateRange{d1, d1})[d1], partition_hashes_of(again)[d1].hex());
  EXPECT_EQ(query_rows(dir, "PRAGMA integrity_check"), std::vector<std::string>{"ok|"});

  // A failure after 5 of the 12 overwrites: the partition as it was.
  wh.inject_write_failure_after(5);
  EXPECT_THROW(wh.replace_partition(togs(), d1, rows_for(d1, 12, 900)), StorageError);
  EXPECT_EQ(query_rows(dir, stored), after);

  // Fewer rows: the first rowids keep them, the last stored row goes.
  const std::string key_ordered =
      "SELECT team_abbr, points_scored FROM team_offense_game_summary WHERE game_date = '2023-11-02' "
      "ORDER BY game_id, team_abbr";
  const std::string by_rowid =
      "SELECT team_abbr, points_scored FROM team_offense_game_summary WHERE game_date = '2023-11-02' ORDER BY rowid";
  wh.replace_partition(togs(), d1, rows_for(d1, 11, 400));
  EXPECT_EQ(query_rows(dir, rowids), std::vector<std::string>(ids_before.begin(), ids_before.begin() + 11));
  EXPECT_EQ(query_rows(dir, by_rowid.c_str()), query_rows(dir, key_ordered.c_str()));
  EXPECT_EQ(wh.partition_hashes(togs(), DateRange{d1, d1})[d1], partition_hashes_of(rows_for(d1, 11, 400))[d1].hex());
  // Many fewer (the UPDATE stops at the first stored row without a new one,
  // the rest is deleted, and it runs again), then back to 11 rows.
  wh.replace_partition(togs(), d1, rows_for(d1, 3, 450));
  EXPECT_EQ(query_rows(dir, rowids), std::vector<std::string>(ids_before.begin(), ids_before.begin() + 3));
  EXPECT_EQ(wh.partition_hashes(togs(), DateRange{d1, d1})[d1], partition_hashes_of(rows_for(d1, 3, 450))[d1].hex());
  wh.replace_partition(togs(), d1, rows_for(d1, 11, 400));
  EXPECT_EQ(query_rows(dir, by_rowid.c_str()), query_rows(dir, key_ordered.c_str()));
  EXPECT_EQ(query_rows(dir, "PRAGMA integrity_check"), std::vector<std::string>{"ok|"});
  const auto ids_eleven = query_rows(dir, rowids);
  // More rows: every stored rowid kept, two rows appended after the table's
  // last rowid, still in key order.
  const auto last = query_rows(dir, "SELECT max(rowid) FROM team_offense_game_summary");
  wh.replace_partition(togs(), d1, rows_for(d1, 13, 500));
  const auto ids_more = query_rows(dir, rowids);
  ASSERT_EQ(ids_more.size(), 13u);
  EXPECT_EQ(std::vector<std::string>(ids_more.begin(), ids_more.begin() + 11), ids_eleven);
  EXPECT_GT(std::stoll(ids_more[11]), std::stoll(last.front()));
  EXPECT_EQ(query_rows(dir, by_rowid.c_str()), query_rows(dir, key_ordered.c_str()));
  const Table more = wh.read(togs(), DateRange{d1, d1}, {"points_scored"});
  ASSERT_EQ(more.num_rows(), 13u);
  EXPECT_EQ(wh.partition_hashes(togs(), DateRange{d1, d1})[d1], partition_hashes_of(rows_for(d1, 13, 500))[d1].hex());
  EXPECT_EQ(wh.partition_counts(togs(), std::nullopt), (std::map<Date, int64_t>{{d0, 5}, {d1, 13}, {d2, 3}}));
  EXPECT_EQ(query_rows(dir, "PRAGMA integrity_check"), std::vector<std::string>{"ok|"});
  // A failure among the appended rows: the partition as it was.
  const auto before_failure = query_rows(dir, stored);
  wh.inject_write_failure_after(14);
  EXPECT_THROW(wh.replace_partition(togs(), d1, rows_for(d1, 15, 900)), StorageError);
  EXPECT_EQ(query_rows(dir, stored), before_failure);

  // A table with a trigger: its insert trigger still sees every row of a
  // replace.
  exec(dir,
       "CREATE TABLE inserted (points INTEGER); CREATE TRIGGER audit AFTER INSERT ON team_offense_game_summary "
       "BEGIN INSERT INTO inserted VALUES (NEW.points_scored); END");
  wh.replace_partition(togs(), d1, rows_for(d1, 13, 800));
  EXPECT_EQ(query_rows(dir, "SELECT count(*), min(points) FROM inserted"), std::vector<std::string>{"13|800|"});
  EXPECT_EQ(wh.partition_counts(togs(), std::nullopt)[d1], 13);
}

// A unique index a user added: a replace of as many rows whose keys shift
// (one team dropped, another added) still succeeds, as delete and insert.
TEST(Warehouse, AUniqueIndexKeepsTheDeleteAndInsert) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-11-01");
  wh.replace_partition(togs(), d, rows_for(d, 3, 100));  // T0 T1 T2
  exec(dir, "CREATE UNIQUE INDEX team_day ON team_offense_game_summary (game_date, team_abbr)");
  // Each game's team is the next stored row's: T1 T2 T3.
  Table shifted = rows_for(d, 3, 500);
  for (size_t r = 0; r < 3; ++r) shifted.set(r, "team_abbr", "T" + std::to_string(r + 1));
  EXPECT_NO_THROW(wh.replace_partition(togs(), d, shifted));
  EXPECT_EQ(query_rows(dir, "SELECT team_abbr, points_scored FROM team_offense_game_summary ORDER BY rowid"),
            (std::vector<std::string>{"T1|500|", "T2|501|", "T3|502|"}));
}

// The overwrite takes the file's write lock before it reads the stored rows,
// so it waits for another connection's write transaction as a delete would
// (a transaction that has read cannot wait: it would fail at once as busy).
TEST(Warehouse, AnOverwriteWaitsForAnotherWritersTransaction) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-11-01");
  wh.replace_partition(togs(), d, rows_for(d, 4, 100));
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "nba_analytics.sqlite").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const Table same_count = rows_for(d, 4, 600);
  auto write = std::async(std::launch::async, [&] { wh.replace_partition(togs(), d, same_count); });
  const bool waited = write.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout;
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_NO_THROW(write.get());
  EXPECT_TRUE(waited) << "the overwrite did not wait for the file's lock";
  EXPECT_EQ(query_rows(dir, "SELECT points_scored FROM team_offense_game_summary ORDER BY rowid"),
            (std::vector<std::string>{"600|", "601|", "602|", "603|"}));
}

// The rows SQLite reads from a unit's table (nbaprops_rows, sqlite_row_source)
// are stored with the types bound values had: dates and text as TEXT, ints and
// booleans as INTEGER, reals as REAL, unset cells as NULL; on a first write
// (insert) and on a rerun (the overwrite in place) alike.
TEST(Warehouse, RowsReadFromTheUnitsTableKeepTheirTypes) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2023-12-25");
  const char* typed =
      "SELECT typeof(game_date), game_date, typeof(team_abbr), typeof(points_scored), points_scored, "
      "typeof(ts_pct), ts_pct, typeof(home_game), home_game, typeof(fg_attempts) "
      "FROM team_offense_game_summary ORDER BY rowid";
  wh.replace_partition(togs(), d, rows_for(d, 2, 100));
  EXPECT_EQ(query_rows(dir, typed),
            (std::vector<std::string>{"text|2023-12-25|text|integer|100|real|0.5|integer|1|null|",
                                      "text|2023-12-25|text|integer|101|real|0.51|integer|0|null|"}));
  wh.replace_partition(togs(), d, rows_for(d, 2, 300));
  EXPECT_EQ(query_rows(dir, typed),
            (std::vector<std::string>{"text|2023-12-25|text|integer|300|real|0.5|integer|1|null|",
                                      "text|2023-12-25|text|integer|301|real|0.51|integer|0|null|"}));
}

// A column with one value in every row of a partition is taken once, as a
// bound parameter, instead of from each row: on a first write (insert) and on
// a rerun (the overwrite in place), every stored cell is still the row's own,
// with its type; partitions whose columns fold in many ways (more statement
// shapes than a connection keeps) are stored right as well.
TEST(Warehouse, ColumnsOfOneValueAreStoredAsEachRowWouldStoreThem) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const char* typed =
      "SELECT game_date, typeof(team_abbr), team_abbr, typeof(season_year), season_year, typeof(points_scored), "
      "points_scored, typeof(ts_pct), ts_pct, typeof(win_flag), win_flag, typeof(fg_attempts) "
      "FROM team_offense_game_summary WHERE game_date = '%s' ORDER BY rowid";
  auto stored = [&](Date d) {
    char sql[512];
    std::snprintf(sql, sizeof sql, typed, d.iso().c_str());
    return query_rows(dir, sql);
  };
  // The expected rows of @p t, in key order (team_abbr "T10" before "T2").
  auto expected = [](const Table& t) {
    std::vector<std::string> out;
    for (size_t r = 0; r < t.num_rows(); ++r) {
      char ts[32] = "NULL";
      if (!t.col("ts_pct").is_null(r)) std::snprintf(ts, sizeof ts, "%.15g", t.col("ts_pct").real_at(r));
      out.push_back(t.cell_text(r, t.require("game_date")) + "|text|" + t.cell_text(r, t.require("team_abbr")) +
                    "|integer|" + std::to_string(*t.get_int(r, "season_year")) + "|integer|" +
                    std::to_string(*t.get_int(r, "points_scored")) + "|" +
                    (t.col("ts_pct").is_null(r) ? "null" : "real") + "|" + ts + "|integer|" +
                    std::to_string(*t.get_int(r, "win_flag")) + "|null|");
    }
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
      return a.substr(0, a.find("|integer")) < b.substr(0, b.find("|integer"));
    });
    return out;
  };
  const Date d = Date::parse("2023-12-25");
  // season_year, win_flag, the date and fg_attempts (NULL) are one value in
  // all 12 rows; team_abbr, the points and ts_pct differ.
  Table first = rows_for(d, 12, 100);
  wh.replace_partition(togs(), d, first);
  EXPECT_EQ(stored(d), expected(first));
  // The rerun: points and ts_pct one value now, season_year another one.
  Table again = rows_for(d, 12, 100);
  for (size_t r = 0; r < again.num_rows(); ++r) {
    again.set(r, "points_scored", int64_t{55});
    again.set(r, "ts_pct", 0.625);
    again.set(r, "season_year", 2024);
  }
  wh.replace_partition(togs(), d, again);
  EXPECT_EQ(stored(d), expected(again));
  // Twenty partitions whose columns fold twenty ways, written twice.
  for (int pass = 0; pass < 2; ++pass) {
    for (int k = 0; k < 20; ++k) {
      const Date dk = d + 1 + k;
      Table t = rows_for(dk, 10, 300 + pass);
      for (size_t r = 0; r < t.num_rows(); ++r) {
        if ((k & 1) != 0) t.set(r, "points_scored", int64_t{k});
        if ((k & 2) != 0) t.set(r, "ts_pct", 0.25 * k);
        if ((k & 4) != 0) t.set(r, "win_flag", r == 0);
        if ((k & 8) != 0) t.set(r, "season_year", 2000 + static_cast<int64_t>(r));
        if ((k & 16) != 0) t.col("ts_pct").set_null(r);
      }
      wh.replace_partition(togs(), dk, t);
      EXPECT_EQ(stored(dk), expected(t)) << dk.iso() << " pass " << pass;
    }
  }
  EXPECT_EQ(wh.partition_hashes(togs(), DateRange{d, d})[d], partition_hashes_of(again)[d].hex());
}

// A scoped replace (one processor's failure rows in a partition all processors
// share) overwrites that processor's rows only.
TEST(Warehouse, AScopedOverwriteLeavesTheRestOfThePartition) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const TableSchema& failures = catalog::get("nba_orchestration.processor_failures");
  const Date d = Date::parse("2023-11-01");
  auto rows_of = [&](const char* processor, const char* reason, int n) {
    Table t(failures);
    for (int i = 0; i < n; ++i) {
      const size_t r = t.add_row();
      t.set(r, "processor", processor);
      t.set(r, "analysis_date", d);
      t.set(r, "entity_id", "p" + std::to_string(i));
      t.set(r, "failure_category", "INSUFFICIENT_DATA");
      t.set(r, "reason", reason);
    }
    return t;
  };
  auto write = [&](const Table& t, const char* processor) {
    wh.write_batch({TableWrite{&failures, &t, {d}, {}, {{"processor", processor}}}});
  };
  write(rows_of("a", "first", 3), "a");
  write(rows_of("b", "first", 2), "b");
  write(rows_of("a", "second", 3), "a");
  const Table back = wh.read(failures, DateRange{d, d}, {"processor", "entity_id", "reason"});
  std::vector<std::string> got;
  for (size_t r = 0; r < back.num_rows(); ++r) {
    got.push_back(back.cell_text(r, 0) + "|" + back.cell_text(r, 1) + "|" + back.cell_text(r, 2));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"a|p0|second", "a|p1|second", "a|p2|second", "b|p0|first", "b|p1|first"}));
}

// Issue 13 (CLI contract): a read-only warehouse opens read-only, reads work,
// and a write says the warehouse is read-only, naming the directory. Forced
// with ?mode=ro (the tests may run as root, for whom permission bits do not
// make a directory read-only; tests/python/test_cli_contract.py covers the
// permission-based detection as an unprivileged user).
TEST(Warehouse, ReadOnlyModeReadsAndRefusesWrites) {
  TempDir dir;
  const Date d = Date::parse("2023-12-25");
  {
    SqliteWarehouse wh(dir.path());
    wh.replace_partition(togs(), d, rows_for(d, 4, 100));
  }
  auto ro = open_warehouse("sqlite://" + dir.path().string() + "?mode=ro");
  EXPECT_EQ(ro->read(togs(), std::nullopt).num_rows(), 4u);
  EXPECT_EQ(ro->partition_counts(togs(), std::nullopt).at(d), 4);
  // A dataset file that does not exist reads as empty instead of failing.
  EXPECT_EQ(ro->read(catalog::get("nba_predictions.prediction_accuracy"), std::nullopt).num_rows(), 0u);
  try {
    ro->replace_partition(togs(), d, rows_for(d, 2, 1));
    ADD_FAILURE() << "expected a StorageError";
  } catch (const StorageError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("warehouse " + dir.path().string() + " is read-only"), std::string::npos) << m;
  }
  EXPECT_THROW(ro->append(togs(), rows_for(d, 1, 1)), StorageError);
  EXPECT_THROW(ro->ensure_table(catalog::get("nba_predictions.prediction_accuracy")), StorageError);
  EXPECT_EQ(ro->read(togs(), std::nullopt).num_rows(), 4u);
  EXPECT_THROW(open_warehouse("sqlite://" + (dir.path() / "missing").string() + "?mode=ro"), StorageError);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "missing"));
  EXPECT_THROW(open_warehouse(dir.path().string() + "?mode=rw"), ConfigError);
}

TEST(Warehouse, WriteBatchOfNothingIsANoOp) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  EXPECT_NO_THROW(wh.write_batch({}));
}

// Partition hashes are stored in the data file they describe (committed with
// the rows); hashes a warehouse recorded before, in
// nba_orchestration.partition_hashes, are still read for partitions not
// rewritten since.
TEST(Warehouse, PartitionHashesLiveWithTheirRowsAndOlderOnesAreStillRead) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d1 = Date::parse("2023-11-01"), d2 = Date::parse("2023-11-02");
  const Table r1 = rows_for(d1, 4, 100);
  wh.replace_partition(togs(), d1, r1);
  EXPECT_EQ(wh.partition_hashes(togs(), std::nullopt).at(d1), partition_hashes_of(r1).at(d1).hex());
  EXPECT_FALSE(wh.has_table(catalog::get("nba_orchestration.partition_hashes")));

  // A hash recorded the old way (written here as an older version did).
  const TableSchema& legacy = catalog::get("nba_orchestration.partition_hashes");
  Table old(legacy);
  for (Date d : {d1, d2}) {
    const size_t r = old.add_row();
    old.set(r, "table_name", togs().name);
    old.set(r, "partition_date", d);
    old.set(r, "content_hash", std::string("00000000deadbeef"));
    old.set(r, "row_count", int64_t{6});
  }
  wh.replace_partitions(legacy, {d1, d2}, old);
  auto hashes = wh.partition_hashes(togs(), std::nullopt);
  EXPECT_EQ(hashes.at(d1), partition_hashes_of(r1).at(d1).hex());  // the data file's own record wins
  EXPECT_EQ(hashes.at(d2), "00000000deadbeef");                    // not rewritten since: the old record
  const Table r2 = rows_for(d2, 6, 90);
  wh.replace_partition(togs(), d2, r2);
  EXPECT_EQ(wh.partition_hashes(togs(), DateRange{d2, d2}).at(d2), partition_hashes_of(r2).at(d2).hex());
  EXPECT_EQ(wh.partition_hashes(togs(), DateRange{d2, d2}).size(), 1u);
}

namespace {

/// A warehouse answering ledger lookups with the Warehouse default (a read of
/// the units' range) over the one it wraps.
class DefaultLedgerLookup final : public pipeline_fakes::Forwarding {
 public:
  using Forwarding::Forwarding;
  Table newest_ledger_rows(const LedgerLookup& q) override { return Warehouse::newest_ledger_rows(q); }
};

/// The rows of a newest_ledger_rows answer as "processor|date|status|fingerprint|finished_at", sorted.
std::vector<std::string> ledger_answer(const Table& t) {
  std::vector<std::string> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    std::string row;
    for (const char* c : {"processor", "unit_date", "status", "input_fingerprint", "finished_at"}) {
      row += t.cell_text(r, t.require(c)) + "|";
    }
    out.push_back(row);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The number of columns of the run ledger's date index in @p dir.
int ledger_index_columns(const TempDir& dir) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((dir.path() / "nba_orchestration.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "PRAGMA index_info(ix_run_ledger_unit_date)", -1, &st, nullptr), SQLITE_OK);
  int n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) ++n;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

}  // namespace

// A unit's newest counting ledger row, looked up unit by unit through the
// ledger's index, is the row the default's read of the whole range keeps: rows
// of other statuses, rows missing a required value and units not asked about
// are passed over, whatever the order the rows were written in.
TEST(Warehouse, NewestLedgerRowsAreLookedUpUnitByUnit) {
  TempDir dir;
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  const Date d1 = Date::parse("2023-11-01"), d2 = Date::parse("2023-11-02"), d3 = Date::parse("2023-11-03");
  {
    SqliteWarehouse wh(dir.path());
    Table rows(ledger);
    // (processor, date, status, fingerprint or "", finished_at), not in time order.
    const std::vector<std::tuple<const char*, Date, const char*, const char*, const char*>> spec = {
        {"psza", d1, "success", "f1", "2026-01-01T00:00:02.000000Z"},
        {"psza", d1, "success", "f0", "2026-01-01T00:00:01.000000Z"},
        {"psza", d1, "failed", "", "2026-01-01T00:00:03.000000Z"},
        {"psza", d1, "success", "", "2026-01-01T00:00:04.000000Z"},  // no fingerprint: not a commit
        {"psza", d2, "skipped_bootstrap", "", "2026-01-01T00:00:05.000000Z"},
        {"tdza", d1, "empty", "e1", "2026-01-01T00:00:01.500000Z"},
        {"tdza", d1, "success", "e0", "2026-01-01T00:00:00.500000Z"},
        {"tdza", d3, "blocked", "", "2026-01-01T00:00:09.000000Z"},
        {"tdza", d3, "success", "g1", "2026-01-01T00:00:08.000000Z"},
        {"pcf", d1, "success", "h1", "2026-01-01T00:00:10.000000Z"},  // not asked about
    };
    for (const auto& [p, d, status, fp, fin] : spec) {
      const size_t r = rows.add_row();
      rows.set(r, "run_id", "r");
      rows.set(r, "processor", p);
      rows.set(r, "unit_date", d);
      rows.set(r, "status", status);
      if (*fp) rows.set(r, "input_fingerprint", fp);
      rows.set(r, "finished_at", fin);
    }
    wh.append(ledger, rows);
  }
  const LedgerLookup commits{{{"psza", d1}, {"psza", d2}, {"tdza", d1}, {"tdza", d3}, {"tdza", d2}},
                             {"success", "empty"},
                             {"input_fingerprint"},
                             {"status", "input_fingerprint", "finished_at"}};
  const std::vector<std::string> want_commits = {
      "psza|2023-11-01|success|f1|2026-01-01T00:00:02.000000Z|",
      "tdza|2023-11-01|empty|e1|2026-01-01T00:00:01.500000Z|",
      "tdza|2023-11-03|success|g1|2026-01-01T00:00:08.000000Z|",
  };
  LedgerLookup outcomes = commits;
  outcomes.statuses = {"success", "empty", "failed", "blocked"};
  outcomes.required.clear();
  const std::vector<std::string> want_outcomes = {
      "psza|2023-11-01|success|NULL|2026-01-01T00:00:04.000000Z|",
      "tdza|2023-11-01|empty|e1|2026-01-01T00:00:01.500000Z|",
      "tdza|2023-11-03|blocked|NULL|2026-01-01T00:00:09.000000Z|",
  };
  {
    // The ledger was created with its date index ordering a date's rows by
    // processor and time.
    SqliteWarehouse wh(dir.path());
    EXPECT_EQ(ledger_index_columns(dir), 3);
    EXPECT_EQ(ledger_answer(wh.newest_ledger_rows(commits)), want_commits);
    EXPECT_EQ(ledger_answer(wh.newest_ledger_rows(outcomes)), want_outcomes);
    DefaultLedgerLookup by_range(wh);
    EXPECT_EQ(ledger_answer(by_range.newest_ledger_rows(commits)), want_commits);
    EXPECT_EQ(ledger_answer(by_range.newest_ledger_rows(outcomes)), want_outcomes);
    EXPECT_EQ(wh.newest_ledger_rows(LedgerLookup{{}, {"success"}, {}, {"status"}}).num_rows(), 0u);
  }
  // A ledger written before, with a date index on the date alone: its range
  // is read, and a lookup writes nothing; a writer's ensure_table (a run's,
  // before its lookups) rebuilds the index.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "nba_orchestration.sqlite").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP INDEX ix_run_ledger_unit_date; "
                           "CREATE INDEX ix_run_ledger_unit_date ON run_ledger(unit_date)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  {
    auto ro = open_warehouse("sqlite://" + dir.path().string() + "?mode=ro");
    EXPECT_EQ(ledger_answer(ro->newest_ledger_rows(commits)), want_commits);
    EXPECT_EQ(ledger_answer(ro->newest_ledger_rows(outcomes)), want_outcomes);
  }
  SqliteWarehouse wh(dir.path());
  EXPECT_EQ(ledger_answer(wh.newest_ledger_rows(commits)), want_commits);
  EXPECT_EQ(ledger_index_columns(dir), 1);
  wh.ensure_table(ledger);
  EXPECT_EQ(ledger_index_columns(dir), 3);
  EXPECT_EQ(ledger_answer(wh.newest_ledger_rows(outcomes)), want_outcomes);
}

// distinct_by_date answers the stored (date, text) pairs of a range: SQLite
// with one SELECT DISTINCT, the interface's default by reading both columns;
// the two agree, with repeated pairs, NULLs, dates outside the range, a
// missing table and a table without the column.
TEST(Warehouse, DistinctByDateIsTheStoredPairsOfTheRange) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const TableSchema& fs = catalog::get("nba_orchestration.processor_failures");
  const DateRange range{Date::parse("2023-11-01"), Date::parse("2023-11-03")};
  EXPECT_TRUE(wh.distinct_by_date(fs, range, "processor").empty());  // no table yet
  wh.ensure_table(fs);
  auto sql = [&](const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "nba_orchestration.sqlite").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  };
  sql("INSERT INTO processor_failures (processor, analysis_date, entity_id) VALUES "
      "('psza', '2023-11-01', 'a'), ('psza', '2023-11-01', 'b'), ('tdza', '2023-11-01', 'BOS'), "
      "('psza', '2023-11-03', 'a'), (NULL, '2023-11-02', 'x'), ('pcf', NULL, 'y'), "
      "('pdc', '2023-10-31', 'z'), ('pdc', '2023-11-04', 'z')");
  using Pairs = std::set<std::pair<Date, std::string>>;
  const Pairs expected{
      {Date::parse("2023-11-01"), "psza"}, {Date::parse("2023-11-01"), "tdza"}, {Date::parse("2023-11-03"), "psza"}};
  EXPECT_EQ(wh.distinct_by_date(fs, range, "processor"), expected);
  EXPECT_EQ(wh.Warehouse::distinct_by_date(fs, range, "processor"), expected);  // the default, by reading
  EXPECT_THROW((void)wh.distinct_by_date(fs, range, "no_such_column"), ConfigError);
  // A range of 28 days or more is read from the table's pages: the same pairs
  // (rows written out of date order, so the table's leaves hold the dates
  // mixed; a page of one run's rows among them).
  const DateRange season{Date::parse("2023-10-01"), Date::parse("2024-04-30")};
  Pairs wide;
  std::string values;
  for (int i = 0; i < 400; ++i) {
    const Date d = season.start + (i * 37) % 200;
    const std::string proc = i % 3 == 0 ? "psza" : (i % 3 == 1 ? "tdza" : "pcf");
    values +=
        std::string(values.empty() ? "" : ", ") + "('" + proc + "', '" + d.iso() + "', 'e" + std::to_string(i) + "')";
    wide.emplace(d, proc);
  }
  sql("INSERT INTO processor_failures (processor, analysis_date, entity_id) VALUES " + values);
  for (const auto& p : expected) wide.insert(p);
  wide.emplace(Date::parse("2023-10-31"), "pdc");
  wide.emplace(Date::parse("2023-11-04"), "pdc");
  // (A warehouse that has not written the file since its log was last
  // copied into it: pages holding its own uncopied writes are not pinned.)
  SqliteWarehouse reader(dir.path());
  EXPECT_EQ(reader.distinct_by_date(fs, season, "processor"), wide);
  EXPECT_EQ(reader.page_reads(), 1);
  EXPECT_EQ(reader.Warehouse::distinct_by_date(fs, season, "processor"), wide);
  EXPECT_EQ(wh.distinct_by_date(fs, season, "processor"), wide);  // through SQLite (its own writes in the log)
  sql("ALTER TABLE processor_failures DROP COLUMN processor");    // as a table without it
  SqliteWarehouse reopened(dir.path());
  EXPECT_TRUE(reopened.distinct_by_date(fs, range, "processor").empty());
}
