// Phase 6 exports: golden cases from hand-built rows (the processors that fill
// these tables are tested on their own; here every source row is written by the
// test).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "nbaprops/core/error.hpp"
#include "nbaprops/processors/exports/exports.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::exports;
using nbaprops::testing::TempDir;

namespace {

const Date kDay = Date::from_ymd(2024, 1, 15);
const char* kStamp = "2024-01-16T08:00:00.000000Z";

BuildOptions fixed() {
  BuildOptions o;
  o.generated_at = kStamp;
  return o;
}

/// Fills every required column still null with a neutral value so the rows
/// load.
void fill_required(Table& t) {
  for (size_t c = 0; c < t.num_columns(); ++c) {
    const ColumnDef& def = t.def(c);
    if (!def.required) continue;
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (!t.col(c).is_null(r)) continue;
      switch (t.col(c).storage()) {
        case Storage::kInt:
          t.col(c).set_int(r, int64_t{0});
          break;
        case Storage::kReal:
          t.col(c).set_real(r, 0.0);
          break;
        case Storage::kText:
          t.col(c).set_text(r, "x");
          break;
      }
    }
  }
}

void store(Warehouse& wh, Table& t) {
  fill_required(t);
  std::vector<Date> dates;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    Date d = *t.get_date(r, t.schema().partition_column);
    if (std::find(dates.begin(), dates.end(), d) == dates.end()) dates.push_back(d);
  }
  wh.ensure_table(t.schema());
  wh.replace_partitions(t.schema(), dates, t);
}

/// One prediction_accuracy row.
struct Pa {
  std::string player, game = "20240115_BOS_LAL", system = "ensemble_v1", rec = "OVER";
  std::optional<double> predicted = 25.0, line = 22.5, conf = 0.75;
  std::optional<int64_t> actual = 27;
  std::optional<bool> correct;  // derived when unset
  Date day = kDay;
  std::string team = "LAL", opponent = "BOS";
  double minutes = 34.5;
};

void add_accuracy(Table& t, const Pa& p) {
  size_t r = t.add_row();
  t.set(r, "player_lookup", p.player);
  t.set(r, "game_id", p.game);
  t.set(r, "game_date", p.day);
  t.set(r, "system_id", p.system);
  t.set(r, "team_abbr", p.team);
  t.set(r, "opponent_team_abbr", p.opponent);
  t.col("predicted_points").set_real(r, p.predicted);
  t.col("confidence_score").set_real(r, p.conf);
  t.set(r, "recommendation", p.rec);
  t.col("line_value").set_real(r, p.line);
  t.col("actual_points").set_int(r, p.actual);
  t.set(r, "minutes_played", p.minutes);
  if (p.predicted && p.actual) {
    const double err = *p.predicted - static_cast<double>(*p.actual);
    t.set(r, "absolute_error", std::fabs(err));
    t.set(r, "signed_error", err);
    t.set(r, "within_3_points", std::fabs(err) <= 3.0);
    t.set(r, "within_5_points", std::fabs(err) <= 5.0);
  }
  std::optional<bool> correct = p.correct;
  if (!correct && (p.rec == "OVER" || p.rec == "UNDER") && p.line && p.actual &&
      static_cast<double>(*p.actual) != *p.line) {
    correct = (static_cast<double>(*p.actual) > *p.line) == (p.rec == "OVER");
  }
  if (correct) t.set(r, "prediction_correct", *correct);
}

void add_mlfs(Table& t, const std::string& player, const std::string& game, bool home, int64_t rest, double season_avg,
              double b2b, Date day = kDay) {
  size_t r = t.add_row();
  t.set(r, "player_lookup", player);
  t.set(r, "game_id", game);
  t.set(r, "game_date", day);
  std::vector<double> f(25, 1.0);
  f[2] = season_avg;
  f[16] = b2b;
  t.set(r, "features", nlohmann::json(f).dump());
  t.set(r, "is_home", home);
  t.set(r, "days_rest", rest);
}

const Json& find_result(const Json& results, const std::string& player) {
  for (const auto& r : results) {
    if (r["player_lookup"] == player) return r;
  }
  throw std::runtime_error("no result for " + player);
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(ExportTypes, ParseSupportedRejectLegacyAndPaths) {
  EXPECT_EQ(parse_types({}), all_types());
  EXPECT_EQ(parse_types({"best-bets", "results", "best-bets"}),
            (std::vector<ExportType>{ExportType::kResults, ExportType::kBestBets}));
  try {
    (void)parse_type("tonight-players");
    FAIL() << "tonight-players accepted";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("does not implement"), std::string::npos) << m;
    EXPECT_NE(m.find("supported types: results, performance, best-bets, predictions"), std::string::npos) << m;
  }
  EXPECT_THROW((void)parse_type("trends-all"), ConfigError);
  EXPECT_THROW((void)parse_types({"trends-daily"}),
               ConfigError);  // bounce-back is not implemented yet
  EXPECT_EQ(parse_type("live-grading"), ExportType::kLiveGrading);
  EXPECT_EQ(parse_types({"live", "streaks", "trends-hot-cold"}),
            (std::vector<ExportType>{ExportType::kStreaks, ExportType::kTrendsHotCold, ExportType::kLive}));
  EXPECT_EQ(object_path(ExportType::kStreaks, kDay), "v1/streaks/today.json");
  EXPECT_EQ(object_path(ExportType::kTrendsHotCold, kDay), "v1/trends/whos-hot-v2.json");
  EXPECT_EQ(object_path(ExportType::kLive, kDay), "v1/live/2024-01-15.json");
  EXPECT_EQ(alias_paths(ExportType::kLiveGrading), std::vector<std::string>{"v1/live-grading/latest.json"});
  EXPECT_TRUE(is_undated(ExportType::kStreaks) && !is_undated(ExportType::kLive));
  EXPECT_THROW((void)parse_type("bogus"), ConfigError);
  EXPECT_EQ(object_path(ExportType::kResults, kDay), "v1/results/2024-01-15.json");
  EXPECT_EQ(object_path(ExportType::kBestBets, kDay), "v1/best-bets/2024-01-15.json");
  EXPECT_EQ(object_path(ExportType::kPredictions, kDay), "v1/predictions/2024-01-15.json");
  EXPECT_EQ(object_path(ExportType::kPerformance, kDay), "v1/systems/performance.json");
  EXPECT_EQ(alias_paths(ExportType::kPredictions), std::vector<std::string>{"v1/predictions/today.json"});
  EXPECT_TRUE(alias_paths(ExportType::kPerformance).empty());
  EXPECT_EQ(calendar_days(kDay, kDay + 2).size(), 3u);
  EXPECT_THROW((void)calendar_days(kDay, kDay - 1), ConfigError);
}

