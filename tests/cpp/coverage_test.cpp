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
  EXPECT_EQ(cell(r, kA, "2023-11-13").status, "ok");
  EXPECT_EQ(cell(r, kA, "2023-11-16").status,
            "missing");  // ran empty (raw missing): 0 rows
  EXPECT_EQ(cell(r, kC, "2023-10-24").status, "bootstrap");
  EXPECT_EQ(cell(r, kC, "2023-10-24").expected, 0);
  EXPECT_EQ(cell(r, kA, "2023-10-24").status, "ok");  // fa runs bootstrap dates
  EXPECT_EQ(r.gaps().size(),
            5u);  // raw partial+missing, fa failed+missing, fc missing (11-16)
  std::string text = r.to_text();
  EXPECT_NE(text.find("2023-10"), std::string::npos) << text;
  EXPECT_NE(text.find("2023-11"), std::string::npos) << text;
  EXPECT_NE(text.find("nba_precompute.player_shot_zone_analysis 2023-11-11 failed"), std::string::npos) << text;
  // Month grid: fa in Nov ok on 11-10, 11-13, 11-14 of 5 game dates; fc's
  // October is bootstrap only.
  EXPECT_NE(text.find("nba_precompute.player_shot_zone_analysis          1/1         3/5!"), std::string::npos) << text;
  EXPECT_NE(text.find("0/0 b1"), std::string::npos) << text;

  // A clean rerun fixes the failed unit; the latest ledger row wins.
  f.control.fail.clear();
  ASSERT_EQ(run(*wh, s, plan, ro).exit_code(), 0);
  CoverageReport again = coverage(*wh, s, range, {kA}, f.abc());
  EXPECT_EQ(cell(again, kA, "2023-11-11").status, "ok");
}
