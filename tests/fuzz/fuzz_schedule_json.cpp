// libFuzzer target: NBA.com schedule API JSON → games.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_check.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/schedule/schedule.hpp"

using namespace nbaprops;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  importers::ScheduleImport imp;
  try {
    imp = importers::parse_nbacom_schedule(text, "fuzz.json");
  } catch (const DataError&) {
    return 0;
  }
  std::set<std::string> ids;
  for (const Game& g : imp.games) {
    if (!ids.insert(g.nba_game_id).second) fuzz::broken("duplicate gameId " + g.nba_game_id);
    if (!is_nba_tricode(g.home) || !is_nba_tricode(g.away)) fuzz::broken("non-NBA team kept");
    for (const auto& s : {g.home_score, g.away_score}) {
      if (s && (*s < 0 || *s > 250)) fuzz::broken("score out of range");
    }
  }
  const Table rows = Schedule(imp.games).to_table();  // the rows an import would write
  fuzz::check_unique_keys(rows);
  return 0;
}
