#pragma once
// A unit's rows as a table SQLite reads (private to the warehouse).
//
// A write binds each row's values to an INSERT's parameters and steps it: per
// row, one API call per value, the statement's set-up, halt and reset. Here
// SQLite pulls the rows instead, through the table-valued function
// nbaprops_rows(?1) with a RowSource bound to ?1 (sqlite3_bind_pointer): one
// INSERT … SELECT, or one UPDATE whose subquery takes the next row for each
// stored row it visits (pair_in_rowid_order), writes every row of a
// partition. Measured under callgrind on a rerun of a real season's PSZA and
// TDZA (58,881 rows of 46–48 columns, one worker): the commits' seconds fell
// 12 % against binding 16-row INSERTs and one UPDATE per row (2 % of all the
// run's instructions); SQLite's VM does more, the binding calls and
// per-statement set-up, halt and reset it replaces cost more still. A column
// of one value in every row is bound once instead (constant_columns,
// bind_first): 18 % fewer instructions in those commits again (session 61).

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "nbaprops/core/table.hpp"

namespace nbaprops::sqlite_detail {

/// The columns nbaprops_rows declares: rid, c0 … c{kRowSourceColumns - 1},
/// and the hidden argument. A table of more columns is written with an error.
inline constexpr size_t kRowSourceColumns = 1000;

/// Rows order[begin], …, order[end - 1] of a Table, read by SQLite through
/// nbaprops_rows. Column c{i} is the Table's column i (NULL past its last),
/// with the value a bound parameter would have: an integer, a real, text, or a
/// date's ISO text. Column rid is the stored rowid paired with the row
/// (pair_in_rowid_order), NULL without one. Lives while the statement that reads it
/// steps; the Table must not change meanwhile (text is read in place).
class RowSource {
 public:
  RowSource(const Table& rows, const std::vector<size_t>& order, size_t begin, size_t end);

  /// Pairs the range's rows, in order, with the stored rows an UPDATE visits
  /// in rowid order: `WHERE rid = <rowid>` answers the next row of the range
  /// for each stored rowid above the last one paired, so that the k-th
  /// stored row (by rowid) takes the k-th row. A rowid visited out of order,
  /// or one more than the range has rows, is an error (pair_next): nothing is
  /// ever paired by a guess.
  void pair_in_rowid_order() {
    pairing_ = true;
    rowids_.reserve(end_ - begin_);
  }
  /// How many rows are paired so far.
  [[nodiscard]] size_t paired() const { return next_ - begin_; }
  /// Whether pair_next was asked for a row after the last one (the UPDATE
  /// found more stored rows than the range has).
  [[nodiscard]] bool ran_out() const { return ran_out_; }
  /// Makes the read of range position @p k (and after) fail, as a write
  /// failure injected after @p k rows; negative: never.
  void fail_at(int64_t k) { fail_at_ = k < 0 ? INT64_MAX : k; }
  /// The position whose read failed by fail_at, or -1.
  [[nodiscard]] int64_t failed_at() const { return failed_at_; }

  /// The pointer type nbaprops_rows accepts (sqlite3_bind_pointer).
  static constexpr const char* kPointerType = "nbaprops.RowSource";

  // Used by the module's callbacks (sqlite_row_source.cpp).
  [[nodiscard]] size_t begin() const { return begin_; }
  [[nodiscard]] size_t end() const { return end_; }
  /// The range position paired with stored rowid @p rowid (the next one), or
  /// end() when pairing is off, the rows are all paired, or @p rowid is not
  /// above the last rowid paired.
  [[nodiscard]] size_t pair_next(int64_t rowid);
  /// False (failed_at() set) when the read of position @p k is to fail.
  bool enter(size_t k);
  /// Sets @p ctx to column @p c of position @p k (c past the last: NULL).
  void result(sqlite3_context* ctx, size_t k, size_t c);

  /// Per column: 1 when every row of the range holds the same value (NULL in
  /// all of them included), so that a statement can take it once, as a bound
  /// parameter (bind_first), instead of reading it from every row. Values are
  /// the same when result() would give the same: equal integers or days,
  /// reals of the same bits, equal texts. A range of fewer than @p min_rows
  /// rows (at least 2) has none.
  [[nodiscard]] std::vector<uint8_t> constant_columns(size_t min_rows) const;
  /// Binds what result() gives for column @p c at the range's first position
  /// to parameter @p p of @p st (text bound in place: this source outlives
  /// the statement's step).
  void bind_first(sqlite3_stmt* st, int p, size_t c);
  void result_rid(sqlite3_context* ctx, size_t k) const;

 private:
  enum class Kind : uint8_t { kInt, kReal, kText, kDate };
  struct Col {
    const uint8_t* valid;
    const int64_t* ints;
    const double* reals;
    const std::string* const* texts;
    Kind kind;
  };
  /// The ISO text of day @p day, formatted once per source; it stays where it
  /// is while the source lives (map nodes do not move), so SQLite reads it in
  /// place.
  const std::string& iso_of(int64_t day);
  /// Hands the value of @p col in Table row @p r to the overload of @p out
  /// for its kind: std::nullptr_t (NULL), int64_t, double, or std::string_view
  /// (text, and a date's ISO text, alive while this source is). result() and
  /// bind_first() give SQLite the same value this way.
  template <class Out>
  void give(const Col& col, size_t r, const Out& out);

  const Table& rows_;
  const std::vector<size_t>& order_;
  size_t begin_, end_;
  std::vector<Col> cols_;
  bool pairing_ = false;
  bool ran_out_ = false;
  size_t next_;                  ///< pair_next: the next position to pair
  std::vector<int64_t> rowids_;  ///< the rowids paired, by position from begin_
  int64_t fail_at_ = INT64_MAX;
  int64_t failed_at_ = -1;
  std::unordered_map<int64_t, std::string> iso_;
  int64_t last_day_ = INT64_MIN;
  const std::string* last_iso_ = nullptr;
};

/// Registers nbaprops_rows on connection @p db.
/// @throws StorageError when SQLite refuses.
void register_row_source(sqlite3* db);

/// Checks that nbaprops_rows can carry @p n columns of table @p table.
/// @throws ConfigError when @p n exceeds kRowSourceColumns.
void require_row_source_columns(size_t n, const std::string& table);

}  // namespace nbaprops::sqlite_detail
