// Player pages: tonight/player/{lookup}.json (legacy TonightPlayerExporter) and
// players/index.json + players/{lookup}.json (legacy PlayerProfileExporter,
// the `--players` run of daily_export).
//
// Both read every table once per run and build one payload per player.
// Differences on purpose, each also noted on its line: names come from
// player_game_summary (no players registry in the warehouse); a player with no
// injury report shows "available" (the legacy's stated default, which its
// LEFT JOIN never reached); the tonight page reads injury reports of the 7
// days up to the date, as the tonight export does.
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include "nbaprops/core/schema.hpp"
#include "nbaprops/processors/common.hpp"
#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

constexpr int kInjuryDays = 7;
constexpr size_t kRecentForm = 10;
constexpr size_t kGameLog = 50;
constexpr int64_t kProfileFirstSeason = 2021;  ///< legacy splits: `season_year >= 2021`
constexpr int64_t kIndexMinGames = 3;          ///< legacy index: `HAVING games_predicted >= 3`
const Date kBeginning = Date::from_ymd(1900, 1, 1);
const Date kEnd = Date::from_ymd(2199, 12, 31);

/// Python truthiness of an optional number.
bool truthy(const std::optional<double>& x) { return x && *x != 0; }

std::string int_str(const std::optional<int64_t>& x) { return x ? std::to_string(*x) : "None"; }

/// "makes/attempts", null without attempts (legacy `if r['fg_attempts']`).
Json shooting(const std::optional<int64_t>& makes, const std::optional<int64_t>& attempts) {
  if (!attempts || *attempts == 0) return nullptr;
  return int_str(makes) + "/" + std::to_string(*attempts);
}

/// AVG, count and OVER share of one split (legacy
/// `ROUND(AVG(points), 1)`, `COUNT`, `ROUND(SAFE_DIVIDE(overs, results), 3)`).
struct Split {
  double sum = 0;
  int64_t n_points = 0, games = 0, overs = 0, results = 0;
  void add(const PgsRow& g) {
    ++games;
    if (g.points) sum += static_cast<double>(*g.points), ++n_points;
    if (g.result) {
      ++results;
      overs += *g.result == "OVER" ? 1 : 0;
    }
  }
  [[nodiscard]] std::optional<double> avg() const {
    return n_points > 0 ? std::optional(bq_round(sum / static_cast<double>(n_points), 1)) : std::nullopt;
  }
  [[nodiscard]] std::optional<double> vs_line() const {
    return results > 0 ? std::optional(bq_round(static_cast<double>(overs) / static_cast<double>(results), 3))
                       : std::nullopt;
  }
};

/// Rows [begin, end) of one player (date order) whose season passes @p keep,
/// with the days since the previous kept row (null for the first).
template <class Keep>
std::vector<std::pair<const PgsRow*, std::optional<int>>> with_rest(const std::vector<PgsRow>& rows, size_t begin,
                                                                    size_t end, Keep keep) {
  std::vector<std::pair<const PgsRow*, std::optional<int>>> out;
  const PgsRow* prev = nullptr;
  for (size_t i = begin; i < end; ++i) {
    if (!keep(rows[i])) continue;
    out.emplace_back(&rows[i], prev ? std::optional(rows[i].day - prev->day) : std::nullopt);
    prev = &rows[i];
  }
  return out;
}

/// Runs of one player in @p rows, by lookup.
std::map<std::string, std::pair<size_t, size_t>> runs_by_player(const std::vector<PgsRow>& rows) {
  std::map<std::string, std::pair<size_t, size_t>> out;
  for (const auto& run : player_runs(rows)) out.emplace(rows[run.first].player, run);
  return out;
}

// ---- tonight/player ---------------------------------------------------------

struct Opponent {
  std::optional<double> ppg, rating;
};

/// The legacy defense tier of @p team: rank by points allowed (newest
/// team_defense_zone_analysis row ≤ D per team; a team without the figure ranks
/// first, as BigQuery sorts NULL first), elite ≤ 5, good ≤ 10, average ≤ 20.
Json defense_tier(const std::map<std::string, Opponent>& latest, const std::string& team) {
  auto it = latest.find(team);
  if (it == latest.end()) return nullptr;
  const auto& mine = it->second.ppg;
  int64_t rank = 1;
  for (const auto& [t, o] : latest) {
    if (mine && (!o.ppg || *o.ppg < *mine)) ++rank;
  }
  Json j;
  j["rank"] = rank;
  j["tier_label"] = rank <= 5 ? "elite" : rank <= 10 ? "good" : rank <= 20 ? "average" : "weak";
  j["ppg_allowed"] = number(mine, 2);
  j["def_rating"] = number(it->second.rating, 2);
  return j;
}

Json factor(const char* name, const char* direction, const std::optional<double>& vs_line, std::string desc) {
  if (vs_line) desc += ", " + percent0(*vs_line) + " OVER";
  Json j;
  j["factor"] = name;
  j["direction"] = direction;
  j["vs_line_pct"] = vs_line ? Json(*vs_line) : Json(nullptr);
  j["description"] = std::move(desc);
  return j;
}

}  // namespace

