#include "nbaprops/processors/analytics/upcoming_team_context.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_map>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/teams.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics {
using proc::py_round;

// ---------------------------------------------------------------------------------------------
// Shared helpers

TimestampKey::TimestampKey(std::string_view ts) {
  size_ = static_cast<uint8_t>(std::min(ts.size(), chars_.size()));
  std::copy_n(ts.data(), size_, chars_.data());
  if (size_ > 10 && (chars_[10] == 'T' || chars_[10] == 't')) chars_[10] = ' ';
}

std::string timestamp_key(const std::string& ts) { return std::string(TimestampKey(ts).view()); }

namespace {
namespace glines = cols::odds_api_game_lines;
namespace injr = cols::nbac_injury_report;
namespace utgc = cols::upcoming_team_game_context;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

std::string team_from_name(const std::string& name) {
  if (name.empty()) return "";
  // Built once: lowercase tricode / "city nickname" / nickname → tricode.
  static const auto names = [] {
    std::unordered_map<std::string, std::string> exact;
    std::vector<std::pair<std::string, std::string>> nick;  // (" nickname", tricode)
    for (const auto& t : teams()) {
      exact[lower(t.tricode)] = t.tricode;
      exact[lower(t.city + " " + t.name)] = t.tricode;
      exact[lower(t.name)] = t.tricode;
      std::string nickname = " ";  // appended, not " " + temporary (a GCC 12 -Wrestrict false positive)
      nickname += lower(t.name);
      nick.emplace_back(std::move(nickname), t.tricode);
    }
    exact["los angeles clippers"] = "LAC";
    return std::make_pair(std::move(exact), std::move(nick));
  }();
  const std::string n = lower(name);
  if (auto it = names.first.find(n); it != names.first.end()) return it->second;
  for (const auto& [suffix, code] : names.second) {
    if (ends_with(n, suffix)) return code;
  }
  return "";
}

int bookmaker_rank(std::string_view book) {
  if (book == "draftkings") return 0;
  if (book == "fanduel") return 1;
  return 2;
}

bool bookmaker_before(std::string_view a, std::string_view b) {
  int ra = bookmaker_rank(a), rb = bookmaker_rank(b);
  if (ra != rb) return ra < rb;
  return a < b;
}

namespace {

/// One candidate line row for a market.
struct LineCand {
  std::string_view book;
  TimestampKey snap_key;
  std::string_view snapshot;
  double point = 0;
};

/// Picks the preferred book, then its latest (current) and earliest (opening)
/// snapshot.
void pick(const std::vector<LineCand>& c, std::optional<double>& current, std::optional<double>& opening,
          std::string& source, std::optional<std::string>& current_snapshot) {
  if (c.empty()) return;
  std::string_view best = c.front().book;
  for (const auto& x : c) {
    if (bookmaker_before(x.book, best)) best = x.book;
  }
  const LineCand* cur = nullptr;
  const LineCand* open = nullptr;
  for (const auto& x : c) {
    if (x.book != best) continue;
    // Ties on the snapshot keep the first row in table order (deterministic).
    if (!cur || x.snap_key > cur->snap_key) cur = &x;
    if (!open || x.snap_key < open->snap_key) open = &x;
  }
  current = cur->point;
  opening = open->point;
  source = cur->book;
  current_snapshot = std::string(cur->snapshot);
}

}  // namespace

PregameLines::PregameLines(const Table& lines)
    : date_(lines.col(glines::game_date)),
      commence_(lines.col(glines::commence_time)),
      snapshot_(lines.col(glines::snapshot_timestamp)) {}

bool PregameLines::operator()(size_t r, Date d) const {
  if (date_.is_null(r) || date_.int_at(r) != d.days()) return false;
  if (commence_.is_null(r)) return true;
  const TimestampKey commence(commence_.text_at(r));
  return commence.empty() || (snapshot_.is_null(r) ? TimestampKey() : TimestampKey(snapshot_.text_at(r))) <= commence;
}

bool is_pregame_line(const Table& lines, size_t r, Date d) { return PregameLines(lines)(r, d); }

bool is_pregame_report(const Column& report_date, size_t r, Date d) {
  auto rd = proc::date_of(&report_date, r);
  return rd && *rd <= d;
}

std::vector<GameLineRow> parse_game_lines(const Table& lines, Date d) {
  std::vector<GameLineRow> out;
  if (lines.num_rows() == 0) return out;
  const PregameLines pregame(lines);
  const Column& point = lines.col(glines::outcome_point);
  const bool has_abbr = lines.index_of("home_team_abbr") >= 0 && lines.index_of("away_team_abbr") >= 0;
  const Column* home_abbr = has_abbr ? &lines.col(glines::home_team_abbr) : nullptr;
  const Column* away_abbr = has_abbr ? &lines.col(glines::away_team_abbr) : nullptr;
  const Column& home_name = lines.col(glines::home_team);
  const Column& away_name = lines.col(glines::away_team);
  const Column& market = lines.col(glines::market_key);
  const Column& outcome_name = lines.col(glines::outcome_name);
  const Column& book = lines.col(glines::bookmaker_key);
  const Column& snapshot = lines.col(glines::snapshot_timestamp);
  static const std::string kEmpty;
  auto text = [](const Column* c, size_t r) -> const std::string& {
    const std::string* t = proc::text_of(c, r);
    return t == nullptr ? kEmpty : *t;
  };
  for (size_t r = 0; r < lines.num_rows(); ++r) {
    // Pre-game only: a snapshot after tip-off is not a pre-game line.
    if (!pregame(r, d) || point.is_null(r)) continue;
    GameLineRow x;
    x.home = text(home_abbr, r);
    x.away = text(away_abbr, r);
    if (x.home.empty()) x.home = team_from_name(text(&home_name, r));
    if (x.away.empty()) x.away = team_from_name(text(&away_name, r));
    x.market = text(&market, r);
    const std::string& outcome = text(&outcome_name, r);
    if (x.market == "spreads") {
      x.outcome_team = team_from_name(outcome);
    } else if (x.market == "totals") {
      x.over = lower(outcome) == "over";
    }
    x.book = text(&book, r);
    x.snapshot = text(&snapshot, r);
    x.snap_key = TimestampKey(x.snapshot);
    x.point = *point.get_real(r);
    out.push_back(std::move(x));
  }
  return out;
}

TeamGameLines team_game_lines(const std::vector<GameLineRow>& rows, const std::string& home, const std::string& away,
                              const std::string& team) {
  TeamGameLines out;
  std::vector<LineCand> spreads, totals;
  for (const auto& x : rows) {
    if (x.home != home || x.away != away) continue;
    if (x.market == "spreads" && x.outcome_team == team) {
      spreads.push_back({x.book, x.snap_key, x.snapshot, x.point});
    } else if (x.market == "totals" && x.over) {
      totals.push_back({x.book, x.snap_key, x.snapshot, x.point});
    }
  }
  std::optional<std::string> spread_snap, total_snap;
  pick(spreads, out.spread, out.opening_spread, out.spread_source, spread_snap);
  pick(totals, out.total, out.opening_total, out.total_source, total_snap);
  out.updated_at = spread_snap ? spread_snap : total_snap;
  return out;
}

TeamGameLines team_game_lines(const Table& lines, Date d, const std::string& home, const std::string& away,
                              const std::string& team) {
  return team_game_lines(parse_game_lines(lines, d), home, away, team);
}

int team_travel_miles(const Schedule& schedule, const std::string& team, const Game& g) {
  const auto prev = schedule.team_games_before(team, g.date, g.season);
  return team_travel_miles(std::span<const Game* const>(prev), team, g);
}

SeasonTeamGames::SeasonTeamGames(const Schedule& schedule, int season) {
  for (const Game& g : schedule.games()) {
    if (g.season != season || !g.counts()) continue;
    by_team_[g.home].push_back(&g);
    if (g.away != g.home) by_team_[g.away].push_back(&g);
  }
}

const SeasonTeamGames& SeasonGamesCache::of(const Schedule& schedule, int season) {
  const std::lock_guard lock(mu_);
  auto& slot = seasons_[{&schedule, season}];
  if (!slot) slot = std::make_unique<const SeasonTeamGames>(schedule, season);
  return *slot;
}

std::span<const Game* const> SeasonTeamGames::of(const std::string& team) const {
  auto it = by_team_.find(team);
  if (it == by_team_.end()) return {};
  return it->second;
}

std::span<const Game* const> SeasonTeamGames::before(const std::string& team, Date d) const {
  const auto all = of(team);
  const auto end = std::lower_bound(all.begin(), all.end(), d, [](const Game* g, Date x) { return g->date < x; });
  return all.first(static_cast<size_t>(end - all.begin()));
}

int team_travel_miles(std::span<const Game* const> team_games, const std::string& team, const Game& g) {
  const Game* prev = nullptr;
  for (const Game* x : team_games) {
    if (x->date >= g.date) break;
    if (x->home == team || x->away == team) prev = x;
  }
  if (prev == nullptr) return 0;  // first game of the season: no known previous location
  // Where the team last played is that game's home arena (its own after a home
  // game).
  return travel_miles(prev->home, g.home).value_or(0);
}

double CompletenessWindow::pct() const {
  if (expected == 0) return 100.0;
  // The rounded percentages of small windows, computed once (py_round formats
  // and parses text: too slow for every row of every date).
  constexpr int64_t kMemo = 64;
  static const std::vector<double> memo = [] {
    std::vector<double> m(static_cast<size_t>(kMemo * kMemo));
    for (int64_t e = 1; e < kMemo; ++e) {
      for (int64_t a = 0; a < kMemo; ++a) {
        m[static_cast<size_t>(e * kMemo + a)] = py_round(100.0 * static_cast<double>(a) / static_cast<double>(e), 2);
      }
    }
    return m;
  }();
  if (expected < kMemo && actual >= 0 && actual < kMemo) return memo[static_cast<size_t>(expected * kMemo + actual)];
  return py_round(100.0 * static_cast<double>(actual) / static_cast<double>(expected), 2);
}

std::vector<InjuryEntry> injuries_for_date(const Table& report, Date d) {
  struct Best {
    int64_t report_day = 0;
    int64_t hour = -1;
    size_t row = 0;
  };
  std::map<std::string, Best> best;  // ordered: deterministic output
  const Column& game_date = report.col(injr::game_date);
  const Column& report_date = report.col(injr::report_date);
  const Column& player_lookup = report.col(injr::player_lookup);
  const Column& report_hour = report.col(injr::report_hour);
  for (size_t r = 0; r < report.num_rows(); ++r) {
    if (proc::date_of(&game_date, r) != d) continue;
    if (!is_pregame_report(report_date, r, d)) continue;  // reports after D are not pre-game
    auto rd = proc::date_of(&report_date, r);
    auto lookup = player_lookup.get_text(r);
    if (!lookup || lookup->empty()) continue;
    int64_t hour = report_hour.get_int(r).value_or(-1);
    auto it = best.find(*lookup);
    if (it == best.end()) {
      best.emplace(*lookup, Best{rd->days(), hour, r});
    } else if (std::pair(int64_t{rd->days()}, hour) >= std::pair(it->second.report_day, it->second.hour)) {
      it->second = Best{rd->days(), hour, r};  // later row wins a tie
    }
  }
  std::vector<InjuryEntry> out;
  const Column& confidence = report.col(injr::confidence_score);
  const Column& team_col = report.col(injr::team);
  const Column& injury_status = report.col(injr::injury_status);
  const Column& reason = report.col(injr::reason);
  for (const auto& [lookup, b] : best) {
    auto conf = confidence.get_real(b.row);
    if (conf && *conf < 0.8) continue;  // legacy: keep confidence_score ≥ 0.8
    std::string team = team_col.get_text(b.row).value_or("");
    if (std::string code = team_from_name(team); !code.empty()) team = code;  // full names too
    out.push_back({lookup, team, lower(injury_status.get_text(b.row).value_or("")), reason.get_text(b.row)});
  }
  return out;
}

SourceStats source_stats(const Table& t, const std::function<bool(size_t)>& use) {
  SourceStats s;
  const Column* processed = proc::col_if_any(t, "processed_at");
  const Column* hash = proc::col_if_any(t, "data_hash");
  TimestampKey best_key;
  const std::string* best = nullptr;
  const std::string* best_hash = nullptr;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (use && !use(r)) continue;
    ++s.rows;
    const std::string* pa = proc::text_of(processed, r);
    if (pa == nullptr) continue;
    const TimestampKey k(*pa);
    if (best != nullptr && k <= best_key) continue;
    best_key = k;
    best = pa;
    best_hash = proc::text_of(hash, r);
  }
  if (best != nullptr) s.last_updated = *best;
  if (best_hash != nullptr) s.hash = *best_hash;
  return s;
}

