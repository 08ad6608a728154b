#pragma once
/// @file exports.hpp
/// Phase 6 exports: the JSON files of the legacy
/// `backfill_jobs/publishing/daily_export.py` (spec legacy-mlfs-phase5-6 §6),
/// written to a local directory tree that mirrors the legacy GCS object paths
/// (`<out>/v1/results/2024-01-15.json`, …) instead of
/// `gs://nba-props-platform-api`.
///
/// Implemented: every legacy `--only` type — results, performance, best-bets,
/// predictions, tonight, tonight-players, streaks, trends-hot-cold,
/// trends-bounce-back, trends-what-matters, trends-team, trends-quick-hits,
/// trends-deep-dive, tonight-trend-plays, live and live-grading — the groups
/// trends-daily, trends-weekly and trends-all, the `latest.json` / `today.json`
/// copies, and the player profiles of the legacy `--players` run
/// (ExportType::kPlayers, outside the `--only` names as in the legacy).
///
/// Builders read the warehouse and return the payload; the writer loads every
/// source once for a whole list of dates, builds the payloads in parallel and
/// writes each file atomically (temp file
/// + fsync + rename). Payload objects keep the legacy key order
/// (nlohmann::ordered_json).
///
/// Legacy bugs fixed here (DECISION 6), each also noted where it is fixed:
///   - numeric fields were emitted as null when exactly 0 (truthiness tests): 0
///   is emitted as 0;
///   - NO_LINE rows showed result "PUSH": they show "NO_LINE" (other ungraded
///   rows null);
///   - the results summary counted pushes as incorrect: `incorrect` counts
///   losses only and
///     `pushes` is reported separately;
///   - the performance "season" window held every row ≤ D: it is bounded to the
///   NBA season of D;
///   - tonight's season/last-5/last-10 figures read games strictly before D
///   (DECISION 1).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "nbaprops/core/date.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::exports {

/// Payload type: a JSON object whose keys keep their insertion (legacy layout)
/// order.
using Json = nlohmann::ordered_json;

/// The export types nbaprops implements, in the order the legacy script ran
/// them.
enum class ExportType {
  kResults,
  kPerformance,
  kBestBets,
  kPredictions,
  kTonight,
  kTonightPlayers,     ///< tonight/player/{lookup}.json per player of the date (legacy TonightPlayerExporter)
  kStreaks,            ///< streaks/today.json (legacy StreaksExporter, min streak 4)
  kTrendsHotCold,      ///< trends/whos-hot-v2.json (legacy WhosHotColdExporter)
  kTrendsBounceBack,   ///< trends/bounce-back.json (legacy BounceBackExporter)
  kTrendsWhatMatters,  ///< trends/what-matters.json (legacy WhatMattersExporter)
  kTrendsTeam,         ///< trends/team-tendencies.json (legacy TeamTendenciesExporter)
  kTrendsQuickHits,    ///< trends/quick-hits.json (legacy QuickHitsExporter)
  kTrendsDeepDive,     ///< trends/deep-dive-current.json (legacy DeepDiveExporter)
  kTonightTrendPlays,  ///< trends/tonight-plays.json (legacy TonightTrendPlaysExporter)
  kLive,               ///< live/{date}.json + live/latest.json (legacy LiveScoresExporter)
  kLiveGrading,        ///< live-grading/{date}.json + latest.json (legacy LiveGradingExporter)
  kPlayers,            ///< players/index.json + players/{lookup}.json (legacy `--players`; not an `--only` name)
};