namespace {

/// What the tonight pages read, once per date, with each player's newest
/// ensemble prediction, newest injury report and fatigue row found by lookup.
struct TonightInputs {
  Table ctx, preds, pcf, inj;
  std::vector<PgsRow> history;  ///< player_game_summary before the date
  std::map<std::string, std::pair<size_t, size_t>> runs;
  std::map<std::string, size_t> pred_of, pcf_of, inj_of;
  std::map<std::string, Opponent> defense;  ///< newest figures per team ≤ D
  int64_t season = 0;                       ///< the legacy season of D
};

/// The newest team_defense_zone_analysis figures of each team in @p t.
std::map<std::string, Opponent> newest_defense(const Table& t) {
  std::map<std::string, std::pair<int64_t, Opponent>> newest;
  // Handles resolved once per table, read by row below.
  const Column& day = t.col(tdza::analysis_date);
  const Column& team = t.col(tdza::team_abbr);
  const Column& ppg = t.col(tdza::opponent_points_per_game);
  const Column& rating = t.col(tdza::defensive_rating_last_15);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const int64_t d = day.int_at(r);
    auto& slot = newest[team.text_at(r)];
    if (d < slot.first) continue;
    slot = {d, {ppg.get_real(r), rating.get_real(r)}};
  }
  std::map<std::string, Opponent> out;
  for (const auto& [team, v] : newest) out[team] = v.second;
  return out;
}

TonightInputs read_tonight_inputs(Warehouse& wh, Date day) {
  TonightInputs in{
      wh.read(catalog::get("nba_analytics.upcoming_player_game_context"), DateRange{day, day},
              {"player_lookup", "game_id", "game_date", "team_abbr", "opponent_team_abbr", "home_game", "days_rest",
               "back_to_back"}),
      wh.read(catalog::get("nba_predictions.player_prop_predictions"), DateRange{day, day},
              {"system_id", "player_lookup", "game_date", "predicted_points", "confidence_score", "recommendation",
               "current_points_line", "line_margin", "pace_adjustment", "similar_games_count", "created_at"}),
      wh.read(catalog::get("nba_precompute.player_composite_factors"), DateRange{day, day},
              {"player_lookup", "game_date", "fatigue_score", "fatigue_context_json"}),
      wh.read(catalog::get("nba_raw.nbac_injury_report"), DateRange{day - kInjuryDays, day},
              {"player_lookup", "report_date", "report_hour", "injury_status", "reason"}),
      read_pgs(wh, DateRange{kBeginning, day - 1}),
      {},
      {},
      {},
      {},
      newest_defense(wh.read(catalog::get("nba_precompute.team_defense_zone_analysis"), DateRange{kBeginning, day},
                             {"team_abbr", "analysis_date", "opponent_points_per_game", "defensive_rating_last_15"}))};
  in.runs = runs_by_player(in.history);
  in.season = legacy_season(day);
  // Handles resolved once per table, read by row below.
  const Column& system = in.preds.col(ppp::system_id);
  const Column& pred_player = in.preds.col(ppp::player_lookup);
  const Column& created = in.preds.col(ppp::created_at);
  for (size_t r = 0; r < in.preds.num_rows(); ++r) {
    if (system.get_text(r) != kEnsembleSystem) continue;
    auto [it, added] = in.pred_of.try_emplace(pred_player.text_at(r), r);
    if (!added && created.get_text(r) > created.get_text(it->second)) it->second = r;
  }
  const Column& pcf_player = in.pcf.col(pcf::player_lookup);
  for (size_t r = 0; r < in.pcf.num_rows(); ++r) in.pcf_of.try_emplace(pcf_player.text_at(r), r);
  const Column& inj_player = in.inj.col(nir::player_lookup);
  const Column& report_date = in.inj.col(nir::report_date);
  const Column& report_hour = in.inj.col(nir::report_hour);
  auto report_key = [&](size_t r) {
    return std::make_pair(report_date.get_int(r).value_or(0), report_hour.get_int(r).value_or(-1));
  };
  for (size_t r = 0; r < in.inj.num_rows(); ++r) {
    if (inj_player.is_null(r)) continue;
    auto [it, added] = in.inj_of.try_emplace(inj_player.text_at(r), r);
    if (!added && report_key(r) > report_key(it->second)) it->second = r;
  }
  return in;
}

/// The columns the tonight pages read of TonightInputs' tables: resolved once
/// per date, so no page looks a column up by name.
struct TonightColumns {
  const Column &ctx_player, &ctx_opponent, &ctx_home, &ctx_b2b, &ctx_rest, &ctx_game, &ctx_team;
  const Column &pred_line, &pred_points, &pred_confidence, &pred_recommendation, &pred_margin, &pred_pace,
      &pred_similar;
  const Column &pcf_score, &pcf_context, &inj_status, &inj_reason;

