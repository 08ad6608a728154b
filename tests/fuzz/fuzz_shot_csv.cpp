// libFuzzer target: NBA.com shot-chart CSV → zones, team zones allowed,
// gamebook lines, games.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz_check.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/importers/importers.hpp"

using namespace nbaprops;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<importers::ShotChartImport> parsed;
  try {
    parsed = importers::parse_shot_chart(text, "fuzz.csv");
  } catch (const DataError&) {
    return 0;  // refused with a message: the expected answer to garbage
  }
  const importers::ShotChartImport& imp = *parsed;
  for (const Table* t : {&imp.player_zones, &imp.team_zones_allowed, &imp.gamebook}) fuzz::check_unique_keys(*t);
  for (const char* z : {"paint", "mid_range", "three_pt"}) {
    fuzz::check_makes(imp.player_zones, (std::string(z) + "_makes").c_str(), (std::string(z) + "_attempts").c_str());
  }
  fuzz::check_makes(imp.gamebook, "field_goals_made", "field_goals_attempted");
  fuzz::check_makes(imp.gamebook, "three_pointers_made", "three_pointers_attempted");
  fuzz::check_range(imp.gamebook, "field_goals_attempted", 0, 100);
  if (imp.player_zones.num_rows() != imp.gamebook.num_rows()) fuzz::broken("zones and gamebook row counts differ");
  return 0;
}
