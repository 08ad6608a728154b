#include <gtest/gtest.h>

#include "nbaprops/processors/precompute/daily_cache.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "table_assert.hpp"
#include "store_partitions.hpp"
#include "test_util.hpp"

using nbaprops::testing::row_with;
using nbaprops::testing::store_partitions;

using nbaprops::testing::expect_same_rows;

using namespace nbaprops;
using namespace nbaprops::precompute;

namespace {

std::vector<PlayerGame> games_with_points(const std::vector<double>& pts) {
  std::vector<PlayerGame> g;
  for (double p : pts) g.push_back(PlayerGame{p, 35.0, 30.5, 0.620, 10.0, 4.0});
  return g;
}

}  // namespace

// legacy-pcf-pdc.md §B5 unit examples (_calculate_player_cache).
TEST(PdcFormulas, TenGameExample) {
  CacheMetrics m = cache_metrics(games_with_points({26, 27, 28, 29, 30, 31, 32, 33, 34, 35}));
  EXPECT_DOUBLE_EQ(*m.points_avg_last_5, 28.0);
  EXPECT_DOUBLE_EQ(*m.points_avg_last_10, 30.5);
  EXPECT_DOUBLE_EQ(*m.points_avg_season, 30.5);
  EXPECT_DOUBLE_EQ(*m.points_std_last_10, 3.0277);  // sample std, ddof 1
  EXPECT_DOUBLE_EQ(*m.usage_rate_last_10, 30.5);
  EXPECT_DOUBLE_EQ(*m.minutes_avg_last_10, 35.0);
  EXPECT_DOUBLE_EQ(*m.ts_pct_last_10, 0.62);
  EXPECT_DOUBLE_EQ(*m.player_usage_rate_season, 30.5);
  EXPECT_DOUBLE_EQ(*m.assisted_rate_last_10, 0.4);
  EXPECT_EQ(m.games_played_season, 10);
}

TEST(PdcFormulas, TeamMeansAndAssistedRate) {
  std::vector<std::optional<double>> pace1, pace2, ortg;
  for (int i = 0; i < 10; ++i) {
    pace1.push_back(102.0 + i);
    pace2.push_back(100.0 + i);
    ortg.push_back(115.0);
  }
  EXPECT_DOUBLE_EQ(*team_mean_r4(pace1), 106.5);
  EXPECT_DOUBLE_EQ(*team_mean_r4(pace2), 104.5);
  EXPECT_DOUBLE_EQ(*team_mean_r4(ortg), 115.0);
  EXPECT_FALSE(team_mean_r4({}));
  auto with_assists = [](double makes, double assisted) {
    std::vector<PlayerGame> g(10, PlayerGame{20.0, 30.0, 25.0, 0.55, makes, assisted});
    return cache_metrics(g).assisted_rate_last_10;
  };
  EXPECT_DOUBLE_EQ(*with_assists(10, 4), 0.4);
  EXPECT_FALSE(with_assists(0, 0));
  EXPECT_DOUBLE_EQ(*with_assists(10, 10), 1.0);
  EXPECT_DOUBLE_EQ(*with_assists(10, 0), 0.0);
}

TEST(PdcFormulas, SmallSamplesAndEdgeValues) {
  CacheMetrics six = cache_metrics(games_with_points({18, 18, 18, 18, 18, 18}));
  EXPECT_DOUBLE_EQ(*six.points_avg_last_5, 18.0);
  EXPECT_DOUBLE_EQ(*six.points_avg_last_10, 18.0);
  EXPECT_EQ(six.games_played_season, 6);
  CacheMetrics seven = cache_metrics(games_with_points({10, 12, 14, 16, 18, 20, 22}));
  EXPECT_DOUBLE_EQ(*seven.points_std_last_10, 4.3205);
  CacheMetrics one = cache_metrics(games_with_points({25}));
  EXPECT_FALSE(one.points_std_last_10);
  std::vector<PlayerGame> ts(10, PlayerGame{30.0, 34.0, 28.0, 1.0, 10.0, 5.0});
  CacheMetrics tsm = cache_metrics(ts);
  EXPECT_DOUBLE_EQ(*tsm.ts_pct_last_10, 1.0);
  EXPECT_DOUBLE_EQ(*tsm.points_avg_last_10, 30.0);
  // 7 games of 30 min / 15 pts + 3 of 0 / 0 given directly → 10 games, L10
  // mean 10.5.
  std::vector<PlayerGame> mixed(7, PlayerGame{15.0, 30.0, 20.0, 0.5, 6.0, 3.0});
  for (int i = 0; i < 3; ++i) mixed.push_back(PlayerGame{0.0, 0.0, std::nullopt, std::nullopt, 0.0, 0.0});
  CacheMetrics mm = cache_metrics(mixed);
  EXPECT_EQ(mm.games_played_season, 10);
  EXPECT_DOUBLE_EQ(*mm.points_avg_last_10, 10.5);
  EXPECT_DOUBLE_EQ(*mm.usage_rate_last_10,
                   20.0);  // NULL usage rows skipped by the mean
}