  explicit TonightColumns(const TonightInputs& in)
      : ctx_player(in.ctx.col(upgc::player_lookup)),
        ctx_opponent(in.ctx.col(upgc::opponent_team_abbr)),
        ctx_home(in.ctx.col(upgc::home_game)),
        ctx_b2b(in.ctx.col(upgc::back_to_back)),
        ctx_rest(in.ctx.col(upgc::days_rest)),
        ctx_game(in.ctx.col(upgc::game_id)),
        ctx_team(in.ctx.col(upgc::team_abbr)),
        pred_line(in.preds.col(ppp::current_points_line)),
        pred_points(in.preds.col(ppp::predicted_points)),
        pred_confidence(in.preds.col(ppp::confidence_score)),
        pred_recommendation(in.preds.col(ppp::recommendation)),
        pred_margin(in.preds.col(ppp::line_margin)),
        pred_pace(in.preds.col(ppp::pace_adjustment)),
        pred_similar(in.preds.col(ppp::similar_games_count)),
        pcf_score(in.pcf.col(pcf::fatigue_score)),
        pcf_context(in.pcf.col(pcf::fatigue_context_json)),
        inj_status(in.inj.col(nir::injury_status)),
        inj_reason(in.inj.col(nir::reason)) {}
};

/// The player's rows of the history: [begin, end) of TonightInputs::history.
struct PlayerGames {
  const std::vector<PgsRow>& history;
  size_t begin = 0, end = 0;
};

/// The newest ensemble prediction of @p player (null without one); @p line
/// receives its points line.
Json tonight_prediction(const TonightInputs& in, const TonightColumns& c, const std::string& player,
                        std::optional<double>& line) {
  auto p = in.pred_of.find(player);
  if (p == in.pred_of.end()) return nullptr;
  const size_t q = p->second;
  line = c.pred_line.get_real(q);
  return {{"predicted_points", number(c.pred_points.get_real(q), 2)},
          {"confidence_score", number(c.pred_confidence.get_real(q), 2)},
          {"recommendation", text(c.pred_recommendation.get_text(q))},
          {"line", number(line, 2)},
          {"edge", number(c.pred_margin.get_real(q), 2)},
          {"pace_adjustment", number(c.pred_pace.get_real(q), 2)},
          {"similar_games", integer(c.pred_similar.get_int(q))}};
}

/// Score, level (fresh ≥ 95, normal ≥ 75, else tired) and context of the
/// player's fatigue row; "normal" without one.
Json tonight_fatigue(const TonightInputs& in, const TonightColumns& c, const std::string& player) {
  Json fatigue = {{"score", nullptr}, {"level", "normal"}, {"context", nullptr}};
  auto f = in.pcf_of.find(player);
  if (f == in.pcf_of.end()) return fatigue;
  const std::optional<double> score = c.pcf_score.get_real(f->second);
  fatigue["score"] = number(score, 2);
  fatigue["level"] = score ? (*score >= 95 ? "fresh" : *score >= 75 ? "normal" : "tired") : "normal";
  fatigue["context"] = text(c.pcf_context.get_text(f->second));
  return fatigue;
}

/// The last 10 games before the date, any season, newest first.
Json recent_form(const PlayerGames& g) {
  Json form = Json::array();
  for (size_t i = g.end; i > g.begin && form.size() < kRecentForm; --i) {
    const PgsRow& x = g.history[i - 1];
    Json j;
    j["game_date"] = Date(x.day).iso();
    j["opponent"] = x.opponent;
    j["home_game"] = !x.game_id.empty() && !x.team.empty() ? Json(x.home()) : Json(nullptr);
    j["points"] = integer(x.points);
    j["minutes"] = number(x.minutes, 2);
    j["fg"] = shooting(x.fg_makes, x.fg_attempts);
    j["three"] = shooting(x.three_makes, x.three_attempts);
    j["ft"] = shooting(x.ft_makes, x.ft_attempts);
    j["over_under"] = text(x.result);
    j["line"] = number(x.line, 2);
    // int(points - line): truncated toward zero.
    j["margin"] = truthy(x.line) && x.points
                      ? Json(static_cast<int64_t>(std::trunc(static_cast<double>(*x.points) - *x.line)))
                      : Json(nullptr);
    form.push_back(std::move(j));
  }
  return form;
}

/// The current streak over the recent form: a game without a result breaks a
/// started streak.
Json current_streak(const Json& form) {
  std::string type;
  int64_t length = 0;
  for (const auto& g : form) {
    const std::string ou = g["over_under"].is_string() ? g["over_under"].get<std::string>() : "";
    if (ou == "OVER" || ou == "UNDER") {
      if (type.empty()) {
        type = ou;
        length = 1;
      } else if (ou == type) {
        ++length;
      } else {
        break;
      }
    } else if (!type.empty()) {
      break;
    }
  }
  if (type.empty()) return {{"type", nullptr}, {"length", 0}};
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  return {{"type", type}, {"length", length}};
}

