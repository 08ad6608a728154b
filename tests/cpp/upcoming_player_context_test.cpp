// UPGC: hand-worked checks on the fixture league of
// upcoming_context_fixture.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/pipeline/runner.hpp"
#include "nbaprops/processors/analytics/upcoming_player_context.hpp"
#include "nbaprops/processors/analytics/upcoming_team_context.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/synth/demo.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "processors/analytics/upgc_history.hpp"
#include "test_util.hpp"
#include "upcoming_context_fixture.hpp"

using namespace nbaprops;
using namespace nbaprops::analytics;
using nbaprops::testing::day;

namespace {

PlayerGame pg(const char* date, double minutes, std::optional<int64_t> points = std::nullopt,
              std::optional<double> line = std::nullopt) {
  return PlayerGame{day(date), minutes, points, line};
}

void gb_row(Table& t, const char* date, const char* game_id, const char* lookup, const char* team, const char* status,
            std::optional<std::string> minutes, std::optional<int64_t> points) {
  size_t r = t.add_row();
  t.set(r, "game_id", game_id);
  t.set(r, "game_date", day(date));
  t.set(r, "season_year", 2023);
  t.set(r, "player_name_original", lookup);
  t.set(r, "player_lookup", lookup);
  t.set(r, "team_abbr", team);
  t.set(r, "player_status", status);
  if (minutes) t.set(r, "minutes", *minutes);
  if (points) t.set(r, "points", *points);
  t.set(r, "processed_at", std::string(date) + "T08:00:00Z");
  t.set(r, "data_hash", std::string("h_") + lookup + "_" + date);
}

void prop_row(Table& t, const char* date, const char* lookup, const char* book, double line, const char* snapshot,
              std::optional<std::string> tip = std::nullopt) {
  size_t r = t.add_row();
  t.set(r, "game_id", "x");
  t.set(r, "odds_api_event_id", "evt");
  t.set(r, "game_date", day(date));
  if (tip) t.set(r, "game_start_time", *tip);
  t.set(r, "home_team_abbr", "BOS");
  t.set(r, "away_team_abbr", "LAL");
  t.set(r, "snapshot_timestamp", snapshot);
  t.set(r, "bookmaker", book);
  t.set(r, "player_name", lookup);
  t.set(r, "player_lookup", lookup);
  t.set(r, "points_line", line);
  t.set(r, "processed_at", std::string(snapshot));
}

/// The fixture's players. On D: brown and tatum (BOS, active; tatum listed
/// twice), lebron (LAL), benchguy (dnp) and injuredguy (inactive) — dropped —,
/// ghost (team XXX, no game) → failure.
struct Fixture {
  Schedule schedule{nbaprops::testing::fixture_games()};
  Table gamebook{catalog::get("nba_raw.nbac_gamebook_player_stats")};
  Table props{catalog::get("nba_raw.odds_api_player_points_props")};
  Table lines = nbaprops::testing::fixture_lines();
  Table injuries = nbaprops::testing::fixture_injuries();

  Fixture() {
    Table& g = gamebook;
    // History of tatum: 01-10 DNP (a row without minutes: not a game, but data
    // present).
    gb_row(g, "2024-01-05", "20240105_BOS_MIA", "jaysontatum", "BOS", "active", "33:00", 22);
    gb_row(g, "2024-01-08", "20240108_CHI_BOS", "jaysontatum", "BOS", "active", "35:00", 28);
    gb_row(g, "2024-01-10", "20240110_ORL_BOS", "jaysontatum", "BOS", "dnp", std::nullopt, std::nullopt);
    gb_row(g, "2024-01-12", "20240112_TOR_BOS", "jaysontatum", "BOS", "active", "34:30", 25);
    gb_row(g, "2024-01-14", "20240114_BOS_NYK", "jaysontatum", "BOS", "active", "36:00", 30);
    // History of lebron.
    gb_row(g, "2024-01-03", "20240103_SAC_LAL", "lebronjames", "LAL", "active", "30:00", 18);
    gb_row(g, "2024-01-11", "20240111_LAL_PHX", "lebronjames", "LAL", "active", "38:00", 31);
    gb_row(g, "2024-01-13", "20240113_PHX_LAL", "lebronjames", "LAL", "active", "35:00", 25);
    // D: who plays.
    const char* gid = "20240115_LAL_BOS";
    gb_row(g, "2024-01-15", gid, "jaysontatum", "BOS", "active", "37:00", 33);
    gb_row(g, "2024-01-15", gid, "jaysontatum", "BOS", "active", "37:00", 33);
    gb_row(g, "2024-01-15", gid, "jaylenbrown", "BOS", "active", "30:00", 20);
    gb_row(g, "2024-01-15", gid, "benchguy", "BOS", "dnp", std::nullopt, std::nullopt);
    gb_row(g, "2024-01-15", gid, "injuredguy", "BOS", "inactive", std::nullopt, std::nullopt);
    gb_row(g, "2024-01-15", gid, "lebronjames", "LAL", "active", "36:00", 27);
    gb_row(g, "2024-01-15", gid, "ghost", "XXX", "active", "10:00", 2);

    Table& p = props;
    const std::string tip = "2024-01-16T00:30:00Z";
    // Tatum on D: DK 27.5 → 28.5 (FD ignored: DK preferred; 35.5 after tip-off
    // ignored).
    prop_row(p, "2024-01-15", "jaysontatum", "draftkings", 27.5, "2024-01-15T12:00:00Z", tip);
    prop_row(p, "2024-01-15", "jaysontatum", "draftkings", 28.5, "2024-01-15T22:00:00Z", tip);
    prop_row(p, "2024-01-15", "jaysontatum", "fanduel", 29.5, "2024-01-15T23:00:00Z", tip);
    prop_row(p, "2024-01-15", "jaysontatum", "draftkings", 35.5, "2024-01-16T01:00:00Z", tip);
    // Tatum's past lines: 01-14 27.5 (30: over), 01-12 FD 25.0 (25: push),
    // 01-08 26.5 (28: over), 01-05 24.5 (22: under).
    prop_row(p, "2024-01-14", "jaysontatum", "draftkings", 27.5, "2024-01-14T20:00:00Z");
    prop_row(p, "2024-01-12", "jaysontatum", "fanduel", 25.0, "2024-01-12T20:00:00Z");
    prop_row(p, "2024-01-08", "jaysontatum", "draftkings", 26.5, "2024-01-08T20:00:00Z");
    prop_row(p, "2024-01-05", "jaysontatum", "draftkings", 24.5, "2024-01-05T20:00:00Z");
    // Lebron's past lines: 01-13 25.5 (25: under), 01-11 27.5 (31: over). No
    // line on D.
    prop_row(p, "2024-01-13", "lebronjames", "betmgm", 25.5, "2024-01-13T20:00:00Z");
    prop_row(p, "2024-01-11", "lebronjames", "draftkings", 27.5, "2024-01-11T20:00:00Z");
  }
  UnitOutput run(Date d) const {
    return compute_upcoming_player_context(schedule, d, {gamebook, props, lines, injuries});
  }
};

}  // namespace

