#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/precompute/composite_factors.hpp"
#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/pipeline/preflight.hpp"
#include "nbaprops/processors/precompute/zone_common.hpp"
#include "processors/precompute/phase4_util.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "table_assert.hpp"
#include "test_util.hpp"

using nbaprops::testing::row_with;

using nbaprops::testing::expect_same_rows;

using namespace nbaprops;
using namespace nbaprops::precompute;

namespace {

FatigueInputs fat(std::optional<int64_t> rest, std::optional<bool> b2b, std::optional<int64_t> g7,
                  std::optional<double> m7, std::optional<double> mpg, std::optional<int64_t> b2b14,
                  std::optional<int64_t> age) {
  return FatigueInputs{rest, b2b, g7, m7, mpg, b2b14, age};
}

}  // namespace

// legacy-pcf-pdc.md §A5 (values recomputed against the current code; the stale
// legacy test assertions noted in §A7.2 are replaced by the current formulas).
TEST(PcfFormulas, FatigueExamples) {
  EXPECT_EQ(fatigue_score(fat(2, false, 3, 175, 29.2, 0, 28)), 100);
  EXPECT_EQ(fatigue_score(fat(0, true, 4, 250, 36.5, 2, 35)),
            35);  // 100−15−10−10−8−12−10
  EXPECT_EQ(fatigue_score(fat(1, std::nullopt, 3, 250, 35.0, 0, 28)),
            90);  // 35.0 exactly: no penalty
  EXPECT_EQ(fatigue_score(fat(1, std::nullopt, 3, 200, 33.3, std::nullopt, 25)), 100);
  EXPECT_EQ(fatigue_score(fat(1, std::nullopt, 3, 200, 33.3, std::nullopt, 35)), 90);
  EXPECT_EQ(fatigue_score(fat(1, std::nullopt, 3, 200, 33.3, std::nullopt, 28)), 100);
  EXPECT_EQ(fatigue_score(fat(3, std::nullopt, 3, 200, 33.3, std::nullopt, 28)),
            100);  // 105 clamped
  EXPECT_EQ(fatigue_score(fat(0, true, 5, 300, 40, 3, 38)), 35);
  EXPECT_EQ(fatigue_score(fat(5, std::nullopt, 2, 100, 20, std::nullopt, 22)), 100);
  EXPECT_EQ(fatigue_score(fat(1, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt)),
            100);  // all defaults
  EXPECT_EQ(fatigue_score(fat(1, false, 3, 200, 30, 1, 31)),
            90);  // b2b14 == 1 −5, age 30–34 −5
  EXPECT_DOUBLE_EQ(fatigue_adjustment(100), 0.0);
  EXPECT_DOUBLE_EQ(fatigue_adjustment(80), -1.0);
  EXPECT_DOUBLE_EQ(fatigue_adjustment(50), -2.5);
  EXPECT_DOUBLE_EQ(fatigue_adjustment(0), -5.0);
}

TEST(PcfFormulas, ShotZoneMismatchExamples) {
  auto pz = [](const char* zone, double paint, double mid, double three) {
    return std::optional<PlayerZones>(PlayerZones{std::string(zone), paint, mid, three});
  };
  auto oz = [](double paint, double mid, double three) {
    return std::optional<OpponentZones>(OpponentZones{paint, mid, three, std::string("paint")});
  };
  EXPECT_NEAR(shot_zone_mismatch(pz("paint", 65, 10, 25), oz(4.3, 0, 0)), 4.3, 1e-12);
  EXPECT_NEAR(shot_zone_mismatch(pz("paint", 65, 10, 25), oz(-3.8, 0, 0)), -3.8, 1e-12);
  EXPECT_NEAR(shot_zone_mismatch(pz("paint", 70, 10, 20), oz(6.0, 0, 0)), 7.2, 1e-12);
  EXPECT_NEAR(shot_zone_mismatch(pz("paint", 25, 30, 45), oz(4.0, 0, 0)), 2.0, 1e-12);
  EXPECT_NEAR(shot_zone_mismatch(pz("perimeter", 20, 15, 65), oz(0, 0, 3.5)), 3.5, 1e-12);
  EXPECT_DOUBLE_EQ(shot_zone_mismatch(pz("paint", 80, 10, 10), oz(15.0, 0, 0)), 10.0);
  EXPECT_NEAR(shot_zone_mismatch(pz("mid_range", 20, 45, 35), oz(0, 2.1, 0)), 1.89, 1e-12);
  // balanced / NULL zones fall back to the paint fields; missing rate → 50.0 (w
  // = 1).
  EXPECT_NEAR(shot_zone_mismatch(pz("balanced", 50, 30, 20), oz(3.0, 9.0, 9.0)), 3.0, 1e-12);
  EXPECT_NEAR(shot_zone_mismatch(PlayerZones{std::nullopt, std::nullopt, std::nullopt, std::nullopt}, oz(2.0, 0, 0)),
              2.0, 1e-12);
  EXPECT_DOUBLE_EQ(shot_zone_mismatch(std::nullopt, oz(4.3, 0, 0)), 0.0);
  EXPECT_DOUBLE_EQ(shot_zone_mismatch(pz("paint", 65, 10, 25), std::nullopt), 0.0);
}

