// PSZA acceptance tests: legacy-tdza-psza.md §B.5 (P1–P11), adjusted for
// DECISIONS 1–3 and 6 where noted.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <span>

#include "nbaprops/core/sha256_batch.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/precompute/player_shot_zone.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "table_assert.hpp"
#include "test_util.hpp"

using nbaprops::testing::failure_of;
using nbaprops::testing::find_row;

using namespace nbaprops;
using namespace nbaprops::precompute;

namespace {

const TableSchema& pgs_schema() { return catalog::get("nba_analytics.player_game_summary"); }

/// Zone line of one player game.
struct Shots {
  int pa = 8, pm = 5, ma = 4, mm = 2, ta = 6, tm = 2, fgm = 9, ast = 6, una = 3;
};

ShotGame shot_game(const Shots& s) {
  ShotGame g;
  g.paint_attempts = s.pa, g.paint_makes = s.pm, g.mid_attempts = s.ma, g.mid_makes = s.mm;
  g.three_attempts = s.ta, g.three_makes = s.tm, g.fg_makes = s.fgm, g.assisted = s.ast, g.unassisted = s.una;
  return g;
}

std::vector<ShotGame> repeat(const Shots& s, int n) { return std::vector<ShotGame>(n, shot_game(s)); }

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

struct RowOpts {
  bool active = true;
  std::optional<double> minutes = 30.0;
  std::optional<int> fga;  // default: zone attempts
  std::string processed_at = "2024-01-01T00:00:00Z";
};

void pgs_row(Table& t, const std::string& player, Date d, const std::string& team, const std::string& opp,
             const Shots& s, const RowOpts& o = {}) {
  size_t r = t.add_row();
  t.set(r, "player_lookup", player);
  t.set(r, "universal_player_id", player + "_001");
  t.set(r, "game_id", d.compact() + "_" + opp + "_" + team);
  t.set(r, "game_date", d);
  t.set(r, "team_abbr", team);
  t.set(r, "opponent_team_abbr", opp);
  t.set(r, "season_year", season_of(d));
  t.set(r, "is_active", o.active);
  t.set(r, "starter_flag", true);
  t.set(r, "win_flag", true);
  t.col("minutes_played").set_real(r, o.minutes);
  t.set(r, "fg_attempts", int64_t{o.fga.value_or(s.pa + s.ma + s.ta)});
  t.set(r, "fg_makes", s.fgm);
  t.set(r, "paint_attempts", s.pa);
  t.set(r, "paint_makes", s.pm);
  t.set(r, "mid_range_attempts", s.ma);
  t.set(r, "mid_range_makes", s.mm);
  t.set(r, "three_pt_attempts", s.ta);
  t.set(r, "three_pt_makes", s.tm);
  t.set(r, "assisted_fg_makes", s.ast);
  t.set(r, "unassisted_fg_makes", s.una);
  t.set(r, "processed_at", o.processed_at);
  t.set(r, "data_hash", "hash-" + player + "-" + d.iso());
}

/// BOS hosts LAL every other day from @p first (default 2023-12-01, so January
/// dates are outside the Oct/Nov/Apr season boundary); D is two days after game
/// n−1.
struct Fixture {
  std::vector<Game> games;
  Table pgs{pgs_schema()};
  Date first = Date::parse("2023-12-01");
  Date d;
  Date game_date(int i) const { return first + 2 * i; }
  Schedule schedule() const { return Schedule(games); }
};

Fixture season(int n_games, Date first = Date::parse("2023-12-01")) {
  Fixture f;
  f.first = first;
  for (int i = 0; i < n_games; ++i) f.games.push_back(game(f.game_date(i), "BOS", "LAL", i));
  f.d = f.game_date(n_games);
  return f;
}

std::optional<size_t> row_of(const Table& t, const std::string& player) { return find_row(t, "player_lookup", player); }

}  // namespace

TEST(PszaSpec, P1TenIdenticalGames) {
  ShotZoneMetrics m = shot_zone_metrics(repeat(Shots{}, 10));
  EXPECT_DOUBLE_EQ(*m.paint_rate, 44.44);
  EXPECT_DOUBLE_EQ(*m.mid_rate, 22.22);
  EXPECT_DOUBLE_EQ(*m.three_rate, 33.33);
  EXPECT_DOUBLE_EQ(*m.paint_pct, 0.625);
  EXPECT_DOUBLE_EQ(*m.mid_pct, 0.5);
  EXPECT_DOUBLE_EQ(*m.three_pct, 0.333);
  EXPECT_DOUBLE_EQ(m.paint_apg, 8.0);
  EXPECT_DOUBLE_EQ(m.mid_apg, 4.0);
  EXPECT_DOUBLE_EQ(m.three_apg, 6.0);
  EXPECT_DOUBLE_EQ(*m.assisted_rate, 66.67);
  EXPECT_DOUBLE_EQ(*m.unassisted_rate, 33.33);
  EXPECT_EQ(*m.total_shots, 180);
  EXPECT_EQ(*primary_scoring_zone(m.paint_rate, m.mid_rate, m.three_rate), "paint");
}

TEST(PszaSpec, P2NoMidRange) {
  Shots s;
  s.ma = 0, s.mm = 0;
  ShotZoneMetrics m = shot_zone_metrics(repeat(s, 10));
  EXPECT_FALSE(m.mid_pct.has_value());
  EXPECT_DOUBLE_EQ(m.mid_apg, 0.0);
  EXPECT_DOUBLE_EQ(*m.paint_rate, 57.14);
  EXPECT_DOUBLE_EQ(*m.three_rate, 42.86);
  EXPECT_DOUBLE_EQ(*m.paint_rate + *m.three_rate, 100.0);
  EXPECT_DOUBLE_EQ(*m.mid_rate, 0.0);
  EXPECT_TRUE(m.paint_pct.has_value());
  EXPECT_TRUE(m.three_pct.has_value());
}

TEST(PszaSpec, P3PerfectShooting) {
  Shots s{8, 8, 4, 4, 6, 6, 18, 9, 9};
  ShotZoneMetrics m = shot_zone_metrics(repeat(s, 10));
  EXPECT_DOUBLE_EQ(*m.paint_pct, 1.0);
  EXPECT_DOUBLE_EQ(*m.mid_pct, 1.0);
  EXPECT_DOUBLE_EQ(*m.three_pct, 1.0);
}

TEST(PszaSpec, P4NoMakes) {
  Shots s{8, 0, 4, 0, 6, 0, 0, 0, 0};
  ShotZoneMetrics m = shot_zone_metrics(repeat(s, 10));
  EXPECT_DOUBLE_EQ(*m.paint_pct, 0.0);
  EXPECT_DOUBLE_EQ(*m.mid_pct, 0.0);
  EXPECT_DOUBLE_EQ(*m.three_pct, 0.0);
  EXPECT_FALSE(m.assisted_rate.has_value());
  EXPECT_FALSE(m.unassisted_rate.has_value());
}

