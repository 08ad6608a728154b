// Plan: units from the schedule's game dates, bootstrap/no-game skips with
// reasons, --dates order.
#include <gtest/gtest.h>

#include "nbaprops/core/error.hpp"
#include "nbaprops/pipeline/plan.hpp"
#include "pipeline_fakes.hpp"

using namespace nbaprops;
using namespace nbaprops::pipeline;
using namespace nbaprops::testing::pipeline_fakes;

TEST(PlanTest, GameDatesOnlyWithBootstrapMarked) {
  Schedule s = small_schedule();
  Fakes f;
  PlanOptions o;
  o.range = DateRange{D("2023-10-01"), D("2023-11-16")};
  Plan p = make_plan(s, o, f.abc());
  // Off days (11-12, 11-15) and the preseason date (10-10) are never planned.
  std::vector<Date> want{D("2023-10-24"), D("2023-11-10"), D("2023-11-11"),
                         D("2023-11-13"), D("2023-11-14"), D("2023-11-16")};
  EXPECT_EQ(p.dates, want);
  ASSERT_EQ(p.processors.size(), 3u);
  EXPECT_EQ(p.size(), 18u);
  // fc skips bootstrap (10-24 is day 0 of 2023-24), fa/fb run it.
  int skipped = 0;
  for (const Unit& u : p.units) {
    if (u.processor == f.fc.get() && u.date == D("2023-10-24")) {
      EXPECT_EQ(u.planned, UnitStatus::kSkippedBootstrap);
      EXPECT_NE(u.reason.find("day 0 of season 2023-24"), std::string::npos) << u.reason;
      EXPECT_NE(u.reason.find("2023-10-24"), std::string::npos) << u.reason;
      ++skipped;
    } else {
      EXPECT_EQ(u.planned, UnitStatus::kPending) << u.processor->info().code << " " << u.date.iso();
      EXPECT_TRUE(u.reason.empty());
    }
  }
  EXPECT_EQ(skipped, 1);
  EXPECT_EQ(p.pending(), 17u);
  ASSERT_TRUE(p.checkpoint_range().has_value());
  EXPECT_EQ(p.checkpoint_range()->start, D("2023-10-01"));
  std::string text = p.to_text();
  EXPECT_NE(text.find("6 game dates of 47 calendar days (skipping 41 off-days)"), std::string::npos) << text;
  EXPECT_NE(text.find("fake_c (fc, phase 4): 5 to run, 1 skipped_bootstrap"), std::string::npos) << text;
}

TEST(PlanTest, ExplicitDatesKeepOrderAndMarkOffDays) {
  Schedule s = small_schedule();
  Fakes f;
  PlanOptions o;
  o.dates = {D("2023-11-14"), D("2023-11-10"), D("2023-11-12"), D("2023-11-14")};
  o.processors = {"fa"};
  Plan p = make_plan(s, o, f.abc());
  std::vector<Date> want{D("2023-11-14"), D("2023-11-10"), D("2023-11-12")};  // order kept, duplicate dropped
  EXPECT_EQ(p.dates, want);
  ASSERT_EQ(p.units.size(), 3u);
  EXPECT_EQ(p.units[0].date, D("2023-11-14"));
  EXPECT_EQ(p.units[1].date, D("2023-11-10"));
  EXPECT_EQ(p.units[2].planned, UnitStatus::kSkippedNoGames);
  EXPECT_EQ(p.units[2].reason, "no games scheduled on 2023-11-12");
  EXPECT_FALSE(p.range.has_value());
  EXPECT_EQ(p.checkpoint_range()->start, D("2023-11-10"));
  EXPECT_EQ(p.checkpoint_range()->end, D("2023-11-14"));
}

TEST(PlanTest, SelectionIsTopologicalAndValidated) {
  Schedule s = small_schedule();
  Fakes f;
  PlanOptions o;
  o.range = DateRange{D("2023-11-10"), D("2023-11-11")};
  o.processors = {"fake_b", "FA"};  // by name and (case-insensitive) code
  // Universe given downstream-first: the plan still orders fa before fb.
  Plan p = make_plan(s, o, {f.fb.get(), f.fc.get(), f.fa.get()});
  ASSERT_EQ(p.processors.size(), 2u);
  EXPECT_EQ(p.processors[0], f.fa.get());
  EXPECT_EQ(p.processors[1], f.fb.get());
  EXPECT_EQ(p.producer_of(kA), f.fa.get());
  EXPECT_EQ(p.producer_of(kC), nullptr);
  o.processors = {"phase4"};
  EXPECT_EQ(make_plan(s, o, f.abc()).processors.size(), 3u);
  o.processors = {"Nope"};
  try {
    (void)make_plan(s, o, f.abc());
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    // The key as given, and the universe's names and codes.
    EXPECT_EQ(std::string(e.what()), "unknown processor 'Nope'; known: fake_a (fa), fake_b (fb), fake_c (fc)");
  }
  // The registry's lookup is the same rule over every registered processor.
  EXPECT_EQ(&registry::get("PSZA"), &registry::get("player_shot_zone_analysis"));
  EXPECT_EQ(&registry::get("nba_precompute.player_shot_zone_analysis"), &registry::get("psza"));
  EXPECT_THROW((void)registry::get(""), ConfigError);
  o.processors = {"phase5"};
  EXPECT_THROW(make_plan(s, o, f.abc()), ConfigError);
  PlanOptions none;
  EXPECT_THROW(make_plan(s, none, f.abc()), ConfigError);
  PlanOptions reversed;
  reversed.range = DateRange{D("2023-11-11"), D("2023-11-10")};
  EXPECT_THROW(make_plan(s, reversed, f.abc()), ConfigError);
}

TEST(PlanTest, UnitStatusNamesRoundTrip) {
  EXPECT_STREQ(to_string(UnitStatus::kSkippedBootstrap), "skipped_bootstrap");
  EXPECT_STREQ(to_string(UnitStatus::kSkippedNoGames), "skipped_no_games");
  EXPECT_EQ(parse_unit_status("blocked"), UnitStatus::kBlocked);
  EXPECT_THROW(parse_unit_status("ok"), ConfigError);
}
