#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "nbaprops/warehouse/cached_warehouse.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "pipeline_fakes.hpp"
#include "test_util.hpp"

using namespace nbaprops;

namespace {
const TableSchema& togs() { return catalog::get("nba_analytics.team_offense_game_summary"); }

Table day_rows(Date d, int n, int base) {
  Table t(togs());
  for (int i = 0; i < n; ++i) {
    size_t r = t.add_row();
    t.set(r, "game_id",
          d.compact() + "_G" + std::to_string(n - i));  // inserted out of key order
    t.set(r, "game_date", d);
    t.set(r, "team_abbr", "T" + std::to_string(i));
    t.set(r, "opponent_team_abbr", "O");
    t.set(r, "season_year", 2023);
    t.set(r, "points_scored", int64_t{base + i});
    t.set(r, "home_game", true);
    t.set(r, "win_flag", false);
  }
  return t;
}

std::string dump(const Table& t) {
  std::string s;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    for (size_t c = 0; c < t.num_columns(); ++c) s += t.cell_text(r, c) + ",";
    s += "\n";
  }
  return s;
}
}  // namespace

TEST(CachedWarehouse, ReadsEqualTheBaseBeforeAndAfterWrites) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse base(dir.path());
  Date d0 = Date::parse("2023-11-01");
  for (int i = 0; i < 20; ++i) base.replace_partition(togs(), d0 + i, day_rows(d0 + i, 3 + i % 4, i * 10));
  CachedWarehouse cache(base, DateRange{d0 - 30, d0 + 40});
  const std::vector<std::string> proj = {"game_date", "game_id", "points_scored"};
  for (auto [a, b] : std::vector<std::pair<int, int>>{{0, 19}, {3, 3}, {5, 12}, {18, 25}, {-10, 2}}) {
    DateRange r{d0 + a, d0 + b};
    EXPECT_EQ(dump(cache.read(togs(), r, proj)), dump(base.read(togs(), r, proj))) << a << ".." << b;
    EXPECT_EQ(dump(cache.read(togs(), r)), dump(base.read(togs(), r)));
  }
  const int64_t after_first = cache.base_reads();
  EXPECT_EQ(after_first, 2);  // one bulk load per projection, then memory
  // A write through the cache is visible, in base order (key order, not written
  // order), with no read-back: the written rows are the partition.
  cache.replace_partition(togs(), d0 + 5, day_rows(d0 + 5, 7, 500));
  cache.replace_partition(togs(), d0 + 25, day_rows(d0 + 25, 2, 900));  // a new date
  DateRange all{d0, d0 + 30};
  EXPECT_EQ(dump(cache.read(togs(), all, proj)), dump(base.read(togs(), all, proj)));
  EXPECT_EQ(cache.base_reads(), after_first);
  // A partial (key-scoped) replace is read back from the base on the next read.
  Table one = day_rows(d0 + 6, 1, 7000);
  cache.write_batch({TableWrite{&togs(), &one, {d0 + 6}, {"game_id"}, {}, false}});
  EXPECT_EQ(dump(cache.read(togs(), all, proj)), dump(base.read(togs(), all, proj)));
  EXPECT_EQ(cache.base_reads(), after_first + 1);
  // Outside the window, or without the partition column: straight to the base.
  EXPECT_EQ(dump(cache.read(togs(), DateRange{d0 - 100, d0}, proj)),
            dump(base.read(togs(), DateRange{d0 - 100, d0}, proj)));
  EXPECT_EQ(cache.read(togs(), all, {"points_scored"}).num_rows(),
            base.read(togs(), all, {"points_scored"}).num_rows());
}

// Rows are put in stored order once, before the write: rows without their
// partition column cannot be, and the write fails as it always did, naming the
// table and the column, through the cache as on the base, storing nothing.
TEST(CachedWarehouse, AWriteWithoutThePartitionColumnFailsNamingItAndStoresNothing) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse base(dir.path());
  const Date d = Date::parse("2023-11-01");
  base.replace_partition(togs(), d, day_rows(d, 3, 0));
  CachedWarehouse cache(base, DateRange{d - 5, d + 5});
  const std::string before = dump(cache.read(togs(), DateRange{d, d}));
  const Table full = day_rows(d, 4, 100);
  Table undated(togs(), {"game_id", "team_abbr", "points_scored"});
  undated.append_columns(full, {full.require("game_id"), full.require("team_abbr"), full.require("points_scored")});
  for (Warehouse* wh : std::vector<Warehouse*>{&base, &cache}) {
    try {
      wh->write_batch({TableWrite{&togs(), &undated, {d}, {}}});
      ADD_FAILURE() << "a write without game_date was accepted";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("team_offense_game_summary"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("lack the partition column game_date"), std::string::npos) << e.what();
    }
    EXPECT_EQ(dump(wh->read(togs(), DateRange{d, d})), before);
  }
}