TEST(PszaSpec, P5SingleGame) {
  ShotZoneMetrics m = shot_zone_metrics(repeat(Shots{10, 6, 5, 2, 8, 3, 11, 6, 5}, 1));
  EXPECT_DOUBLE_EQ(m.paint_apg, 10.0);
  EXPECT_DOUBLE_EQ(m.mid_apg, 5.0);
  EXPECT_DOUBLE_EQ(m.three_apg, 8.0);
  EXPECT_DOUBLE_EQ(*m.paint_pct, 0.6);
  EXPECT_EQ(m.games, 1);
}

TEST(PszaSpec, P6AlternatingGames) {
  std::vector<ShotGame> games;
  for (int i = 0; i < 10; ++i) {
    Shots s = i % 2 ? Shots{10, 6, 1, 0, 3, 1, 7, 4, 3} : Shots{2, 1, 1, 0, 3, 1, 2, 1, 1};
    games.push_back(shot_game(s));
  }
  ShotZoneMetrics m = shot_zone_metrics(games);
  EXPECT_DOUBLE_EQ(m.paint_apg, 6.0);
  EXPECT_DOUBLE_EQ(*m.paint_pct, 0.583);  // 35/60
}

TEST(PszaSpec, P7PrimaryScoringZone) {
  struct Case {
    std::optional<double> p, m, t;
    const char* zone;  // nullptr = NULL
  };
  const Case cases[] = {{45, 20, 35, "paint"},
                        {40, 25, 35, "paint"},
                        {25, 15, 60, "perimeter"},
                        {35, 25, 40, "perimeter"},
                        {30, 40, 30, "mid_range"},
                        {35, 30, 35, "balanced"},
                        {30, 35, 35, "mid_range"},
                        {35, 25, 38, "balanced"},
                        {33.3, 33.3, 33.4, "balanced"},
                        {45, 10, 45, "paint"},
                        {std::nullopt, std::nullopt, std::nullopt, nullptr},
                        {0, 0, 0, nullptr},
                        {std::nullopt, 36, std::nullopt, "mid_range"},
                        {39.99, 34.99, 25.02, "balanced"}};
  for (const auto& c : cases) {
    auto z = primary_scoring_zone(c.p, c.m, c.t);
    if (c.zone) {
      ASSERT_TRUE(z.has_value()) << c.zone;
      EXPECT_EQ(*z, c.zone);
    } else {
      EXPECT_FALSE(z.has_value());
    }
  }
}

TEST(PszaSpec, P8QualityTier) {
  for (int n : {10, 15, 20, 82}) EXPECT_EQ(psza_quality_tier(n), "high") << n;
  for (int n : {7, 8, 9}) EXPECT_EQ(psza_quality_tier(n), "medium") << n;
  for (int n : {6, 5, 1, 0}) EXPECT_EQ(psza_quality_tier(n), "low") << n;
}

TEST(PszaSpec, P9SampleQuality) {
  EXPECT_EQ(sample_quality(10, 10), "excellent");
  EXPECT_EQ(sample_quality(12, 10), "excellent");
  EXPECT_EQ(sample_quality(20, 20), "excellent");
  EXPECT_EQ(sample_quality(25, 20), "excellent");
  for (int n : {7, 8, 9}) EXPECT_EQ(sample_quality(n, 10), "good") << n;
  for (int n : {14, 15, 19}) EXPECT_EQ(sample_quality(n, 20), "good") << n;
  for (int n : {5, 6}) EXPECT_EQ(sample_quality(n, 10), "limited") << n;
  for (int n : {10, 13}) EXPECT_EQ(sample_quality(n, 20), "limited") << n;
  EXPECT_EQ(sample_quality(4, 10), "insufficient");
  EXPECT_EQ(sample_quality(9, 20), "insufficient");
  EXPECT_EQ(sample_quality(1, 10), "insufficient");
  EXPECT_EQ(sample_quality(0, 10), "insufficient");
  EXPECT_EQ(sample_quality(0, 20), "insufficient");
}

// P10 tests the legacy dependency-check config object and source-tracking
// builder; this engine declares its reads in ProcessorInfo (pre-flight uses
// them) and computes the source columns.
TEST(PszaSpec, P10ProcessorInfoAndSourceColumns) {
  auto p = make_player_shot_zone_processor();
  const ProcessorInfo& i = p->info();
  EXPECT_EQ(i.code, "psza");
  EXPECT_EQ(i.name, "player_shot_zone_analysis");
  EXPECT_EQ(i.phase, 4);
  EXPECT_EQ(i.entity, "players");
  EXPECT_EQ(i.bootstrap, BootstrapPolicy::kSkip);
  ASSERT_EQ(i.reads.size(), 1u);
  EXPECT_EQ(i.reads[0].table, "nba_analytics.player_game_summary");
  // Completeness counts the whole season to date, so the runner must wait for
  // every earlier PGS unit of the season (the 20-game trend window alone would
  // under-declare the read).
  EXPECT_EQ(i.reads[0].kind, WindowKind::kSeasonToDate);
  EXPECT_EQ(i.reads[0].n, 0);
  EXPECT_TRUE(i.reads[0].required);
  // Source columns: rows of the 20 days before D (all players), completeness
  // 100 when any, the latest processed_at, and the data_hash of the newest
  // game's row — not of the most recently processed one as in the legacy
  // (DECISION 4: reruns must not change the source hash).
  Fixture f = season(12);
  for (int g = 0; g < 12; ++g) {
    RowOpts o;
    o.processed_at = g == 3 ? "2024-02-01T00:00:00Z" : "2024-01-01T00:00:00Z";
    pgs_row(f.pgs, "alpha", f.game_date(g), "BOS", "LAL", Shots{}, o);
  }
  UnitOutput out = compute_player_shot_zone(f.schedule(), f.d, f.pgs);
  auto r = row_of(out.rows, "alpha");
  ASSERT_TRUE(r);
  EXPECT_EQ(*out.rows.get_int(*r, "source_player_game_rows_found"),
            10);  // games on D−20 … D−2
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*r, "source_player_game_completeness_pct"), 100.0);
  EXPECT_EQ(*out.rows.get_text(*r, "source_player_game_last_updated"), "2024-02-01T00:00:00Z");
  EXPECT_EQ(*out.rows.get_text(*r, "source_player_game_hash"), "hash-alpha-" + f.game_date(11).iso());
}

