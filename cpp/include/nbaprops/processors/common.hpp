#pragma once
/// @file common.hpp
/// Helpers shared by processors: legacy-compatible rounding, the quality-column
/// block, and reading a table window through a UnitContext.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <mutex>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/processors/processor.hpp"

namespace nbaprops::proc {

/// `is_production_ready` completeness threshold (percent) of every Phase 4
/// processor. Legacy: the code used 70 % while schema comments, docs and log
/// lines said 90 % (spec legacy-tdza-psza §C.6, legacy-pcf-pdc B7.4). Fixed
/// (DECISION 6): one named threshold for all processors, the code's 70 % — the
/// value that produced the legacy data (DECISION 8).
inline constexpr double kProductionReadyPct = 70.0;

/// Python's round(x, ndigits): correctly rounded, ties to even on the exact
/// binary value.
double py_round(double x, int ndigits);
/// Python's round(x, ndigits) for an optional value.
inline std::optional<double> py_round(std::optional<double> x, int ndigits) {
  if (!x) return std::nullopt;
  return py_round(*x, ndigits);
}
/// py_round, except that a result of zero keeps @p x's sign, as Python's
/// round does (round(-0.04751, 1) is -0.0; py_round gives 0.0). For values
/// rendered as Python str in a legacy hash input.
double py_round_signed(double x, int ndigits);

/// Quality block of the legacy `build_quality_columns_with_legacy` helper.
struct Quality {
  std::string tier;  ///< gold | silver | bronze | poor | unusable
  double score = 0;
  std::vector<std::string> issues;
  std::vector<std::string> sources;
  /// tier ∈ {gold, silver, bronze} and score ≥ 50 and no blocking issue.
  [[nodiscard]] bool production_ready() const;
};
/// @return the tier band of a score (gold 95–100, silver 75–94, bronze 50–74,
/// poor 25–49, unusable 0–24).
std::string tier_for_score(double score);
/// @return a JSON array text of strings, e.g. ["a","b"].
std::string json_array(const std::vector<std::string>& items);
/// Appends the JSON array of @p values exactly as nlohmann::json(values).dump()
/// writes it (no spaces, nlohmann's shortest round-trip digits, a non-finite
/// value as null), without building a JSON tree.
void append_json_number_array(std::string& out, const double* values, size_t n);
/// Parses a flat JSON array of numbers and nulls ('[' … ']', whitespace
/// allowed) into @p out (null → NaN), without building a JSON tree: numbers
/// are checked against the JSON grammar and converted correctly rounded, as
/// nlohmann does. @return false for any other text, @p out then unspecified
/// (the caller parses it with nlohmann for the same values or its error).
bool parse_number_array(std::string_view s, std::vector<double>& out);
/// The positions of the quality columns in a table (-1: the table has none
/// of that name), resolved once for all of its rows.
struct QualityColumns {
  int tier, score, issues, sources, ready, dq_tier, dq_issues;
  explicit QualityColumns(const Table& t);
};
/// Writes the quality columns that @p t has (quality_tier, quality_score,
/// quality_issues, data_sources, is_production_ready, data_quality_tier,
/// data_quality_issues).
void write_quality(Table& t, size_t row, const Quality& q);
/// The same with the columns resolved once (@p cols of @p t).
void write_quality(Table& t, size_t row, const Quality& q, const QualityColumns& cols);

/// Writes the legacy run-bookkeeping columns of a Phase 4 row:
/// reprocess_attempt_count 0, circuit_breaker_active / manual_override_required
/// false (nbaprops keeps no reprocess-attempts table, so breakers never trip),
/// season_boundary_detected, backfill_bootstrap_mode and
/// processing_decision_reason "processed_successfully".
void write_processing_status(Table& t, size_t row, bool season_boundary, bool bootstrap_mode);

/// Seconds this thread has spent in read_window (the runner takes the
/// difference around a unit to split its time into read, compute and write).
double& thread_read_seconds();

/// @throws ConfigError naming processor, table and column when @p info's reads
/// of @p table all declare their columns and @p columns (empty: every column)
/// is not among them.
void require_declared_columns(const ProcessorInfo& info, const std::string& table,
                              const std::vector<std::string>& columns);

/// Reads rows of @p table dated within [from, to] (projection optional).
/// With the context's processor info set, refuses (ConfigError) dates outside
/// its declared windows and columns outside its declared columns.
Table read_window(const UnitContext& ctx, const std::string& table, Date from, Date to,
                  const std::vector<std::string>& columns = {});

/// @return true when @p column is in @p t's projection, false when it is a
/// column of the schema that the projection left out. @throws ConfigError when
/// the schema has no such column (a typo is an error, never a silent NULL).
inline bool in_projection(const Table& t, const char* column) {
  if (t.index_of(column) >= 0) return true;
  if (t.schema().index_of(column) < 0) {
    throw ConfigError("table " + t.schema().name + " has no column '" + column + "'");
  }
  return false;
}
/// A column resolved once for a hot loop: nullptr when the schema has it but
/// the projection left it out. @throws ConfigError when the schema has no such
/// column.
inline const Column* opt_col(const Table& t, const char* column) {
  return in_projection(t, column) ? &t.col(column) : nullptr;
}
/// A column resolved once from a table that may not have it at all (source
/// bookkeeping over whichever upstream table it is given): nullptr then.
inline const Column* col_if_any(const Table& t, const char* column) {
  const int i = t.index_of(column);
  return i < 0 ? nullptr : &t.col(static_cast<size_t>(i));
}
/// Nullable cell reads through a resolved column (nullptr reads as NULL).
inline std::optional<double> real_of(const Column* c, size_t row) { return c ? c->get_real(row) : std::nullopt; }
inline std::optional<int64_t> int_of(const Column* c, size_t row) { return c ? c->get_int(row) : std::nullopt; }
inline std::optional<bool> bool_of(const Column* c, size_t row) {
  if (!c || c->is_null(row)) return std::nullopt;
  return c->int_at(row) != 0;
}
inline std::optional<Date> date_of(const Column* c, size_t row) {
  if (!c || c->is_null(row)) return std::nullopt;
  return Date(static_cast<int32_t>(c->int_at(row)));
}
/// The text of a cell, or nullptr when NULL (no copy: cells are interned).
inline const std::string* text_of(const Column* c, size_t row) {
  return (!c || c->is_null(row)) ? nullptr : c->text_ptr(row);
}

/// Nullable reads of a schema column that may be absent from the projection (a
/// test fixture that leaves it out): an absent column reads as NULL; a column
/// unknown to the schema is an error.
inline std::optional<double> opt_real(const Table& t, size_t row, const char* column) {
  return in_projection(t, column) ? t.get_real(row, column) : std::nullopt;
}
inline std::optional<int64_t> opt_int(const Table& t, size_t row, const char* column) {
  return in_projection(t, column) ? t.get_int(row, column) : std::nullopt;
}
inline std::optional<bool> opt_bool(const Table& t, size_t row, const char* column) {
  return in_projection(t, column) ? t.get_bool(row, column) : std::nullopt;
}
inline std::optional<std::string> opt_text(const Table& t, size_t row, const char* column) {
  return in_projection(t, column) ? t.get_text(row, column) : std::nullopt;
}

std::optional<double> parse_minutes(const std::string& text);

/// Index of rows by a string key built from one or two text columns.
std::unordered_map<std::string, std::vector<size_t>> index_by(const Table& t, const std::string& col1,
                                                              const std::string& col2 = "");

/// The first row dated @p d (in @p date_col) per value of the text column @p
/// key (legacy "first matching row wins"); rows dated @p d are also appended to
/// @p dated when given.
std::unordered_map<std::string, size_t> first_row_by(const Table& t, const char* key, const char* date_col, Date d,
                                                     std::vector<size_t>* dated = nullptr);

/// The base of a processor's carried state (see CarriedState): one season of
/// one upstream table, ingested once, date by date, in date order. The season's
/// units call catch_up(D − 1) and then answer D from what was ingested before
/// D — so a date's result does not depend on which later dates were ingested
/// first.
class SeasonHistory : public CarriedState {
 public:
  /// Sets the first date to ingest and the season's first game (once). @return
  /// whether the history starts at or before @p first (false: a unit with a
  /// shorter window started it; the caller then needs its own history).
  bool start(Date first, Date season_start);
  /// Ingests, under the history's lock, the dates not ingested yet up to @p
  /// through: reads them with @p read (from, to) and passes their rows on in
  /// date order (stable: rows of one date keep their stored order).
  /// @return false, reading nothing, when those dates start before @p
  /// window_from — the calling unit may not read them (declared reads); it
  /// then computes from a history of its own.
  [[nodiscard]] bool catch_up(Date window_from, Date through, const std::function<Table(Date from, Date to)>& read);
  /// Ingests the rows of @p t dated in [first, through] not ingested yet (any
  /// stored order), marking every date up to @p through ingested.
  void ingest(const Table& t, Date through);
  /// Held shared while answering a date (ingesting holds it exclusively).
  [[nodiscard]] std::shared_mutex& mutex() const noexcept { return mu_; }
  [[nodiscard]] Date first() const noexcept { return first_; }
  [[nodiscard]] Date season_start() const noexcept { return season_start_; }

