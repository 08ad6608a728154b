// Phase 6 exports: golden cases from hand-built rows (the processors that fill
// these tables are tested on their own; here every source row is written by the
// test).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "nbaprops/core/error.hpp"
#include "nbaprops/processors/exports/exports.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::exports;
using nbaprops::testing::TempDir;

namespace {

/// @p j as unordered JSON: compares by content, whatever the key order.
nlohmann::json parsed(const Json& j) { return nlohmann::json::parse(j.dump()); }

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
  EXPECT_EQ(all_types().size(), 16u);  // the legacy EXPORT_TYPES without its 3 groups
  EXPECT_EQ(parse_types({"best-bets", "results", "best-bets"}),
            (std::vector<ExportType>{ExportType::kResults, ExportType::kBestBets}));
  try {
    (void)parse_type("players");
    FAIL() << "players accepted as an --only name";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("--players"), std::string::npos) << m;
    EXPECT_NE(m.find("valid types: results, performance, best-bets, predictions, tonight, tonight-players"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("trends-daily, trends-weekly, trends-all"), std::string::npos) << m;
  }
  EXPECT_EQ(type_named("players"), ExportType::kPlayers);
  // The groups write exactly the legacy members (daily_export.py).
  EXPECT_EQ(parse_types({"trends-daily"}),
            (std::vector<ExportType>{ExportType::kTrendsHotCold, ExportType::kTrendsBounceBack,
                                     ExportType::kTonightTrendPlays}));
  EXPECT_EQ(
      parse_types({"trends-weekly"}),
      (std::vector<ExportType>{ExportType::kTrendsWhatMatters, ExportType::kTrendsTeam, ExportType::kTrendsQuickHits}));
  EXPECT_EQ(
      parse_types({"trends-all"}),
      (std::vector<ExportType>{ExportType::kTrendsHotCold, ExportType::kTrendsBounceBack,
                               ExportType::kTrendsWhatMatters, ExportType::kTrendsTeam, ExportType::kTrendsQuickHits,
                               ExportType::kTrendsDeepDive, ExportType::kTonightTrendPlays}));
  EXPECT_EQ(parse_types({"results", "trends-daily", "trends-hot-cold"}),
            (std::vector<ExportType>{ExportType::kResults, ExportType::kTrendsHotCold, ExportType::kTrendsBounceBack,
                                     ExportType::kTonightTrendPlays}));
  for (ExportType t : all_types()) EXPECT_EQ(parse_type(to_string(t)), t);
  EXPECT_EQ(object_path(ExportType::kTrendsBounceBack, kDay), "v1/trends/bounce-back.json");
  EXPECT_EQ(object_path(ExportType::kTrendsWhatMatters, kDay), "v1/trends/what-matters.json");
  EXPECT_EQ(object_path(ExportType::kTrendsTeam, kDay), "v1/trends/team-tendencies.json");
  EXPECT_EQ(object_path(ExportType::kTrendsQuickHits, kDay), "v1/trends/quick-hits.json");
  EXPECT_EQ(object_path(ExportType::kTrendsDeepDive, kDay), "v1/trends/deep-dive-current.json");
  EXPECT_EQ(object_path(ExportType::kTonightTrendPlays, kDay), "v1/trends/tonight-plays.json");
  EXPECT_EQ(object_path(ExportType::kTonightPlayers, kDay), "v1/tonight/player/");
  EXPECT_TRUE(is_undated(ExportType::kTonightPlayers) && is_undated(ExportType::kTrendsDeepDive));
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

// Legacy get_confidence_tier: no confidence → "low", counted in
// by_confidence.low (it was null and left out of every confidence cell).
TEST(ExportResults, NullConfidenceIsLowAsTheLegacy) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  add_accuracy(pa, {.player = "a", .conf = std::nullopt});                 // OVER win
  add_accuracy(pa, {.player = "b", .rec = "PASS", .conf = std::nullopt});  // not a bet
  store(*wh, pa);
  const Json j = build_results(*wh, kDay, fixed());
  EXPECT_EQ(find_result(j["results"], "a")["confidence_tier"], "low");
  EXPECT_EQ(find_result(j["results"], "b")["confidence_tier"], "low");
  const Json& by = j["breakdowns"]["by_confidence"];
  EXPECT_EQ(by["low"]["total"], 1);
  EXPECT_EQ(by["low"]["wins"], 1);
  EXPECT_EQ(by["high"]["total"], 0);
  EXPECT_EQ(by["medium"]["total"], 0);
}

// Each prediction_accuracy and ml_feature_store_v2 column the results read,
// given a value no other column of its row has (the three flags: true, NULL,
// false in a different order on each row), feeds its own field: a swapped
// column handle shows.
TEST(ExportResults, EachColumnFeedsItsOwnField) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  const std::string game = "20240115_BOS_LAL";
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  struct Row {
    const char *player, *team, *opponent, *rec;
    double predicted, conf, line, minutes, abs_error, signed_error;
    int64_t actual;
    std::optional<bool> correct, within_3, within_5;
  };
  for (const Row& x :
       {Row{"one", "TMA", "OPB", "UNDER", 21.25, 0.655, 23.5, 31.4, 4.75, -6.5, 19, true, std::nullopt, false},
        Row{"two", "TMC", "OPD", "OVER", 18.75, 0.455, 17.5, 12.6, 1.25, 2.5, 16, false, true, std::nullopt}}) {
    const size_t r = pa.add_row();
    pa.set(r, "player_lookup", x.player);
    pa.set(r, "game_id", game);
    pa.set(r, "game_date", kDay);
    pa.set(r, "system_id", "ensemble_v1");
    pa.set(r, "team_abbr", x.team);
    pa.set(r, "opponent_team_abbr", x.opponent);
    pa.set(r, "recommendation", x.rec);
    pa.set(r, "predicted_points", x.predicted);
    pa.set(r, "confidence_score", x.conf);
    pa.set(r, "line_value", x.line);
    pa.set(r, "minutes_played", x.minutes);
    pa.set(r, "absolute_error", x.abs_error);
    pa.set(r, "signed_error", x.signed_error);
    pa.set(r, "actual_points", x.actual);
    for (const auto& [name, v] : {std::pair{"prediction_correct", x.correct}, std::pair{"within_3_points", x.within_3},
                                  std::pair{"within_5_points", x.within_5}}) {
      if (v) pa.set(r, name, *v);
    }
  }
  store(*wh, pa);
  Table mlfs(catalog::get("nba_predictions.ml_feature_store_v2"));
  add_mlfs(mlfs, "one", game, true, 3, 17.0, 1.0);
  add_mlfs(mlfs, "two", game, false, 0, 5.0, 0.0);
  store(*wh, mlfs);

  const Json j = build_results(*wh, kDay, fixed());
  const Json& one = find_result(j["results"], "one");
  EXPECT_EQ(one["game_id"], game);
  EXPECT_EQ(one["team"], "TMA");
  EXPECT_EQ(one["opponent"], "OPB");
  EXPECT_EQ(one["recommendation"], "UNDER");
  EXPECT_EQ(one["result"], "WIN");
  EXPECT_DOUBLE_EQ(one["predicted"].get<double>(), 21.25);
  EXPECT_DOUBLE_EQ(one["confidence"].get<double>(), 0.655);
  EXPECT_DOUBLE_EQ(one["line"].get<double>(), 23.5);
  EXPECT_DOUBLE_EQ(one["minutes"].get<double>(), 31.4);
  EXPECT_DOUBLE_EQ(one["error"].get<double>(), 4.75);
  EXPECT_DOUBLE_EQ(one["bias"].get<double>(), -6.5);
  EXPECT_EQ(one["actual"], 19);
  EXPECT_EQ(one["is_home"], true);
  EXPECT_EQ(one["days_rest"], 3);
  EXPECT_EQ(one["is_back_to_back"], true);
  const Json& two = find_result(j["results"], "two");
  EXPECT_EQ(two["team"], "TMC");
  EXPECT_EQ(two["opponent"], "OPD");
  EXPECT_EQ(two["result"], "LOSS");
  EXPECT_DOUBLE_EQ(two["predicted"].get<double>(), 18.75);
  EXPECT_DOUBLE_EQ(two["line"].get<double>(), 17.5);
  EXPECT_EQ(two["is_home"], false);
  EXPECT_EQ(two["days_rest"], 0);
  EXPECT_EQ(two["is_back_to_back"], false);
  const Json& s = j["summary"];
  EXPECT_EQ(s["correct"], 1);
  EXPECT_EQ(s["incorrect"], 1);
  EXPECT_EQ(s["within_3_points"], 1);                   // two's only
  EXPECT_EQ(s["within_5_points"], 0);                   // false and NULL
  EXPECT_DOUBLE_EQ(s["avg_mae"].get<double>(), 3.0);    // (4.75 + 1.25) / 2
  EXPECT_DOUBLE_EQ(s["avg_bias"].get<double>(), -2.0);  // (−6.5 + 2.5) / 2
  EXPECT_EQ(j["highlights"]["best_prediction"]["player"], "two");
  EXPECT_DOUBLE_EQ(j["highlights"]["worst_prediction"]["minutes"].get<double>(), 31.4);
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
  // Exact halves (the legacy BigQuery ROUND of exact sums rounds them away from
  // zero; a double mean with Python rounding gave 0.562, 4.8, 0.12, 0.5).
  add_daily(t, Date::from_ymd(2024, 1, 12), "xgboost_v1", 20, 16, 9, 4.81, 0.13, 0.5, 0, 0);
  add_daily(t, Date::from_ymd(2024, 1, 13), "xgboost_v1", 10, 0, 0, 4.80, 0.12, 0.501, 0, 0);
  store(*wh, t);

  const Json j = build_performance(*wh, kDay, fixed());
  EXPECT_EQ(j["as_of_date"], "2024-01-15");
  const Json& sys = j["systems"];
  ASSERT_EQ(sys.size(), 5u);
  // The legacy entry keys: the ranking only sorts (no "rank" key).
  std::vector<std::string> keys;
  for (auto it = sys[0].begin(); it != sys[0].end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"system_id", "display_name", "description", "is_primary", "windows",
                                            "breakdown"}));
  EXPECT_EQ(sys[0]["system_id"], "ensemble_v1");
  EXPECT_EQ(sys[0]["is_primary"], true);
  EXPECT_EQ(sys[0]["display_name"], "Ensemble");
  EXPECT_EQ(sys[0]["description"], "Weighted combination of all prediction systems");
  EXPECT_EQ(sys[1]["system_id"], "xgboost_v1");
  EXPECT_EQ(sys[1]["display_name"], "XGBoost ML");
  EXPECT_EQ(sys[1]["description"], "Gradient boosted trees trained on historical data");
  EXPECT_EQ(sys[2]["system_id"], "similarity_balanced_v1");
  EXPECT_EQ(sys[2]["description"], "K-nearest neighbor matching to similar historical games");
  EXPECT_EQ(sys[3]["system_id"], "zone_matchup_v1");
  EXPECT_EQ(sys[3]["display_name"], "Zone Matchup");
  EXPECT_EQ(sys[4]["system_id"],
            "moving_average");  // the worker's id is unknown to the legacy table: last
  EXPECT_EQ(sys[4]["display_name"], "moving_average");
  EXPECT_EQ(sys[4]["description"], "");

  const Json& x = sys[1]["windows"]["last_7_days"];
  EXPECT_DOUBLE_EQ(x["win_rate"].get<double>(), 0.563);                         // 9 / 16 = 0.5625
  EXPECT_DOUBLE_EQ(x["mae"].get<double>(), 4.81);                               // (4.81 + 4.80) / 2 = 4.805
  EXPECT_DOUBLE_EQ(x["bias"].get<double>(), 0.13);                              // 0.125
  EXPECT_DOUBLE_EQ(sys[1]["breakdown"]["over_win_rate"].get<double>(), 0.501);  // 0.5005

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
  // A window without games has null counts, win rate, MAE and bias (the
  // legacy's SUM(CASE WHEN <in window> THEN x END) over no row is NULL, and its
  // SAFE_DIVIDE of NULLs; these asserted 0 counts and a 0 win rate before).
  const Json& quiet = sys[2]["windows"]["last_7_days"];
  for (const char* k : {"predictions", "recommendations", "correct"}) EXPECT_TRUE(quiet[k].is_null()) << k;
  EXPECT_TRUE(sys[2]["windows"]["last_30_days"]["correct"].is_null());
  EXPECT_TRUE(quiet["win_rate"].is_null());
  EXPECT_TRUE(quiet["mae"].is_null() && quiet["bias"].is_null());
  EXPECT_EQ(sys[2]["windows"]["season"]["predictions"], 10);
  EXPECT_TRUE(sys[2]["windows"]["season"]["win_rate"].is_null());  // 0 recommendations
  EXPECT_EQ(sys[3]["windows"]["last_7_days"]["predictions"], 50);
  // No high-confidence rows: null, not 0 (legacy SAFE_DIVIDE; asserted 0.0 before).
  EXPECT_TRUE(sys[4]["breakdown"]["high_confidence_win_rate"].is_null());

  const Json& c = j["comparison"];
  EXPECT_EQ(c["best_mae"]["system_id"], "moving_average");
  EXPECT_DOUBLE_EQ(c["best_mae"]["value"].get<double>(), 4.4);
  EXPECT_EQ(c["best_win_rate"]["system_id"], "moving_average");
  EXPECT_DOUBLE_EQ(c["best_win_rate"]["value"].get<double>(), 0.7);
  EXPECT_EQ(c["lowest_bias"]["system_id"], "zone_matchup_v1");
  EXPECT_DOUBLE_EQ(c["lowest_bias"]["value"].get<double>(), -0.05);

  // An as-of date in a season without rows: no systems and an empty comparison
  // (the legacy _empty_response's {}; it held three nulls before).
  const Json empty = build_performance(*wh, Date::from_ymd(2022, 1, 1), fixed());
  EXPECT_TRUE(empty["systems"].is_array() && empty["systems"].empty());
  EXPECT_TRUE(empty["comparison"].is_object() && empty["comparison"].empty());
  EXPECT_EQ(empty["comparison"].dump(), "{}");
}

