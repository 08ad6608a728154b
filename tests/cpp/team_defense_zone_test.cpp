// TDZA acceptance tests: legacy-tdza-psza.md §A.5 (T1–T10), adjusted for
// DECISIONS 1–3 and 6 where noted.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <set>

#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/pipeline/runner.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/precompute/team_defense_zone.hpp"
#include "nbaprops/synth/demo.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "table_assert.hpp"
#include "test_util.hpp"

using nbaprops::testing::failure_of;
using nbaprops::testing::find_row;

using namespace nbaprops;
using namespace nbaprops::precompute;

namespace {

const TableSchema& tdgs_schema() { return catalog::get("nba_analytics.team_defense_game_summary"); }

Game game(Date d, const std::string& home, const std::string& away, int n) {
  Game g;
  g.nba_game_id = "00223" + std::to_string(10000 + n);
  g.date = d;
  g.season = season_of(d);
  g.home = home;
  g.away = away;
  g.status = GameStatus::kFinal;
  g.home_score = 110;
  g.away_score = 100;
  return g;
}

/// One team's defensive line of one game (the TDGS columns TDZA reads).
struct Line {
  int paint_m = 20, paint_a = 35, mid_m = 8, mid_a = 20, three_m = 12, three_a = 35;
  int paint_pts = 42, blk_p = 2, blk_m = 1, blk_t = 0, pts = 110;
  std::optional<double> drtg = 112.5, pace = 99.2;
};

void tdgs_row(Table& t, Date d, const std::string& team, const std::string& opp, const Line& l,
              const std::string& processed_at = "2024-01-01T00:00:00Z") {
  size_t r = t.add_row();
  t.set(r, "game_id", d.compact() + "_" + opp + "_" + team);
  t.set(r, "game_date", d);
  t.set(r, "defending_team_abbr", team);
  t.set(r, "opponent_team_abbr", opp);
  t.set(r, "season_year", season_of(d));
  t.set(r, "home_game", true);
  t.set(r, "opp_paint_makes", l.paint_m);
  t.set(r, "opp_paint_attempts", l.paint_a);
  t.set(r, "opp_mid_range_makes", l.mid_m);
  t.set(r, "opp_mid_range_attempts", l.mid_a);
  t.set(r, "opp_three_pt_makes", l.three_m);
  t.set(r, "opp_three_pt_attempts", l.three_a);
  t.set(r, "points_in_paint_allowed", l.paint_pts);
  t.set(r, "blocks_paint", l.blk_p);
  t.set(r, "blocks_mid_range", l.blk_m);
  t.set(r, "blocks_three_pt", l.blk_t);
  t.set(r, "points_allowed", l.pts);
  t.col("defensive_rating").set_real(r, l.drtg);
  t.col("opponent_pace").set_real(r, l.pace);
  t.set(r, "processed_at", processed_at);
  t.set(r, "data_hash", "hash-" + team + "-" + d.iso());
}

/// BOS plays LAL every other day from 2023-11-10; D is two days after the last
/// game.
struct Fixture {
  std::vector<Game> games;
  Table tdgs{tdgs_schema()};
  Date d;
  Schedule schedule() const { return Schedule(games); }
};

Fixture bos_games(int n, const std::function<Line(int)>& line) {
  Fixture f;
  Date first = Date::parse("2023-11-10");
  for (int i = 0; i < n; ++i) {
    Date gd = first + 2 * i;
    f.games.push_back(game(gd, "BOS", "LAL", i));
    tdgs_row(f.tdgs, gd, "BOS", "LAL", line(i));
  }
  f.d = first + 2 * n;
  return f;
}

std::optional<size_t> row_of(const Table& t, const std::string& team) { return find_row(t, "team_abbr", team); }

}  // namespace

