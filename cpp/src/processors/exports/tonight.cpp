// tonight/all-players.json (legacy TonightAllPlayersExporter, spec
// legacy-mlfs-phase5-6 §6.6).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>

#include "nbaprops/processors/analytics/upcoming_player_context.hpp"
#include "nbaprops/processors/analytics/upcoming_team_context.hpp"
#include "nbaprops/processors/common.hpp"
#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

/// One player_game_summary row of a player before D (any season).
struct PastGame {
  int32_t day = 0;
  std::optional<int64_t> points;
  std::optional<std::string> result;  ///< over_under_result
};

/// The player's rows of D's season before D: COUNT(*), and the sums of the
/// non-null points and minutes (in units of the minutes' NUMERIC scale).
struct SeasonTally {
  int64_t games = 0, points = 0, points_n = 0, minute_units = 0, minutes_n = 0;
};

struct Prediction {
  std::optional<double> predicted, confidence, line;
  std::optional<std::string> recommendation;
  std::string created;  // timestamp_key(created_at)
  int64_t version = 0;
};

struct Odds {
  std::optional<int64_t> over, under;
};

struct Player {
  std::string lookup, game_id;
  std::optional<std::string> name, team, injury_status, injury_reason;
  std::optional<bool> is_home;
  std::optional<int64_t> fatigue, days_rest;
  std::vector<PastGame> recent;  // the newest 10 rows before D, newest first
  int64_t games_played = 0;
  std::optional<double> ppg, mpg, last_5_ppg;  // rounded as the legacy SQL did (1 dp)
  Odds odds;
  std::optional<Prediction> prediction;

  [[nodiscard]] bool out() const { return injury_status == "out"; }
  /// The legacy has_line: the newest ensemble prediction carries a line (a
  /// real prop line or the worker's estimate).
  [[nodiscard]] bool has_line() const { return prediction && prediction->line; }
  /// The sort's confidence: the written (2-dp) value, 0 without one.
  [[nodiscard]] double sort_confidence() const {
    return has_line() && prediction->confidence ? proc::py_round(*prediction->confidence, 2) : 0.0;
  }
};

/// American odds of a decimal price (legacy-style rounding): ≥ 2.0 → +(d −
/// 1)·100, else −100/(d − 1).
std::optional<int64_t> american_of(std::optional<double> decimal) {
  if (!decimal || !std::isfinite(*decimal) || *decimal <= 1.0) return std::nullopt;
  const double a = *decimal >= 2.0 ? (*decimal - 1.0) * 100.0 : -100.0 / (*decimal - 1.0);
  return static_cast<int64_t>(std::llround(a));
}

/// The odds_api_player_points_props columns the odds read: resolved once per
/// table, so no row looks a column up by name.
struct PropColumns {
  const Column &lookup, &book, &line, &snapshot, &tip, &over, &under, &over_american, &under_american;

  explicit PropColumns(const Table& t)
      : lookup(t.col(oapp::player_lookup)),
        book(t.col(oapp::bookmaker)),
        line(t.col(oapp::points_line)),
        snapshot(t.col(oapp::snapshot_timestamp)),
        tip(t.col(oapp::game_start_time)),
        over(t.col(oapp::over_price)),
        under(t.col(oapp::under_price)),
        over_american(t.col(oapp::over_price_american)),
        under_american(t.col(oapp::under_price_american)) {}
};

/// The American price of row @p r, else that of its decimal price.
std::optional<int64_t> price(const Column& american, const Column& decimal, size_t r) {
  if (auto a = american.get_int(r)) return a;
  return american_of(decimal.get_real(r));
}

void keep_best(std::optional<int64_t>& best, std::optional<int64_t> x) {
  if (x && (!best || *x > *best)) best = x;
}

