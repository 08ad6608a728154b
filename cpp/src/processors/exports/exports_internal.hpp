#pragma once
// Private to the exporters: the sources loaded once for a list of dates, and
// the builders that turn them into payloads for one date.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/exports/exports.hpp"
#include "nbaprops/schedule/schedule.hpp"

namespace nbaprops::exports::detail {

/// The catalogue tables the exporters read, named for their ColumnIds
/// (cols::<table>::<column>): `t.col(pa::game_date)`.
namespace bdl = cols::bdl_player_boxscores;
namespace gps = cols::nbac_gamebook_player_stats;
namespace mlfs = cols::ml_feature_store_v2;
namespace nir = cols::nbac_injury_report;
namespace oapp = cols::odds_api_player_points_props;
namespace pa = cols::prediction_accuracy;
namespace pcf = cols::player_composite_factors;
namespace pgs = cols::player_game_summary;
namespace ppp = cols::player_prop_predictions;
namespace sch = cols::nbac_schedule;
namespace sdp = cols::system_daily_performance;
namespace tdza = cols::team_defense_zone_analysis;
namespace togs = cols::team_offense_game_summary;
namespace upgc = cols::upcoming_player_game_context;

/// One file of a multi-file export type: its path under the output directory and
/// its payload.
struct ExportFile {
  std::string path;
  Json payload;
};

/// A table read once (ordered by its partition date) or the error that stopped
/// the read.
struct Source {
  std::optional<Table> table;
  std::string error;
  bool needed = false;

  [[nodiscard]] bool ok() const { return table.has_value(); }
  /// Rows [first, second) dated @p d (the read is ordered by game_date).
  [[nodiscard]] std::pair<size_t, size_t> rows_on(Date d) const;
};

/// A player's graded ensemble OVER/UNDER picks, oldest first, with a running
/// count of wins (wins[i] = wins among the first i picks).
struct PickHistory {
  std::vector<int32_t> days;
  std::vector<int32_t> wins{0};
};

/// Every source an export run reads, loaded once for [first, last].
struct Inputs {
  Source accuracy;                                     ///< prediction_accuracy, [first, last]
  Source mlfs;                                         ///< ml_feature_store_v2, [first, last] (results)
  Source daily_perf;                                   ///< system_daily_performance, season of as_of .. as_of
                                                       ///< (performance)
  Source predictions;                                  ///< player_prop_predictions, [first, last] (predictions)
  Source composite;                                    ///< player_composite_factors, [first, last] (best-bets
                                                       ///< fatigue)
  Source pgs_names;                                    ///< player_game_summary names, [first, last] (best-bets)
  Source gamebook_names;                               ///< nbac_gamebook_player_stats names, [first, last]
                                                       ///< (best-bets fallback)
  Source history;                                      ///< prediction_accuracy before first (best-bets history)
  std::unordered_map<std::string, PickHistory> picks;  ///< by player_lookup (best-bets)

  // tonight (as_of only); composite above also serves it.
  Source schedule;             ///< nbac_schedule of as_of (parsed into `games`)
  Schedule games;              ///< the schedule rows of `schedule`
  Source roster;               ///< upcoming_player_game_context of as_of
  Source tonight_predictions;  ///< player_prop_predictions of as_of (with
                               ///< created_at)
  Source injuries;             ///< nbac_injury_report, report_date in [as_of − 7, as_of]
  Source props;                ///< odds_api_player_points_props of as_of
  Source player_history;       ///< player_game_summary, every row before as_of
};

/// One ensemble row of prediction_accuracy.
struct Graded {
  std::string player_lookup, game_id;
  std::optional<std::string> team, opponent, recommendation;
  std::optional<double> predicted, confidence, line, minutes, abs_error, signed_error;
  std::optional<int64_t> actual;
  std::optional<bool> correct, within_3, within_5;

