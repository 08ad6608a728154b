// The list of built-in processors. Explicit registration (no static
// initialisers) so that the static core library never loses a processor to the
// linker. The registry orders them by the tables they read, so the order here
// is only the tie-break.
#include <mutex>

#include "nbaprops/processors/processor.hpp"
#include "nbaprops/processors/analytics/player_game_summary.hpp"
#include "nbaprops/processors/analytics/team_defense.hpp"
#include "nbaprops/processors/analytics/team_offense.hpp"
#include "nbaprops/processors/analytics/upcoming_player_context.hpp"
#include "nbaprops/processors/analytics/upcoming_team_context.hpp"
#include "nbaprops/processors/grading/prediction_accuracy.hpp"
#include "nbaprops/processors/grading/scoring_tier.hpp"
#include "nbaprops/processors/precompute/composite_factors.hpp"
#include "nbaprops/processors/precompute/daily_cache.hpp"
#include "nbaprops/processors/precompute/player_shot_zone.hpp"
#include "nbaprops/processors/precompute/team_defense_zone.hpp"
#include "nbaprops/processors/predictions/feature_store.hpp"
#include "nbaprops/processors/predictions/player_prop_predictions.hpp"

namespace nbaprops {

void register_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    registry::add(analytics::make_team_offense_processor());
    registry::add(analytics::make_team_defense_processor());
    registry::add(analytics::make_player_game_summary_processor());
    registry::add(analytics::make_upcoming_team_context_processor());
    registry::add(analytics::make_upcoming_player_context_processor());
    registry::add(precompute::make_team_defense_zone_processor());
    registry::add(precompute::make_player_shot_zone_processor());
    registry::add(precompute::make_composite_factors_processor());
    registry::add(precompute::make_daily_cache_processor());
    registry::add(predictions::make_feature_store_processor());
    registry::add(predictions::make_player_prop_predictions_processor());
    registry::add(grading::make_prediction_accuracy_processor());
    registry::add(grading::make_system_daily_performance_processor());
    registry::add(grading::make_scoring_tier_processor());
  });
}

}  // namespace nbaprops