TEST(PcfFormulas, PaceAndUsageExamples) {
  EXPECT_DOUBLE_EQ(pace_score(3.5), 1.75);
  EXPECT_DOUBLE_EQ(pace_score(-4.0), -2.0);
  EXPECT_DOUBLE_EQ(pace_score(0.0), 0.0);
  EXPECT_DOUBLE_EQ(pace_score(10.0), 3.0);
  EXPECT_DOUBLE_EQ(pace_score(-10.0), -3.0);
  EXPECT_DOUBLE_EQ(pace_score(std::nullopt), 0.0);
  EXPECT_NEAR(usage_spike_score(26, 25, 0), 0.3, 1e-12);
  EXPECT_NEAR(usage_spike_score(20, 25, 0), -1.5, 1e-12);
  EXPECT_NEAR(usage_spike_score(30, 25, 1), 1.725, 1e-12);
  EXPECT_NEAR(usage_spike_score(30, 25, 2), 1.95, 1e-12);
  EXPECT_NEAR(usage_spike_score(20, 25, 2), -1.5,
              1e-12);  // negative spikes never boosted
  EXPECT_DOUBLE_EQ(usage_spike_score(30, 0, 0), 0.0);
  EXPECT_DOUBLE_EQ(usage_spike_score(50, 20, 0), 3.0);
  EXPECT_DOUBLE_EQ(usage_spike_score(10, 40, 0), -3.0);
  EXPECT_DOUBLE_EQ(usage_spike_score(std::nullopt, std::nullopt, std::nullopt),
                   0.0);  // 25 vs 25
  // Stored rounding (Python round on the binary value): 1.75 → 1.8, 0.5175 →
  // 0.5.
  EXPECT_DOUBLE_EQ(proc::py_round(1.75, 1), 1.8);
  EXPECT_DOUBLE_EQ(proc::py_round(usage_spike_score(28.5, 27.0, 1), 1), 0.5);
}

TEST(PcfFormulas, CompletenessAndWarnings) {
  auto all = data_completeness(true, true, true, true, true);
  EXPECT_DOUBLE_EQ(all.pct, 100.0);
  EXPECT_FALSE(all.missing_fields);
  auto no_psza = data_completeness(true, true, true, false, true);
  EXPECT_DOUBLE_EQ(no_psza.pct, 80.0);
  EXPECT_EQ(*no_psza.missing_fields, "player_shot_zone");
  auto no_tdza = data_completeness(true, true, true, true, false);
  EXPECT_DOUBLE_EQ(no_tdza.pct, 80.0);
  EXPECT_EQ(*no_tdza.missing_fields, "team_defense_zone");
  auto none = data_completeness(false, false, false, false, false);
  EXPECT_DOUBLE_EQ(none.pct, 0.0);
  EXPECT_EQ(*none.missing_fields,
            "days_rest, projected_usage_rate, pace_differential, "
            "player_shot_zone, team_defense_zone");
  EXPECT_EQ(*composite_warnings(45, 2.0, -2.0), "EXTREME_FATIGUE: Player showing severe fatigue");
  EXPECT_EQ(*composite_warnings(80, 9.0, 5.0), "EXTREME_MATCHUP: Unusual zone mismatch");
  EXPECT_EQ(*composite_warnings(80, 5.0, 13.5), "EXTREME_ADJUSTMENT: Very large composite adjustment");
  EXPECT_FALSE(composite_warnings(80, 4.0, 5.0));
  EXPECT_EQ(*composite_warnings(40, 9.0, 13.0),
            "EXTREME_FATIGUE: Player showing severe fatigue; EXTREME_MATCHUP: "
            "Unusual zone mismatch; "
            "EXTREME_ADJUSTMENT: Very large composite adjustment");
}

