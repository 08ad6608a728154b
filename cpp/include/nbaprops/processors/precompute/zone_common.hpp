#pragma once
/// @file zone_common.hpp
/// Helpers shared by the Phase 4 zone processors (TDZA, PSZA): the completeness
/// block, numpy-style rounding and the season-boundary rule (legacy spec
/// legacy-tdza-psza.md §0).

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/core/text_cursor.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/schedule/schedule.hpp"

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

/// The completeness block's columns of an output table, resolved once (write()
/// is write_completeness without name lookups).
struct CompletenessColumns {
  explicit CompletenessColumns(const Table& t);
  void write(Table& t, size_t row, const Completeness& c) const;
  size_t expected, actual, pct, missing, ready, issues;
};

/// Columns that hold the same value on every row of a unit (e.g. the
/// processing-status block): written once into a one-row template of the output
/// schema, then copied cell by cell into each row.
class ConstantColumns {
 public:
  /// @param write fills the constant cells of row 0 of a one-row table of
  /// @p schema (cells it leaves NULL are not copied).
  ConstantColumns(const TableSchema& schema, const std::function<void(Table&, size_t)>& write);
  /// Copies the constant cells into row @p row of @p t (full projection of the
  /// same schema).
  void apply(Table& t, size_t row) const;

 private:
  Table template_;
  std::vector<size_t> columns_;
};

/// Each team's counted games of one season (Schedule::team_games_before, as a
/// binary search over the team's game dates).
class TeamGameCounts {
 public:
  TeamGameCounts(const Schedule& schedule, int season);
  /// == schedule.team_games_before(team, d, season).size().
  [[nodiscard]] int64_t before(const std::string& team, Date d) const;

 private:
  std::unordered_map<std::string, std::vector<Date>> dates_;
};

/// The TeamGameCounts of a processor's season history, built on first use and
/// kept (a history serves one run's schedule; another schedule, or another
/// season, gets a fresh, uncached count).
class SeasonTeamGames {
 public:
  [[nodiscard]] std::shared_ptr<const TeamGameCounts> get(const Schedule& schedule, int season) const;

 private:
  mutable std::mutex mu_;
  mutable std::shared_ptr<const TeamGameCounts> counts_;
  mutable const Schedule* schedule_ = nullptr;
  mutable size_t games_ = 0;
  mutable int season_ = 0;
};

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
/// Sets the data_hash column of every row of @p t with precompute_data_hash
/// (through a RowHasher: same values, planned once).
void fill_precompute_hash(Table& t, const std::vector<std::string>& fields);

/// A legacy row hash planned once for a table's columns: the "field:value"
/// items of a row sort by field name alone (two distinct names differ at or
/// before the shorter one's ':'), so the order is fixed up front; a block of
/// rows is rendered into one reused buffer and hashed together (set_rows).
/// Equal to the per-cell functions it replaces, by construction: anything the
/// fast path does not render (floats written with an exponent, NaN/inf, array
/// literals) goes through them.
class RowHasher {
 public:
  /// kPrecompute: precompute_data_hash (values as Table::cell_text, booleans
  /// True/False, text stripped of " \t\n\r\f\v"). kMixin: the Phase 4 hash
  /// mixin of PCF/PDC/MLFS (phase4_detail::mixin_hash: values as Python str,
  /// text stripped of " \t\r\n", arrays as Python list literals).
  enum class Style { kPrecompute, kMixin };
  /// @throws ConfigError when a field is not a column of @p t.
  RowHasher(const Table& t, const std::vector<std::string>& fields, Style style);
  /// First 16 hex chars of the row's SHA-256 (a table with @p t's layout).
  [[nodiscard]] std::string hash(const Table& t, size_t row) const;
  /// hash(@p t, @p row) written into @p out (no string allocated).
  std::string_view hash(const Table& t, size_t row, std::array<char, 16>& out) const;
  /// Sets cells [@p begin, @p end) of @p out (a text column) to their rows'
  /// hashes: the rows' texts built side by side in @p scratch,
  /// kSha256BatchMax at a time, and hashed together (sha256_hex16_batch: the
  /// multi-buffer library hashes several at once). The rows' hashed columns
  /// must be final. A loop over blocks of rows takes scratch() once per block
  /// (reaching a thread-local from the extension module is a __tls_get_addr
  /// call; a buffer made per block would grow again in every block).
  void set_rows(const Table& t, size_t begin, size_t end, Column& out, std::string& scratch) const;