TEST(TdzaSpec, T1IdenticalGames) {
  Fixture f = bos_games(15, [](int) { return Line{}; });
  UnitOutput out = compute_team_defense_zone(f.schedule(), f.d, f.tdgs);
  auto r = row_of(out.rows, "BOS");
  ASSERT_TRUE(r);
  const Table& t = out.rows;
  // Stored at the NUMERIC scale of each column (legacy BigQuery storage);
  // unrounded values below.
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_pct_allowed_last_15"),
                   0.571);  // 300/525
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_attempts_allowed_per_game"), 35.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_points_allowed_per_game"), 42.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_blocks_per_game"), 2.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "mid_range_pct_allowed_last_15"), 0.4);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "mid_range_attempts_allowed_per_game"), 20.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "mid_range_blocks_per_game"), 1.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "three_pt_pct_allowed_last_15"),
                   0.343);  // 180/525
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "three_pt_attempts_allowed_per_game"), 35.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "three_pt_blocks_per_game"), 0.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "defensive_rating_last_15"), 112.5);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "opponent_points_per_game"), 110.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "opponent_pace"), 99.2);
  // vs league (one team only in the window → defaults 0.580/0.410/0.355):
  // −0.857, −1.000, −1.214.
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_defense_vs_league_avg"), -0.86);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "mid_range_defense_vs_league_avg"), -1.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "three_pt_defense_vs_league_avg"), -1.21);
  EXPECT_EQ(*t.get_text(*r, "strongest_zone"), "perimeter");
  EXPECT_EQ(*t.get_text(*r, "weakest_zone"), "paint");
  EXPECT_EQ(*t.get_int(*r, "games_in_sample"), 15);
  EXPECT_EQ(*t.get_text(*r, "data_quality_tier"), "high");
  EXPECT_FALSE(t.get_text(*r, "calculation_notes").has_value());
  EXPECT_EQ(*t.get_text(*r, "processing_decision_reason"), "processed_successfully");
  EXPECT_EQ(*t.get_text(*r, "data_quality_issues"), "[]");
  EXPECT_EQ(t.get_text(*r, "data_hash")->size(), 16u);
  EXPECT_FALSE(t.get_bool(*r, "early_season_flag").has_value());
  // DECISION 3: expected = BOS's 15 scheduled games before D, home and away
  // (legacy: home only).
  EXPECT_EQ(*t.get_int(*r, "expected_games_count"), 15);
  EXPECT_EQ(*t.get_int(*r, "actual_games_count"), 15);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "completeness_percentage"), 100.0);
  EXPECT_EQ(*t.get_int(*r, "missing_games_count"), 0);
  EXPECT_TRUE(*t.get_bool(*r, "is_production_ready"));
  EXPECT_EQ(*t.get_int(*r, "source_team_defense_rows_found"), 15);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "source_team_defense_completeness_pct"), 100.0);
  EXPECT_EQ(*t.get_text(*r, "source_team_defense_last_updated"), "2024-01-01T00:00:00Z");
  // The latest game (ties on processed_at resolve to the later game).
  EXPECT_EQ(*t.get_text(*r, "source_team_defense_hash"), "hash-BOS-2023-12-08");
  // LAL played the same 15 games but has no TDGS rows: reported, not silently
  // skipped.
  const EntityFailure* lal = failure_of(out, "LAL");
  ASSERT_NE(lal, nullptr);
  EXPECT_EQ(lal->category, "INCOMPLETE_UPSTREAM");
  EXPECT_EQ(lal->reason, "Incomplete data: 0.0% (0/15 games)");
  EXPECT_EQ(out.rows.num_rows(), 1u);

  // Unrounded metrics, as the spec states them.
  std::vector<DefenseGame> games(15);
  for (auto& g : games) {
    g.paint_makes = 20, g.paint_attempts = 35, g.mid_makes = 8, g.mid_attempts = 20, g.three_makes = 12,
    g.three_attempts = 35;
  }
  ZoneDefenseMetrics m = zone_defense_metrics(games, LeagueAverages{});
  EXPECT_NEAR(*m.paint_pct, 0.571429, 1e-6);
  EXPECT_NEAR(*m.three_pct, 0.342857, 1e-6);
  EXPECT_NEAR(*m.paint_vs_league, -0.857, 1e-3);
  EXPECT_NEAR(*m.mid_vs_league, -1.000, 1e-3);
  EXPECT_NEAR(*m.three_vs_league, -1.214, 1e-3);
}

TEST(TdzaSpec, T2NoMidRangeAttempts) {
  Fixture f = bos_games(15, [](int) {
    Line l;
    l.mid_m = 0;
    l.mid_a = 0;
    return l;
  });
  UnitOutput out = compute_team_defense_zone(f.schedule(), f.d, f.tdgs);
  auto r = row_of(out.rows, "BOS");
  ASSERT_TRUE(r);
  const Table& t = out.rows;
  EXPECT_FALSE(t.get_real(*r, "mid_range_pct_allowed_last_15").has_value());
  EXPECT_FALSE(t.get_real(*r, "mid_range_defense_vs_league_avg").has_value());
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "mid_range_attempts_allowed_per_game"), 0.0);
  EXPECT_TRUE(t.get_real(*r, "paint_pct_allowed_last_15").has_value());
  EXPECT_TRUE(t.get_real(*r, "three_pt_pct_allowed_last_15").has_value());
  EXPECT_EQ(*t.get_text(*r, "calculation_notes"), "No mid-range attempts");
  EXPECT_EQ(*t.get_text(*r, "strongest_zone"), "perimeter");
  EXPECT_EQ(*t.get_text(*r, "weakest_zone"), "paint");
}

