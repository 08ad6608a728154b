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
#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

/// One played game of a player's season before D.
struct PastGame {
  int32_t day = 0;
  int64_t points = 0;
  std::optional<double> minutes, line;
};

struct Prediction {
  std::optional<double> predicted, confidence;
  std::optional<std::string> recommendation;
  std::string created;  // timestamp_key(created_at)
  int64_t version = 0;
};

struct Odds {
  double line = 0;
  std::optional<int64_t> over, under;
};

struct Player {
  std::string lookup, game_id;
  std::optional<std::string> name, team, injury_status, injury_reason;
  std::optional<bool> is_home;
  std::optional<int64_t> fatigue;
  std::vector<PastGame> games;  // newest first
  std::optional<double> ppg, mpg, last_5_ppg;
  std::optional<Odds> odds;
  std::optional<Prediction> prediction;

  [[nodiscard]] bool out() const { return injury_status == "out"; }
  [[nodiscard]] std::optional<double> confidence() const {
    return odds && prediction ? prediction->confidence : std::nullopt;
  }
};

/// American odds of a decimal price (legacy-style rounding): ≥ 2.0 → +(d −
/// 1)·100, else −100/(d − 1).
std::optional<int64_t> american_of(std::optional<double> decimal) {
  if (!decimal || !std::isfinite(*decimal) || *decimal <= 1.0) return std::nullopt;
  const double a = *decimal >= 2.0 ? (*decimal - 1.0) * 100.0 : -100.0 / (*decimal - 1.0);
  return static_cast<int64_t>(std::llround(a));
}

std::optional<int64_t> price(const Table& t, size_t r, const char* american, const char* decimal) {
  if (auto a = t.get_int(r, american)) return a;
  return american_of(t.get_real(r, decimal));
}

void keep_best(std::optional<int64_t>& best, std::optional<int64_t> x) {
  if (x && (!best || *x > *best)) best = x;
}

/// Line and best odds of one player from props rows @p rows of D (see
/// build_tonight()).
std::optional<Odds> odds_of(const Table& props, const std::vector<size_t>& rows) {
  const analytics::PropLine chosen = analytics::select_prop_line(props, rows);
  if (!chosen.current) return std::nullopt;
  // Each bookmaker's latest pre-game snapshot.
  std::map<std::string, std::string> latest;  // book → snapshot key
  std::vector<std::pair<size_t, std::string>> pregame;
  for (size_t r : rows) {
    if (!props.get_real(r, "points_line")) continue;
    std::string snap = analytics::timestamp_key(props.get_text(r, "snapshot_timestamp").value_or(""));
    const std::string tip = analytics::timestamp_key(props.get_text(r, "game_start_time").value_or(""));
    if (!tip.empty() && snap > tip) continue;  // after tip-off: not a pre-game price
    std::string book = props.get_text(r, "bookmaker").value_or("");
    auto [it, fresh] = latest.emplace(book, snap);
    if (!fresh && snap > it->second) it->second = snap;
    pregame.emplace_back(r, std::move(snap));
  }
  Odds out;
  out.line = *chosen.current;
  for (const auto& [r, snap] : pregame) {
    if (snap != latest[props.get_text(r, "bookmaker").value_or("")]) continue;
    if (*props.get_real(r, "points_line") != out.line) continue;
    keep_best(out.over, price(props, r, "over_price_american", "over_price"));
    keep_best(out.under, price(props, r, "under_price_american", "under_price"));
  }
  return out;
}

std::optional<double> mean(const std::vector<PastGame>& games, size_t n, bool minutes) {
  double sum = 0;
  size_t count = 0;
  for (size_t i = 0; i < std::min(n, games.size()); ++i) {
    if (minutes && !games[i].minutes) continue;
    sum += minutes ? *games[i].minutes : static_cast<double>(games[i].points);
    ++count;
  }
  if (count == 0) return std::nullopt;
  return sum / static_cast<double>(count);
}

Json player_json(const Player& p) {
  Json j;
  j["player_lookup"] = p.lookup;
  j["player_full_name"] = p.name.value_or(p.lookup);
  j["team"] = text(p.team);
  j["is_home"] = p.is_home ? Json(*p.is_home) : Json(nullptr);
  j["injury_status"] = text(p.injury_status);
  j["injury_reason"] = text(p.injury_reason);
  j["fatigue_score"] = integer(p.fatigue);
  j["fatigue_level"] = text(fatigue_level(p.fatigue));
  j["season_ppg"] = number(p.ppg, 2);
  j["season_mpg"] = number(p.mpg, 2);
  j["games_played"] = static_cast<int64_t>(p.games.size());
  j["last_5_ppg"] = number(p.last_5_ppg, 2);
  Json last10 = Json::array();
  for (size_t i = 0; i < std::min<size_t>(10, p.games.size()); ++i) last10.push_back(p.games[i].points);
  j["last_10_points"] = std::move(last10);
  j["limited_data"] = p.games.size() < static_cast<size_t>(kTonightMinGames);
  j["has_line"] = p.odds.has_value();
  if (!p.odds) return j;
  Json prop;
  prop["stat_type"] = "points";
  prop["line"] = number(p.odds->line, 2);
  prop["over_odds"] = integer(p.odds->over);
  prop["under_odds"] = integer(p.odds->under);
  j["props"] = Json::array({std::move(prop)});
  if (p.prediction) {
    Json pred;
    pred["predicted"] = number(p.prediction->predicted, 2);
    pred["confidence"] = number(p.prediction->confidence, 2);
    pred["recommendation"] = text(p.prediction->recommendation);
    j["prediction"] = std::move(pred);
  } else {
    j["prediction"] = nullptr;
  }
  // Of the last 10 games, those with a line: over / under / push (a push counts
  // in neither).
  Json results = Json::array();
  int over = 0, under = 0;
  for (size_t i = 0; i < std::min<size_t>(10, p.games.size()); ++i) {
    const PastGame& g = p.games[i];
    if (!g.line) continue;
    const double pts = static_cast<double>(g.points);
    if (pts > *g.line) {
      results.push_back("O");
      ++over;
    } else if (pts < *g.line) {
      results.push_back("U");
      ++under;
    } else {
      results.push_back("P");
    }
  }
  j["last_10_results"] = std::move(results);
  j["last_10_record"] = std::to_string(over) + "-" + std::to_string(under);
  return j;
}

