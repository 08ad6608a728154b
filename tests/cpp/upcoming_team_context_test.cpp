// UTGC: hand-worked checks on the fixture league of
// upcoming_context_fixture.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "nbaprops/core/teams.hpp"
#include "nbaprops/processors/analytics/upcoming_team_context.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "test_util.hpp"
#include "upcoming_context_fixture.hpp"

using namespace nbaprops;
using namespace nbaprops::analytics;
using nbaprops::testing::day;

namespace {

struct Fixture {
  Schedule schedule{nbaprops::testing::fixture_games()};
  Table lines = nbaprops::testing::fixture_lines();
  Table injuries = nbaprops::testing::fixture_injuries();
  UnitOutput run(Date d) const { return compute_upcoming_team_context(schedule, d, {lines, injuries}); }
};

const Game& game_on(const Schedule& s, const char* date, const char* home) {
  for (const Game* g : s.games_on(day(date))) {
    if (g->home == home) return *g;
  }
  throw std::runtime_error("no game");
}

}  // namespace

// TimestampKey is timestamp_key kept in place: the same text, ordered as the
// text is.
TEST(UtgcHelpers, TimestampKeyIsTimestampKeyInPlace) {
  const std::vector<std::string> stamps = {"",
                                           "2024-01-15",
                                           "2024-01-15T22:00:00Z",
                                           "2024-01-15t22:00:00",
                                           "2024-01-15 22:00:00.123+00:00",
                                           "2024-01-15 21:59:59",
                                           "2024-01-16T00:00:00-05:00",
                                           "2024-01-15T22:00",
                                           "garbage text longer than nineteen"};
  for (const std::string& a : stamps) {
    EXPECT_EQ(std::string(TimestampKey(a).view()), timestamp_key(a)) << a;
    EXPECT_EQ(TimestampKey(a).empty(), timestamp_key(a).empty()) << a;
    for (const std::string& b : stamps) {
      EXPECT_EQ(TimestampKey(a) < TimestampKey(b), timestamp_key(a) < timestamp_key(b)) << a << " vs " << b;
      EXPECT_EQ(TimestampKey(a) == TimestampKey(b), timestamp_key(a) == timestamp_key(b)) << a << " vs " << b;
    }
  }
}

TEST(UtgcHelpers, TeamNamesTimestampsAndBooks) {
  EXPECT_EQ(team_from_name("Boston Celtics"), "BOS");
  EXPECT_EQ(team_from_name("LA Clippers"), "LAC");
  EXPECT_EQ(team_from_name("Los Angeles Clippers"), "LAC");
  EXPECT_EQ(team_from_name("Los Angeles Lakers"), "LAL");
  EXPECT_EQ(team_from_name("Portland Trail Blazers"), "POR");
  EXPECT_EQ(team_from_name("BOS"), "BOS");
  EXPECT_EQ(team_from_name("Over"), "");
  EXPECT_EQ(team_from_name(""), "");
  EXPECT_EQ(timestamp_key("2024-01-15T22:00:00Z"), "2024-01-15 22:00:00");
  EXPECT_EQ(timestamp_key("2024-01-15 22:00:00.123+00:00"), "2024-01-15 22:00:00");
  EXPECT_TRUE(bookmaker_before("draftkings", "fanduel"));
  EXPECT_TRUE(bookmaker_before("fanduel", "betmgm"));
  EXPECT_TRUE(bookmaker_before("betmgm", "caesars"));
  EXPECT_FALSE(bookmaker_before("caesars", "draftkings"));
}