TEST(UpgcHelpers, DaysRestAndBackToBack) {
  const Date d = day("2024-01-15");
  // Played yesterday: diff 1 → days_rest 0, back-to-back (legacy: days_rest 1,
  // never b2b).
  Fatigue b2b = player_fatigue({pg("2024-01-14", 30)}, d);
  EXPECT_EQ(*b2b.days_rest, 0);
  EXPECT_TRUE(b2b.back_to_back);
  // Last game three days ago: diff 3 → 2 rest days.
  Fatigue rested = player_fatigue({pg("2024-01-12", 30)}, d);
  EXPECT_EQ(*rested.days_rest, 2);
  EXPECT_FALSE(rested.back_to_back);
  EXPECT_FALSE(rested.days_rest_before_last_game.has_value());
  // First game of the season (no history): rest unknown, not a back-to-back,
  // zero load.
  Fatigue first = player_fatigue({}, d);
  EXPECT_FALSE(first.days_rest.has_value());
  EXPECT_FALSE(first.back_to_back);
  EXPECT_EQ(first.games_7, 0);
  EXPECT_EQ(first.minutes_14, 0);
  EXPECT_FALSE(first.avg_minutes_7.has_value());
  EXPECT_FALSE(first.days_since_2_plus_days_rest.has_value());
}

TEST(UpgcHelpers, LoadWindowsAndBackToBacks) {
  const Date d = day("2024-01-15");
  // Newest first: 01-14 30, 01-12 32.5, 01-10 28, 01-09 20, 01-05 35, 01-01 31,
  // 12-28 30.
  std::vector<PlayerGame> h = {pg("2024-01-14", 30), pg("2024-01-12", 32.5), pg("2024-01-10", 28), pg("2024-01-09", 20),
                               pg("2024-01-05", 35), pg("2024-01-01", 31),   pg("2023-12-28", 30)};
  Fatigue f = player_fatigue(h, d);
  EXPECT_EQ(*f.days_rest, 0);
  EXPECT_EQ(*f.days_rest_before_last_game,
            1);  // 01-12 → 01-14: diff 2 → 1 rest day
  // Pairs: (14,12) 1 rest day, (12,10) 1, (10,9) 0, (9,5) 3 ≥ 2 → D − 01-09
  // = 6.
  EXPECT_EQ(*f.days_since_2_plus_days_rest, 6);
  // D−7..D−1 = 01-08..01-14: 14, 12, 10, 9 → 4 games, 110.5 min → 110, avg
  // round(27.625, 1) = 27.6.
  EXPECT_EQ(f.games_7, 4);
  EXPECT_EQ(f.minutes_7, 110);
  EXPECT_DOUBLE_EQ(*f.avg_minutes_7, 27.6);
  // D−14..D−1 = 01-01..01-14: + 01-05, 01-01 → 6 games, 176.5 → 176 (12-28 is
  // outside).
  EXPECT_EQ(f.games_14, 6);
  EXPECT_EQ(f.minutes_14, 176);
  // One pair of 14-day games one day apart: 01-09/01-10.
  EXPECT_EQ(f.back_to_backs_14, 1);
  // Window edges: D−7 is inside the 7-day window, D−8 is not.
  Fatigue edge = player_fatigue({pg("2024-01-08", 10), pg("2024-01-07", 10)}, d);
  EXPECT_EQ(edge.games_7, 1);
  EXPECT_EQ(edge.games_14, 2);
  EXPECT_EQ(edge.back_to_backs_14, 1);
}