// Nulls as the legacy SQL gives them: SUM over no non-null value is NULL (also
// in the season window, when a count column is null on every row), and
// SAFE_DIVIDE of a NULL sum is NULL; the comparison is Python's min/max with
// the stand-in keys `x or 999` / `x or 0`, so without a figure it names the
// first system (rank order) with a null value.
TEST(ExportPerformance, NullSumsAndComparisonsFollowTheLegacy) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table t(catalog::get("nba_predictions.system_daily_performance"));
  for (const char* system : {"zone_matchup_v1", "xgboost_v1"}) {
    const size_t r = t.add_row();
    t.set(r, "game_date", kDay - 3);
    t.set(r, "system_id", system);
    t.set(r, "predictions_count", int64_t{12});
    t.set(r, "recommendations_count", int64_t{4});  // correct_count, the means and hc counts: NULL
    t.set(r, "high_confidence_count", int64_t{3});
  }
  store(*wh, t);
  const Json j = build_performance(*wh, kDay, fixed());
  ASSERT_EQ(j["systems"].size(), 2u);
  EXPECT_EQ(j["systems"][0]["system_id"], "xgboost_v1");
  for (const Json& s : j["systems"]) {
    for (const char* w : {"last_7_days", "last_30_days", "season"}) {
      const Json& x = s["windows"][w];
      EXPECT_EQ(x["predictions"], 12) << w;
      EXPECT_EQ(x["recommendations"], 4) << w;
      EXPECT_TRUE(x["correct"].is_null()) << w;   // SUM of NULLs
      EXPECT_TRUE(x["win_rate"].is_null()) << w;  // SAFE_DIVIDE(NULL, 4)
      EXPECT_TRUE(x["mae"].is_null() && x["bias"].is_null()) << w;
    }
    EXPECT_TRUE(s["breakdown"]["high_confidence_win_rate"].is_null());  // SAFE_DIVIDE(NULL, 3)
  }
  const Json& c = j["comparison"];
  for (const char* k : {"best_mae", "best_win_rate", "lowest_bias"}) {
    EXPECT_EQ(c[k]["system_id"], "xgboost_v1") << k;
    EXPECT_TRUE(c[k].contains("value") && c[k]["value"].is_null()) << k;
  }

  // A null win rate stands in as 0 (`or 0`) and ties a real 0.0: the first in
  // rank order wins; a real MAE or bias beats a null one (999).
  Table more(catalog::get("nba_predictions.system_daily_performance"));
  add_daily(more, kDay - 2, "moving_average", 10, 5, 0, 0.0, 0.0, 0.0, 0, 0);
  store(*wh, more);
  const Json k = build_performance(*wh, kDay, fixed());
  const Json& kc = k["comparison"];
  EXPECT_EQ(kc["best_win_rate"]["system_id"], "xgboost_v1");
  EXPECT_TRUE(kc["best_win_rate"]["value"].is_null());
  EXPECT_EQ(kc["best_mae"]["system_id"], "moving_average");
  EXPECT_DOUBLE_EQ(kc["best_mae"]["value"].get<double>(), 0.0);
  EXPECT_EQ(kc["lowest_bias"]["system_id"], "moving_average");
  EXPECT_DOUBLE_EQ(kc["lowest_bias"]["value"].get<double>(), 0.0);
}

// The window reads its columns through handles resolved once per table: every
// column, given a value no other column has, lands in its own figure.
TEST(ExportPerformance, EachColumnFeedsItsOwnFigure) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table t(catalog::get("nba_predictions.system_daily_performance"));
  for (const Date day : {kDay - 1, kDay}) {
    const bool last = day == kDay;
    const size_t r = t.add_row();
    t.set(r, "game_date", day);
    t.set(r, "system_id", "zone_matchup_v1");
    t.set(r, "predictions_count", int64_t{last ? 11 : 13});
    t.set(r, "recommendations_count", int64_t{last ? 8 : 0});
    t.set(r, "correct_count", int64_t{last ? 5 : 0});
    t.set(r, "mae", last ? 4.44 : 4.40);
    t.set(r, "avg_bias", last ? -1.23 : -1.21);
    t.set(r, "over_win_rate", last ? 0.111 : 0.113);
    t.set(r, "under_win_rate", last ? 0.222 : 0.226);
    t.set(r, "within_3_pct", last ? 0.333 : 0.339);
    t.set(r, "within_5_pct", last ? 0.444 : 0.452);
    t.set(r, "high_confidence_count", int64_t{last ? 7 : 9});
    t.set(r, "high_confidence_correct", int64_t{last ? 2 : 4});
  }
  store(*wh, t);
  const Json j = build_performance(*wh, kDay, fixed());
  ASSERT_EQ(j["systems"].size(), 1u);
  const Json& s = j["systems"][0];
  EXPECT_EQ(s["system_id"], "zone_matchup_v1");
  const Json& day = s["windows"]["last_7_days"];
  EXPECT_EQ(day["predictions"], 24);
  EXPECT_EQ(day["recommendations"], 8);
  EXPECT_EQ(day["correct"], 5);
  EXPECT_DOUBLE_EQ(day["win_rate"].get<double>(), 0.625);
  EXPECT_DOUBLE_EQ(day["mae"].get<double>(), 4.42);
  EXPECT_DOUBLE_EQ(day["bias"].get<double>(), -1.22);
  const Json& br = s["breakdown"];
  EXPECT_DOUBLE_EQ(br["over_win_rate"].get<double>(), 0.112);
  EXPECT_DOUBLE_EQ(br["under_win_rate"].get<double>(), 0.224);
  EXPECT_DOUBLE_EQ(br["within_3_pct"].get<double>(), 0.336);
  EXPECT_DOUBLE_EQ(br["within_5_pct"].get<double>(), 0.448);
  EXPECT_DOUBLE_EQ(br["high_confidence_win_rate"].get<double>(), 0.375);  // 6 / 16
  EXPECT_EQ(s["windows"]["season"], day);
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
  // "flip": 16 picks before D, 3 wins → 3/16 = 0.1875, ROUND(…, 3) = 0.188 (the
  // composite uses the rounded value, as the legacy SQL).
  for (int i = 1; i <= 16; ++i) {
    add_accuracy(pa, {.player = "flip",
                      .game = "f" + std::to_string(i),
                      .predicted = 30.0,
                      .line = 25.5,
                      .actual = i <= 3 ? 28 : 20,
                      .day = kDay - i});
  }
  // D's candidates.
  add_accuracy(pa, {.player = "star", .predicted = 31.0, .line = 25.5, .conf = 0.82, .actual = 30});  // edge 5.5
  add_accuracy(pa, {.player = "flip", .predicted = 31.0, .line = 25.0, .conf = 0.99, .actual = 30});  // edge 6
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
  EXPECT_EQ(j["methodology"], "Ranked by composite score: confidence * edge_factor * historical_accuracy");
  ASSERT_EQ(j["total_picks"], 6);
  const Json& p = j["picks"];
  // star: 0.82 × 1.5 × 0.833 = 1.0246; rook: 0.72 × 1.3 × 0.85 = 0.7956; pend:
  // 0.65 × 1.15 × 0.85 = 0.635; mid: 0.60 × 1.1 × 0.85 = 0.561; flip: 0.99 ×
  // 1.5 × 0.188 = 0.2792 (0.2784 with 3/16 unrounded); cold: 0.9 × 1.05 × 0 = 0.
  std::vector<std::string> order;
  for (const auto& x : p) order.push_back(x["player_lookup"]);
  EXPECT_EQ(order, (std::vector<std::string>{"star", "rook", "pend", "mid", "flip", "cold"}));
  EXPECT_EQ(p[0]["rank"], 1);
  EXPECT_DOUBLE_EQ(p[0]["composite_score"].get<double>(), 1.025);
  EXPECT_DOUBLE_EQ(p[0]["edge"].get<double>(), 5.5);
  EXPECT_DOUBLE_EQ(p[0]["player_historical_accuracy"].get<double>(), 0.833);
  EXPECT_EQ(p[0]["player_sample_size"], 6);
  EXPECT_EQ(p[0]["player_full_name"], "Star Player");
  EXPECT_EQ(p[0]["fatigue_score"], 97);
  EXPECT_EQ(p[0]["fatigue_level"], "fresh");
  // JSON number types as the legacy _format_picks writes them: _safe_float
  // (round(float(x), 3)) makes the INT64 fatigue_score a float (97.0; it was
  // written 97), as line, predicted, edge, confidence, the history and the
  // error; rank, player_sample_size and actual stay integers.
  EXPECT_EQ(p[0]["fatigue_score"].dump(), "97.0");
  for (const char* k : {"line", "predicted", "edge", "confidence", "composite_score", "player_historical_accuracy",
                        "fatigue_score", "error"}) {
    EXPECT_TRUE(p[0][k].is_number_float()) << k;
  }
  for (const char* k : {"rank", "player_sample_size", "actual"}) EXPECT_TRUE(p[0][k].is_number_integer()) << k;
  EXPECT_EQ(p[0]["rationale"], (Json{"High confidence (82%)", "Strong edge (5.5 points)",
                                     "Strong track record (83% accuracy, 6 games)", "Well-rested (fatigue: 97)"}));
  EXPECT_EQ(p[0]["result"], "WIN");
  EXPECT_EQ(p[0]["actual"], 30);
  EXPECT_DOUBLE_EQ(p[0]["error"].get<double>(), 1.0);

  EXPECT_DOUBLE_EQ(p[1]["composite_score"].get<double>(), 0.796);
  // No graded pick yet: null / null (the legacy LEFT JOIN); 0.85 only scores.
  EXPECT_TRUE(p[1]["player_historical_accuracy"].is_null());
  EXPECT_TRUE(p[1]["player_sample_size"].is_null());
  EXPECT_EQ(p[1]["player_full_name"], "Rook Ie");  // gamebook fallback
  EXPECT_EQ(p[1]["fatigue_level"], "tired");
  EXPECT_EQ(p[1]["fatigue_score"].dump(), "70.0");
  EXPECT_EQ(p[1]["rationale"],
            (Json{"Good confidence (72%)", "Solid edge (3.0 points)", "Elevated fatigue (fatigue: 70)"}));
  EXPECT_EQ(p[1]["result"], "LOSS");

  EXPECT_EQ(p[2]["result"], "PENDING");
  EXPECT_TRUE(p[2]["actual"].is_null());
  EXPECT_EQ(p[2]["player_full_name"], "pend");  // no name source: player_lookup
  EXPECT_TRUE(p[2]["fatigue_score"].is_null() && p[2]["fatigue_level"].is_null());
  EXPECT_EQ(p[2]["rationale"], (Json{"Meets minimum criteria"}));
  EXPECT_EQ(p[3]["result"], "PUSH");
  EXPECT_EQ(p[3]["fatigue_level"], "normal");
  EXPECT_DOUBLE_EQ(p[4]["composite_score"].get<double>(), 0.279);
  EXPECT_DOUBLE_EQ(p[4]["player_historical_accuracy"].get<double>(), 0.188);
  EXPECT_EQ(p[4]["player_sample_size"], 16);
  EXPECT_DOUBLE_EQ(p[5]["composite_score"].get<double>(), 0.0);
  // Exact 0 stays 0; the legacy round(_safe_float(x) or 0, 3) writes a zero
  // composite as the integer 0, a zero history (_safe_float only) as 0.0.
  EXPECT_EQ(p[5]["composite_score"].dump(), "0");
  EXPECT_EQ(p[5]["player_historical_accuracy"].dump(), "0.0");
  EXPECT_EQ(p[5]["player_sample_size"], 2);

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