TEST(ExportResults, SummaryBreakdownsResultsAndLegacyFixes) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  // a: OVER win, elite, home, rested, high conf (error 2)
  add_accuracy(pa, {.player = "a", .predicted = 25.0, .line = 22.5, .conf = 0.80, .actual = 27});
  // b: UNDER loss, starter, away, back-to-back, medium conf (error 4)
  add_accuracy(pa, {.player = "b", .rec = "UNDER", .predicted = 18.0, .line = 20.5, .conf = 0.60, .actual = 22});
  // c: OVER push (actual == line 20), role player, low conf, exact prediction
  // 20 → error 0
  add_accuracy(pa, {.player = "c", .predicted = 20.0, .line = 20.0, .conf = 0.50, .actual = 20});
  // d: NO_LINE row; legacy showed "PUSH". Predicted 0, actual 0: legacy emitted
  // nulls.
  add_accuracy(pa,
               {.player = "d", .rec = "NO_LINE", .predicted = 0.0, .line = std::nullopt, .conf = 0.40, .actual = 0});
  // e: PASS (error 8), in an earlier game id so it sorts first
  add_accuracy(pa, {.player = "e",
                    .game = "20240115_ATL_MIA",
                    .rec = "PASS",
                    .predicted = 10.0,
                    .line = 12.5,
                    .conf = 0.30,
                    .actual = 18});
  // Another system and another date never show up.
  add_accuracy(pa, {.player = "a", .system = "xgboost_v1", .predicted = 40.0});
  add_accuracy(pa, {.player = "z", .day = kDay - 1});
  store(*wh, pa);
  Table mlfs(catalog::get("nba_predictions.ml_feature_store_v2"));
  add_mlfs(mlfs, "a", "20240115_BOS_LAL", true, 2, 27.5, 0.0);
  add_mlfs(mlfs, "b", "20240115_BOS_LAL", false, 0, 16.0, 1.0);
  add_mlfs(mlfs, "c", "20240115_BOS_LAL", true, 1, 8.0, 0.0);
  // d has no MLFS row: is_home false, days_rest 1, role player (legacy NULL
  // defaults).
  store(*wh, mlfs);

  const Json j = build_results(*wh, kDay, fixed());
  EXPECT_EQ(j["game_date"], "2024-01-15");
  EXPECT_EQ(j["generated_at"], kStamp);
  const Json& s = j["summary"];
  EXPECT_EQ(s["total_predictions"], 5);
  EXPECT_EQ(s["recommendations"], 3);
  EXPECT_EQ(s["correct"], 1);
  EXPECT_EQ(s["incorrect"], 1);  // the push is not a loss (legacy said 2)
  EXPECT_EQ(s["pushes"], 1);
  EXPECT_EQ(s["pass_count"], 1);
  EXPECT_DOUBLE_EQ(s["win_rate"].get<double>(), 0.333);
  EXPECT_DOUBLE_EQ(s["avg_mae"].get<double>(), 2.8);  // (2 + 4 + 0 + 0 + 8) / 5
  EXPECT_DOUBLE_EQ(s["avg_bias"].get<double>(),
                   -2.8);  // (−2 − 4 + 0 + 0 − 8) / 5
  EXPECT_EQ(s["within_3_points"], 3);
  EXPECT_DOUBLE_EQ(s["within_3_pct"].get<double>(), 0.6);
  EXPECT_EQ(s["within_5_points"], 4);
  EXPECT_DOUBLE_EQ(s["within_5_pct"].get<double>(), 0.8);

  const Json& b = j["breakdowns"];
  EXPECT_EQ(b["by_player_tier"]["elite"]["total"], 1);
  EXPECT_EQ(b["by_player_tier"]["elite"]["wins"], 1);
  EXPECT_DOUBLE_EQ(b["by_player_tier"]["elite"]["win_rate"].get<double>(), 1.0);
  EXPECT_EQ(b["by_player_tier"]["starter"]["losses"], 1);
  EXPECT_DOUBLE_EQ(b["by_player_tier"]["starter"]["avg_error"].get<double>(), 4.0);
  EXPECT_EQ(b["by_player_tier"]["role_player"]["pushes"], 1);
  EXPECT_EQ(b["by_player_tier"]["role_player"]["total"],
            1);  // d is NO_LINE: not a bet
  EXPECT_EQ(b["by_confidence"]["high"]["total"], 1);
  EXPECT_EQ(b["by_confidence"]["medium"]["total"], 1);
  EXPECT_EQ(b["by_confidence"]["low"]["total"], 1);
  EXPECT_EQ(b["by_recommendation"]["over"]["total"], 2);
  EXPECT_DOUBLE_EQ(b["by_recommendation"]["over"]["win_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(b["by_recommendation"]["over"]["avg_error"].get<double>(), 1.0);
  EXPECT_EQ(b["by_recommendation"]["under"]["losses"], 1);
  EXPECT_EQ(b["by_context"]["home"]["total"], 2);
  EXPECT_EQ(b["by_context"]["away"]["total"], 1);
  EXPECT_EQ(b["by_context"]["back_to_back"]["total"], 1);
  EXPECT_EQ(b["by_context"]["rested"]["total"], 1);

  const Json& rows = j["results"];
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0]["player_lookup"], "e");  // ordered by game_id, then player
  EXPECT_EQ(rows[1]["player_lookup"], "a");
  EXPECT_EQ(find_result(rows, "a")["result"], "WIN");
  EXPECT_EQ(find_result(rows, "a")["player_tier"], "elite");
  EXPECT_EQ(find_result(rows, "a")["confidence_tier"], "high");
  EXPECT_EQ(find_result(rows, "a")["is_home"], true);
  EXPECT_EQ(find_result(rows, "a")["days_rest"], 2);
  EXPECT_EQ(find_result(rows, "b")["result"], "LOSS");
  EXPECT_EQ(find_result(rows, "b")["is_back_to_back"], true);
  EXPECT_EQ(find_result(rows, "c")["result"], "PUSH");
  EXPECT_TRUE(find_result(rows, "c")["error"].is_number());  // legacy: null for an exact 0
  EXPECT_DOUBLE_EQ(find_result(rows, "c")["error"].get<double>(), 0.0);
  const Json& d = find_result(rows, "d");
  EXPECT_EQ(d["result"], "NO_LINE");  // legacy: "PUSH"
  EXPECT_TRUE(d["line"].is_null());
  EXPECT_TRUE(d["predicted"].is_number());
  EXPECT_EQ(d["actual"], 0);
  EXPECT_EQ(d["is_home"], false);
  EXPECT_EQ(d["days_rest"], 1);
  EXPECT_EQ(d["player_tier"], "role_player");
  EXPECT_EQ(find_result(rows, "e")["result"], "PASS");

  const Json& h = j["highlights"];
  EXPECT_EQ(h["best_prediction"]["player"],
            "c");  // first zero error in order (c before d)
  EXPECT_EQ(h["worst_prediction"]["player"], "e");
  EXPECT_DOUBLE_EQ(h["worst_prediction"]["error"].get<double>(), 8.0);
  EXPECT_DOUBLE_EQ(h["worst_prediction"]["minutes"].get<double>(), 34.5);
  // Legacy key order of the payload.
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys,
            (std::vector<std::string>{"game_date", "generated_at", "summary", "breakdowns", "results", "highlights"}));
}

TEST(ExportResults, EmptyDateGivesZeroedSummaryAndBreakdowns) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  const Json j = build_results(*wh, kDay, fixed());
  for (const char* k : {"total_predictions", "recommendations", "correct", "incorrect", "pushes", "pass_count",
                        "within_3_points", "within_5_points"}) {
    EXPECT_EQ(j["summary"][k], 0) << k;
  }
  for (const char* k : {"win_rate", "avg_mae", "avg_bias", "within_3_pct", "within_5_pct"}) {
    EXPECT_TRUE(j["summary"][k].is_number()) << k;
    EXPECT_DOUBLE_EQ(j["summary"][k].get<double>(), 0.0) << k;
  }
  EXPECT_EQ(j["breakdowns"]["by_context"]["rested"]["total"], 0);
  EXPECT_DOUBLE_EQ(j["breakdowns"]["by_confidence"]["high"]["win_rate"].get<double>(), 0.0);
  EXPECT_TRUE(j["results"].is_array() && j["results"].empty());
  EXPECT_TRUE(j["highlights"].is_object() && j["highlights"].empty());
}

namespace {
void add_daily(Table& t, Date day, const std::string& system, int64_t preds, int64_t recs, int64_t correct, double mae,
               double bias, double over_wr, int64_t hc, int64_t hc_correct) {
  size_t r = t.add_row();
  t.set(r, "game_date", day);
  t.set(r, "system_id", system);
  t.set(r, "predictions_count", preds);
  t.set(r, "recommendations_count", recs);
  t.set(r, "correct_count", correct);
  t.set(r, "incorrect_count", recs - correct);
  t.set(r, "mae", mae);
  t.set(r, "avg_bias", bias);
  t.set(r, "over_win_rate", over_wr);
  t.set(r, "under_win_rate", 0.5);
  t.set(r, "within_3_pct", 0.4);
  t.set(r, "within_5_pct", 0.6);
  t.set(r, "high_confidence_count", hc);
  t.set(r, "high_confidence_correct", hc_correct);
}
}  // namespace