// The runner releases what no unfinished unit can read: the partitions before
// the floor leave memory, later reads of them go to the base (and still equal
// it), reads after it stay in memory, and a write before the floor is not
// cached again.
TEST(CachedWarehouse, ReleaseBeforeDropsOldPartitionsAndReadsThemFromTheBase) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse base(dir.path());
  Date d0 = Date::parse("2023-11-01");
  for (int i = 0; i < 20; ++i) base.replace_partition(togs(), d0 + i, day_rows(d0 + i, 3, i * 10));
  CachedWarehouse cache(base, DateRange{d0, d0 + 30});
  const DateRange all{d0, d0 + 19};
  EXPECT_EQ(dump(cache.read(togs(), all)), dump(base.read(togs(), all)));
  EXPECT_EQ(cache.cached_rows(), 60u);
  cache.release_before(d0 + 10);
  EXPECT_EQ(cache.cached_rows(), 30u);
  cache.release_before(d0 + 5);  // never backwards
  EXPECT_EQ(cache.cached_rows(), 30u);
  int64_t reads = cache.base_reads();
  EXPECT_EQ(dump(cache.read(togs(), DateRange{d0 + 10, d0 + 19})),
            dump(base.read(togs(), DateRange{d0 + 10, d0 + 19})));
  EXPECT_EQ(cache.base_reads(), reads);  // still in memory
  EXPECT_EQ(dump(cache.read(togs(), DateRange{d0 + 2, d0 + 12})), dump(base.read(togs(), DateRange{d0 + 2, d0 + 12})));
  EXPECT_EQ(cache.base_reads(), reads + 1);  // reaches before the floor: the base
  cache.replace_partition(togs(), d0 + 3, day_rows(d0 + 3, 5, 700));
  cache.replace_partition(togs(), d0 + 12, day_rows(d0 + 12, 5, 800));
  EXPECT_EQ(cache.cached_rows(), 32u);  // only the write at or after the floor
  EXPECT_EQ(dump(cache.read(togs(), all)), dump(base.read(togs(), all)));
  const int64_t before = cache.base_reads();
  EXPECT_EQ(dump(cache.read(togs(), DateRange{d0 + 12, d0 + 12})),
            dump(base.read(togs(), DateRange{d0 + 12, d0 + 12})));
  EXPECT_EQ(cache.base_reads(), before);  // the write went into memory
}

namespace {
/// Forwards to a base warehouse; a block read waits until open() (and says
/// it has started).
class HeldBlocks final : public nbaprops::testing::pipeline_fakes::Forwarding {
 public:
  using Forwarding::Forwarding;
  Table read_block(const TableSchema& s, DateRange r, const std::vector<std::string>& c) override {
    {
      std::unique_lock lock(mu_);
      entered_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
    }
    return Forwarding::read_block(s, r, c);
  }
  bool wait_entered(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return entered_; });
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false, open_ = false;
};
}  // namespace

// A release does not wait for a projection another thread is loading (a
// worker releasing after its unit would idle while another reads a season's
// block): it returns at once, and the partitions it could not take leave at
// the projection's next read, which still equals the base.
TEST(CachedWarehouse, ReleaseDoesNotWaitForABlockLoadingAndTakesItsPartitionsLater) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse sqlite(dir.path());
  const Date d0 = Date::parse("2023-11-01");
  for (int i = 0; i < 20; ++i) sqlite.replace_partition(togs(), d0 + i, day_rows(d0 + i, 3, i * 10));
  HeldBlocks base(sqlite);
  CachedWarehouse cache(base, DateRange{d0, d0 + 30});
  auto loading = std::async(std::launch::async, [&] { return cache.read(togs(), DateRange{d0 + 8, d0 + 19}); });
  ASSERT_TRUE(base.wait_entered(std::chrono::seconds(10)));
  auto release = std::async(std::launch::async, [&] { cache.release_before(d0 + 10); });
  const bool returned = release.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  base.open();
  EXPECT_TRUE(returned) << "release_before waited for the block being loaded";
  release.get();
  EXPECT_EQ(dump(loading.get()), dump(sqlite.read(togs(), DateRange{d0 + 8, d0 + 19})));
  EXPECT_EQ(cache.cached_rows(), 60u);  // the block loaded from d0 on, all of it still held
  const int64_t reads = cache.base_reads();
  EXPECT_EQ(dump(cache.read(togs(), DateRange{d0 + 12, d0 + 19})),
            dump(sqlite.read(togs(), DateRange{d0 + 12, d0 + 19})));
  EXPECT_EQ(cache.base_reads(), reads);  // from memory
  EXPECT_EQ(cache.cached_rows(), 30u);   // the dates before the floor left at that read
}