TEST(PszaSpec, P11IntegrationFixture) {
  Fixture f = season(20);
  // Curry: 20 games (BOS); the 10 older ones are paint-heavy, so last-20
  // differs from last-10.
  for (int g = 0; g < 20; ++g) {
    Shots s = g < 10 ? Shots{13, 8, 2, 1, 3, 1, 10, 5, 5} : Shots{3, 2, 2, 1, 13, 5, 8, 5, 3};
    pgs_row(f.pgs, "stephencurry", f.game_date(g), "BOS", "LAL", s);
  }
  // Embiid: last 10 games only (LAL) → games_in_sample_20 = 10, 'limited', no
  // 20-game paint figures.
  for (int g = 10; g < 20; ++g)
    pgs_row(f.pgs, "joelembiid", f.game_date(g), "LAL", "BOS", Shots{12, 7, 3, 1, 2, 1, 9, 4, 5});
  UnitOutput out = compute_player_shot_zone(f.schedule(), f.d, f.pgs);
  ASSERT_EQ(out.rows.num_rows(), 2u) << (out.failures.empty() ? "" : out.failures[0].reason);
  const Table& t = out.rows;
  auto c = row_of(t, "stephencurry");
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(*t.get_real(*c, "paint_rate_last_10"), 16.67);
  EXPECT_DOUBLE_EQ(*t.get_real(*c, "mid_range_rate_last_10"), 11.11);
  EXPECT_DOUBLE_EQ(*t.get_real(*c, "three_pt_rate_last_10"), 72.22);
  EXPECT_EQ(*t.get_text(*c, "primary_scoring_zone"), "perimeter");
  EXPECT_DOUBLE_EQ(*t.get_real(*c, "three_pt_pct_last_10"), 0.385);  // 50/130
  EXPECT_EQ(*t.get_int(*c, "total_shots_last_10"), 180);
  EXPECT_EQ(*t.get_int(*c, "games_in_sample_10"), 10);
  EXPECT_EQ(*t.get_text(*c, "sample_quality_10"), "excellent");
  EXPECT_EQ(*t.get_int(*c, "games_in_sample_20"), 20);
  EXPECT_EQ(*t.get_text(*c, "sample_quality_20"), "excellent");
  // Last 20: paint 160 of 360 zone attempts = 44.44 %; paint FG 100/160 =
  // 0.625.
  EXPECT_DOUBLE_EQ(*t.get_real(*c, "paint_rate_last_20"), 44.44);
  EXPECT_DOUBLE_EQ(*t.get_real(*c, "paint_pct_last_20"), 0.625);
  EXPECT_EQ(*t.get_text(*c, "universal_player_id"), "stephencurry_001");
  EXPECT_EQ(*t.get_text(*c, "data_quality_tier"), "high");
  EXPECT_FALSE(*t.get_bool(*c, "early_season_flag"));
  EXPECT_FALSE(t.get_text(*c, "player_position").has_value());
  EXPECT_FALSE(t.get_text(*c, "calculation_notes").has_value());
  EXPECT_EQ(*t.get_text(*c, "processing_decision_reason"), "processed_successfully");
  EXPECT_EQ(t.get_text(*c, "data_hash")->size(), 16u);
  // DECISION 3 + 2: expected = BOS's last 10 scheduled games this season;
  // actual = Curry's 20 rows.
  EXPECT_EQ(*t.get_int(*c, "expected_games_count"), 10);
  EXPECT_EQ(*t.get_int(*c, "actual_games_count"), 20);
  EXPECT_DOUBLE_EQ(*t.get_real(*c, "completeness_percentage"), 200.0);
  EXPECT_TRUE(*t.get_bool(*c, "is_production_ready"));
  auto e = row_of(t, "joelembiid");
  ASSERT_TRUE(e);
  EXPECT_DOUBLE_EQ(*t.get_real(*e, "paint_rate_last_10"), 70.59);
  EXPECT_DOUBLE_EQ(*t.get_real(*e, "mid_range_rate_last_10"), 17.65);
  EXPECT_DOUBLE_EQ(*t.get_real(*e, "three_pt_rate_last_10"), 11.76);
  EXPECT_EQ(*t.get_text(*e, "primary_scoring_zone"), "paint");
  EXPECT_EQ(*t.get_int(*e, "total_shots_last_10"), 170);
  EXPECT_EQ(*t.get_int(*e, "games_in_sample_20"), 10);
  EXPECT_EQ(*t.get_text(*e, "sample_quality_20"), "limited");
  EXPECT_FALSE(t.get_real(*e, "paint_rate_last_20").has_value());
  EXPECT_FALSE(t.get_real(*e, "paint_pct_last_20").has_value());
  EXPECT_DOUBLE_EQ(*t.get_real(*e, "assisted_rate_last_10"), 44.44);    // 40/90
  EXPECT_DOUBLE_EQ(*t.get_real(*e, "unassisted_rate_last_10"), 55.56);  // 50/90
}

TEST(PszaRounding, NumpyStyleNotPythonRound) {
  // Spec B.3.1: 23/80 = 0.2875 → 0.288 (numpy), where Python's round gives
  // 0.287.
  EXPECT_DOUBLE_EQ(np_round(23.0 / 80.0, 3), 0.288);
  EXPECT_DOUBLE_EQ(proc::py_round(23.0 / 80.0, 3), 0.287);
  EXPECT_DOUBLE_EQ(np_round(0.125, 2),
                   0.12);  // ties to even on the scaled product
  EXPECT_DOUBLE_EQ(np_round(-0.0001, 2), 0.0);
  EXPECT_FALSE(std::signbit(np_round(-0.0001, 2)));
  // Through the metrics: paint 23 of 80 over 10 games.
  std::vector<ShotGame> games = repeat(Shots{8, 2, 0, 0, 0, 0, 2, 1, 1}, 10);
  games[0].paint_makes = 5;  // 23 makes
  EXPECT_DOUBLE_EQ(*shot_zone_metrics(games).paint_pct, 0.288);
}

TEST(PszaWindow, TwentyGamePaintNeedsFifteenGames) {
  for (int n : {14, 15}) {
    Fixture f = season(n);
    for (int g = 0; g < n; ++g) {
      // The oldest games are all paint (10 att / 4 made); the last 10 are the
      // P1 line.
      Shots s = g < n - 10 ? Shots{10, 4, 0, 0, 0, 0, 4, 2, 2} : Shots{};
      pgs_row(f.pgs, "alpha", f.game_date(g), "BOS", "LAL", s);
    }
    UnitOutput out = compute_player_shot_zone(f.schedule(), f.d, f.pgs);
    auto r = row_of(out.rows, "alpha");
    ASSERT_TRUE(r) << n;
    const Table& t = out.rows;
    EXPECT_EQ(*t.get_int(*r, "games_in_sample_20"), n);
    EXPECT_EQ(*t.get_text(*r, "sample_quality_20"), "good");
    EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_rate_last_10"),
                     44.44);  // last 10 unaffected
    if (n == 14) {
      EXPECT_FALSE(t.get_real(*r, "paint_rate_last_20").has_value());
      EXPECT_FALSE(t.get_real(*r, "paint_pct_last_20").has_value());
    } else {
      // 15 games: paint 80 + 50 = 130 of 180 + 50 = 230 → 56.52 %; FG 50 + 20 =
      // 70/130 = 0.538.
      EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_rate_last_20"), 56.52);
      EXPECT_DOUBLE_EQ(*t.get_real(*r, "paint_pct_last_20"), 0.538);
    }
  }
}