/// Quick numbers: the season of the date (games before it), last 10 and last 5.
Json quick_numbers(const PlayerGames& g, int64_t season) {
  Split season_split;
  double season_min = 0;
  int64_t season_min_n = 0;
  for (size_t i = g.begin; i < g.end; ++i) {
    if (g.history[i].season != season) continue;
    season_split.add(g.history[i]);
    if (g.history[i].minutes) season_min += *g.history[i].minutes, ++season_min_n;
  }
  auto last_n = [&](size_t n, bool minutes) -> std::optional<double> {
    double sum = 0;
    int64_t k = 0;
    for (size_t i = g.end, taken = 0; i > g.begin && taken < n; --i, ++taken) {
      const PgsRow& x = g.history[i - 1];
      if (minutes ? !x.minutes : !x.points) continue;
      sum += minutes ? *x.minutes : static_cast<double>(*x.points);
      ++k;
    }
    return k > 0 ? std::optional(bq_round(sum / static_cast<double>(k), 1)) : std::nullopt;
  };
  Json quick;
  quick["season_ppg"] = number(season_split.avg(), 2);
  quick["season_mpg"] =
      season_min_n > 0 ? number(bq_round(season_min / static_cast<double>(season_min_n), 1), 2) : Json(nullptr);
  quick["games_played"] = season_split.games;
  quick["last_10_ppg"] = number(last_n(10, false), 2);
  quick["last_10_mpg"] = number(last_n(10, true), 2);
  quick["last_5_ppg"] = number(last_n(5, false), 2);
  quick["last_5_mpg"] = number(last_n(5, true), 2);
  return quick;
}

/// Tonight's game as the factors see it.
struct Tonight {
  std::optional<std::string> opponent;
  std::optional<bool> home_game, back_to_back;
  std::optional<int64_t> days_rest;
};

/// The back-to-back, location, opponent and rest factors from the season's
/// splits (games before the date).
void split_factors(const PlayerGames& g, int64_t season, const Tonight& t, Json& factors) {
  Split home_s, away_s, b2b_s, non_b2b_s, rested_s, opp_s;
  for (const auto& [x, rest] :
       with_rest(g.history, g.begin, g.end, [&](const PgsRow& r) { return r.season == season; })) {
    (x->home() ? home_s : away_s).add(*x);
    if (rest == 1) b2b_s.add(*x);
    if (!rest || *rest > 1) non_b2b_s.add(*x);
    if (rest && *rest >= 2) rested_s.add(*x);
    if (t.opponent && x->opponent == *t.opponent) opp_s.add(*x);
  }
  if (t.back_to_back == true && truthy(b2b_s.avg()) && truthy(non_b2b_s.avg())) {
    const double impact = proc::py_round(*b2b_s.avg() - *non_b2b_s.avg(), 1);
    Json f = factor("back_to_back", impact < 0 ? "negative" : "positive", b2b_s.vs_line(),
                    "B2B: averages " + py_str(b2b_s.avg()) + " vs " + py_str(non_b2b_s.avg()) + " normally (" +
                        fixed(impact, 1, true) + ")");
    Json ordered;
    ordered["factor"] = f["factor"];
    ordered["direction"] = f["direction"];
    ordered["impact"] = impact;
    ordered["vs_line_pct"] = f["vs_line_pct"];
    ordered["description"] = f["description"];
    factors.push_back(std::move(ordered));
  }
  if (t.home_game) {
    const Split& s = *t.home_game ? home_s : away_s;
    if (truthy(s.avg()) && s.games >= 3) {
      factors.push_back(factor("location", "neutral", s.vs_line(),
                               "Averages " + py_str(s.avg()) + " on the " + (*t.home_game ? "home" : "away") + " (" +
                                   std::to_string(s.games) + " games)"));
    }
  }
  if (truthy(opp_s.avg()) && opp_s.games >= 1) {
    factors.push_back(factor("vs_opponent", "neutral", opp_s.vs_line(),
                             "Averages " + py_str(opp_s.avg()) + " vs " + t.opponent.value_or("None") + " (" +
                                 std::to_string(opp_s.games) + " games)"));
  }
  if (t.days_rest && *t.days_rest >= 3 && truthy(rested_s.avg())) {
    factors.push_back(
        factor("well_rested", "positive", rested_s.vs_line(),
               std::to_string(*t.days_rest) + " days rest: averages " + py_str(rested_s.avg()) + " when rested"));
  }
}

/// The fatigue factor of a tired or fresh player.
void fatigue_factor(const Json& fatigue, Json& factors) {
  const std::string level = fatigue["level"].get<std::string>();
  if (level != "tired" && level != "fresh") return;
  const std::optional<double> score =
      fatigue["score"].is_null() ? std::nullopt : std::optional(fatigue["score"].get<double>());
  Json f;
  f["factor"] = level == "tired" ? "fatigue" : "fresh";
  f["direction"] = level == "tired" ? "negative" : "positive";
  f["description"] = level == "tired" ? "Elevated fatigue (score: " + py_str(score) + ")"
                                      : "Well-rested (fatigue score: " + py_str(score) + ")";
  factors.push_back(std::move(f));
}

