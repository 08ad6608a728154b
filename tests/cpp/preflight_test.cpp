// Pre-flight: expected rows come from the schedule (never from the checked
// table), missing and partial dates are named, upstreams produced inside the
// plan are not checked, windows reach back.
#include <gtest/gtest.h>

#include "nbaprops/pipeline/preflight.hpp"
#include "nbaprops/pipeline/runner.hpp"
#include "pipeline_fakes.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::pipeline;
using namespace nbaprops::testing::pipeline_fakes;
using nbaprops::testing::TempDir;

namespace {
const PreflightCell* find_cell(const PreflightReport& r, const std::string& table, Date d) {
  for (const auto& c : r.cells) {
    if (c.table == table && c.date == d) return &c;
  }
  return nullptr;
}
}  // namespace

TEST(PreflightTest, RowExpectationsPerTable) {
  EXPECT_EQ(row_expectation("nba_raw.nbac_schedule").expected(3), 3);
  EXPECT_EQ(row_expectation("nba_analytics.team_offense_game_summary").expected(3), 6);
  EXPECT_EQ(row_expectation("nba_raw.team_shot_zones_allowed").expected(2), 4);
  EXPECT_EQ(row_expectation("nba_analytics.player_game_summary").expected(2), 32);
  EXPECT_EQ(row_expectation("nba_precompute.player_shot_zone_analysis").expected(7), 1);
  EXPECT_EQ(row_expectation("nba_precompute.player_shot_zone_analysis").expected(0), 0);
  EXPECT_EQ(classify_cell(4, 0), "missing");
  EXPECT_EQ(classify_cell(4, 3), "partial");
  EXPECT_EQ(classify_cell(4, 5), "ok");
}

TEST(PreflightTest, BlocksMissingAndPartialUpstreamDates) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Schedule s = small_schedule();
  load_raw(*wh, s, /*skip=*/{D("2023-11-13")}, /*half=*/{D("2023-11-14")});
  Fakes f;
  PlanOptions o;
  o.range = DateRange{D("2023-11-01"), D("2023-11-16")};
  o.processors = {"fa"};
  PreflightReport r = preflight(*wh, s, make_plan(s, o, f.abc()), f.abc());
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.cells.size(), 5u);  // game dates 11-10, 11-11, 11-13, 11-14, 11-16
  const PreflightCell* miss = find_cell(r, kRaw, D("2023-11-13"));
  ASSERT_NE(miss, nullptr);
  EXPECT_EQ(miss->status, "missing");
  EXPECT_EQ(miss->expected, 4);  // 2 games × 2 team-games
  EXPECT_EQ(miss->found, 0);
  const PreflightCell* part = find_cell(r, kRaw, D("2023-11-14"));
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(part->status, "partial");
  EXPECT_EQ(part->expected, 2);
  EXPECT_EQ(part->found, 1);
  EXPECT_EQ(find_cell(r, kRaw, D("2023-11-10"))->status, "ok");
  EXPECT_EQ(r.problems().size(), 2u);
  std::string text = r.to_text();
  EXPECT_NE(text.find("2023-11-13 missing: expected 4, found 0"), std::string::npos) << text;
  EXPECT_NE(text.find("2023-11-14 partial: expected 2, found 1"), std::string::npos) << text;
  EXPECT_NE(text.find("PRE-FLIGHT FAILED"), std::string::npos) << text;
  EXPECT_NE(text.find("3/5 dates ok"), std::string::npos) << text;
}

TEST(PreflightTest, ExpectedDatesComeFromTheScheduleNotTheTable) {
  // An entirely empty upstream table: the legacy fell back to the table's own
  // dates and expected nothing; here every game date is expected and missing.
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Schedule s = small_schedule();
  Fakes f;
  PlanOptions o;
  o.range = DateRange{D("2023-11-10"), D("2023-11-16")};
  o.processors = {"fa"};
  PreflightReport r = preflight(*wh, s, make_plan(s, o, f.abc()), f.abc());
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.cells.size(), 5u);
  for (const auto& c : r.cells) EXPECT_EQ(c.status, "missing") << c.date.iso();
}

TEST(PreflightTest, UpstreamsProducedInsideThePlanAreNotChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Schedule s = small_schedule();
  load_raw(*wh, s);
  Fakes f;
  PlanOptions o;
  o.range = DateRange{D("2023-11-10"), D("2023-11-16")};
  o.processors = {"fa", "fb"};  // fb reads fa's table, which is empty but will
                                // be written by the run
  PreflightReport r = preflight(*wh, s, make_plan(s, o, f.abc()), f.abc());
  EXPECT_TRUE(r.ok()) << r.to_text();
  for (const auto& c : r.cells) EXPECT_EQ(c.table, kRaw);
  ASSERT_EQ(r.not_checked.size(), 1u);
  EXPECT_NE(r.not_checked[0].find(kA), std::string::npos);
  EXPECT_NE(r.to_text().find("PRE-FLIGHT OK"), std::string::npos);
}

TEST(PreflightTest, WindowReachesLookbackGameDates) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Schedule s = small_schedule();
  Fakes f;
  // fd on 11-14 reads fa's table over 11-11 … 11-13 (strictly before D): game
  // dates 11-11 and 11-13.
  Table t(catalog::get(kA));
  size_t r0 = t.add_row();
  t.set(r0, "player_lookup", "x");
  t.set(r0, "analysis_date", D("2023-11-11"));
  wh->replace_partition(catalog::get(kA), D("2023-11-11"), t);
  PlanOptions o;
  o.dates = {D("2023-11-14")};
  PreflightReport r = preflight(*wh, s, make_plan(s, o, {f.fd.get()}), f.abc());
  ASSERT_EQ(r.cells.size(), 2u);
  EXPECT_EQ(r.cells[0].date, D("2023-11-11"));
  EXPECT_EQ(r.cells[0].status, "ok");
  EXPECT_EQ(r.cells[1].date, D("2023-11-13"));
  EXPECT_EQ(r.cells[1].status, "missing");
  EXPECT_EQ(r.cells[1].expected,
            1);  // precompute tables: at least one row on a game date
  EXPECT_FALSE(r.ok());
}

