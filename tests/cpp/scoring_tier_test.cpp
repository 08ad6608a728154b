#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "nbaprops/processors/grading/scoring_tier.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "table_assert.hpp"
#include "test_util.hpp"

using nbaprops::testing::row_with;

using namespace nbaprops;
using namespace nbaprops::grading;

namespace {

const Date kAsOf = Date::parse("2024-01-31");
const Date kFirst = Date::parse("2024-01-02");  // A − 29

/// A stored features array (25 values) whose element 2 (points_avg_season) is
/// @p season_avg.
std::string features_json(std::optional<double> season_avg) {
  std::string s = "[8.0,9.0,";
  s += season_avg ? std::to_string(*season_avg) : "null";
  for (int i = 3; i < 25; ++i) s += ",1.5";
  return s + "]";
}

struct Graded {
  std::string player;
  Date date;
  std::optional<double> signed_error;
  std::optional<bool> correct;
  std::string system = "ensemble_v1";
};

void add_graded(Table& t, const Graded& g) {
  const size_t r = t.add_row();
  t.set(r, "player_lookup", g.player);
  t.set(r, "game_id", "G" + g.date.iso());
  t.set(r, "game_date", g.date);
  t.set(r, "system_id", g.system);
  t.col("signed_error").set_real(r, g.signed_error);
  if (g.signed_error) t.set(r, "absolute_error", std::fabs(*g.signed_error));
  if (g.correct) t.set(r, "prediction_correct", *g.correct);
}

void add_features(Table& t, const std::string& player, Date d, std::optional<std::string> features) {
  const size_t r = t.add_row();
  t.set(r, "player_lookup", player);
  t.set(r, "game_date", d);
  t.set(r, "game_id", "G" + d.iso());
  t.set(r, "feature_count", 25);
  t.set(r, "feature_version", "v1_baseline_25");
  t.set(r, "data_source", "phase4_partial");
  t.set(r, "created_at", "2024-01-31T12:00:00Z");
  if (features) t.set(r, "features", *features);
}

struct Inputs {
  Table accuracy{catalog::get("nba_predictions.prediction_accuracy")};
  Table mlfs{catalog::get("nba_predictions.ml_feature_store_v2")};
  /// One graded row and its feature-store row (season average @p avg).
  void add(const std::string& player, Date d, std::optional<double> avg, std::optional<double> err,
           std::optional<bool> correct = std::nullopt) {
    add_graded(accuracy, {player, d, err, correct});
    add_features(mlfs, player, d, features_json(avg));
  }
  UnitOutput run(Date as_of = kAsOf) const { return compute_scoring_tier_adjustments(as_of, {accuracy, mlfs}); }
};

/// The 20 STARTER rows of the golden set: 10 errors −3 and 10 errors +1, the
/// first on A − 29 and the last on A; 8 hits, 4 misses and 8 ungraded calls
/// (PASS / push).
void add_starters(Inputs& in, Date first = kFirst, Date last = kAsOf) {
  for (int i = 0; i < 20; ++i) {
    const Date d = i == 0 ? first : i == 19 ? last : kFirst + (1 + i);
    const double avg = i == 0 ? 20.0 : 29.9;  // 20.0 is the tier's lower bound
    std::optional<bool> correct;
    if (i < 8)
      correct = true;
    else if (i < 12)
      correct = false;
    in.add("starter" + std::to_string(i), d, avg, i % 2 == 0 ? -3.0 : 1.0, correct);
  }
}

size_t row_of(const Table& t, const std::string& tier) { return row_with(t, "scoring_tier", tier); }

}  // namespace

TEST(Tier, ClassificationBySeasonAverage) {
  EXPECT_EQ(scoring_tier(35.2), "STAR_30PLUS");
  EXPECT_EQ(scoring_tier(30.0), "STAR_30PLUS");
  EXPECT_EQ(scoring_tier(29.99), "STARTER_20_29");
  EXPECT_EQ(scoring_tier(20.0), "STARTER_20_29");
  EXPECT_EQ(scoring_tier(19.99), "ROTATION_10_19");
  EXPECT_EQ(scoring_tier(10.0), "ROTATION_10_19");
  EXPECT_EQ(scoring_tier(9.99), "BENCH_0_9");
  EXPECT_EQ(scoring_tier(0.0), "BENCH_0_9");
  EXPECT_EQ(scoring_tier(-1.0), "BENCH_0_9");
  EXPECT_EQ(scoring_tier(std::nullopt), "BENCH_0_9");
  EXPECT_EQ(scoring_tier(std::nan("")), "BENCH_0_9");
}

