// Coverage: tables × game dates against the schedule, with the latest ledger
// status.
#include <gtest/gtest.h>

#include "nbaprops/pipeline/coverage.hpp"
#include "nbaprops/pipeline/runner.hpp"
#include "pipeline_fakes.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::pipeline;
using namespace nbaprops::testing::pipeline_fakes;
using nbaprops::testing::TempDir;

namespace {
const CoverageCell& cell(const CoverageReport& r, const std::string& t, const char* d) {
  for (const auto& c : r.cells) {
    if (c.table == t && c.date == D(d)) return c;
  }
  throw std::runtime_error("no cell");
}
}  // namespace

TEST(CoverageTest, StatusesFromScheduleCountsAndLedger) {
  TempDir dir;
  auto wh = open_warehouse((dir.path() / "wh").string());
  Schedule s = small_schedule();
  load_raw(*wh, s, /*skip=*/{D("2023-11-16")}, /*half=*/{D("2023-11-14")});
  Fakes f;
  f.control.fail.insert({"fa", D("2023-11-11")});
  PlanOptions o;
  o.range = DateRange{D("2023-10-20"), D("2023-11-16")};
  Plan plan = make_plan(s, o, f.abc());
  RunOptions ro;
  ro.checkpoint_dir = (dir.path() / "ck").string();
  RunResult first = run(*wh, s, plan, ro);
  ASSERT_EQ(first.exit_code(), 1);

  const DateRange range{D("2023-10-01"), D("2023-11-30")};
  CoverageReport r = coverage(*wh, s, range, {kRaw, kA, kC}, f.abc());
  ASSERT_EQ(r.cells.size(),
            18u);  // 3 tables × 6 game dates (no off days, no preseason)
  EXPECT_EQ(cell(r, kRaw, "2023-11-13").status, "ok");
  EXPECT_EQ(cell(r, kRaw, "2023-11-13").expected, 4);
  const CoverageCell& part = cell(r, kRaw, "2023-11-14");
  EXPECT_EQ(part.status, "partial");
  EXPECT_EQ(part.expected, 2);
  EXPECT_EQ(part.found, 1);
  EXPECT_EQ(cell(r, kRaw, "2023-11-16").status, "missing");
  EXPECT_EQ(cell(r, kA, "2023-11-11").status, "failed");  // latest ledger status
  EXPECT_EQ(cell(r, kA, "2023-11-11").reason, "injected failure for fa 2023-11-11");
  EXPECT_EQ(cell(r, kA, "2023-11-13").status, "ok");
  // fa and fc ran on 11-16 with nothing to write (the raw rows are missing,
  // which the raw table's own cell shows): a precompute table legitimately
  // holds no rows then, so the cell is "empty", with the run's reason, not a
  // gap.
  const CoverageCell& empty = cell(r, kA, "2023-11-16");
  EXPECT_EQ(empty.status, "empty");
  EXPECT_EQ(empty.expected, 0);
  EXPECT_EQ(empty.reason, "no entity qualified");
  EXPECT_EQ(cell(r, kC, "2023-11-16").status, "empty");
  EXPECT_EQ(cell(r, kC, "2023-10-24").status, "bootstrap");
  EXPECT_EQ(cell(r, kC, "2023-10-24").expected, 0);
  EXPECT_EQ(cell(r, kA, "2023-10-24").status, "ok");  // fa runs bootstrap dates
  EXPECT_EQ(r.gaps().size(), 3u);                     // raw partial+missing, fa failed
  std::string text = r.to_text();
  EXPECT_NE(text.find("2023-10"), std::string::npos) << text;
  EXPECT_NE(text.find("2023-11"), std::string::npos) << text;
  EXPECT_NE(text.find("nba_precompute.player_shot_zone_analysis 2023-11-11 failed"), std::string::npos) << text;
  EXPECT_NE(text.find("2023-11-11 failed: expected 1, found 0 (injected failure for fa 2023-11-11)"), std::string::npos)
      << text;
  // Month grid: fa in Nov ok on 11-10, 11-13, 11-14 of 4 game dates with rows
  // due, 11-16 empty; fc's October is bootstrap only.
  EXPECT_NE(text.find("nba_precompute.player_shot_zone_analysis          1/1      3/4 e1!"), std::string::npos) << text;
  EXPECT_NE(text.find("0/0 b1"), std::string::npos) << text;

  // A clean rerun fixes the failed unit; the latest ledger row wins.
  f.control.fail.clear();
  ASSERT_EQ(run(*wh, s, plan, ro).exit_code(), 0);
  CoverageReport again = coverage(*wh, s, range, {kA}, f.abc());
  EXPECT_EQ(cell(again, kA, "2023-11-11").status, "ok");
}

