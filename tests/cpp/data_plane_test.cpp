// The data plane's contracts: interned text, strict typed columns, declared
// reads, partition hashes.
#include <gtest/gtest.h>

#include <set>

#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/pipeline/checkpoint.hpp"
#include "nbaprops/processors/processor.hpp"
#include "nbaprops/pipeline/run_lock.hpp"
#include "nbaprops/pipeline/runner.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using nbaprops::testing::TempDir;

namespace {
const TableSchema& togs() { return catalog::get("nba_analytics.team_offense_game_summary"); }

Table togs_rows(Date d, int n, int points) {
  Table t(togs());
  for (int i = 0; i < n; ++i) {
    const size_t r = t.add_row();
    t.set(r, "game_id", d.compact() + "_G" + std::to_string(i));
    t.set(r, "game_date", d);
    t.set(r, "team_abbr", "T" + std::to_string(i));
    t.set(r, "opponent_team_abbr", "O" + std::to_string(i));
    t.set(r, "season_year", 2023);
    t.set(r, "home_game", i % 2 == 0);
    t.set(r, "win_flag", false);
    t.set(r, "points_scored", int64_t{points + i});
    t.set(r, "processed_at", "2026-01-01T00:00:00");
  }
  return t;
}
}  // namespace

TEST(DataPlane, TextIsInternedSoCopiesShareOneString) {
  Table a(togs(), {"game_id", "team_abbr"});
  a.resize(2);
  a.col(0).set_text(0, std::string("20240115_BOS_LAL"));
  a.col(0).set_text(1, std::string_view("20240115_BOS_LAL"));
  EXPECT_EQ(a.col(0).text_ptr(0), a.col(0).text_ptr(1));
  Table b = a.slice(0, 2);
  EXPECT_EQ(b.col(0).text_ptr(1), a.col(0).text_ptr(0));
  EXPECT_EQ(b.col(0).text_at(1), "20240115_BOS_LAL");
  EXPECT_TRUE(b.col(1).is_null(0));
  EXPECT_EQ(b.col(1).text_at(0),
            "");  // a null text cell reads as "", never garbage
}

TEST(DataPlane, TypeMismatchesAndUnknownColumnsAreErrors) {
  Table t(togs(), {"game_id", "points_scored"});
  t.resize(1);
  EXPECT_THROW(t.col("game_id").set_int(0, 5),
               ConfigError);  // an int on a text column
  EXPECT_THROW(t.col("game_id").set_real(0, 5.5), ConfigError);
  EXPECT_THROW(t.col("points_scored").set_text(0, "5"),
               ConfigError);  // text on an int column
  t.col("game_id").set_text(0, "x");
  EXPECT_THROW((void)t.col("game_id").get_int(0),
               ConfigError);  // reading text as a number
  EXPECT_THROW((void)t.col("points_scored").get_text(0), ConfigError);
  EXPECT_THROW((void)t.col("no_such_column"), ConfigError);
  EXPECT_THROW((void)proc::opt_real(t, 0, "no_such_column"), ConfigError);
  // A schema column outside the projection is absent (NULL), not an error.
  EXPECT_FALSE(proc::opt_real(t, 0, "ts_pct").has_value());
}

TEST(DataPlane, ReadsOutsideTheDeclaredWindowsAreRefused) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2024-01-15");
  wh.replace_partition(togs(), d - 3, togs_rows(d - 3, 2, 100));
  const Schedule schedule;
  ProcessorInfo info;
  info.code = "test";
  info.reads = {{togs().name, WindowKind::kDaysBefore, 5, true}};
  const UnitContext ctx{wh, schedule, d, &info};
  EXPECT_EQ(proc::read_window(ctx, togs().name, d - 5, d - 1).num_rows(), 2u);
  try {
    (void)proc::read_window(ctx, togs().name, d - 5,
                            d);  // D itself was not declared
    FAIL() << "expected a refused read";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("outside its declared reads"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)proc::read_window(ctx, "nba_analytics.player_game_summary", d - 1, d - 1), ConfigError);
  info.reads = {{togs().name, WindowKind::kDaysThrough, 5, true}};
  EXPECT_EQ(proc::read_window(ctx, togs().name, d - 5, d).num_rows(), 2u);
}