TEST(ExportPerformance, WindowsAreSeasonBoundedRankedAndCompared) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table t(catalog::get("nba_predictions.system_daily_performance"));
  // Previous season (legacy counted it in "season"; fixed: excluded).
  add_daily(t, Date::from_ymd(2023, 5, 20), "ensemble_v1", 1000, 1000, 0, 9.0, 9.0, 0.0, 100, 0);
  // This season, outside 30 days.
  add_daily(t, Date::from_ymd(2023, 11, 1), "ensemble_v1", 100, 50, 20, 5.0, 1.0, 0.4, 10, 5);
  // Within 30 days, not within 7.
  add_daily(t, Date::from_ymd(2024, 1, 1), "ensemble_v1", 100, 40, 24, 4.0, -1.0, 0.6, 10, 8);
  // Within 7 days (D−6 = Jan 9 is the first day of the 7-day window; Jan 8 is
  // not).
  add_daily(t, Date::from_ymd(2024, 1, 8), "ensemble_v1", 100, 10, 6, 6.0, 0.5, 0.5, 0, 0);
  add_daily(t, Date::from_ymd(2024, 1, 9), "ensemble_v1", 100, 20, 15, 3.0, 0.3, 0.8, 5, 5);
  // After D: ignored.
  add_daily(t, Date::from_ymd(2024, 1, 16), "ensemble_v1", 999, 999, 999, 0.0, 0.0, 1.0, 9, 9);
  add_daily(t, Date::from_ymd(2024, 1, 10), "moving_average", 50, 10, 7, 4.4, 0.1, 0.7, 0, 0);
  // Only an early-season day: its 7- and 30-day windows are empty.
  add_daily(t, Date::from_ymd(2023, 11, 5), "similarity_balanced_v1", 10, 0, 0, 8.0, 3.0, 0.0, 0, 0);
  add_daily(t, Date::from_ymd(2024, 1, 10), "zone_matchup_v1", 50, 10, 5, 5.5, -0.05, 0.5, 2, 1);
  store(*wh, t);

  const Json j = build_performance(*wh, kDay, fixed());
  EXPECT_EQ(j["as_of_date"], "2024-01-15");
  const Json& sys = j["systems"];
  ASSERT_EQ(sys.size(), 4u);
  EXPECT_EQ(sys[0]["system_id"], "ensemble_v1");
  EXPECT_EQ(sys[0]["rank"], 1);
  EXPECT_EQ(sys[0]["is_primary"], true);
  EXPECT_EQ(sys[0]["display_name"], "Ensemble");
  EXPECT_EQ(sys[1]["system_id"], "similarity_balanced_v1");
  EXPECT_EQ(sys[1]["rank"], 4);
  EXPECT_EQ(sys[2]["system_id"], "zone_matchup_v1");
  EXPECT_EQ(sys[2]["rank"], 5);
  EXPECT_EQ(sys[3]["system_id"],
            "moving_average");  // the worker's id is unknown to the legacy table
  EXPECT_EQ(sys[3]["rank"], 99);
  EXPECT_EQ(sys[3]["display_name"], "moving_average");

  const Json& w = sys[0]["windows"];
  EXPECT_EQ(w["last_7_days"]["predictions"], 100);
  EXPECT_EQ(w["last_7_days"]["recommendations"], 20);
  EXPECT_DOUBLE_EQ(w["last_7_days"]["win_rate"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(w["last_7_days"]["mae"].get<double>(), 3.0);
  EXPECT_EQ(w["last_30_days"]["recommendations"], 70);  // Jan 1, 8, 9
  EXPECT_EQ(w["last_30_days"]["correct"], 45);
  EXPECT_DOUBLE_EQ(w["last_30_days"]["win_rate"].get<double>(), 0.643);
  EXPECT_DOUBLE_EQ(w["last_30_days"]["mae"].get<double>(),
                   4.33);  // mean of daily MAEs 4, 6, 3
  EXPECT_EQ(w["season"]["predictions"],
            400);  // Nov 1 .. Jan 9; not May 2023, not Jan 16
  EXPECT_EQ(w["season"]["recommendations"], 120);
  EXPECT_EQ(w["season"]["correct"], 65);
  EXPECT_DOUBLE_EQ(w["season"]["win_rate"].get<double>(), 0.542);
  EXPECT_DOUBLE_EQ(w["season"]["mae"].get<double>(), 4.5);
  EXPECT_DOUBLE_EQ(w["season"]["bias"].get<double>(),
                   0.2);  // (1 − 1 + 0.5 + 0.3) / 4
  const Json& br = sys[0]["breakdown"];
  EXPECT_DOUBLE_EQ(br["over_win_rate"].get<double>(), 0.575);
  EXPECT_DOUBLE_EQ(br["within_3_pct"].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(br["high_confidence_win_rate"].get<double>(),
                   0.72);  // 18 / 25
  // A window without games has zero counts, a 0 win rate and no MAE/bias.
  const Json& quiet = sys[1]["windows"]["last_7_days"];
  EXPECT_EQ(quiet["predictions"], 0);
  EXPECT_DOUBLE_EQ(quiet["win_rate"].get<double>(), 0.0);
  EXPECT_TRUE(quiet["mae"].is_null() && quiet["bias"].is_null());
  EXPECT_EQ(sys[1]["windows"]["season"]["predictions"], 10);
  EXPECT_EQ(sys[2]["windows"]["last_7_days"]["predictions"], 50);
  EXPECT_DOUBLE_EQ(sys[3]["breakdown"]["high_confidence_win_rate"].get<double>(), 0.0);

  const Json& c = j["comparison"];
  EXPECT_EQ(c["best_mae"]["system_id"], "moving_average");
  EXPECT_DOUBLE_EQ(c["best_mae"]["value"].get<double>(), 4.4);
  EXPECT_EQ(c["best_win_rate"]["system_id"], "moving_average");
  EXPECT_DOUBLE_EQ(c["best_win_rate"]["value"].get<double>(), 0.7);
  EXPECT_EQ(c["lowest_bias"]["system_id"], "zone_matchup_v1");
  EXPECT_DOUBLE_EQ(c["lowest_bias"]["value"].get<double>(), -0.05);

  // An as-of date in a season without rows: no systems, null comparisons.
  const Json empty = build_performance(*wh, Date::from_ymd(2022, 1, 1), fixed());
  EXPECT_TRUE(empty["systems"].empty());
  EXPECT_TRUE(empty["comparison"]["best_mae"].is_null());
}

TEST(ExportBestBets, RankingCompositeHistoryFatigueAndRationale) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  // History of "star": 6 graded OVER/UNDER picks before D, 5 wins and 1 push →
  // 5/6 (push counts 0).
  for (int i = 1; i <= 5; ++i) {
    add_accuracy(pa, {.player = "star",
                      .game = "g" + std::to_string(i),
                      .predicted = 30.0,
                      .line = 25.5,
                      .actual = 28,
                      .day = kDay - i});
  }
  add_accuracy(pa, {.player = "star", .game = "g6", .predicted = 30.0, .line = 25.0, .actual = 25, .day = kDay - 6});
  // Ignored history: other systems, PASS rows, and rows on or after D for other
  // dates.
  add_accuracy(pa, {.player = "star", .game = "g7", .system = "xgboost_v1", .actual = 10, .day = kDay - 7});
  add_accuracy(pa, {.player = "star", .game = "g8", .rec = "PASS", .actual = 10, .day = kDay - 8});
  // "cold": 2 picks before D, both lost → 0.0 (sample 2 < 5: no track-record
  // rationale).
  add_accuracy(pa, {.player = "cold", .game = "h1", .predicted = 30.0, .line = 25.5, .actual = 20, .day = kDay - 1});
  add_accuracy(pa, {.player = "cold", .game = "h2", .predicted = 30.0, .line = 25.5, .actual = 20, .day = kDay - 2});
  // D's candidates.
  add_accuracy(pa, {.player = "star", .predicted = 31.0, .line = 25.5, .conf = 0.82, .actual = 30});  // edge 5.5
  add_accuracy(
      pa, {.player = "rook", .rec = "UNDER", .predicted = 10.0, .line = 13.0, .conf = 0.72, .actual = 15});  // edge 3
  add_accuracy(pa, {.player = "cold", .predicted = 26.0, .line = 25.5, .conf = 0.9, .actual = 25});          // hist 0
  add_accuracy(pa, {.player = "mid", .predicted = 21.0, .line = 20.0, .conf = 0.60, .actual = 20, .correct = {}});
  add_accuracy(pa, {.player = "pend", .predicted = 21.0, .line = 19.5, .conf = 0.65, .actual = std::nullopt});
  add_accuracy(pa, {.player = "nol", .rec = "NO_LINE", .line = std::nullopt});
  add_accuracy(pa, {.player = "pas", .rec = "PASS", .conf = 0.99});
  store(*wh, pa);

  Table pcf(catalog::get("nba_precompute.player_composite_factors"));
  for (const auto& [p, f] : std::vector<std::pair<std::string, int>>{{"star", 97}, {"rook", 70}, {"mid", 80}}) {
    size_t r = pcf.add_row();
    pcf.set(r, "player_lookup", p);
    pcf.set(r, "game_date", kDay);
    pcf.set(r, "game_id", "20240115_BOS_LAL");
    pcf.set(r, "fatigue_score", int64_t{f});
  }
  store(*wh, pcf);
  Table pgs(catalog::get("nba_analytics.player_game_summary"));
  size_t r = pgs.add_row();
  pgs.set(r, "player_lookup", "star");
  pgs.set(r, "game_date", kDay);
  pgs.set(r, "player_full_name", "Star Player");
  store(*wh, pgs);
  Table gb(catalog::get("nba_raw.nbac_gamebook_player_stats"));
  r = gb.add_row();
  gb.set(r, "player_lookup", "rook");
  gb.set(r, "game_date", kDay);
  gb.set(r, "player_name", "Rook Ie");
  store(*wh, gb);

  const Json j = build_best_bets(*wh, kDay, fixed());
  EXPECT_EQ(j["game_date"], "2024-01-15");
  EXPECT_TRUE(j["methodology"].is_string());
  ASSERT_EQ(j["total_picks"], 5);
  const Json& p = j["picks"];
  // star: 0.82 × 1.5 × 5/6 = 1.025; rook: 0.72 × 1.3 × 0.85 = 0.7956; pend:
  // 0.65 × 1.15 × 0.85 = 0.635; mid: 0.60 × 1.1 × 0.85 = 0.561; cold: 0.9
  // × 1.05 × 0 = 0.
  std::vector<std::string> order;
  for (const auto& x : p) order.push_back(x["player_lookup"]);
  EXPECT_EQ(order, (std::vector<std::string>{"star", "rook", "pend", "mid", "cold"}));
  EXPECT_EQ(p[0]["rank"], 1);
  EXPECT_DOUBLE_EQ(p[0]["composite_score"].get<double>(), 1.025);
  EXPECT_DOUBLE_EQ(p[0]["edge"].get<double>(), 5.5);
  EXPECT_DOUBLE_EQ(p[0]["player_historical_accuracy"].get<double>(), 0.833);
  EXPECT_EQ(p[0]["player_sample_size"], 6);
  EXPECT_EQ(p[0]["player_full_name"], "Star Player");
  EXPECT_EQ(p[0]["fatigue_score"], 97);
  EXPECT_EQ(p[0]["fatigue_level"], "fresh");
  EXPECT_EQ(p[0]["rationale"], (Json{"High confidence", "Strong edge", "Strong track record", "Well-rested"}));
  EXPECT_EQ(p[0]["result"], "WIN");
  EXPECT_EQ(p[0]["actual"], 30);
  EXPECT_DOUBLE_EQ(p[0]["error"].get<double>(), 1.0);

  EXPECT_DOUBLE_EQ(p[1]["composite_score"].get<double>(), 0.796);
  EXPECT_DOUBLE_EQ(p[1]["player_historical_accuracy"].get<double>(), 0.85);
  EXPECT_EQ(p[1]["player_sample_size"], 0);
  EXPECT_EQ(p[1]["player_full_name"], "Rook Ie");  // gamebook fallback
  EXPECT_EQ(p[1]["fatigue_level"], "tired");
  EXPECT_EQ(p[1]["rationale"], (Json{"Good confidence", "Solid edge", "Elevated fatigue"}));
  EXPECT_EQ(p[1]["result"], "LOSS");

  EXPECT_EQ(p[2]["result"], "PENDING");
  EXPECT_TRUE(p[2]["actual"].is_null());
  EXPECT_EQ(p[2]["player_full_name"], "pend");  // no name source: player_lookup
  EXPECT_TRUE(p[2]["fatigue_score"].is_null() && p[2]["fatigue_level"].is_null());
  EXPECT_EQ(p[2]["rationale"], (Json{"Meets minimum criteria"}));
  EXPECT_EQ(p[3]["result"], "PUSH");
  EXPECT_EQ(p[3]["fatigue_level"], "normal");
  EXPECT_DOUBLE_EQ(p[4]["composite_score"].get<double>(), 0.0);
  EXPECT_TRUE(p[4]["composite_score"].is_number());  // exact 0 stays 0
  EXPECT_EQ(p[4]["player_sample_size"], 2);

  BuildOptions two = fixed();
  two.top_n = 2;
  EXPECT_EQ(build_best_bets(*wh, kDay, two)["total_picks"], 2);
}

TEST(ExportPredictions, GroupedByGameSortedByConfidenceWithTeams) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table ppp(catalog::get("nba_predictions.player_prop_predictions"));
  auto add = [&](const std::string& player, const std::string& game, const std::string& system, double pred,
                 double conf, const std::string& rec, std::optional<double> line) {
    size_t r = ppp.add_row();
    ppp.set(r, "prediction_id", player + game + system);
    ppp.set(r, "system_id", system);
    ppp.set(r, "player_lookup", player);
    ppp.set(r, "game_date", kDay);
    ppp.set(r, "game_id", game);
    ppp.set(r, "prediction_version", int64_t{1});
    ppp.set(r, "predicted_points", pred);
    ppp.set(r, "confidence_score", conf);
    ppp.set(r, "recommendation", rec);
    ppp.col("current_points_line").set_real(r, line);
    ppp.set(r, "pace_adjustment", 0.0);
    ppp.set(r, "similar_games_count", int64_t{12});
    ppp.set(r, "is_active", true);
    ppp.set(r, "created_at", "2024-01-15T10:00:00Z");
  };
  add("a", "20240115_BOS_LAL", "ensemble_v1", 25.34, 0.61, "OVER", 22.5);
  add("b", "20240115_BOS_LAL", "ensemble_v1", 18.0, 0.77, "UNDER", 20.5);
  add("c", "20240115_BOS_LAL", "ensemble_v1", 12.0, 0.40, "PASS", 12.5);
  add("d", "20240115_ATL_MIA", "ensemble_v1", 30.0, 0.70, "NO_LINE", std::nullopt);
  add("a", "20240115_BOS_LAL", "xgboost_v1", 99.0, 0.99, "OVER", 22.5);
  store(*wh, ppp);
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  add_accuracy(pa, {.player = "a", .team = "LAL", .opponent = "BOS"});
  add_accuracy(pa, {.player = "b", .team = "BOS", .opponent = "LAL"});
  store(*wh, pa);

  const Json j = build_predictions(*wh, kDay, fixed());
  EXPECT_EQ(j["total_games"], 2);
  EXPECT_EQ(j["total_predictions"], 4);
  const Json& g0 = j["games"][0];
  EXPECT_EQ(g0["game_id"], "20240115_ATL_MIA");
  EXPECT_EQ(g0["home_team"], "MIA");
  EXPECT_EQ(g0["away_team"], "ATL");
  EXPECT_TRUE(g0["predictions"][0]["team"].is_null());  // ungraded: no team, no is_home
  EXPECT_TRUE(g0["predictions"][0]["is_home"].is_null());
  EXPECT_TRUE(g0["predictions"][0]["prediction"]["line"].is_null());
  EXPECT_TRUE(g0["predictions"][0]["prediction"]["edge"].is_null());
  const Json& g1 = j["games"][1];
  EXPECT_EQ(g1["prediction_count"], 3);
  EXPECT_EQ(g1["recommendation_breakdown"], (Json{{"over", 1}, {"under", 1}, {"pass", 1}}));
  std::vector<std::string> order;
  for (const auto& x : g1["predictions"]) order.push_back(x["player_lookup"]);
  EXPECT_EQ(order, (std::vector<std::string>{"b", "a", "c"}));
  const Json& a = g1["predictions"][1];
  EXPECT_EQ(a["team"], "LAL");
  EXPECT_EQ(a["is_home"], true);
  EXPECT_EQ(g1["predictions"][0]["is_home"], false);
  EXPECT_DOUBLE_EQ(a["prediction"]["points"].get<double>(), 25.34);
  EXPECT_DOUBLE_EQ(a["prediction"]["edge"].get<double>(), 2.8);
  EXPECT_DOUBLE_EQ(a["prediction"]["confidence"].get<double>(), 0.61);
  EXPECT_TRUE(a["context"]["pace_adjustment"].is_number());  // 0.0, not null
  EXPECT_EQ(a["context"]["similar_games"], 12);
}