TEST(Tier, AdjustmentConfidence) {
  EXPECT_DOUBLE_EQ(adjustment_confidence(20, 4.0), 0.2 * 0.8);
  EXPECT_DOUBLE_EQ(adjustment_confidence(150, 2.0),
                   0.9);  // size factor capped at 1
  EXPECT_DOUBLE_EQ(adjustment_confidence(50, 18.0),
                   0.15);  // spread factor floored at 0.3
  EXPECT_DOUBLE_EQ(adjustment_confidence(100, 0.0), 1.0);
}

TEST(Tier, GoldenRowsByHand) {
  Inputs in;
  add_starters(in);
  // STAR: 25 rows, 24 errors −4 and one +6 → mean −3.6, Σ(e − mean)² = 24·0.16
  // + 9.6² = 96, sample variance 96 / 24 = 4 → sd 2.0; |e| mean (96 + 6) / 25
  // = 4.08; 15 hits, 10 misses.
  for (int i = 0; i < 25; ++i) {
    in.add("star" + std::to_string(i), kFirst + i, i == 0 ? 30.0 : 31.5, i == 24 ? 6.0 : -4.0, i < 15);
  }
  // ROTATION: 19 rows only — below the 20-row minimum, no row.
  for (int i = 0; i < 19; ++i) in.add("rot" + std::to_string(i), kFirst + i, i == 0 ? 10.0 : 15.0, -1.0, true);
  // BENCH: 20 rows with errors 2.5 / 1.5 → mean 2.0, Σ = 20·0.25 = 5, var 5 /
  // 19, sd 0.51299; season averages 5.0, JSON null and a NULL features value
  // all count as BENCH; no graded call.
  for (int i = 0; i < 20; ++i) {
    const std::string p = "bench" + std::to_string(i);
    const Date d = kFirst + i;
    add_graded(in.accuracy, {p, d, i % 2 == 0 ? 2.5 : 1.5, std::nullopt});
    if (i < 10)
      add_features(in.mlfs, p, d, features_json(5.0));
    else if (i < 15)
      add_features(in.mlfs, p, d, features_json(std::nullopt));
    else
      add_features(in.mlfs, p, d, std::nullopt);
  }
  // Left out: other systems, dates outside A − 29 … A, rows without errors, and
  // ensemble rows without a readable feature-store row (reported). Any of them
  // counted would change a figure.
  for (int i = 0; i < 20; ++i) {
    add_graded(in.accuracy, {"starter" + std::to_string(i), kFirst + 1 + i, 40.0, false, "moving_average"});
    add_graded(in.accuracy, {"rot" + std::to_string(i), kFirst + i, 40.0, true, "xgboost_v1"});
  }
  in.add("rot_old", kAsOf - 30, 15.0, -1.0, true);
  in.add("rot_next", kAsOf + 1, 15.0, -1.0, true);
  in.add("star_unpredicted", kAsOf, 33.0, std::nullopt);
  add_graded(in.accuracy, {"no_features", kAsOf - 3, -1.0, true});
  add_graded(in.accuracy, {"bad_features", kAsOf - 4, -1.0, true});
  add_features(in.mlfs, "bad_features", kAsOf - 4, std::string("[1.0, 2.0"));
  add_graded(in.accuracy, {"short_features", kAsOf - 5, -1.0, true});
  add_features(in.mlfs, "short_features", kAsOf - 5, std::string("[1.0, 2.0]"));
  add_features(in.mlfs, "no_features", kAsOf - 2,
               features_json(15.0));  // another date: no join

  UnitOutput out = in.run();
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(out.entities_processed, 3);
  EXPECT_TRUE(out.empty_reason.empty());
  EXPECT_EQ(*t.get_text(0, "scoring_tier"),
            "STAR_30PLUS");  // highest tier first
  EXPECT_EQ(*t.get_text(1, "scoring_tier"), "STARTER_20_29");
  EXPECT_EQ(*t.get_text(2, "scoring_tier"), "BENCH_0_9");

  // Failures in date order (a date's rows in their stored order), as the
  // warehouse returns the window.
  ASSERT_EQ(out.failures.size(), 3u);
  EXPECT_EQ(out.failures[0].entity_id, "short_features 2024-01-26");
  EXPECT_EQ(out.failures[0].category, "PROCESSING_ERROR");
  EXPECT_NE(out.failures[0].reason.find("2 values"), std::string::npos) << out.failures[0].reason;
  EXPECT_EQ(out.failures[1].entity_id, "bad_features 2024-01-27");
  EXPECT_EQ(out.failures[1].category, "PROCESSING_ERROR");
  EXPECT_NE(out.failures[1].reason.find("not valid JSON"), std::string::npos) << out.failures[1].reason;
  EXPECT_EQ(out.failures[2].entity_id, "no_features 2024-01-28");
  EXPECT_EQ(out.failures[2].category, "INCOMPLETE_UPSTREAM");

  size_t r = row_of(t, "STAR_30PLUS");
  EXPECT_EQ(*t.get_text(r, "system_id"), "ensemble_v1");
  EXPECT_EQ(*t.get_date(r, "as_of_date"), kAsOf);
  EXPECT_EQ(*t.get_int(r, "sample_size"), 25);
  EXPECT_EQ(*t.get_int(r, "lookback_days"), 30);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_signed_error"), -3.6);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_absolute_error"), 4.08);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "std_signed_error"), 2.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "recommended_adjustment"), 3.6);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "adjustment_confidence"),
                   0.225);                                    // 0.25 · (1 − 2/20)
  EXPECT_DOUBLE_EQ(*t.get_real(r, "current_win_rate"), 0.6);  // 15 / 25 calls
  EXPECT_FALSE(t.get_real(r, "projected_win_rate"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "tier_min_points"), 30.0);
  EXPECT_FALSE(t.get_real(r, "tier_max_points"));
  EXPECT_EQ(*t.get_text(r, "model_version"), "v1.0");
  EXPECT_FALSE(t.get_text(r, "computed_at"));  // stamped by the runner

  // STARTER: mean −1, Σ(e − mean)² = 20·4 = 80, sd √(80/19) = 2.05196; |e|
  // mean 2.0; confidence 0.2 · (1 − 2.05196/20) = 0.179479; 8 hits of 12 graded
  // calls (the legacy's "every row" average would give 8/20 = 0.4).
  r = row_of(t, "STARTER_20_29");
  EXPECT_EQ(*t.get_int(r, "sample_size"), 20);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_signed_error"), -1.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_absolute_error"), 2.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "std_signed_error"), 2.05);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "recommended_adjustment"), 1.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "adjustment_confidence"), 0.179);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "current_win_rate"), 0.667);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "tier_min_points"), 20.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "tier_max_points"), 30.0);

  // BENCH: sd √(5/19) = 0.51299 → 0.51; confidence 0.2 · (1 − 0.025649) =
  // 0.19487 → 0.195; no OVER/UNDER call graded → NULL win rate.
  r = row_of(t, "BENCH_0_9");
  EXPECT_EQ(*t.get_int(r, "sample_size"), 20);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_signed_error"), 2.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_absolute_error"), 2.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "std_signed_error"), 0.51);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "recommended_adjustment"), -2.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "adjustment_confidence"), 0.195);
  EXPECT_FALSE(t.get_real(r, "current_win_rate"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "tier_min_points"), 0.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "tier_max_points"), 10.0);
}