TEST(PreflightTest, BootstrapDatesOfASkippingProducerAreNotExpected) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Schedule s = small_schedule();
  Fakes f;
  // fe reads fc's table season-to-date; fc skips bootstrap, so 10-24 is never
  // written and not expected.
  Fake fe("fake_e", "fe", kB, {{kC, WindowKind::kSeasonToDate, 0, true}}, f.control);
  PlanOptions o;
  o.dates = {D("2023-11-11")};
  PreflightReport r = preflight(*wh, s, make_plan(s, o, {&fe}), f.abc());
  ASSERT_EQ(r.cells.size(), 1u);  // only 11-10 (10-24 is bootstrap)
  EXPECT_EQ(r.cells[0].date, D("2023-11-10"));
  EXPECT_EQ(r.cells[0].status, "missing");
  // Without knowing the producer, the bootstrap date is expected too.
  PreflightReport unknown = preflight(*wh, s, make_plan(s, o, {&fe}), {});
  EXPECT_EQ(unknown.cells.size(), 2u);
}

TEST(PreflightTest, OptionalReadsReportButDoNotFailTheirOwnDates) {
  // PDC's shape: a table read season-to-date (required) and 365 days back
  // (optional, reaching the previous season's tail). Only the required read's
  // dates can fail the pre-flight.
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  std::vector<Game> games = small_schedule().games();
  Game prev = games[1];
  prev.nba_game_id = "0022201230";
  prev.date = D("2023-04-09");
  prev.season = 2022;
  games.push_back(prev);
  Schedule s(std::move(games));
  Fakes f;
  Fake fe("fake_e", "fe", kB, {{kRaw, WindowKind::kSeasonToDate, 0, true}, {kRaw, WindowKind::kDaysBefore, 365, false}},
          f.control);
  PlanOptions o;
  o.dates = {D("2023-11-11")};
  PreflightReport empty = preflight(*wh, s, make_plan(s, o, {&fe}), {});
  ASSERT_EQ(empty.cells.size(),
            3u);  // 04-09 (optional), 10-24 and 11-10 (required)
  EXPECT_FALSE(empty.ok());
  const PreflightCell* tail = find_cell(empty, kRaw, D("2023-04-09"));
  ASSERT_NE(tail, nullptr);
  EXPECT_FALSE(tail->required);
  EXPECT_TRUE(find_cell(empty, kRaw, D("2023-10-24"))->required);
  // This season loaded, the previous one absent: missing but not failing.
  load_raw(*wh, small_schedule());
  PreflightReport r = preflight(*wh, s, make_plan(s, o, {&fe}), {});
  EXPECT_TRUE(r.ok()) << r.to_text();
  EXPECT_EQ(find_cell(r, kRaw, D("2023-04-09"))->status, "missing");
  std::string text = r.to_text();
  EXPECT_NE(text.find("2023-04-09 missing: expected 2, found 0 (optional)"), std::string::npos) << text;
  EXPECT_NE(text.find("PRE-FLIGHT OK"), std::string::npos) << text;
}

TEST(PreflightTest, AnUpstreamThatRanWithNothingToWriteIsNotMissing) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Schedule s = small_schedule();
  load_raw(*wh, s, /*skip=*/{}, /*half=*/{});
  Fakes f;
  PlanOptions up;
  up.range = DateRange{D("2023-11-10"), D("2023-11-14")};
  up.processors = {"fb"};
  // Before fa ran, its table is missing on every date fb reads.
  PreflightReport before = preflight(*wh, s, make_plan(s, up, f.abc()), f.abc());
  EXPECT_FALSE(before.ok());
  EXPECT_EQ(before.problems().size(), 4u);  // game dates 11-10, 11-11, 11-13, 11-14

  f.control.empty.insert({"fa", D("2023-11-13")});
  PlanOptions fa = up;
  fa.processors = {"fa"};
  RunOptions ro;
  ro.checkpoint_dir = (dir.path() / "ck").string();
  ASSERT_EQ(run(*wh, s, make_plan(s, fa, f.abc()), ro).exit_code(), 0);

  PreflightReport r = preflight(*wh, s, make_plan(s, up, f.abc()), f.abc());
  EXPECT_TRUE(r.ok()) << r.to_text();
  EXPECT_TRUE(r.problems().empty());
  const PreflightCell* c = find_cell(r, kA, D("2023-11-13"));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, "empty");
  EXPECT_EQ(c->expected, 0);
  EXPECT_EQ(c->reason, "no entity qualified");
  EXPECT_NE(r.to_text().find("(1 ran with nothing to write)"), std::string::npos) << r.to_text();

  // When fa's newest run of the date failed, the date is missing again.
  f.control.empty.clear();
  f.control.fail.insert({"fa", D("2023-11-13")});
  RunOptions again = ro;
  again.resume = false;
  EXPECT_EQ(run(*wh, s, make_plan(s, fa, f.abc()), again).exit_code(), 1);
  PreflightReport after = preflight(*wh, s, make_plan(s, up, f.abc()), f.abc());
  EXPECT_FALSE(after.ok());
  EXPECT_EQ(find_cell(after, kA, D("2023-11-13"))->status, "missing");
}
