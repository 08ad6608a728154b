// libFuzzer target: balldontlie box-score JSON → nba_raw.bdl_player_boxscores.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/importers/importers.hpp"

using namespace nbaprops;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Table t(catalog::get("nba_raw.bdl_player_boxscores"));
  try {
    t = importers::parse_bdl_box_scores(text, "fuzz.json");
  } catch (const DataError&) {
    return 0;
  }
  fuzz::check_unique_keys(t);
  fuzz::check_range(t, "points", 0, 120);
  for (const char* c : {"assists", "rebounds", "steals", "blocks", "turnovers", "field_goals_attempted"}) {
    fuzz::check_range(t, c, 0, 100);
  }
  fuzz::check_range(t, "field_goal_pct", 0, 1);
  fuzz::check_range(t, "home_team_score", 0, 250);
  fuzz::check_makes(t, "field_goals_made", "field_goals_attempted");
  fuzz::check_makes(t, "three_pointers_made", "three_pointers_attempted");
  fuzz::check_makes(t, "free_throws_made", "free_throws_attempted");
  fuzz::check_makes(t, "three_pointers_made", "field_goals_made");
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (auto m = t.get_text(r, "minutes")) {
      try {
        importers::parse_minutes(importers::RowRef("fuzz", "row"), "minutes", *m);
      } catch (const DataError& e) {
        fuzz::broken(std::string("stored minutes do not parse: ") + e.what());
      }
    }
  }
  return 0;
}