TEST(UpgcHelpers, PointsAverages) {
  std::vector<PlayerGame> h;
  const int64_t pts[] = {10, 20, 30, 40, 50, 60};
  for (int i = 0; i < 6; ++i) h.push_back(pg("2024-01-14", 30, pts[i]));
  EXPECT_DOUBLE_EQ(*points_avg_last(h, 5), 30.0);   // (10+…+50)/5
  EXPECT_DOUBLE_EQ(*points_avg_last(h, 10), 35.0);  // only 6 games: 210/6
  // Python rounding: 26.25 is exact in binary → ties to even → 26.2.
  EXPECT_DOUBLE_EQ(
      *points_avg_last(
          {pg("2024-01-14", 30, 30), pg("2024-01-12", 30, 25), pg("2024-01-08", 30, 28), pg("2024-01-05", 30, 22)}, 5),
      26.2);
  // An average of 0 stays 0 (legacy truthiness made it NULL).
  EXPECT_DOUBLE_EQ(*points_avg_last({pg("2024-01-14", 5, 0)}, 5), 0.0);
  EXPECT_FALSE(points_avg_last({}, 5).has_value());
}

TEST(UpgcHelpers, StreaksAgainstEachGamesLine) {
  // Over, over, push (skipped), over, then an under ends the walk → over 3.
  PropStreak a =
      prop_streaks({pg("2024-01-14", 30, 25, 22.5), pg("2024-01-12", 30, 30, 28.5), pg("2024-01-10", 30, 20, 20.0),
                    pg("2024-01-08", 30, 19, 18.5), pg("2024-01-06", 30, 10, 15.5)});
  EXPECT_EQ(*a.over, 3);
  EXPECT_EQ(*a.under, 0);
  // Under, under, then an over ends it.
  PropStreak b =
      prop_streaks({pg("2024-01-14", 30, 10, 15.5), pg("2024-01-12", 30, 12, 14.5), pg("2024-01-10", 30, 20, 18.5)});
  EXPECT_EQ(*b.over, 0);
  EXPECT_EQ(*b.under, 2);
  // Newest game a push, then under: the push neither starts nor breaks →
  // under 1.
  PropStreak c = prop_streaks({pg("2024-01-14", 30, 20, 20.0), pg("2024-01-12", 30, 10, 12.5)});
  EXPECT_EQ(*c.under, 1);
  EXPECT_EQ(*c.over, 0);
  // A game without a known line ends the walk.
  PropStreak e =
      prop_streaks({pg("2024-01-14", 30, 25, 22.5), pg("2024-01-12", 30, 27), pg("2024-01-10", 30, 30, 20.0)});
  EXPECT_EQ(*e.over, 1);
  // Nothing decided: no history, or the newest game has no line → NULL (not 0).
  PropStreak none = prop_streaks({});
  EXPECT_FALSE(none.over.has_value());
  EXPECT_FALSE(none.under.has_value());
  PropStreak no_line = prop_streaks({pg("2024-01-14", 30, 25), pg("2024-01-12", 30, 30, 20.0)});
  EXPECT_FALSE(no_line.over.has_value());
}

TEST(UpgcHelpers, PropLineSelectionAndMovement) {
  Table p(catalog::get("nba_raw.odds_api_player_points_props"));
  const std::string tip = "2024-01-16T00:30:00Z";
  prop_row(p, "2024-01-15", "x", "betmgm", 23.5, "2024-01-15T09:00:00Z", tip);
  prop_row(p, "2024-01-15", "x", "fanduel", 24.5, "2024-01-15T10:00:00Z", tip);
  prop_row(p, "2024-01-15", "x", "draftkings", 25.5, "2024-01-15T11:00:00Z", tip);
  prop_row(p, "2024-01-15", "x", "draftkings", 26.5, "2024-01-15 18:00:00+00:00", tip);
  prop_row(p, "2024-01-15", "x", "draftkings", 30.5, "2024-01-16T01:00:00Z",
           tip);  // after tip-off
  PropLine dk = select_prop_line(p, {0, 1, 2, 3, 4});
  EXPECT_EQ(dk.current_book, "draftkings");
  EXPECT_DOUBLE_EQ(*dk.opening, 25.5);
  EXPECT_DOUBLE_EQ(*dk.current, 26.5);
  PropLine fd = select_prop_line(p, {0, 1});
  EXPECT_EQ(fd.current_book, "fanduel");
  EXPECT_DOUBLE_EQ(*fd.current, 24.5);
  PropLine other = select_prop_line(p, {0});
  EXPECT_EQ(other.current_book, "betmgm");
  // Only a post-tip snapshot: no pre-game line.
  EXPECT_FALSE(select_prop_line(p, {4}).current.has_value());
  EXPECT_EQ(season_phase(day("2023-11-02")), "early");
  EXPECT_EQ(season_phase(day("2024-01-15")), "mid");
  EXPECT_EQ(season_phase(day("2024-04-10")), "late");
  EXPECT_EQ(season_phase(day("2024-05-10")), "playoffs");
}

