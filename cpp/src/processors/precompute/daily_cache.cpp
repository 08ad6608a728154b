#include "nbaprops/processors/precompute/daily_cache.hpp"
#include "nbaprops/processors/precompute/zone_common.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string_view>
#include <unordered_map>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/processors/common.hpp"
#include "phase4_util.hpp"

namespace nbaprops::precompute {
using phase4_detail::json_str;
using proc::py_round;

namespace {
namespace pdc = cols::player_daily_cache;

std::optional<double> r4(std::optional<double> v) { return py_round(v, 4); }

using GameField = std::optional<double> PlayerGame::*;

/// Mean of the present @p f of the first @p n games (phase4_detail::mean's
/// order and arithmetic, without a vector of the values).
std::optional<double> mean_of(std::span<const PlayerGame* const> g, size_t n, GameField f) {
  double s = 0;
  int k = 0;
  for (size_t i = 0; i < g.size() && i < n; ++i) {
    if (const auto& x = g[i]->*f) {
      s += *x;
      ++k;
    }
  }
  if (k == 0) return std::nullopt;
  return s / k;
}

/// phase4_detail::sample_std of the present @p f of the first @p n games.
std::optional<double> sample_std_of(std::span<const PlayerGame* const> g, size_t n, GameField f) {
  const auto m = mean_of(g, n, f);
  if (!m) return std::nullopt;
  double ss = 0;
  int k = 0;
  for (size_t i = 0; i < g.size() && i < n; ++i) {
    if (const auto& x = g[i]->*f) {
      ss += (*x - *m) * (*x - *m);
      ++k;
    }
  }
  if (k < 2) return std::nullopt;
  return std::sqrt(ss / (k - 1));
}

/// cache_metrics over games given by pointer (newest first): the unit's path,
/// which slices the carried history without copying the games.
CacheMetrics metrics_of(std::span<const PlayerGame* const> g) {
  CacheMetrics m;
  const size_t all = g.size();
  m.points_avg_last_5 = r4(mean_of(g, 5, &PlayerGame::points));
  m.points_avg_last_10 = r4(mean_of(g, 10, &PlayerGame::points));
  m.points_avg_season = r4(mean_of(g, all, &PlayerGame::points));
  if (std::min<size_t>(all, 10) > 1) m.points_std_last_10 = r4(sample_std_of(g, 10, &PlayerGame::points));
  m.minutes_avg_last_10 = r4(mean_of(g, 10, &PlayerGame::minutes));
  m.usage_rate_last_10 = r4(mean_of(g, 10, &PlayerGame::usage_rate));
  m.ts_pct_last_10 = r4(mean_of(g, 10, &PlayerGame::ts_pct));
  m.player_usage_rate_season = r4(mean_of(g, all, &PlayerGame::usage_rate));
  double makes = 0, assisted = 0;
  for (size_t i = 0; i < all && i < 10; ++i) {
    makes += g[i]->fg_makes.value_or(0);
    assisted += g[i]->assisted_fg_makes.value_or(0);
  }
  if (makes > 0) m.assisted_rate_last_10 = py_round(assisted / makes, 9);
  m.games_played_season = static_cast<int64_t>(all);
  return m;
}
}  // namespace

CacheMetrics cache_metrics(const std::vector<PlayerGame>& g) {
  std::vector<const PlayerGame*> ptrs;
  ptrs.reserve(g.size());
  for (const PlayerGame& x : g) ptrs.push_back(&x);
  return metrics_of(ptrs);
}

std::optional<double> team_mean_r4(const std::vector<std::optional<double>>& values) {
  return r4(phase4_detail::mean(values));
}

WindowCompleteness window_completeness(int64_t expected, int64_t actual) {
  const Completeness c = make_completeness(expected, actual);  // the one legacy completeness formula
  WindowCompleteness w;
  w.expected = c.expected;
  w.actual = c.actual;
  w.missing = c.missing;
  w.pct = c.pct;
  w.ready = c.production_ready;
  return w;
}

namespace {

/// The team's last 10 games are looked up this many days back (as the legacy
/// did), so early in a season they reach into the previous one.
constexpr int kTogsLookbackDays = 365;
constexpr size_t kTeamGames = 10;   ///< team pace / offensive rating window
constexpr size_t kSeasonCap = 82;   ///< kept games a player's season metrics use
constexpr int64_t kMinGames = 5;    ///< fewer kept games: INSUFFICIENT_DATA
constexpr int64_t kFullGames = 10;  ///< fewer kept games: early_season_flag

/// The PDC data_hash (default parallel legacy path): full 64-hex SHA-256 of
/// json.dumps(sort_keys=True) of the hash fields, which include
/// cache_quality_score (not a column of the table). Keys are sorted and their
/// columns resolved once per unit.
class PdcHashPlan {
 public:
  explicit PdcHashPlan(const Table& t) {
    static const char* const kFields[] = {"player_lookup",
                                          "universal_player_id",
                                          "cache_date",
                                          "points_avg_last_5",
                                          "points_avg_last_10",
                                          "points_avg_season",
                                          "points_std_last_10",
                                          "minutes_avg_last_10",
                                          "usage_rate_last_10",
                                          "ts_pct_last_10",
                                          "games_played_season",
                                          "team_pace_last_10",
                                          "team_off_rating_last_10",
                                          "player_usage_rate_season",
                                          "games_in_last_7_days",
                                          "games_in_last_14_days",
                                          "minutes_in_last_7_days",
                                          "minutes_in_last_14_days",
                                          "back_to_backs_last_14_days",
                                          "avg_minutes_per_game_last_7",
                                          "fourth_quarter_minutes_last_7",
                                          "primary_scoring_zone",
                                          "paint_rate_last_10",
                                          "three_pt_rate_last_10",
                                          "assisted_rate_last_10",
                                          "player_age",
                                          "cache_version"};
    std::map<std::string, int> sorted;  // key → column; −1 for cache_quality_score
    for (const char* f : kFields) sorted.emplace(f, static_cast<int>(t.require(f)));
    sorted.emplace("cache_quality_score", -1);
    for (const auto& [key, c] : sorted) {
      keys_.emplace_back((keys_.empty() ? "{" : ", ") + json_str(key) + ": ", c);
    }
  }

