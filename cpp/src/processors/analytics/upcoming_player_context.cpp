#include "nbaprops/processors/analytics/upcoming_player_context.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <numeric>
#include <span>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/processors/analytics/upcoming_team_context.hpp"
#include "nbaprops/processors/common.hpp"
#include "upgc_history.hpp"

namespace nbaprops::analytics {
using proc::py_round;

namespace {
namespace gbps = cols::nbac_gamebook_player_stats;
namespace oprops = cols::odds_api_player_points_props;
namespace upgc_col = cols::upcoming_player_game_context;  // upgc:: is the carried history (upgc_history.hpp)
}  // namespace

// ---------------------------------------------------------------------------------------------
// Formula helpers

Fatigue player_fatigue(const std::vector<PlayerGame>& h, Date d) {
  Fatigue f;
  if (h.empty()) {
    // No game in the history window: the player certainly did not play on D
    // − 1.
    return f;
  }
  const Date last = h.front().date;
  // Legacy: days_rest = D − last (1 for a back-to-back) and back_to_back =
  // (days_rest == 0), so back_to_back was never TRUE. Fixed (DECISION 6,
  // §10.9): days_rest = (D − last) − 1 (0 = played yesterday, the UTGC/docs
  // convention) and back_to_back = (D − last == 1).
  f.days_rest = rest_days(last, d);
  f.back_to_back = d - last == 1;
  if (h.size() >= 2) {
    // Same convention for the rest before the last game (legacy: raw
    // difference).
    f.days_rest_before_last_game = rest_days(h[1].date, last);
  }
  // Walk adjacent pairs newest → oldest; the first pair with 2+ rest days
  // between them (raw gap ≥ 3 under the diff − 1 convention; legacy used gap ≥
  // 2) gives D − the newer game's date. As in the legacy, the gap between the
  // last game and D is not considered.
  for (size_t i = 0; i + 1 < h.size(); ++i) {
    if (rest_days(h[i + 1].date, h[i].date) >= 2) {
      f.days_since_2_plus_days_rest = d - h[i].date;
      break;
    }
  }
  double m7 = 0, m14 = 0;
  const PlayerGame* newer14 = nullptr;  // the previous (newer) game of the last 14 days
  for (const auto& g : h) {
    if (g.date >= d - 7) {
      ++f.games_7;
      m7 += g.minutes;
    }
    if (g.date >= d - 14) {
      ++f.games_14;
      m14 += g.minutes;
      // Back-to-backs among the games of the last 14 days, adjacent pairs.
      if (newer14 != nullptr && newer14->date - g.date == 1) ++f.back_to_backs_14;
      newer14 = &g;
    }
  }
  f.minutes_7 = static_cast<int64_t>(m7);  // legacy int(): truncation
  f.minutes_14 = static_cast<int64_t>(m14);
  if (f.games_7 > 0) f.avg_minutes_7 = py_round(m7 / static_cast<double>(f.games_7), 1);
  return f;
}

std::optional<double> points_avg_last(const std::vector<PlayerGame>& h, size_t n) {
  double sum = 0;
  size_t used = 0;
  for (size_t i = 0; i < h.size() && used < n; ++i) {
    if (!h[i].points) continue;
    sum += static_cast<double>(*h[i].points);
    ++used;
  }
  if (used == 0) return std::nullopt;
  // Legacy: "avg if avg else None" turned an average of exactly 0 into NULL.
  // Fixed (DECISION 6).
  return py_round(sum / static_cast<double>(used), 1);
}

PropStreak prop_streaks(const std::vector<PlayerGame>& h) {
  PropStreak s;
  if (h.empty() || !h.front().line || !h.front().points) return s;
  int64_t over = 0, under = 0;
  for (const auto& g : h) {
    if (!g.line || !g.points) break;
    const double pts = static_cast<double>(*g.points);
    if (pts > *g.line) {
      if (under > 0) break;
      ++over;
    } else if (pts < *g.line) {
      if (over > 0) break;
      ++under;
    }
    // pts == line: a push is skipped.
  }
  s.over = over;
  s.under = under;
  return s;
}

PropLine select_prop_line(const Table& props, const std::vector<size_t>& rows) {
  std::vector<upgc::PropCand> cands;
  cands.reserve(rows.size());
  const Column& line = props.col(oprops::points_line);
  const Column& snap = props.col(oprops::snapshot_timestamp);
  const Column* tip = proc::opt_col(props, "game_start_time");
  const Column* book = proc::opt_col(props, "bookmaker");
  for (size_t r : rows) {
    if (line.is_null(r)) continue;
    const TimestampKey snap_key = snap.is_null(r) ? TimestampKey() : TimestampKey(snap.text_at(r));
    const std::string* t = proc::text_of(tip, r);
    const TimestampKey tip_key = t == nullptr ? TimestampKey() : TimestampKey(*t);
    if (!tip_key.empty() && snap_key > tip_key) continue;  // after tip-off: not a pre-game line
    const std::string* b = proc::text_of(book, r);
    cands.push_back({b == nullptr ? std::string_view() : std::string_view(*b), snap_key, *line.get_real(r)});
  }
  return upgc::pick_prop_line(cands);
}

std::string season_phase(Date d) {
  const int m = d.month();
  if (m == 10 || m == 11) return "early";
  if (m == 12 || m == 1 || m == 2) return "mid";
  if (m == 3 || m == 4) return "late";
  return "playoffs";
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Hash fields (legacy: 102 HASH_FIELDS incl. completeness fields and
/// context_version, §4.3): every column from player_lookup to
/// all_windows_complete except source tracking and quality metadata (§0:
/// excluded from hashes), plus context_version — 92 columns of this schema.
const std::vector<std::string>& upgc_hash_fields() {
  static const std::vector<std::string> fields = [] {
    std::vector<std::string> f;
    for (const auto& c : catalog::get("nba_analytics.upcoming_player_game_context").columns) {
      const std::string& n = c.name;
      const bool metadata = n.rfind("source_", 0) == 0 || n == "data_quality_tier" || n == "data_quality_issues" ||
                            n == "primary_source_used" || n == "processed_with_issues";
      if (!metadata) f.push_back(n);
      if (n == "all_windows_complete") break;
    }
    f.push_back("context_version");
    return f;
  }();
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Extract: D's games, who plays, the team sides

/// The counted games of D, their ids, and the game of each team.
struct DayGames {
  std::vector<const Game*> games;
  std::vector<std::string> ids;                ///< date_id of each game
  std::map<std::string, size_t> game_of_team;  ///< team → index in games

  DayGames(const Schedule& schedule, Date d) : games(schedule.games_on(d)) {
    for (size_t i = 0; i < games.size(); ++i) {
      ids.push_back(games[i]->date_id());
      game_of_team[games[i]->home] = i;
      game_of_team[games[i]->away] = i;
    }
  }
};

/// The digests a date reads: the gamebook of D − 30 … D − 1 and the props of
/// D − 30 … D (index: date − from). Immutable: read without a lock.
struct HistoryDays {
  Date from;
  std::vector<const upgc::GamebookDay*> gamebook;
  std::vector<const upgc::PropsDay*> props;
};

/// A player who plays on D.
struct Driver {
  const std::string* lookup = nullptr;  ///< interned player_lookup
  const std::string* team = nullptr;    ///< interned team_abbr
  size_t game = 0;                      ///< index in DayGames
};

/// Players listed active in D's gamebook rows of @p gb for a counted game of D
/// (identity and status only: their stats are never read). A player of a team
/// without a game of D is a failure.
std::vector<Driver> gamebook_drivers(const Table& gb, Date d, const DayGames& day, bool& gamebook_has_d,
                                     std::vector<EntityFailure>& failures) {
  const Column& date = gb.col(gbps::game_date);
  const Column& lookup = gb.col(gbps::player_lookup);
  const Column& team = gb.col(gbps::team_abbr);
  const Column& status = gb.col(gbps::player_status);
  std::vector<Driver> out;
  std::vector<std::pair<const std::string*, size_t>> seen;  // (lookup, game)
  gamebook_has_d = false;
  for (size_t r = 0; r < gb.num_rows(); ++r) {
    if (date.is_null(r) || date.int_at(r) != d.days()) continue;
    gamebook_has_d = true;
    if (lookup.is_null(r) || lookup.text_at(r).empty()) continue;
    // Legacy: compared lowercase statuses with 'DNP'/'DND'/'NWT', so DNP and
    // inactive players got rows (§10.11). Fixed (DECISION 6): only players
    // listed active for D's game.
    if (status.is_null(r) || lower(status.text_at(r)) != "active") continue;
    const std::string* tm = team.text_ptr(r);  // NULL reads as ""
    auto it = day.game_of_team.find(*tm);
    if (it == day.game_of_team.end()) {
      failures.push_back(
          {lookup.text_at(r), "INCOMPLETE_UPSTREAM", "gamebook team '" + *tm + "' has no counted game on " + d.iso()});
      continue;
    }
    const std::pair key(lookup.text_ptr(r), it->second);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    out.push_back({key.first, tm, it->second});
  }
  return out;
}

/// Pre-game (daily) mode, when D's gamebook does not exist yet. The legacy
/// crossed the schedule with ESPN rosters; we take every player whose latest
/// game in D − 30 … D − 1 was for a team that plays on D, minus those the
/// injury report (≤ D) lists out.
std::vector<Driver> pregame_drivers(const HistoryDays& h, const DayGames& day,
                                    const std::vector<InjuryEntry>& injuries) {
  std::unordered_map<std::string, std::string> status_of;
  for (const auto& e : injuries) status_of[e.player_lookup] = e.status;
  std::vector<Driver> out;
  std::unordered_set<const std::string*> decided;  // players whose latest game with a team was seen
  for (size_t i = h.gamebook.size(); i-- > 0;) {   // newest date first
    for (const auto& e : h.gamebook[i]->players) {
      if (!e.played || e.team == nullptr || !decided.insert(e.lookup).second) continue;
      auto g = day.game_of_team.find(*e.team);
      if (g == day.game_of_team.end()) continue;
      if (auto st = status_of.find(*e.lookup); st != status_of.end() && st->second == "out") continue;
      out.push_back({e.lookup, e.team, g->second});
    }
  }
  return out;
}

/// Per-(game, team) context shared by the team's players.
struct TeamSide {
  TeamGameLines lines;
  /// The game's lines as written (rounded to 1 dp once per side).
  std::optional<double> spread, opening_spread, spread_movement, total, opening_total, total_movement;
  std::optional<int64_t> opponent_days_rest;
  std::optional<int64_t> next_game_days_rest;
  int64_t games_next_7 = 0;
  std::optional<double> next_opponent_win_pct;
  std::optional<int64_t> opp_next_game_days_rest;
  int64_t opp_games_next_7 = 0;
  int64_t travel_miles = 0;
  int64_t consecutive_road_games = 0;
  int64_t miles_last_14 = 0;
  std::vector<Date> game_dates_before;  ///< counted games of the season before D, oldest first
  bool has_injury_report = false;
  int64_t questionable = 0;
  int64_t probable = 0;
};

/// Win percentage of @p team from scored games of its season @p games strictly
/// before @p d (3 dp).
std::optional<double> win_pct_before(std::span<const Game* const> games, const std::string& team, Date d) {
  int w = 0, n = 0;
  for (const Game* g : games) {
    if (g->date >= d) break;
    if (!g->home_score || !g->away_score || *g->home_score == *g->away_score) continue;
    const bool home = g->home == team;
    const bool won = home ? *g->home_score > *g->away_score : *g->away_score > *g->home_score;
    w += won ? 1 : 0;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return py_round(static_cast<double>(w) / n, 3);
}

/// Rest before a team's next game after D, counting its games in D+1 … D+7.
std::optional<int64_t> next_rest(std::span<const Game* const> season, Date d, int64_t& games_next_7) {
  std::optional<int64_t> rest;
  for (const Game* x : season) {
    if (x->date <= d) continue;
    if (!rest) rest = rest_days(d, x->date);
    if (x->date <= d + 7) ++games_next_7;
  }
  return rest;
}

/// Lines, rest, forward schedule, travel and injury counts of one team of game
/// @p g of D.
TeamSide team_side(const Game& g, bool home, Date d, const SeasonTeamGames& season,
                   const std::vector<GameLineRow>& lines, const std::vector<InjuryEntry>& injuries) {
  const std::string& team = home ? g.home : g.away;
  const std::string& opp = home ? g.away : g.home;
  TeamSide s;
  // Legacy: median of all outcomes of all books (both teams' ±x → ≈0),
  // joined by the Odds-API event id (never matched). Fixed (§10.13,
  // §10.1): UTGC's team-oriented rule by (date, home, away).
  s.lines = team_game_lines(lines, g.home, g.away, team);
  const TeamGameLines& ln = s.lines;
  s.spread = py_round(ln.spread, 1);
  s.opening_spread = py_round(ln.opening_spread, 1);
  if (ln.spread && ln.opening_spread) s.spread_movement = py_round(*ln.spread - *ln.opening_spread, 1);
  s.total = py_round(ln.total, 1);
  s.opening_total = py_round(ln.opening_total, 1);
  if (ln.total && ln.opening_total) s.total_movement = py_round(*ln.total - *ln.opening_total, 1);
  const auto mine = season.of(team);
  const auto before = season.before(team, d);
  for (const Game* x : before) s.game_dates_before.push_back(x->date);
  // Legacy: opponent_days_rest and the other forward fields were constants
  // 0/FALSE (§10.15). Fixed (DECISION 6): computed from the schedule (known
  // before the game), NULL when not applicable.
  if (const auto theirs = season.before(opp, d); !theirs.empty()) {
    s.opponent_days_rest = rest_days(theirs.back()->date, d);
  }
  s.next_game_days_rest = next_rest(mine, d, s.games_next_7);
  s.opp_next_game_days_rest = next_rest(season.of(opp), d, s.opp_games_next_7);
  for (const Game* x : mine) {
    if (x->date <= d) continue;
    const std::string& next_opp = x->opponent_of(team);
    s.next_opponent_win_pct = win_pct_before(season.of(next_opp), next_opp, d);
    break;
  }
  // Team travel (the player's team; the legacy left all travel NULL): trip
  // to this game, the current road-trip length, and miles of the team's
  // games in D−14..D−1 plus this one.
  s.travel_miles = team_travel_miles(mine, team, g);
  if (!home) {
    s.consecutive_road_games = 1;
    for (auto it = before.rbegin(); it != before.rend() && (*it)->home != team; ++it) ++s.consecutive_road_games;
  }
  for (const Game* x : before) {
    if (x->date >= d - 14) s.miles_last_14 += team_travel_miles(mine, team, *x);
  }
  for (const auto& e : injuries) {
    if (e.team != team) continue;
    s.has_injury_report = true;
    s.questionable += e.status == "questionable" ? 1 : 0;
    s.probable += e.status == "probable" ? 1 : 0;
  }
  return s;
}

/// Both sides of every game of D: home at 2 × game, away at 2 × game + 1.
std::vector<TeamSide> team_sides(const Schedule& schedule, Date d, const DayGames& day, const Table& game_lines,
                                 const std::vector<InjuryEntry>& injuries, SeasonGamesCache& seasons) {
  const auto lines = parse_game_lines(game_lines, d);
  std::vector<TeamSide> out;
  out.reserve(2 * day.games.size());
  for (const Game* g : day.games) {
    const SeasonTeamGames& season = seasons.of(schedule, g->season);  // D's games share one season
    out.push_back(team_side(*g, true, d, season, lines, injuries));
    out.push_back(team_side(*g, false, d, season, lines, injuries));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Per player: the slice of the histories

/// A driver's inputs from the carried histories, copied out of them (a unit of
/// a later date may ingest into the histories while this one emits its rows).
struct PlayerSlice {
  std::vector<PlayerGame> games;  ///< D − 30 … D − 1, newest first, each with its own line
  std::vector<Date> row_dates;    ///< dates of D − 30 … D − 1 with any gamebook row
  PropLine line;                  ///< D's line (pre-game snapshots only)
};

/// The slices of @p drivers (in their order). The history days list their
/// players sorted by interned name, so each day is walked once, merged with
/// the drivers sorted the same way, not searched once per driver.
std::vector<PlayerSlice> slice_players(const HistoryDays& h, const std::vector<Driver>& drivers) {
  std::vector<PlayerSlice> slices(drivers.size());
  std::vector<size_t> order(drivers.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return std::less<>()(drivers[a].lookup, drivers[b].lookup); });
  for (size_t k = 0; k < drivers.size(); ++k) {
    if (const PropLine* l = h.props.back()->line_of(drivers[k].lookup)) slices[k].line = *l;
    // At most one entry per day of the window: one allocation each, not a
    // vector grown by doubling.
    slices[k].row_dates.reserve(h.gamebook.size());
    slices[k].games.reserve(h.gamebook.size());
  }
  for (size_t i = h.gamebook.size(); i-- > 0;) {  // newest date first
    const auto& players = h.gamebook[i]->players;
    const auto& lines = h.props[i]->lines;
    const Date x = h.from + static_cast<int32_t>(i);
    size_t p = 0, q = 0;
    for (size_t k : order) {
      const std::string* who = drivers[k].lookup;
      while (p < players.size() && std::less<>()(players[p].lookup, who)) ++p;
      if (p == players.size()) break;
      if (players[p].lookup != who) continue;
      const upgc::GamebookDay::Entry& e = players[p];
      PlayerSlice& s = slices[k];
      s.row_dates.push_back(x);
      if (!e.played) continue;
      while (q < lines.size() && std::less<>()(lines[q].first, who)) ++q;
      const PropLine* l = q < lines.size() && lines[q].first == who ? &lines[q].second : nullptr;
      s.games.push_back({x, e.minutes, e.points, l ? l->current : std::nullopt});
    }
  }
  for (PlayerSlice& s : slices) std::reverse(s.row_dates.begin(), s.row_dates.end());
  return slices;
}

/// Source stats (§9) of digests @p days.
template <class Day>
SourceStats window_source(const std::vector<const Day*>& days) {
  std::vector<const upgc::DaySource*> src;
  src.reserve(days.size());
  for (const Day* x : days) src.push_back(&x->source);
  return upgc::source_over(src);
}

// ---------------------------------------------------------------------------------------------
// Emit: one row

/// What every UPGC row of D shares.
struct PlayerDay {
  Date d;
  Date hist_from;
  int64_t games = 0;  ///< counted games of D
  SourceStats gamebook, props, lines;
  bool bootstrap = false;
  bool boundary = false;
  bool gamebook_has_d = true;
  std::string phase;
};

/// The output's source_<input>_… and quality columns, resolved once per date
/// (their names are built from a prefix).
struct UpgcColumns {
  explicit UpgcColumns(const Table& t)
      : boxscore(t, "boxscore"), props(t, "props"), game_lines(t, "game_lines"), quality(t) {}
  SourceColumns boxscore, props, game_lines;  ///< source_<input>_… (completeness_pct stays NULL)
  proc::QualityColumns quality;
};

/// One row's inputs.
struct RowInputs {
  const UpgcColumns& o;  ///< the source and quality columns
  const PlayerDay& day;
  const Driver& driver;
  const Game& game;
  const std::string& game_id;
  const TeamSide& side;
  const PlayerSlice& slice;
  const InjuryEntry* injury;  ///< the player's entry in D's report, or nullptr
};

/// Identity, the player's prop line and the game's lines.
void emit_identity_and_lines(Table& t, size_t r, const RowInputs& in) {
  const Game& g = in.game;
  const bool home = g.home == *in.driver.team;
  t.col(upgc_col::player_lookup).set_text_ptr(r, in.driver.lookup);
  // No player registry in the engine: the spec's default universal id
  // `<lookup>_001` (§7.11).
  t.set(r, upgc_col::universal_player_id, *in.driver.lookup + "_001");
  t.set(r, upgc_col::game_id, in.game_id);
  t.set(r, upgc_col::game_date, in.day.d);
  t.col(upgc_col::team_abbr).set_text_ptr(r, in.driver.team);
  t.set(r, upgc_col::opponent_team_abbr, home ? g.away : g.home);

  // Prop line of D (pre-game snapshots only).
  const PropLine& pl = in.slice.line;
  t.set(r, upgc_col::has_prop_line, pl.current.has_value());
  t.col(upgc_col::current_points_line).set_real(r, pl.current);
  t.col(upgc_col::opening_points_line).set_real(r, pl.opening);
  // Legacy: "x if x else None" made a zero movement NULL. Fixed
  // (DECISION 6): 0.0 is kept.
  if (pl.current && pl.opening) t.set(r, upgc_col::line_movement, py_round(*pl.current - *pl.opening, 1));
  if (!pl.current_book.empty()) t.set(r, upgc_col::current_points_line_source, pl.current_book);
  if (!pl.opening_book.empty()) t.set(r, upgc_col::opening_points_line_source, pl.opening_book);

  const TeamSide& side = in.side;
  t.col(upgc_col::game_spread).set_real(r, side.spread);
  t.col(upgc_col::opening_spread).set_real(r, side.opening_spread);
  t.col(upgc_col::spread_movement).set_real(r, side.spread_movement);
  if (!side.lines.spread_source.empty()) t.set(r, upgc_col::game_spread_source, side.lines.spread_source);
  t.col(upgc_col::game_total).set_real(r, side.total);
  t.col(upgc_col::opening_total).set_real(r, side.opening_total);
  t.col(upgc_col::total_movement).set_real(r, side.total_movement);
  if (!side.lines.total_source.empty()) t.set(r, upgc_col::game_total_source, side.lines.total_source);
  // spread/total_public_betting_pct: no betting-percentage source
  // exists → NULL. pace_differential, opponent_pace_last_10,
  // opponent_ft_rate_allowed, projected_usage_rate,
  // avg_usage_rate_last_7_games, fourth_quarter_minutes_last_7,
  // clutch_minutes_last_7_games, star_teammates_out,
  // opponent_def_rating_last_10, shooting_pct_decline_last_5,
  // fourth_quarter_production_last_7: never implemented by the legacy
  // ("future") → NULL. game_start_time_local: the Schedule carries no
  // start time → NULL.
  t.set(r, upgc_col::home_game, home);
  t.set(r, upgc_col::season_phase, in.day.phase);
}

/// Fatigue, travel, recent form and streaks from the player's history.
void emit_form(Table& t, size_t r, const RowInputs& in) {
  const std::vector<PlayerGame>& h = in.slice.games;
  const Fatigue f = player_fatigue(h, in.day.d);
  t.set(r, upgc_col::back_to_back, f.back_to_back);
  t.col(upgc_col::days_rest).set_int(r, f.days_rest);
  t.col(upgc_col::days_rest_before_last_game).set_int(r, f.days_rest_before_last_game);
  t.col(upgc_col::days_since_2_plus_days_rest).set_int(r, f.days_since_2_plus_days_rest);
  t.set(r, upgc_col::games_in_last_7_days, f.games_7);
  t.set(r, upgc_col::games_in_last_14_days, f.games_14);
  t.set(r, upgc_col::minutes_in_last_7_days, f.minutes_7);
  t.set(r, upgc_col::minutes_in_last_14_days, f.minutes_14);
  t.col(upgc_col::avg_minutes_per_game_last_7).set_real(r, f.avg_minutes_7);
  t.set(r, upgc_col::back_to_backs_last_14_days, f.back_to_backs_14);

  const TeamSide& side = in.side;
  t.set(r, upgc_col::travel_miles, side.travel_miles);
  t.set(r, upgc_col::consecutive_road_games, side.consecutive_road_games);
  t.set(r, upgc_col::miles_traveled_last_14_days, side.miles_last_14 + side.travel_miles);
  // time_zone_changes, time_zones_crossed_last_14_days: arena zones are
  // IANA names; UTC offsets (with DST) need a time-zone database we do
  // not ship → NULL. player_age: no birthdates in any input → NULL.

  t.col(upgc_col::points_avg_last_5).set_real(r, points_avg_last(h, 5));
  t.col(upgc_col::points_avg_last_10).set_real(r, points_avg_last(h, 10));
  const PropStreak st = prop_streaks(h);
  t.col(upgc_col::prop_over_streak).set_int(r, st.over);
  t.col(upgc_col::prop_under_streak).set_int(r, st.under);
}

/// The forward schedule, the opponent's rest and the injury report.
void emit_schedule_and_injuries(Table& t, size_t r, const RowInputs& in) {
  const TeamSide& side = in.side;
  t.col(upgc_col::next_game_days_rest).set_int(r, side.next_game_days_rest);
  t.set(r, upgc_col::games_in_next_7_days, side.games_next_7);
  t.col(upgc_col::next_opponent_win_pct).set_real(r, side.next_opponent_win_pct);
  // next_game_is_primetime: no broadcast data in the schedule → NULL
  // (legacy constant FALSE).
  t.col(upgc_col::opponent_days_rest).set_int(r, side.opponent_days_rest);
  t.set(r, upgc_col::opponent_games_in_next_7_days, side.opp_games_next_7);
  t.col(upgc_col::opponent_next_game_days_rest).set_int(r, side.opp_next_game_days_rest);

  // Legacy: injury extractor was a stub (all NULL). Fixed (DECISION 6):
  // latest report ≤ D for this game.
  const InjuryEntry* self = in.injury;
  if (self != nullptr) {
    t.set(r, upgc_col::player_status, self->status);
    if (self->reason) t.set(r, upgc_col::injury_report, *self->reason);
  }
  if (side.has_injury_report) {
    // Counts of teammates; NULL when the report lists nobody of this
    // team (no report → unknown).
    const bool self_listed = self != nullptr && self->team == *in.driver.team;
    const std::string self_status = self_listed ? self->status : "";
    t.set(r, upgc_col::questionable_teammates, side.questionable - (self_status == "questionable" ? 1 : 0));
    t.set(r, upgc_col::probable_teammates, side.probable - (self_status == "probable" ? 1 : 0));
  }
}

/// Source tracking (§9): run-level stats of what was read.
void emit_sources(Table& t, size_t r, const UpgcColumns& o, const PlayerDay& day) {
  o.boxscore.write(t, r, day.gamebook);
  t.set(r, upgc_col::source_schedule_rows_found, day.games);
  o.props.write(t, r, day.props);
  o.game_lines.write(t, r, day.lines);
  // *_completeness_pct: the legacy had no expected row counts for UPGC
  // sources → NULL.
}

/// Completeness of one window: expected team games, how many of them the player
/// has a gamebook row for.
using Window = CompletenessWindow;

/// Completeness (DECISION 3): the team's scheduled games before D (home and
/// away) against the games for which the gamebook has any row of the player.
/// Legacy dropped rows below 70 % (§4.4, §10.12); we emit every row and keep
/// the flag. @return whether every window is ≥ the production-ready threshold.
bool emit_completeness(Table& t, size_t r, const RowInputs& in) {
  const std::vector<Date>& dates = in.side.game_dates_before;  // oldest first
  const std::span<const Date> rows = in.slice.row_dates;
  auto present = [&](Date x) { return std::binary_search(rows.begin(), rows.end(), x); };
  auto last_games = [&](size_t n) {
    Window w;
    for (size_t i = dates.size(), k = 0; i > 0 && k < n; --i, ++k) {
      if (dates[i - 1] < in.day.hist_from) break;  // only the read window can be checked
      ++w.expected;
      w.actual += present(dates[i - 1]) ? 1 : 0;
    }
    return w;
  };
  auto last_days = [&](int n) {
    Window w;
    for (Date x : dates) {
      if (x < in.day.d - n) continue;
      ++w.expected;
      w.actual += present(x) ? 1 : 0;
    }
    return w;
  };
  const Window l30 = last_days(30);
  t.set(r, upgc_col::expected_games_count, l30.expected);
  t.set(r, upgc_col::actual_games_count, l30.actual);
  t.set(r, upgc_col::completeness_percentage, l30.pct());
  t.set(r, upgc_col::missing_games_count, l30.expected - l30.actual);
  struct Named {
    ColumnId pct;
    ColumnId complete;
    Window w;
  };
  const std::array<Named, 5> wins{{{upgc_col::l5_completeness_pct, upgc_col::l5_is_complete, last_games(5)},
                                   {upgc_col::l10_completeness_pct, upgc_col::l10_is_complete, last_games(10)},
                                   {upgc_col::l7d_completeness_pct, upgc_col::l7d_is_complete, last_days(7)},
                                   {upgc_col::l14d_completeness_pct, upgc_col::l14d_is_complete, last_days(14)},
                                   {upgc_col::l30d_completeness_pct, upgc_col::l30d_is_complete, l30}}};
  bool all_complete = true, all_ready = true;
  for (const auto& [pct, complete, w] : wins) {
    t.set(r, pct, w.pct());
    t.set(r, complete, w.complete());
    all_complete = all_complete && w.complete();
    all_ready = all_ready && w.pct() >= proc::kProductionReadyPct;
  }
  t.set(r, upgc_col::all_windows_complete, all_complete);
  return all_ready;
}

/// Run bookkeeping and quality by history size (legacy §4.3).
void emit_status_and_quality(Table& t, size_t r, const RowInputs& in, bool all_ready) {
  const UpgcColumns& o = in.o;
  const PlayerDay& day = in.day;
  // No reprocess loop or circuit breaker exists here: attempts NULL, breaker
  // off.
  t.set(r, upgc_col::circuit_breaker_active, false);
  t.set(r, upgc_col::manual_override_required, false);
  t.set(r, upgc_col::season_boundary_detected, day.boundary);
  t.set(r, upgc_col::backfill_bootstrap_mode, day.bootstrap);
  t.set(r, upgc_col::processing_decision_reason,
        day.gamebook_has_d ? "processed_successfully" : "processed_successfully:pre_game_driver");
  t.set(r, upgc_col::context_version, int64_t{1});

  const auto n = static_cast<int64_t>(in.slice.games.size());
  proc::Quality q;
  if (n >= 10) {
    q.tier = "gold", q.score = 95.0;
  } else if (n >= 5) {
    q.tier = "silver", q.score = 75.0;
  } else {
    q.tier = "bronze", q.score = 50.0;
  }
  if (!in.side.lines.spread) q.issues.push_back("missing_game_spread");
  if (!in.side.lines.total) q.issues.push_back("missing_game_total");
  if (n < 3) q.issues.push_back("thin_sample:" + std::to_string(n) + "/3");
  q.sources = {"nbac_gamebook_player_stats"};
  proc::write_quality(t, r, q, o.quality);
  // Legacy readiness: season boundary OR bootstrap OR every window ≥ 70 %.
  t.set(r, upgc_col::is_production_ready, day.boundary || day.bootstrap || all_ready);
  // History from the gamebook (§7.4), not BDL.
  t.set(r, upgc_col::primary_source_used, "nbac_gamebook_player_stats");
  t.set(r, upgc_col::processed_with_issues, !q.issues.empty());
  t.set(r, upgc_col::quality_sample_size, n);
  t.set(r, upgc_col::quality_used_fallback, false);
  t.set(r, upgc_col::quality_reconstructed, false);
  // Deliberately NULL, column by column:
  //  spread_public_betting_pct, total_public_betting_pct — no
  //  betting-percentage source;
  //  source_{boxscore,props,game_lines,schedule}_completeness_pct — the
  //  legacy had no expected row counts for UPGC sources (§9);
  //  source_schedule_last_updated, source_schedule_hash — the Schedule
  //  carries neither; last_reprocess_attempt_at, reprocess_attempt_count,
  //  circuit_breaker_until — no reprocess loop or circuit breaker exists in
  //  this engine; quality_calculated_at — a clock reading (processors never
  //  read the clock); quality_metadata — nothing beyond the quality columns
  //  to report; created_at, processed_at — stamped by the runner;
  //  data_hash — filled for all rows at the end.
}

void emit_row(Table& t, size_t r, const RowInputs& in) {
  emit_identity_and_lines(t, r, in);
  emit_form(t, r, in);
  emit_schedule_and_injuries(t, r, in);
  emit_sources(t, r, in.o, in.day);
  const bool all_ready = emit_completeness(t, r, in);
  emit_status_and_quality(t, r, in, all_ready);
}

// ---------------------------------------------------------------------------------------------
// The date

/// What D takes from the digests: its drivers in row order, each driver's
/// slice, and the windows' source stats.
struct HistoryTake {
  std::vector<Driver> drivers;
  std::vector<PlayerSlice> slices;  ///< one per driver
  SourceStats gamebook, props;
};

/// @p drivers come from D's gamebook, or (@p gamebook_has_d false) from the
/// history, for the pre-game mode.
HistoryTake take_from_days(const HistoryDays& h, const DayGames& games, std::vector<Driver> drivers,
                           bool gamebook_has_d, const std::vector<InjuryEntry>& injuries) {
  HistoryTake take;
  take.drivers = gamebook_has_d ? std::move(drivers) : pregame_drivers(h, games, injuries);
  std::sort(take.drivers.begin(), take.drivers.end(), [&](const Driver& a, const Driver& b) {
    return std::tie(games.ids[a.game], *a.team, *a.lookup) < std::tie(games.ids[b.game], *b.team, *b.lookup);
  });
  take.slices = slice_players(h, take.drivers);
  // Source stats over the rows actually used (history before D; pre-game
  // snapshots), so that nothing dated D or later that is not pre-game can
  // change a row (DECISION 1).
  take.gamebook = window_source(h.gamebook);
  take.props = window_source(h.props);
  return take;
}

/// UPGC rows of D from D's gamebook rows in @p gamebook_of_d (other dates are
/// ignored) and the digests @p h of its history window.
UnitOutput compute_from(const Schedule& schedule, Date d, const Table& gamebook_of_d, const HistoryDays& h,
                        const Table& game_lines, const Table& injury_report, SeasonGamesCache& seasons) {
  UnitOutput out(catalog::get("nba_analytics.upcoming_player_game_context"));
  const DayGames games(schedule, d);
  if (games.games.empty()) {
    out.empty_reason = "no games on " + d.iso();
    return out;
  }
  const auto injuries = injuries_for_date(injury_report, d);
  PlayerDay day{.d = d, .hist_from = d - kPlayerHistoryDays, .games = static_cast<int64_t>(games.games.size())};
  std::vector<Driver> listed = gamebook_drivers(gamebook_of_d, d, games, day.gamebook_has_d, out.failures);
  const HistoryTake take = take_from_days(h, games, std::move(listed), day.gamebook_has_d, injuries);
  if (take.drivers.empty()) {
    out.empty_reason = day.gamebook_has_d ? "no active gamebook players for the games of " + d.iso()
                                          : "no gamebook for " + d.iso() + " and no recent players of its teams";
    return out;
  }
  const std::vector<TeamSide> sides = team_sides(schedule, d, games, game_lines, injuries, seasons);
  // By interned lookup (equal pointers ⇔ equal names): no string hashing per row.
  std::unordered_map<const std::string*, const InjuryEntry*> injury_of;
  for (const auto& e : injuries) injury_of[intern(e.player_lookup)] = &e;
  day.gamebook = take.gamebook;
  day.props = take.props;
  day.lines = source_stats(game_lines, [&, pregame = PregameLines(game_lines)](size_t r) { return pregame(r, d); });
  day.bootstrap = schedule.is_bootstrap(d);
  day.boundary = d.month() == 10 || d.month() == 11 || d.month() == 4;
  day.phase = season_phase(d);

  // Players in parallel, each into its own preallocated row.
  Table& t = out.rows;
  t.resize(take.drivers.size());
  const UpgcColumns cols(t);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, take.drivers.size()), [&](const tbb::blocked_range<size_t>& range) {
    for (size_t r = range.begin(); r != range.end(); ++r) {
      const Driver& dr = take.drivers[r];
      const Game& g = *games.games[dr.game];
      const auto inj = injury_of.find(dr.lookup);
      emit_row(t, r,
               RowInputs{cols, day, dr, g, games.ids[dr.game], sides[2 * dr.game + (g.home == *dr.team ? 0 : 1)],
                         take.slices[r], inj == injury_of.end() ? nullptr : inj->second});
    }
  });
  proc::fill_data_hash(t, upgc_hash_fields());
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  return out;
}

}  // namespace

UnitOutput compute_upcoming_player_context(const Schedule& schedule, Date d, const PlayerContextInputs& in) {
  // One code path: the tables fill fresh digests, answered like the carried
  // ones (rows outside the window are ignored).
  const Date from = d - kPlayerHistoryDays;
  upgc::CarriedHistories own;
  auto all_of = [](const Table& t) { return [&t](Date, Date) { return t; }; };
  const HistoryDays h{from, own.gamebook.get(from, d - 1, all_of(in.gamebook)),
                      own.props.get(from, d, all_of(in.props))};
  return compute_from(schedule, d, in.gamebook, h, in.game_lines, in.injuries, own.season_games);
}

namespace {

constexpr int kInjuryLookbackDays = 7;
constexpr const char* kGamebook = "nba_raw.nbac_gamebook_player_stats";
constexpr const char* kProps = "nba_raw.odds_api_player_points_props";

/// One projection per table for D's rows and the history (one cache entry).
const std::vector<std::string> kGamebookColumns{"game_id",       "game_date",   "player_lookup",   "team_abbr",
                                                "player_status", "minutes",     "minutes_decimal", "points",
                                                "data_hash",     "processed_at"};
const std::vector<std::string> kPropsColumns{"game_date",          "player_lookup",   "bookmaker", "points_line",
                                             "snapshot_timestamp", "game_start_time", "data_hash", "processed_at"};

const ProcessorInfo kInfo{
    .name = "upcoming_player_game_context",
    .code = "upgc",
    .phase = 3,
    .output_table = "nba_analytics.upcoming_player_game_context",
    .entity = "players",
    .reads =
        {// Rows of D: who plays (identity and status only). Rows of D−30…D−1:
         // history.
         {kGamebook, WindowKind::kSameDate, 0, true, kGamebookColumns},
         {kGamebook, WindowKind::kDaysBefore, kPlayerHistoryDays, false, kGamebookColumns},
         // Props: D's pre-game snapshots (the line) and the 30 days before (line
         // history).
         {kProps, WindowKind::kDaysThrough, kPlayerHistoryDays, false, kPropsColumns},
         {"nba_raw.odds_api_game_lines", WindowKind::kSameDate, 0, false},
         // Reports dated D are published before D's games: reading them is
         // legitimate (not a leak).
         {"nba_raw.nbac_injury_report", WindowKind::kDaysThrough, kInjuryLookbackDays, false}},
    .legacy_job = "upcoming_player_game_context",
    .description = "Player pre-game context: rest, load, recent form, prop line and streaks, game lines, injuries"};

class UpcomingPlayerContextProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  std::unique_ptr<CarriedState> make_carried_state() const override {
    return std::make_unique<upgc::CarriedHistories>();
  }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    const Date from = d - kPlayerHistoryDays;
    auto reader = [&ctx](const char* table, const std::vector<std::string>& columns) {
      return [&ctx, table, &columns](Date a, Date b) { return proc::read_window(ctx, table, a, b, columns); };
    };
    // The season's digests, shared by its units in any order (or this unit's
    // own): each date of the window not digested yet is read here, inside
    // this unit's declared window.
    auto* carried = dynamic_cast<upgc::CarriedHistories*>(ctx.carried);
    upgc::CarriedHistories own;
    upgc::CarriedHistories& hist = carried != nullptr ? *carried : own;
    const HistoryDays h{from, hist.gamebook.get(from, d - 1, reader(kGamebook, kGamebookColumns)),
                        hist.props.get(from, d, reader(kProps, kPropsColumns))};
    const Table today = proc::read_window(ctx, kGamebook, d, d, kGamebookColumns);
    const Table lines = proc::read_window(ctx, "nba_raw.odds_api_game_lines", d, d);
    const Table injuries = proc::read_window(ctx, "nba_raw.nbac_injury_report", d - kInjuryLookbackDays, d);
    return compute_from(ctx.schedule, d, today, h, lines, injuries, hist.season_games);
  }
};

}  // namespace

std::unique_ptr<Processor> make_upcoming_player_context_processor() {
  return std::make_unique<UpcomingPlayerContextProcessor>();
}

}  // namespace nbaprops::analytics