TEST(UtgcHelpers, TravelMilesKnownPairsAndReturnHome) {
  // Haversine on teams.hpp coordinates, R = 3959 mi: BOS–NYK 188.22, BOS–MIA
  // 1257.49, LAL–BOS 2592.34.
  EXPECT_EQ(*travel_miles("BOS", "NYK"), 188);
  EXPECT_EQ(*travel_miles("NYK", "BOS"), 188);
  EXPECT_EQ(*travel_miles("BOS", "MIA"), 1257);
  EXPECT_EQ(*travel_miles("LAL", "BOS"), 2592);
  Fixture f;
  // BOS on D: previous game 01-14 @NYK → trip home NYK → BOS (legacy counted 0
  // for home games).
  EXPECT_EQ(team_travel_miles(f.schedule, "BOS", game_on(f.schedule, "2024-01-15", "BOS")), 188);
  // BOS 01-08 home after 01-05 @MIA: the return trip MIA → BOS.
  EXPECT_EQ(team_travel_miles(f.schedule, "BOS", game_on(f.schedule, "2024-01-08", "BOS")), 1257);
  // BOS 01-10 home after 01-08 home: same arena.
  EXPECT_EQ(team_travel_miles(f.schedule, "BOS", game_on(f.schedule, "2024-01-10", "BOS")), 0);
  // LAL on D: previous game 01-13 at home → LAL → BOS.
  EXPECT_EQ(team_travel_miles(f.schedule, "LAL", game_on(f.schedule, "2024-01-15", "BOS")), 2592);
  // First game of the season: nowhere known to come from.
  EXPECT_EQ(team_travel_miles(f.schedule, "SAC", game_on(f.schedule, "2024-01-03", "LAL")), 0);
}

// The cache builds a season's index once and answers like a fresh one.
TEST(UtgcHelpers, SeasonGamesCacheBuildsEachSeasonOnce) {
  const Schedule schedule{nbaprops::testing::fixture_games()};
  SeasonGamesCache cache;
  const SeasonTeamGames& a = cache.of(schedule, 2023);
  EXPECT_EQ(&cache.of(schedule, 2023), &a);
  const SeasonTeamGames fresh(schedule, 2023);
  for (const char* team : {"BOS", "LAL", "MIA", "XXX"}) {
    const auto x = a.of(team);
    const auto y = fresh.of(team);
    EXPECT_TRUE(std::equal(x.begin(), x.end(), y.begin(), y.end())) << team;
  }
  EXPECT_FALSE(a.of("BOS").empty());
  EXPECT_TRUE(cache.of(schedule, 2022).of("BOS").empty());
}

TEST(UtgcHelpers, FormStreaksAndMargins) {
  Fixture f;
  // BOS before D, newest first: W 108-102 (01-14), W, L, L, W, W → win streak
  // 2, margin +6.
  TeamForm bos = team_form(f.schedule, "BOS", day("2024-01-15"), 2023);
  EXPECT_EQ(bos.win_streak, 2);
  EXPECT_EQ(bos.loss_streak, 0);
  EXPECT_EQ(*bos.last_result, "W");
  EXPECT_EQ(*bos.last_margin, 6);
  // LAL: L 100-110 (01-13), L 100-108, W → loss streak 2, margin −10.
  TeamForm lal = team_form(f.schedule, "LAL", day("2024-01-15"), 2023);
  EXPECT_EQ(lal.win_streak, 0);
  EXPECT_EQ(lal.loss_streak, 2);
  EXPECT_EQ(*lal.last_result, "L");
  EXPECT_EQ(*lal.last_margin, -10);
  // BOS before 01-12: L (01-10), L (01-08), W → loss streak 2.
  TeamForm early = team_form(f.schedule, "BOS", day("2024-01-12"), 2023);
  EXPECT_EQ(early.loss_streak, 2);
  EXPECT_EQ(*early.last_margin, -4);
  // No games before: 0/0, NULL result.
  TeamForm none = team_form(f.schedule, "SAC", day("2024-01-03"), 2023);
  EXPECT_EQ(none.win_streak + none.loss_streak, 0);
  EXPECT_FALSE(none.last_result.has_value());
  EXPECT_FALSE(none.last_margin.has_value());
}

