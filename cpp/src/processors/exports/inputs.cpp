#include <algorithm>
#include <cmath>
#include <tuple>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/processors/common.hpp"
#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

const std::vector<std::string> kAccuracyColumns = {
    "player_lookup",      "game_id",          "game_date",        "system_id",      "team_abbr",
    "opponent_team_abbr", "predicted_points", "confidence_score", "recommendation", "line_value",
    "actual_points",      "minutes_played",   "absolute_error",   "signed_error",   "prediction_correct",
    "within_3_points",    "within_5_points"};
const std::vector<std::string> kHistoryColumns = {"player_lookup", "game_date", "system_id", "recommendation",
                                                  "prediction_correct"};
const std::vector<std::string> kMlfsColumns = {"player_lookup", "game_id", "game_date",
                                               "features",      "is_home", "days_rest"};
const std::vector<std::string> kPredictionColumns = {
    "system_id",        "player_lookup",  "game_date",           "game_id",         "predicted_points",
    "confidence_score", "recommendation", "current_points_line", "pace_adjustment", "similar_games_count"};
const std::vector<std::string> kTonightPredictionColumns = {
    "system_id",          "player_lookup",      "game_date",      "game_id",
    "predicted_points",   "confidence_score",   "recommendation", "created_at",
    "prediction_version", "current_points_line"};
const std::vector<std::string> kPropColumns = {
    "game_date",       "player_lookup", "bookmaker",   "points_line",         "snapshot_timestamp",
    "game_start_time", "over_price",    "under_price", "over_price_american", "under_price_american"};
/// Injury reports older than this (days before the game date) are not read (the
/// UPGC window).
constexpr int kInjuryLookbackDays = 7;

void read_into(Source& s, Warehouse& wh, const char* table, DateRange range, const std::vector<std::string>& cols) {
  s.needed = true;
  try {
    s.table.emplace(wh.read(catalog::get(table), range, cols));
  } catch (const std::exception& e) {
    s.error = std::string(table) + ": " + e.what();
  }
}

bool needs(const std::vector<ExportType>& types, ExportType t) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

void add_picks(std::unordered_map<std::string, PickHistory>& out, const Table& t) {
  const Column& player = t.col(pa::player_lookup);
  const Column& day = t.col(pa::game_date);
  const Column& system = t.col(pa::system_id);
  const Column& rec = t.col(pa::recommendation);
  const Column& correct = t.col(pa::prediction_correct);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (system.is_null(r) || system.text_at(r) != kEnsembleSystem || rec.is_null(r)) continue;
    if (rec.text_at(r) != "OVER" && rec.text_at(r) != "UNDER") continue;
    PickHistory& h = out[player.text_at(r)];
    h.days.push_back(static_cast<int32_t>(day.int_at(r)));
    // Legacy: AVG(CASE WHEN prediction_correct THEN 1 ELSE 0) — a push counts
    // as a pick that did not win (kept: the spec lists it as the legacy
    // formula, not as a bug).
    const bool won = !correct.is_null(r) && correct.int_at(r) != 0;
    h.wins.push_back(h.wins.back() + (won ? 1 : 0));
  }
}

}  // namespace

std::pair<size_t, size_t> Source::rows_on(Date d) const {
  if (!table) return {0, 0};
  const auto& days = table->col("game_date").ints();
  auto lo = std::lower_bound(days.begin(), days.end(), int64_t{d.days()});
  auto hi = std::upper_bound(lo, days.end(), int64_t{d.days()});
  return {static_cast<size_t>(lo - days.begin()), static_cast<size_t>(hi - days.begin())};
}

