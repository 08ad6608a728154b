#include "nbaprops/processors/analytics/upcoming_player_context.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "nbaprops/processors/analytics/upcoming_team_context.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics {
using proc::py_round;

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
  std::vector<Date> dates14;
  for (const auto& g : h) {
    if (g.date >= d - 7) {
      ++f.games_7;
      m7 += g.minutes;
    }
    if (g.date >= d - 14) {
      ++f.games_14;
      m14 += g.minutes;
      dates14.push_back(g.date);
    }
  }
  f.minutes_7 = static_cast<int64_t>(m7);  // legacy int(): truncation
  f.minutes_14 = static_cast<int64_t>(m14);
  if (f.games_7 > 0) f.avg_minutes_7 = py_round(m7 / static_cast<double>(f.games_7), 1);
  for (size_t i = 0; i + 1 < dates14.size(); ++i) {
    if (dates14[i] - dates14[i + 1] == 1) ++f.back_to_backs_14;
  }
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

namespace {

/// One pre-game prop snapshot of a player's game.
struct PropCand {
  std::string book;
  std::string snap;  ///< timestamp_key of snapshot_timestamp
  double line = 0;
};

/// Preferred book (DK → FD → alphabetical), then its latest (current) and
/// earliest (opening) line.
PropLine pick_prop_line(const std::vector<PropCand>& cands) {
  PropLine out;
  if (cands.empty()) return out;
  const std::string* best = &cands.front().book;
  for (const auto& c : cands) {
    if (bookmaker_before(c.book, *best)) best = &c.book;
  }
  const PropCand* cur = nullptr;
  const PropCand* open = nullptr;
  for (const auto& c : cands) {
    if (c.book != *best) continue;
    // Ties on the snapshot keep the first row (deterministic: table order).
    if (!cur || c.snap > cur->snap) cur = &c;
    if (!open || c.snap < open->snap) open = &c;
  }
  out.current = cur->line;
  out.opening = open->line;
  out.current_book = *best;
  out.opening_book = *best;
  return out;
}

}  // namespace