TEST(Upgc, HandWorkedRowsForD) {
  Fixture f;
  UnitOutput out = f.run(day("2024-01-15"));
  const Table& t = out.rows;
  // brown, tatum (BOS), lebron (LAL); dnp/inactive dropped, duplicate tatum row
  // collapsed.
  ASSERT_EQ(t.num_rows(), 3u);
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].entity_id, "ghost");
  EXPECT_EQ(*t.get_text(0, "player_lookup"), "jaylenbrown");
  EXPECT_EQ(*t.get_text(1, "player_lookup"), "jaysontatum");
  EXPECT_EQ(*t.get_text(2, "player_lookup"), "lebronjames");

  // --- Tatum (row 1). History (minutes > 0, before D): 01-14 30 pts 36:00,
  // 01-12 25 34:30, 01-08 28 35:00, 01-05 22 33:00 (01-10 DNP is not a game).
  const size_t r = 1;
  EXPECT_EQ(*t.get_text(r, "game_id"), "20240115_LAL_BOS");
  EXPECT_EQ(*t.get_text(r, "team_abbr"), "BOS");
  EXPECT_EQ(*t.get_text(r, "opponent_team_abbr"), "LAL");
  EXPECT_EQ(*t.get_text(r, "universal_player_id"), "jaysontatum_001");
  EXPECT_TRUE(*t.get_bool(r, "home_game"));
  EXPECT_EQ(*t.get_int(r, "days_rest"), 0);
  EXPECT_TRUE(*t.get_bool(r, "back_to_back"));
  EXPECT_EQ(*t.get_int(r, "days_rest_before_last_game"), 1);
  EXPECT_EQ(*t.get_int(r, "days_since_2_plus_days_rest"),
            3);                                             // (12, 8): 3 rest days → D − 01-12
  EXPECT_EQ(*t.get_int(r, "games_in_last_7_days"), 3);      // 14, 12, 8
  EXPECT_EQ(*t.get_int(r, "minutes_in_last_7_days"), 105);  // 105.5 truncated
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_minutes_per_game_last_7"),
                   35.2);  // 105.5 / 3 = 35.1667
  EXPECT_EQ(*t.get_int(r, "games_in_last_14_days"), 4);
  EXPECT_EQ(*t.get_int(r, "minutes_in_last_14_days"), 138);  // 138.5
  EXPECT_EQ(*t.get_int(r, "back_to_backs_last_14_days"), 0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "points_avg_last_5"),
                   26.2);  // 105 / 4 = 26.25 → 26.2
  EXPECT_DOUBLE_EQ(*t.get_real(r, "points_avg_last_10"), 26.2);
  // Props of D: DK opening 27.5, current 28.5 (FD 29.5 and the post-tip 35.5
  // ignored).
  EXPECT_TRUE(*t.get_bool(r, "has_prop_line"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "current_points_line"), 28.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "opening_points_line"), 27.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "line_movement"), 1.0);
  EXPECT_EQ(*t.get_text(r, "current_points_line_source"), "draftkings");
  // Streak: 01-14 over, 01-12 push (skipped), 01-08 over, 01-05 under → over 2.
  EXPECT_EQ(*t.get_int(r, "prop_over_streak"), 2);
  EXPECT_EQ(*t.get_int(r, "prop_under_streak"), 0);
  // Team-oriented lines.
  EXPECT_DOUBLE_EQ(*t.get_real(r, "game_spread"), -6.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "opening_spread"), -5.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "spread_movement"), -1.0);
  EXPECT_EQ(*t.get_text(r, "game_spread_source"), "draftkings");
  EXPECT_DOUBLE_EQ(*t.get_real(r, "game_total"), 228.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "opening_total"), 230.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "total_movement"), -2.0);
  EXPECT_EQ(*t.get_text(r, "season_phase"), "mid");
  // Schedule-derived opponent and forward fields: LAL last played 01-13 → 1
  // rest day; BOS next plays 01-17 (1 rest day) against MIA (1-1 before D →
  // 0.500); LAL next plays 01-16 (0).
  EXPECT_EQ(*t.get_int(r, "opponent_days_rest"), 1);
  EXPECT_EQ(*t.get_int(r, "next_game_days_rest"), 1);
  EXPECT_EQ(*t.get_int(r, "games_in_next_7_days"), 1);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "next_opponent_win_pct"), 0.5);
  EXPECT_EQ(*t.get_int(r, "opponent_next_game_days_rest"), 0);
  EXPECT_EQ(*t.get_int(r, "opponent_games_in_next_7_days"), 1);
  EXPECT_FALSE(t.get_bool(r, "next_game_is_primetime").has_value());
  // Travel of the team: NYK → BOS 188; last 14 days 1257 (→MIA) + 1257 (→BOS) +
  // 188 (→NYK) + 188.
  EXPECT_EQ(*t.get_int(r, "travel_miles"), 188);
  EXPECT_EQ(*t.get_int(r, "consecutive_road_games"), 0);
  EXPECT_EQ(*t.get_int(r, "miles_traveled_last_14_days"), 2890);
  // Injuries: tatum not listed; teammates questionable = brown (hauser is
  // doubtful).
  EXPECT_FALSE(t.get_text(r, "player_status").has_value());
  EXPECT_EQ(*t.get_int(r, "questionable_teammates"), 1);
  EXPECT_EQ(*t.get_int(r, "probable_teammates"), 0);
  EXPECT_FALSE(t.get_int(r, "player_age").has_value());  // no birthdates anywhere
  EXPECT_FALSE(t.get_int(r, "star_teammates_out").has_value());
  // Completeness: BOS games in D−30..D−1: 12-20, 01-05, 08, 10, 12, 14 (6);
  // tatum has rows for five of them (the DNP row counts as data) → 83.33 %; l5
  // 5/5, l7d 4/4, l14d 5/5, l10 5/6.
  EXPECT_EQ(*t.get_int(r, "expected_games_count"), 6);
  EXPECT_EQ(*t.get_int(r, "actual_games_count"), 5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "l30d_completeness_pct"), 83.33);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "l10_completeness_pct"), 83.33);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "l5_completeness_pct"), 100.0);
  EXPECT_TRUE(*t.get_bool(r, "l7d_is_complete"));
  EXPECT_FALSE(*t.get_bool(r, "all_windows_complete"));
  EXPECT_TRUE(*t.get_bool(r, "is_production_ready"));  // every window ≥ 70 %
  // Quality: 4 history games → bronze, no issues.
  EXPECT_EQ(*t.get_text(r, "quality_tier"), "bronze");
  EXPECT_EQ(*t.get_text(r, "quality_issues"), "[]");
  EXPECT_FALSE(*t.get_bool(r, "processed_with_issues"));
  EXPECT_EQ(*t.get_int(r, "context_version"), 1);
  EXPECT_EQ(t.get_text(r, "data_hash")->size(), 16u);

  // --- Brown (row 0): no history, no props.
  EXPECT_FALSE(t.get_int(0, "days_rest").has_value());
  EXPECT_FALSE(*t.get_bool(0, "back_to_back"));
  EXPECT_EQ(*t.get_int(0, "games_in_last_7_days"), 0);
  EXPECT_FALSE(t.get_real(0, "points_avg_last_5").has_value());
  EXPECT_FALSE(*t.get_bool(0, "has_prop_line"));
  EXPECT_FALSE(t.get_real(0, "current_points_line").has_value());
  EXPECT_FALSE(t.get_int(0, "prop_over_streak").has_value());
  EXPECT_EQ(*t.get_text(0, "player_status"), "questionable");
  EXPECT_EQ(*t.get_int(0, "questionable_teammates"), 0);  // himself excluded
  EXPECT_EQ(*t.get_text(0, "quality_issues"), R"(["thin_sample:0/3"])");
  EXPECT_TRUE(*t.get_bool(0, "processed_with_issues"));
  EXPECT_FALSE(*t.get_bool(0, "is_production_ready"));  // 0 % (kept: the gate is dropped)

  // --- LeBron (row 2): 01-13 25 pts 35:00, 01-11 31 38:00, 01-03 18 30:00.
  EXPECT_FALSE(*t.get_bool(2, "home_game"));
  EXPECT_EQ(*t.get_text(2, "opponent_team_abbr"), "BOS");
  EXPECT_EQ(*t.get_int(2, "days_rest"), 1);
  EXPECT_FALSE(*t.get_bool(2, "back_to_back"));
  EXPECT_EQ(*t.get_int(2, "days_rest_before_last_game"), 1);
  EXPECT_EQ(*t.get_int(2, "days_since_2_plus_days_rest"),
            4);  // (11, 3) → D − 01-11
  EXPECT_EQ(*t.get_int(2, "games_in_last_7_days"), 2);
  EXPECT_DOUBLE_EQ(*t.get_real(2, "avg_minutes_per_game_last_7"), 36.5);
  EXPECT_EQ(*t.get_int(2, "minutes_in_last_14_days"), 103);
  EXPECT_DOUBLE_EQ(*t.get_real(2, "points_avg_last_5"), 24.7);  // 74 / 3
  EXPECT_EQ(*t.get_int(2, "prop_under_streak"), 1);             // 25 < 25.5, then 31 > 27.5
  EXPECT_EQ(*t.get_int(2, "prop_over_streak"), 0);
  EXPECT_FALSE(*t.get_bool(2, "has_prop_line"));
  EXPECT_DOUBLE_EQ(*t.get_real(2, "game_spread"), 6.5);
  EXPECT_EQ(*t.get_int(2, "opponent_days_rest"), 0);  // BOS played 01-14
  EXPECT_EQ(*t.get_int(2, "next_game_days_rest"), 0);
  EXPECT_DOUBLE_EQ(*t.get_real(2, "next_opponent_win_pct"),
                   0.0);  // NYK 0-2 before D
  EXPECT_EQ(*t.get_int(2, "travel_miles"), 2592);
  EXPECT_EQ(*t.get_int(2, "consecutive_road_games"), 1);
  EXPECT_EQ(*t.get_int(2, "miles_traveled_last_14_days"), 358 + 358 + 2592);
  EXPECT_EQ(*t.get_text(2, "player_status"), "probable");
  EXPECT_EQ(*t.get_int(2, "probable_teammates"), 0);

  // Determinism.
  EXPECT_EQ(nbaprops::testing::all_cells(f.run(day("2024-01-15")).rows), nbaprops::testing::all_cells(t));
}