Inputs load(Warehouse& wh, Date first, Date last, Date as_of, const std::vector<ExportType>& types) {
  Inputs in;
  const DateRange range{first, last};
  const bool results = needs(types, ExportType::kResults);
  const bool best_bets = needs(types, ExportType::kBestBets);
  const bool predictions = needs(types, ExportType::kPredictions);
  if (results || best_bets || predictions) {
    read_into(in.accuracy, wh, "nba_predictions.prediction_accuracy", range, kAccuracyColumns);
  }
  if (results) read_into(in.mlfs, wh, "nba_predictions.ml_feature_store_v2", range, kMlfsColumns);
  if (needs(types, ExportType::kPerformance)) {
    // Legacy: the "season" window summed every row ≤ D. Fixed (DECISION 6):
    // rows of the NBA season of D only (season year: month ≥ 10 → year, else
    // year − 1; it starts Oct 1).
    const Date season_start = Date::from_ymd(season_of(as_of), 10, 1);
    read_into(in.daily_perf, wh, "nba_predictions.system_daily_performance", DateRange{season_start, as_of}, {});
  }
  if (predictions) {
    read_into(in.predictions, wh, "nba_predictions.player_prop_predictions", range, kPredictionColumns);
  }
  const bool tonight = needs(types, ExportType::kTonight);
  if (best_bets || tonight) {
    // Tonight needs the as-of date only; best bets every date of the range
    // (which ends at as_of).
    read_into(in.composite, wh, "nba_precompute.player_composite_factors", best_bets ? range : DateRange{as_of, as_of},
              {"player_lookup", "game_date", "game_id", "fatigue_score"});
  }
  if (tonight) {
    const DateRange day{as_of, as_of};
    read_into(in.schedule, wh, "nba_raw.nbac_schedule", day, {});
    if (in.schedule.ok()) {
      try {
        in.games = Schedule::from_table(*in.schedule.table);
      } catch (const std::exception& e) {
        in.schedule.error = std::string("nba_raw.nbac_schedule: ") + e.what();
        in.schedule.table.reset();
      }
    }
    read_into(in.roster, wh, "nba_analytics.upcoming_player_game_context", day,
              {"player_lookup", "game_id", "game_date", "team_abbr", "home_game", "days_rest"});
    read_into(in.tonight_predictions, wh, "nba_predictions.player_prop_predictions", day, kTonightPredictionColumns);
    read_into(in.injuries, wh, "nba_raw.nbac_injury_report", DateRange{as_of - kInjuryLookbackDays, as_of}, {});
    read_into(in.props, wh, "nba_raw.odds_api_player_points_props", day, kPropColumns);
    // Every row strictly before D (DECISION 1): the legacy's last-5 and last-10
    // windows have no season or date bound; the builder keeps D's season for
    // the season figures.
    read_into(in.player_history, wh, "nba_analytics.player_game_summary",
              DateRange{Date::from_ymd(1900, 1, 1), as_of - 1},
              {"player_lookup", "game_date", "season_year", "player_full_name", "points", "minutes_played",
               "over_under_result"});
  }
  if (best_bets) {
    // Player display names: the legacy joined nba_players_registry, which this
    // warehouse does not hold. We use player_game_summary.player_full_name of
    // the game date, then the raw gamebook's player_name, and fall back to
    // player_lookup when neither has the player.
    read_into(in.pgs_names, wh, "nba_analytics.player_game_summary", range,
              {"player_lookup", "game_date", "player_full_name"});
    read_into(in.gamebook_names, wh, "nba_raw.nbac_gamebook_player_stats", range,
              {"player_lookup", "game_date", "player_name"});
    read_into(in.history, wh, "nba_predictions.prediction_accuracy", DateRange{Date::from_ymd(1900, 1, 1), first - 1},
              kHistoryColumns);
    if (in.history.ok()) add_picks(in.picks, *in.history.table);
    if (in.accuracy.ok()) add_picks(in.picks, *in.accuracy.table);
  }
  return in;
}