TEST(TdzaSpec, T3AllZeroGames) {
  Fixture f = bos_games(15, [](int) {
    Line l{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100.0, 95.0};
    return l;
  });
  UnitOutput out = compute_team_defense_zone(f.schedule(), f.d, f.tdgs);
  auto r = row_of(out.rows, "BOS");
  ASSERT_TRUE(r);
  const Table& t = out.rows;
  for (const char* c :
       {"paint_pct_allowed_last_15", "mid_range_pct_allowed_last_15", "three_pt_pct_allowed_last_15",
        "paint_defense_vs_league_avg", "mid_range_defense_vs_league_avg", "three_pt_defense_vs_league_avg"}) {
    EXPECT_FALSE(t.get_real(*r, c).has_value()) << c;
  }
  for (const char* c : {"paint_attempts_allowed_per_game", "mid_range_attempts_allowed_per_game",
                        "three_pt_attempts_allowed_per_game"}) {
    EXPECT_DOUBLE_EQ(*t.get_real(*r, c), 0.0) << c;
  }
  EXPECT_EQ(*t.get_text(*r, "calculation_notes"), "No paint attempts; No mid-range attempts; No three-point attempts");
  EXPECT_FALSE(t.get_text(*r, "strongest_zone").has_value());
  EXPECT_FALSE(t.get_text(*r, "weakest_zone").has_value());
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "defensive_rating_last_15"), 100.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "opponent_pace"), 95.0);
}

TEST(TdzaSpec, T4StrongestWeakestAndTieOrder) {
  auto sw = [](std::optional<double> p, std::optional<double> m, std::optional<double> t) {
    auto [s, w] = strongest_weakest_zone(p, m, t);
    return std::make_pair(s.value_or("NULL"), w.value_or("NULL"));
  };
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(sw(3.0, -2.5, 0.5), P("mid_range", "paint"));
  EXPECT_EQ(sw(1.0, 0.5, -4.0), P("perimeter", "paint"));
  EXPECT_EQ(sw(2.0, std::nullopt, -1.0), P("perimeter", "paint"));
  EXPECT_EQ(sw(std::nullopt, std::nullopt, std::nullopt), P("NULL", "NULL"));
  EXPECT_EQ(sw(0.1, 0.2, -0.1), P("perimeter", "mid_range"));
  // One zone only → strongest = weakest = that zone.
  EXPECT_EQ(sw(std::nullopt, 1.5, std::nullopt), P("mid_range", "mid_range"));
  // Ties resolve to the earliest key in the order paint → mid_range →
  // perimeter.
  EXPECT_EQ(sw(1.0, 1.0, 1.0), P("paint", "paint"));
  EXPECT_EQ(sw(2.0, -1.0, -1.0), P("mid_range", "paint"));
  EXPECT_EQ(sw(-3.0, 2.0, 2.0), P("paint", "mid_range"));
  EXPECT_EQ(sw(std::nullopt, -1.0, -1.0), P("mid_range", "mid_range"));
}

TEST(TdzaSpec, T5QualityTier) {
  for (int n : {15, 20}) EXPECT_EQ(tdza_quality_tier(n), "high") << n;
  for (int n : {10, 12, 14}) EXPECT_EQ(tdza_quality_tier(n), "medium") << n;
  for (int n : {9, 5, 1}) EXPECT_EQ(tdza_quality_tier(n), "low") << n;
}

namespace {
std::vector<DefenseGame> team_window(int games, int pm, int pa, int mm, int ma, int tm, int ta) {
  std::vector<DefenseGame> out(games);
  for (auto& g : out) {
    g.paint_makes = pm, g.paint_attempts = pa, g.mid_makes = mm, g.mid_attempts = ma, g.three_makes = tm,
    g.three_attempts = ta;
  }
  return out;
}
}  // namespace

TEST(TdzaSpec, T6LeagueAverages) {
  // 25 teams at 0.585 / 0.415 / 0.358 → used verbatim with teams_in_sample 25.
  std::vector<std::vector<DefenseGame>> teams(25, team_window(10, 117, 200, 83, 200, 179, 500));
  LeagueAverages a = league_averages(teams);
  EXPECT_NEAR(a.paint, 0.585, 1e-12);
  EXPECT_NEAR(a.mid_range, 0.415, 1e-12);
  EXPECT_NEAR(a.three_pt, 0.358, 1e-12);
  EXPECT_EQ(a.teams_in_sample, 25);
  // 8 teams → defaults with teams_in_sample 0; empty → the same defaults.
  for (size_t n : {size_t{8}, size_t{0}}) {
    LeagueAverages b = league_averages(std::vector<std::vector<DefenseGame>>(teams.begin(), teams.begin() + n));
    EXPECT_DOUBLE_EQ(b.paint, 0.580);
    EXPECT_DOUBLE_EQ(b.mid_range, 0.410);
    EXPECT_DOUBLE_EQ(b.three_pt, 0.355);
    EXPECT_EQ(b.teams_in_sample, 0);
  }
}