TEST(PdcFormulas, WindowCompleteness) {
  auto w = window_completeness(10, 7);
  EXPECT_DOUBLE_EQ(w.pct, 70.0);
  EXPECT_TRUE(w.ready);
  EXPECT_EQ(w.missing, 3);
  auto over = window_completeness(5, 15);  // games windows compare the season count: > 100 %
  EXPECT_DOUBLE_EQ(over.pct, 300.0);
  EXPECT_EQ(over.missing, 0);
  auto low = window_completeness(3, 2);
  EXPECT_DOUBLE_EQ(low.pct, 66.7);
  EXPECT_FALSE(low.ready);
  auto none = window_completeness(0, 0);
  EXPECT_DOUBLE_EQ(none.pct, 0.0);
  EXPECT_FALSE(none.ready);
}

namespace {

const Date kD = Date::parse("2025-01-21");
const Date kOpen = Date::parse("2024-10-22");

/// LAL plays every second day D−2 … D−30 plus the opener and D itself; BOS
/// opens the season.
Schedule lal_schedule() {
  std::vector<Game> games;
  auto add = [&](Date d, const std::string& away, const std::string& home) {
    Game g;
    g.nba_game_id = "00224" + std::to_string(d.days());
    g.date = d;
    g.season = 2024;
    g.home = home;
    g.away = away;
    g.status = GameStatus::kFinal;
    games.push_back(g);
  };
  add(kOpen, "NYK", "BOS");
  add(kOpen + 1, "LAL", "MIN");
  for (int k = 15; k >= 1; --k) add(kD - 2 * k, "LAL", "GSW");
  add(kD, "GSW", "LAL");
  return Schedule(std::move(games));
}

struct Fixture {
  Table pgs{catalog::get("nba_analytics.player_game_summary")};
  Table togs{catalog::get("nba_analytics.team_offense_game_summary")};
  Table upgc{catalog::get("nba_analytics.upcoming_player_game_context")};
  Table psza{catalog::get("nba_precompute.player_shot_zone_analysis")};