  /// Rendered into one reused per-thread buffer (no temporary per value).
  [[nodiscard]] std::string hash(const Table& t, size_t r, double cache_quality_score) const {
    thread_local std::string json;
    json.clear();
    for (const auto& [prefix, c] : keys_) {
      json += prefix;
      if (c < 0) {
        phase4_detail::append_py_float(json, cache_quality_score);
      } else {
        append_value(json, t, r, static_cast<size_t>(c));
      }
    }
    json += '}';
    return sha256_hex(json);
  }

 private:
  static void append_value(std::string& out, const Table& t, size_t r, size_t c) {
    const Column& col = t.col(c);
    if (col.is_null(r)) {
      out += "null";
      return;
    }
    switch (t.def(c).type) {
      case ColumnType::kInt64:
        append_int64(out, col.int_at(r));
        return;
      case ColumnType::kFloat64:
      case ColumnType::kNumeric:
        phase4_detail::append_py_float(out, col.real_at(r));
        return;
      case ColumnType::kDate:
        phase4_detail::append_json_str(out, Date(static_cast<int32_t>(col.int_at(r))).iso());
        return;
      default:
        phase4_detail::append_json_str(out, col.text_at(r));
    }
  }

  std::vector<std::pair<std::string, int>> keys_;  // `{"key": ` / `, "key": ` and its column
};

/// One season of player_game_summary as per-player, date-ordered histories
/// (PDC's carried PGS state): a date D reads the slices before D.
class PgsHistory final : public proc::SeasonHistory {
 public:
  struct Player {
    std::vector<Date> dates;                                 ///< distinct row dates, ascending
    std::vector<std::pair<Date, const std::string*>> teams;  ///< rows with a team, stored order
    std::vector<std::pair<Date, PlayerGame>> kept;           ///< active with minutes or points, stored order
    [[nodiscard]] size_t dates_in(Date from, Date before) const {
      return static_cast<size_t>(std::lower_bound(dates.begin(), dates.end(), before) -
                                 std::lower_bound(dates.begin(), dates.end(), from));
    }
    /// The team of the last row with a team dated before @p d (nullptr: none).
    [[nodiscard]] const std::string* team_before(Date d) const {
      auto it = std::lower_bound(teams.begin(), teams.end(), d, [](const auto& t, Date x) { return t.first < x; });
      return it == teams.begin() ? nullptr : (it - 1)->second;
    }
  };

  [[nodiscard]] const Player* player(const std::string* name) const {
    auto it = players_.find(name);
    return it == players_.end() ? nullptr : &it->second;
  }
  /// The newest data_hash of the rows before @p d (latest date, then the
  /// largest hash; legacy "latest upstream hash").
  [[nodiscard]] const std::string* latest_hash_before(Date d) const {
    auto it = max_hash_.lower_bound(d.days());
    return it == max_hash_.begin() ? nullptr : std::prev(it)->second;
  }

 protected:
  void add_rows(const Table& p, const std::vector<size_t>& rows) override {
    // Columns resolved once (no name lookups in the per-row loop).
    const Column *c_date = proc::opt_col(p, "game_date"), *c_season = proc::opt_col(p, "season_year"),
                 *c_player = proc::opt_col(p, "player_lookup"), *c_team = proc::opt_col(p, "team_abbr"),
                 *c_points = proc::opt_col(p, "points"), *c_minutes = proc::opt_col(p, "minutes_played"),
                 *c_usage = proc::opt_col(p, "usage_rate"), *c_ts = proc::opt_col(p, "ts_pct"),
                 *c_fgm = proc::opt_col(p, "fg_makes"), *c_ast = proc::opt_col(p, "assisted_fg_makes"),
                 *c_active = proc::opt_col(p, "is_active"), *c_hash = proc::opt_col(p, "data_hash");
    const int season = season_of(first());
    for (size_t r : rows) {
      const Date gd = *proc::date_of(c_date, r);
      if (const std::string* h = proc::text_of(c_hash, r)) {
        auto [it, fresh] = max_hash_.try_emplace(gd.days(), h);
        if (!fresh && *h > *it->second) it->second = h;
      }
      if (proc::int_of(c_season, r).value_or(season) != season) continue;
      const std::string* pl = proc::text_of(c_player, r);
      if (!pl) continue;
      Player& h = players_[pl];
      if (h.dates.empty() || h.dates.back() != gd) h.dates.push_back(gd);
      if (const std::string* team = proc::text_of(c_team, r)) h.teams.emplace_back(gd, team);
      PlayerGame g{proc::real_of(c_points, r), proc::real_of(c_minutes, r), proc::real_of(c_usage, r),
                   proc::real_of(c_ts, r),     proc::real_of(c_fgm, r),     proc::real_of(c_ast, r)};
      const bool active = proc::bool_of(c_active, r).value_or(false);
      if (active && (g.minutes.value_or(0) > 0 || g.points.value_or(0) > 0)) h.kept.emplace_back(gd, g);
    }
  }