TEST(ExportWriter, RangeWritesDatedFilesAtomicallyAndLatestOnlyForTheLastDate) {
  TempDir dir;
  auto wh = open_warehouse((dir.path() / "wh").string());
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  add_accuracy(pa, {.player = "a", .day = kDay});
  add_accuracy(pa, {.player = "a", .day = kDay + 2});
  add_accuracy(pa, {.player = "b", .day = kDay + 2});
  store(*wh, pa);
  Table sdp(catalog::get("nba_predictions.system_daily_performance"));
  add_daily(sdp, kDay, "ensemble_v1", 1, 1, 1, 2.0, 2.0, 1.0, 1, 1);
  store(*wh, sdp);

  EXPECT_EQ(graded_dates(*wh), (std::vector<Date>{kDay, kDay + 2}));
  ExportOptions o;
  o.out_dir = dir.path() / "out";
  o.build = fixed();
  o.types = parse_types({"results", "performance", "best-bets", "predictions", "tonight"});
  const ExportRun run = write_exports(*wh, calendar_days(kDay, kDay + 2), o);
  EXPECT_EQ(run.exit_code(), 0);
  EXPECT_EQ(run.generated_at, kStamp);
  ASSERT_EQ(run.dates.size(), 3u);
  EXPECT_EQ(run.dates[0].types.size(),
            3u);                             // performance only for the newest date
  EXPECT_EQ(run.dates[2].types.size(), 5u);  // and tonight
  for (const auto& [t, s] : run.type_status) EXPECT_EQ(s, ExportStatus::kSuccess) << to_string(t);
  const auto v1 = o.out_dir / "v1";
  for (const char* f : {"results/2024-01-15.json", "results/2024-01-16.json", "results/2024-01-17.json",
                        "best-bets/2024-01-16.json", "predictions/2024-01-17.json", "results/latest.json",
                        "best-bets/latest.json", "predictions/today.json", "systems/performance.json"}) {
    EXPECT_TRUE(std::filesystem::exists(v1 / f)) << f;
  }
  EXPECT_EQ(run.files().size(), 3u * 3u + 1u + 3u + 1u);
  // latest.json is the last date's file, byte for byte; indent 2; no temporary
  // file is left.
  EXPECT_EQ(slurp(v1 / "results/latest.json"), slurp(v1 / "results/2024-01-17.json"));
  const Json latest = Json::parse(slurp(v1 / "results/latest.json"));
  EXPECT_EQ(latest["game_date"], "2024-01-17");
  EXPECT_EQ(latest["summary"]["total_predictions"], 2);
  EXPECT_EQ(slurp(v1 / "results/2024-01-15.json").substr(0, 4), "{\n  ");
  EXPECT_EQ(Json::parse(slurp(v1 / "systems/performance.json"))["as_of_date"], "2024-01-17");
  for (const auto& e : std::filesystem::recursive_directory_iterator(o.out_dir)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
  // A second run for an earlier date alone moves latest back to that date
  // (single-date mode).
  o.types = {ExportType::kResults};
  EXPECT_EQ(write_exports(*wh, {kDay}, o).exit_code(), 0);
  EXPECT_EQ(Json::parse(slurp(v1 / "results/latest.json"))["game_date"], "2024-01-15");
}

TEST(ExportWriter, AFailingTypeFailsOnlyItselfAndTheRunExitsOne) {
  TempDir dir;
  auto wh = open_warehouse((dir.path() / "wh").string());
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  add_accuracy(pa, {.player = "a", .day = kDay});
  add_accuracy(pa, {.player = "a", .day = kDay + 1});
  store(*wh, pa);
  Table mlfs(catalog::get("nba_predictions.ml_feature_store_v2"));
  add_mlfs(mlfs, "a", "20240115_BOS_LAL", true, 1, 20.0, 0.0, kDay);
  size_t r = mlfs.add_row();  // undecodable features on the second date
  mlfs.set(r, "player_lookup", "a");
  mlfs.set(r, "game_id", "20240115_BOS_LAL");
  mlfs.set(r, "game_date", kDay + 1);
  mlfs.set(r, "features", "not json");
  store(*wh, mlfs);

  ExportOptions o;
  o.out_dir = dir.path() / "out";
  o.build = fixed();
  o.types = parse_types({"results", "best-bets"});
  const ExportRun run = write_exports(*wh, {kDay + 1, kDay}, o);
  ASSERT_EQ(run.dates.size(), 2u);
  EXPECT_EQ(run.dates[0].status, ExportStatus::kSuccess);
  EXPECT_EQ(run.dates[1].status, ExportStatus::kPartial);
  const TypeOutcome& bad = run.dates[1].types[0];
  EXPECT_EQ(bad.type, ExportType::kResults);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("features"), std::string::npos) << bad.error;
  EXPECT_TRUE(bad.paths.empty());
  EXPECT_TRUE(run.dates[1].types[1].ok);
  EXPECT_EQ(run.type_status[0], std::make_pair(ExportType::kResults, ExportStatus::kPartial));
  EXPECT_EQ(run.type_status[1], std::make_pair(ExportType::kBestBets, ExportStatus::kSuccess));
  EXPECT_EQ(run.exit_code(), 1);
  EXPECT_FALSE(std::filesystem::exists(o.out_dir / "v1/results/2024-01-16.json"));
  EXPECT_FALSE(std::filesystem::exists(o.out_dir / "v1/results/latest.json"));
  EXPECT_TRUE(std::filesystem::exists(o.out_dir / "v1/best-bets/latest.json"));

  ExportOptions zero = o;
  zero.workers = 0;
  EXPECT_THROW((void)write_exports(*wh, {kDay}, zero), ConfigError);
}