/// Best over / under odds of one player at the prediction's @p line (equal at
/// 1 dp, the legacy join) among the bookmakers' latest pre-game snapshots of
/// props rows @p rows of D.
Odds odds_at(const PropColumns& c, const std::vector<size_t>& rows, double line) {
  // Each bookmaker's latest pre-game snapshot.
  std::map<std::string, std::string> latest;  // book → snapshot key
  std::vector<std::pair<size_t, std::string>> pregame;
  for (size_t r : rows) {
    if (!c.line.get_real(r)) continue;
    std::string snap = analytics::timestamp_key(c.snapshot.get_text(r).value_or(""));
    const std::string tip = analytics::timestamp_key(c.tip.get_text(r).value_or(""));
    if (!tip.empty() && snap > tip) continue;  // after tip-off: not a pre-game price
    std::string book = c.book.get_text(r).value_or("");
    auto [it, fresh] = latest.emplace(book, snap);
    if (!fresh && snap > it->second) it->second = snap;
    pregame.emplace_back(r, std::move(snap));
  }
  Odds out;
  for (const auto& [r, snap] : pregame) {
    if (snap != latest[c.book.get_text(r).value_or("")]) continue;
    if (bq_round(*c.line.get_real(r), 1) != bq_round(line, 1)) continue;
    keep_best(out.over, price(c.over_american, c.over, r));
    keep_best(out.under, price(c.under_american, c.under, r));
  }
  return out;
}

/// Legacy last_10_results / last_10_points / last_10_record: one entry per
/// row (O, U, or "-" for anything else), the non-null points, and "O-U" (null
/// when neither occurs).
void add_last_10(Json& j, const Player& p, bool results) {
  Json points = Json::array(), marks = Json::array();
  int over = 0, under = 0;
  for (const PastGame& g : p.recent) {
    if (g.points) points.push_back(*g.points);
    if (g.result == "OVER") {
      marks.push_back("O");
      ++over;
    } else if (g.result == "UNDER") {
      marks.push_back("U");
      ++under;
    } else {
      marks.push_back("-");
    }
  }
  if (!results) {
    j["last_10_points"] = std::move(points);
    return;
  }
  j["last_10_results"] = std::move(marks);
  j["last_10_record"] = over + under > 0 ? Json(std::to_string(over) + "-" + std::to_string(under)) : Json(nullptr);
}

Json player_json(const Player& p) {
  Json j;
  j["player_lookup"] = p.lookup;
  j["name"] = p.name.value_or(p.lookup);
  j["team"] = text(p.team);
  j["is_home"] = p.is_home ? Json(*p.is_home) : Json(nullptr);
  j["has_line"] = p.has_line();
  j["fatigue_level"] = fatigue_level(p.fatigue).value_or("normal");  // legacy SQL: ELSE 'normal'
  // The legacy passes the INT64 score through _safe_float (round(float(x), 2)):
  // a JSON float (97.0), not an integer.
  j["fatigue_score"] = p.fatigue ? number(static_cast<double>(*p.fatigue), 2) : Json(nullptr);
  j["days_rest"] = integer(p.days_rest);
  j["injury_status"] = p.injury_status.value_or("available");  // legacy COALESCE
  j["injury_reason"] = text(p.injury_reason);
  j["season_ppg"] = number(p.ppg, 1);
  j["season_mpg"] = number(p.mpg, 1);
  j["last_5_ppg"] = number(p.last_5_ppg, 1);
  j["games_played"] = p.games_played;
  j["limited_data"] = p.games_played < kTonightMinGames;
  add_last_10(j, p, false);
  if (!p.has_line()) return j;
  Json prop;
  prop["stat_type"] = "points";
  prop["line"] = number(p.prediction->line, 2);
  prop["over_odds"] = integer(p.odds.over);
  prop["under_odds"] = integer(p.odds.under);
  j["props"] = Json::array({std::move(prop)});
  Json pred;
  pred["predicted"] = number(p.prediction->predicted, 2);
  pred["confidence"] = number(p.prediction->confidence, 2);
  pred["recommendation"] = text(p.prediction->recommendation);
  j["prediction"] = std::move(pred);
  add_last_10(j, p, true);
  return j;
}

/// Legacy key (spec §6.6): players with a line first; among each, OUT last;
/// confidence desc (the written 2-dp value, 0 without one); season ppg desc
/// (1 dp, 0 without one); then player_lookup (the legacy left ties to
/// BigQuery's row order).
bool before(const Player& a, const Player& b) {
  if (a.has_line() != b.has_line()) return a.has_line();
  if (a.out() != b.out()) return !a.out();
  if (a.sort_confidence() != b.sort_confidence()) return a.sort_confidence() > b.sort_confidence();
  const double pa = a.ppg.value_or(0), pb = b.ppg.value_or(0);
  if (pa != pb) return pa > pb;
  return a.lookup < b.lookup;
}

}  // namespace