// Partitions a run is about to replace (expect_writes) are left out of the
// block loads: a rerun does not read the old rows it replaces. Each comes in
// with its write, or from the base once its unit settles without one; dates
// between them load as before, also when the expected ones are scattered.
TEST(CachedWarehouse, ExpectedPartitionsLoadFromTheirWriteOrOnceSettled) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse base(dir.path());
  const Date d0 = Date::parse("2023-11-01");
  size_t stored = 0;
  for (int i = 0; i < 20; ++i) {
    base.replace_partition(togs(), d0 + i, day_rows(d0 + i, 3 + i % 4, i * 10));
    stored += 3 + i % 4;
  }
  auto rows_of = [](int i) { return size_t(3 + i % 4); };
  CachedWarehouse cache(base, DateRange{d0 - 30, d0 + 40});
  ASSERT_TRUE(cache.short_reads_are_cheap());
  cache.expect_writes(togs().name, {d0 + 5, d0 + 6, d0 + 7, d0 + 10, d0 + 12});
  const DateRange first{d0, d0 + 4};
  EXPECT_EQ(dump(cache.read(togs(), first)), dump(base.read(togs(), first)));
  // One block, [d0 - 30, d0 + 89] cut to the window, read around the five
  // expected dates: four base reads, none of the expected rows.
  EXPECT_EQ(cache.base_reads(), 4);
  EXPECT_EQ(cache.cached_rows(), stored - rows_of(5) - rows_of(6) - rows_of(7) - rows_of(10) - rows_of(12));
  for (int i : {8, 9, 11, 13, 19}) {
    EXPECT_EQ(dump(cache.read(togs(), DateRange{d0 + i, d0 + i})), dump(base.read(togs(), DateRange{d0 + i, d0 + i})))
        << i;
  }
  EXPECT_EQ(cache.base_reads(), 4);
  // Written: served from the write, with no read of the base; settling it
  // changes nothing.
  cache.replace_partition(togs(), d0 + 5, day_rows(d0 + 5, 6, 500));
  cache.settle(togs().name, d0 + 5);
  const DateRange five{d0 + 5, d0 + 5};
  EXPECT_EQ(dump(cache.read(togs(), five)), dump(base.read(togs(), five)));
  EXPECT_EQ(cache.base_reads(), 4);
  // Settled without a write (resumed, failed, blocked): the stored rows, read
  // once from the base.
  cache.settle(togs().name, d0 + 6);
  const DateRange six{d0 + 6, d0 + 6};
  EXPECT_EQ(dump(cache.read(togs(), six)), dump(base.read(togs(), six)));
  EXPECT_EQ(cache.read(togs(), six).num_rows(), rows_of(6));
  EXPECT_EQ(cache.base_reads(), 5);
  EXPECT_EQ(dump(cache.read(togs(), six)), dump(base.read(togs(), six)));
  EXPECT_EQ(cache.base_reads(), 5);
  // An empty write replaces the partition with nothing.
  cache.replace_partition(togs(), d0 + 7, Table(togs()));
  EXPECT_EQ(cache.read(togs(), DateRange{d0 + 7, d0 + 7}).num_rows(), 0u);
  // The other projection of the table, loaded after these writes and
  // settlements, and before the last two: the same rows as the base where the
  // run is done.
  const std::vector<std::string> proj = {"game_date", "game_id", "points_scored"};
  const DateRange done{d0, d0 + 9};
  EXPECT_EQ(dump(cache.read(togs(), done, proj)), dump(base.read(togs(), done, proj)));
  cache.settle(togs().name, d0 + 10);
  cache.replace_partition(togs(), d0 + 12, day_rows(d0 + 12, 2, 900));
  const DateRange all{d0 - 5, d0 + 25};
  EXPECT_EQ(dump(cache.read(togs(), all)), dump(base.read(togs(), all)));
  EXPECT_EQ(dump(cache.read(togs(), all, proj)), dump(base.read(togs(), all, proj)));
}