TEST(ExportWriter, AtomicWriteReplacesTheFileAndKeepsUtf8) {
  TempDir dir;
  const auto path = dir.path() / "a" / "b.json";
  write_json_atomic(path, Json{{"name", "Nikola Jokić"}, {"x", 0.1}});
  write_json_atomic(path, Json{{"name", "Luka Dončić"}, {"x", 1.0}});
  const std::string body = slurp(path);
  EXPECT_EQ(body, "{\n  \"name\": \"Luka Dončić\",\n  \"x\": 1.0\n}");
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path.parent_path())) ++files;
  EXPECT_EQ(files, 1u);
  write_json_atomic(dir.path() / "plain",
                    Json::object());  // a file where a directory is needed
  EXPECT_THROW(write_json_atomic(dir.path() / "plain" / "c.json", Json::object()), StorageError);
}

// ---------------------------------------------------------------------------------------------
// tonight/all-players.json

namespace {

const char* kGameA = "20240115_BOS_LAL";
const char* kGameB = "20240115_ATL_MIA";

void add_schedule(Table& t, const std::string& nba_id, const std::string& away, const std::string& home,
                  const std::optional<std::string>& est, int64_t status = 1, const std::string& status_text = "") {
  size_t r = t.add_row();
  t.set(r, "game_id", nba_id);
  t.set(r, "game_date", kDay);
  t.set(r, "season_year", int64_t{2023});
  t.set(r, "away_team_tricode", away);
  t.set(r, "home_team_tricode", home);
  t.set(r, "is_regular_season", true);
  t.set(r, "game_status", status);
  if (!status_text.empty()) t.set(r, "game_status_text", status_text);
  if (est) t.set(r, "game_date_est", *est);
}

void add_roster(Table& t, const std::string& player, const std::string& game, const std::string& team, bool home) {
  size_t r = t.add_row();
  t.set(r, "player_lookup", player);
  t.set(r, "game_id", game);
  t.set(r, "game_date", kDay);
  t.set(r, "team_abbr", team);
  t.set(r, "home_game", home);
}

/// One player_game_summary row (a game the player played unless minutes ≤ 0).
void add_game(Table& t, const std::string& player, Date day, int64_t points, std::optional<double> line,
              double minutes = 35.5, int64_t season = 2023, const std::string& name = "") {
  size_t r = t.add_row();
  t.set(r, "player_lookup", player);
  t.set(r, "game_id", day.compact() + "_BOS_LAL");
  t.set(r, "game_date", day);
  t.set(r, "season_year", season);
  t.set(r, "points", points);
  t.set(r, "minutes_played", minutes);
  t.col("points_line").set_real(r, line);
  if (!name.empty()) t.set(r, "player_full_name", name);
}

/// One props snapshot; @p american false stores decimal prices only.
void add_prop(Table& t, const std::string& player, const std::string& book, const std::string& snapshot, double line,
              double over, double under, bool american = true) {
  size_t r = t.add_row();
  t.set(r, "game_id", kGameA);
  t.set(r, "game_date", kDay);
  t.set(r, "game_start_time", "2024-01-16T03:30:00Z");
  t.set(r, "snapshot_timestamp", snapshot);
  t.set(r, "bookmaker", book);
  t.set(r, "player_name", player);
  t.set(r, "player_lookup", player);
  t.set(r, "points_line", line);
  if (american) {
    t.set(r, "over_price_american", static_cast<int64_t>(over));
    t.set(r, "under_price_american", static_cast<int64_t>(under));
  } else {
    t.set(r, "over_price", over);
    t.set(r, "under_price", under);
  }
}

void add_injury(Table& t, const std::string& player, Date report, int64_t hour, const std::string& status,
                const std::string& reason) {
  size_t r = t.add_row();
  t.set(r, "report_date", report);
  t.set(r, "report_hour", hour);
  t.set(r, "game_date", kDay);
  t.set(r, "player_lookup", player);
  t.set(r, "team", "BOS");
  t.set(r, "injury_status", status);
  t.set(r, "reason", reason);
}

void add_prediction(Table& t, const std::string& player, const std::string& game, const std::string& system,
                    double predicted, double conf, const std::string& rec, const std::string& created) {
  size_t r = t.add_row();
  t.set(r, "prediction_id", player + system + created);
  t.set(r, "system_id", system);
  t.set(r, "player_lookup", player);
  t.set(r, "game_date", kDay);
  t.set(r, "game_id", game);
  t.set(r, "prediction_version", int64_t{1});
  t.set(r, "predicted_points", predicted);
  t.set(r, "confidence_score", conf);
  t.set(r, "recommendation", rec);
  t.set(r, "created_at", created);
}

void add_fatigue(Table& t, const std::string& player, int64_t score) {
  size_t r = t.add_row();
  t.set(r, "player_lookup", player);
  t.set(r, "game_date", kDay);
  t.set(r, "game_id", kGameA);
  t.set(r, "fatigue_score", score);
}

/// The league of the tonight tests: game A (BOS @ LAL, 10:30 PM), game B (ATL @
/// MIA, 7:30 PM), a postponed game, and a roster game the schedule lacks.
void tonight_league(Warehouse& wh) {
  Table sched(catalog::get("nba_raw.nbac_schedule"));
  add_schedule(sched, "0022300500", "BOS", "LAL", "2024-01-15T22:30:00");
  add_schedule(sched, "0022300501", "ATL", "MIA", "2024-01-15T19:30:00", 1);
  add_schedule(sched, "0022300502", "DEN", "PHX", "2024-01-15T21:00:00", 1, "PPD");
  store(wh, sched);

  Table upgc(catalog::get("nba_analytics.upcoming_player_game_context"));
  for (const char* p : {"hurt", "bench", "role", "star", "noline", "rookie"}) {
    const bool lal = std::string(p) == "star" || std::string(p) == "role" || std::string(p) == "rookie";
    add_roster(upgc, p, kGameA, lal ? "LAL" : "BOS", lal);
  }
  add_roster(upgc, "solo", kGameB, "MIA", true);
  add_roster(upgc, "ghost", "20240115_NYK_CHI", "CHI", true);
  store(wh, upgc);

  Table pgs(catalog::get("nba_analytics.player_game_summary"));
  // star: 12 games before D, newest first; D−4 had no line; D−2 was a push.
  const int64_t pts[] = {30, 25, 28, 20, 35, 28, 22, 40, 18, 30, 26, 24};
  const std::optional<double> lines[] = {27.5, 25.0, 29.5, std::nullopt, 30.5, 27.5,
                                         22.5, 30.5, 20.5, 28.5,         20.5, 20.5};
  for (int i = 0; i < 12; ++i) {
    add_game(pgs, "star", kDay - (i + 1), pts[i], lines[i], 35.5, 2023, i == 0 ? "Star Player" : "");
  }
  add_game(pgs, "star", kDay - 13, 0, 20.5, 0.0);  // did not play
  add_game(pgs, "star", Date::from_ymd(2023, 4, 1), 99, 20.5, 40.0,
           2022);  // previous season
  for (int i = 1; i <= 12; ++i) add_game(pgs, "role", kDay - i, 12, std::nullopt, 20.0);
  for (int i = 1; i <= 3; ++i) add_game(pgs, "rookie", kDay - i, 15, 14.5, 25.0);
  for (int i = 1; i <= 10; ++i) add_game(pgs, "noline", kDay - i, 20, std::nullopt, 30.0);
  for (int i = 1; i <= 4; ++i) add_game(pgs, "bench", kDay - i, 0, std::nullopt, 4.0);
  for (int i = 1; i <= 10; ++i) add_game(pgs, "hurt", kDay - i, 18, 17.5, 30.0);
  store(wh, pgs);

  Table props(catalog::get("nba_raw.odds_api_player_points_props"));
  add_prop(props, "star", "draftkings", "2024-01-15T18:00:00Z", 28.5, -110, -110);
  add_prop(props, "star", "fanduel", "2024-01-15T18:00:00Z", 28.5, -105, -120);
  add_prop(props, "star", "fanduel", "2024-01-14T18:00:00Z", 28.5, 150,
           150);  // stale snapshot
  add_prop(props, "star", "betmgm", "2024-01-15T18:00:00Z", 29.5, 120,
           120);  // another line
  add_prop(props, "star", "draftkings", "2024-01-16T04:00:00Z", 35.5, 200,
           200);  // after tip-off
  add_prop(props, "rookie", "fanduel", "2024-01-15T18:00:00Z", 14.5, 1.91, 2.10, false);
  add_prop(props, "role", "draftkings", "2024-01-15T18:00:00Z", 11.5, -115, -105);
  add_prop(props, "hurt", "draftkings", "2024-01-15T18:00:00Z", 20.5, -110, -110);
  add_prop(props, "solo", "draftkings", "2024-01-15T18:00:00Z", 0.5, -110, -110);
  store(wh, props);

  Table ppp(catalog::get("nba_predictions.player_prop_predictions"));
  add_prediction(ppp, "star", kGameA, "ensemble_v1", 30.0, 0.50, "OVER", "2024-01-15T09:00:00Z");
  add_prediction(ppp, "star", kGameA, "ensemble_v1", 31.234, 0.80, "OVER",
                 "2024-01-15T12:00:00Z");  // newest
  add_prediction(ppp, "star", kGameA, "xgboost_v1", 40.0, 0.99, "OVER", "2024-01-15T13:00:00Z");
  add_prediction(ppp, "role", kGameA, "ensemble_v1", 11.0, 0.60, "UNDER", "2024-01-15T12:00:00Z");
  add_prediction(ppp, "rookie", kGameA, "ensemble_v1", 16.0, 0.60, "OVER", "2024-01-15T12:00:00Z");
  add_prediction(ppp, "hurt", kGameA, "ensemble_v1", 25.0, 0.90, "OVER", "2024-01-15T12:00:00Z");
  add_prediction(ppp, "bench", kGameA, "ensemble_v1", 3.0, 0.99, "NO_LINE", "2024-01-15T12:00:00Z");
  store(wh, ppp);

  Table pcf(catalog::get("nba_precompute.player_composite_factors"));
  add_fatigue(pcf, "star", 97);
  add_fatigue(pcf, "role", 95);
  add_fatigue(pcf, "rookie", 75);
  add_fatigue(pcf, "hurt", 74);
  add_fatigue(pcf, "bench", 0);
  store(wh, pcf);

  Table inj(catalog::get("nba_raw.nbac_injury_report"));
  add_injury(inj, "hurt", kDay - 1, 17, "Questionable", "Ankle");
  add_injury(inj, "hurt", kDay, 17, "Out", "Ankle sprain");
  add_injury(inj, "bench", kDay, 13, "Probable", "Rest");
  store(wh, inj);
}

const Json& find_player(const Json& payload, const std::string& player) {
  for (const auto& g : payload["games"]) {
    for (const auto& p : g["players"]) {
      if (p["player_lookup"] == player) return p;
    }
  }
  throw std::runtime_error("no player " + player);
}

}  // namespace