SourceColumns::SourceColumns(const Table& t, const std::string& prefix)
    : last_updated(t.require("source_" + prefix + "_last_updated")),
      rows_found(t.require("source_" + prefix + "_rows_found")),
      completeness_pct(t.require("source_" + prefix + "_completeness_pct")),
      hash(t.require("source_" + prefix + "_hash")) {}

void SourceColumns::write(Table& t, size_t row, const SourceStats& s) const {
  if (s.last_updated) t.set(row, last_updated, *s.last_updated);
  t.set(row, rows_found, s.rows);
  if (s.hash) t.set(row, hash, *s.hash);
}

// ---------------------------------------------------------------------------------------------
// UTGC

TeamForm team_form(const Schedule& schedule, const std::string& team, Date d, int season) {
  const auto prev = schedule.team_games_before(team, d, season);
  return team_form(std::span<const Game* const>(prev), team);
}

TeamForm team_form(std::span<const Game* const> prev, const std::string& team) {
  TeamForm f;
  bool first = true;
  bool streak_open = true;
  for (auto it = prev.rbegin(); it != prev.rend(); ++it) {
    const Game& g = **it;
    const bool scored = g.home_score && g.away_score && *g.home_score != *g.away_score;
    int margin = 0;
    if (scored) {
      margin = g.home == team ? *g.home_score - *g.away_score : *g.away_score - *g.home_score;
    }
    if (first) {
      // The previous game is the most recent counted one; NULL result when its
      // score is unknown.
      if (scored) {
        f.last_margin = margin;
        f.last_result.emplace(1, margin > 0 ? 'W' : 'L');  // "W" / "L"
      }
      first = false;
    }
    if (!scored)
      continue;  // games without a winner are skipped by the streak walk
                 // (legacy)
    if (!streak_open) break;
    if (margin > 0) {
      if (f.loss_streak > 0) {
        streak_open = false;
      } else {
        ++f.win_streak;
      }
    } else {
      if (f.win_streak > 0) {
        streak_open = false;
      } else {
        ++f.loss_streak;
      }
    }
    if (!streak_open) break;
  }
  return f;
}

