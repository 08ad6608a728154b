#pragma once
/// @file table.hpp
/// Columnar in-memory tables bound to a TableSchema: the currency between the
/// warehouse, loaders, processors and writers. Not thread-safe for concurrent
/// mutation; distinct rows of a preallocated table may be filled from different
/// TBB tasks (no reallocation happens in set_*).

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <tbb/scalable_allocator.h>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/schema.hpp"

namespace nbaprops {

/// Interned text: each distinct string is stored once and a text cell is a
/// pointer to it, so copying, slicing and caching rows never copies or
/// allocates strings; equal pointers ⇔ equal strings (except unique_cell
/// texts, below: equal strings may have two pointers). Thread-safe. Two
/// lifetimes:
/// - intern(): pinned, lives until the process ends. For constants and for
///   pointers kept outside tables beyond a run (statics, long-lived maps).
/// - intern_cell(): a cell's text, lives while anything may still hold it: a
///   text Column or a TextPoolUse, in any thread. Once none exists,
///   reclaim_cell_texts() frees it (a run calls it when it ends), so a
///   notebook that backfills season after season does not keep every text it
///   ever read. Call it only while this thread holds a text Column or a
///   TextPoolUse (Column::set_text does).
/// A text interned both ways is one entry, pinned. Audit: with the
/// environment variable NBAPROPS_TEXT_POOL_POISON=1 a reclaim overwrites cell
/// texts with "\x01reclaimed text (NBAPROPS_TEXT_POOL_POISON)" instead of
/// freeing them, so a pointer kept past its lifetime shows up in the output.
/// @return a pointer to the pooled copy of @p s.
const std::string* intern(std::string_view s);
/// @copydoc intern
const std::string* intern_cell(std::string_view s);
/// A cell text stored without looking for an equal one (no hashing, no index):
/// the lifetime of intern_cell, but an equal text elsewhere may have another
/// pointer. Only for per-row values that no code matches by pointer: row
/// hashes, row ids, JSON payloads (Column::set_unique_text).
const std::string* unique_cell(std::string_view s);

namespace text_pool_detail {
void add_holder() noexcept;  ///< waits while a reclaim runs
void drop_holder() noexcept;
}  // namespace text_pool_detail

/// Keeps cell texts alive without a Column: a run holds one for its whole
/// length (its carried state and maps keep text pointers between tables).
class TextPoolUse {
 public:
  TextPoolUse() noexcept { text_pool_detail::add_holder(); }
  ~TextPoolUse() { text_pool_detail::drop_holder(); }
  TextPoolUse(const TextPoolUse&) = delete;
  TextPoolUse& operator=(const TextPoolUse&) = delete;
};

/// Frees every cell text (intern_cell) when no text Column and no TextPoolUse
/// exists in any thread; a holder created meanwhile waits until the texts are
/// out of the pool (not for the freeing). Pinned texts stay. @return the
/// number of texts freed (0 when something still holds them).
size_t reclaim_cell_texts();

/// reclaim_cell_texts() on the background thread (memory.hpp:
/// run_in_background), then @p then (there, too): a run's end returns at once
/// while its texts (1.6 M after four demo seasons, 0.35 s to free) go.
/// text_pool_stats() and reclaim_cell_texts() wait for it first.
void reclaim_cell_texts_in_background(std::function<void()> then = {});

/// What the pool holds (for tests and diagnostics).
struct TextPoolStats {
  size_t pinned = 0;      ///< pinned entries
  size_t cells = 0;       ///< cell entries
  size_t cell_bytes = 0;  ///< characters of the cell entries
  uint64_t reclaims = 0;  ///< reclaims that freed (or found nothing to free)
};
TextPoolStats text_pool_stats();

/// A column's cells. Tables are built, sliced, cached and dropped by the
/// thousand in a run, from several threads: TBB's scalable allocator keeps
/// per-thread pools. With the C library's heap, a backfill run after another
/// in the same process (a notebook, the bench) spent 7.6 % of its samples in
/// `_int_malloc` (1.3 % in a fresh process), most of it growing and copying
/// cells (perf).
template <class T>
using Cells = std::vector<T, tbb::scalable_allocator<T>>;

/// One nullable column with a single physical storage.
class Column {
 public:
  explicit Column(Storage storage = Storage::kText) : storage_(storage), hold_(storage == Storage::kText) {}