  void game(const std::string& player, Date d, double pts, bool active = true) {
    size_t r = pgs.add_row();
    pgs.set(r, "player_lookup", player);
    pgs.set(r, "universal_player_id", player + "_001");
    pgs.set(r, "game_id", d.compact() + "_LAL_GSW");
    pgs.set(r, "game_date", d);
    pgs.set(r, "team_abbr", "LAL");
    pgs.set(r, "opponent_team_abbr", "GSW");
    pgs.set(r, "season_year", 2024);
    pgs.set(r, "starter_flag", true);
    pgs.set(r, "win_flag", true);
    pgs.set(r, "is_active", active);
    if (active) {
      pgs.set(r, "points", static_cast<int64_t>(pts));
      pgs.set(r, "minutes_played", 35.0);
      pgs.set(r, "usage_rate", 30.5);
      pgs.set(r, "ts_pct", 0.62);
      pgs.set(r, "fg_makes", int64_t{10});
      pgs.set(r, "assisted_fg_makes", int64_t{4});
    }
    pgs.set(r, "data_hash", "pgs_" + player.substr(0, 4) + d.compact());
    pgs.set(r, "processed_at", d.iso() + "T23:00:00Z");
  }
  void team_game(Date d, double pace) {
    size_t r = togs.add_row();
    togs.set(r, "game_id", d.compact() + "_LAL_GSW");
    togs.set(r, "game_date", d);
    togs.set(r, "team_abbr", "LAL");
    togs.set(r, "opponent_team_abbr", "GSW");
    togs.set(r, "season_year", 2024);
    togs.set(r, "home_game", false);
    togs.set(r, "win_flag", true);
    togs.set(r, "pace", pace);
    togs.set(r, "offensive_rating", 115.0);
    togs.set(r, "data_hash", "togs" + d.compact());
    togs.set(r, "processed_at", d.iso() + "T23:30:00Z");
  }
  void context(const std::string& player, Date d = kD) {
    size_t r = upgc.add_row();
    upgc.set(r, "player_lookup", player);
    upgc.set(r, "universal_player_id", player + "_001");
    upgc.set(r, "game_id", d.compact() + "_GSW_LAL");
    upgc.set(r, "game_date", d);
    upgc.set(r, "team_abbr", "LAL");
    upgc.set(r, "opponent_team_abbr", "GSW");
    upgc.set(r, "games_in_last_7_days", int64_t{3});
    upgc.set(r, "games_in_last_14_days", int64_t{5});
    upgc.set(r, "minutes_in_last_7_days", int64_t{108});
    upgc.set(r, "minutes_in_last_14_days", int64_t{176});
    upgc.set(r, "back_to_backs_last_14_days", int64_t{1});
    upgc.set(r, "avg_minutes_per_game_last_7", 36.0);
    upgc.set(r, "fourth_quarter_minutes_last_7", int64_t{28});
    upgc.set(r, "player_age", int64_t{40});
    upgc.set(r, "data_hash", "upgc" + player);
  }
  /// The spec's 10-game example, placed on LAL's 15 game dates before D (points
  /// 26 newest … 35, then five older games of 20), plus three other players for
  /// the gates.
  void build() {
    for (int k = 1; k <= 15; ++k) {
      Date d = kD - 2 * k;
      game("lebronjames", d, k <= 10 ? 25.0 + k : 20.0);
      // 4 active games (newest) + 11 DNP rows: complete windows, but too few
      // games.
      game("rookie", d, 8.0, k <= 4);
      // 7 active games + 8 DNP rows: written, early-season flag.
      game("bench", d, 6.0, k <= 7);
      // Only the 8 oldest games: recent windows incomplete.
      if (k > 7) game("injured", d, 12.0);
      team_game(d, 112.0 - k);  // newest first: 111 … 102 over the last 10
    }
    for (const char* p : {"lebronjames", "rookie", "bench", "injured"}) context(p);
    size_t r = psza.add_row();
    psza.set(r, "player_lookup", "lebronjames");
    psza.set(r, "analysis_date", kD);
    psza.set(r, "primary_scoring_zone", "paint");
    psza.set(r, "paint_rate_last_10", 48.3);
    psza.set(r, "three_pt_rate_last_10", 31.2);
    psza.set(r, "data_hash", "pszahash");
  }
  UnitOutput run(const Schedule& s, Date d) const { return compute_daily_cache(s, d, {pgs, togs, upgc, psza}); }
};

size_t row_of(const Table& t, const std::string& player) { return row_with(t, "player_lookup", player); }

}  // namespace