namespace {

/// The 27 business fields the legacy hashed (§5).
const std::vector<std::string> kUtgcHashFields = {"team_abbr",
                                                  "game_id",
                                                  "game_date",
                                                  "season_year",
                                                  "opponent_team_abbr",
                                                  "home_game",
                                                  "is_back_to_back",
                                                  "days_since_last_game",
                                                  "game_number_in_season",
                                                  "team_days_rest",
                                                  "team_back_to_back",
                                                  "games_in_last_7_days",
                                                  "games_in_last_14_days",
                                                  "game_spread",
                                                  "game_total",
                                                  "game_spread_source",
                                                  "game_total_source",
                                                  "spread_movement",
                                                  "total_movement",
                                                  "betting_lines_updated_at",
                                                  "starters_out_count",
                                                  "questionable_players_count",
                                                  "team_win_streak_entering",
                                                  "team_loss_streak_entering",
                                                  "last_game_margin",
                                                  "last_game_result",
                                                  "travel_miles"};

/// Schedule completeness of one days-window: counted games of the team in [D −
/// days, D − 1] (expected, home and away — DECISION 3) and how many of them
/// carry a final score (actual).
using Window = CompletenessWindow;

void set_source(Table& t, size_t r, const SourceColumns& c, const SourceStats& s, double expected_min) {
  c.write(t, r, s);
  t.set(r, c.completeness_pct, py_round(std::min(100.0, static_cast<double>(s.rows) / expected_min * 100.0), 2));
}

/// The output's source_<input>_… and quality columns, resolved once per date
/// (their names are built from a prefix).
struct UtgcColumns {
  explicit UtgcColumns(const Table& t) : odds_lines(t, "odds_lines"), injury_report(t, "injury_report"), quality(t) {}
  SourceColumns odds_lines, injury_report;
  proc::QualityColumns quality;
};

bool season_boundary(Date d) {
  const int m = d.month();
  return m == 10 || m == 11 || m == 4;
}

}  // namespace