/// System whose rows the results, best-bets and predictions files show.
inline constexpr const char* kEnsembleSystem = "ensemble_v1";
/// Best bets kept per date (legacy BestBetsExporter top_n).
inline constexpr int kBestBetsTopN = 15;
/// Player historical accuracy the best-bets composite uses when the player has
/// no graded OVER/UNDER pick before D (the file then shows null / null).
inline constexpr double kDefaultHistoricalAccuracy = 0.85;
/// Season games before D below which a tonight player is flagged
/// `limited_data`.
inline constexpr int kTonightMinGames = 10;
/// Shortest OVER/UNDER/prediction streak listed (legacy daily_export:
/// StreaksExporter(min_streak_length=4)).
inline constexpr int kMinStreakLength = 4;
/// Games (newest first) a streak is looked for in (legacy: the last 20).
inline constexpr size_t kStreakWindow = 20;
/// Streaks listed per OVER/UNDER list and for prediction hits (legacy LIMIT 50
/// / LIMIT 30).
inline constexpr size_t kStreaksLimit = 50;
inline constexpr size_t kPredictionStreaksLimit = 30;
/// Who's hot/cold: calendar days looked back, minimum games with a prop result,
/// players per list.
inline constexpr int kHotColdLookbackDays = 30;
inline constexpr int kHotColdMinGames = 5;
inline constexpr size_t kHotColdTopN = 10;
/// Legacy `--min-games` default of the player profiles.
inline constexpr int kProfileMinGames = 5;

/// @return the legacy CLI name of @p type ("results", "best-bets",
/// "tonight-players", "trends-bounce-back", …; "players" for kPlayers).
const char* to_string(ExportType type) noexcept;

/// @return the 16 legacy `--only` types, in legacy run order (kPlayers is not
/// one of them).
const std::vector<ExportType>& all_types();

/// Parses one legacy CLI type name (case-sensitive, as the legacy `--only`
/// validation was).
/// @throws ConfigError naming the type and listing the valid names; "players"
///         is refused with a pointer to `--players`, as the legacy refused it.
ExportType parse_type(std::string_view name);

/// Like parse_type() but also accepts "players" (the API name of the profiles).
/// @throws ConfigError for an unknown name.
ExportType type_named(std::string_view name);

/// Parses a `--only` list. Empty → all 16 types. Duplicates are dropped;
/// canonical order is kept. The legacy groups expand to their members:
/// trends-daily = trends-hot-cold, trends-bounce-back, tonight-trend-plays;
/// trends-weekly = trends-what-matters, trends-team, trends-quick-hits;
/// trends-all = the six trends-* types and tonight-trend-plays.
/// @throws ConfigError as parse_type().
std::vector<ExportType> parse_types(const std::vector<std::string>& names);

/// Options shared by the builders.
struct BuildOptions {
  /// The `generated_at` value of every payload; empty means "read the UTC clock
  /// once" (the only clock read of the exporters — tests inject a fixed value).
  std::string generated_at;
  /// Best bets kept per date.
  int top_n = kBestBetsTopN;
  /// Historical accuracy of a player without graded history.
  double default_historical_accuracy = kDefaultHistoricalAccuracy;
  /// live / live-grading: a saved BallDontLie live box-score response
  /// (`{"data": [...]}`) to read instead of nba_raw.bdl_player_boxscores; empty
  /// = the raw table.
  std::string live_file;
  /// streaks: shortest streak listed.
  int min_streak = kMinStreakLength;
  /// players: graded dates a player needs for a profile file (legacy
  /// `--min-games`, default 5; the index lists players with ≥ 3).
  int min_games = kProfileMinGames;
};

/// results/{date}.json: the ensemble's graded predictions of @p date with
/// summary, breakdowns (by player tier, confidence, recommendation, context)
/// and best/worst highlights. An ungraded date gives a zeroed summary, zeroed
/// breakdowns, empty results and empty highlights. Reads prediction_accuracy
/// and ml_feature_store_v2 for @p date.
/// @throws StorageError, DataError (an unreadable MLFS features array).
/// Thread-safe if @p wh is.
Json build_results(Warehouse& wh, Date date, const BuildOptions& options = {});

/// systems/performance.json as of @p as_of: per system the last-7-days,
/// last-30-days and season windows of system_daily_performance (season bounded
/// to the NBA season of @p as_of), a season breakdown, display metadata and a
/// comparison of the systems.
/// @throws StorageError. Thread-safe if @p wh is.
Json build_performance(Warehouse& wh, Date as_of, const BuildOptions& options = {});