  /// What set_rows wrote for an entity's previous row: each item's value (its
  /// bits, or its text) and the row's text without its date items. An
  /// entity's rows on consecutive dates often differ in their dates alone (a
  /// player's windows change only when he plays: 64 % of a real season's PSZA
  /// rows): such a row takes the text remembered here, its own dates put in,
  /// and is not rendered again. A memo serves one thread at a time; it starts
  /// empty and is kept up to date by every row given it. A text equal by
  /// address to the memo's is taken as equal: the texts of the rows a memo
  /// saw must stay in the pool while it is used (a run holds its cell texts
  /// for its whole length, TextPoolUse; the pool frees none before).
  class Memo {
   private:
    friend class RowHasher;
    struct Cell {
      uint64_t bits = 0;   ///< a bool, integer or real value's bits, or a text's address
      uint32_t value = 0;  ///< where the value starts in text_
      uint32_t end = 0;    ///< where the item's part of text_ ends (a date item: where it goes)
      bool null = false;
    };
    bool valid_ = false;
    uint64_t layout_ = 0;      ///< the RowHasher::layout_ it was written by (another hasher's memo is not used)
    std::string text_;         ///< the row's items but its dates, each with its prefix, in hash order
    std::vector<Cell> cells_;  ///< per item
  };
  /// set_rows, each row r of the range given the memo @p memos[r] of its
  /// entity (nullptr: rendered). The same hashes as set_rows; a style or
  /// field list with an item rendered by the per-cell path alone (arrays)
  /// renders every row.
  void set_rows(const Table& t, size_t begin, size_t end, Column& out, std::string& scratch, Memo* const* memos) const;
  /// This thread's buffer for set_rows(): one per thread, kept at its largest
  /// size.
  static std::string& scratch();
  /// Sets the data_hash column of every row (parallel over rows).
  void fill(Table& t) const;

 private:
  /// How an item's value is written: each kind but kOther straight into the
  /// row's buffer; kOther (and a real that is not finite) through the style's
  /// per-cell function.
  enum class Kind : uint8_t { kBool, kInt, kReal, kDate, kText, kOther };
  struct Item {
    std::string prefix;  ///< "field:", after a '|' from the second item on
    size_t column;
    Kind kind;
  };
  static Kind kind_of(ColumnType type);
  /// Writes the value of @p item in row @p row of @p t at @p out.
  void write_value(TextCursor& out, const Table& t, size_t row, const Item& item) const;
  /// Writes row @p row's text (its items in hash order) at @p out.
  void render(TextCursor& out, const Table& t, size_t row) const;
  /// Writes row @p row's text at @p out from @p memo when its items but the
  /// dates hold the memo's values; else renders it and remembers it there.
  /// @p cols: the items' columns of @p t.
  void render_with(TextCursor& out, const Table& t, const Column* const* cols, size_t row, Memo& memo) const;
  /// Whether row @p row's items but the dates hold @p memo's values.
  bool matches(const Column* const* cols, size_t row, const Memo& memo) const;
  std::string_view hash(const Table& t, size_t row, std::array<char, 16>& out, std::string& buf) const;
  Style style_;
  std::vector<Item> items_;  ///< in hash order
  bool memoisable_ = true;   ///< no item of kind kOther (those are rendered by the per-cell path)
  uint64_t layout_ = 0;      ///< a hash of the style and the items' prefixes and kinds (Memo::layout_)
};

/// "90.0"-style rendering of a percentage with one decimal, as Python prints a
/// float rounded to 1 dp.
std::string pct_text(double pct);

}  // namespace nbaprops::precompute