namespace {

/// What every UTGC row of D shares: run-level source stats and flags.
struct TeamDay {
  Date d;
  int64_t games = 0;  ///< counted games of D (the schedule's rows found)
  SourceStats lines_src, injury_src;
  bool bootstrap = false;
  bool boundary = false;
};

/// The recent-load windows of a team entering D.
struct LoadWindows {
  Window w7, w14;
};

/// Identity, rest and recent load of @p team entering its game @p g of D, from
/// its counted games of the season strictly before D (@p prev, oldest first).
LoadWindows emit_rest(Table& t, size_t r, const Game& g, const std::string& gid, bool home,
                      std::span<const Game* const> prev, Date d) {
  const std::string& team = home ? g.home : g.away;
  // Legacy: game_id was the NBA.com id. We key by the canonical date id
  // (project convention) so that UPGC, UTGC and PCF join on the same key.
  t.set(r, utgc::team_abbr, team);
  t.set(r, utgc::game_id, gid);
  t.set(r, utgc::game_date, d);
  t.set(r, utgc::season_year, g.season);
  t.set(r, utgc::opponent_team_abbr, home ? g.away : g.home);
  t.set(r, utgc::home_game, home);
  if (!prev.empty()) {
    const Date last = prev.back()->date;
    t.set(r, utgc::days_since_last_game, int64_t{d - last});
    t.set(r, utgc::team_days_rest, int64_t{rest_days(last, d)});
  }
  const bool b2b = !prev.empty() && d - prev.back()->date == 1;
  t.set(r, utgc::is_back_to_back, b2b);
  t.set(r, utgc::team_back_to_back, b2b);
  // Legacy: counted date > D − 7 (D−6..D−1) here but ≥ D − 7 in UPGC
  // (§10.10). Fixed (DECISION 6): the 7 days D−7..D−1 in both (and
  // D−14..D−1 for 14 days).
  LoadWindows w;
  for (const Game* p : prev) {
    const bool scored = p->status == GameStatus::kFinal && p->home_score && p->away_score;
    if (p->date >= d - 7) {
      ++w.w7.expected;
      w.w7.actual += scored ? 1 : 0;
    }
    if (p->date >= d - 14) {
      ++w.w14.expected;
      w.w14.actual += scored ? 1 : 0;
    }
  }
  t.set(r, utgc::games_in_last_7_days, w.w7.expected);
  t.set(r, utgc::games_in_last_14_days, w.w14.expected);
  // Legacy: counted only games inside its 30-day lookback (≈15–18 at most).
  // Fixed (DECISION 6): the team's counted games of the whole season before
  // D, plus this one.
  t.set(r, utgc::game_number_in_season, static_cast<int64_t>(prev.size()) + 1);
  return w;
}

/// Game lines, injury counts, form and travel of @p team for its game @p g.
void emit_context(Table& t, size_t r, const Game& g, const std::string& team, std::span<const Game* const> season,
                  std::span<const Game* const> prev, const std::vector<GameLineRow>& parsed_lines,
                  const std::vector<InjuryEntry>& injuries) {
  const TeamGameLines lines = team_game_lines(parsed_lines, g.home, g.away, team);
  t.col(utgc::game_spread).set_real(r, py_round(lines.spread, 2));
  t.col(utgc::game_total).set_real(r, py_round(lines.total, 1));
  if (!lines.spread_source.empty()) t.set(r, utgc::game_spread_source, lines.spread_source);
  if (!lines.total_source.empty()) t.set(r, utgc::game_total_source, lines.total_source);
  // Legacy: spread/total movement NULL (TODO). Fixed (DECISION 6): current
  // − opening of the same book and outcome (so for a spread, negative = the
  // market moved towards this team).
  if (lines.spread && lines.opening_spread) {
    t.set(r, utgc::spread_movement, py_round(*lines.spread - *lines.opening_spread, 2));
  }
  if (lines.total && lines.opening_total) {
    t.set(r, utgc::total_movement, py_round(*lines.total - *lines.opening_total, 1));
  }
  if (lines.updated_at) t.set(r, utgc::betting_lines_updated_at, *lines.updated_at);

  // Injury counts (legacy names): 'out' players of any role, questionable +
  // doubtful.
  int64_t out_count = 0, questionable = 0;
  for (const auto& e : injuries) {
    if (e.team != team) continue;
    if (e.status == "out") ++out_count;
    if (e.status == "questionable" || e.status == "doubtful") ++questionable;
  }
  t.set(r, utgc::starters_out_count, out_count);
  t.set(r, utgc::questionable_players_count, questionable);

  const TeamForm form = team_form(prev, team);
  t.set(r, utgc::team_win_streak_entering, int64_t{form.win_streak});
  t.set(r, utgc::team_loss_streak_entering, int64_t{form.loss_streak});
  if (form.last_margin) t.set(r, utgc::last_game_margin, int64_t{*form.last_margin});
  if (form.last_result) t.set(r, utgc::last_game_result, *form.last_result);
  // Legacy: away games only, from nba_static.travel_distances (often empty
  // → 0). Fixed (DECISION 6, §10.14): every trip from the previous game's
  // arena, including trips home.
  t.set(r, utgc::travel_miles, int64_t{team_travel_miles(season, team, g)});
}

/// Source tracking, completeness, run bookkeeping and quality of a UTGC row.
void emit_status(Table& t, size_t r, const UtgcColumns& o, const TeamDay& day, const LoadWindows& w) {
  // Source tracking (§9), run-level. The Schedule object carries no
  // processed_at/data_hash: only the row count (games of D) is known for
  // nbac_schedule.
  t.set(r, utgc::source_nbac_schedule_rows_found, day.games);
  t.set(r, utgc::source_nbac_schedule_completeness_pct,
        py_round(std::min(100.0, static_cast<double>(day.games) / 20.0 * 100.0), 2));
  set_source(t, r, o.odds_lines, day.lines_src, 40.0);
  set_source(t, r, o.injury_report, day.injury_src, 10.0);
  // Legacy never wrote these; we flag the bootstrap days (DECISION 2) where
  // windows are short.
  t.set(r, utgc::early_season_flag, day.bootstrap);
  if (day.bootstrap) t.set(r, utgc::insufficient_data_reason, "bootstrap: first 14 days of the season");

  // Completeness (DECISION 3): the team's scheduled games before D, home
  // and away, and how many of them have a final score. No row is ever
  // dropped.
  const Window &w7 = w.w7, &w14 = w.w14;
  t.set(r, utgc::expected_games_count, w14.expected);
  t.set(r, utgc::actual_games_count, w14.actual);
  t.set(r, utgc::completeness_percentage, w14.pct());
  t.set(r, utgc::missing_games_count, w14.expected - w14.actual);
  t.set(r, utgc::l7d_completeness_pct, w7.pct());
  t.set(r, utgc::l7d_is_complete, w7.complete());
  t.set(r, utgc::l14d_completeness_pct, w14.pct());
  t.set(r, utgc::l14d_is_complete, w14.complete());
  t.set(r, utgc::all_windows_complete, w7.complete() && w14.complete());
  // No reprocess loop or circuit breaker exists in this engine: attempts
  // NULL, breaker off.
  t.set(r, utgc::circuit_breaker_active, false);
  t.set(r, utgc::manual_override_required, false);
  t.set(r, utgc::season_boundary_detected, day.boundary);
  t.set(r, utgc::backfill_bootstrap_mode, day.bootstrap);
  t.set(r, utgc::processing_decision_reason, "processed_successfully");

  proc::Quality q;
  const double p14 = w14.pct();
  if (p14 >= 95) {
    q.tier = "gold", q.score = 95.0;
  } else if (p14 >= 75) {
    q.tier = "silver", q.score = 75.0;
  } else if (p14 >= 50) {
    q.tier = "bronze", q.score = 50.0;
  } else {
    q.tier = "poor", q.score = 25.0;
  }
  auto pct_text = [](double p) { return std::to_string(static_cast<int>(p)) + "%"; };
  if (!w7.complete()) q.issues.push_back("l7d_incomplete:" + pct_text(w7.pct()));
  if (!w14.complete()) q.issues.push_back("l14d_incomplete:" + pct_text(w14.pct()));
  if (day.boundary) q.issues.push_back("season_boundary");
  if (day.bootstrap) q.issues.push_back("bootstrap_mode");
  q.sources = {"nbac_schedule"};
  proc::write_quality(t, r, q, o.quality);
  // Legacy: ready = both windows ≥ 70 %.
  t.set(r, utgc::is_production_ready, w7.pct() >= proc::kProductionReadyPct && w14.pct() >= proc::kProductionReadyPct);
  t.set(r, utgc::quality_sample_size, w14.expected);
  t.set(r, utgc::quality_used_fallback, false);
  t.set(r, utgc::quality_reconstructed, false);
  // Deliberately NULL, column by column:
  //  source_nbac_schedule_last_updated, source_nbac_schedule_hash — the
  //  Schedule carries neither; source_odds_lines_* / source_injury_report_*
  //  last_updated and hash — NULL only when the input has no processed_at /
  //  data_hash; last_reprocess_attempt_at, reprocess_attempt_count,
  //  circuit_breaker_until — no reprocess loop or circuit breaker exists in
  //  this engine; quality_calculated_at — a clock reading (processors never
  //  read the clock); quality_metadata — nothing beyond the quality columns to
  //  report; insufficient_data_reason — outside the bootstrap days;
  //  created_at, processed_at (required) — stamped by the runner.
}

}  // namespace