// Declared columns: a processor whose reads of a table list columns reads
// only those (a read of another column, or of every column, is refused); a
// table read without declared columns keeps any projection.
TEST(DataPlane, ReadsOfUndeclaredColumnsAreRefused) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2024-01-15");
  wh.replace_partition(togs(), d, togs_rows(d, 2, 100));
  const Schedule schedule;
  ProcessorInfo info;
  info.code = "test";
  info.reads = {{togs().name, WindowKind::kSameDate, 0, true, {"game_id", "points_scored"}},
                {togs().name, WindowKind::kDaysBefore, 3, true, {"team_abbr"}}};
  const UnitContext ctx{wh, schedule, d, &info};
  EXPECT_EQ(proc::read_window(ctx, togs().name, d, d, {"points_scored", "team_abbr"}).num_rows(), 2u);
  try {
    (void)proc::read_window(ctx, togs().name, d, d, {"game_id", "season_year"});
    FAIL() << "expected a refused read";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("column season_year"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)proc::read_window(ctx, togs().name, d, d), ConfigError);  // every column
  info.reads.push_back({togs().name, WindowKind::kSameDate, 0, false});        // one read without a list
  EXPECT_EQ(proc::read_window(ctx, togs().name, d, d, {"season_year"}).num_rows(), 2u);
}

// The run loads a raw table with the union of the columns its readers in
// the plan declare (schema order, partition column included); a table one
// reader reads without a list is loaded per projection as before.
TEST(DataPlane, TheRunLoadsEachDeclaredTableOnceWithTheUnion) {
  pipeline::Plan plan;
  for (const char* code : {"togs", "pgs", "upgc"}) plan.processors.push_back(&registry::get(code));
  ASSERT_EQ(plan.processors.size(), 3u);
  const auto proj = pipeline::read_projections(plan);
  const std::string gamebook = "nba_raw.nbac_gamebook_player_stats";
  ASSERT_TRUE(proj.count(gamebook));
  std::set<std::string> want{"game_date"};
  for (const Processor* p : plan.processors) {
    for (const UpstreamRead& r : p->info().reads) {
      if (r.table == gamebook) want.insert(r.columns.begin(), r.columns.end());
    }
  }
  const auto& got = proj.at(gamebook);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want);
  EXPECT_LT(got.size(), catalog::get(gamebook).columns.size());
  EXPECT_FALSE(proj.count("nba_raw.nbac_injury_report"));  // UPGC reads every column of it
  ProcessorInfo info;
  info.reads = {{gamebook, WindowKind::kSameDate, 0, true}};
  struct Any final : Processor {
    const ProcessorInfo* i;
    explicit Any(const ProcessorInfo* x) : i(x) {}
    const ProcessorInfo& info() const override { return *i; }
    UnitOutput run(const UnitContext&) const override { throw ConfigError("not run"); }
  } any(&info);
  plan.processors.push_back(&any);
  EXPECT_FALSE(pipeline::read_projections(plan).count(gamebook));
}

// Every read of a table the pipeline produces declares its columns, so a run
// of the whole registry loads each such table once, with the union of what
// its readers take (a one-date run loaded player_game_summary's season once
// per reader before Phase 4 and 5 declared theirs).
TEST(DataPlane, EveryReadOfAProducedTableDeclaresItsColumns) {
  pipeline::Plan plan;
  std::set<std::string> produced;
  for (const Processor* p : registry::all()) {
    plan.processors.push_back(p);
    produced.insert(p->info().output_table);
  }
  const auto proj = pipeline::read_projections(plan);
  std::set<std::string> read_produced;
  for (const Processor* p : plan.processors) {
    for (const UpstreamRead& r : p->info().reads) {
      if (!produced.count(r.table)) continue;
      read_produced.insert(r.table);
      EXPECT_FALSE(r.columns.empty()) << p->info().code << " reads " << r.table << " without declaring columns";
    }
  }
  EXPECT_GE(read_produced.size(), 10u);
  for (const auto& table : read_produced) {
    ASSERT_TRUE(proj.count(table)) << table;
    EXPECT_LT(proj.at(table).size(), catalog::get(table).columns.size()) << table;
  }
}