TEST(UtgcHelpers, TeamOrientedLines) {
  Fixture f;
  // DK preferred for the spread (FD −7 ignored); the totals market only has FD.
  TeamGameLines bos = team_game_lines(f.lines, day("2024-01-15"), "BOS", "LAL", "BOS");
  EXPECT_DOUBLE_EQ(*bos.spread, -6.5);
  EXPECT_DOUBLE_EQ(*bos.opening_spread, -5.5);
  EXPECT_EQ(bos.spread_source, "draftkings");
  EXPECT_DOUBLE_EQ(*bos.total, 228.5);
  EXPECT_DOUBLE_EQ(*bos.opening_total, 230.5);
  EXPECT_EQ(bos.total_source, "fanduel");
  EXPECT_EQ(*bos.updated_at, "2024-01-15T22:00:00Z");
  TeamGameLines lal = team_game_lines(f.lines, day("2024-01-15"), "BOS", "LAL", "LAL");
  EXPECT_DOUBLE_EQ(*lal.spread, 6.5);
  EXPECT_DOUBLE_EQ(*lal.opening_spread, 5.5);
  // Another matchup on that date finds nothing.
  TeamGameLines other = team_game_lines(f.lines, day("2024-01-15"), "NYK", "LAL", "NYK");
  EXPECT_FALSE(other.spread.has_value());
  EXPECT_FALSE(other.total.has_value());
  EXPECT_FALSE(other.updated_at.has_value());
}

TEST(UtgcHelpers, InjurySelection) {
  Fixture f;
  nbaprops::testing::add_late_injury(f.injuries);
  auto e = injuries_for_date(f.injuries, day("2024-01-15"));
  // benchguy dropped (confidence 0.5); porzingis' latest report (01-15 12h)
  // says out; the 01-16 report about lebronjames is after D and ignored.
  // Ordered by player_lookup.
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].player_lookup, "jaylenbrown");
  EXPECT_EQ(e[0].status, "questionable");
  EXPECT_EQ(e[1].player_lookup, "kristapsporzingis");
  EXPECT_EQ(e[1].status, "out");
  EXPECT_EQ(e[2].player_lookup, "lebronjames");
  EXPECT_EQ(e[2].status, "probable");
  EXPECT_EQ(e[3].player_lookup, "samhauser");
  EXPECT_EQ(e[3].status, "doubtful");
  EXPECT_EQ(e[3].team, "BOS");
}