TEST(CoverageTest, AProducerThatRanEmptyLeavesOnlyFlatMinimumTablesWithoutAGap) {
  TempDir dir;
  auto wh = open_warehouse((dir.path() / "wh").string());
  Schedule s = small_schedule();
  load_raw(*wh, s, /*skip=*/{}, /*half=*/{});
  Fakes f;
  // A producer of a table with a per-team-game rule (an analytics table),
  // and fa, both told to write nothing on 11-13.
  const char* kTeams = "nba_analytics.player_game_summary";  // ≥ 8 rows per team-game
  Fake teams("fake_t", "ft", kTeams, {{kRaw, WindowKind::kSameDate, 0, true}}, f.control);
  f.control.empty.insert({"ft", D("2023-11-13")});
  f.control.empty.insert({"fa", D("2023-11-13")});
  const std::vector<const Processor*> procs{f.fa.get(), &teams};
  PlanOptions o;
  o.range = DateRange{D("2023-11-10"), D("2023-11-14")};
  o.processors = {"fa"};
  RunOptions ro;
  ro.checkpoint_dir = (dir.path() / "ck").string();
  ASSERT_EQ(run(*wh, s, make_plan(s, o, procs), ro).exit_code(), 0);
  PlanOptions one;  // the fake writes too few columns for a real team table: run it where it writes nothing
  one.range = DateRange{D("2023-11-13"), D("2023-11-13")};
  one.processors = {"ft"};
  ASSERT_EQ(run(*wh, s, make_plan(s, one, procs), ro).exit_code(), 0);

  const DateRange range = *o.range;
  CoverageReport r = coverage(*wh, s, range, {kA, kTeams}, procs);
  EXPECT_EQ(cell(r, kA, "2023-11-13").status, "empty");
  EXPECT_EQ(cell(r, kA, "2023-11-13").reason, "no entity qualified");
  // An analytics table with no rows on a game date is missing whatever its
  // producer said; the run's reason tells why.
  const CoverageCell& teams_cell = cell(r, kTeams, "2023-11-13");
  EXPECT_EQ(teams_cell.status, "missing");
  EXPECT_EQ(teams_cell.expected, 32);  // ≥ 8 per team-game, 2 games
  EXPECT_EQ(teams_cell.reason, "no entity qualified");
  EXPECT_EQ(cell(r, kTeams, "2023-11-10").reason, "");  // never ran
  const auto gaps = r.gaps();
  EXPECT_EQ(gaps.size(), 4u);  // kTeams' four game dates; none of fa's
  for (const auto& g : gaps) EXPECT_EQ(g.table, kTeams);
  EXPECT_NE(r.to_text().find("2023-11-13 missing: expected 32, found 0 (no entity qualified)"), std::string::npos)
      << r.to_text();

  // Rerun with rows: the newest ledger row wins, the cell is ok again.
  f.control.empty.clear();
  RunOptions again = ro;
  again.resume = false;
  ASSERT_EQ(run(*wh, s, make_plan(s, o, procs), again).exit_code(), 0);
  EXPECT_EQ(cell(coverage(*wh, s, range, {kA}, procs), kA, "2023-11-13").status, "ok");
}
