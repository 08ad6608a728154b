#pragma once
/// @file zone_common.hpp
/// Helpers shared by the Phase 4 zone processors (TDZA, PSZA): the completeness
/// block, numpy-style rounding and the season-boundary rule (legacy spec
/// legacy-tdza-psza.md §0).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::precompute {

using proc::kProductionReadyPct;

/// The legacy completeness block (spec §0.3) for one entity.
struct Completeness {
  int64_t expected = 0;           ///< games the schedule says should exist
  int64_t actual = 0;             ///< games found upstream
  double pct = 0.0;               ///< actual / expected × 100, 1 dp (0 when expected is 0;
                                  ///< may exceed 100)
  int64_t missing = 0;            ///< max(0, expected − actual)
  bool production_ready = false;  ///< pct ≥ kProductionReadyPct
};

/// @return the completeness block of @p actual games out of @p expected.
Completeness make_completeness(int64_t expected, int64_t actual);
/// Writes @p c to the row's expected/actual/missing games,
/// completeness_percentage and is_production_ready columns, with no
/// data-quality issues ("[]").
void write_completeness(Table& t, size_t row, const Completeness& c);

/// numpy/pandas rounding as observed in the legacy data: nearbyint(x · 10^d) /
/// 10^d (ties to even on the scaled product; 0.2875 → 0.288 at 3 dp, where
/// Python's round gives 0.287). No negative zero.
double np_round(double x, int digits);
/// np_round for an optional value.
inline std::optional<double> np_round(std::optional<double> x, int digits) {
  if (!x) return std::nullopt;
  return np_round(*x, digits);
}

/// Legacy `is_season_boundary`: the analysis month is October, November or
/// April.
bool is_season_boundary(Date d);

/// The Phase 4 base-class data_hash (spec §0.6): "field:value" per field (NULL
/// as `NULL`, numbers as Python str, strings stripped, booleans True/False),
/// sorted, joined with '|', SHA-256, first 16 hex. (Phase 3 tables use the JSON
/// form of nbaprops::data_hash.)
std::string precompute_data_hash(const Table& t, size_t row, const std::vector<std::string>& fields);
/// Sets the data_hash column of every row of @p t with precompute_data_hash.
void fill_precompute_hash(Table& t, const std::vector<std::string>& fields);

/// "90.0"-style rendering of a percentage with one decimal, as Python prints a
/// float rounded to 1 dp.
std::string pct_text(double pct);

}  // namespace nbaprops::precompute