TEST(TdzaLeague, MinimumGamesTeamsAndUnweightedMean) {
  // Ten teams with 10 games: paint 0.5 for five teams and 0.7 (on 4× the
  // volume) for five → unweighted mean of team percentages 0.6, not the pooled
  // 0.66.
  std::vector<std::vector<DefenseGame>> teams;
  for (int i = 0; i < 5; ++i) teams.push_back(team_window(10, 10, 20, 10, 20, 10, 30));
  for (int i = 0; i < 5; ++i) teams.push_back(team_window(10, 56, 80, 10, 20, 10, 30));
  LeagueAverages a = league_averages(teams);
  EXPECT_EQ(a.teams_in_sample, 10);
  EXPECT_NEAR(a.paint, 0.6, 1e-12);
  EXPECT_NEAR(a.mid_range, 0.5, 1e-12);
  // A team with 9 games is left out; so is a team with a zone without attempts.
  teams.push_back(team_window(9, 20, 20, 20, 20, 30, 30));
  teams.push_back(team_window(12, 20, 20, 0, 0, 30, 30));
  LeagueAverages b = league_averages(teams);
  EXPECT_EQ(b.teams_in_sample, 10);
  EXPECT_NEAR(b.paint, 0.6, 1e-12);
  // Only nine qualifying teams → defaults.
  teams.erase(teams.begin());
  EXPECT_EQ(league_averages(teams).teams_in_sample, 0);
  EXPECT_DOUBLE_EQ(league_averages(teams).paint, 0.580);
}

namespace {
/// Ten teams (five pairs) playing each other on D−15 … D−1; team k allows paint
/// 20+k of 40, mid 10/20, three 14/40. Returns the fixture; D = 2024-01-20.
Fixture league_fixture(int teams_count) {
  Fixture f;
  f.d = Date::parse("2024-01-20");
  const std::vector<std::string> codes = {"ATL", "BOS", "BKN", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW"};
  int n = 0;
  for (int day = 15; day >= 1; --day) {
    Date gd = f.d - day;
    for (int k = 0; k + 1 < teams_count; k += 2) f.games.push_back(game(gd, codes[k], codes[k + 1], n++));
    for (int k = 0; k < teams_count; ++k) {
      Line l;
      l.paint_m = 20 + k, l.paint_a = 40, l.mid_m = 10, l.mid_a = 20, l.three_m = 14, l.three_a = 40;
      tdgs_row(f.tdgs, gd, codes[k], k % 2 ? codes[k - 1] : codes[k + 1], l);
    }
  }
  // The season opens at D−40 with a UTA game, so D is past the bootstrap days.
  f.games.push_back(game(f.d - 40, "UTA", "PHX", n++));
  return f;
}
}  // namespace

TEST(TdzaLeague, ThirtyOneDayWindowThroughCompute) {
  Fixture f = league_fixture(10);
  // Mean of team paint pcts: (20 + 4.5) / 40 = 0.6125 → ATL (0.5): −11.25 pp;
  // mid 0.5 vs 0.5 → 0.
  UnitOutput out = compute_team_defense_zone(f.schedule(), f.d, f.tdgs);
  ASSERT_EQ(out.rows.num_rows(), 10u);
  auto atl = row_of(out.rows, "ATL");
  ASSERT_TRUE(atl);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*atl, "paint_defense_vs_league_avg"), -11.25);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*atl, "mid_range_defense_vs_league_avg"), 0.0);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*atl, "three_pt_defense_vs_league_avg"), 0.0);

  // An ATL game at D−32 (outside the 31 days) with paint 40/40 leaves the
  // league average alone; it is not in ATL's last 15 either.
  Fixture g = f;
  g.games.push_back(game(f.d - 32, "ATL", "UTA", 900));
  Line hot;
  hot.paint_m = 40, hot.paint_a = 40, hot.mid_m = 10, hot.mid_a = 20, hot.three_m = 14, hot.three_a = 40;
  tdgs_row(g.tdgs, f.d - 32, "ATL", "UTA", hot);
  out = compute_team_defense_zone(g.schedule(), g.d, g.tdgs);
  atl = row_of(out.rows, "ATL");
  ASSERT_TRUE(atl);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*atl, "paint_defense_vs_league_avg"), -11.25);
  EXPECT_EQ(*out.rows.get_int(*atl, "expected_games_count"), 16);
  EXPECT_EQ(*out.rows.get_int(*atl, "actual_games_count"), 16);

  // The same game at D−31 (first day of the window) counts: ATL's league pct
  // 340/640 = 0.53125, league mean (6.125 − 0.5 + 0.53125) / 10 = 0.615625 →
  // ATL −11.5625 pp → −11.56.
  Fixture h = f;
  h.games.push_back(game(f.d - 31, "ATL", "UTA", 900));
  tdgs_row(h.tdgs, f.d - 31, "ATL", "UTA", hot);
  out = compute_team_defense_zone(h.schedule(), h.d, h.tdgs);
  atl = row_of(out.rows, "ATL");
  ASSERT_TRUE(atl);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*atl, "paint_defense_vs_league_avg"), -11.56);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*atl, "paint_pct_allowed_last_15"),
                   0.5);  // last 15 exclude D−31
}