TEST(PdcCompute, SpecExampleRowAndGates) {
  Fixture f;
  f.build();
  Schedule s = lal_schedule();
  UnitOutput out = f.run(s, kD);
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 2u);  // lebronjames, bench
  ASSERT_EQ(out.failures.size(), 2u);
  EXPECT_EQ(out.failures[0].entity_id, "injured");
  EXPECT_EQ(out.failures[0].category, "INCOMPLETE_DATA");
  EXPECT_EQ(out.failures[1].entity_id, "rookie");
  EXPECT_EQ(out.failures[1].category, "INSUFFICIENT_DATA");
  EXPECT_EQ(out.failures[1].reason, "Only 4 games played, need 5 minimum");

  size_t r = row_of(t, "lebronjames");
  EXPECT_EQ(*t.get_date(r, "cache_date"), kD);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "points_avg_last_5"), 28.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "points_avg_last_10"), 30.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "points_std_last_10"), 3.0277);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "points_avg_season"),
                   27.0);  // (305 + 5 × 20) / 15
  EXPECT_DOUBLE_EQ(*t.get_real(r, "usage_rate_last_10"), 30.5);
  EXPECT_EQ(*t.get_int(r, "games_played_season"), 15);
  EXPECT_EQ(*t.get_int(r, "games_in_last_7_days"), 3);
  EXPECT_EQ(*t.get_int(r, "minutes_in_last_7_days"), 108);
  EXPECT_EQ(*t.get_int(r, "player_age"), 40);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_minutes_per_game_last_7"), 36.0);
  EXPECT_EQ(*t.get_text(r, "primary_scoring_zone"), "paint");
  EXPECT_DOUBLE_EQ(*t.get_real(r, "paint_rate_last_10"), 48.3);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "three_pt_rate_last_10"), 31.2);
  EXPECT_TRUE(*t.get_bool(r, "shot_zone_data_available"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "assisted_rate_last_10"), 0.4);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "team_pace_last_10"), 106.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "team_off_rating_last_10"), 115.0);
  EXPECT_EQ(*t.get_text(r, "cache_version"), "v1");
  EXPECT_FALSE(*t.get_bool(r, "early_season_flag"));
  EXPECT_FALSE(t.get_text(r, "insufficient_data_reason"));
  // Completeness: L5 window = 15 season games vs 5 expected → 300 %; 7-day
  // window 3/3.
  EXPECT_EQ(*t.get_int(r, "expected_games_count"), 5);
  EXPECT_EQ(*t.get_int(r, "actual_games_count"), 15);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "completeness_percentage"), 300.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "l7d_completeness_pct"), 100.0);
  EXPECT_TRUE(*t.get_bool(r, "all_windows_complete"));
  EXPECT_TRUE(*t.get_bool(r, "is_production_ready"));
  EXPECT_EQ(*t.get_text(r, "data_quality_issues"), "[]");
  // Source hashes: the newest PGS / TOGS rows before D (D−2), UPGC and PSZA of
  // D.
  EXPECT_EQ(*t.get_text(r, "source_team_offense_hash"), "togs20250119");
  EXPECT_EQ(*t.get_text(r, "source_shot_zone_hash"), "pszahash");
  // Full SHA-256 of json.dumps(sort_keys=True) of the hash fields (legacy
  // parallel path), cross-checked in Python with cache_quality_score = L5 pct =
  // 300.0.
  EXPECT_EQ(*t.get_text(r, "data_hash"), "2ea7b8f678195575c7247a20545e27dbe86121cb372af2e1e333e290c1b73cd0");

  size_t b = row_of(t, "bench");
  EXPECT_TRUE(*t.get_bool(b, "early_season_flag"));
  EXPECT_EQ(*t.get_text(b, "insufficient_data_reason"), "Only 7 games played, need 10 minimum");
  EXPECT_EQ(*t.get_int(b, "games_played_season"), 7);
  EXPECT_FALSE(t.get_text(b, "primary_scoring_zone"));
  EXPECT_FALSE(*t.get_bool(b, "shot_zone_data_available"));
}

// Spec §B3: source_upcoming_context_hash is the data_hash of D's UPGC row with
// the latest processed_at (legacy ORDER BY processed_at DESC LIMIT 1), not the
// largest hash ("upgcrookie"); rows sharing one processed_at keep the largest.
TEST(PdcCompute, UpcomingContextHashFollowsTheLatestProcessedAt) {
  Fixture f;
  f.build();
  const size_t lebron = row_with(f.upgc, "player_lookup", "lebronjames");
  for (size_t r = 0; r < f.upgc.num_rows(); ++r) {
    f.upgc.set(r, "processed_at", r == lebron ? "2025-01-21T09:00:00Z" : "2025-01-21T08:00:00Z");
  }
  Schedule s = lal_schedule();
  UnitOutput out = f.run(s, kD);
  ASSERT_GT(out.rows.num_rows(), 0u);
  for (size_t r = 0; r < out.rows.num_rows(); ++r) {
    EXPECT_EQ(*out.rows.get_text(r, "source_upcoming_context_hash"), "upgclebronjames");
  }
  // One processed_at for all (a partition nbaprops wrote): the largest hash.
  f.upgc.set(lebron, "processed_at", "2025-01-21T08:00:00Z");
  UnitOutput same = f.run(s, kD);
  EXPECT_EQ(*same.rows.get_text(0, "source_upcoming_context_hash"), "upgcrookie");
}

