#pragma once
/// @file teams.hpp
/// Static facts about the 30 NBA teams nbaprops owns: NBA.com team id, name,
/// arena location and time zone (the arena location table behind travel
/// distances).

#include <optional>
#include <string>
#include <vector>

namespace nbaprops {

/// One team and its home arena.
struct TeamInfo {
  std::string tricode;
  long long nba_team_id;
  std::string city;
  std::string name;  ///< nickname, e.g. "Celtics"
  std::string arena;
  double latitude;
  double longitude;
  std::string timezone;  ///< IANA zone of the arena
};

/// @return the 30 teams, alphabetical by tricode. Thread-safe.
const std::vector<TeamInfo>& teams();
/// @return the team with @p tricode, or nullptr.
const TeamInfo* find_team(const std::string& tricode);
/// Great-circle distance between two arenas in miles (haversine, R = 3959 mi),
/// rounded to the nearest mile as the legacy travel matrix did. @return 0 for
/// the same team, nullopt for unknown.
std::optional<int> travel_miles(const std::string& from, const std::string& to);

}  // namespace nbaprops