 private:
  std::unordered_map<const std::string*, Player> players_;  // interned player_lookup
  std::map<int32_t, const std::string*> max_hash_;          // day → largest data_hash of its rows
};

/// team_offense_game_summary from the first unit's D − 365 on, as per-team,
/// date-ordered pace and offensive rating (PDC's carried TOGS state, across
/// the season boundary): a date D reads each team's last 10 games in
/// [D − 365, D − 1] and the newest hash there by slicing, instead of reading
/// and indexing its 365-day window again.
class TogsHistory final : public proc::SeasonHistory {
 public:
  struct TeamGame {
    std::optional<double> pace, off_rating;
  };
  /// The team's games dated in [@p from, @p before), newest first, at most 10.
  [[nodiscard]] std::vector<TeamGame> last_games(const std::string* team, Date from, Date before) const {
    auto it = teams_.find(team);
    if (it == teams_.end()) return {};
    return proc::newest_first(it->second, from, before, kTeamGames);
  }
  /// The data_hash of the newest row with a team dated in [@p from, @p before)
  /// (latest date, then the largest hash).
  [[nodiscard]] const std::string* latest_hash(Date from, Date before) const {
    auto it = std::lower_bound(hashes_.begin(), hashes_.end(), before.days(),
                               [](const auto& e, int32_t day) { return e.first < day; });
    if (it == hashes_.begin() || std::prev(it)->first < from.days()) return nullptr;
    return std::prev(it)->second;
  }

 protected:
  void add_rows(const Table& t, const std::vector<size_t>& rows) override {
    const Column *c_date = proc::opt_col(t, "game_date"), *c_team = proc::opt_col(t, "team_abbr"),
                 *c_pace = proc::opt_col(t, "pace"), *c_ortg = proc::opt_col(t, "offensive_rating"),
                 *c_hash = proc::opt_col(t, "data_hash");
    for (size_t r : rows) {  // date order
      const std::string* team = proc::text_of(c_team, r);
      if (!team) continue;
      const Date gd = *proc::date_of(c_date, r);
      teams_[team].emplace_back(gd, TeamGame{proc::real_of(c_pace, r), proc::real_of(c_ortg, r)});
      const std::string* h = proc::text_of(c_hash, r);
      if (!h) continue;
      if (hashes_.empty() || hashes_.back().first != gd.days()) {
        hashes_.emplace_back(gd.days(), h);
      } else if (*h > *hashes_.back().second) {
        hashes_.back().second = h;
      }
    }
  }

 private:
  std::unordered_map<const std::string*, std::vector<std::pair<Date, TeamGame>>> teams_;  // interned team_abbr
  std::vector<std::pair<int32_t, const std::string*>> hashes_;  // day → largest data_hash, ascending days
};

/// PGS and TOGS columns PDC reads.
const std::vector<std::string> kPgsColumns = {"player_lookup", "game_date", "team_abbr",         "season_year",
                                              "is_active",     "points",    "minutes_played",    "usage_rate",
                                              "ts_pct",        "fg_makes",  "assisted_fg_makes", "data_hash"};
const std::vector<std::string> kTogsColumns = {"team_abbr", "game_date", "pace", "offensive_rating", "data_hash"};
/// UPGC and PSZA columns PDC reads of D (exactly these: the run's cache loads
/// only them).
const std::vector<std::string> kUpgcColumns = {"player_lookup",
                                               "game_date",
                                               "universal_player_id",
                                               "team_abbr",
                                               "avg_minutes_per_game_last_7",
                                               "games_in_last_7_days",
                                               "games_in_last_14_days",
                                               "minutes_in_last_7_days",
                                               "minutes_in_last_14_days",
                                               "back_to_backs_last_14_days",
                                               "fourth_quarter_minutes_last_7",
                                               "player_age",
                                               "data_hash",
                                               "processed_at"};
const std::vector<std::string> kPszaColumns = {"player_lookup",      "analysis_date",         "primary_scoring_zone",
                                               "paint_rate_last_10", "three_pt_rate_last_10", "data_hash",
                                               "processed_at"};

/// Each team's counted games before D, for the completeness windows
/// (DECISION 3: the team's real scheduled games, home and away). Every season
/// (spec §0 CompletenessChecker: the team's last N dates before D, no season
/// filter), so early in a season a games window expects N games, reaching
/// into the previous season; it only counted this season's games.
class TeamSchedule {
 public:
  /// Every counted game of the schedule (a date D slices the games before it).
  explicit TeamSchedule(const Schedule& schedule) {
    for (const Game& g : schedule.games()) {  // date order
      if (!g.counts()) continue;
      dates_[intern(g.home)].push_back(g.date);
      if (g.away != g.home) dates_[intern(g.away)].push_back(g.date);
    }
  }
  /// Game dates of the interned @p team before @p d (ascending, one per game),
  /// empty for an unknown team.
  [[nodiscard]] std::span<const Date> before(const std::string* team, Date d) const {
    auto it = dates_.find(team);
    if (it == dates_.end()) return {};
    const std::vector<Date>& v = it->second;
    return {v.data(), static_cast<size_t>(std::lower_bound(v.begin(), v.end(), d) - v.begin())};
  }