std::optional<std::string> game_time(const std::optional<std::string>& est) {
  if (!est || est->size() < 16 || ((*est)[10] != 'T' && (*est)[10] != ' ')) return std::nullopt;
  const std::string& s = *est;
  if (!std::isdigit(static_cast<unsigned char>(s[11])) || !std::isdigit(static_cast<unsigned char>(s[12])) ||
      s[13] != ':' || !std::isdigit(static_cast<unsigned char>(s[14])) ||
      !std::isdigit(static_cast<unsigned char>(s[15]))) {
    return std::nullopt;
  }
  const int hour = (s[11] - '0') * 10 + (s[12] - '0');
  if (hour > 23) return std::nullopt;
  const int h12 = hour % 12 == 0 ? 12 : hour % 12;
  return std::to_string(h12) + ":" + s.substr(14, 2) + (hour < 12 ? " AM ET" : " PM ET");
}

namespace {

/// The players of D: one entry per (player, game) of UPGC, found by lookup.
class Roster {
 public:
  Roster(const Inputs& in, Date date) {
    const Table& t = *in.roster.table;
    const Column& lookup = t.col(upgc::player_lookup);
    const Column& game = t.col(upgc::game_id);
    const Column& team = t.col(upgc::team_abbr);
    const Column& home = t.col(upgc::home_game);
    const Column& rest = t.col(upgc::days_rest);
    const auto [begin, end] = in.roster.rows_on(date);
    for (size_t r = begin; r < end; ++r) {
      Player p;
      p.lookup = lookup.get_text(r).value_or("");
      p.game_id = game.get_text(r).value_or("");
      p.team = team.get_text(r);
      p.is_home = proc::bool_of(&home, r);
      p.days_rest = rest.get_int(r);
      by_lookup_[p.lookup].push_back(players_.size());
      players_.push_back(std::move(p));
    }
  }
  /// Calls @p fn on every entry of player @p lookup.
  template <class Fn>
  void each(const std::string& lookup, Fn&& fn) {
    if (auto it = by_lookup_.find(lookup); it != by_lookup_.end()) {
      for (size_t i : it->second) fn(players_[i]);
    }
  }
  [[nodiscard]] bool has(const std::string& lookup) const { return by_lookup_.count(lookup) > 0; }
  std::vector<Player>& players() { return players_; }
  [[nodiscard]] const std::vector<Player>& players() const { return players_; }

 private:
  std::vector<Player> players_;
  std::unordered_map<std::string, std::vector<size_t>> by_lookup_;
};

/// player_game_summary rows strictly before D (DECISION 1; the legacy's
/// windows too): the season figures over D's season (COUNT(*), ROUND(AVG, 1)
/// of points and minutes), last_5_ppg and the last 10 rows over every season
/// (legacy: "all recent games, not season-specific"); the newest non-null name.
void add_history(const Inputs& in, Date date, int64_t season, Roster& roster) {
  const Table& t = *in.player_history.table;
  const int minutes_scale = numeric_scale(t, "minutes_played");
  const Column& days = t.col(pgs::game_date);
  const Column& lookups = t.col(pgs::player_lookup);
  const Column& points_col = t.col(pgs::points);
  const Column& results = t.col(pgs::over_under_result);
  const Column& names = t.col(pgs::player_full_name);
  const Column& seasons = t.col(pgs::season_year);
  const Column& minutes_col = t.col(pgs::minutes_played);
  std::unordered_map<std::string, std::vector<PastGame>> rows_of;  // oldest first
  std::unordered_map<std::string, SeasonTally> tally_of;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const auto day = proc::date_of(&days, r);
    const std::string lookup = lookups.get_text(r).value_or("");
    if (!day || *day >= date || !roster.has(lookup)) continue;
    const auto points = points_col.get_int(r);
    rows_of[lookup].push_back({day->days(), points, results.get_text(r)});
    if (const auto name = names.get_text(r)) {
      roster.each(lookup, [&](Player& p) { p.name = name; });  // rows are ordered by date
    }
    if (seasons.get_int(r) != season) continue;
    SeasonTally& s = tally_of[lookup];
    ++s.games;
    if (points) {
      s.points += *points;
      ++s.points_n;
    }
    if (const auto minutes = minutes_col.get_real(r)) {
      s.minute_units += numeric_units(*minutes, minutes_scale);
      ++s.minutes_n;
    }
  }
  for (auto& [lookup, rows] : rows_of) {
    std::stable_sort(rows.begin(), rows.end(), [](const PastGame& a, const PastGame& b) { return a.day > b.day; });
    if (rows.size() > 10) rows.resize(10);
    int64_t sum5 = 0, n5 = 0;
    for (size_t i = 0; i < std::min<size_t>(5, rows.size()); ++i) {
      if (!rows[i].points) continue;
      sum5 += *rows[i].points;
      ++n5;
    }
    const SeasonTally s = tally_of[lookup];
    roster.each(lookup, [&](Player& p) {
      p.recent = rows;
      p.last_5_ppg = exact_round(sum5, n5, 1);
      p.games_played = s.games;
      p.ppg = exact_round(s.points, s.points_n, 1);
      p.mpg = exact_round(s.minute_units, s.minutes_n * pow10_int(minutes_scale), 1);
    });
  }
}