/// best-bets/{date}.json: the ensemble's OVER/UNDER picks of @p date ranked by
/// confidence × edge factor × player historical accuracy (graded picks strictly
/// before @p date, ROUND(…, 3) as the legacy SQL), the top `options.top_n`,
/// with fatigue (player_composite_factors), the legacy rationale texts and
/// result.
/// @throws StorageError. Thread-safe if @p wh is.
Json build_best_bets(Warehouse& wh, Date date, const BuildOptions& options = {});

/// predictions/{date}.json: the ensemble's rows of player_prop_predictions for
/// @p date grouped by game (teams parsed from game_id `YYYYMMDD_AWAY_HOME`),
/// players by confidence.
/// @throws StorageError. Thread-safe if @p wh is.
Json build_predictions(Warehouse& wh, Date date, const BuildOptions& options = {});

/// tonight/all-players.json for the games of @p date: every counted schedule
/// game of the date (nbac_schedule; regular season, play-in, playoffs; ordered
/// by tip time) with its roster from upcoming_player_game_context. Per player
/// (legacy TonightAllPlayersExporter keys): name, team, home flag, has_line,
/// fatigue level and score (player_composite_factors: ≥ 95 fresh, ≥ 75 normal,
/// else tired; "normal" without a score), days_rest (UPGC), injury status and
/// reason (the latest report dated ≤ @p date for the date's games, the UPGC
/// selection rule; "available" without one), season ppg / mpg (1 dp, half away
/// from zero as BigQuery's ROUND) and games (player_game_summary rows of the
/// season), last-5 ppg and last_10_points over the newest rows of any season,
/// limited_data (fewer than kTonightMinGames games). All rows strictly before
/// @p date (DECISION 1). has_line is true when the newest ensemble_v1
/// prediction of the player's game carries a current_points_line (a real or
/// an estimated line); those players also get props [{stat_type "points",
/// line (the prediction's), over_odds, under_odds}], prediction {predicted,
/// confidence, recommendation}, last_10_results (one entry per last-10 row,
/// newest first: "O", "U", or "-" for any other over_under_result) and
/// last_10_record "O-U" (null when neither occurs).
///
/// Odds: the legacy read BettingPros; we read
/// nba_raw.odds_api_player_points_props, the props table the demo and the
/// importers fill. Only pre-game snapshots count (snapshot ≤ game_start_time).
/// over_odds / under_odds are the best (highest) American prices among the
/// bookmakers whose latest snapshot quotes the prediction's line (equal at 1
/// dp; decimal prices converted when the American price is missing), null
/// when none does.
///
/// Players are sorted as the legacy: with a line first, then OUT last within
/// each group, then confidence descending, then season ppg descending (then
/// player_lookup). Roster games missing from the schedule are listed after the
/// scheduled games with null time and status. Other floats are rounded to 2 dp.
/// @throws StorageError, DataError (an unreadable schedule row). Thread-safe if
/// @p wh is.
Json build_tonight(Warehouse& wh, Date date, const BuildOptions& options = {});

/// streaks/today.json as of @p as_of: players whose newest games (of the season
/// of @p as_of, games dated ≤ @p as_of, among the last 20 with a prop result)
/// are all OVER (resp. UNDER) for at least `options.min_streak` games — streak
/// length, average margin over the line, the newest 5 games — sorted by length
/// then margin (top 50); players whose ensemble OVER/UNDER calls were correct
/// for the last ≥ min_streak calls (top 30); a summary. Names and teams come
/// from player_game_summary (the legacy read the players registry). Reads
/// player_game_summary, prediction_accuracy.
/// @throws StorageError. Thread-safe if @p wh is.
Json build_streaks(Warehouse& wh, Date as_of, const BuildOptions& options = {});