 protected:
  /// Rows @p rows of @p t (dates never NULL), in date order.
  virtual void add_rows(const Table& t, const std::vector<size_t>& rows) = 0;

 private:
  Date first_, next_, season_start_;
  bool started_ = false;
  mutable std::shared_mutex mu_;
};

/// Sorts @p items by key (@p less on the keys; stable, so each key's values keep
/// their order) and calls @p fn(key, values) once per key, in key order. The
/// values are gathered in one vector reused from key to key: a day's
/// candidates grouped without a map of vectors (a node and a vector per key).
template <class K, class V, class Less, class Fn>
void for_each_key_group(std::vector<std::pair<K, V>>& items, Less less, Fn&& fn) {
  std::stable_sort(items.begin(), items.end(), [&](const auto& a, const auto& b) { return less(a.first, b.first); });
  std::vector<V> values;
  for (size_t i = 0; i < items.size();) {
    const K key = items[i].first;
    values.clear();
    for (; i < items.size() && !less(key, items[i].first); ++i) values.push_back(items[i].second);
    fn(key, values);
  }
}

/// The values of a date-ordered history dated in [@p from, @p before), newest
/// date first (a date's entries keep their stored order, like a stable sort by
/// date descending), at most @p limit.
template <class T>
std::vector<T> newest_first(const std::vector<std::pair<Date, T>>& h, Date from, Date before, size_t limit) {
  auto by_date = [](const std::pair<Date, T>& e, Date x) { return e.first < x; };
  const auto lo = std::lower_bound(h.begin(), h.end(), from, by_date);
  auto end = std::lower_bound(lo, h.end(), before, by_date);
  std::vector<T> out;
  out.reserve(std::min(limit, static_cast<size_t>(end - lo)));
  while (end != lo && out.size() < limit) {
    auto group = end - 1;
    while (group != lo && (group - 1)->first == group->first) --group;
    for (auto it = group; it != end && out.size() < limit; ++it) out.push_back(it->second);
    end = group;
  }
  return out;
}

/// The history a unit computes from: the runner's carried one for this
/// processor and season, caught up to @p through; or, when there is none or
/// the unit may not use it (it would need dates outside the unit's window
/// [@p window_from, @p through]), a fresh one in @p own, filled the same way.
/// @p read reads the given dates of the history's table.
template <class History>
const History& history_for(const UnitContext& ctx, std::unique_ptr<CarriedState>& own, Date season_start,
                           Date window_from, Date through, const std::function<Table(Date from, Date to)>& read) {
  if (auto* h = dynamic_cast<History*>(ctx.carried)) {
    if (h->start(window_from, season_start) && h->catch_up(window_from, through, read)) return *h;
  }
  own = std::make_unique<History>();
  auto& h = static_cast<History&>(*own);
  h.start(window_from, season_start);
  if (!h.catch_up(window_from, through, read)) throw InternalError("a fresh history refused its own window");
  return h;
}

/// Sets the data_hash column of every row from @p fields (core; kept here for
/// processor code).
using nbaprops::fill_data_hash;

/// 10^n for 0 ≤ n ≤ 18.
int64_t pow10_int(int n);
/// num / den rounded half away from zero to @p dp digits, exactly (BigQuery's
/// ROUND over SAFE_DIVIDE of counts and over AVG of INT64 or NUMERIC values,
/// summed as integers of their scale); nullopt when den is 0. The legacy rounds
/// AVG(NUMERIC) at 9 digits first; with den well under 10^6 that never moves a
/// half at dp ≤ 3.
std::optional<double> exact_round(int64_t num, int64_t den, int dp);
/// The scale of NUMERIC column @p name of @p t's schema (0 for other types).
int numeric_scale(const Table& t, std::string_view name);
/// @p v as an integer count of 10^-scale (a stored NUMERIC value).
int64_t numeric_units(double v, int scale);

}  // namespace nbaprops::proc
