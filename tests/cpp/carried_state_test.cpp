// The carried state of the incremental processors (PSZA, PDC, MLFS): a date
// computed from a season history that other dates — earlier or later, in any
// order — already filled gives exactly the rows of that date computed alone,
// and the rows the runner committed.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/processors/processor.hpp"
#include "nbaprops/pipeline/runner.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/synth/demo.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "test_util.hpp"

using namespace nbaprops;

namespace {

std::string content(const Table& rows) {
  std::string out;
  for (const auto& [d, h] : partition_hashes_of(rows)) out += d.iso() + ":" + h.hex() + ";";
  return out;
}

}  // namespace

TEST(CarriedState, PointInTimeAnyDateOrderEqualsEachDateAlone) {
  nbaprops::testing::TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  synth::generate_demo(*wh, {{2022}, 7});
  const Schedule schedule = Schedule::from_table(wh->read(catalog::get("nba_raw.nbac_schedule"), std::nullopt));
  const Date first = *schedule.season_start(2022);
  pipeline::PlanOptions po;
  po.range = DateRange{first, first + 40};
  po.processors = {"phase3", "phase4", "mlfs"};
  const pipeline::Plan plan = pipeline::make_plan(schedule, po);
  pipeline::RunOptions ro;
  ro.checkpoint_dir = "";
  const pipeline::RunResult run = pipeline::run(*wh, schedule, plan, ro);
  ASSERT_EQ(run.exit_code(), 0) << run.summary_text();

  // Game dates after the bootstrap days, visited latest first, then the rest
  // interleaved: every date is answered from a history that already holds
  // later dates, and MLFS's history (which starts at its first unit's D − 60)
  // must fall back for the earlier windows.
  std::vector<Date> dates;
  for (Date d = first + 14; d <= first + 40; d = d + 1) {
    if (!schedule.games_on(d).empty()) dates.push_back(d);
  }
  ASSERT_GE(dates.size(), 10u);
  std::reverse(dates.begin(), dates.end());
  std::stable_partition(dates.begin(), dates.end(), [&](Date d) { return (d - dates.back()) % 2 == 0; });

  for (const char* code : {"psza", "pdc", "mlfs"}) {
    const Processor& p = registry::get(code);
    std::unique_ptr<CarriedState> carried = p.make_carried_state();
    ASSERT_NE(carried, nullptr) << code;
    int nonempty = 0;
    for (Date d : dates) {
      const UnitOutput shared = p.run(UnitContext{*wh, schedule, d, &p.info(), carried.get()});
      const UnitOutput alone = p.run(UnitContext{*wh, schedule, d, &p.info(), nullptr});
      const Table stored = wh->read(catalog::get(p.info().output_table), DateRange{d, d});
      EXPECT_EQ(content(shared.rows), content(alone.rows)) << code << " " << d.iso();
      EXPECT_EQ(content(shared.rows), content(stored)) << code << " " << d.iso();
      EXPECT_EQ(shared.failures.size(), alone.failures.size()) << code << " " << d.iso();
      nonempty += shared.rows.num_rows() > 0 ? 1 : 0;
    }
    EXPECT_GT(nonempty, 0) << code << ": no date produced rows, the comparison would be vacuous";
  }
}

namespace {
/// A history that records what it was given.
class Recorder final : public proc::SeasonHistory {
 public:
  std::vector<std::pair<Date, Date>> reads;
  std::vector<int32_t> days;

 protected:
  void add_rows(const Table& t, const std::vector<size_t>& rows) override {
    for (size_t r : rows) days.push_back(static_cast<int32_t>(t.col("game_date").int_at(r)));
  }
};

Table togs_on(std::vector<Date> dates) {
  Table t(catalog::get("nba_analytics.team_offense_game_summary"), {"game_id", "game_date", "team_abbr"});
  for (Date d : dates) {
    const size_t r = t.add_row();
    t.set(r, "game_id", d.compact() + "_X");
    t.set(r, "game_date", d);
    t.set(r, "team_abbr", "AAA");
  }
  return t;
}
}  // namespace

// A unit never reads outside its window through a history another unit
// started: it is told to use its own (the concurrency case of MLFS, whose
// window start moves with D early in a season).
TEST(CarriedState, CatchUpRefusesDatesBeforeTheUnitsWindowAndIngestsEachDateOnce) {
  const Date d0 = Date::from_ymd(2023, 10, 1);
  Recorder h;
  auto read = [&](Date from, Date to) {
    h.reads.emplace_back(from, to);
    std::vector<Date> dates;
    for (Date d = from; d <= to; d = d + 1) dates.push_back(d);
    std::reverse(dates.begin(), dates.end());  // stored order is not date order
    return togs_on(dates);
  };
  ASSERT_TRUE(h.start(d0, d0));
  EXPECT_FALSE(h.start(d0 - 1, d0));  // a wider window than the history has
  EXPECT_TRUE(h.start(d0 + 5, d0));
  // Not yet ingested from d0, but this unit's window starts at d0 + 5.
  EXPECT_FALSE(h.catch_up(d0 + 5, d0 + 9, read));
  EXPECT_TRUE(h.reads.empty());
  EXPECT_TRUE(h.catch_up(d0, d0 + 3, read));
  EXPECT_TRUE(h.catch_up(d0, d0 + 3, read));  // nothing new: no read
  EXPECT_TRUE(h.catch_up(d0 + 2, d0 + 6, read));
  EXPECT_EQ(h.reads, (std::vector<std::pair<Date, Date>>{{d0, d0 + 3}, {d0 + 4, d0 + 6}}));
  std::vector<int32_t> want;
  for (int k = 0; k <= 6; ++k) want.push_back((d0 + k).days());
  EXPECT_EQ(h.days, want);  // each date once, in date order
}