TEST(Upgc, PointInTime) {
  // Legitimately pre-game inputs of D: the schedule's games (who plays whom,
  // later fixtures), D's gamebook identity/status (who plays), prop and line
  // snapshots ≤ tip-off, injury reports dated ≤ D. Everything else dated ≥ D
  // must not matter — above all D's box-score stats.
  const Date d = day("2024-01-15");
  Fixture base;
  const auto baseline = nbaprops::testing::all_cells(base.run(d).rows);
  ASSERT_FALSE(baseline.empty());

  Fixture f;
  // D's box-score stats.
  for (size_t r = 0; r < f.gamebook.num_rows(); ++r) {
    if (f.gamebook.get_date(r, "game_date") != d) continue;
    f.gamebook.set(r, "points", int64_t{99});
    f.gamebook.set(r, "minutes", "48:00");
    f.gamebook.set(r, "minutes_decimal", 48.0);
    f.gamebook.set(r, "plus_minus", int64_t{40});
  }
  // Later games.
  gb_row(f.gamebook, "2024-01-16", "20240116_LAL_NYK", "lebronjames", "LAL", "active", "40:00", 50);
  gb_row(f.gamebook, "2024-01-17", "20240117_MIA_BOS", "jaysontatum", "BOS", "active", "40:00", 50);
  // Scores of D's game and later games.
  std::vector<Game> games = nbaprops::testing::fixture_games();
  for (auto& g : games) {
    if (g.date >= d) {
      g.status = GameStatus::kFinal;
      g.home_score = 140;
      g.away_score = 80;
    }
  }
  f.schedule = Schedule(games);
  // Props after tip-off and props of later dates; lines after tip-off; an
  // injury report after D.
  prop_row(f.props, "2024-01-15", "jaysontatum", "draftkings", 41.5, "2024-01-16T02:00:00Z", "2024-01-16T00:30:00Z");
  prop_row(f.props, "2024-01-15", "lebronjames", "draftkings", 41.5, "2024-01-16T02:00:00Z", "2024-01-16T00:30:00Z");
  prop_row(f.props, "2024-01-16", "lebronjames", "draftkings", 26.5, "2024-01-16T20:00:00Z");
  nbaprops::testing::add_post_tip_lines(f.lines);
  nbaprops::testing::add_late_injury(f.injuries);
  EXPECT_EQ(nbaprops::testing::all_cells(f.run(d).rows), baseline);

  // The property can fail: a changed box score of D − 1 changes D's rows.
  Fixture g;
  for (size_t r = 0; r < g.gamebook.num_rows(); ++r) {
    if (g.gamebook.get_date(r, "game_date") == day("2024-01-14")) g.gamebook.set(r, "points", int64_t{10});
  }
  EXPECT_NE(nbaprops::testing::all_cells(g.run(d).rows), baseline);
}