TEST(TdzaLeague, FewerThanTenTeamsUsesDefaults) {
  Fixture f = league_fixture(8);
  UnitOutput out = compute_team_defense_zone(f.schedule(), f.d, f.tdgs);
  auto atl = row_of(out.rows, "ATL");
  ASSERT_TRUE(atl);
  // Defaults: (0.5 − 0.580) × 100 = −8.0; mid (0.5 − 0.41) × 100 = 9.0; three
  // (0.35 − 0.355) × 100 = −0.5.
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*atl, "paint_defense_vs_league_avg"), -8.0);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*atl, "mid_range_defense_vs_league_avg"), 9.0);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*atl, "three_pt_defense_vs_league_avg"), -0.5);
  EXPECT_EQ(*out.rows.get_text(*atl, "strongest_zone"), "paint");
  EXPECT_EQ(*out.rows.get_text(*atl, "weakest_zone"), "mid_range");
}

// T7–T9 test the legacy dependency-check and source-tracking builders (BigQuery
// queries and the processor config object), which this engine replaces with
// declared reads (pre-flight) and the computed source columns. Their observable
// content is checked here instead.
TEST(TdzaSpec, T7ToT9ProcessorInfoAndSourceColumns) {
  auto p = make_team_defense_zone_processor();
  const ProcessorInfo& i = p->info();
  EXPECT_EQ(i.code, "tdza");
  EXPECT_EQ(i.phase, 4);
  EXPECT_EQ(i.entity, "teams");
  EXPECT_EQ(i.output_table, "nba_precompute.team_defense_zone_analysis");
  EXPECT_EQ(i.bootstrap, BootstrapPolicy::kSkip);
  ASSERT_EQ(i.reads.size(), 2u);
  EXPECT_EQ(i.reads[0].table, "nba_analytics.team_defense_game_summary");
  // Completeness counts the whole season to date, so the runner must wait for
  // every earlier TDGS unit of the season (the 15-game metric window alone
  // would under-declare the read).
  EXPECT_EQ(i.reads[0].kind, WindowKind::kSeasonToDate);
  EXPECT_EQ(i.reads[0].n, 0);
  EXPECT_EQ(i.reads[1].kind, WindowKind::kDaysBefore);
  EXPECT_EQ(i.reads[1].n, 31);
  EXPECT_FALSE(i.reads[0].includes_same_date());
  // Source figures count teams with ≥ 15 games (T7's 15 × teams_found rule):
  // two teams with 15 and 16 games, one with 10 → rows 31, completeness
  // min(100, 31 / 30 × 100) = 100.
  Fixture f = bos_games(16, [](int) { return Line{}; });
  for (int i2 = 0; i2 < 15; ++i2) tdgs_row(f.tdgs, Date::parse("2023-11-12") + 2 * i2, "LAL", "BOS", Line{});
  for (int i2 = 0; i2 < 10; ++i2) {
    Date gd = Date::parse("2023-11-11") + 2 * i2;
    f.games.push_back(game(gd, "MIA", "NYK", 500 + i2));
    tdgs_row(f.tdgs, gd, "MIA", "NYK", Line{});
  }
  UnitOutput out = compute_team_defense_zone(f.schedule(), f.d, f.tdgs);
  auto r = row_of(out.rows, "BOS");
  ASSERT_TRUE(r);
  EXPECT_EQ(*out.rows.get_int(*r, "source_team_defense_rows_found"), 31);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*r, "source_team_defense_completeness_pct"), 100.0);
  // LAL: 15 rows of 16 scheduled games = 93.8 % ≥ 70 → production ready, row
  // emitted.
  auto lal = row_of(out.rows, "LAL");
  ASSERT_TRUE(lal);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*lal, "completeness_percentage"), 93.8);
  EXPECT_EQ(*out.rows.get_int(*lal, "missing_games_count"), 1);
  EXPECT_TRUE(*out.rows.get_bool(*lal, "is_production_ready"));
  // MIA: complete but only 10 games → INSUFFICIENT_DATA; NYK: no rows →
  // INCOMPLETE_UPSTREAM.
  ASSERT_NE(failure_of(out, "MIA"), nullptr);
  EXPECT_EQ(failure_of(out, "MIA")->category, "INSUFFICIENT_DATA");
  ASSERT_NE(failure_of(out, "NYK"), nullptr);
  EXPECT_EQ(failure_of(out, "NYK")->category, "INCOMPLETE_UPSTREAM");
}