// Each player_prop_predictions column the predictions file reads (and the
// prediction_accuracy team, found by player and game), given a value no other
// column of its row has, feeds its own field.
TEST(ExportPredictions, EachColumnFeedsItsOwnField) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  const std::string game = "20240115_BOS_LAL";
  Table ppp(catalog::get("nba_predictions.player_prop_predictions"));
  const size_t r = ppp.add_row();
  ppp.set(r, "prediction_id", "solo-ensemble");
  ppp.set(r, "system_id", "ensemble_v1");
  ppp.set(r, "player_lookup", "solo");
  ppp.set(r, "game_date", kDay);
  ppp.set(r, "game_id", game);
  ppp.set(r, "prediction_version", int64_t{4});
  ppp.set(r, "predicted_points", 26.5);
  ppp.set(r, "confidence_score", 0.64);
  ppp.set(r, "recommendation", "UNDER");
  ppp.set(r, "current_points_line", 24.2);
  ppp.set(r, "pace_adjustment", 1.75);
  ppp.set(r, "similar_games_count", int64_t{9});
  ppp.set(r, "is_active", true);
  ppp.set(r, "created_at", "2024-01-15T10:00:00Z");
  store(*wh, ppp);
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  add_accuracy(pa, {.player = "solo", .game = game, .team = "LAL", .opponent = "BOS"});
  add_accuracy(pa, {.player = "other", .game = game, .team = "BOS", .opponent = "LAL"});
  store(*wh, pa);

  const Json j = build_predictions(*wh, kDay, fixed());
  ASSERT_EQ(j["games"].size(), 1u);
  const Json& g = j["games"][0];
  EXPECT_EQ(g["game_id"], game);
  EXPECT_EQ(g["recommendation_breakdown"], (Json{{"over", 0}, {"under", 1}, {"pass", 0}}));
  ASSERT_EQ(g["predictions"].size(), 1u);
  const Json& p = g["predictions"][0];
  EXPECT_EQ(p["player_lookup"], "solo");
  EXPECT_EQ(p["team"], "LAL");
  EXPECT_EQ(p["is_home"], true);
  EXPECT_DOUBLE_EQ(p["prediction"]["points"].get<double>(), 26.5);
  EXPECT_DOUBLE_EQ(p["prediction"]["confidence"].get<double>(), 0.64);
  EXPECT_EQ(p["prediction"]["recommendation"], "UNDER");
  EXPECT_DOUBLE_EQ(p["prediction"]["line"].get<double>(), 24.2);
  EXPECT_DOUBLE_EQ(p["prediction"]["edge"].get<double>(), 2.3);
  EXPECT_DOUBLE_EQ(p["context"]["pace_adjustment"].get<double>(), 1.75);
  EXPECT_EQ(p["context"]["similar_games"], 9);
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

