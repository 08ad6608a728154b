#include "nbaprops/schedule/schedule.hpp"

#include <algorithm>
#include <set>

#include "nbaprops/core/error.hpp"

namespace nbaprops {

const char* to_string(GameType t) noexcept {
  switch (t) {
    case GameType::kPreseason:
      return "preseason";
    case GameType::kRegularSeason:
      return "regular_season";
    case GameType::kAllStar:
      return "all_star_special";
    case GameType::kPlayIn:
      return "play_in";
    case GameType::kPlayoff:
      return "playoff";
  }
  return "regular_season";
}

const char* to_string(GameStatus s) noexcept {
  switch (s) {
    case GameStatus::kScheduled:
      return "scheduled";
    case GameStatus::kLive:
      return "live";
    case GameStatus::kFinal:
      return "final";
    case GameStatus::kPostponed:
      return "postponed";
  }
  return "scheduled";
}

GameType parse_game_type(const std::string& s) {
  for (auto t :
       {GameType::kPreseason, GameType::kRegularSeason, GameType::kAllStar, GameType::kPlayIn, GameType::kPlayoff}) {
    if (s == to_string(t)) return t;
  }
  throw ConfigError("unknown game type '" + s + "'");
}

std::string Game::date_id() const { return date.compact() + "_" + away + "_" + home; }

bool Game::counts() const noexcept {
  return status != GameStatus::kPostponed &&
         (type == GameType::kRegularSeason || type == GameType::kPlayIn || type == GameType::kPlayoff);
}

const std::string& Game::opponent_of(const std::string& team) const {
  static const std::string none;
  if (team == home) return away;
  if (team == away) return home;
  return none;
}

const std::vector<std::string>& nba_tricodes() {
  static const std::vector<std::string> codes = {"ATL", "BOS", "BKN", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW",
                                                 "HOU", "IND", "LAC", "LAL", "MEM", "MIA", "MIL", "MIN", "NOP", "NYK",
                                                 "OKC", "ORL", "PHI", "PHX", "POR", "SAC", "SAS", "TOR", "UTA", "WAS"};
  return codes;
}

bool is_nba_tricode(const std::string& code) {
  const auto& c = nba_tricodes();
  return std::find(c.begin(), c.end(), code) != c.end();
}

std::optional<Date> legacy_season_start(int season) {
  switch (season) {
    case 2021:
      return Date::from_ymd(2021, 10, 19);
    case 2022:
      return Date::from_ymd(2022, 10, 18);
    case 2023:
      return Date::from_ymd(2023, 10, 24);
    case 2024:
      return Date::from_ymd(2024, 10, 22);
    default:
      return std::nullopt;
  }
}

Schedule::Schedule(std::vector<Game> games) : games_(std::move(games)) {
  std::sort(games_.begin(), games_.end(), [](const Game& a, const Game& b) {
    if (a.date != b.date) return a.date < b.date;
    return a.nba_game_id < b.nba_game_id;
  });
  for (size_t i = 0; i < games_.size(); ++i) {
    const Game& g = games_[i];
    by_date_[g.date].push_back(i);
    if (g.type == GameType::kRegularSeason && g.status != GameStatus::kPostponed) {
      auto it = season_start_.find(g.season);
      if (it == season_start_.end() || g.date < it->second) season_start_[g.season] = g.date;
    }
    if (g.counts()) {
      auto it = season_end_.find(g.season);
      if (it == season_end_.end() || it->second < g.date) season_end_[g.season] = g.date;
    }
  }
}

std::vector<int> Schedule::seasons() const {
  std::set<int> s;
  for (const auto& g : games_) s.insert(g.season);
  return {s.begin(), s.end()};
}

std::vector<Date> Schedule::game_dates(DateRange range) const {
  std::vector<Date> out;
  for (auto it = by_date_.lower_bound(range.start); it != by_date_.end() && it->first <= range.end; ++it) {
    for (size_t i : it->second) {
      if (games_[i].counts()) {
        out.push_back(it->first);
        break;
      }
    }
  }
  return out;
}

std::vector<const Game*> Schedule::games_on(Date d) const {
  std::vector<const Game*> out;
  auto it = by_date_.find(d);
  if (it == by_date_.end()) return out;
  for (size_t i : it->second) {
    if (games_[i].counts()) out.push_back(&games_[i]);
  }
  return out;
}

std::vector<const Game*> Schedule::all_games_on(Date d) const {
  std::vector<const Game*> out;
  auto it = by_date_.find(d);
  if (it == by_date_.end()) return out;
  for (size_t i : it->second) out.push_back(&games_[i]);
  return out;
}

std::vector<const Game*> Schedule::team_games_before(const std::string& team, Date d, int season) const {
  std::vector<const Game*> out;
  for (const auto& g : games_) {
    if (g.date >= d) break;
    if (g.season == season && g.counts() && (g.home == team || g.away == team)) out.push_back(&g);
  }
  return out;
}

std::vector<Date> Schedule::off_days(DateRange range) const {
  std::vector<Date> out;
  auto dates = game_dates(range);
  std::set<Date> s(dates.begin(), dates.end());
  for (Date d = range.start; d <= range.end; d = d + 1) {
    if (!s.count(d)) out.push_back(d);
  }
  return out;
}

std::optional<Date> Schedule::season_start(int season) const {
  auto it = season_start_.find(season);
  if (it != season_start_.end()) return it->second;
  return legacy_season_start(season);
}

std::optional<Date> Schedule::season_end(int season) const {
  auto it = season_end_.find(season);
  if (it != season_end_.end()) return it->second;
  return std::nullopt;
}

bool Schedule::is_bootstrap(Date d) const {
  auto start = season_start(season_of(d));
  if (!start) return false;
  int32_t offset = d - *start;
  return offset >= 0 && offset < kBootstrapDays;
}

}  // namespace nbaprops