TEST(Upgc, PreGameDriverWhenDHasNoGamebook) {
  const Date d = day("2024-01-15");
  Fixture full;
  const UnitOutput backfill = full.run(d);
  Fixture f;
  Table kept(catalog::get("nba_raw.nbac_gamebook_player_stats"));
  for (size_t r = 0; r < f.gamebook.num_rows(); ++r) {
    if (f.gamebook.get_date(r, "game_date") != d) kept.append_row(f.gamebook, r);
  }
  // Porzingis last played for BOS but is listed out for D; the NYK player's
  // team is idle on D.
  gb_row(kept, "2024-01-14", "20240114_BOS_NYK", "kristapsporzingis", "BOS", "active", "30:00", 20);
  gb_row(kept, "2024-01-14", "20240114_BOS_NYK", "jalenbrunson", "NYK", "active", "38:00", 35);
  f.gamebook = kept;
  UnitOutput out = f.run(d);
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(*t.get_text(0, "player_lookup"), "jaysontatum");
  EXPECT_EQ(*t.get_text(1, "player_lookup"), "lebronjames");
  EXPECT_EQ(*t.get_text(0, "processing_decision_reason"), "processed_successfully:pre_game_driver");
  // Same context as in the backfill run (row 1 there), apart from the decision
  // reason (hashed).
  EXPECT_NE(*t.get_text(0, "data_hash"), *backfill.rows.get_text(1, "data_hash"));
  for (const char* c : {"days_rest", "games_in_last_7_days", "minutes_in_last_14_days", "prop_over_streak",
                        "travel_miles", "opponent_days_rest", "l30d_completeness_pct"}) {
    EXPECT_EQ(t.cell_text(0, t.require(c)), backfill.rows.cell_text(1, backfill.rows.require(c))) << c;
  }
  EXPECT_DOUBLE_EQ(*t.get_real(0, "current_points_line"), 28.5);
}

