// nbaprops_rows (warehouse/sqlite_row_source.hpp) on a connection of its own:
// the rows of a Table as SQLite reads them, the lookup by rid, and its errors.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/table.hpp"
#include "warehouse/sqlite_row_source.hpp"

using namespace nbaprops;
using sqlite_detail::RowSource;

namespace {

struct Db {
  sqlite3* db = nullptr;
  Db() {
    EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite_detail::register_row_source(db);
  }
  ~Db() { sqlite3_close(db); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  /// Every row of @p sql with @p src bound to ?1, cells as text joined by
  /// '|'; an error's message instead when the statement fails.
  std::vector<std::string> rows(const char* sql, RowSource* src) const {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_bind_pointer(st, 1, src, RowSource::kPointerType, nullptr);
    std::vector<std::string> out;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const auto* t = sqlite3_column_text(st, c);
        row += std::string(c ? "|" : "") + (t ? reinterpret_cast<const char*>(t) : "NULL");
      }
      out.push_back(row);
    }
    if (rc != SQLITE_DONE) out.push_back(std::string("error: ") + sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return out;
  }
};

/// Three TOGS rows: game ids g0…g2, points 100…102, ts_pct NULL in the middle.
Table three_rows() {
  Table t(catalog::get("nba_analytics.team_offense_game_summary"));
  for (int i = 0; i < 3; ++i) {
    const size_t r = t.add_row();
    t.set(r, "game_id", "g" + std::to_string(i));
    t.set(r, "game_date", Date::parse("2024-01-0" + std::to_string(i + 1)));
    t.set(r, "points_scored", int64_t{100 + i});
    if (i != 1) t.set(r, "ts_pct", 0.25 * (i + 1));
  }
  return t;
}

}  // namespace

TEST(RowSource, ServesTheRowsOfARangeInOrderWithTheirTypes) {
  Db db;
  const Table t = three_rows();
  const std::vector<size_t> order{2, 0, 1};
  RowSource src(t, order, 0, 3);
  const size_t date = t.require("game_date"), pts = t.require("points_scored"), ts = t.require("ts_pct");
  const std::string sql = "SELECT rid, c" + std::to_string(date) + ", typeof(c" + std::to_string(date) + "), c" +
                          std::to_string(pts) + ", typeof(c" + std::to_string(pts) + "), c" + std::to_string(ts) +
                          ", typeof(c" + std::to_string(ts) + "), c999 FROM nbaprops_rows(?1)";
  EXPECT_EQ(db.rows(sql.c_str(), &src), (std::vector<std::string>{"NULL|2024-01-03|text|102|integer|0.75|real|NULL",
                                                                  "NULL|2024-01-01|text|100|integer|0.25|real|NULL",
                                                                  "NULL|2024-01-02|text|101|integer|NULL|null|NULL"}));
  RowSource tail(t, order, 1, 3);
  EXPECT_EQ(db.rows("SELECT c0 FROM nbaprops_rows(?1)", &tail), (std::vector<std::string>{"g0", "g1"}));
}

// An overwrite's UPDATE visits the stored rows in rowid order and asks for
// each one's row by `rid = <rowid>`: the k-th stored row takes the k-th row;
// a rowid out of order, or one past the last row, is an error.
TEST(RowSource, PairsStoredRowsWithTheRowsInRowidOrder) {
  Db db;
  const Table t = three_rows();
  const std::vector<size_t> order{0, 1, 2};
  RowSource off(t, order, 0, 3);
  EXPECT_EQ(db.rows("SELECT c0 FROM nbaprops_rows(?1) WHERE rid = 7", &off),
            std::vector<std::string>{"error: nbaprops_rows: no row paired with stored rowid 7 (rows paired: 0; stored "
                                     "rows are paired in rowid order, one new row each)"});
  RowSource src(t, order, 0, 3);
  src.pair_in_rowid_order();
  EXPECT_EQ(db.rows("SELECT rid, c0 FROM nbaprops_rows(?1) WHERE rid = 7", &src), std::vector<std::string>{"7|g0"});
  EXPECT_EQ(db.rows("SELECT rid, c0 FROM nbaprops_rows(?1) WHERE rid = 9", &src), std::vector<std::string>{"9|g1"});
  // Out of order: 8 after 9 (the same rowid again as well).
  EXPECT_EQ(db.rows("SELECT c0 FROM nbaprops_rows(?1) WHERE rid = 8", &src),
            std::vector<std::string>{"error: nbaprops_rows: no row paired with stored rowid 8 (rows paired: 2; stored "
                                     "rows are paired in rowid order, one new row each)"});
  EXPECT_EQ(db.rows("SELECT c0 FROM nbaprops_rows(?1) WHERE rid = 9", &src).front().substr(0, 6), "error:");
  EXPECT_EQ(db.rows("SELECT rid, c0 FROM nbaprops_rows(?1) WHERE rid = 40", &src), std::vector<std::string>{"40|g2"});
  EXPECT_EQ(src.paired(), 3u);
  // A stored row past the last new one would be overwritten by NULLs.
  EXPECT_EQ(db.rows("SELECT c0 FROM nbaprops_rows(?1) WHERE rid = 41", &src).front().substr(0, 6), "error:");
  // A scan gives each row with the rowid it was paired with.
  EXPECT_EQ(db.rows("SELECT rid, c0 FROM nbaprops_rows(?1)", &src),
            (std::vector<std::string>{"7|g0", "9|g1", "40|g2"}));
  // Within a range that starts further on.
  RowSource tail(t, order, 1, 3);
  tail.pair_in_rowid_order();
  EXPECT_EQ(db.rows("SELECT rid, c0 FROM nbaprops_rows(?1) WHERE rid = 5", &tail), std::vector<std::string>{"5|g1"});
  EXPECT_EQ(db.rows("SELECT rid, c0 FROM nbaprops_rows(?1)", &tail), (std::vector<std::string>{"5|g1", "NULL|g2"}));
}