  [[nodiscard]] Storage storage() const noexcept { return storage_; }
  [[nodiscard]] size_t size() const noexcept { return valid_.size(); }
  [[nodiscard]] bool is_null(size_t row) const noexcept { return valid_[row] == 0; }

  /// Typed reads: undefined when of another storage; a null cell reads 0 / 0.0
  /// / "" (check is_null first).
  [[nodiscard]] int64_t int_at(size_t row) const noexcept { return ints_[row]; }
  [[nodiscard]] double real_at(size_t row) const noexcept { return reals_[row]; }
  [[nodiscard]] const std::string& text_at(size_t row) const noexcept { return *texts_[row]; }
  /// The interned pointer of a text cell: equal pointers ⇔ equal strings (a
  /// cheap map key).
  [[nodiscard]] const std::string* text_ptr(size_t row) const noexcept { return texts_[row]; }
  /// Nullable typed reads. Ints read as reals and vice versa (truncated) for
  /// convenience; a numeric read of a text column (or a text read of a numeric
  /// one) is a ConfigError, never a silent NULL.
  /// (Defined here: called per cell in the processors' loops, where a call
  /// and an optional returned through memory cost more than the read.)
  [[nodiscard]] std::optional<int64_t> get_int(size_t row) const {
    if (valid_[row] == 0) return std::nullopt;
    if (storage_ == Storage::kInt) return ints_[row];
    if (storage_ == Storage::kReal) return static_cast<int64_t>(reals_[row]);
    throw_storage_mismatch("read an integer from");
  }
  [[nodiscard]] std::optional<double> get_real(size_t row) const {
    if (valid_[row] == 0) return std::nullopt;
    if (storage_ == Storage::kReal) return reals_[row];
    if (storage_ == Storage::kInt) return static_cast<double>(ints_[row]);
    throw_storage_mismatch("read a number from");
  }
  [[nodiscard]] std::optional<std::string> get_text(size_t row) const;

  void set_null(size_t row) noexcept {
    valid_[row] = 0;
    if (storage_ == Storage::kText) texts_[row] = empty_text();
  }
  /// The interned empty string (what a null text cell points to).
  static const std::string* empty_text() noexcept;
  void set_int(size_t row, int64_t v) {
    if (storage_ == Storage::kInt) {
      ints_[row] = v;
    } else if (storage_ == Storage::kReal) {
      reals_[row] = static_cast<double>(v);
    } else {
      throw_storage_mismatch("set an integer on");
    }
    valid_[row] = 1;
  }
  /// NaN is stored as NULL.
  void set_real(size_t row, double v) {
    if (std::isnan(v)) {
      valid_[row] = 0;
      return;
    }
    if (storage_ == Storage::kReal) {
      reals_[row] = v;
    } else if (storage_ == Storage::kInt) {
      ints_[row] = static_cast<int64_t>(v);
    } else {
      throw_storage_mismatch("set a number on");
    }
    valid_[row] = 1;
  }
  void set_text(size_t row, std::string_view v) { set_text_ptr(row, intern_cell(v)); }
  void set_text(size_t row, const std::string& v) { set_text_ptr(row, intern_cell(v)); }
  void set_text(size_t row, const char* v) { set_text_ptr(row, intern_cell(v)); }
  /// Sets a text that no other cell is expected to share (a row hash, a row
  /// id, a JSON payload), stored with unique_cell: no lookup of an equal one.
  void set_unique_text(size_t row, std::string_view v) { set_text_ptr(row, unique_cell(v)); }
  /// Sets a text cell to an already interned string (from intern(),
  /// intern_cell() or another column's text_ptr).
  void set_text_ptr(size_t row, const std::string* interned);
  void set_int(size_t row, std::optional<int64_t> v) { v ? set_int(row, *v) : set_null(row); }
  void set_real(size_t row, std::optional<double> v) { v ? set_real(row, *v) : set_null(row); }