TEST(Tier, WindowIsAsOfMinus29ThroughAsOf) {
  // 20 STARTER rows with the first on A − 29 and the last on A: exactly the
  // minimum.
  Inputs both;
  add_starters(both);
  ASSERT_EQ(both.run().rows.num_rows(), 1u);
  EXPECT_EQ(*both.run().rows.get_int(0, "sample_size"), 20);

  Inputs older;  // first row moved to A − 30: outside, 19 rows left
  add_starters(older, kAsOf - 30);
  EXPECT_EQ(older.run().rows.num_rows(), 0u);

  Inputs later;  // last row moved to A + 1: outside, 19 rows left
  add_starters(later, kFirst, kAsOf + 1);
  UnitOutput out = later.run();
  EXPECT_EQ(out.rows.num_rows(), 0u);
  EXPECT_EQ(out.empty_reason,
            "no tier has 20 graded ensemble_v1 predictions in 2024-01-02 … "
            "2024-01-31 (largest: STARTER_20_29 19)");
  // The day after, the A + 1 row is in and the A − 29 row (now A − 30) is out.
  EXPECT_EQ(later.run(kAsOf + 1).rows.num_rows(), 0u);
  EXPECT_EQ(later.run(kAsOf - 1).rows.num_rows(), 0u);
}