TEST(PszaWindow, QualifyingRowFilter) {
  EXPECT_TRUE(qualifies(true, 12.0, 0));
  EXPECT_TRUE(qualifies(true, std::nullopt, 3));  // historical rows with NULL minutes
  EXPECT_TRUE(qualifies(true, 0.0, 1));
  EXPECT_FALSE(qualifies(true, std::nullopt, 0));
  EXPECT_FALSE(qualifies(true, 0.0, std::nullopt));
  EXPECT_FALSE(qualifies(false, 30.0, 12));
  EXPECT_FALSE(qualifies(std::nullopt, 30.0, 12));
  // Through compute: 12 rows, two inactive (DNP) and one 0-minute/0-FGA → the
  // last 10 qualifying games reach back past them.
  Fixture f = season(13);
  for (int g = 0; g < 13; ++g) {
    RowOpts o;
    if (g == 12 || g == 10) o.active = false;
    if (g == 11) o.minutes = 0.0, o.fga = 0;
    Shots s = g < 2 ? Shots{0, 0, 0, 0, 10, 4, 4, 2, 2} : Shots{};
    pgs_row(f.pgs, "alpha", f.game_date(g), "BOS", "LAL", s, o);
  }
  UnitOutput out = compute_player_shot_zone(f.schedule(), f.d, f.pgs);
  auto r = row_of(out.rows, "alpha");
  ASSERT_TRUE(r);
  // Qualifying games: 0–9 → eight P1 lines and two all-three games: paint 64 of
  // 64+32+48+20.
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*r, "paint_rate_last_10"),
                   39.02);  // 64/164
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*r, "mid_range_rate_last_10"),
                   19.51);  // 32/164
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*r, "three_pt_rate_last_10"),
                   41.46);  // 68/164
  EXPECT_EQ(*out.rows.get_int(*r, "total_shots_last_10"), 164);
  EXPECT_EQ(*out.rows.get_text(*r, "primary_scoring_zone"),
            "perimeter");  // paint < 40, three ≥ 40
  // Completeness counts every row (DNP included): 13 rows for 10 expected
  // games.
  EXPECT_EQ(*out.rows.get_int(*r, "actual_games_count"), 13);
}

TEST(PszaWindow, StrictlyBeforeTheAnalysisDate) {
  // DECISION 1: rows dated ≥ D never change D's output (legacy read game_date
  // <= analysis_date).
  Fixture f = season(12);
  for (int g = 0; g < 12; ++g) pgs_row(f.pgs, "alpha", f.game_date(g), "BOS", "LAL", Shots{});
  for (int g = 0; g < 12; ++g) pgs_row(f.pgs, "beta", f.game_date(g), "LAL", "BOS", Shots{3, 1, 3, 1, 9, 4, 6, 3, 3});
  UnitOutput base = compute_player_shot_zone(f.schedule(), f.d, f.pgs);
  ASSERT_EQ(base.rows.num_rows(), 2u);
  Table changed = f.pgs;
  RowOpts late;
  late.processed_at = "2030-01-01T00:00:00Z";
  pgs_row(changed, "alpha", f.d, "BOS", "LAL", Shots{20, 20, 0, 0, 0, 0, 20, 0, 20}, late);
  pgs_row(changed, "beta", f.d + 2, "LAL", "BOS", Shots{20, 20, 0, 0, 0, 0, 20, 0, 20}, late);
  pgs_row(changed, "gamma", f.d, "BOS", "LAL", Shots{}, late);
  std::vector<Game> games = f.games;
  games.push_back(game(f.d, "BOS", "LAL", 700));
  games.push_back(game(f.d + 2, "BOS", "LAL", 701));
  UnitOutput after = compute_player_shot_zone(Schedule(games), f.d, changed);
  ASSERT_EQ(after.rows.num_rows(), base.rows.num_rows());
  EXPECT_TRUE(after.failures.empty());
  for (size_t r = 0; r < base.rows.num_rows(); ++r) {
    for (size_t c = 0; c < base.rows.num_columns(); ++c) {
      EXPECT_EQ(after.rows.cell_text(r, c), base.rows.cell_text(r, c)) << base.rows.column_names()[c];
    }
  }
}

TEST(PszaFailures, Categories) {
  // Team (BOS) has played 12 games; D is in January (not a season-boundary
  // month).
  Fixture f = season(12);
  // full: 12 qualifying games → row.
  for (int g = 0; g < 12; ++g) pgs_row(f.pgs, "full", f.game_date(g), "BOS", "LAL", Shots{});
  // bench: a row for every game but only 6 qualifying (6 DNP rows): upstream
  // complete, < 10 games. DECISION 6 (spec B.3.6): EXPECTED_INCOMPLETE; the
  // legacy said INCOMPLETE_UPSTREAM because the team's last-10 count was 10,
  // although no upstream row was missing.
  for (int g = 0; g < 12; ++g) {
    RowOpts o;
    o.active = g % 2 == 0;
    pgs_row(f.pgs, "bench", f.game_date(g), "BOS", "LAL", Shots{}, o);
  }
  // newcomer: rows for the last 5 games only → completeness 5/10 = 50 % < 70 →
  // INCOMPLETE_UPSTREAM "Incomplete data" (legacy category INCOMPLETE_DATA;
  // threshold proc::kProductionReadyPct = 70, as the legacy code).
  for (int g = 7; g < 12; ++g) pgs_row(f.pgs, "newcomer", f.game_date(g), "BOS", "LAL", Shots{});
  // nine: rows for 9 of the team's last 10 games → 90 % → production ready, but
  // only 9 games and a missing row → INCOMPLETE_UPSTREAM.
  for (int g = 3; g < 12; ++g) pgs_row(f.pgs, "nine", f.game_date(g), "BOS", "LAL", Shots{});
  UnitOutput out = compute_player_shot_zone(f.schedule(), f.d, f.pgs);
  ASSERT_EQ(out.rows.num_rows(), 1u);
  EXPECT_EQ(*out.rows.get_text(0, "player_lookup"), "full");
  ASSERT_EQ(out.failures.size(), 3u);
  ASSERT_NE(failure_of(out, "bench"), nullptr);
  EXPECT_EQ(failure_of(out, "bench")->category, "EXPECTED_INCOMPLETE");
  EXPECT_EQ(failure_of(out, "bench")->reason, "Too few qualifying games: 6/10 games (need 10)");
  ASSERT_NE(failure_of(out, "newcomer"), nullptr);
  EXPECT_EQ(failure_of(out, "newcomer")->category, "INCOMPLETE_UPSTREAM");
  EXPECT_EQ(failure_of(out, "newcomer")->reason, "Incomplete data: 50.0% (5/10 games)");
  ASSERT_NE(failure_of(out, "nine"), nullptr);
  EXPECT_EQ(failure_of(out, "nine")->category,
            "INCOMPLETE_UPSTREAM");  // one scheduled game has no row
  EXPECT_EQ(failure_of(out, "nine")->reason, "Missing upstream data: 9/10 games (need 10)");
  // Early in the season (team has 8 games before D): short players are
  // EXPECTED_INCOMPLETE.
  Fixture early = season(8);
  for (int g = 0; g < 8; ++g) pgs_row(early.pgs, "rookie", early.game_date(g), "BOS", "LAL", Shots{});
  out = compute_player_shot_zone(early.schedule(), early.d, early.pgs);
  EXPECT_EQ(out.rows.num_rows(), 0u);
  ASSERT_NE(failure_of(out, "rookie"), nullptr);
  EXPECT_EQ(failure_of(out, "rookie")->category, "EXPECTED_INCOMPLETE");
  EXPECT_EQ(failure_of(out, "rookie")->reason, "Season bootstrap: 8/8 games (need 10)");
  EXPECT_FALSE(out.empty_reason.empty());
}