/// trends/whos-hot-v2.json as of @p as_of: per player with ≥ 5 OVER/UNDER
/// results in [as_of − 30, as_of] the hit rate, average margin, current streak
/// and heat score 10·(0.5·hit_rate + 0.25·min(streak/10, 1) +
/// 0.25·clamp((margin + 10)/20, 0, 1)) rounded to 0.1; the 10 hottest and 10
/// coldest with tonight's game (nbac_schedule of @p as_of); league averages.
/// `position` is null (the legacy read the players registry). @throws
/// StorageError.
Json build_hot_cold(Warehouse& wh, Date as_of, const BuildOptions& options = {});

/// live/{date}.json: the games of @p date with score, status (final /
/// in_progress / scheduled), period and per-player box lines, from
/// nba_raw.bdl_player_boxscores or `options.live_file`.
/// @throws StorageError, DataError (an unreadable live file, naming the
/// record). Thread-safe if @p wh is.
Json build_live(Warehouse& wh, Date date, const BuildOptions& options = {});

/// live-grading/{date}.json: the ensemble's active prediction per player of @p
/// date graded against the live box lines (as build_live()): correct /
/// incorrect (final games), trending_correct / trending_incorrect (5 points
/// beyond the line) / in_progress, graded (no line), pending (no box line), and
/// a summary (win rate over final picks, mean absolute error). @throws
/// StorageError, DataError.
Json build_live_grading(Warehouse& wh, Date date, const BuildOptions& options = {});

/// The trends pages as of @p as_of (files without a date in their path):
///  - bounce-back: players whose newest game of the season was ≥ 10 points
///    under their season average (≥ 10 games), with their bounce-back rate
///    after such games (seasons ≥ 2021, ≥ 3 bad games), significance, tonight's
///    game and the league baseline;
///  - what-matters: OVER rates of four PPG archetypes (last 365 days, ≥ 20
///    games) overall, by rest (b2b / one_day / rested, ≥ 20 games) and home /
///    away (≥ 50), example players (last 90 days) and up to 5 insights;
///  - team-tendencies: pace kings / grinders (30 days), paint and perimeter
///    defense (team_defense_zone_analysis, 30 days), home / away scoring (60
///    days), back-to-back impact (90 days);
///  - quick-hits: the 8 OVER-rate facts (day of week, rest, home / away, PPG
///    tier; last 90 days; ≥ 50 games) farthest from 50%;
///  - deep-dive: the month's promo card (topic by month, rest-impact hero stat
///    in December and May–September, else the month's OVER rate).
/// Reads player_game_summary, team_offense_game_summary,
/// team_defense_zone_analysis and nbac_schedule (tonight's games).
/// @throws StorageError. Thread-safe if @p wh is.
Json build_bounce_back(Warehouse& wh, Date as_of, const BuildOptions& options = {});
Json build_what_matters(Warehouse& wh, Date as_of, const BuildOptions& options = {});
Json build_team_tendencies(Warehouse& wh, Date as_of, const BuildOptions& options = {});
Json build_quick_hits(Warehouse& wh, Date as_of, const BuildOptions& options = {});
Json build_deep_dive(Warehouse& wh, Date as_of, const BuildOptions& options = {});

/// trends/tonight-plays.json for @p day: players of the teams playing (schedule)
/// with a ≥ 3-game OVER/UNDER streak (last 30 days), a ≥ 15% scoring change
/// of the last 5 vs last 15 games (45 days) or a rest edge (1 or 3–7 days
/// since the last game, with their rest splits of the seasons ≥ 2022); one
/// play per player (streak, then momentum, then rest), high confidence first.
/// Every window ends the day before @p day. @throws StorageError.
Json build_tonight_trend_plays(Warehouse& wh, Date day, const BuildOptions& options = {});

/// Dispatches to the builder of @p type (performance: @p date is the as-of
/// date). For the multi-file types (tonight-players, players) the result is an
/// object {relative path: payload} of every file.
Json build(Warehouse& wh, ExportType type, Date date, const BuildOptions& options = {});

