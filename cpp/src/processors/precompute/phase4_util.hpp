#pragma once

#include <climits>
// Private helpers shared by PCF, PDC and MLFS (not a public header):
// Python-compatible value rendering for the legacy hashes and context JSON,
// "latest upstream hash" lookups and small statistics. Header-only so that
// nothing here collides with other Phase 4 translation units.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nbaprops/core/table.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::phase4_detail {

/// Python's repr(float) (one implementation, in core/table).
inline std::string py_float(double v) { return python_float_repr(v); }

/// Appends py_float(@p v) to @p out.
inline void append_py_float(std::string& out, double v) { append_python_float_repr(out, v); }

/// Appends @p s as a JSON string literal (json.dumps escaping of plain ASCII
/// text is the same as this).
inline void append_json_str(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
}

/// JSON string literal of @p s (append_json_str into a new string).
inline std::string json_str(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_str(out, s);
  return out;
}

/// proc::write_processing_status with its six columns resolved once (for a hot
/// loop): no name lookups and no interning per row.
class ProcessingStatusColumns {
 public:
  explicit ProcessingStatusColumns(Table& t)
      : attempts_(t.col("reprocess_attempt_count")),
        breaker_(t.col("circuit_breaker_active")),
        override_(t.col("manual_override_required")),
        boundary_(t.col("season_boundary_detected")),
        bootstrap_(t.col("backfill_bootstrap_mode")),
        reason_(t.col("processing_decision_reason")) {}
  void write(size_t row, bool season_boundary, bool bootstrap_mode) const {
    static const std::string* const kReason = intern("processed_successfully");
    attempts_.set_int(row, int64_t{0});
    breaker_.set_int(row, int64_t{0});
    override_.set_int(row, int64_t{0});
    boundary_.set_int(row, int64_t{season_boundary ? 1 : 0});
    bootstrap_.set_int(row, int64_t{bootstrap_mode ? 1 : 0});
    reason_.set_text_ptr(row, kReason);
  }

 private:
  Column &attempts_, &breaker_, &override_, &boundary_, &bootstrap_, &reason_;
};

/// The number of JSON array token @p num as strtod reads it: a token that is
/// one plain decimal number is parsed in place (std::from_chars: the same
/// correctly rounded value), anything else goes through strtod.
inline double array_number(std::string_view num) {
  double v = 0;
  if (!num.empty() && num.front() != '+' && num.front() != ' ') {
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (ec == std::errc() && end == num.data() + num.size()) return v;
  }
  return std::strtod(std::string(num).c_str(), nullptr);
}

/// Appends the Python list literal of JSON array text @p s (its first
/// character is '['): numbers via repr, strings quoted with ', null as None.
inline void append_py_list(std::string& out, std::string_view s) {
  out += '[';
  size_t i = 1;
  bool first = true;
  while (i < s.size() && s[i] != ']') {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
    if (i >= s.size() || s[i] == ']') break;
    if (!first) out += ", ";
    first = false;
    if (s[i] == '"') {
      const size_t j = s.find('"', i + 1);
      out += '\'';
      out += s.substr(i + 1, j - i - 1);
      out += '\'';
      i = j + 1;
    } else {
      const size_t j = s.find_first_of(",]", i);
      const std::string_view num = s.substr(i, j - i);
      if (num == "null") {
        out += "None";
      } else {
        append_py_float(out, array_number(num));
      }
      i = j;
    }
  }
  out += ']';
}

/// Appends Python str() of a cell as the legacy hash mixin renders it: None →
/// NULL, bools True/False, numbers via str(), strings stripped, dates ISO,
/// arrays as a Python list literal.
inline void append_py_str_cell(std::string& out, const Table& t, size_t row, size_t c) {
  const Column& col = t.col(c);
  if (col.is_null(row)) {
    out += "NULL";
    return;
  }
  const ColumnDef& d = t.def(c);
  switch (d.type) {
    case ColumnType::kBool:
      out += col.int_at(row) ? "True" : "False";
      return;
    case ColumnType::kInt64:
      out += std::to_string(col.int_at(row));
      return;
    case ColumnType::kFloat64:
    case ColumnType::kNumeric:
      out += py_float(col.real_at(row));
      return;
    case ColumnType::kDate:
      out += t.cell_text(row, c);
      return;
    default:
      break;
  }
  const std::string& s = col.text_at(row);
  if (d.type == ColumnType::kArray && !s.empty() && s.front() == '[') {
    append_py_list(out, s);
    return;
  }
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  if (b != std::string::npos) out.append(s, b, e - b + 1);
}