TEST(Utgc, HandWorkedRowsForD) {
  Fixture f;
  UnitOutput out = f.run(day("2024-01-15"));
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 2u);
  // Row 0: BOS (home).
  EXPECT_EQ(*t.get_text(0, "team_abbr"), "BOS");
  EXPECT_EQ(*t.get_text(0, "game_id"), "20240115_LAL_BOS");
  EXPECT_EQ(*t.get_date(0, "game_date"), day("2024-01-15"));
  EXPECT_EQ(*t.get_int(0, "season_year"), 2023);
  EXPECT_EQ(*t.get_text(0, "opponent_team_abbr"), "LAL");
  EXPECT_TRUE(*t.get_bool(0, "home_game"));
  // Rest: last game 01-14 → days_since 1, rest 1 − 1 = 0, back-to-back.
  EXPECT_EQ(*t.get_int(0, "days_since_last_game"), 1);
  EXPECT_EQ(*t.get_int(0, "team_days_rest"), 0);
  EXPECT_TRUE(*t.get_bool(0, "is_back_to_back"));
  EXPECT_TRUE(*t.get_bool(0, "team_back_to_back"));
  // D−7..D−1 = 01-08..01-14: 01-08, 01-10, 01-12, 01-14 → 4 (legacy D−6..D−1
  // would give 3).
  EXPECT_EQ(*t.get_int(0, "games_in_last_7_days"), 4);
  // D−14..D−1 = 01-01..01-14: + 01-05 → 5.
  EXPECT_EQ(*t.get_int(0, "games_in_last_14_days"), 5);
  // Whole season: 12-20 plus five January games before D → game 7.
  EXPECT_EQ(*t.get_int(0, "game_number_in_season"), 7);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "game_spread"), -6.5);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "spread_movement"), -1.0);
  EXPECT_EQ(*t.get_text(0, "game_spread_source"), "draftkings");
  EXPECT_DOUBLE_EQ(*t.get_real(0, "game_total"), 228.5);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "total_movement"), -2.0);
  EXPECT_EQ(*t.get_text(0, "game_total_source"), "fanduel");
  EXPECT_EQ(*t.get_text(0, "betting_lines_updated_at"), "2024-01-15T22:00:00Z");
  // Injuries: out = porzingis; questionable + doubtful = brown + hauser;
  // benchguy (0.5) dropped.
  EXPECT_EQ(*t.get_int(0, "starters_out_count"), 1);
  EXPECT_EQ(*t.get_int(0, "questionable_players_count"), 2);
  EXPECT_EQ(*t.get_int(0, "team_win_streak_entering"), 2);
  EXPECT_EQ(*t.get_int(0, "team_loss_streak_entering"), 0);
  EXPECT_EQ(*t.get_int(0, "last_game_margin"), 6);
  EXPECT_EQ(*t.get_text(0, "last_game_result"), "W");
  EXPECT_EQ(*t.get_int(0, "travel_miles"), 188);
  // Completeness: 5 scheduled games in 14 days, all final → 100 %, gold, ready.
  EXPECT_EQ(*t.get_int(0, "expected_games_count"), 5);
  EXPECT_EQ(*t.get_int(0, "actual_games_count"), 5);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "completeness_percentage"), 100.0);
  EXPECT_EQ(*t.get_text(0, "quality_tier"), "gold");
  EXPECT_TRUE(*t.get_bool(0, "is_production_ready"));
  EXPECT_FALSE(*t.get_bool(0, "early_season_flag"));
  EXPECT_EQ(t.get_text(0, "data_hash")->size(), 16u);

  // Row 1: LAL (away).
  EXPECT_EQ(*t.get_text(1, "team_abbr"), "LAL");
  EXPECT_FALSE(*t.get_bool(1, "home_game"));
  EXPECT_EQ(*t.get_int(1, "days_since_last_game"), 2);
  EXPECT_EQ(*t.get_int(1, "team_days_rest"), 1);
  EXPECT_FALSE(*t.get_bool(1, "is_back_to_back"));
  EXPECT_EQ(*t.get_int(1, "games_in_last_7_days"), 2);   // 01-11, 01-13
  EXPECT_EQ(*t.get_int(1, "games_in_last_14_days"), 3);  // + 01-03
  EXPECT_EQ(*t.get_int(1, "game_number_in_season"), 4);
  EXPECT_DOUBLE_EQ(*t.get_real(1, "game_spread"), 6.5);
  EXPECT_DOUBLE_EQ(*t.get_real(1, "spread_movement"), 1.0);
  EXPECT_DOUBLE_EQ(*t.get_real(1, "game_total"), 228.5);
  EXPECT_EQ(*t.get_int(1, "starters_out_count"), 0);
  EXPECT_EQ(*t.get_int(1, "questionable_players_count"),
            0);  // probable does not count
  EXPECT_EQ(*t.get_int(1, "team_loss_streak_entering"), 2);
  EXPECT_EQ(*t.get_int(1, "last_game_margin"), -10);
  EXPECT_EQ(*t.get_text(1, "last_game_result"), "L");
  EXPECT_EQ(*t.get_int(1, "travel_miles"), 2592);
  EXPECT_NE(*t.get_text(0, "data_hash"), *t.get_text(1, "data_hash"));
}

TEST(Utgc, FirstGameOfSeason) {
  Fixture f;
  UnitOutput out = f.run(day("2024-01-03"));  // SAC @ LAL: both teams' first game in the fixture
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 2u);
  for (size_t r = 0; r < 2; ++r) {
    EXPECT_FALSE(t.get_int(r, "team_days_rest").has_value());
    EXPECT_FALSE(t.get_int(r, "days_since_last_game").has_value());
    EXPECT_FALSE(*t.get_bool(r, "is_back_to_back"));
    EXPECT_EQ(*t.get_int(r, "games_in_last_7_days"), 0);
    EXPECT_EQ(*t.get_int(r, "game_number_in_season"), 1);
    EXPECT_EQ(*t.get_int(r, "team_win_streak_entering"), 0);
    EXPECT_FALSE(t.get_text(r, "last_game_result").has_value());
    EXPECT_EQ(*t.get_int(r, "travel_miles"), 0);
    EXPECT_FALSE(t.get_real(r, "game_spread").has_value());  // no lines for that date
    // No game expected in the windows → nothing missing.
    EXPECT_DOUBLE_EQ(*t.get_real(r, "l7d_completeness_pct"), 100.0);
  }
  EXPECT_TRUE(f.run(day("2024-01-02")).rows.num_rows() == 0);
}