// A base where every read is a remote query (BigQuery) keeps one read per
// block: the expected partitions are loaded with it, as before.
TEST(CachedWarehouse, ABaseWithoutCheapShortReadsLoadsWholeBlocks) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse sqlite(dir.path());
  struct Remote : nbaprops::testing::pipeline_fakes::Forwarding {
    using Forwarding::Forwarding;
    [[nodiscard]] bool short_reads_are_cheap() const override { return false; }
  } base(sqlite);
  const Date d0 = Date::parse("2023-11-01");
  for (int i = 0; i < 10; ++i) sqlite.replace_partition(togs(), d0 + i, day_rows(d0 + i, 3, i * 10));
  CachedWarehouse cache(base, DateRange{d0 - 30, d0 + 40});
  EXPECT_FALSE(cache.short_reads_are_cheap());
  cache.expect_writes(togs().name, {d0 + 3, d0 + 6});
  const DateRange all{d0, d0 + 9};
  EXPECT_EQ(dump(cache.read(togs(), all)), dump(sqlite.read(togs(), all)));
  EXPECT_EQ(cache.base_reads(), 1);
  EXPECT_EQ(cache.cached_rows(), 30u);
  cache.settle(togs().name, d0 + 3);  // not expected here: nothing to reload
  EXPECT_EQ(dump(cache.read(togs(), all)), dump(sqlite.read(togs(), all)));
  EXPECT_EQ(cache.base_reads(), 1);
}

// A table the plan's reads declare columns of is loaded once, with their
// union: every subset is cut from that copy (equal to the base's read of the
// subset, before and after writes), a read of other columns is not.
TEST(CachedWarehouse, DeclaredProjectionsLoadATableOnce) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse base(dir.path());
  const Date d0 = Date::parse("2023-11-01");
  for (int i = 0; i < 10; ++i) base.replace_partition(togs(), d0 + i, day_rows(d0 + i, 3 + i % 3, i * 10));
  const std::vector<std::string> load = {"game_id", "game_date", "team_abbr", "points_scored"};
  CachedWarehouse cache(base, {{togs().name, DateRange{d0, d0 + 20}}}, {{togs().name, load}});
  const std::vector<std::vector<std::string>> subsets = {
      {"points_scored", "game_id"}, {"team_abbr"}, {"game_date", "team_abbr", "game_id"}, load};
  for (const auto& cols : subsets) {
    for (auto [a, b] : std::vector<std::pair<int, int>>{{0, 9}, {2, 2}, {4, 15}}) {
      const DateRange r{d0 + a, d0 + b};
      EXPECT_EQ(dump(cache.read(togs(), r, cols)), dump(base.read(togs(), r, cols))) << cols.front() << " " << a;
    }
  }
  EXPECT_EQ(cache.base_reads(), 1);  // one load of the union for every subset
  cache.replace_partition(togs(), d0 + 3, day_rows(d0 + 3, 6, 700));
  EXPECT_EQ(dump(cache.read(togs(), DateRange{d0, d0 + 9}, {"points_scored", "game_id"})),
            dump(base.read(togs(), DateRange{d0, d0 + 9}, {"points_scored", "game_id"})));
  EXPECT_EQ(cache.base_reads(), 1);
  // A column outside the declared union is its own projection (one more load).
  EXPECT_EQ(dump(cache.read(togs(), DateRange{d0, d0 + 9}, {"game_date", "season_year"})),
            dump(base.read(togs(), DateRange{d0, d0 + 9}, {"game_date", "season_year"})));
  EXPECT_EQ(cache.base_reads(), 2);
}

// The window loads in blocks as reads reach them (not every season of a run at
// once): a read past the loaded block loads the next one, and every read
// still equals the base, also around writes into a block not loaded yet.
TEST(CachedWarehouse, TheWindowLoadsInBlocksAsReadsReachThem) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse base(dir.path());
  const Date d0 = Date::parse("2023-01-01");
  for (int i = 0; i < 300; i += 10) base.replace_partition(togs(), d0 + i, day_rows(d0 + i, 2, i));
  CachedWarehouse cache(base, DateRange{d0, d0 + 400});
  const std::vector<std::string> proj = {"game_date", "game_id", "points_scored"};
  const auto same = [&](int a, int b) {
    const DateRange r{d0 + a, d0 + b};
    EXPECT_EQ(dump(cache.read(togs(), r, proj)), dump(base.read(togs(), r, proj))) << a << ".." << b;
  };
  same(0, 20);
  EXPECT_EQ(cache.base_reads(), 1);
  const size_t first_block = cache.cached_rows();
  EXPECT_LT(first_block, 60u);  // not all 300 days
  same(100, 110);
  EXPECT_EQ(cache.base_reads(), 1);                                        // inside the first block
  cache.replace_partition(togs(), d0 + 250, day_rows(d0 + 250, 5, 9000));  // a date not loaded yet
  same(200, 260);
  EXPECT_EQ(cache.base_reads(), 2);
  same(0, 400);
  EXPECT_EQ(cache.base_reads(), 3);
  same(50, 290);
  EXPECT_EQ(cache.base_reads(), 3);
}