TEST(DataPlane, PartitionHashesFollowContentNotOrderOrStamps) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  const Date d = Date::parse("2024-01-15");
  Table rows = togs_rows(d, 3, 100);
  wh.replace_partition(togs(), d, rows);
  const std::string h1 = wh.partition_hashes(togs(), DateRange{d, d}).at(d);
  // Same values in another order, written at another time: same hash.
  Table again = togs_rows(d, 3, 100).slice(1, 3);
  again.append_same(togs_rows(d, 3, 100).slice(0, 1));
  again.col("processed_at").set_text(0, "2027-05-05T00:00:00");
  wh.replace_partition(togs(), d, again);
  EXPECT_EQ(wh.partition_hashes(togs(), DateRange{d, d}).at(d), h1);
  EXPECT_EQ(partition_hashes_of(again).at(d).hex(), h1);
  // One changed value: another hash. A key-scoped replace re-hashes what is
  // stored.
  Table one = togs_rows(d, 1, 101);
  wh.write_batch({TableWrite{&togs(), &one, {d}, {"game_id"}, {}, false}});
  const std::string h2 = wh.partition_hashes(togs(), DateRange{d, d}).at(d);
  EXPECT_NE(h2, h1);
  EXPECT_EQ(partition_hashes_of(wh.read(togs(), DateRange{d, d})).at(d).hex(), h2);
  EXPECT_TRUE(is_run_stamp_column("source_nbac_boxscore_last_updated"));
  EXPECT_FALSE(is_run_stamp_column("points_scored"));
}

TEST(DataPlane, ASecondRunOfTheSameTablesRefusesNamingTheFirst) {
  TempDir dir;
  const std::string wh = dir.path().string();
  {
    pipeline::RunLock first(wh, {"nba_analytics.player_game_summary", "nba_raw.x"}, "run_a", "2026-01-01T00:00:00Z");
    try {
      pipeline::RunLock second(wh, {"nba_analytics.player_game_summary"}, "run_b", "2026-01-01T00:01:00Z");
      FAIL() << "expected a refusal";
    } catch (const pipeline::WarehouseBusy& e) {  // not a usage error (audit B finding 6)
      const std::string m = e.what();
      EXPECT_NE(m.find("run_a"), std::string::npos) << m;
      EXPECT_NE(m.find("2026-01-01T00:00:00Z"), std::string::npos) << m;
      EXPECT_NE(m.find("player_game_summary"), std::string::npos) << m;
    }
    pipeline::RunLock other_tables(wh, {"nba_analytics.team_offense_game_summary"}, "run_c", "t");  // no overlap
  }
  pipeline::RunLock after(wh, {"nba_analytics.player_game_summary"}, "run_d",
                          "t");  // released with the first
}

TEST(DataPlane, CheckpointIdentityIsTheCanonicalWarehousePath) {
  TempDir dir;
  const std::filesystem::path wh = dir.path() / "B";
  std::filesystem::create_directories(wh);
  const DateRange range{Date::parse("2024-01-01"), Date::parse("2024-01-03")};
  {
    pipeline::Checkpoint ck((dir.path() / "ck").string(), "job", range, wh.string() + "/");
    ck.mark_complete(Date::parse("2024-01-01"));
  }
  pipeline::Checkpoint again((dir.path() / "ck").string(), "job", range, (dir.path() / "." / "B").string());
  EXPECT_TRUE(again.warning().empty()) << again.warning();
  EXPECT_TRUE(again.is_committed(Date::parse("2024-01-01")));
}
