#pragma once
// A tiny hand-built league around D = 2024-01-15 (BOS hosts LAL) shared by the
// UPGC and UTGC tests. Every expected value in those tests is worked out by
// hand from the facts below.
//
// Schedule (season 2023; all past games final):
//   BOS: 12-20 v NYK W 110-100 · 01-05 @MIA W 120-105 · 01-08 v CHI L 99-101 ·
//   01-10 v ORL L 100-104
//        · 01-12 v TOR W 115-100 · 01-14 @NYK W 108-102 · D v LAL · 01-17 v MIA
//        (scheduled)
//   LAL: 01-03 v SAC W 120-110 · 01-11 @PHX L 100-108 · 01-13 v PHX L 100-110 ·
//   D @BOS · 01-16 @NYK MIA: 01-05 v BOS L · 01-07 v CHI W 110-100 → 1-1 (win
//   pct 0.500) before D.
// Arena distances (teams.hpp coordinates, haversine R = 3959 mi, rounded):
//   BOS–NYK 188.22 → 188 · BOS–MIA 1257.49 → 1257 · LAL–BOS 2592.34 → 2592.
// Game lines of D (full team names only, abbreviations NULL; tip-off
// 2024-01-16T00:30:00Z):
//   draftkings spreads 12:00 BOS −5.5 / LAL +5.5, 22:00 BOS −6.5 / LAL +6.5,
//   01:00 next day (after tip) BOS −10 / LAL +10; fanduel spreads 22:00 BOS −7
//   / LAL +7; fanduel totals 12:00 Over 230.5, 22:00 Over 228.5 / Under 228.5.
// Injury report for D's game: jaylenbrown questionable (01-14 17h) ;
// kristapsporzingis
//   questionable 01-14 17h then out 01-15 12h; benchguy out with confidence 0.5
//   (dropped); samhauser "Doubtful" with team "Boston Celtics" (full name,
//   capitalised status); lebronjames probable; plus a report dated 01-16 (after
//   D) listing lebronjames out (ignored).

#include <string>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/schedule/schedule.hpp"