PropLine select_prop_line(const Table& props, const std::vector<size_t>& rows) {
  std::vector<PropCand> cands;
  cands.reserve(rows.size());
  for (size_t r : rows) {
    auto line = props.get_real(r, "points_line");
    if (!line) continue;
    std::string snap = timestamp_key(props.get_text(r, "snapshot_timestamp").value_or(""));
    std::string tip = timestamp_key(props.get_text(r, "game_start_time").value_or(""));
    if (!tip.empty() && snap > tip) continue;  // after tip-off: not a pre-game line
    cands.push_back({props.get_text(r, "bookmaker").value_or(""), std::move(snap), *line});
  }
  return pick_prop_line(cands);
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

/// A player who plays on D (from D's gamebook: identity and status only).
struct Driver {
  std::string lookup;
  std::string team;
  const Game* game = nullptr;
};

/// Per-(game, team) context shared by the team's players, computed once per
/// unit.
struct TeamSide {
  TeamGameLines lines;
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

/// Counted games of @p team in @p season, oldest first (whole season: past and
/// future).
std::vector<const Game*> season_games(const Schedule& s, const std::string& team, int season) {
  std::vector<const Game*> out;
  for (const auto& g : s.games()) {
    if (g.season == season && g.counts() && (g.home == team || g.away == team)) out.push_back(&g);
  }
  return out;
}

/// Win percentage of @p team from scored games of @p season strictly before @p
/// d (3 dp).
std::optional<double> win_pct_before(const std::vector<const Game*>& games, const std::string& team, Date d) {
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

/// Completeness of one window: expected team games, how many of them the player
/// has a gamebook row for.
struct Window {
  int64_t expected = 0;
  int64_t actual = 0;
  [[nodiscard]] double pct() const {
    // No game expected → nothing missing (legacy wrote 0 %, which its gate then
    // dropped).
    return expected == 0 ? 100.0 : py_round(100.0 * static_cast<double>(actual) / static_cast<double>(expected), 2);
  }
  [[nodiscard]] bool complete() const { return actual >= expected; }
};

}  // namespace

UnitOutput compute_upcoming_player_context(const Schedule& schedule, Date d, const PlayerContextInputs& in) {
  const TableSchema& schema = catalog::get("nba_analytics.upcoming_player_game_context");
  UnitOutput out(schema);
  auto games = schedule.games_on(d);
  if (games.empty()) {
    out.empty_reason = "no games on " + d.iso();
    return out;
  }
  std::map<std::string, const Game*> game_of_team;
  for (const Game* g : games) {
    game_of_team[g->home] = g;
    game_of_team[g->away] = g;
  }
  const Date hist_from = d - kPlayerHistoryDays;

  // ---- Gamebook, pass 1: the driver (rows of D: identity and status only —
  // never their stats).
  const Table& gb = in.gamebook;
  std::vector<Driver> drivers;
  bool gamebook_has_d = false;
  // For the pre-game mode: each player's latest team in the history window
  // (rows with minutes).
  std::unordered_map<std::string, std::pair<Date, std::string>> latest_team;
  {
    std::set<std::pair<std::string, std::string>> seen;  // (lookup, game id)
    const bool has_decimal = gb.index_of("minutes_decimal") >= 0;
    for (size_t r = 0; r < gb.num_rows(); ++r) {
      auto gd = gb.get_date(r, "game_date");
      if (!gd) continue;
      if (*gd != d) {
        if (*gd < hist_from || *gd > d) continue;
        auto lookup = gb.get_text(r, "player_lookup");
        auto team = gb.get_text(r, "team_abbr");
        if (!lookup || lookup->empty() || !team) continue;
        std::optional<double> mins;
        if (auto text = gb.get_text(r, "minutes")) mins = proc::parse_minutes(*text);
        if (!mins && has_decimal) mins = gb.get_real(r, "minutes_decimal");
        if (!mins || *mins <= 0) continue;
        auto [it, fresh] = latest_team.try_emplace(*lookup, *gd, *team);
        if (!fresh && *gd > it->second.first) it->second = {*gd, *team};
        continue;
      }
      gamebook_has_d = true;
      auto lookup = gb.get_text(r, "player_lookup");
      if (!lookup || lookup->empty()) continue;
      // Legacy: compared lowercase statuses with 'DNP'/'DND'/'NWT', so DNP and
      // inactive players got rows (§10.11). Fixed (DECISION 6): only players
      // listed active for D's game.
      if (lower(gb.get_text(r, "player_status").value_or("")) != "active") continue;
      std::string team = gb.get_text(r, "team_abbr").value_or("");
      auto it = game_of_team.find(team);
      if (it == game_of_team.end()) {
        out.failures.push_back(
            {*lookup, "INCOMPLETE_UPSTREAM", "gamebook team '" + team + "' has no counted game on " + d.iso()});
        continue;
      }
      if (!seen.insert({*lookup, it->second->date_id()}).second) continue;
      drivers.push_back({*lookup, team, it->second});
    }
  }
  if (!gamebook_has_d) {
    // Pre-game (daily) mode: D's gamebook does not exist yet. The legacy
    // crossed the schedule with ESPN rosters; we take every player whose latest
    // game in the history window was for a team that plays on D, minus those
    // the injury report (≤ D) lists out.
    std::unordered_map<std::string, std::string> status_of;
    for (const auto& e : injuries_for_date(in.injuries, d)) status_of[e.player_lookup] = e.status;
    for (const auto& [lookup, dt] : latest_team) {
      auto it = game_of_team.find(dt.second);
      if (it == game_of_team.end()) continue;
      if (auto st = status_of.find(lookup); st != status_of.end() && st->second == "out") continue;
      drivers.push_back({lookup, dt.second, it->second});
    }
  }
  if (drivers.empty()) {
    out.empty_reason = gamebook_has_d ? "no active gamebook players for the games of " + d.iso()
                                      : "no gamebook for " + d.iso() + " and no recent players of its teams";
    return out;
  }
  std::sort(drivers.begin(), drivers.end(), [](const Driver& a, const Driver& b) {
    return std::make_tuple(a.game->date_id(), a.team, a.lookup) < std::make_tuple(b.game->date_id(), b.team, b.lookup);
  });
  std::unordered_map<std::string, std::vector<PlayerGame>> history;  // drivers only
  std::unordered_map<std::string, std::set<Date>> any_row_dates;     // completeness "actual"
  for (const auto& dr : drivers) {
    history[dr.lookup];
    any_row_dates[dr.lookup];
  }

  // ---- Gamebook, pass 2: history D−30 … D−1 of the drivers (§7.4: rows with
  // minutes > 0).
  {
    const bool has_decimal = gb.index_of("minutes_decimal") >= 0;
    for (size_t r = 0; r < gb.num_rows(); ++r) {
      auto gd = gb.get_date(r, "game_date");
      if (!gd || *gd < hist_from || *gd >= d) continue;
      auto lookup = gb.get_text(r, "player_lookup");
      if (!lookup) continue;
      auto hit = history.find(*lookup);
      if (hit == history.end()) continue;
      any_row_dates[*lookup].insert(*gd);
      std::optional<double> mins;
      if (auto text = gb.get_text(r, "minutes")) mins = proc::parse_minutes(*text);
      if (!mins && has_decimal) mins = gb.get_real(r, "minutes_decimal");
      if (!mins || *mins <= 0) continue;
      hit->second.push_back({*gd, *mins, gb.get_int(r, "points"), std::nullopt});
    }
  }

  // ---- Props, one pass: pre-game snapshots of D − 30 … D, indexed by
  // (player_lookup, game_date) for the drivers. A player plays at most once per
  // date, so the date identifies the game whatever game_id format the props
  // carry (§0, §10.1). Source stats count every pre-game row.
  const Table& props = in.props;
  std::unordered_map<std::string, std::vector<PropCand>> props_by_key;
  SourceStats props_src;
  auto prop_key = [](const std::string& lookup, Date date) { return lookup + "|" + std::to_string(date.days()); };
  if (props.num_rows() > 0) {
    const Column& lk = props.col("player_lookup");
    const Column& gdc = props.col("game_date");
    const Column& line = props.col("points_line");
    const Column& snap = props.col("snapshot_timestamp");
    const Column& book = props.col("bookmaker");
    const int tip_i = props.index_of("game_start_time");
    const int pa_i = props.index_of("processed_at");
    const int hash_i = props.index_of("data_hash");
    std::string best_pa;
    for (size_t r = 0; r < props.num_rows(); ++r) {
      if (gdc.is_null(r)) continue;
      const Date gd(static_cast<int32_t>(gdc.int_at(r)));
      if (gd < hist_from || gd > d) continue;
      std::string snap_key = snap.is_null(r) ? std::string() : timestamp_key(snap.text_at(r));
      if (tip_i >= 0 && !props.col(tip_i).is_null(r)) {
        const std::string tip = timestamp_key(props.col(tip_i).text_at(r));
        if (!tip.empty() && snap_key > tip) continue;  // after tip-off: not pre-game
      }
      ++props_src.rows;
      if (pa_i >= 0 && !props.col(pa_i).is_null(r)) {
        std::string k = timestamp_key(props.col(pa_i).text_at(r));
        if (!props_src.last_updated || k > best_pa) {
          best_pa = k;
          props_src.last_updated = props.col(pa_i).text_at(r);
          props_src.hash = hash_i >= 0 ? props.col(hash_i).get_text(r) : std::nullopt;
        }
      }
      if (lk.is_null(r) || line.is_null(r) || !history.count(lk.text_at(r))) continue;
      props_by_key[prop_key(lk.text_at(r), gd)].push_back(
          {book.is_null(r) ? std::string() : book.text_at(r), std::move(snap_key), line.get_real(r).value_or(0)});
    }
  }
  auto prop_line = [&](const std::string& lookup, Date date) -> PropLine {
    auto it = props_by_key.find(prop_key(lookup, date));
    if (it == props_by_key.end()) return {};
    return pick_prop_line(it->second);
  };

  // History newest first, one game per date, each with that game's own closing
  // line.
  for (auto& [lookup, h] : history) {
    std::sort(h.begin(), h.end(), [](const PlayerGame& a, const PlayerGame& b) { return a.date > b.date; });
    h.erase(std::unique(h.begin(), h.end(), [](const PlayerGame& a, const PlayerGame& b) { return a.date == b.date; }),
            h.end());
    for (auto& g : h) g.line = prop_line(lookup, g.date).current;
  }

  // ---- Injury report of D's games.
  const auto injuries = injuries_for_date(in.injuries, d);
  std::unordered_map<std::string, const InjuryEntry*> injury_of;
  for (const auto& e : injuries) injury_of[e.player_lookup] = &e;

  // ---- Team sides: lines, rest, forward schedule, travel (once per team).
  const auto parsed_lines = parse_game_lines(in.game_lines, d);
  std::map<std::string, TeamSide> sides;
  std::map<std::string, std::vector<const Game*>> season_of_team;
  for (const Game* g : games) {
    for (const std::string* t : {&g->home, &g->away}) season_of_team[*t] = season_games(schedule, *t, g->season);
  }
  auto next_rest = [&](const std::string& team, int64_t& games_next_7) -> std::optional<int64_t> {
    std::optional<int64_t> rest;
    for (const Game* x : season_of_team[team]) {
      if (x->date <= d) continue;
      if (!rest) rest = rest_days(d, x->date);
      if (x->date <= d + 7) ++games_next_7;
    }
    return rest;
  };
  for (const Game* g : games) {
    for (int side = 0; side < 2; ++side) {
      const std::string& team = side == 0 ? g->home : g->away;
      const std::string& opp = side == 0 ? g->away : g->home;
      TeamSide s;
      s.lines = team_game_lines(parsed_lines, g->home, g->away, team);
      const auto& mine = season_of_team[team];
      const auto& theirs = season_of_team[opp];
      for (const Game* x : mine) {
        if (x->date < d) s.game_dates_before.push_back(x->date);
      }
      std::optional<Date> opp_last;
      for (const Game* x : theirs) {
        if (x->date < d) opp_last = x->date;
      }
      // Legacy: opponent_days_rest and the other forward fields were constants
      // 0/FALSE (§10.15). Fixed (DECISION 6): computed from the schedule (known
      // before the game), NULL when not applicable.
      if (opp_last) s.opponent_days_rest = rest_days(*opp_last, d);
      s.next_game_days_rest = next_rest(team, s.games_next_7);
      s.opp_next_game_days_rest = next_rest(opp, s.opp_games_next_7);
      for (const Game* x : mine) {
        if (x->date <= d) continue;
        const std::string& next_opp = x->opponent_of(team);
        auto known = season_of_team.find(next_opp);
        s.next_opponent_win_pct = win_pct_before(
            known != season_of_team.end() ? known->second : season_games(schedule, next_opp, g->season), next_opp, d);
        break;
      }
      // Team travel (the player's team; the legacy left all travel NULL): trip
      // to this game, the current road-trip length, and miles of the team's
      // games in D−14..D−1 plus this one.
      s.travel_miles = team_travel_miles(schedule, team, *g);
      if (side == 1) {
        s.consecutive_road_games = 1;
        for (auto it = mine.rbegin(); it != mine.rend(); ++it) {
          if ((*it)->date >= d) continue;
          if ((*it)->home == team) break;
          ++s.consecutive_road_games;
        }
      }
      for (const Game* x : mine) {
        if (x->date >= d - 14 && x->date < d) s.miles_last_14 += team_travel_miles(schedule, team, *x);
      }
      for (const auto& e : injuries) {
        if (e.team != team) continue;
        s.has_injury_report = true;
        s.questionable += e.status == "questionable" ? 1 : 0;
        s.probable += e.status == "probable" ? 1 : 0;
      }
      sides[g->date_id() + "|" + team] = std::move(s);
    }
  }

  // Source stats over the rows actually used (history before D; pre-game
  // snapshots), so that nothing dated D or later that is not pre-game can
  // change a row (DECISION 1).
  const SourceStats gb_src = source_stats(gb, [&](size_t r) {
    auto gd = gb.get_date(r, "game_date");
    return gd && *gd >= hist_from && *gd < d;
  });
  const SourceStats lines_src =
      source_stats(in.game_lines, [&](size_t r) { return is_pregame_line(in.game_lines, r, d); });
  const bool bootstrap = schedule.is_bootstrap(d);
  const int month = d.month();
  const bool boundary = month == 10 || month == 11 || month == 4;
  const std::string phase = season_phase(d);
  static const std::vector<PlayerGame> kNoHistory;

  // ---- Players in parallel, each into its own preallocated row.
  Table& t = out.rows;
  t.resize(drivers.size());
  tbb::parallel_for(tbb::blocked_range<size_t>(0, drivers.size()), [&](const tbb::blocked_range<size_t>& range) {
    for (size_t r = range.begin(); r != range.end(); ++r) {
      const Driver& dr = drivers[r];
      const Game& g = *dr.game;
      const bool home = g.home == dr.team;
      const TeamSide& side = sides.at(g.date_id() + "|" + dr.team);
      auto hit = history.find(dr.lookup);
      const std::vector<PlayerGame>& h = hit == history.end() ? kNoHistory : hit->second;

      t.set(r, "player_lookup", dr.lookup);
      // No player registry in the engine: the spec's default universal id
      // `<lookup>_001` (§7.11).
      t.set(r, "universal_player_id", dr.lookup + "_001");
      t.set(r, "game_id", g.date_id());
      t.set(r, "game_date", d);
      t.set(r, "team_abbr", dr.team);
      t.set(r, "opponent_team_abbr", home ? g.away : g.home);

      // Prop line of D (pre-game snapshots only).
      const PropLine pl = prop_line(dr.lookup, d);
      t.set(r, "has_prop_line", pl.current.has_value());
      t.col("current_points_line").set_real(r, pl.current);
      t.col("opening_points_line").set_real(r, pl.opening);
      // Legacy: "x if x else None" made a zero movement NULL. Fixed
      // (DECISION 6): 0.0 is kept.
      if (pl.current && pl.opening) t.set(r, "line_movement", py_round(*pl.current - *pl.opening, 1));
      if (!pl.current_book.empty()) t.set(r, "current_points_line_source", pl.current_book);
      if (!pl.opening_book.empty()) t.set(r, "opening_points_line_source", pl.opening_book);

      // Legacy: median of all outcomes of all books (both teams' ±x → ≈0),
      // joined by the Odds-API event id (never matched). Fixed (§10.13,
      // §10.1): UTGC's team-oriented rule by (date, home, away).
      const TeamGameLines& ln = side.lines;
      t.col("game_spread").set_real(r, py_round(ln.spread, 1));
      t.col("opening_spread").set_real(r, py_round(ln.opening_spread, 1));
      if (ln.spread && ln.opening_spread) t.set(r, "spread_movement", py_round(*ln.spread - *ln.opening_spread, 1));
      if (!ln.spread_source.empty()) t.set(r, "game_spread_source", ln.spread_source);
      t.col("game_total").set_real(r, py_round(ln.total, 1));
      t.col("opening_total").set_real(r, py_round(ln.opening_total, 1));
      if (ln.total && ln.opening_total) t.set(r, "total_movement", py_round(*ln.total - *ln.opening_total, 1));
      if (!ln.total_source.empty()) t.set(r, "game_total_source", ln.total_source);
      // spread/total_public_betting_pct: no betting-percentage source
      // exists → NULL. pace_differential, opponent_pace_last_10,
      // opponent_ft_rate_allowed, projected_usage_rate,
      // avg_usage_rate_last_7_games, fourth_quarter_minutes_last_7,
      // clutch_minutes_last_7_games, star_teammates_out,
      // opponent_def_rating_last_10, shooting_pct_decline_last_5,
      // fourth_quarter_production_last_7: never implemented by the legacy
      // ("future") → NULL. game_start_time_local: the Schedule carries no
      // start time → NULL.

      t.set(r, "home_game", home);
      t.set(r, "season_phase", phase);

      const Fatigue f = player_fatigue(h, d);
      t.set(r, "back_to_back", f.back_to_back);
      t.col("days_rest").set_int(r, f.days_rest);
      t.col("days_rest_before_last_game").set_int(r, f.days_rest_before_last_game);
      t.col("days_since_2_plus_days_rest").set_int(r, f.days_since_2_plus_days_rest);
      t.set(r, "games_in_last_7_days", f.games_7);
      t.set(r, "games_in_last_14_days", f.games_14);
      t.set(r, "minutes_in_last_7_days", f.minutes_7);
      t.set(r, "minutes_in_last_14_days", f.minutes_14);
      t.col("avg_minutes_per_game_last_7").set_real(r, f.avg_minutes_7);
      t.set(r, "back_to_backs_last_14_days", f.back_to_backs_14);

      t.set(r, "travel_miles", side.travel_miles);
      t.set(r, "consecutive_road_games", side.consecutive_road_games);
      t.set(r, "miles_traveled_last_14_days", side.miles_last_14 + side.travel_miles);
      // time_zone_changes, time_zones_crossed_last_14_days: arena zones are
      // IANA names; UTC offsets (with DST) need a time-zone database we do
      // not ship → NULL. player_age: no birthdates in any input → NULL.

      t.col("points_avg_last_5").set_real(r, points_avg_last(h, 5));
      t.col("points_avg_last_10").set_real(r, points_avg_last(h, 10));
      const PropStreak st = prop_streaks(h);
      t.col("prop_over_streak").set_int(r, st.over);
      t.col("prop_under_streak").set_int(r, st.under);

      t.col("next_game_days_rest").set_int(r, side.next_game_days_rest);
      t.set(r, "games_in_next_7_days", side.games_next_7);
      t.col("next_opponent_win_pct").set_real(r, side.next_opponent_win_pct);
      // next_game_is_primetime: no broadcast data in the schedule → NULL
      // (legacy constant FALSE).
      t.col("opponent_days_rest").set_int(r, side.opponent_days_rest);
      t.set(r, "opponent_games_in_next_7_days", side.opp_games_next_7);
      t.col("opponent_next_game_days_rest").set_int(r, side.opp_next_game_days_rest);

      // Legacy: injury extractor was a stub (all NULL). Fixed (DECISION 6):
      // latest report ≤ D for this game.
      if (auto it = injury_of.find(dr.lookup); it != injury_of.end()) {
        t.set(r, "player_status", it->second->status);
        if (it->second->reason) t.set(r, "injury_report", *it->second->reason);
      }
      if (side.has_injury_report) {
        // Counts of teammates; NULL when the report lists nobody of this
        // team (no report → unknown).
        auto self = injury_of.find(dr.lookup);
        const bool self_listed = self != injury_of.end() && self->second->team == dr.team;
        const std::string self_status = self_listed ? self->second->status : "";
        t.set(r, "questionable_teammates", side.questionable - (self_status == "questionable" ? 1 : 0));
        t.set(r, "probable_teammates", side.probable - (self_status == "probable" ? 1 : 0));
      }

      // Source tracking (§9): run-level stats of what was read.
      if (gb_src.last_updated) t.set(r, "source_boxscore_last_updated", *gb_src.last_updated);
      t.set(r, "source_boxscore_rows_found", gb_src.rows);
      if (gb_src.hash) t.set(r, "source_boxscore_hash", *gb_src.hash);
      t.set(r, "source_schedule_rows_found", static_cast<int64_t>(games.size()));
      if (props_src.last_updated) t.set(r, "source_props_last_updated", *props_src.last_updated);
      t.set(r, "source_props_rows_found", props_src.rows);
      if (props_src.hash) t.set(r, "source_props_hash", *props_src.hash);
      if (lines_src.last_updated) t.set(r, "source_game_lines_last_updated", *lines_src.last_updated);
      t.set(r, "source_game_lines_rows_found", lines_src.rows);
      if (lines_src.hash) t.set(r, "source_game_lines_hash", *lines_src.hash);
      // *_completeness_pct: the legacy had no expected row counts for UPGC
      // sources → NULL.

      // Completeness (DECISION 3): the team's scheduled games before D
      // (home and away) against the games for which the gamebook has any
      // row of the player. Legacy dropped rows below 70 % (§4.4, §10.12);
      // we emit every row and keep the flag (is_production_ready).
      const auto& dates = side.game_dates_before;  // oldest first
      const auto rows_it = any_row_dates.find(dr.lookup);
      auto present = [&](Date x) { return rows_it != any_row_dates.end() && rows_it->second.count(x) > 0; };
      auto last_games = [&](size_t n) {
        Window w;
        for (size_t i = dates.size(), k = 0; i > 0 && k < n; --i, ++k) {
          if (dates[i - 1] < hist_from) break;  // only the read window can be checked
          ++w.expected;
          w.actual += present(dates[i - 1]) ? 1 : 0;
        }
        return w;
      };
      auto last_days = [&](int n) {
        Window w;
        for (Date x : dates) {
          if (x < d - n) continue;
          ++w.expected;
          w.actual += present(x) ? 1 : 0;
        }
        return w;
      };
      const Window l5 = last_games(5), l10 = last_games(10), l7 = last_days(7), l14 = last_days(14),
                   l30 = last_days(30);
      t.set(r, "expected_games_count", l30.expected);
      t.set(r, "actual_games_count", l30.actual);
      t.set(r, "completeness_percentage", l30.pct());
      t.set(r, "missing_games_count", l30.expected - l30.actual);
      const std::pair<const char*, const Window*> wins[] = {
          {"l5", &l5}, {"l10", &l10}, {"l7d", &l7}, {"l14d", &l14}, {"l30d", &l30}};
      bool all_complete = true, all_ready = true;
      for (const auto& [name, w] : wins) {
        t.set(r, std::string(name) + "_completeness_pct", w->pct());
        t.set(r, std::string(name) + "_is_complete", w->complete());
        all_complete = all_complete && w->complete();
        all_ready = all_ready && w->pct() >= proc::kProductionReadyPct;
      }
      t.set(r, "all_windows_complete", all_complete);
      // No reprocess loop or circuit breaker exists here: attempts NULL,
      // breaker off.
      t.set(r, "circuit_breaker_active", false);
      t.set(r, "manual_override_required", false);
      t.set(r, "season_boundary_detected", boundary);
      t.set(r, "backfill_bootstrap_mode", bootstrap);
      t.set(r, "processing_decision_reason",
            gamebook_has_d ? "processed_successfully" : "processed_successfully:pre_game_driver");
      t.set(r, "context_version", int64_t{1});

      // Quality by history size (legacy §4.3).
      const auto n = static_cast<int64_t>(h.size());
      proc::Quality q;
      if (n >= 10) {
        q.tier = "gold", q.score = 95.0;
      } else if (n >= 5) {
        q.tier = "silver", q.score = 75.0;
      } else {
        q.tier = "bronze", q.score = 50.0;
      }
      if (!ln.spread) q.issues.push_back("missing_game_spread");
      if (!ln.total) q.issues.push_back("missing_game_total");
      if (n < 3) q.issues.push_back("thin_sample:" + std::to_string(n) + "/3");
      q.sources = {"nbac_gamebook_player_stats"};
      proc::write_quality(t, r, q);
      // Legacy readiness: season boundary OR bootstrap OR every window ≥ 70
      // %.
      t.set(r, "is_production_ready", boundary || bootstrap || all_ready);
      // History from the gamebook (§7.4), not BDL.
      t.set(r, "primary_source_used", "nbac_gamebook_player_stats");
      t.set(r, "processed_with_issues", !q.issues.empty());
      t.set(r, "quality_sample_size", n);
      t.set(r, "quality_used_fallback", false);
      t.set(r, "quality_reconstructed", false);
      // Deliberately NULL, column by column:
      //  spread_public_betting_pct, total_public_betting_pct — no
      //  betting-percentage source;
      //  source_{boxscore,props,game_lines,schedule}_completeness_pct — the
      //  legacy had no expected
      //    row counts for UPGC sources (§9);
      //  source_schedule_last_updated, source_schedule_hash — the Schedule
      //  carries neither; last_reprocess_attempt_at,
      //  reprocess_attempt_count, circuit_breaker_until — no reprocess
      //    loop or circuit breaker exists in this engine;
      //  quality_calculated_at — a clock reading (processors never read the
      //  clock); quality_metadata — nothing beyond the quality columns to
      //  report; created_at, processed_at — stamped by the runner.
      t.set(r, "data_hash", data_hash(t, r, upgc_hash_fields()));
    }
  });
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  return out;
}

namespace {

class UpcomingPlayerContextProcessor final : public Processor {
 public:
  UpcomingPlayerContextProcessor() {
    info_.name = "upcoming_player_game_context";
    info_.code = "upgc";
    info_.phase = 3;
    info_.output_table = "nba_analytics.upcoming_player_game_context";
    info_.entity = "players";
    info_.legacy_job = "upcoming_player_game_context";
    info_.reads = {// Rows of D: who plays (identity and status only). Rows of D−30…D−1:
                   // history.
                   {"nba_raw.nbac_gamebook_player_stats", WindowKind::kSameDate, 0, true},
                   {"nba_raw.nbac_gamebook_player_stats", WindowKind::kDaysBefore, kPlayerHistoryDays, false},
                   // Props: D's pre-game snapshots (the line) and the 30 days before (line
                   // history).
                   {"nba_raw.odds_api_player_points_props", WindowKind::kDaysThrough, kPlayerHistoryDays, false},
                   {"nba_raw.odds_api_game_lines", WindowKind::kSameDate, 0, false},
                   // Reports dated D are published before D's games: reading them is
                   // legitimate (not a leak).
                   {"nba_raw.nbac_injury_report", WindowKind::kDaysThrough, kInjuryLookbackDays, false}};
    info_.description =
        "Player pre-game context: rest, load, recent form, "
        "prop line and streaks, game lines, injuries";
  }
  const ProcessorInfo& info() const override { return info_; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    Table gb = proc::read_window(ctx, "nba_raw.nbac_gamebook_player_stats", d - kPlayerHistoryDays, d,
                                 {"game_id", "game_date", "player_lookup", "team_abbr", "player_status", "minutes",
                                  "minutes_decimal", "points", "data_hash", "processed_at"});
    Table props = proc::read_window(ctx, "nba_raw.odds_api_player_points_props", d - kPlayerHistoryDays, d,
                                    {"game_date", "player_lookup", "bookmaker", "points_line", "snapshot_timestamp",
                                     "game_start_time", "data_hash", "processed_at"});
    Table lines = proc::read_window(ctx, "nba_raw.odds_api_game_lines", d, d);
    Table injuries = proc::read_window(ctx, "nba_raw.nbac_injury_report", d - kInjuryLookbackDays, d);
    return compute_upcoming_player_context(ctx.schedule, d, {gb, props, lines, injuries});
  }

 private:
  static constexpr int kInjuryLookbackDays = 7;
  ProcessorInfo info_;
};

}  // namespace

std::unique_ptr<Processor> make_upcoming_player_context_processor() {
  return std::make_unique<UpcomingPlayerContextProcessor>();
}

}  // namespace nbaprops::analytics
