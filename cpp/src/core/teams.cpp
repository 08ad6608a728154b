#include "nbaprops/core/teams.hpp"

#include <cmath>

namespace nbaprops {

const std::vector<TeamInfo>& teams() {
  static const std::vector<TeamInfo> t = {
      {"ATL", 1610612737, "Atlanta", "Hawks", "State Farm Arena", 33.7573, -84.3963, "America/New_York"},
      {"BKN", 1610612751, "Brooklyn", "Nets", "Barclays Center", 40.6826, -73.9754, "America/New_York"},
      {"BOS", 1610612738, "Boston", "Celtics", "TD Garden", 42.3662, -71.0621, "America/New_York"},
      {"CHA", 1610612766, "Charlotte", "Hornets", "Spectrum Center", 35.2251, -80.8392, "America/New_York"},
      {"CHI", 1610612741, "Chicago", "Bulls", "United Center", 41.8807, -87.6742, "America/Chicago"},
      {"CLE", 1610612739, "Cleveland", "Cavaliers", "Rocket Arena", 41.4965, -81.6882, "America/New_York"},
      {"DAL", 1610612742, "Dallas", "Mavericks", "American Airlines Center", 32.7905, -96.8103, "America/Chicago"},
      {"DEN", 1610612743, "Denver", "Nuggets", "Ball Arena", 39.7487, -105.0077, "America/Denver"},
      {"DET", 1610612765, "Detroit", "Pistons", "Little Caesars Arena", 42.3411, -83.0553, "America/Detroit"},
      {"GSW", 1610612744, "Golden State", "Warriors", "Chase Center", 37.7680, -122.3877, "America/Los_Angeles"},
      {"HOU", 1610612745, "Houston", "Rockets", "Toyota Center", 29.7508, -95.3621, "America/Chicago"},
      {"IND", 1610612754, "Indiana", "Pacers", "Gainbridge Fieldhouse", 39.7640, -86.1555,
       "America/Indiana/Indianapolis"},
      {"LAC", 1610612746, "LA", "Clippers", "Intuit Dome", 33.9447, -118.3415, "America/Los_Angeles"},
      {"LAL", 1610612747, "Los Angeles", "Lakers", "Crypto.com Arena", 34.0430, -118.2673, "America/Los_Angeles"},
      {"MEM", 1610612763, "Memphis", "Grizzlies", "FedExForum", 35.1382, -90.0506, "America/Chicago"},
      {"MIA", 1610612748, "Miami", "Heat", "Kaseya Center", 25.7814, -80.1870, "America/New_York"},
      {"MIL", 1610612749, "Milwaukee", "Bucks", "Fiserv Forum", 43.0451, -87.9172, "America/Chicago"},
      {"MIN", 1610612750, "Minnesota", "Timberwolves", "Target Center", 44.9795, -93.2760, "America/Chicago"},
      {"NOP", 1610612740, "New Orleans", "Pelicans", "Smoothie King Center", 29.9490, -90.0821, "America/Chicago"},
      {"NYK", 1610612752, "New York", "Knicks", "Madison Square Garden", 40.7505, -73.9934, "America/New_York"},
      {"OKC", 1610612760, "Oklahoma City", "Thunder", "Paycom Center", 35.4634, -97.5151, "America/Chicago"},
      {"ORL", 1610612753, "Orlando", "Magic", "Kia Center", 28.5392, -81.3839, "America/New_York"},
      {"PHI", 1610612755, "Philadelphia", "76ers", "Wells Fargo Center", 39.9012, -75.1720, "America/New_York"},
      {"PHX", 1610612756, "Phoenix", "Suns", "Footprint Center", 33.4457, -112.0712, "America/Phoenix"},
      {"POR", 1610612757, "Portland", "Trail Blazers", "Moda Center", 45.5316, -122.6668, "America/Los_Angeles"},
      {"SAC", 1610612758, "Sacramento", "Kings", "Golden 1 Center", 38.5802, -121.4997, "America/Los_Angeles"},
      {"SAS", 1610612759, "San Antonio", "Spurs", "Frost Bank Center", 29.4270, -98.4375, "America/Chicago"},
      {"TOR", 1610612761, "Toronto", "Raptors", "Scotiabank Arena", 43.6435, -79.3791, "America/Toronto"},
      {"UTA", 1610612762, "Utah", "Jazz", "Delta Center", 40.7683, -111.9011, "America/Denver"},
      {"WAS", 1610612764, "Washington", "Wizards", "Capital One Arena", 38.8982, -77.0209, "America/New_York"},
  };
  return t;
}

const TeamInfo* find_team(const std::string& tricode) {
  for (const auto& t : teams()) {
    if (t.tricode == tricode) return &t;
  }
  return nullptr;
}

std::optional<int> travel_miles(const std::string& from, const std::string& to) {
  const TeamInfo* a = find_team(from);
  const TeamInfo* b = find_team(to);
  if (!a || !b) return std::nullopt;
  if (a == b) return 0;
  constexpr double kEarthRadiusMiles = 3959.0;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  double dlat = (b->latitude - a->latitude) * kRad;
  double dlon = (b->longitude - a->longitude) * kRad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(a->latitude * kRad) * std::cos(b->latitude * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  double miles = 2 * kEarthRadiusMiles * std::asin(std::sqrt(h));
  return static_cast<int>(std::lround(miles));
}

}  // namespace nbaprops