/// Python str() of a cell as the legacy hash mixin renders it
/// (append_py_str_cell into a new string).
inline std::string py_str_cell(const Table& t, size_t row, size_t c) {
  std::string out;
  append_py_str_cell(out, t, row, c);
  return out;
}

/// The legacy hash mixin (`compute_data_hash`): sorted "field:value" strings
/// joined by '|', SHA-256, first 16 hex chars.
inline std::string mixin_hash(const Table& t, size_t row, const std::vector<std::string>& fields) {
  std::vector<std::string> parts;
  parts.reserve(fields.size());
  for (const auto& f : fields) parts.push_back(f + ":" + py_str_cell(t, row, t.require(f)));
  std::sort(parts.begin(), parts.end());
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) joined += '|';
    joined += parts[i];
  }
  return sha256_hex(joined).substr(0, 16);
}

/// The data_quality_issues texts of four upstream readiness flags: each of the
/// 16 JSON arrays (the names of the upstreams not ready, in the given order)
/// built and interned once, so a row's issues cost no allocation.
class UpstreamIssueTexts {
 public:
  explicit UpstreamIssueTexts(const std::array<const char*, 4>& names) {
    for (unsigned m = 0; m < texts_.size(); ++m) {
      std::vector<std::string> issues;
      for (unsigned k = 0; k < names.size(); ++k) {
        if ((m & (1U << k)) == 0) issues.emplace_back(names[k]);
      }
      texts_[m] = intern(proc::json_array(issues));  // held by statics: pinned
    }
  }
  /// The interned JSON array of the flags that are false ("[]" when all hold).
  [[nodiscard]] const std::string* text(bool a, bool b, bool c, bool d) const {
    return texts_[(a ? 1U : 0U) | (b ? 2U : 0U) | (c ? 4U : 0U) | (d ? 8U : 0U)];
  }

 private:
  std::array<const std::string*, 16> texts_{};
};

/// Calls @p fn(interned key, row) for the first row dated @p d (in @p
/// date_col) per value of the text column @p key (legacy "first matching row
/// wins"), in stored order; rows dated @p d are also appended to @p dated when
/// given. Columns are resolved once and keys compared as interned pointers.
/// @throws ConfigError when @p t lacks either column.
template <class Fn>
void for_first_rows_by(const Table& t, const char* key, const char* date_col, Date d, std::vector<size_t>* dated,
                       Fn&& fn) {
  const Column& k = t.col(key);
  const Column& date = t.col(date_col);
  // (key, row) of the date's rows; sorted by key then row, the first of each
  // key is its first row. One vector, where a set of seen keys allocated a
  // node per key.
  std::vector<std::pair<const std::string*, size_t>> keyed;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (date.is_null(r) || date.int_at(r) != d.days()) continue;
    if (dated) dated->push_back(r);
    if (!k.is_null(r)) keyed.emplace_back(k.text_ptr(r), r);
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return std::less<>()(a.first, b.first) || (a.first == b.first && a.second < b.second);
  });
  keyed.erase(std::unique(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
              keyed.end());
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  for (const auto& [key_ptr, r] : keyed) fn(key_ptr, r);
}

/// for_first_rows_by as (interned key, row) in the keys' string order.
inline std::vector<std::pair<const std::string*, size_t>> first_rows_by(const Table& t, const char* key,
                                                                        const char* date_col, Date d,
                                                                        std::vector<size_t>* dated = nullptr) {
  std::vector<std::pair<const std::string*, size_t>> out;
  for_first_rows_by(t, key, date_col, d, dated, [&](const std::string* k, size_t r) { out.emplace_back(k, r); });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return out;
}

/// Interned key → row, looked up as a map is, held as one vector sorted by the
/// key's address (a hash map allocated a node per key).
class RowByKey {
 public:
  using value_type = std::pair<const std::string*, size_t>;
  using const_iterator = std::vector<value_type>::const_iterator;