namespace {

const Date kD = Date::parse("2025-01-21");

Schedule season_schedule() {
  std::vector<Game> games;
  auto add = [&](const char* date, const char* away, const char* home, const char* id) {
    Game g;
    g.nba_game_id = id;
    g.date = Date::parse(date);
    g.season = 2024;
    g.home = home;
    g.away = away;
    g.status = GameStatus::kFinal;
    games.push_back(g);
  };
  add("2024-10-22", "NYK", "BOS", "0022400001");
  add("2025-01-21", "GSW", "LAL", "0022400600");
  add("2025-01-21", "BOS", "PHX", "0022400601");
  return Schedule(std::move(games));
}

struct Fixture {
  Table upgc{catalog::get("nba_analytics.upcoming_player_game_context")};
  Table utgc{catalog::get("nba_analytics.upcoming_team_game_context")};
  Table psza{catalog::get("nba_precompute.player_shot_zone_analysis")};
  Table tdza{catalog::get("nba_precompute.team_defense_zone_analysis")};

  size_t ctx(Date d, const std::string& player, const std::string& team, const std::string& opp, int64_t rest, bool b2b,
             int64_t g7, int64_t m7, double mpg, int64_t b2b14, int64_t age, double pace_diff, double projected,
             double baseline, int64_t stars) {
    size_t r = upgc.add_row();
    upgc.set(r, "player_lookup", player);
    upgc.set(r, "universal_player_id", player + "_001");
    const bool home = team == "LAL" || team == "PHX";
    upgc.set(r, "game_id", d.compact() + (home ? "_" + opp + "_" + team : "_" + team + "_" + opp));
    upgc.set(r, "game_date", d);
    upgc.set(r, "team_abbr", team);
    upgc.set(r, "opponent_team_abbr", opp);
    upgc.set(r, "days_rest", rest);
    upgc.set(r, "back_to_back", b2b);
    upgc.set(r, "games_in_last_7_days", g7);
    upgc.set(r, "minutes_in_last_7_days", m7);
    upgc.set(r, "avg_minutes_per_game_last_7", mpg);
    upgc.set(r, "back_to_backs_last_14_days", b2b14);
    upgc.set(r, "player_age", age);
    upgc.set(r, "pace_differential", pace_diff);
    upgc.set(r, "projected_usage_rate", projected);
    upgc.set(r, "avg_usage_rate_last_7_games", baseline);
    upgc.set(r, "star_teammates_out", stars);
    upgc.set(r, "is_production_ready", true);
    upgc.set(r, "data_hash", "upgchash0000000" + std::to_string(r % 10));
    upgc.set(r, "processed_at", "2025-01-21T10:00:0" + std::to_string(r % 10) + "Z");
    return r;
  }
  void zones(Date d, const std::string& player, const std::string& zone, double paint, double mid, double three) {
    size_t r = psza.add_row();
    psza.set(r, "player_lookup", player);
    psza.set(r, "analysis_date", d);
    psza.set(r, "primary_scoring_zone", zone);
    psza.set(r, "paint_rate_last_10", paint);
    psza.set(r, "mid_range_rate_last_10", mid);
    psza.set(r, "three_pt_rate_last_10", three);
    psza.set(r, "is_production_ready", true);
    psza.set(r, "data_hash", "pszahash00000001");
    psza.set(r, "processed_at", "2025-01-21T09:00:00Z");
  }
  void defence(Date d, const std::string& team, double paint, double mid, double three, const std::string& weakest) {
    size_t r = tdza.add_row();
    tdza.set(r, "team_abbr", team);
    tdza.set(r, "analysis_date", d);
    tdza.set(r, "paint_defense_vs_league_avg", paint);
    tdza.set(r, "mid_range_defense_vs_league_avg", mid);
    tdza.set(r, "three_pt_defense_vs_league_avg", three);
    tdza.set(r, "weakest_zone", weakest);
    tdza.set(r, "is_production_ready", true);
    tdza.set(r, "data_hash", "tdzahash00000001");
    tdza.set(r, "processed_at", "2025-01-21T08:00:00Z");
  }
  void team_ctx(Date d, const std::string& team) {
    size_t r = utgc.add_row();
    utgc.set(r, "team_abbr", team);
    utgc.set(r, "game_date", d);
    utgc.set(r, "game_id", d.compact() + "_X_" + team);
    utgc.set(r, "is_production_ready", true);
  }
  /// The spec's integration fixture (§A5), dated @p d.
  void spec_players(Date d) {
    ctx(d, "lebronjames", "LAL", "GSW", 2, false, 3, 175, 29.2, 0, 28, 3.5, 26.0, 25.0, 0);
    ctx(d, "stephencurry", "GSW", "LAL", 1, false, 3, 190, 31.7, 0, 32, 4.0, 28.5, 27.0, 1);
    ctx(d, "kevindurant", "PHX", "BOS", 0, true, 4, 250, 36.5, 2, 35, -2.0, 30.0, 28.0, 2);
    zones(d, "lebronjames", "paint", 65, 10, 25);
    zones(d, "stephencurry", "perimeter", 20, 15, 65);
    zones(d, "kevindurant", "mid_range", 25, 45, 30);
    defence(d, "GSW", 4.3, 0.5, 1.0, "paint");
    defence(d, "LAL", -1.0, 0.2, -3.2, "mid_range");
    defence(d, "BOS", 0.4, 2.1, -0.5, "mid_range");
    for (const char* t : {"GSW", "LAL", "BOS", "PHX"}) team_ctx(d, t);
  }
  UnitOutput run(const Schedule& s, Date d) const { return compute_composite_factors(s, d, {upgc, utgc, psza, tdza}); }
};

size_t row_of(const Table& t, const std::string& player) { return row_with(t, "player_lookup", player); }

}  // namespace