/// Fatigue of D.
void add_fatigue(const Inputs& in, Date date, Roster& roster) {
  const Table& t = *in.composite.table;
  const Column& scores = t.col(pcf::fatigue_score);
  const Column& lookups = t.col(pcf::player_lookup);
  const auto [begin, end] = in.composite.rows_on(date);
  for (size_t r = begin; r < end; ++r) {
    const auto score = scores.get_int(r);
    if (!score) continue;
    roster.each(lookups.get_text(r).value_or(""), [&](Player& p) {
      if (!p.fatigue) p.fatigue = score;
    });
  }
}

/// Latest pre-game injury report of D's games (the UPGC rule).
void add_injuries(const Inputs& in, Date date, Roster& roster) {
  for (const auto& e : analytics::injuries_for_date(*in.injuries.table, date)) {
    roster.each(e.player_lookup, [&](Player& p) {
      p.injury_status = e.status;
      p.injury_reason = e.reason;
    });
  }
}

/// Best odds of D at each prediction's line.
void add_odds(const Inputs& in, Date date, Roster& roster) {
  const PropColumns c(*in.props.table);
  const auto [begin, end] = in.props.rows_on(date);
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t r = begin; r < end; ++r) {
    if (auto lookup = c.lookup.get_text(r); lookup && roster.has(*lookup)) rows[*lookup].push_back(r);
  }
  for (const auto& [lookup, list] : rows) {
    roster.each(lookup, [&](Player& p) {
      if (p.has_line()) p.odds = odds_at(c, list, *p.prediction->line);
    });
  }
}

/// Newest ensemble prediction of each (player, game): created_at, then
/// prediction_version.
void add_predictions(const Inputs& in, Date date, Roster& roster) {
  const Table& t = *in.tonight_predictions.table;
  const Column& system = t.col(ppp::system_id);
  const Column& predicted = t.col(ppp::predicted_points);
  const Column& confidence = t.col(ppp::confidence_score);
  const Column& line = t.col(ppp::current_points_line);
  const Column& recommendation = t.col(ppp::recommendation);
  const Column& created = t.col(ppp::created_at);
  const Column& version = t.col(ppp::prediction_version);
  const Column& games = t.col(ppp::game_id);
  const Column& lookups = t.col(ppp::player_lookup);
  const auto [begin, end] = in.tonight_predictions.rows_on(date);
  for (size_t r = begin; r < end; ++r) {
    if (system.get_text(r) != kEnsembleSystem) continue;
    Prediction x;
    x.predicted = predicted.get_real(r);
    x.confidence = confidence.get_real(r);
    x.line = line.get_real(r);
    x.recommendation = recommendation.get_text(r);
    x.created = analytics::timestamp_key(created.get_text(r).value_or(""));
    x.version = version.get_int(r).value_or(0);
    const std::string game = games.get_text(r).value_or("");
    roster.each(lookups.get_text(r).value_or(""), [&](Player& p) {
      if (p.game_id != game) return;
      if (!p.prediction || std::tie(x.created, x.version) >= std::tie(p.prediction->created, p.prediction->version)) {
        p.prediction = x;  // a later row wins a tie
      }
    });
  }
}