TEST(Tier, EmptyWhenNothingGraded) {
  Inputs none;
  UnitOutput out = none.run();
  EXPECT_EQ(out.rows.num_rows(), 0u);
  EXPECT_EQ(out.entities_processed, 0);
  EXPECT_EQ(out.empty_reason, "no graded ensemble_v1 predictions in 2024-01-02 … 2024-01-31");

  Inputs others;  // only other systems
  for (int i = 0; i < 30; ++i) add_graded(others.accuracy, {"p" + std::to_string(i), kAsOf, 1.0, true, "xgboost_v1"});
  EXPECT_EQ(others.run().empty_reason, "no graded ensemble_v1 predictions in 2024-01-02 … 2024-01-31");
}

TEST(Tier, ProcessorRunsThroughTheWarehouse) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  Schedule schedule(std::vector<Game>{});
  Inputs in;
  add_starters(in);
  in.add("old", kAsOf - 30, 25.0, 50.0,
         false);  // stored, but outside the window
  const TableSchema& acc = catalog::get("nba_predictions.prediction_accuracy");
  const TableSchema& mlfs = catalog::get("nba_predictions.ml_feature_store_v2");
  std::vector<Date> dates;
  for (Date d = kAsOf - 30; d <= kAsOf; d = d + 1) dates.push_back(d);
  wh.replace_partitions(acc, dates, in.accuracy);
  wh.replace_partitions(mlfs, dates, in.mlfs);

  const Processor& tier = registry::get("tier");
  const ProcessorInfo& info = tier.info();
  EXPECT_EQ(info.name, "scoring_tier_adjustments");
  EXPECT_EQ(info.output_table, "nba_predictions.scoring_tier_adjustments");
  EXPECT_EQ(info.legacy_job, "scoring_tier_backfill");
  EXPECT_EQ(info.entity, "tiers");
  EXPECT_EQ(info.phase, 5);
  EXPECT_EQ(info.bootstrap, BootstrapPolicy::kRun);
  // The declared reads cover A − 29 … A of both tables.
  for (const char* table : {"nba_predictions.prediction_accuracy", "nba_predictions.ml_feature_store_v2"}) {
    bool same_date = false;
    int days_before = 0;
    for (const UpstreamRead& r : info.reads) {
      if (r.table != table) continue;
      same_date |= r.includes_same_date();
      days_before = std::max(days_before, r.lookback_days());
    }
    EXPECT_TRUE(same_date) << table;
    EXPECT_EQ(days_before, 29) << table;
  }
  std::set<std::string> upstream;
  for (const Processor* p : registry::upstream_of(tier)) upstream.insert(p->info().code);
  EXPECT_EQ(upstream, (std::set<std::string>{"grade", "mlfs"}));

  UnitOutput out = tier.run(UnitContext{wh, schedule, kAsOf});
  ASSERT_EQ(out.rows.num_rows(), 1u);
  EXPECT_EQ(*out.rows.get_int(0, "sample_size"), 20);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(0, "avg_signed_error"), -1.0);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(0, "current_win_rate"), 0.667);
  // The row is storable once the runner has stamped computed_at.
  out.rows.col("computed_at").set_text(0, "2024-02-01T08:00:00Z");
  wh.replace_partition(catalog::get(info.output_table), kAsOf, out.rows);
  Table back = wh.read(catalog::get(info.output_table), DateRange{kAsOf, kAsOf});
  ASSERT_EQ(back.num_rows(), 1u);
  EXPECT_DOUBLE_EQ(*back.get_real(0, "std_signed_error"), 2.05);
  EXPECT_EQ(*back.get_text(0, "scoring_tier"), "STARTER_20_29");

  // The day after, the A − 29 row is outside: 19 rows, empty with a reason.
  UnitOutput after = tier.run(UnitContext{wh, schedule, kAsOf + 1});
  EXPECT_EQ(after.rows.num_rows(), 0u);
  EXPECT_NE(after.empty_reason.find("STARTER_20_29 19"), std::string::npos) << after.empty_reason;
}