TEST(PcfCompute, SpecIntegrationFixture) {
  Fixture f;
  f.spec_players(kD);
  Schedule s = season_schedule();
  UnitOutput out = f.run(s, kD);
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_TRUE(out.failures.empty());

  size_t lb = row_of(t, "lebronjames");
  EXPECT_EQ(*t.get_int(lb, "fatigue_score"), 100);
  EXPECT_DOUBLE_EQ(*t.get_real(lb, "shot_zone_mismatch_score"), 4.3);
  EXPECT_DOUBLE_EQ(*t.get_real(lb, "pace_score"), 1.8);  // 1.75 stored as 1.8
  EXPECT_DOUBLE_EQ(*t.get_real(lb, "usage_spike_score"), 0.3);
  EXPECT_DOUBLE_EQ(*t.get_real(lb, "total_composite_adjustment"), 6.35);
  EXPECT_DOUBLE_EQ(*t.get_real(lb, "referee_favorability_score"), 0.0);
  EXPECT_DOUBLE_EQ(*t.get_real(lb, "opponent_strength_score"), 0.0);
  EXPECT_EQ(*t.get_text(lb, "calculation_version"), "v1_4factors");
  EXPECT_DOUBLE_EQ(*t.get_real(lb, "data_completeness_pct"), 100.0);
  EXPECT_FALSE(t.get_text(lb, "missing_data_fields"));
  EXPECT_FALSE(*t.get_bool(lb, "has_warnings"));
  EXPECT_EQ(*t.get_date(lb, "game_date"), kD);
  EXPECT_EQ(*t.get_date(lb, "analysis_date"), kD);
  EXPECT_EQ(*t.get_text(lb, "game_id"), "20250121_GSW_LAL");
  EXPECT_EQ(*t.get_text(lb, "fatigue_context_json"),
            R"({"days_rest": 2, "back_to_back": false, "games_last_7": 3, "minutes_last_7": 175.0, )"
            R"("avg_minutes_pg_last_7": 29.2, "back_to_backs_last_14": 0, "player_age": 28, "final_score": 100})");
  EXPECT_EQ(*t.get_text(lb, "shot_zone_context_json"),
            R"({"player_primary_zone": "paint", "opponent_weak_zone": "paint", "final_score": 4.3})");
  EXPECT_EQ(*t.get_text(lb, "pace_context_json"), R"({"pace_differential": 3.5, "final_score": 1.75})");
  EXPECT_EQ(*t.get_text(lb, "usage_context_json"),
            R"({"projected_usage_rate": 26.0, "avg_usage_last_7": 25.0, "usage_differential": 1.0, )"
            R"("star_teammates_out": 0, "final_score": 0.3})");
  EXPECT_TRUE(*t.get_bool(lb, "is_production_ready"));
  EXPECT_TRUE(*t.get_bool(lb, "all_upstreams_ready"));
  EXPECT_EQ(*t.get_text(lb, "data_quality_issues"), "[]");
  EXPECT_EQ(*t.get_text(lb, "source_player_shot_hash"), "pszahash00000001");
  EXPECT_EQ(*t.get_text(lb, "source_team_defense_hash"), "tdzahash00000001");
  // UPGC rows: the latest processed_at (row 2, "…:02Z") carries
  // "upgchash00000002".
  EXPECT_EQ(*t.get_text(lb, "source_player_context_hash"), "upgchash00000002");
  EXPECT_FALSE(*t.get_bool(lb, "backfill_bootstrap_mode"));   // day 91 of the season
  EXPECT_FALSE(*t.get_bool(lb, "season_boundary_detected"));  // January
  // Legacy mixin hash (sorted "field:value" joined by '|', SHA-256, 16 hex),
  // cross-checked in Python against the record {player_lookup: 'lebronjames',
  // …, total_composite_adjustment: 6.35}.
  EXPECT_EQ(*t.get_text(lb, "data_hash"), "a0533b61cb15be66");

  size_t sc = row_of(t, "stephencurry");
  EXPECT_EQ(*t.get_int(sc, "fatigue_score"), 95);
  EXPECT_DOUBLE_EQ(*t.get_real(sc, "shot_zone_mismatch_score"), -3.2);
  EXPECT_DOUBLE_EQ(*t.get_real(sc, "pace_score"), 2.0);
  EXPECT_DOUBLE_EQ(*t.get_real(sc, "usage_spike_score"), 0.5);  // 0.5175
  EXPECT_DOUBLE_EQ(*t.get_real(sc, "total_composite_adjustment"), -0.93);

  size_t kd = row_of(t, "kevindurant");
  EXPECT_EQ(*t.get_int(kd, "fatigue_score"), 35);
  EXPECT_DOUBLE_EQ(*t.get_real(kd, "shot_zone_mismatch_score"),
                   1.9);  // 2.1 × 0.9 = 1.89
  EXPECT_DOUBLE_EQ(*t.get_real(kd, "pace_score"), -1.0);
  EXPECT_DOUBLE_EQ(*t.get_real(kd, "usage_spike_score"), 0.8);  // 0.78
  EXPECT_DOUBLE_EQ(*t.get_real(kd, "total_composite_adjustment"), -1.58);
  EXPECT_TRUE(*t.get_bool(kd, "has_warnings"));
  EXPECT_EQ(*t.get_text(kd, "warning_details"), "EXTREME_FATIGUE: Player showing severe fatigue");
}