TEST(PszaFailures, SeasonBoundaryBypassesReadiness) {
  // November (season boundary): the newcomer passes the readiness check and
  // fails the 10-game rule.
  Fixture f = season(12, Date::parse("2023-10-24"));
  ASSERT_EQ(f.d.month(), 11);
  for (int g = 7; g < 12; ++g) pgs_row(f.pgs, "newcomer", f.game_date(g), "BOS", "LAL", Shots{});
  UnitOutput out = compute_player_shot_zone(f.schedule(), f.d, f.pgs);
  ASSERT_NE(failure_of(out, "newcomer"), nullptr);
  EXPECT_EQ(failure_of(out, "newcomer")->reason, "Missing upstream data: 5/10 games (need 10)");
}

TEST(PszaBootstrap, SkipsEarlySeasonDates) {
  Fixture f = season(12);
  for (int g = 0; g < 12; ++g) pgs_row(f.pgs, "alpha", f.game_date(g), "BOS", "LAL", Shots{});
  Schedule s = f.schedule();
  ASSERT_TRUE(s.is_bootstrap(f.first + 13));
  ASSERT_FALSE(s.is_bootstrap(f.first + 14));
  UnitOutput out = compute_player_shot_zone(s, f.first + 13, f.pgs);
  EXPECT_EQ(out.rows.num_rows(), 0u);
  EXPECT_TRUE(out.failures.empty());
  EXPECT_EQ(out.empty_reason, "skipped_early_season");
}

TEST(PszaRun, ThroughTheWarehouse) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  Fixture f = season(20);
  for (int g = 0; g < 20; ++g) {
    Shots s = g < 10 ? Shots{13, 8, 2, 1, 3, 1, 10, 5, 5} : Shots{3, 2, 2, 1, 13, 5, 8, 5, 3};
    pgs_row(f.pgs, "stephencurry", f.game_date(g), "BOS", "LAL", s);
  }
  for (int g = 10; g < 20; ++g)
    pgs_row(f.pgs, "joelembiid", f.game_date(g), "LAL", "BOS", Shots{12, 7, 3, 1, 2, 1, 9, 4, 5});
  // Rows dated D are stored but must not be read.
  pgs_row(f.pgs, "stephencurry", f.d, "BOS", "LAL", Shots{30, 30, 0, 0, 0, 0, 30, 0, 30});
  std::set<Date> dates;
  for (size_t r = 0; r < f.pgs.num_rows(); ++r) dates.insert(*f.pgs.get_date(r, "game_date"));
  wh.replace_partitions(pgs_schema(), std::vector<Date>(dates.begin(), dates.end()), f.pgs);
  Schedule s = f.schedule();
  const Processor& p = registry::get("psza");
  UnitOutput out = p.run(UnitContext{wh, s, f.d});
  ASSERT_EQ(out.rows.num_rows(), 2u);
  EXPECT_TRUE(out.failures.empty());
  EXPECT_EQ(out.entities_processed, 2);
  auto c = row_of(out.rows, "stephencurry");
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*c, "three_pt_rate_last_10"), 72.22);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*c, "paint_rate_last_20"), 44.44);
  EXPECT_EQ(*out.rows.get_date(*c, "analysis_date"), f.d);
  auto e = row_of(out.rows, "joelembiid");
  ASSERT_TRUE(e);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(*e, "paint_rate_last_10"), 70.59);
  // Deterministic rerun; rows writable to the output table.
  UnitOutput again = p.run(UnitContext{wh, s, f.d});
  EXPECT_EQ(*again.rows.get_text(*c, "data_hash"), *out.rows.get_text(*c, "data_hash"));
  const TableSchema& os = catalog::get(p.info().output_table);
  wh.replace_partition(os, f.d, out.rows);
  EXPECT_EQ(wh.partition_counts(os, std::nullopt)[f.d], 2);
  UnitOutput boot = p.run(UnitContext{wh, s, f.first + 3});
  EXPECT_EQ(boot.rows.num_rows(), 0u);
  EXPECT_EQ(boot.empty_reason, "skipped_early_season");
}

TEST(PszaHash, PrecomputeDataHashFormat) {
  // Spec §0.6: sorted "field:value" strings joined by '|', SHA-256, 16 hex
  // (value from Python hashlib).
  Table t(catalog::get("nba_precompute.player_shot_zone_analysis"));
  size_t r = t.add_row();
  t.set(r, "player_lookup", "  alpha ");  // strings are stripped
  t.set(r, "analysis_date", Date::parse("2024-01-20"));
  t.set(r, "paint_rate_last_10", 44.44);
  t.set(r, "games_in_sample_10", int64_t{10});
  EXPECT_EQ(
      precompute_data_hash(
          t, r, {"player_lookup", "analysis_date", "paint_rate_last_10", "games_in_sample_10", "primary_scoring_zone"}),
      "5a7911a6aa2bd431");
}

// DECISION 6: a window in which no game knew the assisted/unassisted makes
// (shot charts alone) has NULL rates, not 0 % (the legacy summed NULL as 0);
// one known game makes the rate known.
TEST(PszaDecision6, AssistedRatesAreNullWhenUnknown) {
  std::vector<ShotGame> games = repeat(Shots{}, 10);
  for (auto& g : games) g.assisted_known = g.unassisted_known = false;
  ShotZoneMetrics unknown = shot_zone_metrics(games);
  EXPECT_FALSE(unknown.assisted_rate);
  EXPECT_FALSE(unknown.unassisted_rate);
  EXPECT_TRUE(unknown.paint_rate);  // zone figures do not depend on it
  games[0].assisted_known = true;
  ShotZoneMetrics partly = shot_zone_metrics(games);
  EXPECT_TRUE(partly.assisted_rate);
  EXPECT_FALSE(partly.unassisted_rate);
}