  /// Grows or shrinks to @p rows; new rows are null.
  void resize(size_t rows);
  void reserve(size_t rows);
  /// Appends row @p row of @p other (same storage).
  void push_from(const Column& other, size_t row);
  /// Sets cell @p row to cell @p src_row of @p src (same storage; NULL stays
  /// NULL).
  void copy_cell(size_t row, const Column& src, size_t src_row) noexcept {
    valid_[row] = src.valid_[src_row];
    switch (storage_) {
      case Storage::kInt:
        ints_[row] = src.ints_[src_row];
        break;
      case Storage::kReal:
        reals_[row] = src.reals_[src_row];
        break;
      case Storage::kText:
        texts_[row] = src.texts_[src_row];
        break;
    }
  }

  Cells<int64_t>& ints() noexcept { return ints_; }
  Cells<double>& reals() noexcept { return reals_; }
  Cells<const std::string*>& texts() noexcept { return texts_; }
  Cells<uint8_t>& valid() noexcept { return valid_; }
  const Cells<int64_t>& ints() const noexcept { return ints_; }
  const Cells<double>& reals() const noexcept { return reals_; }
  /// Text cells as interned pointers (a null cell points to the empty string).
  const Cells<const std::string*>& texts() const noexcept { return texts_; }
  const Cells<uint8_t>& valid() const noexcept { return valid_; }

 private:
  /// Throws the ConfigError of a typed access to a column of another storage
  /// ("cannot <what> a text column").
  [[noreturn]] void throw_storage_mismatch(const char* what) const;

  Storage storage_;
  Cells<int64_t> ints_;
  Cells<double> reals_;
  Cells<const std::string*> texts_;
  Cells<uint8_t> valid_;

  /// A text column holds the pool's cell texts alive from its construction
  /// (whatever fills it) until its destruction. A copy, a moved-to column and
  /// a column assigned from a holder hold too (a holder never stops holding
  /// before it is destroyed), so Column's copies and moves need nothing of
  /// their own.
  class TextHold {
   public:
    explicit TextHold(bool hold) noexcept {
      if (hold) engage();
    }
    TextHold(const TextHold& o) noexcept : TextHold(o.held_) {}
    TextHold& operator=(const TextHold& o) noexcept {
      if (o.held_) engage();
      return *this;
    }
    ~TextHold() {
      if (held_) text_pool_detail::drop_holder();
    }

   private:
    void engage() noexcept {
      if (held_) return;
      held_ = true;
      text_pool_detail::add_holder();
    }
    bool held_ = false;
  };
  TextHold hold_;
};
static_assert(std::is_nothrow_move_constructible_v<Column>, "tables move their columns when they grow");

/// A set of columns (all of a schema, or a projection) with equal length.
class Table {
 public:
  /// @param schema the table's schema (must outlive the Table: catalog schemas
  /// are static).
  /// @param columns projection; empty means every column in DDL order.
  /// @throws ConfigError on an unknown column name.
  explicit Table(const TableSchema& schema, const std::vector<std::string>& columns = {});

  [[nodiscard]] const TableSchema& schema() const noexcept { return *schema_; }
  [[nodiscard]] size_t num_rows() const noexcept { return rows_; }
  [[nodiscard]] size_t num_columns() const noexcept { return columns_.size(); }
  [[nodiscard]] const std::vector<std::string>& column_names() const noexcept { return names_; }
  /// @return the position of @p name in this table, or -1.
  [[nodiscard]] int index_of(std::string_view name) const noexcept;
  /// @return the position of @p name. @throws ConfigError naming table and
  /// column.
  [[nodiscard]] size_t require(std::string_view name) const;
  /// @return the position of catalogue column @p id (cols::<table>::<column>)
  /// in this table: no lookup, two checks. @throws InternalError when this is
  /// another table, or a projection without the column.
  [[nodiscard]] size_t at(ColumnId id) const {
    if (static_cast<int>(id.table) != schema_->catalog_index || id.index >= col_of_schema_.size() ||
        col_of_schema_[id.index] < 0) [[unlikely]] {
      throw_not_here(id);
    }
    return static_cast<size_t>(col_of_schema_[id.index]);
  }
  /// @return the logical type of column @p idx.
  [[nodiscard]] const ColumnDef& def(size_t idx) const { return schema_->columns[schema_idx_[idx]]; }