/// The opponent's defense tier as a factor.
void defense_factor(const std::map<std::string, Opponent>& defense, const std::optional<std::string>& opponent,
                    Json& factors) {
  if (!opponent) return;
  Json tier = defense_tier(defense, *opponent);
  if (tier.is_null()) return;
  const std::string label = tier["tier_label"].get<std::string>();
  const std::string rank = std::to_string(tier["rank"].get<int64_t>());
  const std::string ppg = tier["ppg_allowed"].is_null() ? "None" : py_str(tier["ppg_allowed"].get<double>());
  const bool strong = label == "elite" || label == "good";
  Json f;
  f["factor"] = "opponent_defense";
  f["direction"] = strong ? "negative" : label == "weak" ? "positive" : "neutral";
  f["defense_rank"] = tier["rank"];
  f["defense_tier"] = label;
  f["ppg_allowed"] = tier["ppg_allowed"];
  f["description"] = label == "average"
                         ? "vs " + *opponent + " (#" + rank + " defense, allows " + ppg + " PPG)"
                         : "vs " + *opponent + " (" + label + " defense, #" + rank + ", allows " + ppg + " PPG)";
  factors.push_back(std::move(f));
}

/// One player's tonight page, from context row @p r.
Json tonight_page(const TonightInputs& in, const TonightColumns& c, size_t r, Date day,
                  const std::string& generated_at) {
  const std::string player = c.ctx_player.text_at(r);
  const Tonight tonight{c.ctx_opponent.get_text(r), proc::bool_of(&c.ctx_home, r), proc::bool_of(&c.ctx_b2b, r),
                        c.ctx_rest.get_int(r)};
  const auto run = in.runs.find(player);
  const PlayerGames games{in.history, run == in.runs.end() ? 0 : run->second.first,
                          run == in.runs.end() ? 0 : run->second.second};

  std::optional<double> line;
  Json prediction = tonight_prediction(in, c, player, line);
  Json fatigue = tonight_fatigue(in, c, player);
  Json form = recent_form(games);
  Json streak = current_streak(form);
  Json quick = quick_numbers(games, in.season);
  const int64_t games_played = quick["games_played"].get<int64_t>();
  Json factors = Json::array();
  split_factors(games, in.season, tonight, factors);
  fatigue_factor(fatigue, factors);
  defense_factor(in.defense, tonight.opponent, factors);

  Json injury_status = "available", injury_reason = nullptr;
  if (auto it = in.inj_of.find(player); it != in.inj_of.end()) {
    injury_status = text(c.inj_status.get_text(it->second));
    injury_reason = text(c.inj_reason.get_text(it->second));
  }
  Json j;
  j["player_lookup"] = player;
  j["player_full_name"] = run == in.runs.end() ? player : display_name(in.history, games.begin, games.end);
  j["game_date"] = day.iso();
  j["generated_at"] = generated_at;
  j["games_played"] = games_played;
  j["limited_data"] = games_played < 10;
  j["game_context"] = {{"game_id", text(c.ctx_game.get_text(r))},
                       {"opponent", text(tonight.opponent)},
                       {"home_game", tonight.home_game ? Json(*tonight.home_game) : Json(nullptr)},
                       {"team_abbr", text(c.ctx_team.get_text(r))},
                       {"line", number(line, 2)},
                       {"days_rest", integer(tonight.days_rest)},
                       {"is_back_to_back", tonight.back_to_back ? Json(*tonight.back_to_back) : Json(nullptr)},
                       {"injury_status", injury_status},
                       {"injury_reason", injury_reason}};
  j["quick_numbers"] = std::move(quick);
  j["fatigue"] = std::move(fatigue);
  j["current_streak"] = std::move(streak);
  j["tonights_factors"] = std::move(factors);
  j["recent_form"] = std::move(form);
  j["prediction"] = std::move(prediction);
  return j;
}

}  // namespace

std::vector<ExportFile> tonight_player_files(Warehouse& wh, Date day, const std::string& generated_at) {
  const TonightInputs in = read_tonight_inputs(wh, day);
  const TonightColumns cols(in);
  std::vector<ExportFile> files;
  std::set<std::string> done;
  for (size_t r = 0; r < in.ctx.num_rows(); ++r) {
    const std::string& player = cols.ctx_player.text_at(r);
    if (!done.insert(player).second) continue;
    files.push_back({"v1/tonight/player/" + player + ".json", tonight_page(in, cols, r, day, generated_at)});
  }
  return files;
}

// ---- players/ -----------------------------------------------------------------

namespace {

/// The ensemble's graded rows of one player, aggregated as the legacy SQL did.
struct Record {
  std::optional<std::string> team;  ///< MAX(team_abbr)
  std::set<int32_t> days;
  int64_t rows = 0, recs = 0, correct = 0, losses = 0, w3 = 0, w5 = 0;
  int64_t over = 0, over_wins = 0, over_losses = 0, under = 0, under_wins = 0, under_losses = 0;
  double abs_sum = 0, signed_sum = 0, conf_sum = 0;
  int64_t abs_n = 0, signed_n = 0, conf_n = 0;
  int32_t first = std::numeric_limits<int32_t>::max(), last = std::numeric_limits<int32_t>::min();