TEST(Tier, FeaturesTextsAreReadWholeAndStrictly) {
  // Each text is one graded call's feature-store row: element 2 is read, and the
  // whole text must still be one valid JSON array (nothing after element 2 is
  // skipped unchecked).
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[1.0, 2.0, 25.0, 4.0", "features: not valid JSON: the text ends after byte 20, inside a value"},
      {"[1.0, 2.0, 25.0] x", "features: not valid JSON at byte 18 ('x')"},
      {"", "features: not valid JSON: empty text"},
      {"{\"a\": [1, 2, 3]}", "features is not a JSON array"},
      {"7", "features is not a JSON array"},
      {"[]", "features has 0 values, no points_avg_season"},
      {"[[1, 2, 3], {\"k\": [4]}]", "features has 2 values, no points_avg_season"},
      {"[1.0, 2.0, \"25\"]", "points_avg_season is not a number"},
      {"[1.0, 2.0, [25.0]]", "points_avg_season is not a number"},
      {"[1.0, 2.0, true, 4.0]", "points_avg_season is not a number"},
      {"[1.0, 2.0, 1e999]", "features: not valid JSON: a number is too large for a double"},
  };
  Inputs in;
  for (size_t i = 0; i < bad.size(); ++i) {
    const std::string p = "bad" + std::to_string(i);
    add_graded(in.accuracy, {p, kFirst + static_cast<int>(i), -1.0, true});
    add_features(in.mlfs, p, kFirst + static_cast<int>(i), bad[i].first);
  }
  // Read: an integer, an element after nested values, JSON null and −0.0
  // (BENCH); each 20 times so that each tier has a row.
  const std::vector<std::pair<std::string, std::string>> good = {
      {"[0, {\"a\": [1, [2]]}, 25, [], {}]", "STARTER_20_29"},
      {"[[1.0], [2.0], 31.5, 4.0]", "STAR_30PLUS"},
      {"[1.0, 2.0, null, 4.0]", "BENCH_0_9"},
      {"[1.0, 2.0, -0.0, 4.0]", "BENCH_0_9"},
  };
  for (size_t g = 0; g < good.size(); ++g) {
    for (int i = 0; i < 20; ++i) {
      const std::string p = "good" + std::to_string(g) + "_" + std::to_string(i);
      add_graded(in.accuracy, {p, kFirst + 12 + i % 10, 1.0, true});
      add_features(in.mlfs, p, kFirst + 12 + i % 10, good[g].first);
    }
  }
  const UnitOutput out = in.run();
  ASSERT_EQ(out.failures.size(), bad.size());
  for (size_t i = 0; i < bad.size(); ++i) {
    const Date d = kFirst + static_cast<int>(i);
    EXPECT_EQ(out.failures[i].entity_id, "bad" + std::to_string(i) + " " + d.iso());
    EXPECT_EQ(out.failures[i].category, "PROCESSING_ERROR");
    EXPECT_EQ(out.failures[i].reason, "nba_predictions.ml_feature_store_v2 " + d.iso() + " player bad" +
                                          std::to_string(i) + ": " + bad[i].second)
        << bad[i].first;
  }
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(*t.get_int(row_of(t, "STAR_30PLUS"), "sample_size"), 20);
  EXPECT_EQ(*t.get_int(row_of(t, "STARTER_20_29"), "sample_size"), 20);
  EXPECT_EQ(*t.get_int(row_of(t, "BENCH_0_9"), "sample_size"), 40);
}

namespace {

/// A scoring_tier_adjustments row.
void add_tier_row(Table& t, const std::string& system, const std::string& tier, Date as_of,
                  std::optional<double> adjustment) {
  const size_t r = t.add_row();
  t.set(r, "system_id", system);
  t.set(r, "scoring_tier", tier);
  t.set(r, "as_of_date", as_of);
  t.col("recommended_adjustment").set_real(r, adjustment);
}

}  // namespace

// Legacy ScoringTierAdjuster factors (spec §5): BENCH and ROTATION 0.5,
// STARTER 0.75, STAR 1.0.
TEST(TierApply, FactorsPerTier) {
  EXPECT_DOUBLE_EQ(tier_adjustment_factor("STAR_30PLUS"), 1.0);
  EXPECT_DOUBLE_EQ(tier_adjustment_factor("STARTER_20_29"), 0.75);
  EXPECT_DOUBLE_EQ(tier_adjustment_factor("ROTATION_10_19"), 0.5);
  EXPECT_DOUBLE_EQ(tier_adjustment_factor("BENCH_0_9"), 0.5);
}