UnitOutput compute_upcoming_team_context(const Schedule& schedule, Date d, const TeamContextInputs& in) {
  const TableSchema& schema = catalog::get("nba_analytics.upcoming_team_game_context");
  UnitOutput out(schema);
  auto games = schedule.games_on(d);
  if (games.empty()) {
    out.empty_reason = "no games on " + d.iso();
    return out;
  }
  const auto injuries = injuries_for_date(in.injuries, d);
  const auto parsed_lines = parse_game_lines(in.game_lines, d);
  TeamDay day{
      d,
      static_cast<int64_t>(games.size()),
      source_stats(in.game_lines, [&, pregame = PregameLines(in.game_lines)](size_t r) { return pregame(r, d); }),
      source_stats(in.injuries, [&, &report_date = in.injuries.col(injr::report_date)](
                                    size_t r) { return is_pregame_report(report_date, r, d); }),
      schedule.is_bootstrap(d),
      season_boundary(d)};
  SeasonGamesCache own;  // D's games share one season; keyed to be safe
  SeasonGamesCache& seasons = in.season_games != nullptr ? *in.season_games : own;
  Table& t = out.rows;
  const UtgcColumns cols(t);
  for (const Game* g : games) {
    const SeasonTeamGames& season = seasons.of(schedule, g->season);
    const std::string gid = g->date_id();
    for (const bool home : {true, false}) {
      const std::string& team = home ? g->home : g->away;
      const auto prev = season.before(team, d);
      const size_t r = t.add_row();
      const LoadWindows w = emit_rest(t, r, *g, gid, home, prev, d);
      emit_context(t, r, *g, team, season.of(team), prev, parsed_lines, injuries);
      emit_status(t, r, cols, day, w);
    }
  }
  proc::fill_data_hash(t, kUtgcHashFields);
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  return out;
}

