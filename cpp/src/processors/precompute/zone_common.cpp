#include "nbaprops/processors/precompute/zone_common.hpp"

#include <cmath>
#include <cstdio>

#include "nbaprops/processors/common.hpp"

namespace nbaprops::precompute {

Completeness make_completeness(int64_t expected, int64_t actual) {
  Completeness c;
  c.expected = expected;
  c.actual = actual;
  c.pct = expected > 0 ? proc::py_round(static_cast<double>(actual) / static_cast<double>(expected) * 100.0, 1)
                       : 0.0;
  c.missing = expected > actual ? expected - actual : 0;
  c.production_ready = c.pct >= kProductionReadyPct;
  return c;
}

double np_round(double x, int digits) {
  double scale = std::pow(10.0, digits);
  double v = std::nearbyint(x * scale) / scale;
  return v == 0.0 ? 0.0 : v;
}

bool is_season_boundary(Date d) {
  int m = d.month();
  return m == 10 || m == 11 || m == 4;
}

std::string pct_text(double pct) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", pct);
  return buf;
}

}  // namespace nbaprops::precompute