TEST(PcfCompute, MissingZoneTablesStillWriteRows) {
  Fixture f;
  f.spec_players(kD);
  f.psza = Table(catalog::get("nba_precompute.player_shot_zone_analysis"));
  f.tdza = Table(catalog::get("nba_precompute.team_defense_zone_analysis"));
  UnitOutput out = f.run(season_schedule(), kD);
  ASSERT_EQ(out.rows.num_rows(), 3u);
  for (size_t r = 0; r < 3; ++r) {
    EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "shot_zone_mismatch_score"), 0.0);
    EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "data_completeness_pct"), 60.0);
    EXPECT_EQ(*out.rows.get_text(r, "missing_data_fields"), "player_shot_zone, team_defense_zone");
    EXPECT_EQ(*out.rows.get_text(r, "shot_zone_context_json"), R"({"missing_data": true})");
    EXPECT_FALSE(*out.rows.get_bool(r, "is_production_ready"));
    EXPECT_FALSE(*out.rows.get_bool(r, "upstream_player_shot_ready"));
    EXPECT_EQ(*out.rows.get_text(r, "data_quality_issues"),
              R"(["upstream_player_shot_zone_incomplete","upstream_team_defense_zone_incomplete"])");
  }
  // LeBron: total = 0 + 0 + 1.75 + 0.3 = 2.05
  EXPECT_DOUBLE_EQ(*out.rows.get_real(row_of(out.rows, "lebronjames"), "total_composite_adjustment"), 2.05);
}

TEST(PcfCompute, EmptyContextGivesEmptyDate) {
  Fixture f;
  UnitOutput out = f.run(season_schedule(), kD);
  EXPECT_EQ(out.rows.num_rows(), 0u);
  EXPECT_NE(out.empty_reason.find("upcoming_player_game_context"), std::string::npos);
}