namespace {
Line t10_line(int g) {
  Line l;
  l.paint_m = 18 + g % 5, l.paint_a = 32 + g % 8;
  l.mid_m = 7 + g % 3, l.mid_a = 18 + g % 5;
  l.three_m = 11 + g % 4, l.three_a = 33 + g % 6;
  l.paint_pts = 38 + g % 10;
  l.blk_p = 2 + g % 3, l.blk_m = 0, l.blk_t = 0;
  l.pts = 108 + g % 15;
  l.drtg = 110 + g % 10;
  l.pace = 98 + g % 5;
  return l;
}
}  // namespace

TEST(TdzaSpec, T10IntegrationFixture) {
  Fixture f = bos_games(15, t10_line);
  // A team with only 10 rows (and 10 scheduled games) → INSUFFICIENT_DATA "Only
  // 10 games, need 15".
  for (int i = 0; i < 10; ++i) {
    Date gd = Date::parse("2023-11-11") + 2 * i;
    f.games.push_back(game(gd, "MIA", "NYK", 500 + i));
    tdgs_row(f.tdgs, gd, "MIA", "NYK", t10_line(i));
  }
  UnitOutput out = compute_team_defense_zone(f.schedule(), f.d, f.tdgs);
  auto r = row_of(out.rows, "BOS");
  ASSERT_TRUE(r);
  const Table& t = out.rows;
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_pct_allowed_last_15"),
                   0.567);  // 300/529 = 0.56711
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "mid_range_pct_allowed_last_15"), 0.4);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "three_pt_pct_allowed_last_15"),
                   0.352);  // 186/528 = 0.35227
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_attempts_allowed_per_game"),
                   35.3);  // 35.267
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "mid_range_attempts_allowed_per_game"), 20.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "three_pt_attempts_allowed_per_game"), 35.2);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_points_allowed_per_game"),
                   41.7);  // 41.667
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_blocks_per_game"), 3.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "opponent_points_per_game"), 115.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "defensive_rating_last_15"),
                   113.67);  // 113.667
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "opponent_pace"), 100.0);
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_defense_vs_league_avg"),
                   -1.29);  // −1.289
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "mid_range_defense_vs_league_avg"),
                   -1.0);  // −1.000
  EXPECT_DOUBLE_EQ(*t.get_real(*r, "three_pt_defense_vs_league_avg"),
                   -0.27);  // −0.273
  EXPECT_EQ(*t.get_text(*r, "strongest_zone"), "paint");
  EXPECT_EQ(*t.get_text(*r, "weakest_zone"), "perimeter");
  EXPECT_EQ(*t.get_text(*r, "data_quality_tier"), "high");
  const EntityFailure* mia = failure_of(out, "MIA");
  ASSERT_NE(mia, nullptr);
  EXPECT_EQ(mia->category, "INSUFFICIENT_DATA");
  EXPECT_EQ(mia->reason, "Only 10 games, need 15");
}

TEST(TdzaWindow, UsesTheLastFifteenGames) {
  // 20 games: the 5 oldest allow paint 40/40; the last 15 allow 20/40 → 0.5
  // exactly.
  Fixture f = bos_games(20, [](int i) {
    Line l;
    l.paint_m = i < 5 ? 40 : 20;
    l.paint_a = 40;
    return l;
  });
  UnitOutput out = compute_team_defense_zone(f.schedule(), f.d, f.tdgs);
  auto r = row_of(out.rows, "BOS");
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*r, "paint_pct_allowed_last_15"), 0.5);
  EXPECT_EQ(*out.rows.get_int(*r, "games_in_sample"), 15);
  EXPECT_EQ(*out.rows.get_int(*r, "actual_games_count"), 20);
}