// The planned hasher (fixed item order, values rendered into one buffer) equals
// the per-cell hash on every kind of value: NULLs, booleans, integers, floats
// in fixed and exponent notation, NaN and ±inf, dates, timestamps, and text
// with every kind of surrounding whitespace.
TEST(PszaHash, RowHasherEqualsThePerCellHash) {
  Table t(catalog::get("nba_precompute.player_shot_zone_analysis"));
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> reals = {44.44, 0.0,    -0.0, 1.0,  1e16,      1.5e-7,      123456789012345678.0,
                                     1e-5,  0.0001, inf,  -inf, 0.1 + 0.2, std::nan("")};
  const std::vector<std::string> fields = {"player_lookup",          "analysis_date",
                                           "paint_rate_last_10",     "games_in_sample_10",
                                           "primary_scoring_zone",   "early_season_flag",
                                           "is_production_ready",    "calculation_notes",
                                           "mid_range_rate_last_10", "source_player_game_last_updated",
                                           "total_shots_last_10"};
  for (size_t i = 0; i < reals.size(); ++i) {
    const size_t r = t.add_row();
    t.set(r, "player_lookup", " \t alpha" + std::to_string(i) + "\n\f\v\r");
    t.set(r, "analysis_date", Date::parse("2024-01-20") + static_cast<int>(i));
    t.set(r, "paint_rate_last_10", reals[i]);
    if (i % 2 == 0) t.set(r, "mid_range_rate_last_10", -reals[i]);
    t.set(r, "games_in_sample_10", int64_t{-5} + static_cast<int64_t>(i));
    if (i % 3 != 0) t.set(r, "primary_scoring_zone", i % 3 == 1 ? "\vpaint " : "   ");
    t.set(r, "early_season_flag", i % 2 == 1);
    if (i % 4 != 0) t.set(r, "is_production_ready", i % 4 == 1);
    t.set(r, "calculation_notes", i % 2 ? "" : "No paint attempts; x ");
    t.set(r, "source_player_game_last_updated", " 2024-01-01T00:00:00Z");
    t.set(r, "total_shots_last_10", std::numeric_limits<int64_t>::min() + static_cast<int64_t>(i));
  }
  const RowHasher hasher(t, fields, RowHasher::Style::kPrecompute);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    EXPECT_EQ(hasher.hash(t, r), precompute_data_hash(t, r, fields)) << "row " << r;
  }
  fill_precompute_hash(t, fields);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    EXPECT_EQ(*t.get_text(r, "data_hash"), precompute_data_hash(t, r, fields)) << "row " << r;
  }
  EXPECT_THROW(RowHasher(t, {"player_lookup", "player_lookup"}, RowHasher::Style::kPrecompute), InternalError);
  EXPECT_THROW(RowHasher(t, {"no_such_column"}, RowHasher::Style::kPrecompute), ConfigError);
}

// The hasher writes a row's text into a buffer kept between rows: a text
// longer than the buffer grows it mid-row, keeping what the row wrote before;
// a buffer a caller cleared and refilled with other text between rows (the
// feature store builds a row's feature array in it) is written from its start.
// Every hash equals the per-cell one, whatever the row before left behind.
TEST(PszaHash, RowHasherBufferGrowsAndIsReused) {
  Table t(catalog::get("nba_precompute.player_shot_zone_analysis"));
  const std::vector<std::string> fields = {"player_lookup", "analysis_date", "calculation_notes", "paint_rate_last_10",
                                           "total_shots_last_10"};
  const std::vector<size_t> lengths = {0, 3, 5000, 1, 70000, 12, 0, 300};
  for (size_t i = 0; i < lengths.size(); ++i) {
    const size_t r = t.add_row();
    t.set(r, "player_lookup", std::string(lengths[i], static_cast<char>('a' + i)) + "z");
    t.set(r, "analysis_date", Date::parse("2024-02-01") + static_cast<int>(i));
    t.set(r, "calculation_notes", " " + std::string(lengths[lengths.size() - 1 - i], 'n') + "\t");
    t.set(r, "paint_rate_last_10", 0.25 * static_cast<double>(i));
    if (i % 2) t.set(r, "total_shots_last_10", static_cast<int64_t>(i) * 1000003);
  }
  const RowHasher hasher(t, fields, RowHasher::Style::kPrecompute);
  Column& hash = t.col(t.require("data_hash"));
  std::string scratch;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    hasher.set_rows(t, r, r + 1, hash, scratch);
    EXPECT_EQ(*t.get_text(r, "data_hash"), precompute_data_hash(t, r, fields)) << "row " << r;
    scratch.clear();  // another use of the buffer between rows
    scratch.append(r * 37, 'x');
  }
  std::string fresh;
  for (size_t r = t.num_rows(); r-- > 0;) {
    EXPECT_EQ(hasher.hash(t, r), precompute_data_hash(t, r, fields)) << "row " << r;
    hasher.set_rows(t, r, r + 1, hash, fresh);
    EXPECT_EQ(*t.get_text(r, "data_hash"), precompute_data_hash(t, r, fields)) << "row " << r;
  }
  // Rows hashed side by side: their texts share the buffer, which grows
  // while a block is written (a 70,000-char row after short ones).
  for (size_t r = 0; r < t.num_rows(); ++r) hash.set_null(r);
  std::string shared(11, 'q');
  hasher.set_rows(t, 0, t.num_rows(), hash, shared);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    EXPECT_EQ(*t.get_text(r, "data_hash"), precompute_data_hash(t, r, fields)) << "row " << r;
  }
}

// set_rows hashes its range kSha256BatchMax rows at a time: a range of two
// full batches and a part of one, and a range starting inside the table, set
// exactly their own rows, each to the per-cell hash.
TEST(PszaHash, RowHasherSetsARangeOfRowsBatchByBatch) {
  Table t(catalog::get("nba_precompute.player_shot_zone_analysis"));
  const std::vector<std::string> fields = {"player_lookup", "analysis_date", "paint_rate_last_10",
                                           "total_shots_last_10"};
  const size_t n = 2 * kSha256BatchMax + 5;
  for (size_t i = 0; i < n; ++i) {
    const size_t r = t.add_row();
    t.set(r, "player_lookup", "player" + std::to_string(i * 7919));
    t.set(r, "analysis_date", Date::parse("2024-03-01"));
    t.set(r, "paint_rate_last_10", 0.01 * static_cast<double>(i));
    t.set(r, "total_shots_last_10", static_cast<int64_t>(i));
  }
  const RowHasher hasher(t, fields, RowHasher::Style::kPrecompute);
  Column& hash = t.col(t.require("data_hash"));
  std::string scratch;
  hasher.set_rows(t, 3, n - 2, hash, scratch);
  for (size_t r = 0; r < n; ++r) {
    if (r < 3 || r >= n - 2) {
      EXPECT_TRUE(hash.is_null(r)) << "row " << r << " is outside the range";
    } else {
      EXPECT_EQ(*t.get_text(r, "data_hash"), precompute_data_hash(t, r, fields)) << "row " << r;
    }
  }
  hasher.set_rows(t, 0, n, hash, scratch);
  for (size_t r = 0; r < n; ++r) EXPECT_EQ(*t.get_text(r, "data_hash"), precompute_data_hash(t, r, fields));
}