TEST(PcfCompute, PointInTimeOnlySameDayContextMatters) {
  Schedule s = season_schedule();
  Fixture base;
  base.spec_players(kD);
  UnitOutput a = base.run(s, kD);
  // Rows dated after D (and before D) in every input leave D's rows unchanged.
  Fixture noisy;
  noisy.spec_players(kD);
  for (Date other : {kD + 1, kD + 5, kD - 1}) {
    noisy.ctx(other, "lebronjames", "LAL", "GSW", 0, true, 6, 400, 45, 4, 40, -9, 50, 10, 3);
    noisy.zones(other, "lebronjames", "paint", 90, 5, 5);
    noisy.defence(other, "GSW", -9.0, -9.0, -9.0, "three_pt");
  }
  UnitOutput b = noisy.run(s, kD);
  expect_same_rows(a.rows, b.rows);
  // …whereas D's own pre-game context legitimately changes D's rows.
  Fixture changed;
  changed.spec_players(kD);
  changed.upgc.set(0, "pace_differential", -3.5);
  UnitOutput c = changed.run(s, kD);
  EXPECT_DOUBLE_EQ(*c.rows.get_real(row_of(c.rows, "lebronjames"), "pace_score"),
                   -1.8);  // −1.75
}

// Spec §A2/§B3: a source hash is the data_hash of the row with the latest
// processed_at (legacy ORDER BY processed_at DESC LIMIT 1), not the largest
// hash of D; rows sharing one processed_at keep the largest hash.
TEST(PcfCompute, SourceHashesFollowTheLatestProcessedAt) {
  Fixture f;
  f.spec_players(kD);
  f.upgc.set(0, "processed_at", "2025-01-21T11:00:00Z");  // "upgchash00000000", newest
  f.tdza.set(0, "data_hash", "tdzahash00000002");
  f.tdza.set(1, "data_hash", "tdzahash00000009");
  f.tdza.set(1, "processed_at", "2025-01-21T07:00:00Z");
  f.tdza.set(2, "processed_at", "2025-01-21T08:30:00Z");  // "tdzahash00000001", newest
  f.psza.set(1, "data_hash", "pszahash00000005");         // same processed_at as the others: the largest
  f.psza.col("processed_at").set_null(2);                 // NULL sorts last, whatever its hash
  f.psza.set(2, "data_hash", "pszahash00000009");
  Schedule s = season_schedule();
  UnitOutput out = f.run(s, kD);
  for (size_t r = 0; r < out.rows.num_rows(); ++r) {
    EXPECT_EQ(*out.rows.get_text(r, "source_player_context_hash"), "upgchash00000000");
    EXPECT_EQ(*out.rows.get_text(r, "source_team_defense_hash"), "tdzahash00000001");
    EXPECT_EQ(*out.rows.get_text(r, "source_player_shot_hash"), "pszahash00000005");
  }
}

// The legacy stores Python's round(score, 1) and hashes str() of it: a
// negative score rounding to zero is "-0.0" in its hash input. Demo season
// row aarongreene 2023-12-05: shot_zone_mismatch_score = 0.9502 × −0.05 =
// −0.04751 → stored 0.0, hashed as −0.0 (legacy 8df3d76558b81490; hashing
// "0.0" gave 08733aca0324331f).
TEST(PcfCompute, NegativeScoreRoundingToZeroHashesAsNegativeZero) {
  const Date d = Date::parse("2023-12-05");
  Game g;
  g.nba_game_id = "0022300300";
  g.date = d;
  g.season = 2023;
  g.home = "DET";
  g.away = "IND";
  g.status = GameStatus::kFinal;
  Game opener = g;
  opener.nba_game_id = "0022300001";
  opener.date = Date::parse("2023-10-24");
  const Schedule s(std::vector<Game>{opener, g});
  Fixture f;
  f.ctx(d, "aarongreene", "IND", "DET", 1, false, 3, 97, 32.6, 1, 0, 0.0, 0.0, 0.0, 0);
  for (const char* c : {"player_age", "pace_differential", "projected_usage_rate", "avg_usage_rate_last_7_games",
                        "star_teammates_out"}) {
    f.upgc.col(c).set_null(0);
  }
  f.zones(d, "aarongreene", "perimeter", 28.05, 24.43, 47.51);
  f.defence(d, "DET", -1.27, -2.9, -0.05, "perimeter");
  f.team_ctx(d, "DET");
  f.team_ctx(d, "IND");
  UnitOutput out = f.run(s, d);
  ASSERT_EQ(out.rows.num_rows(), 1u);
  const Table& t = out.rows;
  EXPECT_NE(t.get_text(0, "shot_zone_context_json")->find("\"final_score\": -0.04751"), std::string::npos);
  // Stored as 0.0 (not −0.0), as before.
  EXPECT_EQ(*t.get_real(0, "shot_zone_mismatch_score"), 0.0);
  EXPECT_FALSE(std::signbit(*t.get_real(0, "shot_zone_mismatch_score")));
  EXPECT_DOUBLE_EQ(*t.get_real(0, "total_composite_adjustment"), -0.3);
  EXPECT_EQ(*t.get_text(0, "data_hash"), "8df3d76558b81490");
  // py_round itself still gives an unsigned zero; the signed variant keeps it.
  EXPECT_FALSE(std::signbit(proc::py_round(-0.04751, 1)));
  EXPECT_TRUE(std::signbit(proc::py_round_signed(-0.04751, 1)));
  EXPECT_FALSE(std::signbit(proc::py_round_signed(0.04751, 1)));
  EXPECT_DOUBLE_EQ(proc::py_round_signed(-0.05001, 1), -0.1);
}

