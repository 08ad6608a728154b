// The list of built-in processors. Explicit registration (no static initialisers) so that the
// static core library never loses a processor to the linker.
#include <mutex>

#include "nbaprops/pipeline/processor.hpp"
#include "nbaprops/processors/analytics/team_offense.hpp"
#include "nbaprops/processors/precompute/composite_factors.hpp"
#include "nbaprops/processors/precompute/daily_cache.hpp"
#include "nbaprops/processors/predictions/feature_store.hpp"

namespace nbaprops {

void register_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    registry::add(analytics::make_team_offense_processor());
    registry::add(precompute::make_composite_factors_processor());
    registry::add(precompute::make_daily_cache_processor());
    registry::add(predictions::make_feature_store_processor());
  });
}

}  // namespace nbaprops