// generated_at from the clock is the legacy's datetime.now(timezone.utc)
// .isoformat(): "+00:00", not "Z".
TEST(ExportWriter, GeneratedAtFromTheClockEndsInPlusZeroZero) {
  TempDir dir;
  auto wh = open_warehouse((dir.path() / "wh").string());
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  add_accuracy(pa, {.player = "a"});
  store(*wh, pa);
  ExportOptions o;
  o.out_dir = dir.path() / "out";
  o.types = parse_types({"results"});
  const ExportRun run = write_exports(*wh, {kDay}, o);
  ASSERT_EQ(run.exit_code(), 0);
  EXPECT_TRUE(std::regex_match(run.generated_at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00)")))
      << run.generated_at;
  const Json file = Json::parse(slurp(o.out_dir / "v1/results/2024-01-15.json"));
  EXPECT_EQ(file["generated_at"], run.generated_at);
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

void add_roster(Table& t, const std::string& player, const std::string& game, const std::string& team, bool home,
                std::optional<int64_t> days_rest = std::nullopt) {
  size_t r = t.add_row();
  t.set(r, "player_lookup", player);
  t.set(r, "game_id", game);
  t.set(r, "game_date", kDay);
  t.set(r, "team_abbr", team);
  t.set(r, "home_game", home);
  t.col("days_rest").set_int(r, days_rest);
}

/// One player_game_summary row (a game the player played unless minutes ≤ 0)
/// with its over_under_result (OVER / UNDER / PUSH against the line, null
/// without one).
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
  if (line) {
    const double p = static_cast<double>(points);
    t.set(r, "over_under_result", std::string(p > *line ? "OVER" : p < *line ? "UNDER" : "PUSH"));
  }
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
                    double predicted, double conf, const std::string& rec, const std::string& created,
                    std::optional<double> line = std::nullopt) {
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
  t.col("current_points_line").set_real(r, line);
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
/// Expected values follow the legacy TonightAllPlayersExporter.
void tonight_league(Warehouse& wh) {
  Table sched(catalog::get("nba_raw.nbac_schedule"));
  add_schedule(sched, "0022300500", "BOS", "LAL", "2024-01-15T22:30:00");
  add_schedule(sched, "0022300501", "ATL", "MIA", "2024-01-15T19:30:00", 1);
  add_schedule(sched, "0022300502", "DEN", "PHX", "2024-01-15T21:00:00", 1, "PPD");
  store(wh, sched);

  Table upgc(catalog::get("nba_analytics.upcoming_player_game_context"));
  for (const char* p : {"hurt", "bench", "role", "star", "noline", "rookie"}) {
    const bool lal = std::string(p) == "star" || std::string(p) == "role" || std::string(p) == "rookie";
    add_roster(upgc, p, kGameA, lal ? "LAL" : "BOS", lal,
               std::string(p) == "star" ? std::optional<int64_t>(1) : std::nullopt);
  }
  add_roster(upgc, "solo", kGameB, "MIA", true);
  add_roster(upgc, "vet", kGameB, "MIA", true, 3);
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
  // role: 147 points in 12 games = 12.25 → 12.3 (BigQuery ROUND, half away).
  for (int i = 1; i <= 12; ++i) add_game(pgs, "role", kDay - i, i == 1 ? 15 : 12, std::nullopt, 20.0);
  for (int i = 1; i <= 3; ++i) add_game(pgs, "rookie", kDay - i, 15, 14.5, 25.0);
  for (int i = 1; i <= 10; ++i) add_game(pgs, "noline", kDay - i, 20, std::nullopt, 30.0);
  // bench: 16.2 minutes in 4 games = 4.05 → 4.1 (exact NUMERIC mean, half away).
  for (int i = 1; i <= 4; ++i) add_game(pgs, "bench", kDay - i, 0, std::nullopt, i % 2 ? 4.0 : 4.1);
  // vet: 3 games this season (U, O, O), 8 at the end of the previous one (a
  // push, then UNDERs).
  for (int i = 1; i <= 3; ++i) add_game(pgs, "vet", kDay - i, 8 + 2 * i, 11.5, 30.0);
  for (int i = 1; i <= 8; ++i) {
    add_game(pgs, "vet", Date::from_ymd(2023, 4, i), 20, i == 8 ? 20.0 : 20.5, 30.0, 2022);
  }
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
  add_prediction(ppp, "star", kGameA, "ensemble_v1", 30.0, 0.50, "OVER", "2024-01-15T09:00:00Z", 29.5);
  add_prediction(ppp, "star", kGameA, "ensemble_v1", 31.234, 0.80, "OVER", "2024-01-15T12:00:00Z",
                 28.5);  // newest
  add_prediction(ppp, "star", kGameA, "xgboost_v1", 40.0, 0.99, "OVER", "2024-01-15T13:00:00Z", 28.5);
  add_prediction(ppp, "role", kGameA, "ensemble_v1", 11.0, 0.60, "UNDER", "2024-01-15T12:00:00Z", 11.5);
  add_prediction(ppp, "rookie", kGameA, "ensemble_v1", 16.0, 0.60, "OVER", "2024-01-15T12:00:00Z", 14.5);
  add_prediction(ppp, "hurt", kGameA, "ensemble_v1", 25.0, 0.90, "OVER", "2024-01-15T12:00:00Z", 20.5);
  add_prediction(ppp, "bench", kGameA, "ensemble_v1", 3.0, 0.99, "NO_LINE", "2024-01-15T12:00:00Z");
  // vet: an estimated line no book quotes.
  add_prediction(ppp, "vet", kGameB, "ensemble_v1", 13.0, 0.70, "OVER", "2024-01-15T12:00:00Z", 12.5);
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
  EXPECT_EQ(j["total_players"], 9);
  // The legacy has_line: the newest ensemble prediction has a line (star,
  // rookie, role, hurt, vet); solo's props without a prediction do not count.
  EXPECT_EQ(j["total_with_lines"], 5);

  // Games by tip time; the postponed game is not listed; the unscheduled roster
  // game comes last.
  const Json& games = j["games"];
  ASSERT_EQ(games.size(), 3u);
  EXPECT_EQ(games[0]["game_id"], kGameB);
  EXPECT_EQ(games[0]["game_time"], "7:30 PM ET");
  EXPECT_EQ(games[0]["game_status"], "scheduled");
  EXPECT_EQ(games[0]["home_team"], "MIA");
  EXPECT_EQ(games[0]["players"][0]["player_lookup"], "vet");  // a line first
  EXPECT_EQ(games[1]["game_id"], kGameA);
  EXPECT_EQ(games[1]["game_time"], "10:30 PM ET");
  EXPECT_EQ(games[1]["away_team"], "BOS");
  EXPECT_EQ(games[1]["player_count"], 6);
  EXPECT_EQ(games[2]["game_id"], "20240115_NYK_CHI");
  EXPECT_EQ(games[2]["home_team"], "CHI");
  EXPECT_TRUE(games[2]["game_time"].is_null() && games[2]["game_status"].is_null());

  // With a line first, then out last within each group, confidence desc, then
  // season ppg desc (rookie 15 > role 12.3 at 0.60); bench's 0.99 NO_LINE
  // prediction has no line. The OUT player with a line (hurt) stays among the
  // players with a line: the legacy key is (not has_line, out, −conf, …), spec
  // §6.6.
  std::vector<std::string> order;
  for (const auto& p : games[1]["players"]) order.push_back(p["player_lookup"]);
  EXPECT_EQ(order, (std::vector<std::string>{"star", "rookie", "role", "hurt", "noline", "bench"}));

  // The legacy keys and their order (name, not player_full_name; days_rest).
  const Json& star = find_player(j, "star");
  keys.clear();
  for (auto it = star.begin(); it != star.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "player_lookup",  "name",          "team",       "is_home",         "has_line",
                      "fatigue_level",  "fatigue_score", "days_rest",  "injury_status",   "injury_reason",
                      "season_ppg",     "season_mpg",    "last_5_ppg", "games_played",    "limited_data",
                      "last_10_points", "props",         "prediction", "last_10_results", "last_10_record"}));
  EXPECT_EQ(star["name"], "Star Player");
  EXPECT_EQ(star["team"], "LAL");
  EXPECT_EQ(star["is_home"], true);
  EXPECT_EQ(star["days_rest"], 1);
  // Every row of the season before D, the 0-minute one too (legacy COUNT(*),
  // AVG): 326 / 13 = 25.08 → 25.1, 426 / 13 = 32.77 → 32.8; not the previous
  // season's game.
  EXPECT_EQ(star["games_played"], 13);
  EXPECT_DOUBLE_EQ(star["season_ppg"].get<double>(), 25.1);
  EXPECT_DOUBLE_EQ(star["season_mpg"].get<double>(), 32.8);
  EXPECT_DOUBLE_EQ(star["last_5_ppg"].get<double>(), 27.6);
  EXPECT_EQ(star["last_10_points"], (Json{30, 25, 28, 20, 35, 28, 22, 40, 18, 30}));
  // One entry per game: D−2 was a push and D−4 had no line ("-").
  EXPECT_EQ(star["last_10_results"], (Json{"O", "-", "U", "-", "O", "O", "U", "O", "U", "O"}));
  EXPECT_EQ(star["last_10_record"], "5-3");
  EXPECT_EQ(star["limited_data"], false);
  EXPECT_EQ(star["fatigue_score"], 97);
  EXPECT_EQ(star["fatigue_level"], "fresh");
  // JSON number types as the legacy writes them: its _safe_float makes the
  // INT64 fatigue_score a float (97.0; it was written 97), as the season
  // figures, the line and the prediction; days_rest, games_played, the odds
  // and the last-10 points stay INT64 integers.
  EXPECT_TRUE(star["fatigue_score"].is_number_float());
  EXPECT_EQ(star["fatigue_score"].dump(), "97.0");
  for (const char* k : {"season_ppg", "season_mpg", "last_5_ppg"}) EXPECT_TRUE(star[k].is_number_float()) << k;
  EXPECT_TRUE(star["props"][0]["line"].is_number_float());
  EXPECT_TRUE(star["prediction"]["predicted"].is_number_float() && star["prediction"]["confidence"].is_number_float());
  for (const char* k : {"days_rest", "games_played"}) EXPECT_TRUE(star[k].is_number_integer()) << k;
  EXPECT_TRUE(star["props"][0]["over_odds"].is_number_integer() && star["props"][0]["under_odds"].is_number_integer());
  EXPECT_TRUE(star["last_10_points"][0].is_number_integer());
  EXPECT_EQ(star["injury_status"], "available");  // no report (legacy COALESCE)
  EXPECT_TRUE(star["injury_reason"].is_null());
  EXPECT_EQ(star["has_line"], true);
  // The newest prediction's line (28.5, not the older row's 29.5); best odds
  // among the books' latest pre-game snapshots at that line.
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
  EXPECT_EQ(rookie["name"], "rookie");               // no name anywhere: player_lookup
  EXPECT_TRUE(rookie["days_rest"].is_null());
  const Json& role = find_player(j, "role");
  EXPECT_EQ(role["fatigue_level"], "fresh");                 // 95 is fresh
  EXPECT_DOUBLE_EQ(role["season_ppg"].get<double>(), 12.3);  // 12.25, half away from zero
  EXPECT_EQ(role["last_10_results"], (Json{"-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}));
  EXPECT_TRUE(role["last_10_record"].is_null());  // no OVER or UNDER: legacy None
  const Json& noline = find_player(j, "noline");
  EXPECT_EQ(noline["limited_data"], false);  // exactly 10 games
  EXPECT_EQ(noline["has_line"], false);
  EXPECT_FALSE(noline.contains("props") || noline.contains("prediction") || noline.contains("last_10_results"));
  EXPECT_TRUE(noline["fatigue_score"].is_null());
  EXPECT_EQ(noline["fatigue_level"], "normal");  // no score: legacy ELSE 'normal'
  const Json& bench = find_player(j, "bench");
  EXPECT_TRUE(bench["season_ppg"].is_number());  // exact 0 stays 0
  EXPECT_DOUBLE_EQ(bench["season_ppg"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(bench["season_mpg"].get<double>(), 4.1);  // 16.2 / 4 = 4.05, exactly half
  EXPECT_EQ(bench["fatigue_score"].dump(), "0.0");           // exact 0 stays 0 (DECISION 6), a float
  EXPECT_EQ(bench["fatigue_level"], "tired");
  EXPECT_EQ(bench["injury_status"], "probable");
  EXPECT_EQ(bench["has_line"], false);  // NO_LINE: the prediction has no line
  const Json& hurt = find_player(j, "hurt");
  EXPECT_EQ(hurt["injury_status"], "out");  // the latest report of D
  EXPECT_EQ(hurt["injury_reason"], "Ankle sprain");
  EXPECT_EQ(hurt["fatigue_level"], "tired");
  EXPECT_EQ(hurt["has_line"], true);
  const Json& solo = find_player(j, "solo");
  EXPECT_EQ(solo["has_line"], false);  // a book line but no prediction
  EXPECT_FALSE(solo.contains("props") || solo.contains("prediction"));
  EXPECT_TRUE(solo["season_ppg"].is_null() && solo["last_5_ppg"].is_null());
  EXPECT_EQ(solo["games_played"], 0);
  EXPECT_EQ(solo["limited_data"], true);
  EXPECT_EQ(solo["last_10_points"], Json::array());

  // The last 10 rows and last-5 ppg span seasons (legacy: no season filter);
  // the season figures do not. An estimated line no book quotes: null odds.
  const Json& vet = find_player(j, "vet");
  EXPECT_EQ(vet["games_played"], 3);
  EXPECT_DOUBLE_EQ(vet["season_ppg"].get<double>(), 12.0);
  EXPECT_DOUBLE_EQ(vet["last_5_ppg"].get<double>(), 15.2);
  EXPECT_EQ(vet["last_10_points"], (Json{10, 12, 14, 20, 20, 20, 20, 20, 20, 20}));
  EXPECT_EQ(vet["last_10_results"], (Json{"U", "O", "O", "-", "U", "U", "U", "U", "U", "U"}));
  EXPECT_EQ(vet["last_10_record"], "2-7");
  EXPECT_EQ(vet["days_rest"], 3);
  EXPECT_EQ(
      vet["props"],
      (Json::array({Json{{"stat_type", "points"}, {"line", 12.5}, {"over_odds", nullptr}, {"under_odds", nullptr}}})));
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

// The builder reads every column through a handle resolved once per table:
// each column, given a value no other column of its table has, lands in its own
// field (two swapped handles change the file).
TEST(ExportTonight, EachColumnFeedsItsOwnField) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table sched(catalog::get("nba_raw.nbac_schedule"));
  add_schedule(sched, "0022300500", "BOS", "LAL", "2024-01-15T22:30:00");
  store(*wh, sched);
  Table upgc(catalog::get("nba_analytics.upcoming_player_game_context"));
  add_roster(upgc, "solo", kGameA, "BOS", false, 2);
  store(*wh, upgc);

  Table pgs(catalog::get("nba_analytics.player_game_summary"));
  add_game(pgs, "solo", kDay - 2, 30, 27.5, 20.5, 2023);                 // OVER
  add_game(pgs, "solo", kDay - 1, 24, 26.5, 30.0, 2023, "Solo Player");  // UNDER
  add_game(pgs, "solo", Date::from_ymd(2023, 4, 1), 9, std::nullopt, 12.0, 2022);
  store(*wh, pgs);

  Table ppp(catalog::get("nba_predictions.player_prop_predictions"));
  // The newest by created_at (not the higher version), then by version (not
  // the later row), of the ensemble only.
  add_prediction(ppp, "solo", kGameA, "ensemble_v1", 40.0, 0.91, "UNDER", "2024-01-15T08:00:00Z", 30.5);
  ppp.set(ppp.num_rows() - 1, "prediction_version", int64_t{5});
  add_prediction(ppp, "solo", kGameA, "ensemble_v1", 31.0, 0.72, "OVER", "2024-01-15T12:00:00Z", 28.5);
  ppp.set(ppp.num_rows() - 1, "prediction_version", int64_t{2});
  add_prediction(ppp, "solo", kGameA, "ensemble_v1", 33.0, 0.66, "UNDER", "2024-01-15T12:00:00Z", 27.5);
  ppp.set(ppp.num_rows() - 1, "prediction_id", "solo-ensemble-v1");
  add_prediction(ppp, "solo", kGameA, "xgboost_v1", 50.0, 0.99, "UNDER", "2024-01-15T13:00:00Z", 26.5);
  store(*wh, ppp);

  Table props(catalog::get("nba_raw.odds_api_player_points_props"));
  // draftkings' latest pre-game snapshot is 18:00, fanduel's 17:00 (an
  // earlier draftkings price is stale, a later one after tip-off); over:
  // fanduel's decimal 2.20 (+120) beats −105; under: draftkings' −115 beats
  // fanduel's 1.70 (−143).
  add_prop(props, "solo", "draftkings", "2024-01-15T18:00:00Z", 28.5, -105, -115);
  add_prop(props, "solo", "draftkings", "2024-01-15T16:00:00Z", 28.5, 300, 300);
  add_prop(props, "solo", "draftkings", "2024-01-16T04:00:00Z", 28.5, 250, 250);
  add_prop(props, "solo", "fanduel", "2024-01-15T17:00:00Z", 28.5, 2.20, 1.70, false);
  store(*wh, props);
  Table pcf(catalog::get("nba_precompute.player_composite_factors"));
  add_fatigue(pcf, "solo", 88);
  store(*wh, pcf);

  const Json j = build_tonight(*wh, kDay, fixed());
  ASSERT_EQ(j["games"].size(), 1u);
  const Json& g = j["games"][0];
  EXPECT_EQ(g["game_id"], kGameA);
  EXPECT_EQ(g["game_time"], "10:30 PM ET");  // game_date_est by game_id
  const Json& p = find_player(j, "solo");
  EXPECT_EQ(p["name"], "Solo Player");
  EXPECT_EQ(p["team"], "BOS");
  EXPECT_EQ(p["is_home"], false);
  EXPECT_EQ(p["days_rest"], 2);
  EXPECT_EQ(p["fatigue_score"].dump(), "88.0");
  EXPECT_EQ(p["fatigue_level"], "normal");
  EXPECT_EQ(p["games_played"], 2);  // season_year 2023 only
  EXPECT_DOUBLE_EQ(p["season_ppg"].get<double>(), 27.0);
  EXPECT_DOUBLE_EQ(p["season_mpg"].get<double>(), 25.3);  // 50.5 / 2 = 25.25, half away
  EXPECT_DOUBLE_EQ(p["last_5_ppg"].get<double>(), 21.0);  // 24, 30, 9
  EXPECT_EQ(p["last_10_points"], (Json{24, 30, 9}));      // newest first (game_date)
  EXPECT_EQ(p["last_10_results"], (Json{"U", "O", "-"}));
  EXPECT_EQ(p["last_10_record"], "1-1");
  EXPECT_EQ(p["props"],
            (Json::array({Json{{"stat_type", "points"}, {"line", 28.5}, {"over_odds", 120}, {"under_odds", -115}}})));
  EXPECT_DOUBLE_EQ(p["prediction"]["predicted"].get<double>(), 31.0);
  EXPECT_DOUBLE_EQ(p["prediction"]["confidence"].get<double>(), 0.72);
  EXPECT_EQ(p["prediction"]["recommendation"], "OVER");
}

TEST(ExportTonight, ParsedWrittenOnceForTheNewestDateWithoutADateInThePath) {
  EXPECT_EQ(parse_type("tonight"), ExportType::kTonight);
  EXPECT_EQ(all_types().back(), ExportType::kLiveGrading);
  EXPECT_EQ(object_path(ExportType::kTonight, kDay), "v1/tonight/all-players.json");
  EXPECT_TRUE(alias_paths(ExportType::kTonight).empty());

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
  EXPECT_EQ(t.count, 9);
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
  EXPECT_EQ(parsed(j), parsed(expected)) << j.dump(2);
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
  EXPECT_EQ(parsed(j), parsed(expected)) << j.dump(2);
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
  EXPECT_EQ(parsed(game["players"][2]), parsed(expected_player));

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

// A live file whose nodes have the wrong type, or that is not JSON: a DataError
// naming the file, the record and the field (or the byte), without nlohmann's
// "[json.exception…]" tag (it said "cannot use value() with string" and nothing
// else).
TEST(ExportLive, WrongTypedNodesAndBadJsonNameTheFileRecordAndField) {
  TempDir dir;
  auto wh = open_warehouse((dir.path() / "wh").string());
  const auto message = [&](const std::string& name, const std::string& body) -> std::string {
    const auto file = dir.path() / name;
    std::ofstream(file) << body;
    BuildOptions o = fixed();
    o.live_file = file.string();
    try {
      (void)build_live(*wh, kDay, o);
    } catch (const DataError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find("[json.exception"), std::string::npos) << what;
      EXPECT_NE(what.find("live file " + file.string() + ": "), std::string::npos) << what;
      return what.substr(what.find(": ") + 2);
    }
    ADD_FAILURE() << name << " accepted";
    return "";
  };
  const std::string ok_team = R"({"abbreviation": "DAL", "players": []})";
  EXPECT_EQ(message("team.json", R"({"data": [{"id": 1, "date": "2024-01-15", "home_team": "BOS", "visitor_team": )" +
                                     ok_team + "}]}"),
            "record 0 field home_team is not an object");
  EXPECT_EQ(message("players.json", R"({"data": [{"id": 1, "date": "2024-01-15", "home_team": )" + ok_team +
                                        R"(, "visitor_team": {"abbreviation": "BOS", "players": {"a": 1}}}]})"),
            "record 0 field visitor_team.players is not a list");
  EXPECT_EQ(message("stat.json", R"({"data": [{"date": "2024-01-15"}, {"id": 2, "date": "2024-01-15", "home_team": )" +
                                     ok_team + R"(, "visitor_team": {"players": ["x"]}}]})"),
            "record 1 field visitor_team.players[0] is not an object");
  EXPECT_EQ(message("player.json", R"({"data": [{"id": 1, "date": "2024-01-15", "home_team": {"players": [)"
                                   R"({"player": 7, "pts": 3}]}}]})"),
            "record 0 field home_team.players[0].player is not an object");
  EXPECT_EQ(message("cut.json", "{\"data\": [\n"), "not valid JSON (parse error at byte 12)");
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
  EXPECT_EQ(parsed(j["summary"]), parsed(summary)) << j["summary"].dump(2);
}

// Each player_prop_predictions column live grading reads, given a value no
// other column of its row has, feeds its own field; the highest
// prediction_version wins, then the newest updated_at.
TEST(ExportLiveGrading, EachColumnFeedsItsOwnField) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table box(catalog::get("nba_raw.bdl_player_boxscores"));
  add_box(box, "other", "LAL", 30, "Final", 4, 1);
  store(*wh, box);
  Table pred(catalog::get("nba_predictions.player_prop_predictions"));
  auto add = [&](double predicted, int64_t version, const std::string& updated, bool has_line) {
    const size_t r = pred.add_row();
    pred.set(r, "system_id", "ensemble_v1");
    pred.set(r, "player_lookup", "solo");
    pred.set(r, "game_date", kDay);
    pred.set(r, "game_id", kGameA);
    pred.set(r, "predicted_points", predicted);
    pred.set(r, "confidence_score", 0.815);
    pred.set(r, "recommendation", "OVER");
    pred.set(r, "current_points_line", 22.5);
    pred.set(r, "line_source", "ACTUAL_PROP");
    pred.set(r, "has_prop_line", has_line);
    pred.set(r, "is_active", true);
    pred.set(r, "prediction_version", version);
    pred.set(r, "updated_at", updated);
  };
  add(24.4, 2, "2024-01-15T09:00:00Z", false);  // the active one
  add(30.0, 1, "2024-01-15T12:00:00Z", true);   // an older version, updated later
  add(10.0, 2, "2024-01-15T08:00:00Z", true);   // the same version, updated earlier
  store(*wh, pred);
  const Json j = build_live_grading(*wh, kDay, fixed());
  ASSERT_EQ(j["predictions"].size(), 1u);
  const Json& p = j["predictions"][0];
  EXPECT_EQ(p["player_lookup"], "solo");
  EXPECT_EQ(p["home_team"], "LAL");
  EXPECT_EQ(p["away_team"], "BOS");
  EXPECT_DOUBLE_EQ(p["predicted"].get<double>(), 24.4);
  EXPECT_DOUBLE_EQ(p["line"].get<double>(), 22.5);
  EXPECT_DOUBLE_EQ(p["confidence"].get<double>(), 0.815);
  EXPECT_EQ(p["recommendation"], "OVER");
  EXPECT_EQ(p["has_line"], false);
  EXPECT_EQ(p["line_source"], "ACTUAL_PROP");
  EXPECT_EQ(p["status"], "pending");
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

// ---------------------------------------------------------------------------
// The trends pages, tonight trend plays, tonight player pages and player
// profiles (issue 14). Every expected figure is worked out by hand in the
// comments next to the rows.
namespace {

/// One player_game_summary row; a result when @p line is set.
struct Pg {
  std::string player;
  Date day;
  std::optional<int64_t> points;
  std::optional<double> line;
  std::string team = "LAL", opp = "BOS";
  int64_t season = 2023;
  bool home = true;  // game_id YYYYMMDD_AWAY_HOME
  double minutes = 30.0;
  std::optional<int64_t> fgm, fga, tpm, tpa, ftm, fta;
  std::optional<bool> win;
};

void add_pg(Table& t, const Pg& g) {
  size_t r = t.add_row();
  t.set(r, "player_lookup", g.player);
  t.set(r, "player_full_name", "Name " + g.player);
  t.set(r, "game_id", g.day.compact() + "_" + (g.home ? g.opp + "_" + g.team : g.team + "_" + g.opp));
  t.set(r, "game_date", g.day);
  t.set(r, "season_year", g.season);
  t.set(r, "team_abbr", g.team);
  t.set(r, "opponent_team_abbr", g.opp);
  t.col("points").set_int(r, g.points);
  t.set(r, "minutes_played", g.minutes);
  t.col("points_line").set_real(r, g.line);
  t.col("fg_makes").set_int(r, g.fgm);
  t.col("fg_attempts").set_int(r, g.fga);
  t.col("three_pt_makes").set_int(r, g.tpm);
  t.col("three_pt_attempts").set_int(r, g.tpa);
  t.col("ft_makes").set_int(r, g.ftm);
  t.col("ft_attempts").set_int(r, g.fta);
  if (g.win) t.set(r, "win_flag", *g.win);
  if (g.line && g.points) {
    const double p = static_cast<double>(*g.points);
    t.set(r, "over_under_result", std::string(p > *g.line ? "OVER" : p < *g.line ? "UNDER" : "PUSH"));
  }
}

/// One team_offense_game_summary row.
void add_team_game(Table& t, const std::string& team, Date day, bool home, int64_t points, double pace) {
  size_t r = t.add_row();
  t.set(r, "game_id", day.compact() + (home ? "_XXX_" + team : "_" + team + "_XXX"));
  t.set(r, "game_date", day);
  t.set(r, "team_abbr", team);
  t.set(r, "opponent_team_abbr", std::string("XXX"));
  t.set(r, "season_year", int64_t{2023});
  t.set(r, "home_game", home);
  t.set(r, "points_scored", points);
  t.set(r, "pace", pace);
}

void add_defense(Table& t, const std::string& team, Date day, double paint, double three, double opp_ppg,
                 double rating = 110.0) {
  size_t r = t.add_row();
  t.set(r, "team_abbr", team);
  t.set(r, "analysis_date", day);
  t.set(r, "paint_pct_allowed_last_15", paint);
  t.set(r, "three_pt_pct_allowed_last_15", three);
  t.set(r, "opponent_points_per_game", opp_ppg);
  t.set(r, "defensive_rating_last_15", rating);
}

/// Tonight: BOS @ LAL at 10:30 PM ET.
void schedule_tonight(Warehouse& wh) {
  Table sched(catalog::get("nba_raw.nbac_schedule"));
  add_schedule(sched, "0022300600", "BOS", "LAL", std::string("2024-01-15T22:30:00"));
  store(wh, sched);
}

}  // namespace

TEST(ExportBounceBack, CandidatesRatesSignificanceAndBaselineHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table g(catalog::get("nba_analytics.player_game_summary"));
  // a, season 2022: 5, 30, 5, 20, 5, 29 → after each 5 a bad game (the season
  // average below is 28.18, 28.18 − 5 ≥ 10): 30 and 29 bounce (≥ 28.18), 20 not
  // → rate 2/3 = 0.667 over 3.
  const int64_t old[] = {5, 30, 5, 20, 5, 29};
  for (int i = 0; i < 6; ++i) add_pg(g, {"a", Date::from_ymd(2023, 1, 1) + i, old[i], 20.0, "LAL", "BOS", 2022});
  // a, season 2023: ten 30s then 10 on the as-of date: avg 310/11 = 28.18 →
  // shortfall 18.18 → 18.2, season average 28.2.
  for (int i = 10; i >= 1; --i) add_pg(g, {"a", kDay - i, 30, 20.0});
  add_pg(g, {"a", kDay, 10, 20.0});
  // A later game (a bounce after the 10) must not count (DECISION 1).
  add_pg(g, {"a", kDay + 1, 50, 20.0});
  // b (MIA, not playing tonight): nine 20s then 5 → avg 18.5, shortfall 13.5,
  // no history → rate 0.5 (default), sample 0, low; listed after a.
  for (int i = 9; i >= 1; --i) add_pg(g, {"b", kDay - i, 20, 20.0, "MIA", "ATL"});
  add_pg(g, {"b", kDay, 5, 20.0, "MIA", "ATL"});
  // c: nine games only; d: the last game 7.2 under its average.
  for (int i = 8; i >= 0; --i) add_pg(g, {"c", kDay - i, i == 0 ? 1 : 30, 20.0});
  for (int i = 9; i >= 0; --i) add_pg(g, {"d", kDay - i, i == 0 ? 17 : 25, 20.0});
  store(*wh, g);
  schedule_tonight(*wh);

  const Json j = build_bounce_back(*wh, kDay, fixed());
  const nlohmann::json expected = nlohmann::json::parse(R"J({
    "generated_at": "2024-01-16T08:00:00.000000Z", "as_of_date": "2024-01-15", "shortfall_threshold": 10,
    "total_candidates": 2,
    "bounce_back_candidates": [
      {"player_lookup": "a", "player_full_name": "Name a", "team_abbr": "LAL",
       "last_game": {"date": "2024-01-15", "result": 10, "opponent": "BOS", "margin": -18.2},
       "season_average": 28.2, "shortfall": 18.2, "bounce_back_rate": 0.667, "bounce_back_sample": 3,
       "significance": "low", "rank": 1, "playing_tonight": true,
       "tonight": {"opponent": "BOS", "game_time": "10:30 PM ET", "home": true}},
      {"player_lookup": "b", "player_full_name": "Name b", "team_abbr": "MIA",
       "last_game": {"date": "2024-01-15", "result": 5, "opponent": "ATL", "margin": -13.5},
       "season_average": 18.5, "shortfall": 13.5, "bounce_back_rate": 0.5, "bounce_back_sample": 0,
       "significance": "low", "rank": 2, "playing_tonight": false, "tonight": null}],
    "league_baseline": {"avg_bounce_back_rate": 0.667, "sample_size": 3}})J");
  // League: a's average over every season ≥ 2021 is 404/17 = 23.76: the same
  // three bad games, two bounces; b, c, d have none.
  EXPECT_EQ(parsed(j), expected) << j.dump(2);
  EXPECT_EQ(j.begin().key(), "generated_at");
}

TEST(ExportWhatMatters, ArchetypesFactorsExamplesAndInsightsHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table g(catalog::get("nba_analytics.player_game_summary"));
  Table togs(catalog::get("nba_analytics.team_offense_game_summary"));
  // s (LAL): 102 games every 3 days (rest 2 → "rested"), home when i is even.
  // Home games: 30 points (OVER of 25.5) when i % 4 == 0, else 20 (UNDER): 26 of
  // 51 OVER = 51.0%; away games: 30, 51 of 51 = 100.0%. Average 2810/102 =
  // 27.5 → star. Overall 77/102 = 75.5%; rested excludes the oldest game (an
  // away OVER): 76/101 = 75.2%.
  for (int i = 0; i < 102; ++i) {
    const bool home = i % 2 == 0;
    add_pg(g, {"s", kDay - 3 * i, home && i % 4 != 0 ? 20 : 30, 25.5, "LAL", "BOS", 2023, home});
    add_team_game(togs, "LAL", kDay - 3 * i, home, 110, 100.0);
  }
  // r (MIA, no team rows → no home/away): 21 daily games of 4 points (UNDER):
  // role player, 0.0%, b2b 20 games at 0.0%.
  for (int i = 0; i < 21; ++i) add_pg(g, {"r", kDay - i, 4, 5.5, "MIA", "ATL"});
  // x: 19 games → no archetype (≥ 20 needed), 19 ≥ 10 → an example (scorer, 16).
  for (int i = 0; i < 19; ++i) add_pg(g, {"x", kDay - i, 16, std::nullopt, "ATL", "MIA"});
  store(*wh, g);
  store(*wh, togs);

  const Json j = build_what_matters(*wh, kDay, fixed());
  const nlohmann::json expected = nlohmann::json::parse(R"J({
    "generated_at": "2024-01-16T08:00:00.000000Z", "as_of_date": "2024-01-15",
    "archetypes": {
      "star": {"description": "22+ PPG stars", "player_count": 1, "example_players": ["Name s"],
               "overall_over_pct": 75.5,
               "factors": {"rest": {"rested": {"games": 101, "over_pct": 75.2}},
                           "home_away": {"home": {"games": 51, "over_pct": 51.0},
                                         "away": {"games": 51, "over_pct": 100.0}}}},
      "scorer": {"description": "15-22 PPG scorers", "player_count": 0, "example_players": ["Name x"],
                 "overall_over_pct": null, "factors": {"rest": {}, "home_away": {}}},
      "rotation": {"description": "8-15 PPG rotation", "player_count": 0, "example_players": [],
                   "overall_over_pct": null, "factors": {"rest": {}, "home_away": {}}},
      "role_player": {"description": "Under 8 PPG role players", "player_count": 1, "example_players": ["Name r"],
                      "overall_over_pct": 0.0,
                      "factors": {"rest": {"b2b": {"games": 20, "over_pct": 0.0}}, "home_away": {}}}},
    "key_insights": [
      "Stars significantly outperform role players (75.5% vs 0.0% hit rate)",
      "Stars perform better at road (100.0% vs 51.0%)"]})J");
  EXPECT_EQ(parsed(j), expected) << j.dump(2);
}

TEST(ExportTeamTendencies, PaceDefenseHomeAwayAndBackToBackHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table togs(catalog::get("nba_analytics.team_offense_game_summary"));
  // LAL: 12 games every 2 days, pace 100; home (i even) 120, away 100 → avg
  // 110.0; home 120.0 − away 100.0 = 20.0; no back-to-backs.
  for (int i = 0; i < 12; ++i) add_team_game(togs, "LAL", kDay - 2 * i, i % 2 == 0, i % 2 == 0 ? 120 : 100, 100.0);
  // BOS: away at −25, −22, …, −10 (100 points), home at −5 … 0 (90), pace 96 →
  // avg 95.0; home 90.0 − away 100.0 = −10.0. Gaps: five of 1 day (the home
  // run after −5: 90 each) and six > 1 (five away 100s and −5's 90): 590/6 =
  // 98.33 → b2b impact 90 − 98.33 = −8.3.
  for (int j = 0; j < 6; ++j) add_team_game(togs, "BOS", kDay - 25 + 3 * j, false, 100, 96.0);
  for (int i = 5; i >= 0; --i) add_team_game(togs, "BOS", kDay - i, true, 90, 96.0);
  // MIA: 4 games only (pace needs 5).
  for (int i = 0; i < 4; ++i) add_team_game(togs, "MIA", kDay - i, true, 100, 110.0);
  store(*wh, togs);
  Table tdza(catalog::get("nba_precompute.team_defense_zone_analysis"));
  for (int i = 0; i < 5; ++i) {
    add_defense(tdza, "LAL", kDay - i, 0.55, 0.36, 110.0);
    add_defense(tdza, "BOS", kDay - i, 0.60, 0.34, 105.0);
  }
  for (int i = 0; i < 4; ++i) add_defense(tdza, "MIA", kDay - i, 0.40, 0.30, 100.0);  // 4 rows: left out
  store(*wh, tdza);

  const Json j = build_team_tendencies(*wh, kDay, fixed());
  const nlohmann::json expected = nlohmann::json::parse(R"J({
    "generated_at": "2024-01-16T08:00:00.000000Z", "as_of_date": "2024-01-15",
    "pace": {
      "kings": [
        {"team": "LAL", "pace": 100.0, "games": 12, "avg_points": 110.0, "vs_league": 2.0,
         "insight": "High-scoring environment"},
        {"team": "BOS", "pace": 96.0, "games": 12, "avg_points": 95.0, "vs_league": -2.0,
         "insight": "High-scoring environment"}],
      "grinders": [
        {"team": "BOS", "pace": 96.0, "games": 12, "avg_points": 95.0, "vs_league": -2.0,
         "insight": "Slower, grind-it-out games"},
        {"team": "LAL", "pace": 100.0, "games": 12, "avg_points": 110.0, "vs_league": 2.0,
         "insight": "Slower, grind-it-out games"}],
      "league_average": 98.0},
    "defense_by_zone": {
      "paint": {
        "best": [{"team": "LAL", "dfg_pct": 55.0, "opp_ppg": 110.0, "games": 5,
                  "insight": "Tough interior D - avoid paint scorers"},
                 {"team": "BOS", "dfg_pct": 60.0, "opp_ppg": 105.0, "games": 5,
                  "insight": "Tough interior D - avoid paint scorers"}],
        "worst": [{"team": "BOS", "dfg_pct": 60.0, "opp_ppg": 105.0, "games": 5,
                   "insight": "Weak interior D - target paint scorers"},
                  {"team": "LAL", "dfg_pct": 55.0, "opp_ppg": 110.0, "games": 5,
                   "insight": "Weak interior D - target paint scorers"}]},
      "perimeter": {
        "best": [{"team": "BOS", "dfg_pct": 34.0, "opp_ppg": 105.0, "games": 5,
                  "insight": "Tough perimeter D - avoid shooters"},
                 {"team": "LAL", "dfg_pct": 36.0, "opp_ppg": 110.0, "games": 5,
                  "insight": "Tough perimeter D - avoid shooters"}],
        "worst": [{"team": "LAL", "dfg_pct": 36.0, "opp_ppg": 110.0, "games": 5,
                   "insight": "Weak perimeter D - target shooters"},
                  {"team": "BOS", "dfg_pct": 34.0, "opp_ppg": 105.0, "games": 5,
                   "insight": "Weak perimeter D - target shooters"}]}},
    "home_away": {
      "home_dominant": [
        {"team": "LAL", "home_ppg": 120.0, "away_ppg": 100.0, "differential": 20.0,
         "insight": "Much better at home - boost home player props"},
        {"team": "BOS", "home_ppg": 90.0, "away_ppg": 100.0, "differential": -10.0,
         "insight": "Much better at home - boost home player props"}],
      "road_warriors": [
        {"team": "BOS", "home_ppg": 90.0, "away_ppg": 100.0, "differential": -10.0,
         "insight": "Consistent on the road - props less venue-dependent"},
        {"team": "LAL", "home_ppg": 120.0, "away_ppg": 100.0, "differential": 20.0,
         "insight": "Consistent on the road - props less venue-dependent"}]},
    "back_to_back": {
      "vulnerable": [{"team": "BOS", "b2b_ppg": 90.0, "rested_ppg": 98.3, "impact": -8.3, "b2b_games": 5,
                      "insight": "Struggles on back-to-backs - fade player props"}],
      "resilient": [{"team": "BOS", "b2b_ppg": 90.0, "rested_ppg": 98.3, "impact": -8.3, "b2b_games": 5,
                     "insight": "Handles B2B well - props less affected by schedule"}]}})J");
  EXPECT_EQ(parsed(j), expected) << j.dump(2);
}

TEST(ExportQuickHits, DayRestLocationAndTierStatsRankedHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table g(catalog::get("nba_analytics.player_game_summary"));
  Table togs(catalog::get("nba_analytics.team_offense_game_summary"));
  // Ten LAL players on the 13 Mondays (home) and 12 Wednesdays (away) of the
  // window. Mondays: players 0–5 OVER (25 vs 20.5), 6–9 UNDER (15): 78/130 =
  // 60.0%. Wednesdays: players 0–3 OVER: 48/120 = 40.0%. Day average 50.0.
  // Rest: Monday → Wednesday is 1 rest day (120 games, 40.0%), Wednesday →
  // Monday 4 (the 12 later Mondays: 72/120 = 60.0%); overall 120/240 = 50.0.
  // Tiers (average points): players 0–3 25 → stars (100/100 = 100.0%), 4–5
  // 20.2 and 6–9 15 → scorers (26/150 = 17.3%); overall 126/250 = 50.4.
  for (int k = 0; k <= 12; ++k) {
    const Date monday = kDay - 7 * k;
    add_team_game(togs, "LAL", monday, true, 110, 100.0);
    for (int p = 0; p < 10; ++p) add_pg(g, {"p" + std::to_string(p), monday, p < 6 ? 25 : 15, 20.5});
  }
  for (int k = 0; k <= 11; ++k) {
    const Date wednesday = kDay - 5 - 7 * k;
    add_team_game(togs, "LAL", wednesday, false, 110, 100.0);
    for (int p = 0; p < 10; ++p) add_pg(g, {"p" + std::to_string(p), wednesday, p < 4 ? 25 : 15, 20.5});
  }
  store(*wh, g);
  store(*wh, togs);

  const Json j = build_quick_hits(*wh, kDay, fixed());
  const nlohmann::json expected = nlohmann::json::parse(R"J({
    "generated_at": "2024-01-16T08:00:00.000000Z", "as_of_date": "2024-01-15",
    "stats": [
      {"id": "stars_overs", "category": "player_type", "headline": "Star Power", "stat": "100.0%",
       "description": "OVER hit rate for 22+ PPG stars", "sample_size": 100, "trend": "positive",
       "context": "vs 50.4% overall (+49.6%)"},
      {"id": "scorers_overs", "category": "player_type", "headline": "Secondary Scorers", "stat": "17.3%",
       "description": "OVER hit rate for 15-22 PPG players", "sample_size": 150, "trend": "negative",
       "context": "vs 50.4% overall (-33.1%)"},
      {"id": "monday_overs", "category": "day_of_week", "headline": "Monday Surge", "stat": "60.0%",
       "description": "OVER hit rate on Mondays", "sample_size": 130, "trend": "positive",
       "context": "vs 50.0% overall (+10.0%)"},
      {"id": "wednesday_overs", "category": "day_of_week", "headline": "Wednesday Slump", "stat": "40.0%",
       "description": "OVER hit rate on Wednesdays", "sample_size": 120, "trend": "negative",
       "context": "vs 50.0% overall (-10.0%)"},
      {"id": "one_day_overs", "category": "situational", "headline": "Standard Rest", "stat": "40.0%",
       "description": "OVER hit rate with 1 day rest", "sample_size": 120, "trend": "negative",
       "context": "vs 50.0% overall (-10.0%)"},
      {"id": "rested_overs", "category": "situational", "headline": "Fresh Legs", "stat": "60.0%",
       "description": "OVER hit rate with 2+ days rest", "sample_size": 120, "trend": "positive",
       "context": "vs 50.0% overall (+10.0%)"},
      {"id": "home_away_split", "category": "situational", "headline": "Home Court Advantage", "stat": "60.0%",
       "description": "OVER hit rate for home players", "sample_size": 250, "trend": "positive",
       "context": "vs 40.0% away (20.0% gap)"}],
    "total_available": 7, "refresh_note": "Stats refresh every Wednesday"})J");
  EXPECT_EQ(parsed(j), expected) << j.dump(2);
}

TEST(ExportDeepDive, MonthTopicsRestHeroStatAndMonthlyFallbackHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table g(catalog::get("nba_analytics.player_game_summary"));
  // January: the fallback hero stat is the month's OVER rate: 3 of 4 → 75%.
  for (int i = 0; i < 4; ++i) add_pg(g, {"j", kDay - i, i == 0 ? 10 : 30, 20.5});
  add_pg(g, {"j", Date::from_ymd(2023, 12, 31), 10, 20.5});  // December: not this month
  // December 20: x's games at −10, −9, −8, −5, −2, 0: rest 0 (UNDER, OVER),
  // then 2, 2 (OVER, OVER) and 1 (UNDER) → rested 2/2 = 100%, b2b 1/2 = 50%.
  const Date dec = Date::from_ymd(2023, 12, 20);
  const int offsets[] = {10, 9, 8, 5, 2, 0};
  const int64_t points[] = {30, 10, 30, 30, 30, 10};
  for (int i = 0; i < 6; ++i) add_pg(g, {"x", dec - offsets[i], points[i], 20.5});
  store(*wh, g);

  const Json jan = build_deep_dive(*wh, kDay, fixed());
  const nlohmann::json expected_jan = nlohmann::json::parse(R"J({
    "generated_at": "2024-01-16T08:00:00.000000Z", "month": "January 2024", "title": "The January Effect",
    "subtitle": "How post-holiday schedules impact player performance",
    "hero_stat": {"value": "75%", "label": "League-wide OVER rate this month", "context": "Based on points props"},
    "teaser": "January brings the densest part of the NBA schedule. We analyzed how teams handle the grind and which players thrive under pressure.",
    "slug": "schedule-density-january-2024", "cta": "Read the full analysis"})J");
  EXPECT_EQ(parsed(jan), expected_jan) << jan.dump(2);

  const Json december = build_deep_dive(*wh, dec, fixed());
  EXPECT_EQ(december["title"], "December Deep Dive");
  EXPECT_EQ(december["slug"], "rest-impact-december-2023");
  EXPECT_EQ(parsed(december["hero_stat"]),
            nlohmann::json::parse(R"J({"value": "100%", "label": "OVER rate on 2+ rest days",
                            "context": "vs 50% on back-to-backs (+50.0%)"})J"));
  // July: December's topic (no topic of its own); no games → the month's rate
  // is unknown.
  const Json july = build_deep_dive(*wh, Date::from_ymd(2024, 7, 4), fixed());
  EXPECT_EQ(july["slug"], "rest-impact-july-2024");
  EXPECT_EQ(parsed(july["hero_stat"]),
            nlohmann::json::parse(R"J({"value": null, "label": "League-wide OVER rate this month",
                            "context": "No graded points props this month"})J"));
}