  [[nodiscard]] bool is_bet() const { return recommendation == "OVER" || recommendation == "UNDER"; }
  /// An OVER/UNDER pick whose actual equals the line exactly (graded neither
  /// win nor loss).
  [[nodiscard]] bool is_push() const {
    return is_bet() && !correct && line && actual && static_cast<double>(*actual) == *line;
  }
};

/// The ensemble_v1 rows of prediction_accuracy dated @p date, ordered by
/// (game_id, player_lookup).
std::vector<Graded> graded_rows(const Inputs& in, Date date);

/// Reads what @p types need; read errors are kept in the Source, never thrown.
Inputs load(Warehouse& wh, Date first, Date last, Date as_of, const std::vector<ExportType>& types);

/// @return the read error of a source @p type needs, or "" when all of them
/// loaded.
std::string source_error(const Inputs& in, ExportType type);

/// @return the builder's payload for @p date. @throws DataError on undecodable
/// stored values.
Json results_payload(const Inputs& in, Date date, const std::string& generated_at);
Json performance_payload(const Inputs& in, Date as_of, const std::string& generated_at);
Json best_bets_payload(const Inputs& in, Date date, const BuildOptions& options, const std::string& generated_at);
Json predictions_payload(const Inputs& in, Date date, const std::string& generated_at);
Json tonight_payload(const Inputs& in, Date date, const std::string& generated_at);

Json streaks_payload(Warehouse& wh, Date as_of, int min_streak, const std::string& generated_at);
Json bounce_back_payload(Warehouse& wh, Date as_of, const std::string& generated_at);
Json what_matters_payload(Warehouse& wh, Date as_of, const std::string& generated_at);
Json team_tendencies_payload(Warehouse& wh, Date as_of, const std::string& generated_at);
Json quick_hits_payload(Warehouse& wh, Date as_of, const std::string& generated_at);
Json deep_dive_payload(Warehouse& wh, Date as_of, const std::string& generated_at);
Json trend_plays_payload(Warehouse& wh, Date day, const std::string& generated_at);
/// tonight/player/{lookup}.json of every upcoming_player_game_context player of
/// @p day (legacy TonightPlayerExporter.export_all_for_date).
std::vector<ExportFile> tonight_player_files(Warehouse& wh, Date day, const std::string& generated_at);
/// players/index.json and players/{lookup}.json (legacy PlayerProfileExporter
/// export_all_players): @p today picks the next game.
std::vector<ExportFile> player_profile_files(Warehouse& wh, Date today, int min_games, const std::string& generated_at);
Json hot_cold_payload(Warehouse& wh, Date as_of, const std::string& generated_at);
Json live_payload(Warehouse& wh, Date day, const BuildOptions& options, const std::string& generated_at);
Json live_grading_payload(Warehouse& wh, Date day, const BuildOptions& options, const std::string& generated_at);

/// BigQuery ROUND (half away from zero): the legacy computed most figures in
/// SQL.
double bq_round(double x, int digits);
using proc::exact_round;
using proc::numeric_scale;
using proc::numeric_units;
using proc::pow10_int;
/// Python's str() of a float ("50.0", "4.25") or "None": the legacy formatted
/// numbers into its insight texts this way.
std::string py_str(std::optional<double> x);
/// Python's "{x:.Nf}" (with @p plus, "{x:+.Nf}").
std::string fixed(double x, int digits, bool plus = false);
/// Python's "{x:.0%}".
std::string percent0(double x);
/// The legacy season of a date: October or later → that year, else the year
/// before (its `season_year = CASE WHEN EXTRACT(MONTH ...) >= 10 ...`).
int64_t legacy_season(Date d);

/// A team's game of the day, seen from that team (legacy `_query_tonight_games`).
struct TonightGame {
  std::string opponent;
  std::optional<std::string> time;
  bool home = false;
};
/// team → its game on @p day (nbac_schedule: regular season, play-in, playoffs).
std::unordered_map<std::string, TonightGame> tonight_games(Warehouse& wh, Date day);
/// {"opponent", "game_time", "home"} of @p team, or null when it does not play.
Json tonight_of(const std::unordered_map<std::string, TonightGame>& games, const std::string& team);

/// One player_game_summary row, the columns the trends and player pages read.
struct PgsRow {
  std::string player, name, game_id, team, opponent;
  int32_t day = 0;
  int64_t season = 0;
  std::optional<int64_t> points, fg_makes, fg_attempts, three_makes, three_attempts, ft_makes, ft_attempts, oreb, dreb,
      assists, steals, blocks, turnovers;
  std::optional<double> minutes, line;
  std::optional<std::string> result;  ///< over_under_result
  std::optional<bool> win;

  [[nodiscard]] bool is_over_under() const { return result == "OVER" || result == "UNDER"; }
  /// Home team per game_id `YYYYMMDD_AWAY_HOME`.
  [[nodiscard]] bool home() const;
};
/// player_game_summary rows of @p range ordered by (player_lookup, game_date).
std::vector<PgsRow> read_pgs(Warehouse& wh, DateRange range);
/// The newest non-empty display name of rows [begin, end) of one player, else
/// the lookup (the legacy joined the players registry, which the warehouse does
/// not hold).
std::string display_name(const std::vector<PgsRow>& rows, size_t begin, size_t end);
/// Consecutive runs of one player in rows ordered by player: [begin, end).
std::vector<std::pair<size_t, size_t>> player_runs(const std::vector<PgsRow>& rows);

/// "7:30 PM ET" from an Eastern wall-clock timestamp text
/// ("2024-01-15T19:30:00"); null without a time.
std::optional<std::string> game_time(const std::optional<std::string>& est);

/// Legacy fatigue level: ≥ 95 fresh, ≥ 75 normal, else tired; null without a
/// score.
std::optional<std::string> fatigue_level(std::optional<int64_t> score);
/// (away, home) from a game_id `YYYYMMDD_AWAY_HOME`; both null when it has
/// another shape.
std::pair<std::optional<std::string>, std::optional<std::string>> teams_of(const std::string& game_id);

/// JSON number rounded like Python's round(x, digits), or null — never null for
/// an exact 0 (the legacy `round(x, n) if x else None` turned 0 into null;
/// fixed, DECISION 6).
Json number(std::optional<double> x, int digits);
/// JSON integer or null.
Json integer(std::optional<int64_t> x);
/// JSON string or null.
Json text(const std::optional<std::string>& x);

}  // namespace nbaprops::exports::detail