  [[nodiscard]] int64_t games() const { return static_cast<int64_t>(days.size()); }
  [[nodiscard]] std::optional<double> mae() const { return avg(abs_sum, abs_n, 2); }
  [[nodiscard]] std::optional<double> bias() const { return avg(signed_sum, signed_n, 2); }
  [[nodiscard]] std::optional<double> win_rate() const { return ratio(correct, recs); }
  static std::optional<double> avg(double sum, int64_t n, int digits) {
    return n > 0 ? std::optional(bq_round(sum / static_cast<double>(n), digits)) : std::nullopt;
  }
  static std::optional<double> ratio(int64_t a, int64_t b) {
    return b > 0 ? std::optional(bq_round(static_cast<double>(a) / static_cast<double>(b), 3)) : std::nullopt;
  }
};

std::map<std::string, Record> records(Warehouse& wh) {
  const Table t =
      wh.read(catalog::get("nba_predictions.prediction_accuracy"), DateRange{kBeginning, kEnd},
              {"player_lookup", "game_date", "system_id", "team_abbr", "recommendation", "prediction_correct",
               "absolute_error", "signed_error", "confidence_score", "within_3_points", "within_5_points"});
  std::map<std::string, Record> out;
  // Handles resolved once per table, read by row below.
  const Column& system = t.col(pa::system_id);
  const Column& player = t.col(pa::player_lookup);
  const Column& day = t.col(pa::game_date);
  const Column& team_col = t.col(pa::team_abbr);
  const Column& rec_col = t.col(pa::recommendation);
  const Column& correct_col = t.col(pa::prediction_correct);
  const Column& abs_error = t.col(pa::absolute_error);
  const Column& signed_error = t.col(pa::signed_error);
  const Column& confidence = t.col(pa::confidence_score);
  const Column& within_3 = t.col(pa::within_3_points);
  const Column& within_5 = t.col(pa::within_5_points);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (system.get_text(r) != kEnsembleSystem) continue;
    Record& x = out[player.text_at(r)];
    const int32_t d = static_cast<int32_t>(day.int_at(r));
    if (auto team = team_col.get_text(r); team && (!x.team || *team > *x.team)) x.team = team;
    x.days.insert(d);
    x.first = std::min(x.first, d);
    x.last = std::max(x.last, d);
    ++x.rows;
    const auto rec = rec_col.get_text(r);
    const auto correct = proc::bool_of(&correct_col, r);
    const bool bet = rec == "OVER" || rec == "UNDER";
    x.recs += bet ? 1 : 0;
    x.correct += correct == true ? 1 : 0;
    x.losses += correct == false && bet ? 1 : 0;
    if (rec == "OVER") ++x.over, x.over_wins += correct == true, x.over_losses += correct == false;
    if (rec == "UNDER") ++x.under, x.under_wins += correct == true, x.under_losses += correct == false;
    if (auto v = abs_error.get_real(r)) x.abs_sum += *v, ++x.abs_n;
    if (auto v = signed_error.get_real(r)) x.signed_sum += *v, ++x.signed_n;
    if (auto v = confidence.get_real(r)) x.conf_sum += *v, ++x.conf_n;
    x.w3 += proc::bool_of(&within_3, r) == true ? 1 : 0;
    x.w5 += proc::bool_of(&within_5, r) == true ? 1 : 0;
  }
  return out;
}

Json split_json(const Split& s) {
  return {{"avg", number(s.avg(), 3)}, {"games", s.games}, {"vs_line_pct", number(s.vs_line(), 3)}};
}

/// Home team per SPLIT(game_id, '_')[OFFSET(2)] = team_abbr.
bool third_part_is(const PgsRow& g) {
  const auto a = g.game_id.find('_');
  const auto b = a == std::string::npos ? std::string::npos : g.game_id.find('_', a + 1);
  if (b == std::string::npos) return false;
  const auto c = g.game_id.find('_', b + 1);
  return g.game_id.substr(b + 1, c == std::string::npos ? std::string::npos : c - b - 1) == g.team;
}

Json interpretation(const Record& x) {
  Json j = Json::object();
  if (auto bias = x.bias()) {
    const std::string b = py_str(*bias);
    j["bias"] = *bias < -3   ? "We significantly under-predict this player (bias: " + b + ")"
                : *bias < -1 ? "We slightly under-predict this player (bias: " + b + ")"
                : *bias > 3  ? "We significantly over-predict this player (bias: " + b + ")"
                : *bias > 1  ? "We slightly over-predict this player (bias: " + b + ")"
                             : "Our predictions are well-calibrated for this player (bias: " + b + ")";
  }
  if (auto w = x.win_rate(); w && x.recs >= 5) {
    const std::string p = percent0(*w);
    j["accuracy"] = *w >= 0.85   ? "Excellent track record (" + p + " win rate)"
                    : *w >= 0.70 ? "Good track record (" + p + " win rate)"
                    : *w >= 0.55 ? "Average track record (" + p + " win rate)"
                                 : "Below average track record (" + p + " win rate)";
  }
  j["sample_size"] = x.games() < 5    ? "Limited data (fewer than 5 games)"
                     : x.games() < 15 ? "Moderate sample size"
                                      : "Large sample size";
  return j;
}

}  // namespace