TEST(PcfCompute, IdempotentRowsAndHashes) {
  Fixture f;
  f.spec_players(kD);
  Schedule s = season_schedule();
  UnitOutput a = f.run(s, kD);
  UnitOutput b = f.run(s, kD);
  expect_same_rows(a.rows, b.rows);
  EXPECT_NE(*a.rows.get_text(0, "data_hash"), *a.rows.get_text(1, "data_hash"));
}

namespace {

/// A SQLite warehouse in @p dir holding @p f's spec players' UPGC, PSZA and
/// TDZA rows of kD, and no UTGC.
std::unique_ptr<Warehouse> spec_warehouse_without_utgc(const nbaprops::testing::TempDir& dir, Fixture& f) {
  auto wh = open_warehouse(dir.path().string());
  f.spec_players(kD);
  wh->replace_partitions(f.upgc.schema(), {kD}, f.upgc);
  wh->replace_partitions(f.psza.schema(), {kD}, f.psza);
  wh->replace_partitions(f.tdza.schema(), {kD}, f.tdza);
  return wh;
}

}  // namespace

TEST(PcfProcessor, RunsOnSqliteWarehouse) {
  nbaprops::testing::TempDir dir;
  Fixture f;
  auto wh = spec_warehouse_without_utgc(dir, f);
  Schedule s = season_schedule();
  register_builtins();
  const Processor& p = registry::get("pcf");
  EXPECT_EQ(p.info().output_table, "nba_precompute.player_composite_factors");
  EXPECT_EQ(p.info().bootstrap, BootstrapPolicy::kSkip);
  UnitOutput out = p.run(UnitContext{*wh, s, kD});
  ASSERT_EQ(out.rows.num_rows(), 3u);
  EXPECT_EQ(out.entities_processed, 3);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(row_of(out.rows, "stephencurry"), "total_composite_adjustment"), -0.93);
  // No UTGC table in this warehouse: the opponent team context is not ready.
  EXPECT_FALSE(*out.rows.get_bool(0, "upstream_team_context_ready"));
  // The same computation as the pure function on the in-memory tables (except
  // UTGC readiness).
  Fixture g;
  g.spec_players(kD);
  g.utgc = Table(catalog::get("nba_analytics.upcoming_team_game_context"));
  UnitOutput direct = g.run(s, kD);
  expect_same_rows(direct.rows, out.rows);
  // Output round-trips through the warehouse.
  wh->replace_partitions(out.rows.schema(), {kD}, out.rows);
  EXPECT_EQ(wh->partition_counts(out.rows.schema(), DateRange{kD, kD}).at(kD), 3);
}

// Spec §A3/§A5 Config: PCF's four dependencies are all critical, UTGC
// included (it was optional, so a run whose UTGC dates were missing went
// ahead with every opponent context "not ready"): the pre-flight refuses it.
TEST(PcfProcessor, PreflightRefusesMissingUpcomingTeamContext) {
  nbaprops::testing::TempDir dir;
  Fixture f;
  auto wh = spec_warehouse_without_utgc(dir, f);
  Schedule s = season_schedule();
  register_builtins();
  const Processor& p = registry::get("pcf");
  for (const UpstreamRead& r : p.info().reads) EXPECT_TRUE(r.required) << r.table;
  pipeline::PlanOptions o;
  o.dates = {kD};
  o.processors = {"pcf"};
  const pipeline::PreflightReport r = pipeline::preflight(*wh, s, pipeline::make_plan(s, o, {&p}), {&p});
  EXPECT_FALSE(r.ok());
  const pipeline::PreflightCell* utgc = nullptr;
  for (const auto& c : r.cells) {
    if (c.table == "nba_analytics.upcoming_team_game_context" && c.date == kD) utgc = &c;
  }
  ASSERT_NE(utgc, nullptr);
  EXPECT_EQ(utgc->status, "missing");
  EXPECT_TRUE(utgc->required);
  EXPECT_NE(r.to_text().find("❌ nba_analytics.upcoming_team_game_context"), std::string::npos) << r.to_text();
}