  Column& col(size_t idx) { return columns_[idx]; }
  const Column& col(size_t idx) const { return columns_[idx]; }
  Column& col(std::string_view name) { return columns_[require(name)]; }
  const Column& col(std::string_view name) const { return columns_[require(name)]; }
  Column& col(ColumnId id) { return columns_[at(id)]; }
  const Column& col(ColumnId id) const { return columns_[at(id)]; }

  /// Appends one all-null row. @return its index.
  size_t add_row();
  /// Sets the row count (new rows null).
  void resize(size_t rows);
  void reserve(size_t rows);
  /// Appends all rows of @p other, matching columns by name (missing ones
  /// become null).
  void append(const Table& other);
  /// Appends every row of @p other, which has the same schema and projection
  /// (bulk, column-wise).
  void append_same(const Table& other);
  /// Appends all rows of @p other's columns @p from (one per column of this
  /// table, same storage, in this table's order): a projection of @p other.
  void append_columns(const Table& other, const std::vector<size_t>& from);
  /// @return rows [begin, end) as a new table with the same projection.
  [[nodiscard]] Table slice(size_t begin, size_t end) const;
  /// Appends row @p row of @p other (same column layout).
  void append_row(const Table& other, size_t row);

  // Setters by column position (from require(), resolved once per table).
  void set(size_t row, size_t c, int64_t v) { columns_[c].set_int(row, v); }
  void set(size_t row, size_t c, int v) { columns_[c].set_int(row, int64_t{v}); }
  void set(size_t row, size_t c, double v) { columns_[c].set_real(row, v); }
  void set(size_t row, size_t c, bool v) { columns_[c].set_int(row, v ? 1 : 0); }
  void set(size_t row, size_t c, Date v) { columns_[c].set_int(row, int64_t{v.days()}); }
  void set(size_t row, size_t c, const std::string& v) { columns_[c].set_text(row, v); }
  void set(size_t row, size_t c, const char* v) { columns_[c].set_text(row, v); }
  // Convenience setters by name, the same mapping of value to cell (resolve
  // the position once in hot loops instead).
  template <class V>
  void set(size_t row, std::string_view name, V&& v) {
    set(row, require(name), std::forward<V>(v));
  }
  void set_null(size_t row, std::string_view name) { col(name).set_null(row); }
  // The same by catalogue column (no lookup).
  template <class V>
  void set(size_t row, ColumnId id, V&& v) {
    set(row, at(id), std::forward<V>(v));
  }
  void set_null(size_t row, ColumnId id) { col(id).set_null(row); }

  [[nodiscard]] std::optional<int64_t> get_int(size_t row, std::string_view name) const {
    return col(name).get_int(row);
  }
  [[nodiscard]] std::optional<double> get_real(size_t row, std::string_view name) const {
    return col(name).get_real(row);
  }
  [[nodiscard]] std::optional<std::string> get_text(size_t row, std::string_view name) const {
    return col(name).get_text(row);
  }
  [[nodiscard]] std::optional<Date> get_date(size_t row, std::string_view name) const;
  [[nodiscard]] std::optional<bool> get_bool(size_t row, std::string_view name) const;
  [[nodiscard]] std::optional<int64_t> get_int(size_t row, ColumnId id) const { return col(id).get_int(row); }
  [[nodiscard]] std::optional<double> get_real(size_t row, ColumnId id) const { return col(id).get_real(row); }
  [[nodiscard]] std::optional<std::string> get_text(size_t row, ColumnId id) const { return col(id).get_text(row); }
  [[nodiscard]] std::optional<Date> get_date(size_t row, ColumnId id) const {
    const auto v = get_int(row, id);
    return v ? std::optional<Date>(Date(static_cast<int32_t>(*v))) : std::nullopt;
  }
  [[nodiscard]] std::optional<bool> get_bool(size_t row, ColumnId id) const {
    const auto v = get_int(row, id);
    return v ? std::optional<bool>(*v != 0) : std::nullopt;
  }

  /// Renders one cell as text (dates ISO, bools true/false, null "NULL") for
  /// messages and tests.
  [[nodiscard]] std::string cell_text(size_t row, size_t col_idx) const;