namespace nbaprops::testing {

inline Date day(const char* iso) { return Date::parse(iso); }

inline Game fixture_game(const char* date, const char* away, const char* home, std::optional<int> away_score,
                         std::optional<int> home_score, const char* nba_id) {
  Game g;
  g.nba_game_id = nba_id;
  g.date = day(date);
  g.season = 2023;
  g.home = home;
  g.away = away;
  g.status = away_score ? GameStatus::kFinal : GameStatus::kScheduled;
  g.away_score = away_score;
  g.home_score = home_score;
  return g;
}

inline std::vector<Game> fixture_games() {
  return {
      fixture_game("2023-12-20", "NYK", "BOS", 100, 110, "0022300301"),
      fixture_game("2024-01-03", "SAC", "LAL", 110, 120, "0022300501"),
      fixture_game("2024-01-05", "BOS", "MIA", 120, 105, "0022300521"),
      fixture_game("2024-01-07", "CHI", "MIA", 100, 110, "0022300541"),
      fixture_game("2024-01-08", "CHI", "BOS", 101, 99, "0022300551"),
      fixture_game("2024-01-10", "ORL", "BOS", 104, 100, "0022300571"),
      fixture_game("2024-01-11", "LAL", "PHX", 100, 108, "0022300581"),
      fixture_game("2024-01-12", "TOR", "BOS", 100, 115, "0022300591"),
      fixture_game("2024-01-13", "PHX", "LAL", 110, 100, "0022300601"),
      fixture_game("2024-01-14", "BOS", "NYK", 108, 102, "0022300611"),
      fixture_game("2024-01-15", "LAL", "BOS", std::nullopt, std::nullopt, "0022300621"),
      fixture_game("2024-01-16", "LAL", "NYK", std::nullopt, std::nullopt, "0022300631"),
      fixture_game("2024-01-17", "MIA", "BOS", std::nullopt, std::nullopt, "0022300641"),
  };
}

inline void line_row(Table& t, const char* date, const char* book, const char* market, const char* outcome,
                     double point, const char* snapshot) {
  size_t r = t.add_row();
  t.set(r, "snapshot_timestamp", snapshot);
  t.set(r, "game_id",
        "3f9c0e5a1b2c");  // an Odds-API event hash: never used for joining
  t.set(r, "sport_key", "basketball_nba");
  t.set(r, "sport_title", "NBA");
  t.set(r, "commence_time", "2024-01-16T00:30:00Z");
  t.set(r, "game_date", day(date));
  t.set(r, "home_team", "Boston Celtics");
  t.set(r, "away_team", "Los Angeles Lakers");
  t.set(r, "bookmaker_key", book);
  t.set(r, "bookmaker_title", book);
  t.set(r, "bookmaker_last_update", snapshot);
  t.set(r, "market_key", market);
  t.set(r, "market_last_update", snapshot);
  t.set(r, "outcome_name", outcome);
  t.set(r, "outcome_price", 1.91);
  t.set(r, "outcome_point", point);
  t.set(r, "source_file_path", "gs://odds/lines.json");
  t.set(r, "created_at", snapshot);
  t.set(r, "processed_at", "2024-01-16T06:00:00Z");
}

inline Table fixture_lines() {
  Table t(catalog::get("nba_raw.odds_api_game_lines"));
  const char* d = "2024-01-15";
  line_row(t, d, "draftkings", "spreads", "Boston Celtics", -5.5, "2024-01-15T12:00:00Z");
  line_row(t, d, "draftkings", "spreads", "Los Angeles Lakers", 5.5, "2024-01-15T12:00:00Z");
  line_row(t, d, "draftkings", "spreads", "Boston Celtics", -6.5, "2024-01-15T22:00:00Z");
  line_row(t, d, "draftkings", "spreads", "Los Angeles Lakers", 6.5, "2024-01-15T22:00:00Z");
  line_row(t, d, "fanduel", "spreads", "Boston Celtics", -7.0, "2024-01-15T22:00:00Z");
  line_row(t, d, "fanduel", "spreads", "Los Angeles Lakers", 7.0, "2024-01-15T22:00:00Z");
  line_row(t, d, "fanduel", "totals", "Over", 230.5, "2024-01-15T12:00:00Z");
  line_row(t, d, "fanduel", "totals", "Over", 228.5, "2024-01-15T22:00:00Z");
  line_row(t, d, "fanduel", "totals", "Under", 228.5, "2024-01-15T22:00:00Z");
  return t;
}

/// Lines that are not pre-game for D: after tip-off, or of another date.
inline void add_post_tip_lines(Table& t) {
  line_row(t, "2024-01-15", "draftkings", "spreads", "Boston Celtics", -10.0, "2024-01-16T01:00:00Z");
  line_row(t, "2024-01-15", "draftkings", "spreads", "Los Angeles Lakers", 10.0, "2024-01-16T01:00:00Z");
  line_row(t, "2024-01-15", "aaabook", "totals", "Over", 250.5, "2024-01-16T01:00:00Z");
}

inline void injury_row(Table& t, const char* report_date, int hour, const char* lookup, const char* team,
                       const char* status, std::optional<double> confidence = 0.95) {
  size_t r = t.add_row();
  t.set(r, "report_date", day(report_date));
  t.set(r, "report_hour", int64_t{hour});
  t.set(r, "game_date", day("2024-01-15"));
  t.set(r, "game_id", "20240115_LAL_BOS");
  t.set(r, "team", team);
  t.set(r, "player_lookup", lookup);
  t.set(r, "injury_status", status);
  t.set(r, "reason", std::string("Injury/Illness - ") + lookup);
  if (confidence) t.set(r, "confidence_score", *confidence);
  t.set(r, "processed_at", std::string(report_date) + "T18:00:00Z");
}

inline Table fixture_injuries() {
  Table t(catalog::get("nba_raw.nbac_injury_report"));
  injury_row(t, "2024-01-14", 17, "jaylenbrown", "BOS", "questionable");
  injury_row(t, "2024-01-14", 17, "kristapsporzingis", "BOS", "questionable");
  injury_row(t, "2024-01-15", 12, "kristapsporzingis", "BOS", "out");
  injury_row(t, "2024-01-15", 12, "benchguy", "BOS", "out", 0.5);
  injury_row(t, "2024-01-15", 12, "samhauser", "Boston Celtics", "Doubtful");
  injury_row(t, "2024-01-15", 12, "lebronjames", "LAL", "probable");
  return t;
}

/// A report issued after D about D's game (not pre-game): must be ignored.
inline void add_late_injury(Table& t) { injury_row(t, "2024-01-16", 9, "lebronjames", "LAL", "out"); }

/// Sets every still-NULL required column (the warehouse rejects NULLs there) to
/// a dummy value.
inline void fill_required(Table& t) {
  for (size_t c = 0; c < t.num_columns(); ++c) {
    if (!t.def(c).required) continue;
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (!t.col(c).is_null(r)) continue;
      switch (t.col(c).storage()) {
        case Storage::kInt:
          t.col(c).set_int(r, int64_t{0});
          break;
        case Storage::kReal:
          t.col(c).set_real(r, 0.0);
          break;
        case Storage::kText:
          t.col(c).set_text(r, "x");
          break;
      }
    }
  }
}

/// Every cell of every row as text, for whole-output equality.
inline std::vector<std::string> all_cells(const Table& t) {
  std::vector<std::string> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    for (size_t c = 0; c < t.num_columns(); ++c) out.push_back(t.column_names()[c] + "=" + t.cell_text(r, c));
  }
  return out;
}

}  // namespace nbaprops::testing
