#pragma once
// Row-by-row equality of two tables (every cell as text), for idempotence and point-in-time tests.
#include <gtest/gtest.h>

#include "nbaprops/core/table.hpp"

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

}  // namespace nbaprops::testing