TEST(RowSource, FailsWithoutRowsAndAtAnInjectedPosition) {
  Db db;
  EXPECT_EQ(db.rows("SELECT c0 FROM nbaprops_rows(?1)", nullptr),
            std::vector<std::string>{"error: nbaprops_rows: no rows bound to its argument"});
  const Table t = three_rows();
  const std::vector<size_t> order{0, 1, 2};
  RowSource src(t, order, 0, 3);
  src.fail_at(2);
  EXPECT_EQ(db.rows("SELECT c0 FROM nbaprops_rows(?1)", &src),
            (std::vector<std::string>{"g0", "g1", "error: injected write failure"}));
  EXPECT_EQ(src.failed_at(), 2);
  EXPECT_THROW(sqlite_detail::require_row_source_columns(sqlite_detail::kRowSourceColumns + 1, "t"), ConfigError);
  EXPECT_NO_THROW(sqlite_detail::require_row_source_columns(sqlite_detail::kRowSourceColumns, "t"));
}

// A column holding one value in every row of a range (NULL in all of them
// included) is found, so that a statement can take it once as a parameter;
// the value bound is the one every row would give, with its type.
TEST(RowSource, ColumnsOfOneValueAreFoundAndBoundAsEachRowWouldGiveThem) {
  Table t(catalog::get("nba_analytics.team_offense_game_summary"));
  const size_t id = t.require("game_id"), date = t.require("game_date"), team = t.require("team_abbr"),
               pts = t.require("points_scored"), ts = t.require("ts_pct"), year = t.require("season_year"),
               pace = t.require("pace");
  for (int i = 0; i < 4; ++i) {
    const size_t r = t.add_row();
    t.set(r, "game_id", "g" + std::to_string(i));                // differs
    t.set(r, "game_date", Date::parse("2024-01-05"));            // one day
    t.col(team).set_text(r, std::string("BOS"));                 // equal texts, not one pooled string
    t.set(r, "points_scored", int64_t{i == 3 ? 101 : 100});      // differs in the last row only
    t.set(r, "ts_pct", i % 2 == 0 ? 0.0 : -0.0);                 // equal as numbers, not as bits
    t.set(r, "season_year", 2023);                               // one integer
    t.set(r, "pace", std::numeric_limits<double>::quiet_NaN());  // one bit pattern
    if (i < 2) t.set(r, "fg_makes", int64_t{0});                 // 0 in two rows, NULL in two
    if (i < 2) t.set(r, "offensive_rating", 0.0);                // the same with reals
  }
  const std::vector<size_t> order{3, 2, 1, 0};
  RowSource all(t, order, 0, 4);
  const std::vector<uint8_t> constant = all.constant_columns(2);
  ASSERT_EQ(constant.size(), t.num_columns());
  EXPECT_EQ(constant_columns(t, order), constant);  // what the runner finds before a commit's turn
  EXPECT_EQ(constant[id], 0);
  EXPECT_EQ(constant[date], 1);
  EXPECT_EQ(constant[team], 1);
  EXPECT_EQ(constant[pts], 0);
  EXPECT_EQ(constant[ts], 0);
  EXPECT_EQ(constant[year], 1);
  EXPECT_EQ(constant[pace], 1);
  EXPECT_EQ(constant[t.require("fg_attempts")], 1);  // NULL in every row
  EXPECT_EQ(constant[t.require("fg_makes")], 0);
  EXPECT_EQ(constant[t.require("offensive_rating")], 0);
  // Without the last row (order[0]) the points are one value too.
  RowSource tail(t, order, 1, 4);
  EXPECT_EQ(tail.constant_columns(2)[pts], 1);
  // Too few rows: nothing is folded.
  const std::vector<uint8_t> none = all.constant_columns(5);
  EXPECT_EQ(std::count(none.begin(), none.end(), uint8_t{1}), 0);
  RowSource one(t, order, 3, 4);
  const std::vector<uint8_t> single = one.constant_columns(0);
  EXPECT_EQ(std::count(single.begin(), single.end(), uint8_t{1}), 0);

  // Bound values: what the first row of the range gives through the source.
  Db db;
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db.db, "SELECT typeof(?1), ?1, typeof(?2), ?2, typeof(?3), ?3, typeof(?4), ?4, typeof(?5)", -1,
                         &st, nullptr),
      SQLITE_OK);
  all.bind_first(st, 1, date);
  all.bind_first(st, 2, team);
  all.bind_first(st, 3, pts);
  all.bind_first(st, 4, ts);
  all.bind_first(st, 5, t.require("fg_attempts"));
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  std::string row;
  for (int c = 0; c < sqlite3_column_count(st); ++c) {
    const auto* text = sqlite3_column_text(st, c);
    row += std::string(c ? "|" : "") + (text ? reinterpret_cast<const char*>(text) : "NULL");
  }
  sqlite3_finalize(st);
  EXPECT_EQ(row, "text|2024-01-05|text|BOS|integer|101|real|0.0|null");
}