 private:
  std::unordered_map<const std::string*, std::vector<Date>> dates_;  // interned tricode
};

/// PDC's carried state: both season histories it slices, and the team
/// schedule (built by the season's first unit).
struct PdcState final : CarriedState {
  PgsHistory pgs;
  TogsHistory togs;
  [[nodiscard]] const TeamSchedule& teams(const Schedule& schedule) {
    std::call_once(teams_once_, [&] { teams_.emplace(schedule); });
    return *teams_;
  }

 private:
  std::once_flag teams_once_;
  std::optional<TeamSchedule> teams_;
};

/// The four completeness windows of one player on D.
struct Windows {
  WindowCompleteness l5, l10, l7d, l14d;
  [[nodiscard]] bool all_complete() const { return l5.ready && l10.ready && l7d.ready && l14d.ready; }
};

/// Completeness windows (DECISION 3: the team's real scheduled games before D).
/// Games windows compare the player's season game dates before D with min(N,
/// team games before D, any season); day windows compare dates in [D − N, D − 1] (legacy:
/// actual included D). The team is the player's last team before D.
Windows completeness(const PgsHistory::Player& h, const TeamSchedule& schedule, Date d, Date season_start) {
  const std::string* team = h.team_before(d);
  const std::span<const Date> games = team ? schedule.before(team, d) : std::span<const Date>();
  const auto season_dates = static_cast<int64_t>(h.dates_in(season_start, d));
  auto games_window = [&](int64_t n) {
    const int64_t expected = team ? std::min<int64_t>(n, static_cast<int64_t>(games.size())) : 0;
    return window_completeness(expected, season_dates);
  };
  auto days_window = [&](int n) {
    // Distinct team game dates in [D − n, D − 1] (the list is ascending).
    int64_t team_dates = 0;
    for (auto it = games.rbegin(); it != games.rend() && *it >= d - n; ++it) {
      if (it == games.rbegin() || *it != *(it - 1)) ++team_dates;
    }
    const auto actual = static_cast<int64_t>(h.dates_in(std::max(season_start, d - n), d));
    // Legacy: a day window in which the team had no game (the All-Star break)
    // scored 0 % and failed every player with INCOMPLETE_DATA, emptying PDC
    // for the first days after the break. Fixed (DECISION 6): nothing
    // expected means nothing missing — the window is complete.
    if (team_dates == 0 && team) {
      WindowCompleteness w = window_completeness(0, actual);
      w.pct = 100.0;
      w.ready = true;
      return w;
    }
    return window_completeness(team_dates, actual);
  };
  return {games_window(5), games_window(10), days_window(7), days_window(14)};
}

/// What every player of D shares: the roster (UPGC, first row per player, in
/// player order), the PSZA rows, source hashes and the season flags.
struct DateInputs {
  Date d, season_start;
  bool bootstrap = false, boundary = false;
  std::vector<std::pair<const std::string*, size_t>> roster;  ///< interned player → UPGC row
  phase4_detail::RowByKey psza;                               ///< interned player → PSZA row
  const std::string *h_pgs = nullptr, *h_togs = nullptr, *h_upgc = nullptr, *h_psza = nullptr;
};

DateInputs date_inputs(Date d, const PgsHistory& pgs, const TogsHistory& togs, const DailyCacheInputs& in) {
  DateInputs x;
  x.d = d;
  x.season_start = pgs.first();
  // Legacy: is_bootstrap = (D − Oct 1) < 30. We count from the first game
  // (DECISION 2).
  x.bootstrap = (d - x.season_start) < 30;
  const int month = d.month();
  x.boundary = month == 10 || month == 11 || month == 4;
  std::vector<size_t> upgc_rows, psza_rows;
  x.roster = phase4_detail::first_rows_by(in.upgc, "player_lookup", "game_date", d, &upgc_rows);
  x.psza = phase4_detail::first_row_map_by(in.psza, "player_lookup", "analysis_date", d, &psza_rows);
  // PGS: season S, strictly before D (DECISION 1; legacy used game_date <= D).
  x.h_pgs = pgs.latest_hash_before(d);
  // TOGS: any season (legacy: no season filter), the 365 days before D.
  x.h_togs = togs.latest_hash(d - kTogsLookbackDays, d);
  x.h_upgc = phase4_detail::latest_hash_ptr(in.upgc, upgc_rows);
  x.h_psza = phase4_detail::latest_hash_ptr(in.psza, psza_rows);
  return x;
}

/// Output columns, resolved once per unit.
struct PdcColumns {
  explicit PdcColumns(Table& t)
      : player(t.col(pdc::player_lookup)),
        upid(t.col(pdc::universal_player_id)),
        cache_date(t.col(pdc::cache_date)),
        pts5(t.col(pdc::points_avg_last_5)),
        pts10(t.col(pdc::points_avg_last_10)),
        pts_season(t.col(pdc::points_avg_season)),
        pts_std10(t.col(pdc::points_std_last_10)),
        min10(t.col(pdc::minutes_avg_last_10)),
        usage10(t.col(pdc::usage_rate_last_10)),
        ts10(t.col(pdc::ts_pct_last_10)),
        games_season(t.col(pdc::games_played_season)),
        usage_season(t.col(pdc::player_usage_rate_season)),
        assisted10(t.col(pdc::assisted_rate_last_10)),
        team_pace(t.col(pdc::team_pace_last_10)),
        team_ortg(t.col(pdc::team_off_rating_last_10)),
        avg_min7(t.col(pdc::avg_minutes_per_game_last_7)),
        zone(t.col(pdc::primary_scoring_zone)),
        paint10(t.col(pdc::paint_rate_last_10)),
        three10(t.col(pdc::three_pt_rate_last_10)),
        zone_available(t.col(pdc::shot_zone_data_available)),
        h_pgs(t.col(pdc::source_player_game_hash)),
        h_togs(t.col(pdc::source_team_offense_hash)),
        h_upgc(t.col(pdc::source_upcoming_context_hash)),
        h_psza(t.col(pdc::source_shot_zone_hash)),
        early(t.col(pdc::early_season_flag)),
        insufficient(t.col(pdc::insufficient_data_reason)),
        expected(t.col(pdc::expected_games_count)),
        actual(t.col(pdc::actual_games_count)),
        pct(t.col(pdc::completeness_percentage)),
        missing(t.col(pdc::missing_games_count)),
        ready(t.col(pdc::is_production_ready)),
        issues(t.col(pdc::data_quality_issues)),
        l5_pct(t.col(pdc::l5_completeness_pct)),
        l5_ok(t.col(pdc::l5_is_complete)),
        l10_pct(t.col(pdc::l10_completeness_pct)),
        l10_ok(t.col(pdc::l10_is_complete)),
        l7d_pct(t.col(pdc::l7d_completeness_pct)),
        l7d_ok(t.col(pdc::l7d_is_complete)),
        l14d_pct(t.col(pdc::l14d_completeness_pct)),
        l14d_ok(t.col(pdc::l14d_is_complete)),
        all_ok(t.col(pdc::all_windows_complete)),
        version(t.col(pdc::cache_version)),
        hash(t.col(pdc::data_hash)) {
    for (size_t k = 0; k < kWorkload.size(); ++k) workload[k] = &t.col(kWorkload[k]);
  }
  /// Workload fields copied from UPGC (int() truncation; NULL stays NULL).
  static constexpr std::array<const char*, 7> kWorkload = {"games_in_last_7_days",
                                                           "games_in_last_14_days",
                                                           "minutes_in_last_7_days",
                                                           "minutes_in_last_14_days",
                                                           "back_to_backs_last_14_days",
                                                           "fourth_quarter_minutes_last_7",
                                                           "player_age"};
  Column &player, &upid, &cache_date, &pts5, &pts10, &pts_season, &pts_std10, &min10, &usage10, &ts10, &games_season,
      &usage_season, &assisted10, &team_pace, &team_ortg, &avg_min7, &zone, &paint10, &three10, &zone_available, &h_pgs,
      &h_togs, &h_upgc, &h_psza, &early, &insufficient, &expected, &actual, &pct, &missing, &ready, &issues, &l5_pct,
      &l5_ok, &l10_pct, &l10_ok, &l7d_pct, &l7d_ok, &l14d_pct, &l14d_ok, &all_ok, &version, &hash;
  std::array<Column*, 7> workload{};
};

/// UPGC and PSZA columns PDC copies, resolved once per unit (nullptr: left out
/// of the projection, read as NULL).
struct SourceColumns {
  SourceColumns(const Table& upgc, const Table& psza)
      : upid(proc::opt_col(upgc, "universal_player_id")),
        team(proc::opt_col(upgc, "team_abbr")),
        avg_min7(proc::opt_col(upgc, "avg_minutes_per_game_last_7")),
        zone(proc::opt_col(psza, "primary_scoring_zone")),
        paint10(proc::opt_col(psza, "paint_rate_last_10")),
        three10(proc::opt_col(psza, "three_pt_rate_last_10")) {
    for (size_t k = 0; k < PdcColumns::kWorkload.size(); ++k)
      workload[k] = proc::opt_col(upgc, PdcColumns::kWorkload[k]);
  }
  const Column *upid, *team, *avg_min7, *zone, *paint10, *three10;
  std::array<const Column*, 7> workload{};
};

void set_bool(Column& c, size_t row, bool v) { c.set_int(row, int64_t{v ? 1 : 0}); }
void set_text(Column& c, size_t row, const std::string* interned) {
  if (interned) c.set_text_ptr(row, interned);
}

/// Team pace / offensive rating over the team's ≤ 10 TOGS games in the 365 days
/// before D (NULL when none).
struct TeamRates {
  std::optional<double> pace, off_rating;
  bool found = false;
};
TeamRates team_rates(const TogsHistory& togs, const std::string* team, Date d) {
  TeamRates out;
  if (!team) return out;
  const std::vector<TogsHistory::TeamGame> games = togs.last_games(team, d - kTogsLookbackDays, d);
  if (games.empty()) return out;
  std::vector<std::optional<double>> pace, ortg;
  for (const auto& g : games) {
    pace.push_back(g.pace);
    ortg.push_back(g.off_rating);
  }
  return {team_mean_r4(pace), team_mean_r4(ortg), true};
}

/// Writes player @p player's row @p i of @p t: metrics, team rates, the
/// UPGC/PSZA copies, completeness, status and hash.
void write_row(Table& t, const PdcColumns& c, size_t i, const std::string* player, const DateInputs& x,
               const CacheMetrics& m, int64_t n, const Windows& w, const TeamRates& team, size_t ur,
               const SourceColumns& src, const PdcHashPlan& hash,
               const phase4_detail::ProcessingStatusColumns& status) {
  static const std::string* const kVersion = intern("v1");
  static const std::string* const kNoIssues = intern("[]");
  c.player.set_text_ptr(i, player);
  set_text(c.upid, i, proc::text_of(src.upid, ur));
  c.cache_date.set_int(i, int64_t{x.d.days()});
  c.pts5.set_real(i, m.points_avg_last_5);
  c.pts10.set_real(i, m.points_avg_last_10);
  c.pts_season.set_real(i, m.points_avg_season);
  c.pts_std10.set_real(i, m.points_std_last_10);
  c.min10.set_real(i, m.minutes_avg_last_10);
  c.usage10.set_real(i, m.usage_rate_last_10);
  c.ts10.set_real(i, m.ts_pct_last_10);
  c.games_season.set_int(i, m.games_played_season);
  c.usage_season.set_real(i, m.player_usage_rate_season);
  c.assisted10.set_real(i, m.assisted_rate_last_10);
  if (team.found) {
    c.team_pace.set_real(i, team.pace);
    c.team_ortg.set_real(i, team.off_rating);
  }
  for (size_t k = 0; k < c.workload.size(); ++k) c.workload[k]->set_int(i, proc::int_of(src.workload[k], ur));
  c.avg_min7.set_real(i, r4(proc::real_of(src.avg_min7, ur)));
  // Shot zones copied from PSZA (optional).
  const auto pit = x.psza.find(player);
  if (pit != x.psza.end()) {
    set_text(c.zone, i, proc::text_of(src.zone, pit->second));
    c.paint10.set_real(i, proc::real_of(src.paint10, pit->second));
    c.three10.set_real(i, proc::real_of(src.three10, pit->second));
  }
  set_bool(c.zone_available, i, pit != x.psza.end());
  // source_*_{last_updated,rows_found,completeness_pct}: NULL as in every
  // legacy backfilled row.
  set_text(c.h_pgs, i, x.h_pgs);
  set_text(c.h_togs, i, x.h_togs);
  set_text(c.h_upgc, i, x.h_upgc);
  set_text(c.h_psza, i, x.h_psza);
  set_bool(c.early, i, n < kFullGames);
  if (n < kFullGames) {
    c.insufficient.set_text(
        i, "Only " + std::to_string(n) + " games played, need " + std::to_string(kFullGames) + " minimum");
  }
  c.expected.set_int(i, w.l5.expected);
  c.actual.set_int(i, w.l5.actual);
  c.pct.set_real(i, w.l5.pct);
  c.missing.set_int(i, w.l5.missing);
  set_bool(c.ready, i, w.all_complete());
  c.issues.set_text_ptr(i, kNoIssues);
  // DECISION 2: one bootstrap rule from the schedule (legacy: before Oct 31 /
  // 30 days from Oct 1).
  status.write(i, x.boundary, x.bootstrap);
  c.l5_pct.set_real(i, w.l5.pct);
  set_bool(c.l5_ok, i, w.l5.ready);
  c.l10_pct.set_real(i, w.l10.pct);
  set_bool(c.l10_ok, i, w.l10.ready);
  c.l7d_pct.set_real(i, w.l7d.pct);
  set_bool(c.l7d_ok, i, w.l7d.ready);
  c.l14d_pct.set_real(i, w.l14d.pct);
  set_bool(c.l14d_ok, i, w.l14d.ready);
  set_bool(c.all_ok, i, w.all_complete());
  c.version.set_text_ptr(i, kVersion);
  // cache_quality_score (= L5 pct) and quality_tier are not columns of the
  // table (legacy: not in the DDL either); the score enters the hash as in
  // the legacy.
  c.hash.set_text(i, hash.hash(t, i, w.l5.pct));
}

/// The kept games of @p h dated in [@p from, @p before), newest date first
/// (stored order within a date), at most kSeasonCap, as pointers into the
/// history (proc::newest_first's order, without copying the games).
void kept_newest_first(const PgsHistory::Player& h, Date from, Date before, std::vector<const PlayerGame*>& out) {
  auto by_date = [](const auto& e, Date x) { return e.first < x; };
  const auto lo = std::lower_bound(h.kept.begin(), h.kept.end(), from, by_date);
  auto end = std::lower_bound(lo, h.kept.end(), before, by_date);
  out.clear();
  while (end != lo && out.size() < kSeasonCap) {
    auto group = end - 1;
    while (group != lo && (group - 1)->first == group->first) --group;
    for (auto it = group; it != end && out.size() < kSeasonCap; ++it) out.push_back(&it->second);
    end = group;
  }
}

/// A player's gates on D: the completeness windows, and his kept games before
/// D (capped), or why he gets no row.
struct Gate {
  Windows w;
  int64_t games = 0;
  std::optional<EntityFailure> failure;
};

Gate gate_of(const PgsHistory& pgs, const TeamSchedule& teams, const DateInputs& x, const std::string* player) {
  static const PgsHistory::Player kNone;
  const PgsHistory::Player* hp = pgs.player(player);
  const PgsHistory::Player& h = hp ? *hp : kNone;
  Gate g;
  g.w = completeness(h, teams, x.d, x.season_start);
  // No reprocess-attempts table in nbaprops: circuit breakers never trip
  // (gate 3 is inert).
  if (!g.w.all_complete() && !x.bootstrap && !x.boundary) {
    g.failure = EntityFailure{*player, "INCOMPLETE_DATA", "Incomplete data across windows"};
    return g;
  }
  auto by_date = [](const auto& e, Date v) { return e.first < v; };
  const auto lo = std::lower_bound(h.kept.begin(), h.kept.end(), x.season_start, by_date);
  const auto hi = std::lower_bound(lo, h.kept.end(), x.d, by_date);
  g.games = std::min(static_cast<int64_t>(hi - lo), static_cast<int64_t>(kSeasonCap));
  if (g.games < kMinGames) {
    g.failure = EntityFailure{
        *player, "INSUFFICIENT_DATA",
        "Only " + std::to_string(g.games) + " games played, need " + std::to_string(kMinGames) + " minimum"};
  }
  return g;
}

/// The PDC rows of D from the carried histories (shared-locked by the caller),
/// the season's team schedule and D's UPGC and PSZA rows.
UnitOutput compute_daily_cache(const TeamSchedule& teams, Date d, const PgsHistory& pgs, const TogsHistory& togs,
                               const DailyCacheInputs& in) {
  const TableSchema& schema = catalog::get("nba_precompute.player_daily_cache");
  UnitOutput out(schema);
  const DateInputs x = date_inputs(d, pgs, togs, in);
  if (x.roster.empty()) {
    // Legacy: backfill synthesised the roster from D's own box scores; that
    // reads D's results (DECISION 1), so an empty UPGC gives an empty date
    // here.
    out.empty_reason = "no upcoming_player_game_context rows for " + d.iso();
    return out;
  }
  // Team rates per UPGC team, once per date.
  const SourceColumns src(in.upgc, in.psza);
  std::unordered_map<const std::string*, TeamRates> rates;
  for (const auto& [_, ur] : x.roster) {
    const std::string* team = proc::text_of(src.team, ur);
    if (!rates.contains(team)) rates.emplace(team, team_rates(togs, team, d));
  }

  // 1. The gates per player; the players who pass get consecutive rows, in
  // roster order.
  std::vector<Gate> gates(x.roster.size());
  tbb::parallel_for(size_t{0}, x.roster.size(),
                    [&](size_t i) { gates[i] = gate_of(pgs, teams, x, x.roster[i].first); });
  std::vector<size_t> row_of(x.roster.size());
  size_t kept = 0;
  for (size_t i = 0; i < x.roster.size(); ++i) {
    if (gates[i].failure) {
      out.failures.push_back(std::move(*gates[i].failure));
    } else {
      row_of[kept++] = i;
    }
  }
  // 2. The rows of those players.
  out.rows.resize(kept);
  const PdcColumns cols(out.rows);
  // Every unit's rows have the full schema: one plan serves them all.
  static const PdcHashPlan hash(out.rows);
  const phase4_detail::ProcessingStatusColumns status(out.rows);
  tbb::parallel_for(size_t{0}, kept, [&](size_t row) {
    const size_t i = row_of[row];
    const auto& [player, ur] = x.roster[i];
    const PgsHistory::Player* h = pgs.player(player);
    thread_local std::vector<const PlayerGame*> games;
    if (h) {
      kept_newest_first(*h, x.season_start, d, games);
    } else {
      games.clear();
    }
    write_row(out.rows, cols, row, player, x, metrics_of(games), gates[i].games, gates[i].w,
              rates.at(proc::text_of(src.team, ur)), ur, src, hash, status);
  });
  out.entities_processed = static_cast<int64_t>(out.rows.num_rows());
  if (out.rows.num_rows() == 0) out.empty_reason = "no player qualified on " + d.iso();
  return out;
}

}  // namespace

UnitOutput compute_daily_cache(const Schedule& schedule, Date d, const DailyCacheInputs& in) {
  const int season = season_of(d);
  // Season-to-date starts at the season's first game (DECISION 2; legacy used
  // season_year only).
  const Date season_start = schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
  PdcState h;
  h.pgs.start(season_start, season_start);
  h.pgs.ingest(in.pgs, d - 1);
  h.togs.start(d - kTogsLookbackDays, season_start);
  h.togs.ingest(in.togs, d - 1);
  return compute_daily_cache(h.teams(schedule), d, h.pgs, h.togs, in);
}

namespace {

// Legacy: ran after PCF as if it read it. Fixed (DECISION 6): PDC reads no PCF
// column, so PCF is not an upstream.
const ProcessorInfo kInfo{
    .name = "player_daily_cache",
    .code = "pdc",
    .phase = 4,
    .output_table = "nba_precompute.player_daily_cache",
    .entity = "players",
    .reads = {{"nba_analytics.player_game_summary", WindowKind::kSeasonToDate, 0, true, kPgsColumns},
              // The team's last 10 games are looked up 365 days back (as the legacy
              // did), so early in a season they reach into the previous one. Declared
              // as two reads so the runner waits for (and is blocked by) every TOGS
              // unit the lookup can reach, while the pre-flight requires only this
              // season's dates: the previous season's tail is used when present.
              {"nba_analytics.team_offense_game_summary", WindowKind::kSeasonToDate, 0, true, kTogsColumns},
              {"nba_analytics.team_offense_game_summary", WindowKind::kDaysBefore, kTogsLookbackDays, false,
               kTogsColumns},
              {"nba_analytics.upcoming_player_game_context", WindowKind::kSameDate, 0, true, kUpgcColumns},
              {"nba_precompute.player_shot_zone_analysis", WindowKind::kSameDate, 0, false, kPszaColumns}},
    .bootstrap = BootstrapPolicy::kSkip,
    .legacy_job = "player_daily_cache",
    .description = "Daily per-player cache: scoring averages, L10 usage/TS%, team pace, workload, zones"};

class DailyCacheProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  std::unique_ptr<CarriedState> make_carried_state() const override { return std::make_unique<PdcState>(); }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    const int season = season_of(d);
    const Date start = ctx.schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
    // The season's PGS and TOGS histories, carried from the dates before (or
    // this unit's own when run alone): only the dates not ingested yet are read.
    auto* state = dynamic_cast<PdcState*>(ctx.carried);
    std::unique_ptr<CarriedState> own_pgs, own_togs;
    const UnitContext pgs_ctx{ctx.warehouse, ctx.schedule, d, ctx.info, state ? &state->pgs : nullptr};
    const auto& pgs = proc::history_for<PgsHistory>(pgs_ctx, own_pgs, start, start, d - 1, [&](Date from, Date to) {
      return proc::read_window(ctx, "nba_analytics.player_game_summary", from, to, kPgsColumns);
    });
    // The team's last 10 games may reach into the previous season (legacy: no
    // season filter).
    const UnitContext togs_ctx{ctx.warehouse, ctx.schedule, d, ctx.info, state ? &state->togs : nullptr};
    const auto& togs = proc::history_for<TogsHistory>(
        togs_ctx, own_togs, start, d - kTogsLookbackDays, d - 1, [&](Date from, Date to) {
          return proc::read_window(ctx, "nba_analytics.team_offense_game_summary", from, to, kTogsColumns);
        });
    Table upgc = proc::read_window(ctx, "nba_analytics.upcoming_player_game_context", d, d, kUpgcColumns);
    Table psza = proc::read_window(ctx, "nba_precompute.player_shot_zone_analysis", d, d, kPszaColumns);
    std::shared_lock pgs_lock(pgs.mutex());
    std::shared_lock togs_lock(togs.mutex());
    // The histories replace the PGS/TOGS tables: empty ones (not static: a
    // text column alive for the process would keep every cell text too).
    const Table no_pgs(catalog::get("nba_analytics.player_game_summary"));
    const Table no_togs(catalog::get("nba_analytics.team_offense_game_summary"));
    std::optional<TeamSchedule> own_teams;
    const TeamSchedule& teams = state ? state->teams(ctx.schedule) : own_teams.emplace(ctx.schedule);
    return compute_daily_cache(teams, d, pgs, togs, {no_pgs, no_togs, upgc, psza});
  }
};

}  // namespace

std::unique_ptr<Processor> make_daily_cache_processor() { return std::make_unique<DailyCacheProcessor>(); }

}  // namespace nbaprops::precompute