// A row given its entity's memo takes the memo's text when its items but the
// dates hold the memo's values, and is rendered otherwise: the hashes equal the
// per-cell ones whatever changes from one row to the next (a value, NULL and
// back, -0.0 for 0.0, a text's surrounding whitespace, the date alone), with the
// date item first or between others, in both styles, and with one memo passed
// between entities.
TEST(PszaHash, RowHasherMemoGivesTheRenderedHashes) {
  Table t(catalog::get("nba_precompute.player_shot_zone_analysis"));
  std::mt19937_64 rng(20261208);
  const std::vector<double> reals = {44.44, 0.0, -0.0, 1.5, 0.1 + 0.2, 1e16, std::nan(""), 7.0};
  const std::vector<std::string> texts = {"paint", " paint\t", "perimeter", ""};
  const auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  for (int i = 0; i < 4000; ++i) {
    const size_t r = t.add_row();
    t.set(r, "analysis_date", Date::parse("2024-01-01") + i / 3);
    if (r > 0 && pick(3) != 0) {
      // The previous row's values, the date aside, with at most one change.
      for (const char* c : {"player_lookup", "paint_rate_last_10", "games_in_sample_10", "primary_scoring_zone",
                            "is_production_ready", "actual_games_count"}) {
        const size_t col = t.require(c);
        if (t.col(col).is_null(r - 1)) continue;
        switch (t.col(col).storage()) {
          case Storage::kInt:
            t.col(col).set_int(r, t.col(col).int_at(r - 1));
            break;
          case Storage::kReal:
            t.col(col).set_real(r, t.col(col).real_at(r - 1));
            break;
          case Storage::kText:
            t.col(col).set_text_ptr(r, t.col(col).text_ptr(r - 1));
            break;
        }
      }
      switch (pick(8)) {
        case 0:
          t.set(r, "paint_rate_last_10", reals[pick(reals.size())]);
          break;
        case 1:
          t.col(t.require("paint_rate_last_10")).set_null(r);
          break;
        case 2:
          t.set(r, "primary_scoring_zone", texts[pick(texts.size())]);
          break;
        case 3:
          t.col(t.require("primary_scoring_zone")).set_null(r);
          break;
        case 4:
          t.set(r, "games_in_sample_10", static_cast<int64_t>(pick(3)));
          break;
        case 5:
          t.set(r, "is_production_ready", pick(2) == 1);
          break;
        default:
          break;  // the date alone changes (or not)
      }
    } else {
      t.set(r, "player_lookup", "p" + std::to_string(pick(3)));
      t.set(r, "paint_rate_last_10", reals[pick(reals.size())]);
      if (pick(4) != 0) t.set(r, "games_in_sample_10", static_cast<int64_t>(pick(20)));
      if (pick(4) != 0) t.set(r, "primary_scoring_zone", texts[pick(texts.size())]);
      t.set(r, "is_production_ready", pick(2) == 1);
      t.set(r, "actual_games_count", static_cast<int64_t>(pick(5)));
    }
  }
  const std::vector<std::vector<std::string>> field_lists = {
      {"player_lookup", "analysis_date", "paint_rate_last_10", "games_in_sample_10", "primary_scoring_zone",
       "is_production_ready"},
      // "actual_games_count" sorts before the date: the date item between others.
      {"actual_games_count", "analysis_date", "paint_rate_last_10", "primary_scoring_zone", "player_lookup"},
      {"paint_rate_last_10", "primary_scoring_zone"}};
  for (const auto& fields : field_lists) {
    for (const auto style : {RowHasher::Style::kPrecompute, RowHasher::Style::kMixin}) {
      const RowHasher hasher(t, fields, style);
      Column& hash = t.col(t.require("data_hash"));
      for (size_t r = 0; r < t.num_rows(); ++r) hash.set_null(r);
      // One memo for every row (an entity whose rows follow each other), and
      // a memo per three rows taken in turn (entities interleaved).
      RowHasher::Memo one;
      std::array<RowHasher::Memo, 3> three;
      std::vector<RowHasher::Memo*> memos(t.num_rows(), &one);
      std::string scratch;
      hasher.set_rows(t, 0, t.num_rows(), hash, scratch, memos.data());
      for (size_t r = 0; r < t.num_rows(); ++r) {
        ASSERT_EQ(*t.get_text(r, "data_hash"), hasher.hash(t, r)) << "row " << r;
      }
      for (size_t r = 0; r < t.num_rows(); ++r) memos[r] = r % 5 == 4 ? nullptr : &three[r % 3];
      for (size_t r = 0; r < t.num_rows(); ++r) hash.set_null(r);
      for (size_t from = 0; from < t.num_rows(); from += 37) {
        hasher.set_rows(t, from, std::min(from + 37, t.num_rows()), hash, scratch, memos.data());
      }
      for (size_t r = 0; r < t.num_rows(); ++r) {
        ASSERT_EQ(*t.get_text(r, "data_hash"), hasher.hash(t, r)) << "row " << r;
        if (style == RowHasher::Style::kPrecompute) {
          ASSERT_EQ(*t.get_text(r, "data_hash"), precompute_data_hash(t, r, fields)) << "row " << r;
        }
      }
    }
  }
  // A memo handed from one hasher to another (other fields, or the other
  // style) is not taken for theirs: each row still hashes as rendered.
  const RowHasher first(t, field_lists[0], RowHasher::Style::kPrecompute);
  const RowHasher second(t, field_lists[1], RowHasher::Style::kPrecompute);
  const RowHasher mixin(t, field_lists[0], RowHasher::Style::kMixin);
  RowHasher::Memo shared;
  const std::vector<RowHasher::Memo*> memo(t.num_rows(), &shared);
  Column& hash = t.col(t.require("data_hash"));
  std::string scratch;
  for (size_t r = 0; r < 300; ++r) {
    const RowHasher& h = r % 3 == 0 ? first : (r % 3 == 1 ? second : mixin);
    h.set_rows(t, r, r + 1, hash, scratch, memo.data());
    ASSERT_EQ(*t.get_text(r, "data_hash"), h.hash(t, r)) << "row " << r;
  }
  // Two hashers whose items differ in a field's name alone, on a row where
  // both fields hold the same value: the second must not take the first's
  // text.
  Table two(catalog::get("nba_precompute.player_shot_zone_analysis"));
  const size_t r = two.add_row();
  two.set(r, "player_lookup", "p");
  two.set(r, "analysis_date", Date::parse("2024-01-05"));
  two.set(r, "paint_rate_last_10", 40.5);
  two.set(r, "mid_range_rate_last_10", 40.5);
  const RowHasher paint(two, {"player_lookup", "analysis_date", "paint_rate_last_10"}, RowHasher::Style::kPrecompute);
  const RowHasher mid(two, {"player_lookup", "analysis_date", "mid_range_rate_last_10"}, RowHasher::Style::kPrecompute);
  RowHasher::Memo handed;
  RowHasher::Memo* const handed_memo[] = {&handed};
  Column& two_hash = two.col(two.require("data_hash"));
  paint.set_rows(two, 0, 1, two_hash, scratch, handed_memo);
  EXPECT_EQ(*two.get_text(r, "data_hash"), paint.hash(two, r));
  mid.set_rows(two, 0, 1, two_hash, scratch, handed_memo);
  EXPECT_EQ(*two.get_text(r, "data_hash"), mid.hash(two, r));
  EXPECT_NE(paint.hash(two, r), mid.hash(two, r));
}