TEST(ExportTonight, GamesRosterSortingPropsFatigueInjuriesAndRecords) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  tonight_league(*wh);
  const Json j = build_tonight(*wh, kDay, fixed());
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys,
            (std::vector<std::string>{"game_date", "generated_at", "total_players", "total_with_lines", "games"}));
  EXPECT_EQ(j["game_date"], "2024-01-15");
  EXPECT_EQ(j["generated_at"], kStamp);
  EXPECT_EQ(j["total_players"], 8);
  EXPECT_EQ(j["total_with_lines"], 5);  // star, rookie, role, hurt, solo

  // Games by tip time; the postponed game is not listed; the unscheduled roster
  // game comes last.
  const Json& games = j["games"];
  ASSERT_EQ(games.size(), 3u);
  EXPECT_EQ(games[0]["game_id"], kGameB);
  EXPECT_EQ(games[0]["game_time"], "7:30 PM ET");
  EXPECT_EQ(games[0]["game_status"], "scheduled");
  EXPECT_EQ(games[0]["home_team"], "MIA");
  EXPECT_EQ(games[1]["game_id"], kGameA);
  EXPECT_EQ(games[1]["game_time"], "10:30 PM ET");
  EXPECT_EQ(games[1]["away_team"], "BOS");
  EXPECT_EQ(games[1]["player_count"], 6);
  EXPECT_EQ(games[2]["game_id"], "20240115_NYK_CHI");
  EXPECT_EQ(games[2]["home_team"], "CHI");
  EXPECT_TRUE(games[2]["game_time"].is_null() && games[2]["game_status"].is_null());

  // With a line first, out last, confidence desc, then season ppg desc (rookie
  // 15 > role 12 at 0.60); bench's 0.99 prediction does not count without a
  // line.
  std::vector<std::string> order;
  for (const auto& p : games[1]["players"]) order.push_back(p["player_lookup"]);
  EXPECT_EQ(order, (std::vector<std::string>{"star", "rookie", "role", "noline", "bench", "hurt"}));

  const Json& star = find_player(j, "star");
  EXPECT_EQ(star["player_full_name"], "Star Player");
  EXPECT_EQ(star["team"], "LAL");
  EXPECT_EQ(star["is_home"], true);
  EXPECT_EQ(star["games_played"], 12);                        // not the DNP, not the previous season
  EXPECT_DOUBLE_EQ(star["season_ppg"].get<double>(), 27.17);  // 326 / 12
  EXPECT_DOUBLE_EQ(star["season_mpg"].get<double>(), 35.5);
  EXPECT_DOUBLE_EQ(star["last_5_ppg"].get<double>(), 27.6);
  EXPECT_EQ(star["last_10_points"], (Json{30, 25, 28, 20, 35, 28, 22, 40, 18, 30}));
  EXPECT_EQ(star["last_10_results"], (Json{"O", "P", "U", "O", "O", "U", "O", "U", "O"}));  // D−4 had no line
  EXPECT_EQ(star["last_10_record"], "5-3");
  EXPECT_EQ(star["limited_data"], false);
  EXPECT_EQ(star["fatigue_score"], 97);
  EXPECT_EQ(star["fatigue_level"], "fresh");
  EXPECT_TRUE(star["injury_status"].is_null());
  EXPECT_EQ(star["has_line"], true);
  // DraftKings line; best odds among the books' latest pre-game snapshots at
  // that line.
  EXPECT_EQ(star["props"],
            (Json::array({Json{{"stat_type", "points"}, {"line", 28.5}, {"over_odds", -105}, {"under_odds", -110}}})));
  EXPECT_DOUBLE_EQ(star["prediction"]["predicted"].get<double>(),
                   31.23);  // newest ensemble row
  EXPECT_DOUBLE_EQ(star["prediction"]["confidence"].get<double>(), 0.8);
  EXPECT_EQ(star["prediction"]["recommendation"], "OVER");

  const Json& rookie = find_player(j, "rookie");
  EXPECT_EQ(rookie["limited_data"], true);  // 3 games
  EXPECT_EQ(rookie["fatigue_level"], "normal");
  EXPECT_EQ(rookie["props"][0]["over_odds"], -110);  // decimal 1.91
  EXPECT_EQ(rookie["props"][0]["under_odds"], 110);  // decimal 2.10
  EXPECT_EQ(rookie["player_full_name"],
            "rookie");  // no name anywhere: player_lookup
  const Json& role = find_player(j, "role");
  EXPECT_EQ(role["fatigue_level"], "fresh");  // 95 is fresh
  EXPECT_EQ(role["last_10_results"], Json::array());
  EXPECT_EQ(role["last_10_record"], "0-0");
  const Json& noline = find_player(j, "noline");
  EXPECT_EQ(noline["limited_data"], false);  // exactly 10 games
  EXPECT_EQ(noline["has_line"], false);
  EXPECT_FALSE(noline.contains("props") || noline.contains("prediction") || noline.contains("last_10_results"));
  EXPECT_TRUE(noline["fatigue_score"].is_null() && noline["fatigue_level"].is_null());
  const Json& bench = find_player(j, "bench");
  EXPECT_TRUE(bench["season_ppg"].is_number());  // exact 0 stays 0
  EXPECT_DOUBLE_EQ(bench["season_ppg"].get<double>(), 0.0);
  EXPECT_EQ(bench["fatigue_score"], 0);
  EXPECT_EQ(bench["fatigue_level"], "tired");
  EXPECT_EQ(bench["injury_status"], "probable");
  const Json& hurt = find_player(j, "hurt");
  EXPECT_EQ(hurt["injury_status"], "out");  // the latest report of D
  EXPECT_EQ(hurt["injury_reason"], "Ankle sprain");
  EXPECT_EQ(hurt["fatigue_level"], "tired");
  EXPECT_EQ(hurt["has_line"], true);
  const Json& solo = find_player(j, "solo");
  EXPECT_TRUE(solo["prediction"].is_null());  // a line but no prediction
  EXPECT_TRUE(solo["season_ppg"].is_null() && solo["last_5_ppg"].is_null());
  EXPECT_EQ(solo["games_played"], 0);
  EXPECT_EQ(solo["limited_data"], true);
  EXPECT_EQ(solo["last_10_points"], Json::array());
  EXPECT_DOUBLE_EQ(solo["props"][0]["line"].get<double>(), 0.5);
}

TEST(ExportTonight, RowsDatedDOrLaterDoNotChangeTheFile) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  tonight_league(*wh);
  const std::string before = build_tonight(*wh, kDay, fixed()).dump();

  // Box scores of D and D+1, a report issued after D, D+1's props: none is
  // pre-game for D.
  Table pgs(catalog::get("nba_analytics.player_game_summary"));
  add_game(pgs, "star", kDay, 60, 20.5);
  add_game(pgs, "star", kDay + 1, 55, 20.5);
  add_game(pgs, "rookie", kDay, 40, 10.5);
  store(*wh, pgs);
  Table inj(catalog::get("nba_raw.nbac_injury_report"));
  add_injury(inj, "star", kDay + 1, 9, "Out", "Late scratch");
  store(*wh, inj);
  EXPECT_EQ(build_tonight(*wh, kDay, fixed()).dump(), before);

  // The same kind of change one day earlier does change it (the test can fail).
  Table earlier(catalog::get("nba_analytics.player_game_summary"));
  add_game(earlier, "star", kDay - 1, 60, 20.5);
  store(*wh, earlier);  // replaces the D−1 partition
  const Json after = build_tonight(*wh, kDay, fixed());
  EXPECT_NE(after.dump(), before);
  EXPECT_EQ(find_player(after, "star")["last_10_points"][0], 60);
}