TEST(TdzaWindow, StrictlyBeforeTheAnalysisDate) {
  // DECISION 1: rows dated ≥ D never change D's output (legacy read game_date
  // <= analysis_date).
  Fixture f = bos_games(15, t10_line);
  UnitOutput base = compute_team_defense_zone(f.schedule(), f.d, f.tdgs);
  ASSERT_EQ(base.rows.num_rows(), 1u);
  Table changed = f.tdgs;
  Line odd;
  odd.paint_m = 1, odd.paint_a = 50, odd.drtg = 80.0, odd.pace = 120.0;
  tdgs_row(changed, f.d, "BOS", "LAL", odd, "2030-01-01T00:00:00Z");
  tdgs_row(changed, f.d + 1, "BOS", "LAL", odd, "2030-01-01T00:00:00Z");
  tdgs_row(changed, f.d + 5, "LAL", "BOS", odd, "2030-01-01T00:00:00Z");
  std::vector<Game> games = f.games;
  games.push_back(game(f.d, "BOS", "LAL", 700));
  games.push_back(game(f.d + 1, "BOS", "LAL", 701));
  UnitOutput after = compute_team_defense_zone(Schedule(games), f.d, changed);
  ASSERT_EQ(after.rows.num_rows(), base.rows.num_rows());
  for (size_t c = 0; c < base.rows.num_columns(); ++c) {
    EXPECT_EQ(after.rows.cell_text(0, c), base.rows.cell_text(0, c)) << base.rows.column_names()[c];
  }
  // …while a change before D does change it.
  Table earlier = f.tdgs;
  earlier.set(0, "opp_paint_makes", int64_t{30});  // the oldest game (D − 30)
  UnitOutput moved = compute_team_defense_zone(f.schedule(), f.d, earlier);
  EXPECT_NE(*moved.rows.get_text(0, "data_hash"), *base.rows.get_text(0, "data_hash"));
}

TEST(TdzaBootstrap, SkipsEarlySeasonDates) {
  Fixture f = bos_games(15, [](int) { return Line{}; });
  // Season opens 2023-11-10 (first game in the schedule): days 0–13 are
  // bootstrap.
  Schedule s = f.schedule();
  Date day13 = Date::parse("2023-11-23");
  ASSERT_TRUE(s.is_bootstrap(day13));
  UnitOutput out = compute_team_defense_zone(s, day13, f.tdgs);
  EXPECT_EQ(out.rows.num_rows(), 0u);
  EXPECT_TRUE(out.failures.empty());
  EXPECT_EQ(out.empty_reason, "skipped_early_season");
  // Day 14 is a normal date: every team is short of 15 games →
  // INSUFFICIENT_DATA, no rows.
  out = compute_team_defense_zone(s, day13 + 1, f.tdgs);
  EXPECT_EQ(out.rows.num_rows(), 0u);
  ASSERT_NE(failure_of(out, "BOS"), nullptr);
  EXPECT_EQ(failure_of(out, "BOS")->category, "INSUFFICIENT_DATA");
  EXPECT_FALSE(out.empty_reason.empty());
}

TEST(TdzaRun, ThroughTheWarehouse) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  Fixture f = bos_games(15, t10_line);
  for (int i = 0; i < 15; ++i) tdgs_row(f.tdgs, Date::parse("2023-11-10") + 2 * i, "LAL", "BOS", Line{});
  // A row dated D itself is in the warehouse but must not be read.
  Line odd;
  odd.paint_m = 50, odd.paint_a = 50;
  tdgs_row(f.tdgs, f.d, "BOS", "LAL", odd);
  std::set<Date> dates;
  for (size_t r = 0; r < f.tdgs.num_rows(); ++r) dates.insert(*f.tdgs.get_date(r, "game_date"));
  wh.replace_partitions(tdgs_schema(), std::vector<Date>(dates.begin(), dates.end()), f.tdgs);
  Schedule s = f.schedule();
  const Processor& p = registry::get("tdza");
  UnitOutput out = p.run(UnitContext{wh, s, f.d});
  ASSERT_EQ(out.rows.num_rows(), 2u);
  EXPECT_TRUE(out.failures.empty());
  auto bos = row_of(out.rows, "BOS");
  ASSERT_TRUE(bos);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*bos, "paint_pct_allowed_last_15"), 0.567);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*bos, "defensive_rating_last_15"), 113.67);
  EXPECT_EQ(*out.rows.get_date(*bos, "analysis_date"), f.d);
  auto lal = row_of(out.rows, "LAL");
  ASSERT_TRUE(lal);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*lal, "paint_pct_allowed_last_15"), 0.571);
  // Same answer as the pure function over the rows before D, and identical on a
  // rerun.
  UnitOutput again = p.run(UnitContext{wh, s, f.d});
  EXPECT_EQ(*again.rows.get_text(*bos, "data_hash"), *out.rows.get_text(*bos, "data_hash"));
  // The rows are writable (runner stamps processed_at).
  out.rows.set(0, "processed_at", "2024-01-01T00:00:00Z");
  out.rows.set(1, "processed_at", "2024-01-01T00:00:00Z");
  const TableSchema& os = catalog::get(p.info().output_table);
  wh.replace_partition(os, f.d, out.rows);
  EXPECT_EQ(wh.partition_counts(os, std::nullopt)[f.d], 2);
  // run() on a bootstrap date returns nothing.
  UnitOutput boot = p.run(UnitContext{wh, s, Date::parse("2023-11-15")});
  EXPECT_EQ(boot.rows.num_rows(), 0u);
  EXPECT_EQ(boot.empty_reason, "skipped_early_season");
}