TEST(ExportTonightTrendPlays, StreakMomentumAndRestPlaysHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table g(catalog::get("nba_analytics.player_game_summary"));
  // st (LAL): OVER in the 5 days before (25 vs 20.5): streak 5 (high), margin
  // 4.5, L10 hit rate 1.0. Tired (last game yesterday) but his b2b average
  // equals his average → no rest play.
  for (int i = 1; i <= 5; ++i) add_pg(g, {"st", kDay - i, 25, 20.5});
  // mo (BOS, no lines): 30 in the last 5 games, 15 in the 10 before: L5 30 vs
  // L15 20 → +50.0% (high), +10.0 points.
  for (int i = 1; i <= 15; ++i) add_pg(g, {"mo", kDay - i, i <= 5 ? 30 : 15, std::nullopt, "BOS", "LAL"});
  // re (LAL, no lines): 30s every 4 days from −80 to −60, 10s on −59 … −55,
  // then 30 on −4 (4 days of rest → fresh). Rested rows 6 (30), b2b 5 (10),
  // overall 230/11 = 20.9; impact 30 − 10 = 20.0 → over; 6 games → medium.
  for (int i = 80; i >= 60; i -= 4) add_pg(g, {"re", kDay - i, 30, std::nullopt});
  for (int i = 59; i >= 55; --i) add_pg(g, {"re", kDay - i, 10, std::nullopt});
  add_pg(g, {"re", kDay - 4, 30, std::nullopt});
  // tr (MIA) does not play tonight; old (BOS) streaked more than 30 days ago;
  // games on the date itself never count.
  for (int i = 1; i <= 5; ++i) add_pg(g, {"tr", kDay - i, 25, 20.5, "MIA", "ATL"});
  for (int i = 31; i <= 35; ++i) add_pg(g, {"old", kDay - i, 25, 20.5, "BOS", "LAL"});
  add_pg(g, {"st", kDay, 5, 20.5});
  store(*wh, g);
  schedule_tonight(*wh);

  const Json j = build_tonight_trend_plays(*wh, kDay, fixed());
  const nlohmann::json expected = nlohmann::json::parse(R"J({
    "generated_at": "2024-01-16T08:00:00.000000Z", "game_date": "2024-01-15", "games_tonight": 1,
    "total_trend_plays": 3,
    "trend_plays": [
      {"player_lookup": "st", "player_full_name": "Name st", "team_abbr": "LAL", "position": null,
       "trend_type": "streak", "trend_direction": "over",
       "trend_details": {"streak_length": 5, "avg_margin": 4.5, "hit_rate_l10": 1.0}, "confidence": "high",
       "tonight": {"opponent": "BOS", "game_time": "10:30 PM ET", "home": true}},
      {"player_lookup": "mo", "player_full_name": "Name mo", "team_abbr": "BOS", "position": null,
       "trend_type": "momentum", "trend_direction": "over",
       "trend_details": {"momentum_type": "surging", "l5_avg": 30.0, "l15_avg": 20.0, "pct_change": 50.0,
                         "ppg_change": 10.0},
       "confidence": "high", "tonight": {"opponent": "LAL", "game_time": "10:30 PM ET", "home": false}},
      {"player_lookup": "re", "player_full_name": "Name re", "team_abbr": "LAL", "position": null,
       "trend_type": "rest", "trend_direction": "over",
       "trend_details": {"rest_status": "fresh", "days_rest": 4, "rested_avg": 30.0, "b2b_avg": 10.0,
                         "overall_avg": 20.9, "rest_impact": 20.0, "sample_games": 6},
       "confidence": "medium", "tonight": {"opponent": "BOS", "game_time": "10:30 PM ET", "home": true}}],
    "by_trend_type": {"streak": 1, "momentum": 1, "rest": 1}})J");
  EXPECT_EQ(parsed(j), expected) << j.dump(2);
  // No games on the date: the empty page.
  const Json none = build_tonight_trend_plays(*wh, kDay + 1, fixed());
  EXPECT_EQ(none["games_tonight"], 0);
  EXPECT_EQ(none["trend_plays"], Json::array());
  EXPECT_EQ(parsed(none["by_trend_type"]), nlohmann::json::parse(R"J({"streak": 0, "momentum": 0, "rest": 0})J"));
}