/// @return the object path of @p type under the output directory, e.g.
///         "v1/results/2024-01-15.json"; the undated types have one fixed path
///         each ("v1/systems/performance.json", "v1/trends/bounce-back.json",
///         …); the multi-file types return their folder
///         ("v1/tonight/player/", "v1/players/").
std::string object_path(ExportType type, Date date);

/// @return true for the types written once per run, for the newest date
/// (undated paths).
bool is_undated(ExportType type) noexcept;

/// @return the copies refreshed for the newest exported date:
/// "v1/results/latest.json",
///         "v1/best-bets/latest.json", "v1/predictions/today.json",
///         "v1/live/latest.json", "v1/live-grading/latest.json"; none for the
///         undated types.
std::vector<std::string> alias_paths(ExportType type);

/// Writes @p payload as UTF-8 JSON with indent 2 (invalid UTF-8 replaced) to @p
/// path atomically: a temporary file beside it, fsync, then rename. Parent
/// directories are created.
/// @throws StorageError naming the path. Thread-safe for distinct paths.
void write_json_atomic(const std::filesystem::path& path, const Json& payload);

/// Outcome of a date (all its types succeeded / some / none) or of a type over
/// the run.
enum class ExportStatus { kSuccess, kPartial, kFailed };
/// @return "success", "partial" or "failed".
const char* to_string(ExportStatus status) noexcept;

/// One type exported for one date.
struct TypeOutcome {
  ExportType type = ExportType::kResults;
  bool ok = false;
  std::vector<std::string> paths;  ///< files written (relative to the output directory)
  int64_t count = 0;               ///< results rows / systems / picks / players / files of a multi-file type
  std::string error;               ///< why it failed (empty when ok)
};

/// Every type exported for one date.
struct DateOutcome {
  Date date;
  ExportStatus status = ExportStatus::kSuccess;
  std::vector<TypeOutcome> types;
};

/// Options of write_exports().
struct ExportOptions {
  /// Root of the output tree (files go under `<out_dir>/v1/...`).
  std::filesystem::path out_dir = "exports";
  /// Types to export; empty means all.
  std::vector<ExportType> types;
  BuildOptions build;
  /// Dates built in parallel (≥ 1).
  int workers = 2;
};

/// What a write_exports() call did.
struct ExportRun {
  std::vector<DateOutcome> dates;                                ///< in date order
  std::vector<std::pair<ExportType, ExportStatus>> type_status;  ///< per requested type, over all dates
  std::string generated_at;                                      ///< the value every payload carries
  double seconds = 0;

  /// @return every file written (relative paths), in date then type order.
  [[nodiscard]] std::vector<std::string> files() const;
  /// @return 0 when every type succeeded on every date, else 1 (DECISION 5; the
  /// legacy script
  ///         exited 1 only when a single-date run failed completely).
  [[nodiscard]] int exit_code() const;
};

/// Exports @p dates (any order; duplicates dropped) into `options.out_dir`.
///
/// The results, best-bets and predictions sources are read once for the whole
/// list; the other builders read their own sources for their one date. Dated
/// files are written for every date; the latest/today copies and the types
/// without a date in their paths (is_undated(): performance, tonight, the
/// tonight player pages, streaks, the trends pages, the player profiles) are
/// written only for the newest date — the legacy range mode rewrote them for
/// every date and so ended with the newest date's files. A failing type fails
/// only itself for that date; a source that cannot be read fails the types
/// that need it. kPlayers writes the profiles with the newest date as "today".
/// @throws ConfigError for workers < 1. Expected failures are reported in the
/// result, not thrown.
ExportRun write_exports(Warehouse& wh, const std::vector<Date>& dates, const ExportOptions& options);

/// @return every calendar day from @p start to @p end inclusive (the legacy
/// range mode).
/// @throws ConfigError when @p start is after @p end.
std::vector<Date> calendar_days(Date start, Date end);

/// @return every distinct game_date of prediction_accuracy, ascending (legacy
/// `--backfill-all`).
/// @throws StorageError.
std::vector<Date> graded_dates(Warehouse& wh);

}  // namespace nbaprops::exports