// PCF's rows are hashed through RowHasher's mixin style: equal to the legacy
// mixin (phase4_detail::mixin_hash) on every kind of value, arrays included.
TEST(PcfCompute, RowHasherEqualsTheMixinHash) {
  Table t(catalog::get("nba_precompute.player_composite_factors"));
  const std::vector<double> reals = {0.5, -0.0,        1e16, 2.5e-9, std::numeric_limits<double>::infinity(),
                                     7.0, std::nan("")};
  const std::vector<std::string> arrays = {"[\"upstream_player_shot_zone_incomplete\", \"x\"]", "[]", "[1.5, null, 2]",
                                           " not an array "};
  const std::vector<std::string> fields = {
      "player_lookup",   "game_date",           "shot_zone_mismatch_score",
      "fatigue_score",   "has_warnings",        "data_quality_issues",
      "warning_details", "missing_data_fields", "source_player_context_last_updated"};
  for (size_t i = 0; i < reals.size(); ++i) {
    const size_t r = t.add_row();
    t.set(r, "player_lookup", "\t p" + std::to_string(i) + " \n");
    t.set(r, "game_date", Date::parse("2024-02-01") + static_cast<int>(i));
    t.set(r, "shot_zone_mismatch_score", reals[i]);
    if (i % 2) t.set(r, "fatigue_score", int64_t{95} - static_cast<int64_t>(i));
    if (i % 3) t.set(r, "has_warnings", i % 3 == 1);
    t.set(r, "data_quality_issues", arrays[i % arrays.size()]);
    t.set(r, "warning_details", i % 2 ? "\f keep inner\vspace \f" : " a; b ");
    t.set(r, "source_player_context_last_updated", "2024-02-01T10:00:00Z ");
  }
  const RowHasher hasher(t, fields, RowHasher::Style::kMixin);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    EXPECT_EQ(hasher.hash(t, r), phase4_detail::mixin_hash(t, r, fields)) << "row " << r;
  }
}

// The first row of each key among the rows of a date, in row order, and the
// same looked up by key: the contract of the hash-set version these replaced.
TEST(Phase4Util, FirstRowsOfADatePerKeyInRowOrder) {
  const TableSchema& s = catalog::get("nba_precompute.player_shot_zone_analysis");
  Table t(s, {"player_lookup", "analysis_date"});
  const Date d = Date::parse("2024-01-15");
  const std::vector<std::pair<const char*, int>> rows = {{"c", 0}, {"a", 0}, {"c", 0},  {"b", 1}, {"a", 0},
                                                         {"b", 0}, {"", 0},  {"d", -1}, {"b", 0}, {"a", 1}};
  for (const auto& [who, offset] : rows) {
    const size_t r = t.add_row();
    if (*who != '\0') t.set(r, "player_lookup", std::string(who));
    t.set(r, "analysis_date", d + offset);
  }
  std::vector<size_t> dated;
  std::vector<std::pair<std::string, size_t>> seen;
  phase4_detail::for_first_rows_by(t, "player_lookup", "analysis_date", d, &dated,
                                   [&](const std::string* k, size_t r) { seen.emplace_back(*k, r); });
  EXPECT_EQ(dated, (std::vector<size_t>{0, 1, 2, 4, 5, 6, 8}));
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, size_t>>{{"c", 0}, {"a", 1}, {"b", 5}}));
  const auto sorted = phase4_detail::first_rows_by(t, "player_lookup", "analysis_date", d);
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(*sorted[0].first, "a");
  EXPECT_EQ(sorted[1].second, 5u);
  const phase4_detail::RowByKey by_key = phase4_detail::first_row_map_by(t, "player_lookup", "analysis_date", d);
  EXPECT_EQ(by_key.size(), 3u);
  for (const auto& [who, row] : seen) {
    const auto it = by_key.find(intern(who));
    ASSERT_NE(it, by_key.end()) << who;
    EXPECT_EQ(it->second, row) << who;
  }
  EXPECT_EQ(by_key.find(intern("d")), by_key.end());
  EXPECT_EQ(by_key.find(intern("zz-not-a-player")), by_key.end());
}