TEST(ExportTonightPlayers, OneFilePerRosterPlayerHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table ctx(catalog::get("nba_analytics.upcoming_player_game_context"));
  for (const char* p : {"tp", "np"}) {
    size_t r = ctx.add_row();
    ctx.set(r, "player_lookup", p);
    ctx.set(r, "game_id", kGameA);
    ctx.set(r, "game_date", kDay);
    ctx.set(r, "team_abbr", "LAL");
    ctx.set(r, "opponent_team_abbr", "BOS");
    ctx.set(r, "home_game", true);
    ctx.set(r, "days_rest", int64_t{3});
    ctx.set(r, "back_to_back", false);
  }
  store(*wh, ctx);
  Table g(catalog::get("nba_analytics.player_game_summary"));
  // tp, season 2023, before the date (rest 3 days between games):
  //   −13 home BOS 16 (UNDER 18.5) · −10 home BOS 20 (OVER 18.5)
  //   −7 away MIA 10 (UNDER 18.5) · −4 home BOS 24 (OVER 19.5)
  add_pg(g, {.player = "tp",
             .day = kDay - 13,
             .points = 16,
             .line = 18.5,
             .fgm = 6,
             .fga = 14,
             .tpm = 1,
             .tpa = 4,
             .ftm = 3,
             .fta = 4});
  add_pg(g, {.player = "tp",
             .day = kDay - 10,
             .points = 20,
             .line = 18.5,
             .fgm = 8,
             .fga = 15,
             .tpm = 2,
             .tpa = 5,
             .ftm = 2,
             .fta = 2});
  add_pg(g, {.player = "tp",
             .day = kDay - 7,
             .points = 10,
             .line = 18.5,
             .opp = "MIA",
             .home = false,
             .minutes = 28.0,
             .fgm = 4,
             .fga = 12,
             .tpm = 0,
             .tpa = 0,
             .ftm = 2,
             .fta = 4});
  add_pg(g, {.player = "tp",
             .day = kDay - 4,
             .points = 24,
             .line = 19.5,
             .minutes = 32.0,
             .fgm = 9,
             .fga = 16,
             .tpm = 3,
             .tpa = 6,
             .ftm = 3,
             .fta = 3});
  add_pg(g, {.player = "tp", .day = kDay, .points = 50, .line = 19.5});  // the date itself: never read
  store(*wh, g);
  Table preds(catalog::get("nba_predictions.player_prop_predictions"));
  add_prediction(preds, "tp", kGameA, "ensemble_v1", 21.5, 0.72, "OVER", "2024-01-15T10:00:00Z");
  add_prediction(preds, "tp", kGameA, "xgboost_v1", 30.0, 0.9, "OVER", "2024-01-15T11:00:00Z");
  preds.set(0, "current_points_line", 19.5);
  preds.set(0, "line_margin", 2.0);
  preds.set(0, "pace_adjustment", 0.5);
  preds.set(0, "similar_games_count", int64_t{12});
  store(*wh, preds);
  Table pcf(catalog::get("nba_precompute.player_composite_factors"));
  add_fatigue(pcf, "tp", 70);
  pcf.set(0, "fatigue_context_json", R"J({"games_last_7": 3})J");
  store(*wh, pcf);
  Table inj(catalog::get("nba_raw.nbac_injury_report"));
  add_injury(inj, "tp", kDay - 1, 17, "Out", "Rest");
  add_injury(inj, "tp", kDay, 17, "Questionable", "Ankle");
  store(*wh, inj);
  Table tdza(catalog::get("nba_precompute.team_defense_zone_analysis"));
  // Newest rows ≤ the date: MIA 100.0, BOS 105.5, LAL 112.0 → BOS ranks #2
  // (elite); BOS's older 99.0 and a later 90.0 are not its newest ≤ D.
  add_defense(tdza, "BOS", kDay - 5, 0.5, 0.3, 99.0);
  add_defense(tdza, "BOS", kDay, 0.5, 0.3, 105.5, 110.2);
  add_defense(tdza, "BOS", kDay + 1, 0.5, 0.3, 90.0);
  add_defense(tdza, "MIA", kDay, 0.5, 0.3, 100.0);
  add_defense(tdza, "LAL", kDay, 0.5, 0.3, 112.0);
  store(*wh, tdza);

  const Json files = build(*wh, ExportType::kTonightPlayers, kDay, fixed());
  ASSERT_EQ(files.size(), 2u) << files.dump(2);
  const Json& tp = files.at("v1/tonight/player/tp.json");
  // Season: 70/4 = 17.5 points, 30.0 minutes. Home 3 games 60/3 = 20.0 with 2
  // of 3 OVER; vs BOS the same; rested (gap ≥ 2): the last three, 54/3 = 18.0,
  // 2 of 3 OVER.
  const nlohmann::json expected = nlohmann::json::parse(R"J({
    "player_lookup": "tp", "player_full_name": "Name tp", "game_date": "2024-01-15",
    "generated_at": "2024-01-16T08:00:00.000000Z", "games_played": 4, "limited_data": true,
    "game_context": {"game_id": "20240115_BOS_LAL", "opponent": "BOS", "home_game": true, "team_abbr": "LAL",
                     "line": 19.5, "days_rest": 3, "is_back_to_back": false, "injury_status": "Questionable",
                     "injury_reason": "Ankle"},
    "quick_numbers": {"season_ppg": 17.5, "season_mpg": 30.0, "games_played": 4, "last_10_ppg": 17.5,
                      "last_10_mpg": 30.0, "last_5_ppg": 17.5, "last_5_mpg": 30.0},
    "fatigue": {"score": 70.0, "level": "tired", "context": "{\"games_last_7\": 3}"},
    "current_streak": {"type": "over", "length": 1},
    "tonights_factors": [
      {"factor": "location", "direction": "neutral", "vs_line_pct": 0.667,
       "description": "Averages 20.0 on the home (3 games), 67% OVER"},
      {"factor": "vs_opponent", "direction": "neutral", "vs_line_pct": 0.667,
       "description": "Averages 20.0 vs BOS (3 games), 67% OVER"},
      {"factor": "well_rested", "direction": "positive", "vs_line_pct": 0.667,
       "description": "3 days rest: averages 18.0 when rested, 67% OVER"},
      {"factor": "fatigue", "direction": "negative", "description": "Elevated fatigue (score: 70.0)"},
      {"factor": "opponent_defense", "direction": "negative", "defense_rank": 2, "defense_tier": "elite",
       "ppg_allowed": 105.5, "description": "vs BOS (elite defense, #2, allows 105.5 PPG)"}],
    "recent_form": [
      {"game_date": "2024-01-11", "opponent": "BOS", "home_game": true, "points": 24, "minutes": 32.0,
       "fg": "9/16", "three": "3/6", "ft": "3/3", "over_under": "OVER", "line": 19.5, "margin": 4},
      {"game_date": "2024-01-08", "opponent": "MIA", "home_game": false, "points": 10, "minutes": 28.0,
       "fg": "4/12", "three": null, "ft": "2/4", "over_under": "UNDER", "line": 18.5, "margin": -8},
      {"game_date": "2024-01-05", "opponent": "BOS", "home_game": true, "points": 20, "minutes": 30.0,
       "fg": "8/15", "three": "2/5", "ft": "2/2", "over_under": "OVER", "line": 18.5, "margin": 1},
      {"game_date": "2024-01-02", "opponent": "BOS", "home_game": true, "points": 16, "minutes": 30.0,
       "fg": "6/14", "three": "1/4", "ft": "3/4", "over_under": "UNDER", "line": 18.5, "margin": -2}],
    "prediction": {"predicted_points": 21.5, "confidence_score": 0.72, "recommendation": "OVER", "line": 19.5,
                   "edge": 2.0, "pace_adjustment": 0.5, "similar_games": 12}})J");
  EXPECT_EQ(parsed(tp), expected) << tp.dump(2);
  // np: no history, prediction, fatigue row or injury report.
  const Json& np = files.at("v1/tonight/player/np.json");
  EXPECT_EQ(np["player_full_name"], "np");
  EXPECT_EQ(np["game_context"]["injury_status"], "available");
  EXPECT_EQ(parsed(np["fatigue"]), nlohmann::json::parse(R"J({"score": null, "level": "normal", "context": null})J"));
  EXPECT_EQ(np["prediction"], nullptr);
  EXPECT_EQ(np["games_played"], 0);
  EXPECT_EQ(parsed(np["current_streak"]), nlohmann::json::parse(R"J({"type": null, "length": 0})J"));
  // Only the defense factor is left for np.
  ASSERT_EQ(np["tonights_factors"].size(), 1u);
  EXPECT_EQ(np["tonights_factors"][0]["factor"], "opponent_defense");
}