// DECISION 6: shots-only inputs know no points allowed or blocks; their
// per-game means are NULL, not 0 (the legacy summed NULL as 0). One game that
// knew them makes the mean known.
TEST(TdzaDecision6, PointsAndBlocksPerGameAreNullWhenUnknown) {
  std::vector<DefenseGame> games(15);
  for (auto& g : games) {
    g.paint_makes = 20, g.paint_attempts = 35, g.mid_makes = 8, g.mid_attempts = 20, g.three_makes = 12,
    g.three_attempts = 35;
    g.paint_points_known = g.blocks_known = g.points_known = false;
  }
  ZoneDefenseMetrics m = zone_defense_metrics(games, LeagueAverages{});
  EXPECT_FALSE(m.opp_pts_pg);
  EXPECT_FALSE(m.paint_pts_pg);
  EXPECT_FALSE(m.paint_blk_pg);
  EXPECT_FALSE(m.three_blk_pg);
  EXPECT_NEAR(m.paint_att_pg, 35.0, 1e-12);
  games[3].points_known = true;
  games[3].points_allowed = 150;
  ZoneDefenseMetrics k = zone_defense_metrics(games, LeagueAverages{});
  EXPECT_NEAR(*k.opp_pts_pg, 10.0, 1e-12);  // 150 / 15 games
  EXPECT_FALSE(k.paint_blk_pg);
}

// TDZA's carried history: a date answered from one history that other dates —
// later ones first, then interleaved — already filled equals the date computed
// alone and the rows the runner committed (failures included). Early dates
// need the league window before the season's first game, so a history a later
// unit started must be refused for them.
TEST(TdzaCarried, PointInTimeAnyDateOrderEqualsEachDateAlone) {
  nbaprops::testing::TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  synth::generate_demo(*wh, {{2022}, 7});
  const Schedule schedule = Schedule::from_table(wh->read(catalog::get("nba_raw.nbac_schedule"), std::nullopt));
  const Date first = *schedule.season_start(2022);
  pipeline::PlanOptions po;
  po.range = DateRange{first, first + 60};
  po.processors = {"tdgs", "tdza"};
  const pipeline::RunOptions ro = [] {
    pipeline::RunOptions o;
    o.checkpoint_dir = "";
    return o;
  }();
  const pipeline::RunResult run = pipeline::run(*wh, schedule, pipeline::make_plan(schedule, po), ro);
  ASSERT_EQ(run.exit_code(), 0) << run.summary_text();

  std::vector<Date> dates;
  for (Date d = first + 14; d <= first + 60; d = d + 1) {
    if (!schedule.games_on(d).empty()) dates.push_back(d);
  }
  ASSERT_GE(dates.size(), 20u);
  std::reverse(dates.begin(), dates.end());
  std::stable_partition(dates.begin(), dates.end(), [&](Date d) { return (d - dates.back()) % 2 == 0; });

  const Processor& p = registry::get("tdza");
  std::unique_ptr<CarriedState> carried = p.make_carried_state();
  ASSERT_NE(carried, nullptr);
  auto content = [](const Table& rows) {
    std::string out;
    for (const auto& [d, h] : partition_hashes_of(rows)) out += d.iso() + ":" + h.hex() + ";";
    return out;
  };
  auto failures = [](const UnitOutput& o) {
    std::string out;
    for (const auto& f : o.failures) out += f.entity_id + "/" + f.category + "/" + f.reason + ";";
    return out;
  };
  int nonempty = 0, failing = 0;
  for (Date d : dates) {
    const UnitOutput shared = p.run(UnitContext{*wh, schedule, d, &p.info(), carried.get()});
    const UnitOutput alone = p.run(UnitContext{*wh, schedule, d, &p.info(), nullptr});
    const Table stored = wh->read(catalog::get(p.info().output_table), DateRange{d, d});
    EXPECT_EQ(content(shared.rows), content(alone.rows)) << d.iso();
    EXPECT_EQ(content(shared.rows), content(stored)) << d.iso();
    EXPECT_EQ(failures(shared), failures(alone)) << d.iso();
    nonempty += shared.rows.num_rows() > 0 ? 1 : 0;
    failing += shared.failures.empty() ? 0 : 1;
  }
  EXPECT_GT(nonempty, 0) << "no date produced rows, the comparison would be vacuous";
  EXPECT_GT(failing, 0) << "no date had failures, the early-season path is not covered";
}