namespace {

constexpr int kInjuryLookbackDays = 7;

const ProcessorInfo kInfo{
    .name = "upcoming_team_game_context",
    .code = "utgc",
    .phase = 3,
    .output_table = "nba_analytics.upcoming_team_game_context",
    .entity = "teams",
    .reads = {{"nba_raw.odds_api_game_lines", WindowKind::kSameDate, 0, false},
              // Reports dated D are published before D's games: reading them is
              // legitimate.
              {"nba_raw.nbac_injury_report", WindowKind::kDaysThrough, kInjuryLookbackDays, false}},
    .legacy_job = "upcoming_team_game_context",
    .description =
        "Team pre-game context: rest, recent load, streaks, spread/total, injuries, travel "
        "(schedule-driven)"};

/// What UTGC carries per season: the season's schedule index.
struct CarriedSeason final : public CarriedState {
  SeasonGamesCache games;
};

class UpcomingTeamContextProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  std::unique_ptr<CarriedState> make_carried_state() const override { return std::make_unique<CarriedSeason>(); }
  UnitOutput run(const UnitContext& ctx) const override {
    Table lines = proc::read_window(ctx, "nba_raw.odds_api_game_lines", ctx.date, ctx.date);
    // Injury reports are partitioned by report_date; reports for D's games
    // issued up to a week before D (and on D itself, pre-game) are read.
    Table injuries = proc::read_window(ctx, "nba_raw.nbac_injury_report", ctx.date - kInjuryLookbackDays, ctx.date);
    auto* carried = dynamic_cast<CarriedSeason*>(ctx.carried);
    return compute_upcoming_team_context(ctx.schedule, ctx.date,
                                         {lines, injuries, carried != nullptr ? &carried->games : nullptr});
  }
};

}  // namespace

std::unique_ptr<Processor> make_upcoming_team_context_processor() {
  return std::make_unique<UpcomingTeamContextProcessor>();
}

}  // namespace nbaprops::analytics
