// UpstreamRead: the window of dates a declared read reaches (used by the runner, pre-flight, the
// run's cache and the read enforcement of proc::read_window).
#include <algorithm>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops {

int UpstreamRead::lookback_days() const noexcept {
  switch (kind) {
    case WindowKind::kSameDate:
      return 0;
    case WindowKind::kDaysBefore:
    case WindowKind::kDaysThrough:
      return n;
    case WindowKind::kSeasonToDate:
      return 400;
    case WindowKind::kLastGames:
      return std::max(30, n * 6);  // N games span at most ~6 days each
  }
  return 0;
}

DateRange UpstreamRead::window(const Schedule& schedule, Date d) const {
  Date from = d - lookback_days();
  if (kind == WindowKind::kLastGames || kind == WindowKind::kSeasonToDate) {
    if (auto start = schedule.season_start(season_of(d)); start && *start > from) from = *start;
  }
  return DateRange{from, includes_same_date() ? d : d - 1};
}

}  // namespace nbaprops