namespace {

/// Each player's next game (the earliest upcoming_player_game_context row on
/// or after today) and the dates with an ensemble prediction.
struct NextGames {
  Table upcoming;
  /// upcoming's columns, resolved once (handles into this object's own table:
  /// not copyable).
  const Column &player, &day, &game, &opponent, &home;
  std::map<std::string, size_t> next_of;
  std::set<std::pair<std::string, int64_t>> predicted;

  NextGames(Warehouse& wh, Date today)
      : upcoming(wh.read(catalog::get("nba_analytics.upcoming_player_game_context"), DateRange{today, kEnd},
                         {"player_lookup", "game_date", "game_id", "opponent_team_abbr", "home_game"})),
        player(upcoming.col(upgc::player_lookup)),
        day(upcoming.col(upgc::game_date)),
        game(upcoming.col(upgc::game_id)),
        opponent(upcoming.col(upgc::opponent_team_abbr)),
        home(upcoming.col(upgc::home_game)) {
    const Table future_preds = wh.read(catalog::get("nba_predictions.player_prop_predictions"), DateRange{today, kEnd},
                                       {"player_lookup", "game_date", "system_id"});
    const Column& pred_system = future_preds.col(ppp::system_id);
    const Column& pred_player = future_preds.col(ppp::player_lookup);
    const Column& pred_day = future_preds.col(ppp::game_date);
    for (size_t r = 0; r < future_preds.num_rows(); ++r) {
      if (pred_system.get_text(r) != kEnsembleSystem) continue;
      predicted.emplace(pred_player.text_at(r), pred_day.int_at(r));
    }
    auto key = [&](size_t x) { return std::make_pair(day.int_at(x), game.get_text(x).value_or("")); };
    for (size_t r = 0; r < upcoming.num_rows(); ++r) {
      auto [it, added] = next_of.try_emplace(player.text_at(r), r);
      if (!added && key(r) < key(it->second)) it->second = r;
    }
  }
  NextGames(const NextGames&) = delete;
  NextGames& operator=(const NextGames&) = delete;

