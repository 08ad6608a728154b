// The list of built-in processors. Explicit registration (no static initialisers) so that the
// static core library never loses a processor to the linker.
#include <mutex>

#include "nbaprops/pipeline/processor.hpp"
#include "nbaprops/processors/analytics/player_game_summary.hpp"
#include "nbaprops/processors/analytics/team_defense.hpp"
#include "nbaprops/processors/analytics/team_offense.hpp"

namespace nbaprops {

void register_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    registry::add(analytics::make_team_offense_processor());
    registry::add(analytics::make_team_defense_processor());
    registry::add(analytics::make_player_game_summary_processor());
  });
}

}  // namespace nbaprops
