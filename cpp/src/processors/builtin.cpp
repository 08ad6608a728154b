// The list of built-in processors. Explicit registration (no static initialisers) so that the
// static core library never loses a processor to the linker.
#include <mutex>

#include "nbaprops/pipeline/processor.hpp"
#include "nbaprops/processors/analytics/team_offense.hpp"
#include "nbaprops/processors/analytics/upcoming_player_context.hpp"
#include "nbaprops/processors/analytics/upcoming_team_context.hpp"

namespace nbaprops {

void register_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    registry::add(analytics::make_team_offense_processor());
    registry::add(analytics::make_upcoming_team_context_processor());
    registry::add(analytics::make_upcoming_player_context_processor());
  });
}

}  // namespace nbaprops