TEST(ExportTonight, ParsedWrittenOnceForTheNewestDateWithoutADateInThePath) {
  EXPECT_EQ(parse_type("tonight"), ExportType::kTonight);
  EXPECT_EQ(all_types().back(), ExportType::kLiveGrading);
  EXPECT_EQ(object_path(ExportType::kTonight, kDay), "v1/tonight/all-players.json");
  EXPECT_TRUE(alias_paths(ExportType::kTonight).empty());
  for (const char* legacy : {"tonight-players", "trends-daily", "tonight-trend-plays"}) {
    try {
      (void)parse_types({legacy});
      FAIL() << legacy << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("supported types: results, performance, "
                                           "best-bets, predictions, tonight"),
                std::string::npos)
          << e.what();
    }
  }

  TempDir dir;
  auto wh = open_warehouse((dir.path() / "wh").string());
  tonight_league(*wh);
  ExportOptions o;
  o.out_dir = dir.path() / "out";
  o.build = fixed();
  o.types = parse_types({"tonight", "results"});
  const ExportRun run = write_exports(*wh, calendar_days(kDay - 2, kDay), o);
  EXPECT_EQ(run.exit_code(), 0);
  ASSERT_EQ(run.dates.size(), 3u);
  EXPECT_EQ(run.dates[0].types.size(), 1u);  // results only
  ASSERT_EQ(run.dates[2].types.size(), 2u);
  const TypeOutcome& t = run.dates[2].types[1];
  EXPECT_EQ(t.type, ExportType::kTonight);
  EXPECT_EQ(t.count, 8);
  EXPECT_EQ(t.paths, std::vector<std::string>{"v1/tonight/all-players.json"});
  const Json file = Json::parse(slurp(o.out_dir / "v1/tonight/all-players.json"));
  EXPECT_EQ(file["game_date"], "2024-01-15");
  EXPECT_EQ(file, build_tonight(*wh, kDay, fixed()));
  EXPECT_EQ(run.files().size(),
            3u + 1u + 1u);  // results × 3, results/latest, tonight

  // An empty date: no games, no players; still a file.
  const Json empty = build_tonight(*wh, kDay + 5, fixed());
  EXPECT_EQ(empty["total_players"], 0);
  EXPECT_TRUE(empty["games"].is_array() && empty["games"].empty());
}

// ---------------------------------------------------------------------------------------------
// streaks, trends-hot-cold, live, live-grading: hand-checked payloads

namespace {

/// One player_game_summary game with a prop result (OVER / UNDER / PUSH).
void add_prop_game(Table& t, const std::string& player, Date day, int64_t points, double line,
                   const std::string& team = "LAL", const std::string& opp = "BOS", int64_t season = 2023) {
  size_t r = t.add_row();
  t.set(r, "player_lookup", player);
  t.set(r, "player_full_name", "Name " + player);
  t.set(r, "game_id", day.compact() + "_" + opp + "_" + team);
  t.set(r, "game_date", day);
  t.set(r, "season_year", season);
  t.set(r, "team_abbr", team);
  t.set(r, "opponent_team_abbr", opp);
  t.set(r, "points", points);
  t.set(r, "points_line", line);
  const double p = static_cast<double>(points);
  t.set(r, "over_under_result", std::string(p > line ? "OVER" : p < line ? "UNDER" : "PUSH"));
}

/// One BallDontLie box-score line of game 20240115_BOS_LAL.
void add_box(Table& t, const std::string& player, const std::string& team, int64_t points, const std::string& status,
             int64_t period, int64_t bdl_id) {
  size_t r = t.add_row();
  t.set(r, "game_id", kGameA);
  t.set(r, "game_date", kDay);
  t.set(r, "season_year", int64_t{2023});
  t.set(r, "game_status", status);
  t.set(r, "period", period);
  t.set(r, "home_team_abbr", "LAL");
  t.set(r, "away_team_abbr", "BOS");
  t.set(r, "home_team_score", int64_t{101});
  t.set(r, "away_team_score", int64_t{99});
  t.set(r, "team_abbr", team);
  t.set(r, "player_full_name", "Name " + player);
  t.set(r, "player_lookup", player);
  t.set(r, "bdl_player_id", bdl_id);
  t.set(r, "minutes", "30:00");
  t.set(r, "points", points);
  t.set(r, "rebounds", int64_t{5});
  t.set(r, "assists", int64_t{4});
}

}  // namespace

TEST(ExportStreaks, OverUnderAndPredictionStreaksHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table g(catalog::get("nba_analytics.player_game_summary"));
  // a: OVER in the newest 5 games (margins 2.5, 1.5, 3.5, 0.5, 4.5 → avg 2.5),
  // then an UNDER.
  const int64_t a_points[] = {25, 24, 26, 23, 27};
  for (int i = 0; i < 5; ++i) add_prop_game(g, "a", kDay - i, a_points[i], 22.5);
  add_prop_game(g, "a", kDay - 5, 10, 22.5);
  // b: UNDER in the newest 4 (margins -2.5 each) → listed under; a PUSH before
  // them breaks nothing newer.
  for (int i = 0; i < 4; ++i) add_prop_game(g, "b", kDay - i, 10, 12.5, "BOS", "LAL");
  add_prop_game(g, "b", kDay - 4, 12, 12.0, "BOS", "LAL");
  // c: only 3 OVERs → below the minimum of 4; d: OVERs of last season only
  // (season filter).
  for (int i = 0; i < 3; ++i) add_prop_game(g, "c", kDay - i, 30, 20.5);
  for (int i = 0; i < 6; ++i) add_prop_game(g, "d", Date::from_ymd(2023, 4, 1) - i, 30, 20.5, "LAL", "BOS", 2022);
  // Games after the as-of date never count.
  add_prop_game(g, "b", kDay + 1, 40, 12.5, "BOS", "LAL");
  store(*wh, g);
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  // a: 4 correct ensemble calls newest-first, then a miss; a PASS in between is
  // not a call.
  for (int i = 0; i < 4; ++i) add_accuracy(pa, {.player = "a", .day = kDay - i});
  add_accuracy(pa, {.player = "a", .game = "20240114_BOS_MIA", .rec = "PASS", .day = kDay - 1});
  add_accuracy(pa, {.player = "a", .actual = 10, .day = kDay - 4});
  // b: 4 correct calls but of another system.
  for (int i = 0; i < 4; ++i) add_accuracy(pa, {.player = "b", .system = "xgboost_v1", .day = kDay - i});
  store(*wh, pa);

  const Json j = build_streaks(*wh, kDay, fixed());
  const Json expected = Json::parse(R"({
    "generated_at": "2024-01-16T08:00:00.000000Z", "as_of_date": "2024-01-15", "min_streak_length": 4,
    "streaks": {
      "over": [{"player_lookup": "a", "player_full_name": "Name a", "team": "LAL", "streak_length": 5,
                "avg_margin": 2.5, "games": [
                  {"game_date": "2024-01-15", "points": 25, "line": 22.5, "opponent": "BOS"},
                  {"game_date": "2024-01-14", "points": 24, "line": 22.5, "opponent": "BOS"},
                  {"game_date": "2024-01-13", "points": 26, "line": 22.5, "opponent": "BOS"},
                  {"game_date": "2024-01-12", "points": 23, "line": 22.5, "opponent": "BOS"},
                  {"game_date": "2024-01-11", "points": 27, "line": 22.5, "opponent": "BOS"}]}],
      "under": [{"player_lookup": "b", "player_full_name": "Name b", "team": "BOS", "streak_length": 4,
                 "avg_margin": -2.5, "games": [
                  {"game_date": "2024-01-15", "points": 10, "line": 12.5, "opponent": "LAL"},
                  {"game_date": "2024-01-14", "points": 10, "line": 12.5, "opponent": "LAL"},
                  {"game_date": "2024-01-13", "points": 10, "line": 12.5, "opponent": "LAL"},
                  {"game_date": "2024-01-12", "points": 10, "line": 12.5, "opponent": "LAL"}]}],
      "prediction_hits": [{"player_lookup": "a", "player_full_name": "Name a", "team": "LAL", "streak_length": 4,
                           "streak_type": "prediction_hits"}]},
    "summary": {"total_over_streaks": 1, "total_under_streaks": 1, "total_prediction_streaks": 1,
                "longest_over": 5, "longest_under": 4, "longest_prediction": 4}})");
  EXPECT_EQ(nlohmann::json::parse(j.dump()), expected) << j.dump(2);
  // Key order is the legacy one.
  EXPECT_EQ(j.begin().key(), "generated_at");
}