  /// @p lookup's next game, null without one.
  [[nodiscard]] Json of(const std::string& lookup) const {
    auto it = next_of.find(lookup);
    if (it == next_of.end()) return nullptr;
    const size_t r = it->second;
    const int64_t d = day.int_at(r);
    const auto home_game = proc::bool_of(&home, r);
    return {{"game_date", Date(static_cast<int32_t>(d)).iso()},
            {"game_id", text(game.get_text(r))},
            {"opponent", text(opponent.get_text(r))},
            {"home_game", home_game ? Json(*home_game) : Json(nullptr)},
            {"has_prediction", predicted.contains({lookup, d})}};
  }
};

using IndexEntry = std::pair<const std::string*, const Record*>;

Json players_index(const std::vector<IndexEntry>& index, const std::function<std::string(const std::string&)>& name_of,
                   const std::string& generated_at) {
  Json players = Json::array();
  for (const auto& [player, x] : index) {
    Json j;
    j["player_lookup"] = *player;
    j["player_full_name"] = name_of(*player);
    j["team"] = text(x->team);
    j["games_predicted"] = x->games();
    j["recommendations"] = x->recs;
    j["mae"] = number(x->mae(), 3);
    j["win_rate"] = number(x->win_rate(), 3);
    j["bias"] = number(x->bias(), 3);
    j["within_5_pct"] = number(Record::ratio(x->w5, x->rows), 3);
    players.push_back(std::move(j));
  }
  Json idx;
  idx["generated_at"] = generated_at;
  idx["total_players"] = players.size();
  idx["players"] = std::move(players);
  return idx;
}

/// The newest 50 games of rows [b, e), newest first.
Json game_log(const std::vector<PgsRow>& pgs, size_t b, size_t e) {
  Json log = Json::array();
  for (size_t i = e; i > b && log.size() < kGameLog; --i) {
    const PgsRow& g = pgs[i - 1];
    Json j;
    j["game_date"] = Date(g.day).iso();
    j["opponent"] = g.opponent;
    j["home_game"] = third_part_is(g);
    j["team_result"] = g.win == true ? "W" : "L";
    j["points"] = integer(g.points);
    j["minutes"] = number(g.minutes, 3);
    j["fg"] = shooting(g.fg_makes, g.fg_attempts);
    j["three"] = shooting(g.three_makes, g.three_attempts);
    j["ft"] = shooting(g.ft_makes, g.ft_attempts);
    j["rebounds"] = g.oreb && g.dreb ? Json(*g.oreb + *g.dreb) : Json(nullptr);
    j["assists"] = integer(g.assists);
    j["steals"] = integer(g.steals);
    j["blocks"] = integer(g.blocks);
    j["turnovers"] = integer(g.turnovers);
    j["line"] = number(g.line, 3);
    j["over_under"] = text(g.result);
    j["margin"] = g.line && g.points ? number(static_cast<double>(*g.points) - *g.line, 3) : Json(nullptr);
    log.push_back(std::move(j));
  }
  return log;
}

/// Rest, location and opponent splits over the seasons ≥ 2021.
Json profile_splits(const std::vector<PgsRow>& pgs, size_t b, size_t e) {
  std::array<Split, 4> rest;  // b2b, one_day, two_day, three_plus: 1, 2, 3, ≥ 4 days since the last game
  Split home, away;
  std::map<std::string, Split> opponents;
  for (const auto& [g, since] : with_rest(pgs, b, e, [](const PgsRow& r) { return r.season >= kProfileFirstSeason; })) {
    if (since && *since >= 1) rest[static_cast<size_t>(std::min(*since, 4) - 1)].add(*g);
    (third_part_is(*g) ? home : away).add(*g);
    opponents[g->opponent].add(*g);
  }
  std::vector<std::pair<std::string, const Split*>> opp;
  for (const auto& [team, s] : opponents) {
    if (s.games >= 2) opp.emplace_back(team, &s);
  }
  std::stable_sort(opp.begin(), opp.end(), [](const auto& a, const auto& b) {
    if (a.second->games != b.second->games) return a.second->games > b.second->games;
    return a.second->avg().value_or(-1) > b.second->avg().value_or(-1);
  });
  Json opp_j = Json::array();
  for (const auto& [team, s] : opp) {
    opp_j.push_back(
        {{"team", team}, {"avg", number(s->avg(), 3)}, {"games", s->games}, {"vs_line_pct", number(s->vs_line(), 3)}});
  }
  Json splits;
  splits["rest"] = {{"b2b", split_json(rest[0])},
                    {"one_day", split_json(rest[1])},
                    {"two_day", split_json(rest[2])},
                    {"three_plus", split_json(rest[3])}};
  splits["location"] = {{"home", split_json(home)}, {"away", split_json(away)}};
  splits["opponents"] = std::move(opp_j);
  return splits;
}

Json track_record(const Record& x) {
  Json track;
  track["total_predictions"] = x.rows;
  track["overall"] = {{"wins", x.correct}, {"losses", x.losses}, {"pct", number(x.win_rate(), 3)}};
  track["over_calls"] = {{"total", x.over},
                         {"wins", x.over_wins},
                         {"losses", x.over_losses},
                         {"pct", number(Record::ratio(x.over_wins, x.over), 3)}};
  track["under_calls"] = {{"total", x.under},
                          {"wins", x.under_wins},
                          {"losses", x.under_losses},
                          {"pct", number(Record::ratio(x.under_wins, x.under), 3)}};
  track["avg_error"] = number(x.mae(), 3);
  track["bias"] = number(x.bias(), 3);
  track["within_3_pts"] = number(Record::ratio(x.w3, x.rows), 3);
  track["within_5_pts"] = number(Record::ratio(x.w5, x.rows), 3);
  return track;
}

Json profile_summary(const Record& x) {
  Json summary;
  summary["team"] = text(x.team);
  summary["games_predicted"] = x.games();
  summary["total_recommendations"] = x.recs;
  summary["correct"] = x.correct;
  summary["mae"] = number(x.mae(), 3);
  summary["win_rate"] = number(x.win_rate(), 3);
  summary["bias"] = number(x.bias(), 3);
  summary["avg_confidence"] = number(Record::avg(x.conf_sum, x.conf_n, 3), 3);
  summary["within_3_pct"] = number(Record::ratio(x.w3, x.rows), 3);
  summary["within_5_pct"] = number(Record::ratio(x.w5, x.rows), 3);
  summary["date_range"] = {{"first", Date(x.first).iso()}, {"last", Date(x.last).iso()}};
  return summary;
}

}  // namespace

std::vector<ExportFile> player_profile_files(Warehouse& wh, Date today, int min_games,
                                             const std::string& generated_at) {
  const auto recs = records(wh);
  const auto pgs = read_pgs(wh, DateRange{kBeginning, kEnd});
  const auto runs = runs_by_player(pgs);
  const std::function<std::string(const std::string&)> name_of = [&](const std::string& player) {
    auto it = runs.find(player);
    return it == runs.end() ? player : display_name(pgs, it->second.first, it->second.second);
  };
  const NextGames next(wh, today);

  std::vector<IndexEntry> index;
  for (const auto& [player, x] : recs) {
    if (x.games() >= kIndexMinGames) index.emplace_back(&player, &x);
  }
  std::stable_sort(index.begin(), index.end(),
                   [](const auto& a, const auto& b) { return a.second->games() > b.second->games(); });
  std::vector<ExportFile> files;
  files.push_back({"v1/players/index.json", players_index(index, name_of, generated_at)});

  for (const auto& [player, x] : index) {
    if (x->games() < min_games) continue;
    auto run = runs.find(*player);
    const size_t b = run == runs.end() ? 0 : run->second.first, e = run == runs.end() ? 0 : run->second.second;
    Json j;
    j["player_lookup"] = *player;
    j["player_full_name"] = name_of(*player);
    j["generated_at"] = generated_at;
    j["summary"] = profile_summary(*x);
    j["interpretation"] = interpretation(*x);
    j["game_log"] = game_log(pgs, b, e);
    j["splits"] = profile_splits(pgs, b, e);
    j["our_track_record"] = track_record(*x);
    j["next_game"] = next.of(*player);
    files.push_back({"v1/players/" + *player + ".json", std::move(j)});
  }
  return files;
}

}  // namespace nbaprops::exports::detail
