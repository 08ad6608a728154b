#pragma once
// Shared by the fuzz targets: invariant checks that abort (a libFuzzer crash) when broken.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nbaprops/core/table.hpp"
#include "nbaprops/importers/validate.hpp"

namespace nbaprops::fuzz {

[[noreturn]] inline void broken(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

/// The table's key columns are unique (an importer must never emit duplicate keys).
inline void check_unique_keys(const Table& t) {
  try {
    importers::require_unique_keys(t, "fuzz");
  } catch (const std::exception& e) {
    broken(e.what());
  }
}

/// Every non-NULL value of @p col lies within [lo, hi].
inline void check_range(const Table& t, const char* col, double lo, double hi) {
  const int i = t.index_of(col);
  if (i < 0) return;
  const Column& c = t.col(static_cast<size_t>(i));
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (c.is_null(r)) continue;
    const double v = c.storage() == Storage::kReal ? c.real_at(r) : static_cast<double>(c.int_at(r));
    if (!(v >= lo && v <= hi)) broken(t.schema().name + "." + col + " = " + std::to_string(v));
  }
}

/// makes ≤ attempts wherever both are present.
inline void check_makes(const Table& t, const char* makes, const char* attempts) {
  if (t.index_of(makes) < 0 || t.index_of(attempts) < 0) return;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    auto m = t.get_int(r, makes), a = t.get_int(r, attempts);
    if (m && a && *m > *a) broken(t.schema().name + ": " + makes + " > " + attempts);
  }
}

}  // namespace nbaprops::fuzz
