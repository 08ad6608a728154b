#pragma once
// Table lookups and row-by-row equality for the C++ tests (idempotence, point
// in time, golden rows).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "nbaprops/core/table.hpp"
#include "nbaprops/processors/processor.hpp"

namespace nbaprops::testing {

inline void expect_same_rows(const Table& a, const Table& b) {
  ASSERT_EQ(a.num_rows(), b.num_rows());
  ASSERT_EQ(a.num_columns(), b.num_columns());
  for (size_t r = 0; r < a.num_rows(); ++r) {
    for (size_t c = 0; c < a.num_columns(); ++c) {
      EXPECT_EQ(a.cell_text(r, c), b.cell_text(r, c)) << a.column_names()[c] << " row " << r;
    }
  }
}

/// First row whose text column @p column equals @p value.
inline std::optional<size_t> find_row(const Table& t, std::string_view column, std::string_view value) {
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (t.get_text(r, column) == value) return r;
  }
  return std::nullopt;
}

/// As find_row(), for a row the test expects: a missing row is a test failure
/// (and returns 0).
inline size_t row_with(const Table& t, std::string_view column, std::string_view value) {
  if (auto r = find_row(t, column, value)) return *r;
  ADD_FAILURE() << "no row with " << column << " = " << value;
  return 0;
}

/// The entity failure reported for @p entity, or nullptr.
inline const EntityFailure* failure_of(const UnitOutput& out, std::string_view entity) {
  for (const auto& f : out.failures) {
    if (f.entity_id == entity) return &f;
  }
  return nullptr;
}

}  // namespace nbaprops::testing