struct GameOut {
  std::string id;
  std::optional<std::string> home, away, time, status, est;
  std::vector<const Player*> players;
};

/// D's scheduled games by tip time (unknown times last, then game id).
std::vector<GameOut> scheduled_games(const Inputs& in, const std::vector<const Game*>& scheduled) {
  std::unordered_map<std::string, std::optional<std::string>> est_of;
  const Table& t = *in.schedule.table;
  const Column& ids = t.col(sch::game_id);
  const Column& ests = t.col(sch::game_date_est);
  for (size_t r = 0; r < t.num_rows(); ++r) est_of[ids.get_text(r).value_or("")] = ests.get_text(r);
  std::vector<GameOut> games;
  for (const Game* g : scheduled) {
    GameOut o;
    o.id = g->date_id();
    o.home = g->home;
    o.away = g->away;
    o.est = est_of[g->nba_game_id];
    o.time = game_time(o.est);
    o.status = nbaprops::to_string(g->status);
    games.push_back(std::move(o));
  }
  std::stable_sort(games.begin(), games.end(), [](const GameOut& a, const GameOut& b) {
    // Tip time (timestamps of one date sort as text).
    if (a.est.has_value() != b.est.has_value()) return a.est.has_value();
    return std::tie(a.est, a.id) < std::tie(b.est, b.id);
  });
  return games;
}

/// Appends the roster games the schedule lacks (by id) and gives every game
/// its players.
void seat_players(const std::vector<Player>& players, std::vector<GameOut>& games) {
  std::unordered_map<std::string, size_t> game_index;
  for (size_t i = 0; i < games.size(); ++i) game_index.emplace(games[i].id, i);
  std::vector<std::string> unscheduled;
  for (const Player& p : players) {
    if (!game_index.count(p.game_id)) {
      game_index.emplace(p.game_id, games.size() + unscheduled.size());
      unscheduled.push_back(p.game_id);
    }
  }
  std::sort(unscheduled.begin(), unscheduled.end());
  for (const std::string& id : unscheduled) {
    GameOut o;
    o.id = id;
    std::tie(o.away, o.home) = teams_of(id);
    game_index[id] = games.size();
    games.push_back(std::move(o));
  }
  for (const Player& p : players) games[game_index.at(p.game_id)].players.push_back(&p);
}

}  // namespace

Json tonight_payload(const Inputs& in, Date date, const std::string& generated_at) {
  Roster roster(in, date);
  // Season of D: that of D's scheduled games, else the calendar rule.
  const std::vector<const Game*> scheduled = in.games.games_on(date);
  const int64_t season = scheduled.empty() ? season_of(date) : scheduled.front()->season;
  add_history(in, date, season, roster);
  add_fatigue(in, date, roster);
  add_injuries(in, date, roster);
  add_predictions(in, date, roster);
  add_odds(in, date, roster);  // at the predictions' lines

  std::vector<GameOut> games = scheduled_games(in, scheduled);
  seat_players(roster.players(), games);
  int64_t total = 0, with_lines = 0;
  Json list = Json::array();
  for (GameOut& g : games) {
    std::stable_sort(g.players.begin(), g.players.end(),
                     [](const Player* a, const Player* b) { return before(*a, *b); });
    Json out_players = Json::array();
    for (const Player* p : g.players) {
      out_players.push_back(player_json(*p));
      with_lines += p->has_line() ? 1 : 0;
    }
    total += static_cast<int64_t>(g.players.size());
    Json j;
    j["game_id"] = g.id;
    j["home_team"] = text(g.home);
    j["away_team"] = text(g.away);
    j["game_time"] = text(g.time);
    j["game_status"] = text(g.status);
    j["player_count"] = static_cast<int64_t>(g.players.size());
    j["players"] = std::move(out_players);
    list.push_back(std::move(j));
  }

  Json out;
  out["game_date"] = date.iso();
  out["generated_at"] = generated_at;
  out["total_players"] = total;
  out["total_with_lines"] = with_lines;
  out["games"] = std::move(list);
  return out;
}

}  // namespace nbaprops::exports::detail