/// Legacy key (spec §6.6): players with a line first; among each, OUT last;
/// confidence desc; season ppg desc; player_lookup.
bool before(const Player& a, const Player& b) {
  if (a.odds.has_value() != b.odds.has_value()) return a.odds.has_value();
  if (a.out() != b.out()) return !a.out();
  const auto ca = a.confidence(), cb = b.confidence();
  if (ca.has_value() != cb.has_value()) return ca.has_value();
  if (ca && *ca != *cb) return *ca > *cb;
  if (a.ppg.has_value() != b.ppg.has_value()) return a.ppg.has_value();
  if (a.ppg && *a.ppg != *b.ppg) return *a.ppg > *b.ppg;
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
    const auto [begin, end] = in.roster.rows_on(date);
    for (size_t r = begin; r < end; ++r) {
      Player p;
      p.lookup = t.get_text(r, "player_lookup").value_or("");
      p.game_id = t.get_text(r, "game_id").value_or("");
      p.team = t.get_text(r, "team_abbr");
      p.is_home = t.get_bool(r, "home_game");
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

/// Season history strictly before D (DECISION 1), newest first, with the
/// season and last-5 averages; the newest non-null name.
void add_history(const Inputs& in, Date date, int64_t season, Roster& roster) {
  const Table& t = *in.player_history.table;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const auto day = t.get_date(r, "game_date");
    if (!day || *day >= date || t.get_int(r, "season_year") != season) continue;
    const auto points = t.get_int(r, "points");
    const auto minutes = t.get_real(r, "minutes_played");
    if (!points || (minutes && *minutes <= 0)) continue;  // did not play
    const auto name = t.get_text(r, "player_full_name");
    const auto line = t.get_real(r, "points_line");
    roster.each(t.get_text(r, "player_lookup").value_or(""), [&](Player& p) {
      p.games.push_back({day->days(), *points, minutes, line});
      if (name) p.name = name;  // rows are ordered by date: the last one is the newest
    });
  }
  for (Player& p : roster.players()) {
    std::stable_sort(p.games.begin(), p.games.end(),
                     [](const PastGame& a, const PastGame& b) { return a.day > b.day; });
    p.ppg = mean(p.games, p.games.size(), false);
    p.mpg = mean(p.games, p.games.size(), true);
    p.last_5_ppg = mean(p.games, 5, false);
  }
}

/// Fatigue of D.
void add_fatigue(const Inputs& in, Date date, Roster& roster) {
  const Table& t = *in.composite.table;
  const auto [begin, end] = in.composite.rows_on(date);
  for (size_t r = begin; r < end; ++r) {
    const auto score = t.get_int(r, "fatigue_score");
    if (!score) continue;
    roster.each(t.get_text(r, "player_lookup").value_or(""), [&](Player& p) {
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

/// Points line and best odds of D.
void add_odds(const Inputs& in, Date date, Roster& roster) {
  const Table& t = *in.props.table;
  const auto [begin, end] = in.props.rows_on(date);
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t r = begin; r < end; ++r) {
    if (auto lookup = t.get_text(r, "player_lookup"); lookup && roster.has(*lookup)) rows[*lookup].push_back(r);
  }
  for (const auto& [lookup, list] : rows) {
    const auto odds = odds_of(t, list);
    roster.each(lookup, [&](Player& p) { p.odds = odds; });
  }
}

/// Newest ensemble prediction of each (player, game): created_at, then
/// prediction_version.
void add_predictions(const Inputs& in, Date date, Roster& roster) {
  const Table& t = *in.tonight_predictions.table;
  const auto [begin, end] = in.tonight_predictions.rows_on(date);
  for (size_t r = begin; r < end; ++r) {
    if (t.get_text(r, "system_id") != kEnsembleSystem) continue;
    Prediction x;
    x.predicted = t.get_real(r, "predicted_points");
    x.confidence = t.get_real(r, "confidence_score");
    x.recommendation = t.get_text(r, "recommendation");
    x.created = analytics::timestamp_key(t.get_text(r, "created_at").value_or(""));
    x.version = t.get_int(r, "prediction_version").value_or(0);
    const std::string game = t.get_text(r, "game_id").value_or("");
    roster.each(t.get_text(r, "player_lookup").value_or(""), [&](Player& p) {
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
  for (size_t r = 0; r < t.num_rows(); ++r)
    est_of[t.get_text(r, "game_id").value_or("")] = t.get_text(r, "game_date_est");
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
  add_odds(in, date, roster);
  add_predictions(in, date, roster);

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
      with_lines += p->odds ? 1 : 0;
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