  RowByKey() = default;
  /// @p rows: distinct keys, in any order.
  explicit RowByKey(std::vector<value_type> rows) : rows_(std::move(rows)) {
    std::sort(rows_.begin(), rows_.end(), [](const auto& a, const auto& b) { return std::less<>()(a.first, b.first); });
  }
  [[nodiscard]] const_iterator find(const std::string* key) const {
    auto it = std::lower_bound(rows_.begin(), rows_.end(), key,
                               [](const value_type& e, const std::string* k) { return std::less<>()(e.first, k); });
    return it != rows_.end() && it->first == key ? it : rows_.end();
  }
  [[nodiscard]] const_iterator begin() const { return rows_.begin(); }
  [[nodiscard]] const_iterator end() const { return rows_.end(); }
  [[nodiscard]] size_t size() const { return rows_.size(); }
  [[nodiscard]] bool empty() const { return rows_.empty(); }

 private:
  std::vector<value_type> rows_;
};

/// for_first_rows_by as interned key → row (no ordering work for the caller).
inline RowByKey first_row_map_by(const Table& t, const char* key, const char* date_col, Date d,
                                 std::vector<size_t>* dated = nullptr) {
  std::vector<RowByKey::value_type> out;
  for_first_rows_by(t, key, date_col, d, dated, [&](const std::string* k, size_t r) { out.emplace_back(k, r); });
  return RowByKey(std::move(out));
}

/// latest_hash() without copies: the interned `data_hash` of the most recent
/// row among @p rows: latest partition date, then the latest `processed_at`
/// (legacy `ORDER BY processed_at DESC LIMIT 1`, spec §A2/§B3; a NULL or
/// unprojected processed_at sorts last, as BigQuery's DESC puts NULLs last),
/// then the larger hash (a partition written by one run shares one
/// processed_at); nullptr when none has one.
inline const std::string* latest_hash_ptr(const Table& t, const std::vector<size_t>& rows) {
  const Column* hash = proc::col_if_any(t, "data_hash");
  if (hash == nullptr) return nullptr;
  const Column* day = proc::col_if_any(t, t.schema().partition_column.c_str());
  const Column* processed = proc::col_if_any(t, "processed_at");
  const std::string* best = nullptr;
  const std::string* best_processed = nullptr;
  int64_t best_day = 0;
  for (size_t r : rows) {
    if (hash->is_null(r)) continue;
    const int64_t dr = day == nullptr ? 0 : (day->is_null(r) ? INT64_MIN : day->int_at(r));
    const std::string* pr = processed == nullptr || processed->is_null(r) ? nullptr : processed->text_ptr(r);
    const std::string* h = hash->text_ptr(r);
    bool newer = best == nullptr || dr > best_day;
    if (!newer && dr == best_day) {
      // Later processed_at wins (NULL is oldest); equal ones: the larger hash.
      const int by_processed = pr == best_processed        ? 0
                               : pr == nullptr             ? -1
                               : best_processed == nullptr ? 1
                                                           : pr->compare(*best_processed);
      newer = by_processed > 0 || (by_processed == 0 && *h > *best);
    }
    if (newer) {
      best = h;
      best_processed = pr;
      best_day = dr;
    }
  }
  return best;
}

/// The text of a resolved column's cell as an optional copy (nullptr column or
/// NULL cell → nullopt).
inline std::optional<std::string> opt_string(const Column* c, size_t row) {
  if (c == nullptr || c->is_null(row)) return std::nullopt;
  return *c->text_ptr(row);
}

/// Mean of the present values; nullopt when none (pandas mean skipping NaN).
inline std::optional<double> mean(const std::vector<std::optional<double>>& xs) {
  double s = 0;
  int n = 0;
  for (const auto& x : xs) {
    if (x) {
      s += *x;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return s / n;
}

/// Sample standard deviation (ddof 1) of the present values; nullopt with fewer
/// than 2.
inline std::optional<double> sample_std(const std::vector<std::optional<double>>& xs) {
  auto m = mean(xs);
  if (!m) return std::nullopt;
  double ss = 0;
  int n = 0;
  for (const auto& x : xs) {
    if (x) {
      ss += (*x - *m) * (*x - *m);
      ++n;
    }
  }
  if (n < 2) return std::nullopt;
  return std::sqrt(ss / (n - 1));
}

}  // namespace nbaprops::phase4_detail