TEST(Utgc, PointInTime) {
  Fixture f;
  const Date d = day("2024-01-15");
  auto baseline = nbaprops::testing::all_cells(f.run(d).rows);
  // Raw rows dated on or after D that are not pre-game: D's own final score and
  // later scores, line snapshots after tip-off, an injury report issued after
  // D.
  std::vector<Game> games = nbaprops::testing::fixture_games();
  for (auto& g : games) {
    if (g.date >= d) {
      g.status = GameStatus::kFinal;
      g.home_score = 140;
      g.away_score = 80;
    }
  }
  Fixture changed;
  changed.schedule = Schedule(games);
  nbaprops::testing::add_post_tip_lines(changed.lines);
  nbaprops::testing::add_late_injury(changed.injuries);
  EXPECT_EQ(nbaprops::testing::all_cells(changed.run(d).rows), baseline);
  // The test can fail: flipping a game before D changes the rows.
  games = nbaprops::testing::fixture_games();
  for (auto& g : games) {
    if (g.date == day("2024-01-14")) std::swap(g.home_score, g.away_score);
  }
  Fixture before;
  before.schedule = Schedule(games);
  EXPECT_NE(nbaprops::testing::all_cells(before.run(d).rows), baseline);
}

TEST(Utgc, RunsThroughTheWarehouse) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  Fixture f;
  const Date d = day("2024-01-15");
  const auto expected = nbaprops::testing::all_cells(f.run(d).rows);
  // Stored but outside the processor's read window (report_date after D).
  nbaprops::testing::add_late_injury(f.injuries);
  nbaprops::testing::fill_required(f.lines);
  wh.replace_partition(catalog::get("nba_raw.odds_api_game_lines"), d, f.lines);
  for (Date rd : {day("2024-01-14"), day("2024-01-15"), day("2024-01-16")}) {
    Table part(catalog::get("nba_raw.nbac_injury_report"));
    for (size_t r = 0; r < f.injuries.num_rows(); ++r) {
      if (f.injuries.get_date(r, "report_date") == rd) part.append_row(f.injuries, r);
    }
    wh.replace_partition(catalog::get("nba_raw.nbac_injury_report"), rd, part);
  }
  const Processor& p = registry::get("utgc");
  EXPECT_EQ(p.info().output_table, "nba_analytics.upcoming_team_game_context");
  UnitOutput out = p.run(UnitContext{wh, f.schedule, d});
  ASSERT_EQ(out.rows.num_rows(), 2u);
  EXPECT_EQ(nbaprops::testing::all_cells(out.rows), expected);
  // With the season's carried schedule index (built by the first unit, reused
  // by the next): the same rows.
  const std::unique_ptr<CarriedState> carried = p.make_carried_state();
  ASSERT_NE(carried, nullptr);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(nbaprops::testing::all_cells(p.run(UnitContext{wh, f.schedule, d, &p.info(), carried.get()}).rows),
              expected);
  }
  EXPECT_EQ(*out.rows.get_int(0, "starters_out_count"), 1);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(0, "game_spread"), -6.5);
  // The runner stamps created_at/processed_at (required here) before writing.
  for (size_t r = 0; r < out.rows.num_rows(); ++r) {
    out.rows.set(r, "created_at", "2024-01-15T10:00:00Z");
    out.rows.set(r, "processed_at", "2024-01-15T10:00:00Z");
  }
  wh.replace_partition(catalog::get(p.info().output_table), d, out.rows);
  EXPECT_EQ(wh.partition_counts(catalog::get(p.info().output_table), std::nullopt)[d], 2);
}