TEST(Upgc, RunsThroughTheWarehouse) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  Fixture f;
  const Date d = day("2024-01-15");
  const auto expected = nbaprops::testing::all_cells(f.run(d).rows);
  auto store = [&](const char* table, Table& rows, const char* date_col) {
    nbaprops::testing::fill_required(rows);
    std::map<Date, Table> parts;
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      Date pd = *rows.get_date(r, date_col);
      parts.try_emplace(pd, catalog::get(table)).first->second.append_row(rows, r);
    }
    for (auto& [pd, part] : parts) wh.replace_partition(catalog::get(table), pd, part);
  };
  store("nba_raw.nbac_gamebook_player_stats", f.gamebook, "game_date");
  store("nba_raw.odds_api_player_points_props", f.props, "game_date");
  store("nba_raw.odds_api_game_lines", f.lines, "game_date");
  store("nba_raw.nbac_injury_report", f.injuries, "report_date");
  const Processor& p = registry::get("upgc");
  EXPECT_EQ(p.info().output_table, "nba_analytics.upcoming_player_game_context");
  UnitOutput out = p.run(UnitContext{wh, f.schedule, d});
  ASSERT_EQ(out.rows.num_rows(), 3u);
  EXPECT_EQ(nbaprops::testing::all_cells(out.rows), expected);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(1, "current_points_line"), 28.5);
  wh.replace_partition(catalog::get(p.info().output_table), d, out.rows);
  EXPECT_EQ(wh.partition_counts(catalog::get(p.info().output_table), std::nullopt)[d], 3);
}

// The carried state: a date answered from one season's digests that other
// dates — earlier or later, in any order, or at the same time on other
// threads — already filled gives exactly the rows of that date computed alone
// from its own window, and the rows the runner committed.
TEST(Upgc, PointInTimeCarriedHistoryAnyDateOrderEqualsEachDateAlone) {
  nbaprops::testing::TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  synth::generate_demo(*wh, {{2022}, 7});
  const Schedule schedule = Schedule::from_table(wh->read(catalog::get("nba_raw.nbac_schedule"), std::nullopt));
  const Date first = *schedule.season_start(2022);
  constexpr int kDays = 40;
  pipeline::PlanOptions po;
  po.range = DateRange{first, first + kDays};
  po.processors = {"upgc"};
  pipeline::RunOptions ro;
  ro.checkpoint_dir = "";
  const pipeline::RunResult run = pipeline::run(*wh, schedule, pipeline::make_plan(schedule, po), ro);
  ASSERT_EQ(run.exit_code(), 0) << run.summary_text();

  std::vector<Date> dates;
  for (Date d = first; d <= first + kDays; d = d + 1) {
    if (!schedule.games_on(d).empty()) dates.push_back(d);
  }
  ASSERT_GE(dates.size(), 20u);
  const Processor& p = registry::get("upgc");
  auto content = [](const UnitOutput& o) { return nbaprops::testing::all_cells(o.rows); };
  auto hashes = [](const Table& rows) {
    std::string out;
    for (const auto& [d, h] : partition_hashes_of(rows)) out += d.iso() + ":" + h.hex() + ";";
    return out;
  };
  // Pass 1: the earliest date first, then the rest shuffled — so most dates
  // are answered from digests that already hold later dates. Pass 2: every
  // date shuffled. Pass 3: the dates of pass 2 reversed, four threads at once
  // (two workers take a season's dates from both ends).
  std::map<Date, std::vector<std::string>> alone;  // each date from its own window
  std::map<Date, std::string> stored;              // what the runner committed
  for (Date d : dates) {
    alone[d] = content(p.run(UnitContext{*wh, schedule, d, &p.info(), nullptr}));
    stored[d] = hashes(wh->read(catalog::get(p.info().output_table), DateRange{d, d}));
  }
  std::mt19937 rng(11);
  std::vector<Date> order = dates;
  for (int pass = 0; pass < 3; ++pass) {
    if (pass < 2) std::shuffle(order.begin() + (pass == 0 ? 1 : 0), order.end(), rng);
    if (pass == 2) std::reverse(order.begin(), order.end());
    std::unique_ptr<CarriedState> carried = p.make_carried_state();
    ASSERT_NE(carried, nullptr);
    std::vector<std::optional<UnitOutput>> out(order.size());
    auto unit = [&](size_t i) {
      out[i].emplace(p.run(UnitContext{*wh, schedule, order[i], &p.info(), carried.get()}));
    };
    if (pass < 2) {
      for (size_t i = 0; i < order.size(); ++i) unit(i);
    } else {
      std::atomic<size_t> next{0};
      std::vector<std::thread> threads;
      for (int k = 0; k < 4; ++k) {
        threads.emplace_back([&] {
          for (size_t i; (i = next.fetch_add(1)) < order.size();) unit(i);
        });
      }
      for (auto& t : threads) t.join();
    }
    int nonempty = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      const Date d = order[i];
      EXPECT_EQ(content(*out[i]), alone[d]) << "pass " << pass << " " << d.iso();
      EXPECT_EQ(hashes(out[i]->rows), stored[d]) << "pass " << pass << " " << d.iso();
      nonempty += out[i]->rows.num_rows() > 0 ? 1 : 0;
    }
    EXPECT_GT(nonempty, 10) << "too few dates with rows: the comparison would be nearly vacuous";
    // The carried digests were used (not each unit's own): every date of the
    // windows digested once.
    const auto& h = dynamic_cast<const analytics::upgc::CarriedHistories&>(*carried);
    EXPECT_EQ(h.gamebook.size(), static_cast<size_t>(kDays + kPlayerHistoryDays));
    EXPECT_EQ(h.props.size(), static_cast<size_t>(kDays + kPlayerHistoryDays + 1));
  }
}