TEST(ExportHotCold, HeatScoresRanksTonightAndLeagueAverageHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table g(catalog::get("nba_analytics.player_game_summary"));
  // hot: 5 OVERs (+5 each): hit 1.0, streak 5, margin 5 → 10·(0.5 + 0.125 +
  // 0.25·0.75) = 8.1 (8.125 → 8.1).
  for (int i = 0; i < 5; ++i) add_prop_game(g, "hot", kDay - i, 25, 20.0);
  // cold: newest 2 UNDERs (−5), then 3 OVERs (+1): hit 0.6, streak 2 under,
  // margin −1.4
  //   → 10·(0.3 + 0.05 + 0.25·0.43) = 4.575 → 4.6.
  add_prop_game(g, "cold", kDay, 15, 20.0, "MIA", "ATL");
  add_prop_game(g, "cold", kDay - 1, 15, 20.0, "MIA", "ATL");
  for (int i = 2; i < 5; ++i) add_prop_game(g, "cold", kDay - i, 21, 20.0, "MIA", "ATL");
  // few: 4 games only (below 5); old: games 31+ days before the as-of date do
  // not count.
  for (int i = 0; i < 4; ++i) add_prop_game(g, "few", kDay - i, 25, 20.0);
  for (int i = 31; i < 37; ++i) add_prop_game(g, "old", kDay - i, 25, 20.0);
  store(*wh, g);
  Table sched(catalog::get("nba_raw.nbac_schedule"));
  add_schedule(sched, "0022300600", "BOS", "LAL", std::string("2024-01-15T22:30:00"));
  store(*wh, sched);

  const Json j = build_hot_cold(*wh, kDay, fixed());
  const Json hot = Json::parse(
      R"({"player_lookup": "hot", "player_full_name": "Name hot", "team_abbr": "LAL",
    "position": null, "heat_score": 8.1, "hit_rate": 1.0, "hit_rate_games": 5, "current_streak": 5,
    "streak_direction": "over", "avg_margin": 5.0, "rank": 1, "playing_tonight": true,
    "tonight": {"opponent": "BOS", "game_time": "10:30 PM ET", "home": true}})");
  const Json cold = Json::parse(
      R"({"player_lookup": "cold", "player_full_name": "Name cold", "team_abbr": "MIA",
    "position": null, "heat_score": 4.6, "hit_rate": 0.6, "hit_rate_games": 5, "current_streak": 2,
    "streak_direction": "under", "avg_margin": -1.4, "rank": 2, "playing_tonight": false, "tonight": null})");
  Json cold_first = cold;
  cold_first["rank"] = 1;
  Json hot_second = hot;
  hot_second["rank"] = 2;
  Json expected = Json::object();
  expected["generated_at"] = kStamp;
  expected["as_of_date"] = "2024-01-15";
  expected["time_period"] = "last_30_days";
  expected["min_games"] = 5;
  expected["total_qualifying_players"] = 2;
  expected["hot"] = Json::array({hot, cold});
  expected["cold"] = Json::array({cold_first, hot_second});
  expected["league_average"] = Json::parse(R"({"hit_rate": 0.8, "avg_margin": 1.8})");
  EXPECT_EQ(nlohmann::json::parse(j.dump()), nlohmann::json::parse(expected.dump())) << j.dump(2);
}

TEST(ExportLive, GamesFromRawBoxScoresAndFromASavedApiResponse) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table box(catalog::get("nba_raw.bdl_player_boxscores"));
  add_box(box, "h1", "LAL", 20, "Final", 4, 11);
  add_box(box, "a1", "BOS", 31, "Final", 4, 12);
  add_box(box, "h2", "LAL", 25, "Final", 4, 13);
  store(*wh, box);
  const Json j = build_live(*wh, kDay, fixed());
  EXPECT_EQ(j["poll_id"], "20240116T080000Z");
  EXPECT_EQ(j["games_final"], 1);
  EXPECT_EQ(j["games_in_progress"], 0);
  ASSERT_EQ(j["games"].size(), 1u);
  const Json& game = j["games"][0];
  EXPECT_EQ(game["status"], "final");
  EXPECT_EQ(game["home_score"], 101);
  EXPECT_EQ(game["player_count"], 3);
  // Sorted by points, descending.
  EXPECT_EQ(game["players"][0]["player_lookup"], "a1");
  EXPECT_EQ(game["players"][1]["player_lookup"], "h2");
  EXPECT_EQ(game["players"][0]["minutes"], "30:00");
  const Json expected_player = Json::parse(
      R"({"player_lookup": "h1", "name": "Name h1", "team": "LAL", "points": 20,
    "rebounds": 5, "assists": 4, "steals": 0, "blocks": 0, "turnovers": 0, "minutes": "30:00", "fg_made": 0,
    "fg_attempted": 0, "fg3_made": 0, "fg3_attempted": 0, "ft_made": 0, "ft_attempted": 0})");
  EXPECT_EQ(nlohmann::json::parse(game["players"][2].dump()), expected_player);

  // A saved API response: in-progress game; a known BDL id maps to its lookup,
  // an unknown one falls back to the legacy first+last name; a game of another
  // date is left out.
  const auto file = dir.path() / "live.json";
  std::ofstream(file) << R"({"data": [
    {"id": 7, "date": "2024-01-15", "status": "2nd Qtr", "period": 2, "time": "5:42",
     "home_team": {"abbreviation": "LAL", "players": [{"player": {"id": 11, "first_name": "X", "last_name": "Y"},
                                                       "pts": 9, "min": "12:00"}]},
     "visitor_team": {"abbreviation": "BOS", "players": [{"player": {"id": 99, "first_name": "Jay", "last_name": "T."},
                                                          "pts": 14}]},
     "home_team_score": 40, "visitor_team_score": 44},
    {"id": 8, "date": "2024-01-14", "status": "Final", "period": 4, "home_team": {}, "visitor_team": {}}]})";
  BuildOptions o = fixed();
  o.live_file = file.string();
  const Json f = build_live(*wh, kDay, o);
  ASSERT_EQ(f["total_games"], 1);
  EXPECT_EQ(f["games"][0]["status"], "in_progress");
  EXPECT_EQ(f["games"][0]["time_remaining"], "5:42");
  EXPECT_EQ(f["games"][0]["players"][0]["player_lookup"], "jayt");
  EXPECT_EQ(f["games"][0]["players"][1]["player_lookup"], "h1");
  EXPECT_EQ(f["games"][0]["players"][0]["minutes"], "0:00");
  std::ofstream(dir.path() / "bad.json") << R"({"data": [3]})";
  o.live_file = (dir.path() / "bad.json").string();
  try {
    (void)build_live(*wh, kDay, o);
    FAIL() << "bad record accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("record 0"), std::string::npos) << e.what();
  }
}

TEST(ExportLiveGrading, StatusesOrderAndSummaryHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table box(catalog::get("nba_raw.bdl_player_boxscores"));
  add_box(box, "win", "LAL", 30, "Final", 4, 1);
  add_box(box, "loss", "LAL", 10, "Final", 4, 2);
  add_box(box, "noline", "BOS", 12, "Final", 4, 3);
  store(*wh, box);
  Table pred(catalog::get("nba_predictions.player_prop_predictions"));
  auto add = [&](const std::string& player, std::optional<double> line, const std::string& rec, double conf,
                 int64_t version = 1, const std::string& system = "ensemble_v1") {
    size_t r = pred.add_row();
    pred.set(r, "system_id", system);
    pred.set(r, "player_lookup", player);
    pred.set(r, "game_date", kDay);
    pred.set(r, "game_id", kGameA);
    pred.set(r, "predicted_points", 24.0);
    pred.set(r, "confidence_score", conf);
    pred.set(r, "recommendation", rec);
    pred.col("current_points_line").set_real(r, line);
    pred.set(r, "has_prop_line", line.has_value());
    pred.set(r, "is_active", true);
    pred.set(r, "prediction_version", version);
  };
  add("win", 22.5, "OVER", 0.6);
  add("loss", 15.5, "OVER", 0.9);
  add("loss", 15.5, "UNDER", 0.95, 0);  // an older version: superseded
  add("noline", std::nullopt, "NO_LINE", 0.5);
  add("later", 20.5, "UNDER", 0.99);  // no box line yet: pending
  add("win", 22.5, "UNDER", 0.1, 1, "xgboost_v1");
  store(*wh, pred);
  const Json j = build_live_grading(*wh, kDay, fixed());
  const Json& p = j["predictions"];
  ASSERT_EQ(p.size(), 4u);
  // correct, incorrect, graded, pending.
  EXPECT_EQ(p[0]["player_lookup"], "win");
  EXPECT_EQ(p[0]["status"], "correct");
  EXPECT_EQ(p[0]["error"], -6.0);
  EXPECT_EQ(p[0]["margin_vs_line"], 7.5);
  EXPECT_EQ(p[1]["player_lookup"], "loss");
  EXPECT_EQ(p[1]["status"], "incorrect");
  EXPECT_EQ(p[1]["recommendation"], "OVER");
  EXPECT_EQ(p[2]["player_lookup"], "noline");
  EXPECT_EQ(p[2]["status"], "graded");
  EXPECT_FALSE(p[2].contains("margin_vs_line"));
  EXPECT_EQ(p[3]["player_lookup"], "later");
  EXPECT_EQ(p[3]["status"], "pending");
  EXPECT_TRUE(p[3]["actual"].is_null());
  EXPECT_EQ(p[0]["home_team"], "LAL");
  EXPECT_EQ(p[0]["away_team"], "BOS");
  // |24−30| = 6, |24−10| = 14, |24−12| = 12 → 10.7; 1 correct of 2 final picks.
  const Json summary = Json::parse(
      R"({"total_predictions": 4, "graded": 3, "pending": 1, "correct": 1,
    "incorrect": 1, "trending_correct": 0, "trending_incorrect": 0, "win_rate": 0.5, "avg_error": 10.7,
    "games_in_progress": 0, "games_final": 1})");
  EXPECT_EQ(nlohmann::json::parse(j["summary"].dump()), summary) << j["summary"].dump(2);
}

TEST(ExportWriter, NewTypesAreWrittenWithTheirLatestCopies) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table box(catalog::get("nba_raw.bdl_player_boxscores"));
  add_box(box, "h1", "LAL", 20, "Final", 4, 11);
  store(*wh, box);
  ExportOptions o;
  o.out_dir = dir.path() / "out";
  o.types = parse_types({"live", "live-grading", "streaks", "trends-hot-cold"});
  o.build = fixed();
  const ExportRun run = write_exports(*wh, {kDay - 1, kDay}, o);
  EXPECT_EQ(run.exit_code(), 0);
  for (const char* f : {"v1/live/2024-01-14.json", "v1/live/2024-01-15.json", "v1/live/latest.json",
                        "v1/live-grading/latest.json", "v1/streaks/today.json", "v1/trends/whos-hot-v2.json"}) {
    EXPECT_TRUE(std::filesystem::exists(o.out_dir / f)) << f;
  }
  EXPECT_NE(slurp(o.out_dir / "v1/live/latest.json").find("\"game_date\": \"2024-01-15\""), std::string::npos);
}