// Spec §0 CompletenessChecker: a games window expects the team's last N game
// dates before D with no season filter, so early in a season it reaches into
// the previous one (it counted only this season's games: 5 of 5 → 100 %).
// HOU: 10 games in March 2024, 5 of season 2024 before D = 2024-11-02.
TEST(PdcCompute, GamesWindowsExpectTheTeamsLastGamesAcrossSeasons) {
  std::vector<Game> games;
  auto add = [&](Date d, int season, const char* home = "HOU") {
    Game g;
    g.nba_game_id = "00" + std::to_string(season) + std::to_string(d.days());
    g.date = d;
    g.season = season;
    g.home = home;
    g.away = "SAS";
    g.status = GameStatus::kFinal;
    games.push_back(g);
  };
  for (int k = 0; k < 10; ++k) add(Date::parse("2024-03-01") + 2 * k, 2023);
  add(Date::parse("2024-10-22"), 2024, "BOS");  // opener (not HOU's)
  const Date d = Date::parse("2024-11-02");
  std::vector<Date> season_games;
  for (int k = 5; k >= 1; --k) season_games.push_back(d - 2 * k);
  for (Date g : season_games) add(g, 2024);
  add(d, 2024);
  const Schedule s(std::move(games));
  Fixture f;
  for (Date g : season_games) f.game("aaronreyes", g, 20.0);
  for (size_t r = 0; r < f.pgs.num_rows(); ++r) f.pgs.set(r, "team_abbr", "HOU");
  f.context("aaronreyes", d);
  UnitOutput out = f.run(s, d);
  ASSERT_EQ(out.rows.num_rows(), 1u);  // written: November is a season-boundary month
  const Table& t = out.rows;
  EXPECT_DOUBLE_EQ(*t.get_real(0, "l5_completeness_pct"), 100.0);  // 5 / 5
  EXPECT_DOUBLE_EQ(*t.get_real(0, "l10_completeness_pct"), 50.0);  // 5 / 10, not 5 / 5
  EXPECT_FALSE(*t.get_bool(0, "l10_is_complete"));
  EXPECT_FALSE(*t.get_bool(0, "all_windows_complete"));
  EXPECT_FALSE(*t.get_bool(0, "is_production_ready"));
}

TEST(PdcCompute, PointInTimeRowsDatedDOrLaterIgnored) {
  Schedule s = lal_schedule();
  Fixture base;
  base.build();
  UnitOutput a = base.run(s, kD);
  Fixture leak;
  leak.build();
  // D's own game and later games (DECISION 1: legacy read game_date <= D for
  // PGS and TOGS).
  for (Date d : {kD, kD + 2}) {
    leak.game("lebronjames", d, 60.0);
    leak.game("injured", d, 40.0);
    leak.team_game(d, 130.0);
  }
  UnitOutput b = leak.run(s, kD);
  expect_same_rows(a.rows, b.rows);
  EXPECT_EQ(b.failures.size(), a.failures.size());
}

TEST(PdcCompute, IdempotentAndEmptyContext) {
  Schedule s = lal_schedule();
  Fixture f;
  f.build();
  expect_same_rows(f.run(s, kD).rows, f.run(s, kD).rows);
  Fixture empty;
  UnitOutput out = empty.run(s, kD);
  EXPECT_EQ(out.rows.num_rows(), 0u);
  EXPECT_TRUE(out.failures.empty());
  EXPECT_FALSE(out.empty_reason.empty());
}

