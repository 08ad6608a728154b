#pragma once
/// @file upcoming_player_context.hpp
/// nba_analytics.upcoming_player_game_context (UPGC): pre-game context per
/// player per game of D (legacy spec phase3 §4): fatigue, recent form, prop
/// line and its movement, team-oriented game lines, opponent rest, injury
/// status.
///
/// Point in time (DECISION 1). History windows use games strictly before D.
/// Same-day inputs, all legitimately pre-game:
///  - the schedule (who plays whom; games after D for the forward-looking rest
///  fields);
///  - the gamebook rows of D, used ONLY for who plays (player_lookup,
///  team_abbr, player_status =
///    active): the row set. Their stats (minutes, points, …) are never read;
///  - prop-line and game-line snapshots taken at or before tip-off;
///  - injury reports dated ≤ D.
///
/// Legacy took ~10 minutes per date (hundreds of BigQuery round trips, spec
/// §8). Here every input is read once per unit, indexed by player, and players
/// are computed with tbb::parallel_for into preallocated rows.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops::analytics {

/// Calendar days of gamebook history read before D (the widest window: last-10
/// "within 30 days", days_since_2_plus_days_rest, l30d completeness).
inline constexpr int kPlayerHistoryDays = 30;

/// One past game of a player (minutes > 0), newest first in a history.
struct PlayerGame {
  Date date;
  double minutes = 0;             ///< decimal minutes
  std::optional<int64_t> points;  ///< NULL points stop the prop-streak walk
  std::optional<double> line;     ///< that game's closing points line, when known
};

/// Fatigue block of a player for a game on D, from history @p h (newest first,
/// all dates < D).
struct Fatigue {
  std::optional<int64_t> days_rest;                   ///< (D − last game) − 1; NULL without history
  bool back_to_back = false;                          ///< played on D − 1
  std::optional<int64_t> days_rest_before_last_game;  ///< (last − second-last) − 1
  std::optional<int64_t> days_since_2_plus_days_rest;
  int64_t games_7 = 0, games_14 = 0;      ///< D−7..D−1, D−14..D−1
  int64_t minutes_7 = 0, minutes_14 = 0;  ///< int(Σ minutes) (truncated, legacy)
  std::optional<double> avg_minutes_7;    ///< round(Σ7 / games7, 1)
  int64_t back_to_backs_14 = 0;           ///< consecutive 14-day games one day apart
};
/// Computes the fatigue block (legacy spec §4.3 with the §10.9 fix).
Fatigue player_fatigue(const std::vector<PlayerGame>& h, Date d);

/// round(mean points of the newest @p n games of @p h, 1); nullopt when @p h is
/// empty. Only games inside the history window count (legacy: "last N within 30
/// days").
std::optional<double> points_avg_last(const std::vector<PlayerGame>& h, size_t n);

/// Over/under streak against each past game's own closing line.
struct PropStreak {
  std::optional<int64_t> over;
  std::optional<int64_t> under;
};
/// Walks @p h newest first. Each game is compared with THAT game's line (legacy
/// compared every game with today's line). Points > line extends the over
/// streak, < line the under streak; the first game of the other kind ends the
/// walk. A push (points = line) is skipped: it neither extends nor breaks a
/// streak (legacy rule). A game without a known line, or with NULL points, ends
/// the walk. Both NULL when the walk decides nothing (no history, or the newest
/// game has no line); otherwise one of the two is 0.
PropStreak prop_streaks(const std::vector<PlayerGame>& h);

/// A chosen points prop line for one player and game.
struct PropLine {
  std::optional<double> current;  ///< latest snapshot ≤ tip-off of the preferred book
  std::optional<double> opening;  ///< earliest snapshot of the same book
  std::string current_book;
  std::string opening_book;
};
/// Selects the line from `nba_raw.odds_api_player_points_props` rows @p rows of
/// @p props (one player, one game): snapshots after game_start_time are ignored
/// (not pre-game); bookmaker DraftKings → FanDuel → alphabetical (spec §10.3);
/// current = its latest, opening = its earliest.
PropLine select_prop_line(const Table& props, const std::vector<size_t>& rows);

/// Legacy season phase by month: 10–11 early, 12–2 mid, 3–4 late, 5–9 playoffs.
std::string season_phase(Date d);

/// Inputs of one date D.
struct PlayerContextInputs {
  const Table& gamebook;    ///< nba_raw.nbac_gamebook_player_stats rows dated D − 30 … D
  const Table& props;       ///< nba_raw.odds_api_player_points_props rows dated D −
                            ///< 30 … D (may be empty)
  const Table& game_lines;  ///< nba_raw.odds_api_game_lines rows of D (may be empty)
  const Table& injuries;    ///< nba_raw.nbac_injury_report rows with report_date
                            ///< in [D − 7, D] (may be empty)
};

/// Pure computation of UPGC rows for date @p d. Rows ordered by (game_id, team,
/// player_lookup). Row set: players listed active in D's gamebook for a counted
/// game of D (DNP/inactive dropped). When D has no gamebook rows at all
/// (pre-game / daily use), players whose latest history game was for a team
/// playing on D, minus those the injury report lists out
/// (processing_decision_reason "processed_successfully:pre_game_driver").
UnitOutput compute_upcoming_player_context(const Schedule& schedule, Date d, const PlayerContextInputs& in);

/// The registered processor (code "upgc").
std::unique_ptr<Processor> make_upcoming_player_context_processor();

}  // namespace nbaprops::analytics