 private:
  [[noreturn]] void throw_not_here(ColumnId id) const;

  const TableSchema* schema_;
  std::vector<std::string> names_;
  std::vector<int> schema_idx_;
  std::vector<int> col_of_schema_;  ///< schema column index → position here, or -1
  std::vector<Column> columns_;
  size_t rows_ = 0;
};

/// Which columns of @p rows hold one value in every row of @p order's
/// positions [@p begin, @p end): 1 per such column, else 0. Two cells hold one
/// value when both are NULL, or hold equal integers (days), reals of the same
/// bits, or equal texts. A range of fewer than two rows has none. A backend
/// writes such a column's value once per partition (sqlite_row_source.hpp).
[[nodiscard]] std::vector<uint8_t> constant_columns(const Table& rows, const std::vector<size_t>& order,
                                                    size_t begin = 0, size_t end = SIZE_MAX);

/// First 16 hex chars of SHA-256 over the JSON object {field: value} with
/// sorted keys, rendered as Python's json.dumps(sort_keys=True, default=str)
/// would (the legacy data_hash).
/// @param fields the hash fields (must be columns of @p table).
std::string data_hash(const Table& table, size_t row, const std::vector<std::string>& fields);

/// Sets the data_hash column of every row of @p t from @p fields (see
/// data_hash). Parallel over rows.
/// @throws ConfigError when @p t has no data_hash column or a field is not a
/// column of @p t.
void fill_data_hash(Table& t, const std::vector<std::string>& fields);

/// Python's repr(float) / str(float): shortest round-trip digits, positional
/// for decimal exponents -4 … 15 and always with a '.' there ("1.0", "0.0001",
/// "100000.0"), else an exponent written e+XX / e-XX ("1e-05", "1e+16"); "nan",
/// "inf".
std::string python_float_repr(double v);

/// Appends python_float_repr(@p v) to @p out (the common positional case
/// without a temporary string; a value of at most four decimal places without
/// the shortest-digits search).
void append_python_float_repr(std::string& out, double v);

/// The most characters python_float_repr writes ("-2.2250738585072014e-308" is
/// 24), with room to spare.
inline constexpr size_t kFloatReprMax = 32;

/// Writes python_float_repr(@p v) at @p out, which has room for kFloatReprMax
/// characters. @return the end of what was written.
char* write_python_float_repr(char* out, double v);

class TextCursor;
/// Appends python_float_repr(@p v) at @p out (text_cursor.hpp).
void append_python_float_repr(TextCursor& out, double v);

/// Appends the decimal text of @p v to @p out (what std::to_string writes),
/// without a temporary string.
inline void append_int64(std::string& out, int64_t v) {
  std::array<char, 24> buf{};
  out.append(buf.data(), std::to_chars(buf.data(), buf.data() + buf.size(), v).ptr);
}

/// @return true when every byte of @p s is printable ASCII other than '"' and
/// '\\': text that a JSON writer puts between quotes unchanged.
bool json_plain(std::string_view s);

/// A decimal r × 10^-places.
struct ShortDecimal {
  int64_t digits = 0;
  int places = 0;
};
/// The decimal of the fewest places (at most @p max_places ≤ 9) whose nearest
/// double is @p v, searched while |v| × 10^places < 2^50: decimals of that many
/// places are then more than four times v's spacing apart, so the one found is
/// the only one near v, and v's shortest round-trip digits are its digits.
/// nullopt when there is none (or @p v is not finite).
std::optional<ShortDecimal> short_decimal(double v, int max_places) noexcept;

/// SHA-256 of @p bytes as 64 lowercase hex chars.
std::string sha256_hex(std::string_view bytes);

/// The first 16 hex chars of sha256_hex(@p bytes) (the legacy data_hash
/// length), through a per-thread digest context: no per-call fetch or
/// allocation.
std::string sha256_hex16(std::string_view bytes);

/// sha256_hex16(@p bytes) written into @p out (no string allocated: a row
/// hash goes straight into its cell). @return @p out's 16 chars.
std::string_view sha256_hex16(std::string_view bytes, std::array<char, 16>& out);

}  // namespace nbaprops
