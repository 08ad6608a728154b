#include "nbaprops/processors/precompute/zone_common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nbaprops/processors/common.hpp"

namespace nbaprops::precompute {

Completeness make_completeness(int64_t expected, int64_t actual) {
  Completeness c;
  c.expected = expected;
  c.actual = actual;
  c.pct = expected > 0 ? proc::py_round(static_cast<double>(actual) / static_cast<double>(expected) * 100.0, 1) : 0.0;
  c.missing = expected > actual ? expected - actual : 0;
  c.production_ready = c.pct >= kProductionReadyPct;
  return c;
}

void write_completeness(Table& t, size_t row, const Completeness& c) {
  t.set(row, "expected_games_count", c.expected);
  t.set(row, "actual_games_count", c.actual);
  t.set(row, "completeness_percentage", c.pct);
  t.set(row, "missing_games_count", c.missing);
  t.set(row, "is_production_ready", c.production_ready);
  t.set(row, "data_quality_issues", "[]");
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

std::string precompute_data_hash(const Table& t, size_t row, const std::vector<std::string>& fields) {
  std::vector<std::string> items;
  items.reserve(fields.size());
  for (const auto& f : fields) {
    const size_t c = t.require(f);
    std::string value;
    if (t.col(c).is_null(row)) {
      value = "NULL";
    } else if (t.def(c).type == ColumnType::kBool) {
      value = t.col(c).int_at(row) ? "True" : "False";
    } else {
      value = t.cell_text(row, c);  // ints, Python float repr, ISO dates, text
      if (storage_of(t.def(c).type) == Storage::kText) {
        const auto b = value.find_first_not_of(" \t\n\r\f\v");
        const auto e = value.find_last_not_of(" \t\n\r\f\v");
        value = b == std::string::npos ? std::string() : value.substr(b, e - b + 1);
      }
    }
    items.push_back(f + ":" + value);
  }
  std::sort(items.begin(), items.end());
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) joined += '|';
    joined += items[i];
  }
  return sha256_hex(joined).substr(0, 16);
}

void fill_precompute_hash(Table& t, const std::vector<std::string>& fields) {
  const size_t h = t.require("data_hash");
  for (size_t r = 0; r < t.num_rows(); ++r) t.col(h).set_text(r, precompute_data_hash(t, r, fields));
}

std::string pct_text(double pct) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", pct);
  return buf;
}

}  // namespace nbaprops::precompute