TEST(ExportPlayers, IndexProfilesTrackRecordSplitsAndNextGameHandChecked) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Table pa(catalog::get("nba_predictions.prediction_accuracy"));
  // pp: 5 OVER picks (25 vs 22.5) with actuals 27, 30, 20, 26, 28: 4 wins;
  // errors 2, 5, 5, 1, 3 → MAE 3.2; signed −2, −5, 5, −1, −3 → bias −1.2;
  // within 3: 3 of 5, within 5: all.
  const int64_t actual[] = {27, 30, 20, 26, 28};
  for (int i = 0; i < 5; ++i) add_accuracy(pa, {.player = "pp", .actual = actual[i], .day = kDay - 4 + i});
  // q: 3 graded dates (index only); z: 2 (neither); another system's rows are
  // ignored.
  for (int i = 0; i < 3; ++i) add_accuracy(pa, {.player = "q", .rec = "PASS", .day = kDay - i, .team = "BOS"});
  for (int i = 0; i < 2; ++i) add_accuracy(pa, {.player = "z", .day = kDay - i});
  for (int i = 0; i < 6; ++i) add_accuracy(pa, {.player = "z", .system = "xgboost_v1", .day = kDay - 10 - i});
  store(*wh, pa);
  Table g(catalog::get("nba_analytics.player_game_summary"));
  // pp: −6 home BOS 20 (OVER 18.5), −5 away MIA 12 (UNDER, back-to-back),
  // −2 home BOS 26 (OVER 20.5, 3 days → two_day).
  add_pg(g, {.player = "pp", .day = kDay - 6, .points = 20, .line = 18.5, .win = true});
  add_pg(g, {.player = "pp", .day = kDay - 5, .points = 12, .line = 18.5, .opp = "MIA", .home = false, .win = false});
  add_pg(g, {.player = "pp",
             .day = kDay - 2,
             .points = 26,
             .line = 20.5,
             .minutes = 33.5,
             .fgm = 10,
             .fga = 18,
             .tpm = 2,
             .tpa = 6,
             .ftm = 4,
             .fta = 5,
             .win = true});
  g.set(2, "offensive_rebounds", int64_t{2});
  g.set(2, "defensive_rebounds", int64_t{5});
  g.set(2, "assists", int64_t{5});
  g.set(2, "steals", int64_t{1});
  g.set(2, "blocks", int64_t{0});
  g.set(2, "turnovers", int64_t{2});
  store(*wh, g);
  // Next games: +5 and +2 (the earliest, predicted); a past one is not next.
  Table ctx(catalog::get("nba_analytics.upcoming_player_game_context"));
  for (int off : {5, 2, -1}) {
    size_t r = ctx.add_row();
    ctx.set(r, "player_lookup", "pp");
    ctx.set(r, "game_id", (kDay + off).compact() + "_BOS_LAL");
    ctx.set(r, "game_date", kDay + off);
    ctx.set(r, "team_abbr", "LAL");
    ctx.set(r, "opponent_team_abbr", "BOS");
    ctx.set(r, "home_game", true);
  }
  store(*wh, ctx);
  Table preds(catalog::get("nba_predictions.player_prop_predictions"));
  add_prediction(preds, "pp", "x", "ensemble_v1", 25.0, 0.7, "OVER", "2024-01-15T10:00:00Z");
  preds.set(0, "game_date", kDay + 2);
  store(*wh, preds);

  BuildOptions o = fixed();
  const Json files = build(*wh, ExportType::kPlayers, kDay, o);
  ASSERT_EQ(files.size(), 2u) << files.dump(2);  // the index and pp (5 ≥ 5 games)
  const nlohmann::json index =
      nlohmann::json::parse(R"J({"generated_at": "2024-01-16T08:00:00.000000Z", "total_players": 2, "players": [
    {"player_lookup": "pp", "player_full_name": "Name pp", "team": "LAL", "games_predicted": 5,
     "recommendations": 5, "mae": 3.2, "win_rate": 0.8, "bias": -1.2, "within_5_pct": 1.0},
    {"player_lookup": "q", "player_full_name": "q", "team": "BOS", "games_predicted": 3, "recommendations": 0,
     "mae": 2.0, "win_rate": null, "bias": -2.0, "within_5_pct": 1.0}]})J");
  EXPECT_EQ(parsed(files.at("v1/players/index.json")), index) << files.at("v1/players/index.json").dump(2);
  const nlohmann::json expected = nlohmann::json::parse(R"J({
    "player_lookup": "pp", "player_full_name": "Name pp", "generated_at": "2024-01-16T08:00:00.000000Z",
    "summary": {"team": "LAL", "games_predicted": 5, "total_recommendations": 5, "correct": 4, "mae": 3.2,
                "win_rate": 0.8, "bias": -1.2, "avg_confidence": 0.75, "within_3_pct": 0.6, "within_5_pct": 1.0,
                "date_range": {"first": "2024-01-11", "last": "2024-01-15"}},
    "interpretation": {"bias": "We slightly under-predict this player (bias: -1.2)",
                       "accuracy": "Good track record (80% win rate)", "sample_size": "Moderate sample size"},
    "game_log": [
      {"game_date": "2024-01-13", "opponent": "BOS", "home_game": true, "team_result": "W", "points": 26,
       "minutes": 33.5, "fg": "10/18", "three": "2/6", "ft": "4/5", "rebounds": 7, "assists": 5, "steals": 1,
       "blocks": 0, "turnovers": 2, "line": 20.5, "over_under": "OVER", "margin": 5.5},
      {"game_date": "2024-01-10", "opponent": "MIA", "home_game": false, "team_result": "L", "points": 12,
       "minutes": 30.0, "fg": null, "three": null, "ft": null, "rebounds": null, "assists": null, "steals": null,
       "blocks": null, "turnovers": null, "line": 18.5, "over_under": "UNDER", "margin": -6.5},
      {"game_date": "2024-01-09", "opponent": "BOS", "home_game": true, "team_result": "W", "points": 20,
       "minutes": 30.0, "fg": null, "three": null, "ft": null, "rebounds": null, "assists": null, "steals": null,
       "blocks": null, "turnovers": null, "line": 18.5, "over_under": "OVER", "margin": 1.5}],
    "splits": {
      "rest": {"b2b": {"avg": 12.0, "games": 1, "vs_line_pct": 0.0},
               "one_day": {"avg": null, "games": 0, "vs_line_pct": null},
               "two_day": {"avg": 26.0, "games": 1, "vs_line_pct": 1.0},
               "three_plus": {"avg": null, "games": 0, "vs_line_pct": null}},
      "location": {"home": {"avg": 23.0, "games": 2, "vs_line_pct": 1.0},
                   "away": {"avg": 12.0, "games": 1, "vs_line_pct": 0.0}},
      "opponents": [{"team": "BOS", "avg": 23.0, "games": 2, "vs_line_pct": 1.0}]},
    "our_track_record": {"total_predictions": 5, "overall": {"wins": 4, "losses": 1, "pct": 0.8},
                         "over_calls": {"total": 5, "wins": 4, "losses": 1, "pct": 0.8},
                         "under_calls": {"total": 0, "wins": 0, "losses": 0, "pct": null},
                         "avg_error": 3.2, "bias": -1.2, "within_3_pts": 0.6, "within_5_pts": 1.0},
    "next_game": {"game_date": "2024-01-17", "game_id": "20240117_BOS_LAL", "opponent": "BOS", "home_game": true,
                  "has_prediction": true}})J");
  EXPECT_EQ(parsed(files.at("v1/players/pp.json")), expected) << files.at("v1/players/pp.json").dump(2);
  o.min_games = 3;
  EXPECT_EQ(build(*wh, ExportType::kPlayers, kDay, o).size(), 3u);  // q gets a profile too
}

