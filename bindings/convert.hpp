#pragma once
// Columns -> Python: whole numpy columns ready for pandas, no per-row Python.
// A read produces one FramePart per date slice (decoded natively, in parallel,
// without the GIL); frame_to_python allocates the numpy arrays with the GIL
// held, releases it to fill them (one TBB task per column), and creates Python
// str objects once per distinct text value, never per row.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/table.hpp"

namespace nbaprops::py {
namespace pyb = pybind11;

/// How text columns come out.
enum class TextMode {
  kCategory,  ///< STRING columns as pandas categoricals (sorted categories),
              ///< except hashes
              ///< (`*_hash`, distinct per row); TIMESTAMP/JSON/ARRAY and hashes
              ///< as str objects
  kObject,    ///< every text column as a numpy object array of str / None
};

/// The text values of one column slice and each row's code (-1 for NULL).
/// Values are deduplicated while that pays; a column whose values are mostly
/// distinct (hashes) stops hashing and keeps one entry per row (values() may
/// then repeat a value).
class TextDictionary {
 public:
  /// Appends a row holding @p v (copied into the dictionary's arena).
  void add(std::string_view v);
  /// Appends a NULL row.
  void add_null() { codes_.push_back(-1); }
  [[nodiscard]] const std::vector<int32_t>& codes() const noexcept { return codes_; }
  [[nodiscard]] const std::vector<std::string_view>& values() const noexcept { return values_; }

 private:
  std::string_view keep(std::string_view v);

  std::vector<std::unique_ptr<char[]>> blocks_;  // arena: stable addresses for the views below
  size_t block_size_ = 0, block_used_ = 0;
  std::vector<std::string_view> values_;
  std::unordered_map<std::string_view, int32_t> index_;
  std::vector<int32_t> codes_;
  int32_t last_ = -1;   // the previous row's code: reads repeat values in runs
  bool plain_ = false;  // mostly distinct: no more hashing
};

/// One column of one slice: numbers in their storage, text dictionary-encoded.
struct ColumnPart {
  std::vector<int64_t> ints;   ///< INT64, BOOL (0/1), DATE (days since 1970-01-01)
  std::vector<double> reals;   ///< FLOAT64, NUMERIC
  std::vector<uint8_t> valid;  ///< 1 = value, 0 = NULL (numbers; text NULLs are code -1)
  TextDictionary text;         ///< STRING, TIMESTAMP, JSON, ARRAY
};

/// Consecutive rows of a read (one date slice), column by column in projection
/// order.
struct FramePart {
  std::vector<ColumnPart> columns;
  size_t rows = 0;
};

/// @p v as a Python str: invalid UTF-8 (a file's byte quoted in a message or
/// report) written as \xNN (backslashreplace, as the error boundary does),
/// never a UnicodeDecodeError. Every report, summary and reason the bindings
/// return goes through it.
pyb::str text(std::string_view v);

/// The columns of @p t as a FramePart (any backend's Table, via its public
/// accessors).
FramePart part_from_table(const Table& t);

/// How frame_to_python orders the rows of the parts.
struct RowOrder {
  /// Columns (indexes into the parts' columns) to sort by, in priority order:
  /// the partition date, then the key. Empty: the parts are already in order
  /// (concatenated as they are).
  std::vector<size_t> sort_by;
  /// How many leading columns of the parts are output; the others were read
  /// only to sort.
  size_t outputs = 0;
};

/// The rows of @p parts, concatenated (and sorted by @p order, NULLs first,
/// ties in read order), as
/// {"table", "rows", "columns": [names], "types": [type names], "data": {name:
/// (kind, ...)}} with
///   ("int", int64 values, bool NA-mask)      INT64
///   ("bool", bool values, bool NA-mask)      BOOL
///   ("date", datetime64[ns] values)          DATE (NaT for NULL)
///   ("real", float64 values)                 FLOAT64 / NUMERIC (NaN for NULL)
///   ("category", int32 codes, [str])         STRING in TextMode::kCategory
///   (code -1 for NULL)
///   ("object", object values)                other text (None for NULL)
/// @param defs the definitions of the parts' columns, in order (outputs first).
/// Must be called with the GIL held; releases it while sorting and filling.
pyb::dict frame_to_python(const TableSchema& schema, const std::vector<const ColumnDef*>& defs,
                          std::vector<FramePart>& parts, const RowOrder& order, TextMode text);

}  // namespace nbaprops::py
