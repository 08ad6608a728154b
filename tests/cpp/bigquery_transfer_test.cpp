// copy_partitions (the engine of `nbaprops copy`) between two SQLite
// warehouses, and the import of the newest schedule file under a store prefix:
// backend-independent parts of the BigQuery work.
#include <gtest/gtest.h>

#include <fstream>

#include "nbaprops/core/error.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/io/object_store.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "nbaprops/warehouse/transfer.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using nbaprops::testing::TempDir;

namespace {

const char* kTogs = "nba_analytics.team_offense_game_summary";

Table togs_rows(const std::vector<Date>& dates, int per_date, int points) {
  Table t(catalog::get(kTogs));
  for (Date d : dates) {
    for (int i = 0; i < per_date; ++i) {
      size_t r = t.add_row();
      t.set(r, "game_id", d.compact() + "_AAA_B" + std::to_string(i));
      t.set(r, "game_date", d);
      t.set(r, "team_abbr", "T" + std::to_string(i));
      t.set(r, "opponent_team_abbr", "O" + std::to_string(i));
      t.set(r, "season_year", 2023);
      t.set(r, "points_scored", int64_t{points + i});
      t.set(r, "home_game", i % 2 == 0);
      t.set(r, "win_flag", false);
    }
  }
  return t;
}

}  // namespace

TEST(Transfer, CopyReplacesTheSourceDatesInBatchesAndLeavesTheRest) {
  TempDir a, b;
  SqliteWarehouse src(a.path()), dst(b.path());
  const TableSchema& s = catalog::get(kTogs);
  const Date d0 = Date::parse("2024-01-01");
  std::vector<Date> src_dates{d0, d0 + 1, d0 + 2, d0 + 4, d0 + 5};
  src.replace_partitions(s, src_dates, togs_rows(src_dates, 3, 100));
  // The destination has old rows on a copied date and rows on a date the source
  // lacks.
  dst.replace_partitions(s, {d0, d0 + 3}, togs_rows({d0, d0 + 3}, 2, 1));

  auto reps = copy_partitions(src, dst, {kTogs}, DateRange{d0, d0 + 4}, 2);
  ASSERT_EQ(reps.size(), 1u);
  EXPECT_EQ(reps[0].partitions,
            4);  // d0, d0+1, d0+2, d0+4 (d0+5 is outside the range)
  EXPECT_EQ(reps[0].rows, 12);
  auto counts = dst.partition_counts(s, std::nullopt);
  EXPECT_EQ(counts[d0], 3);      // replaced
  EXPECT_EQ(counts[d0 + 3], 2);  // not in the source: left alone
  EXPECT_EQ(counts[d0 + 4], 3);
  EXPECT_EQ(counts.count(d0 + 5), 0u);
  Table got = dst.read(s, DateRange{d0, d0}, {"points_scored"});
  EXPECT_EQ(*got.get_int(0, "points_scored"), 100);
  EXPECT_THROW(copy_partitions(src, dst, {"nba_analytics.no_such_table"}, std::nullopt), ConfigError);
  EXPECT_THROW(copy_partitions(src, dst, {kTogs}, std::nullopt, 0), ConfigError);
}

TEST(Transfer, NewestScheduleUnderAPrefixAndNoneFound) {
  TempDir dir, whdir;
  SqliteWarehouse wh(whdir.path());
  std::string source;
  EXPECT_THROW(importers::import_newest_schedule(wh, dir.path().string(), &source), StorageError);
  NBAPROPS_REQUIRE_SHARED_FILE(file, "schedule/nbac_schedule_2024_25.json.gz");
  io::LocalObjectStore store(dir.path().string());
  store.write("2024-10-01.json", "{\"not\": \"a schedule\"", "application/json", "");
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  store.write("2024-10-02.json.gz", bytes, "application/json",
              "");  // newer path, same second
  store.write("README.txt", "ignored", "text/plain", "");
  auto rows = importers::import_newest_schedule(wh, dir.path().string(), &source);
  EXPECT_NE(source.find("2024-10-02.json.gz"), std::string::npos) << source;
  EXPECT_GT(rows.at("nba_raw.nbac_schedule"), 1000);
}