std::string source_error(const Inputs& in, ExportType type) {
  std::vector<const Source*> used;
  switch (type) {
    case ExportType::kResults:
      used = {&in.accuracy, &in.mlfs};
      break;
    case ExportType::kPerformance:
      used = {&in.daily_perf};
      break;
    case ExportType::kBestBets:
      used = {&in.accuracy, &in.history, &in.composite, &in.pgs_names, &in.gamebook_names};
      break;
    case ExportType::kPredictions:
      used = {&in.predictions, &in.accuracy};
      break;
    case ExportType::kTonight:
      used = {&in.schedule, &in.roster, &in.tonight_predictions, &in.composite,
              &in.injuries, &in.props,  &in.player_history};
      break;
    case ExportType::kTonightPlayers:
    case ExportType::kStreaks:
    case ExportType::kTrendsHotCold:
    case ExportType::kTrendsBounceBack:
    case ExportType::kTrendsWhatMatters:
    case ExportType::kTrendsTeam:
    case ExportType::kTrendsQuickHits:
    case ExportType::kTrendsDeepDive:
    case ExportType::kTonightTrendPlays:
    case ExportType::kLive:
    case ExportType::kLiveGrading:
    case ExportType::kPlayers:
      break;  // these builders read their own sources for their one date
  }
  for (const Source* s : used) {
    if (!s->needed) return std::string("internal: source not loaded for ") + to_string(type);
    if (!s->ok()) return "cannot read " + s->error;
  }
  return "";
}

namespace {

/// The prediction_accuracy columns a Graded reads: resolved once per table, so
/// no row looks a column up by name.
struct GradedColumns {
  const Column &system, &player, &game, &team, &opponent, &recommendation, &predicted, &confidence, &line, &minutes;
  const Column &abs_error, &signed_error, &actual, &correct, &within_3, &within_5;

  explicit GradedColumns(const Table& t)
      : system(t.col(pa::system_id)),
        player(t.col(pa::player_lookup)),
        game(t.col(pa::game_id)),
        team(t.col(pa::team_abbr)),
        opponent(t.col(pa::opponent_team_abbr)),
        recommendation(t.col(pa::recommendation)),
        predicted(t.col(pa::predicted_points)),
        confidence(t.col(pa::confidence_score)),
        line(t.col(pa::line_value)),
        minutes(t.col(pa::minutes_played)),
        abs_error(t.col(pa::absolute_error)),
        signed_error(t.col(pa::signed_error)),
        actual(t.col(pa::actual_points)),
        correct(t.col(pa::prediction_correct)),
        within_3(t.col(pa::within_3_points)),
        within_5(t.col(pa::within_5_points)) {}
};

}  // namespace

std::vector<Graded> graded_rows(const Inputs& in, Date date) {
  std::vector<Graded> out;
  if (!in.accuracy.ok()) return out;
  const GradedColumns c(*in.accuracy.table);
  const auto [begin, end] = in.accuracy.rows_on(date);
  for (size_t r = begin; r < end; ++r) {
    if (c.system.get_text(r) != kEnsembleSystem) continue;
    Graded g;
    g.player_lookup = c.player.get_text(r).value_or("");
    g.game_id = c.game.get_text(r).value_or("");
    g.team = c.team.get_text(r);
    g.opponent = c.opponent.get_text(r);
    g.recommendation = c.recommendation.get_text(r);
    g.predicted = c.predicted.get_real(r);
    g.confidence = c.confidence.get_real(r);
    g.line = c.line.get_real(r);
    g.minutes = c.minutes.get_real(r);
    g.abs_error = c.abs_error.get_real(r);
    g.signed_error = c.signed_error.get_real(r);
    g.actual = c.actual.get_int(r);
    g.correct = proc::bool_of(&c.correct, r);
    g.within_3 = proc::bool_of(&c.within_3, r);
    g.within_5 = proc::bool_of(&c.within_5, r);
    out.push_back(std::move(g));
  }
  std::stable_sort(out.begin(), out.end(), [](const Graded& a, const Graded& b) {
    return std::tie(a.game_id, a.player_lookup) < std::tie(b.game_id, b.player_lookup);
  });
  return out;
}

Json number(std::optional<double> x, int digits) {
  if (!x || !std::isfinite(*x)) return nullptr;
  return proc::py_round(*x, digits);
}

Json integer(std::optional<int64_t> x) {
  if (!x) return nullptr;
  return *x;
}

Json text(const std::optional<std::string>& x) {
  if (!x) return nullptr;
  return *x;
}

}  // namespace nbaprops::exports::detail