TEST(ExportWriter, GroupsAndMultiFileTypesWriteExactlyTheirFiles) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  schedule_tonight(*wh);
  Table ctx(catalog::get("nba_analytics.upcoming_player_game_context"));
  for (const char* p : {"a", "b"}) {
    size_t r = ctx.add_row();
    ctx.set(r, "player_lookup", p);
    ctx.set(r, "game_id", kGameA);
    ctx.set(r, "game_date", kDay);
    ctx.set(r, "team_abbr", "LAL");
  }
  store(*wh, ctx);
  auto run_group = [&](const std::string& group, const std::string& sub) {
    ExportOptions o;
    o.out_dir = dir.path() / sub;
    o.types = parse_types({group});
    o.build = fixed();
    const ExportRun run = write_exports(*wh, {kDay - 1, kDay}, o);
    EXPECT_EQ(run.exit_code(), 0) << group;
    std::vector<std::string> files = run.files();
    std::sort(files.begin(), files.end());
    return files;
  };
  EXPECT_EQ(run_group("trends-daily", "daily"),
            (std::vector<std::string>{"v1/trends/bounce-back.json", "v1/trends/tonight-plays.json",
                                      "v1/trends/whos-hot-v2.json"}));
  EXPECT_EQ(run_group("trends-weekly", "weekly"),
            (std::vector<std::string>{"v1/trends/quick-hits.json", "v1/trends/team-tendencies.json",
                                      "v1/trends/what-matters.json"}));
  EXPECT_EQ(run_group("trends-all", "all"),
            (std::vector<std::string>{"v1/trends/bounce-back.json", "v1/trends/deep-dive-current.json",
                                      "v1/trends/quick-hits.json", "v1/trends/team-tendencies.json",
                                      "v1/trends/tonight-plays.json", "v1/trends/what-matters.json",
                                      "v1/trends/whos-hot-v2.json"}));
  // tonight-players: one file per roster player, for the newest date only.
  EXPECT_EQ(run_group("tonight-players", "tp"),
            (std::vector<std::string>{"v1/tonight/player/a.json", "v1/tonight/player/b.json"}));
  EXPECT_NE(slurp(dir.path() / "tp" / "v1/tonight/player/a.json").find("\"game_date\": \"2024-01-15\""),
            std::string::npos);
  // players: the index (no graded players here) through the writer.
  ExportOptions o;
  o.out_dir = dir.path() / "players";
  o.types = {ExportType::kPlayers};
  o.build = fixed();
  const ExportRun run = write_exports(*wh, {kDay}, o);
  EXPECT_EQ(run.exit_code(), 0);
  EXPECT_EQ(run.files(), std::vector<std::string>{"v1/players/index.json"});
  EXPECT_EQ(run.dates.at(0).types.at(0).count, 1);
}
