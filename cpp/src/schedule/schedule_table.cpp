// Conversion between Schedule and rows of nba_raw.nbac_schedule.
#include <chrono>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/teams.hpp"
#include "nbaprops/schedule/schedule.hpp"

namespace nbaprops {
namespace {

namespace sch = cols::nbac_schedule;

std::string season_label(int season) {
  int next = (season + 1) % 100;
  return std::to_string(season) + "-" + (next < 10 ? "0" : "") + std::to_string(next);
}

const char* weekday_name(Date d) {
  static const char* names[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
  return names[d.iso_weekday()];
}

}  // namespace

Table Schedule::to_table() const {
  const TableSchema& s = catalog::get("nba_raw.nbac_schedule");
  Table t(s);
  t.resize(games_.size());
  const std::string now = "1970-01-01T00:00:00Z";  // deterministic load stamp:
                                                   // reruns give identical rows
  for (size_t r = 0; r < games_.size(); ++r) {
    const Game& g = games_[r];
    const TeamInfo* home = find_team(g.home);
    const TeamInfo* away = find_team(g.away);
    t.set(r, sch::game_id, g.nba_game_id);
    t.set(r, sch::game_code, g.date.compact() + "/" + g.away + g.home);
    t.set(r, sch::season, season_label(g.season));
    t.set(r, sch::season_nba_format, season_label(g.season));
    t.set(r, sch::season_year, g.season);
    t.set(r, sch::game_date, g.date);
    int status = g.status == GameStatus::kFinal ? 3 : g.status == GameStatus::kLive ? 2 : 1;
    t.set(r, sch::game_status, status);
    t.set(r, sch::game_status_text,
          g.status == GameStatus::kPostponed ? "PPD"
          : g.status == GameStatus::kFinal   ? "Final"
                                             : "Scheduled");
    t.set(r, sch::home_team_id, static_cast<int64_t>(home ? home->nba_team_id : 0));
    t.set(r, sch::home_team_tricode, g.home);
    t.set(r, sch::home_team_name, home ? home->name : g.home);
    t.set(r, sch::away_team_id, static_cast<int64_t>(away ? away->nba_team_id : 0));
    t.set(r, sch::away_team_tricode, g.away);
    t.set(r, sch::away_team_name, away ? away->name : g.away);
    if (home) {
      t.set(r, sch::arena_name, home->arena);
      t.set(r, sch::arena_city, home->city);
      t.set(r, sch::arena_timezone, home->timezone);
    }
    t.set(r, sch::is_regular_season, g.type == GameType::kRegularSeason);
    t.set(r, sch::is_playoffs, g.type == GameType::kPlayoff || g.type == GameType::kPlayIn);
    t.set(r, sch::is_all_star, g.type == GameType::kAllStar);
    t.set(r, sch::is_emirates_cup, g.is_cup);
    if (g.type == GameType::kPlayIn) t.set(r, sch::playoff_round, "play_in");
    if (g.type == GameType::kPlayoff) t.set(r, sch::playoff_round, g.label.empty() ? "playoffs" : g.label);
    if (g.type == GameType::kPreseason) t.set(r, sch::time_slot, "preseason");
    t.set(r, sch::is_christmas, g.date.month() == 12 && g.date.day() == 25);
    t.set(r, sch::day_of_week, weekday_name(g.date));
    t.set(r, sch::is_weekend, g.date.iso_weekday() >= 6);
    if (g.home_score) t.set(r, sch::home_team_score, *g.home_score);
    if (g.away_score) t.set(r, sch::away_team_score, *g.away_score);
    if (g.home_score && g.away_score && g.status == GameStatus::kFinal) {
      t.set(r, sch::winning_team_tricode, *g.home_score > *g.away_score ? g.home : g.away);
    }
    t.set(r, sch::data_source, "nbaprops");
    t.set(r, sch::source_file_path, "nbaprops");
    t.set(r, sch::created_at, now);
    t.set(r, sch::processed_at, now);
  }
  return t;
}

const std::vector<std::string>& Schedule::table_columns() {
  static const std::vector<std::string> cols = {
      "game_id",     "game_date",        "season_year",       "home_team_tricode", "away_team_tricode",
      "is_all_star", "is_playoffs",      "is_regular_season", "playoff_round",     "is_emirates_cup",
      "game_status", "game_status_text", "home_team_score",   "away_team_score"};
  return cols;
}

Schedule Schedule::from_table(const Table& t) {
  const Column &id = t.col(sch::game_id), &date = t.col(sch::game_date), &season = t.col(sch::season_year),
               &home = t.col(sch::home_team_tricode), &away = t.col(sch::away_team_tricode),
               &all_star_col = t.col(sch::is_all_star), &playoffs_col = t.col(sch::is_playoffs),
               &regular_col = t.col(sch::is_regular_season), &round_col = t.col(sch::playoff_round),
               &cup = t.col(sch::is_emirates_cup), &status_col = t.col(sch::game_status),
               &status_text = t.col(sch::game_status_text), &home_score = t.col(sch::home_team_score),
               &away_score = t.col(sch::away_team_score);
  std::vector<Game> games;
  games.reserve(t.num_rows());
  auto need_text = [&](size_t r, const Column& c, const char* f) {
    auto v = c.get_text(r);
    if (!v || v->empty()) {
      throw DataError("nba_raw.nbac_schedule row " + std::to_string(r) + ": field " + f + " is empty");
    }
    return *v;
  };
  auto flag = [](const Column& c, size_t r) { return c.get_int(r).value_or(0) != 0; };
  for (size_t r = 0; r < t.num_rows(); ++r) {
    Game g;
    g.nba_game_id = need_text(r, id, "game_id");
    auto d = date.get_int(r);
    if (!d)
      throw DataError("nba_raw.nbac_schedule row " + std::to_string(r) + " (game " + g.nba_game_id +
                      "): game_date is NULL");
    g.date = Date(static_cast<int32_t>(*d));
    g.season = static_cast<int>(season.get_int(r).value_or(season_of(g.date)));
    g.home = need_text(r, home, "home_team_tricode");
    g.away = need_text(r, away, "away_team_tricode");
    const bool all_star = flag(all_star_col, r), playoffs = flag(playoffs_col, r), regular = flag(regular_col, r);
    std::string round = round_col.get_text(r).value_or("");
    if (all_star)
      g.type = GameType::kAllStar;
    else if (playoffs && round == "play_in")
      g.type = GameType::kPlayIn;
    else if (playoffs)
      g.type = GameType::kPlayoff;
    else if (regular)
      g.type = GameType::kRegularSeason;
    else
      g.type = GameType::kPreseason;
    if (g.type == GameType::kPlayoff) g.label = round;
    g.is_cup = flag(cup, r);
    int64_t status = status_col.get_int(r).value_or(1);
    std::string text = status_text.get_text(r).value_or("");
    if (text == "PPD" || text == "Postponed")
      g.status = GameStatus::kPostponed;
    else if (status == 3)
      g.status = GameStatus::kFinal;
    else if (status == 2)
      g.status = GameStatus::kLive;
    else
      g.status = GameStatus::kScheduled;
    if (auto v = home_score.get_int(r)) g.home_score = static_cast<int>(*v);
    if (auto v = away_score.get_int(r)) g.away_score = static_cast<int>(*v);
    games.push_back(std::move(g));
  }
  return Schedule(std::move(games));
}

}  // namespace nbaprops