// A date's digest keeps a player's first row with minutes (a duplicate row of
// the date changes nothing; a later row only lends a missing team), the
// players with rows but no minutes, and the newest processed_at of a window
// with its first row winning ties.
TEST(UpgcHelpers, GamebookDigestFirstRowPerDateAndWindowSources) {
  Table gb(catalog::get("nba_raw.nbac_gamebook_player_stats"));
  gb_row(gb, "2024-01-10", "g2", "p", "BOS", "active", "20:00", 10);
  gb_row(gb, "2024-01-08", "g1", "p", "BOS", "dnp", std::nullopt, std::nullopt);
  gb_row(gb, "2024-01-10", "g2", "p", "NYK", "active", "30:00", 99);
  gb_row(gb, "2024-01-12", "g3", "p", "BOS", "active", "12:30", 5);
  gb_row(gb, "2024-01-12", "g3", "q", "BOS", "active", "10:00", 4);
  gb_row(gb, "2024-01-12", "g3", "q", "LAL", "active", "11:00", 6);
  gb.col("team_abbr").set_null(3);
  gb.col("team_abbr").set_null(4);
  gb.set(4, "processed_at", "2024-01-09T00:00:00Z");
  gb.set(5, "processed_at", "2024-01-09T00:00:00Z");
  gb.set(0, "processed_at", "2024-01-11T08:00:00Z");
  gb.set(2, "processed_at", "2024-01-11 08:00:00+00:00");  // same instant, later row: loses the tie
  gb.set(3, "processed_at", "2024-01-10T08:00:00Z");
  analytics::upgc::DayDigests<analytics::upgc::GamebookDay> h;
  int reads = 0;
  auto read = [&](Date, Date) {
    ++reads;
    return gb;
  };
  const auto days = h.get(day("2024-01-01"), day("2024-01-14"), read);
  ASSERT_EQ(days.size(), 14u);
  EXPECT_EQ(reads, 1);
  const auto* p8 = days[7]->find(intern("p"));
  ASSERT_NE(p8, nullptr);
  EXPECT_FALSE(p8->played);  // a row without minutes: a row date, not a game
  const auto* p10 = days[9]->find(intern("p"));
  ASSERT_NE(p10, nullptr);
  EXPECT_TRUE(p10->played);
  EXPECT_DOUBLE_EQ(p10->minutes, 20.0);
  EXPECT_EQ(p10->points, 10);
  EXPECT_EQ(*p10->team, "BOS");
  const auto* p12 = days[11]->find(intern("p"));
  ASSERT_NE(p12, nullptr);
  EXPECT_EQ(p12->team, nullptr);  // its only row of 01-12 has no team
  EXPECT_DOUBLE_EQ(p12->minutes, 12.5);
  const auto* q12 = days[11]->find(intern("q"));
  ASSERT_NE(q12, nullptr);
  EXPECT_DOUBLE_EQ(q12->minutes, 10.0);  // the first row is the game ...
  EXPECT_EQ(*q12->team, "LAL");          // ... a later one lends the team it lacks
  EXPECT_EQ(days[0]->find(intern("p")), nullptr);
  std::vector<const analytics::upgc::DaySource*> all, early;
  for (size_t i = 0; i < days.size(); ++i) {
    all.push_back(&days[i]->source);
    if (i < 9) early.push_back(&days[i]->source);
  }
  const SourceStats s_all = analytics::upgc::source_over(all);
  EXPECT_EQ(s_all.rows, 6);
  EXPECT_EQ(s_all.last_updated, "2024-01-11T08:00:00Z");
  EXPECT_EQ(s_all.hash, "h_p_2024-01-10");
  const SourceStats s_early = analytics::upgc::source_over(early);
  EXPECT_EQ(s_early.rows, 1);
  EXPECT_EQ(s_early.last_updated, "2024-01-08T08:00:00Z");
  // Digested dates are kept: a wider request reads only the dates missing,
  // one read per run of consecutive missing dates.
  std::vector<std::pair<Date, Date>> asked;
  auto logged = [&](Date a, Date b) {
    asked.emplace_back(a, b);
    return gb;
  };
  const auto more = h.get(day("2023-12-30"), day("2024-01-16"), logged);
  EXPECT_EQ(more[11], days[9]);  // the same digest, not a new one
  EXPECT_EQ(asked, (std::vector<std::pair<Date, Date>>{{day("2023-12-30"), day("2023-12-31")},
                                                       {day("2024-01-15"), day("2024-01-16")}}));
  EXPECT_EQ(h.size(), 18u);
}