// The adjustments of a prediction date D are the newest ensemble_v1 rows
// dated before D; D's own row (computed from D's grading) and later ones are
// never used (DECISION 1; the legacy took as_of_date <= D).
TEST(TierApply, NewestEnsembleRowBeforeTheDate) {
  const Date d = Date::parse("2024-02-10");
  Table t(catalog::get("nba_predictions.scoring_tier_adjustments"));
  add_tier_row(t, "ensemble_v1", "STARTER_20_29", d - 9, 1.0);
  add_tier_row(t, "ensemble_v1", "STARTER_20_29", d - 2, 2.2);   // newest before D
  add_tier_row(t, "ensemble_v1", "STARTER_20_29", d, 9.0);       // D itself: graded D
  add_tier_row(t, "ensemble_v1", "STARTER_20_29", d + 3, 9.0);   // later
  add_tier_row(t, "ensemble_v1", "STARTER_20_29", d - 5, 1.5);   // older, stored after
  add_tier_row(t, "moving_average", "STAR_30PLUS", d - 1, 5.0);  // another system
  add_tier_row(t, "ensemble_v1", "BENCH_0_9", d - 40, 1.2);      // old but the newest
  add_tier_row(t, "ensemble_v1", "ROTATION_10_19", d - 1, -0.64);
  const TierAdjustments a = tier_adjustments_before(d, t);
  EXPECT_FALSE(a.raw[0]);  // STAR: only another system's row
  EXPECT_DOUBLE_EQ(*a.raw[1], 2.2);
  EXPECT_EQ(*a.as_of[1], d - 2);
  EXPECT_DOUBLE_EQ(*a.raw[2], -0.64);
  EXPECT_DOUBLE_EQ(*a.raw[3], 1.2);
  EXPECT_EQ(*a.as_of[3], d - 40);
  // A day later, D's own row is the newest.
  EXPECT_DOUBLE_EQ(*tier_adjustments_before(d + 1, t).raw[1], 9.0);
  EXPECT_FALSE(tier_adjustments_before(d - 9, t).raw[1]);
}

// Worked cases of the legacy backfill's rule (spec §5): tier by season average
// (predicted points when it is missing or 0), raw × factor, NULLs when 0.
TEST(TierApply, AppliedToAnEnsemblePrediction) {
  TierAdjustments a;
  a.raw = {3.0, 2.2, -0.64, std::nullopt};           // STAR, STARTER, ROTATION, BENCH
  auto applied = apply_scoring_tier(a, 24.6, 21.3);  // STARTER: 2.2 × 0.75
  EXPECT_EQ(applied.scoring_tier, "STARTER_20_29");
  EXPECT_NEAR(*applied.tier_adjustment, 1.65, 1e-12);
  EXPECT_NEAR(*applied.adjusted_points, 22.95, 1e-12);
  applied = apply_scoring_tier(a, 31.0, 27.0);  // STAR: 3.0 × 1.0
  EXPECT_EQ(applied.scoring_tier, "STAR_30PLUS");
  EXPECT_DOUBLE_EQ(*applied.tier_adjustment, 3.0);
  EXPECT_DOUBLE_EQ(*applied.adjusted_points, 30.0);
  applied = apply_scoring_tier(a, 12.0, 14.0);  // ROTATION: −0.64 × 0.5
  EXPECT_EQ(applied.scoring_tier, "ROTATION_10_19");
  EXPECT_DOUBLE_EQ(*applied.tier_adjustment, -0.32);
  EXPECT_NEAR(*applied.adjusted_points, 13.68, 1e-12);
  applied = apply_scoring_tier(a, 4.0, 6.0);  // BENCH without a row: tier only
  EXPECT_EQ(applied.scoring_tier, "BENCH_0_9");
  EXPECT_FALSE(applied.tier_adjustment);
  EXPECT_FALSE(applied.adjusted_points);
  // Season average missing or 0: the predicted points decide (legacy
  // "season_avg if season_avg else predicted").
  EXPECT_EQ(apply_scoring_tier(a, std::nullopt, 22.0).scoring_tier, "STARTER_20_29");
  EXPECT_EQ(apply_scoring_tier(a, 0.0, 31.0).scoring_tier, "STAR_30PLUS");
  EXPECT_EQ(apply_scoring_tier(a, std::nan(""), 11.0).scoring_tier, "ROTATION_10_19");
  EXPECT_EQ(apply_scoring_tier(a, -3.0, 25.0).scoring_tier, "BENCH_0_9");  // basis <= 0
  // A zero adjustment leaves both values NULL.
  a.raw[1] = 0.0;
  EXPECT_FALSE(apply_scoring_tier(a, 24.6, 21.3).tier_adjustment);
}