TEST(PdcProcessor, RunsOnSqliteWarehouse) {
  nbaprops::testing::TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Fixture f;
  f.build();
  std::vector<Date> dates;
  for (int k = 1; k <= 15; ++k) dates.push_back(kD - 2 * k);
  wh->replace_partitions(f.pgs.schema(), dates, f.pgs);
  wh->replace_partitions(f.togs.schema(), dates, f.togs);
  wh->replace_partitions(f.upgc.schema(), {kD}, f.upgc);
  wh->replace_partitions(f.psza.schema(), {kD}, f.psza);
  Schedule s = lal_schedule();
  register_builtins();
  const Processor& p = registry::get("pdc");
  EXPECT_EQ(p.info().bootstrap, BootstrapPolicy::kSkip);
  for (const auto& r : p.info().reads) EXPECT_NE(r.table, "nba_precompute.player_composite_factors");
  UnitOutput out = p.run(UnitContext{*wh, s, kD});
  expect_same_rows(f.run(s, kD).rows, out.rows);
  ASSERT_EQ(out.rows.num_rows(), 2u);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(row_of(out.rows, "lebronjames"), "points_avg_last_10"), 30.5);
  EXPECT_EQ(out.failures.size(), 2u);
  wh->replace_partitions(out.rows.schema(), {kD}, out.rows);
  EXPECT_EQ(wh->partition_counts(out.rows.schema(), DateRange{kD, kD}).at(kD), 2);
}

// The carried histories (PGS, and TOGS across the season boundary): every date
// answered from one state that already holds later dates equals the date
// computed alone, and early in the season the team's last 10 games include the
// previous season's.
TEST(PdcCarried, PointInTimeAnyDateOrderEqualsEachDateAlone) {
  nbaprops::testing::TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Fixture f;
  f.build();
  // The previous season's last games, within 365 days of every date below.
  for (int k = 0; k < 8; ++k) {
    f.team_game(Date::parse("2024-04-14") - 2 * k, 120.0);
    f.togs.set(f.togs.num_rows() - 1, "season_year", int64_t{2023});
  }
  // D's own game (read by later dates only) and context on five dates.
  for (const char* p : {"lebronjames", "rookie", "bench", "injured"}) f.game(p, kD, 40.0);
  f.team_game(kD, 130.0);
  const std::vector<Date> dates = {kD - 20, kD + 2, kD - 10, kD, kD - 4};  // one later date early on
  for (Date d : dates) {
    if (d == kD) continue;  // build() wrote kD's context
    for (const char* p : {"lebronjames", "rookie", "bench", "injured"}) f.context(p, d);
  }
  for (const Table* t : {&f.pgs, &f.togs, &f.upgc, &f.psza}) store_partitions(*wh, *t);
  const Schedule s = lal_schedule();
  register_builtins();
  const Processor& p = registry::get("pdc");
  std::unique_ptr<CarriedState> carried = p.make_carried_state();
  ASSERT_NE(carried, nullptr);
  int nonempty = 0;
  for (Date d : dates) {
    const UnitOutput shared = p.run(UnitContext{*wh, s, d, &p.info(), carried.get()});
    const UnitOutput alone = p.run(UnitContext{*wh, s, d, &p.info(), nullptr});
    expect_same_rows(alone.rows, shared.rows);
    ASSERT_EQ(shared.failures.size(), alone.failures.size()) << d.iso();
    for (size_t i = 0; i < shared.failures.size(); ++i) {
      EXPECT_EQ(shared.failures[i].entity_id, alone.failures[i].entity_id) << d.iso();
      EXPECT_EQ(shared.failures[i].reason, alone.failures[i].reason) << d.iso();
    }
    nonempty += shared.rows.num_rows() > 0 ? 1 : 0;
    if (d == kD - 20) {
      // LAL's 5 games of the season before D (pace 101 … 97) and the previous
      // season's last 5 (120): (495 + 600) / 10.
      ASSERT_GT(shared.rows.num_rows(), 0u);
      const size_t r = row_of(shared.rows, "lebronjames");
      EXPECT_DOUBLE_EQ(*shared.rows.get_real(r, "team_pace_last_10"), 109.5);
      EXPECT_EQ(*shared.rows.get_text(r, "source_team_offense_hash"), "togs" + (kD - 22).compact());
    }
    if (d == kD + 2) {
      // D's own game counts for a later date: L10 pace of 130, 111 … 103:
      // (130 + 963) / 10.
      const size_t r = row_of(shared.rows, "lebronjames");
      EXPECT_DOUBLE_EQ(*shared.rows.get_real(r, "team_pace_last_10"), 109.3);
    }
  }
  EXPECT_EQ(nonempty, static_cast<int>(dates.size()));
}