// Blocks of tables the run does not write (raw inputs) are read from the
// file's pages (read_block); once the run writes a table's file, its blocks go
// through SQLite (its log holds the run's frames). The same rows either way.
TEST(CachedWarehouse, BlocksOfTablesTheRunWritesGoThroughSqlite) {
  nbaprops::testing::TempDir dir;
  const Date d0 = Date::parse("2023-01-01");
  {
    SqliteWarehouse writer(dir.path());
    for (int i = 0; i < 30; i += 3) writer.replace_partition(togs(), d0 + i, day_rows(d0 + i, 4, i));
  }
  SqliteWarehouse base(dir.path());
  const DateRange r{d0, d0 + 30};
  const std::vector<std::string> proj = {"game_date", "game_id", "points_scored"};
  {
    CachedWarehouse cache(base, {{togs().name, r}});
    EXPECT_EQ(dump(cache.read(togs(), r, proj)), dump(base.read(togs(), r, proj)));
    EXPECT_EQ(base.page_reads(), 1);
  }
  CachedWarehouse cache(base, {{togs().name, r}});
  cache.replace_partition(togs(), d0 + 40, day_rows(d0 + 40, 4, 40));  // a unit's commit, outside the window
  EXPECT_EQ(dump(cache.read(togs(), r, proj)), dump(base.read(togs(), r, proj)));
  EXPECT_EQ(base.page_reads(), 1);  // the table's file is being written: through SQLite
}

// Content hashes over declared columns (what raw-input fingerprints use) agree
// whichever way they are computed: streamed by SQLite, hashed in place from the
// cached projection, or from the rows read with those columns. A column left
// out changes nothing; a column hashed does.
TEST(CachedWarehouse, ContentHashesOverColumnsAgreeAcrossPaths) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse base(dir.path());
  const Date d0 = Date::parse("2023-11-01");
  for (int i = 0; i < 6; ++i) base.replace_partition(togs(), d0 + i, day_rows(d0 + i, 2 + i % 3, i * 10));
  const std::vector<std::string> load = {"game_id", "game_date", "team_abbr", "points_scored"};
  CachedWarehouse cache(base, {{togs().name, DateRange{d0, d0 + 20}}}, {{togs().name, load}});
  const DateRange r{d0 + 1, d0 + 4};
  const auto hex = [](const std::map<Date, PartitionHash>& m) {
    std::string s;
    for (const auto& [d, h] : m) s += d.iso() + "=" + h.hex() + ";";
    return s;
  };
  const std::vector<std::vector<std::string>> sets = {{"points_scored", "game_id"}, {"team_abbr"}, load};
  for (const auto& cols : sets) {
    std::vector<std::string> with_part = cols;
    if (std::find(cols.begin(), cols.end(), "game_date") == cols.end()) with_part.push_back("game_date");
    const std::string want = hex(partition_hashes_of(base.read(togs(), r, with_part), cols));
    EXPECT_EQ(hex(base.content_hashes(togs(), r, cols)), want) << cols.front();
    EXPECT_EQ(hex(cache.content_hashes(togs(), r, cols)), want) << cols.front();
    EXPECT_EQ(hex(static_cast<Warehouse&>(cache).Warehouse::content_hashes(togs(), r, cols)), want);
  }
  EXPECT_EQ(cache.base_reads(), 1);  // the declared projection, loaded once, hashed in place
  EXPECT_EQ(hex(base.content_hashes(togs(), r)), hex(partition_hashes_of(base.read(togs(), r))));
  EXPECT_EQ(hex(cache.content_hashes(togs(), r, {"season_year"})),
            hex(base.content_hashes(togs(), r, {"season_year"})));

  // Change a column outside {team_abbr}: its hashes stay; those over points_scored move.
  const std::string team = hex(base.content_hashes(togs(), r, {"team_abbr"}));
  const std::string points = hex(base.content_hashes(togs(), r, {"points_scored"}));
  Table changed = day_rows(d0 + 2, 4, 20);
  changed.set(0, "points_scored", int64_t{999});
  base.replace_partition(togs(), d0 + 2, changed);
  EXPECT_EQ(hex(base.content_hashes(togs(), r, {"team_abbr"})), team);
  EXPECT_NE(hex(base.content_hashes(togs(), r, {"points_scored"})), points);
}