// The hasher renders a short decimal (k / 10^d, d ≤ 4: every rounded metric)
// from its digits instead of std::to_chars; the bytes equal the per-cell
// python_float_repr path for every magnitude and sign, including the values
// std::to_chars would print in exponent notation but Python writes positionally
// (0.0001, 0.0005, 100000.0, 10000000000.0) and ties between the two notations
// (0.001, 10000.0).
TEST(PszaHash, ShortDecimalsRenderLikeTheReprPath) {
  Table t(catalog::get("nba_precompute.player_shot_zone_analysis"));
  const std::vector<std::string> fields = {"player_lookup", "paint_rate_last_10", "mid_range_pct_last_10"};
  std::vector<double> values = {0.0,    1.0,    0.1,     0.001,  0.0001, 0.0005, 0.0012,   10000.0,   100000.0,
                                1e10,   2.5e10, 99999.5, 123.45, 0.375,  44.44,  1e11 - 1, 0.1 + 0.2, 1e-5,
                                12.0e9, 5e5,    3e4,     0.05,   -0.0,   1e11,   1.5e-7};
  std::mt19937_64 rng(20261202);
  const double scale[] = {1, 10, 100, 1000, 10000, 100000};
  for (int i = 0; i < 20000; ++i) {
    const int64_t magnitude = int64_t{1} << std::uniform_int_distribution<int>(0, 50)(rng);
    const auto k = std::uniform_int_distribution<int64_t>(0, magnitude)(rng);
    values.push_back(static_cast<double>(k) / scale[i % 6] * (i % 7 == 0 ? -1.0 : 1.0));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    const size_t r = t.add_row();
    t.set(r, "player_lookup", "p" + std::to_string(i));
    t.set(r, "paint_rate_last_10", values[i]);
    t.set(r, "mid_range_pct_last_10", np_round(values[i] / 7.0, static_cast<int>(i % 5)));
  }
  const RowHasher precompute(t, fields, RowHasher::Style::kPrecompute);
  const RowHasher mixin(t, fields, RowHasher::Style::kMixin);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    ASSERT_EQ(precompute.hash(t, r), precompute_data_hash(t, r, fields)) << "value " << values[r];
    ASSERT_EQ(mixin.hash(t, r), precompute_data_hash(t, r, fields)) << "value " << values[r];
  }
}

// The last-10/20 windows come from per-player running sums. Rows stored in any
// order (a date's rows arrive in stored order and are placed by game id, which
// redoes the sums after the insertion point) give the windowed sums of the
// games sorted by (date, game id).
TEST(PszaWindow, RunningSumsEqualTheWindowSumsWhateverTheStoredOrder) {
  Fixture f = season(24);
  std::vector<std::pair<std::string, Shots>> lines;  // (game id, line) of each stored row
  Table rows(pgs_schema());
  for (int g = 0; g < 24; ++g) {
    const Shots s{8 + g % 5, 3 + g % 4, 4 + g % 3, 1 + g % 2, 6 + g % 7, 2 + g % 3, 9 + g % 4, 5 + g % 3, 2 + g % 2};
    pgs_row(rows, "alpha", f.game_date(g), "BOS", "LAL", s);
    lines.emplace_back(f.game_date(g).compact() + "_LAL_BOS", s);
    if (g % 6 == 5) {  // a second row that day, whose game id sorts first
      const Shots extra{3, 1, 2, 1, 1, 0, 2, 1, 1};
      pgs_row(rows, "alpha", f.game_date(g), "BOS", "AAA", extra);
      lines.emplace_back(f.game_date(g).compact() + "_AAA_BOS", extra);
    }
  }
  std::vector<size_t> order(rows.num_rows());
  std::iota(order.begin(), order.end(), size_t{0});
  std::reverse(order.begin(), order.end());
  for (size_t r : order) f.pgs.append_row(rows, r);
  std::vector<size_t> sorted(lines.size());
  std::iota(sorted.begin(), sorted.end(), size_t{0});
  std::sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) { return lines[a].first < lines[b].first; });
  std::vector<ShotGame> games;
  for (size_t i : sorted) games.push_back(shot_game(lines[i].second));

  const UnitOutput out = compute_player_shot_zone(f.schedule(), f.d, f.pgs);
  const auto r = row_of(out.rows, "alpha");
  ASSERT_TRUE(r);
  const ShotZoneMetrics m10 = shot_zone_metrics(std::span<const ShotGame>(games).last(10));
  const ShotZoneMetrics m20 = shot_zone_metrics(std::span<const ShotGame>(games).last(20));
  const Table& t = out.rows;
  EXPECT_EQ(t.get_real(*r, "paint_rate_last_10"), m10.paint_rate);
  EXPECT_EQ(t.get_real(*r, "mid_range_pct_last_10"), m10.mid_pct);
  EXPECT_EQ(t.get_real(*r, "three_pt_attempts_per_game"), m10.three_apg);
  EXPECT_EQ(t.get_real(*r, "assisted_rate_last_10"), m10.assisted_rate);
  EXPECT_EQ(t.get_int(*r, "total_shots_last_10"), m10.total_shots);
  EXPECT_EQ(t.get_real(*r, "paint_rate_last_20"), m20.paint_rate);
  EXPECT_EQ(t.get_real(*r, "paint_pct_last_20"), m20.paint_pct);
  // The stored order does not matter.
  nbaprops::testing::expect_same_rows(out.rows, compute_player_shot_zone(f.schedule(), f.d, rows).rows);
}

// universal_player_id comes from the newest qualifying game before D; two
// stored rows of that game (same date and game id) give the first one's.
TEST(PszaWindow, NewestUniversalPlayerIdWithTiedRows) {
  Fixture f = season(12);
  for (int g = 0; g < 12; ++g) pgs_row(f.pgs, "alpha", f.game_date(g), "BOS", "LAL", Shots{});
  const size_t n = f.pgs.num_rows();
  pgs_row(f.pgs, "alpha", f.game_date(11), "BOS", "LAL", Shots{});  // the same game stored again
  f.pgs.set(n - 1, "universal_player_id", std::string("alpha_002"));
  f.pgs.set(n, "universal_player_id", std::string("alpha_003"));
  UnitOutput out = compute_player_shot_zone(f.schedule(), f.d, f.pgs);
  auto r = row_of(out.rows, "alpha");
  ASSERT_TRUE(r);
  EXPECT_EQ(*out.rows.get_text(*r, "universal_player_id"), "alpha_002");
  // A date before that game answers from the games before it.
  out = compute_player_shot_zone(f.schedule(), f.game_date(11), f.pgs);
  r = row_of(out.rows, "alpha");
  ASSERT_TRUE(r);
  EXPECT_EQ(*out.rows.get_text(*r, "universal_player_id"), "alpha_001");
}
