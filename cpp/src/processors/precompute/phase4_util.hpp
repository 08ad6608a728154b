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
#include <map>
#include <optional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "nbaprops/core/table.hpp"

namespace nbaprops::phase4_detail {

/// Python's repr(float) (one implementation, in core/table).
inline std::string py_float(double v) { return python_float_repr(v); }

/// JSON string literal (json.dumps escaping of plain ASCII text is the same as
/// this).
inline std::string json_str(const std::string& s) {
  std::string out = "\"";
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
  return out + "\"";
}

/// Python str() of a cell as the legacy hash mixin renders it: None → NULL,
/// bools True/False, numbers via str(), strings stripped, dates ISO, arrays as
/// a Python list literal.
inline std::string py_str_cell(const Table& t, size_t row, size_t c) {
  const Column& col = t.col(c);
  if (col.is_null(row)) return "NULL";
  const ColumnDef& d = t.def(c);
  switch (d.type) {
    case ColumnType::kBool:
      return col.int_at(row) ? "True" : "False";
    case ColumnType::kInt64:
      return std::to_string(col.int_at(row));
    case ColumnType::kFloat64:
    case ColumnType::kNumeric:
      return py_float(col.real_at(row));
    case ColumnType::kDate:
      return t.cell_text(row, c);
    default:
      break;
  }
  std::string s = col.text_at(row);
  if (d.type == ColumnType::kArray && !s.empty() && s.front() == '[') {
    // JSON array text → Python list literal: numbers via repr, strings quoted
    // with '.
    std::string out = "[";
    size_t i = 1;
    bool first = true;
    while (i < s.size() && s[i] != ']') {
      while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
      if (i >= s.size() || s[i] == ']') break;
      if (!first) out += ", ";
      first = false;
      if (s[i] == '"') {
        size_t j = s.find('"', i + 1);
        out += "'" + s.substr(i + 1, j - i - 1) + "'";
        i = j + 1;
      } else {
        size_t j = s.find_first_of(",]", i);
        std::string num = s.substr(i, j - i);
        double v = std::strtod(num.c_str(), nullptr);
        out += (num == "null") ? "None" : py_float(v);
        i = j;
      }
    }
    return out + "]";
  }
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
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

/// mixin_hash() with its field order and columns resolved once (for a hot
/// loop). Sorting the "field:value" parts equals sorting the "field:"
/// prefixes: field names hold no ':', so two parts of different fields differ
/// within their "field:" prefixes and the values never decide the order.
class MixinHashPlan {
 public:
  /// @throws ConfigError when @p t lacks a field.
  MixinHashPlan(const Table& t, const std::vector<std::string>& fields) {
    for (const auto& f : fields) parts_.emplace_back(f + ":", t.require(f));
    std::sort(parts_.begin(), parts_.end());
  }
  /// A column whose Python str() the caller gives (rendered from the values the
  /// cell was made of, or constant for every row).
  struct Given {
    size_t column;
    std::string_view text;
  };
  [[nodiscard]] std::string hash(const Table& t, size_t row, std::initializer_list<Given> given = {}) const {
    std::string joined;
    joined.reserve(1024);
    for (size_t i = 0; i < parts_.size(); ++i) {
      if (i) joined += '|';
      joined += parts_[i].first;
      const auto g =
          std::find_if(given.begin(), given.end(), [&](const Given& x) { return x.column == parts_[i].second; });
      if (g != given.end()) {
        joined += g->text;
      } else {
        joined += py_str_cell(t, row, parts_[i].second);
      }
    }
    return sha256_hex(joined).substr(0, 16);
  }

 private:
  std::vector<std::pair<std::string, size_t>> parts_;  // "field:" and its column, sorted
};

/// The `data_hash` of the most recent row among @p rows of @p t: latest
/// partition date (the newest data), ties broken by the larger hash so the
/// choice is deterministic; nullopt when none has one.
// Legacy: picked the row with the latest processed_at. Fixed (DECISION 4):
// processed_at is a processing time, so a partial rerun changed every
// downstream source hash; the data's own date gives the same answer on every
// rerun.
inline std::optional<std::string> latest_hash(const Table& t, const std::vector<size_t>& rows) {
  if (t.index_of("data_hash") < 0) return std::nullopt;
  const int part = t.index_of(t.schema().partition_column);
  std::optional<std::pair<int64_t, std::string>> best;
  for (size_t r : rows) {
    auto h = t.get_text(r, "data_hash");
    if (!h) continue;
    int64_t day = part >= 0 ? t.col(static_cast<size_t>(part)).get_int(r).value_or(INT64_MIN) : 0;
    std::pair<int64_t, std::string> key{day, *h};
    if (!best || *best < key) best = key;
  }
  if (!best) return std::nullopt;
  return best->second;
}

/// The first row dated @p d (in @p date_col) per value of the text column @p
/// key (legacy "first matching row wins"), as (interned key, row) in the keys'
/// string order; rows dated @p d are also appended to @p dated when given.
/// Columns are resolved once and keys compared as interned pointers.
/// @throws ConfigError when @p t lacks either column.
inline std::vector<std::pair<const std::string*, size_t>> first_rows_by(const Table& t, const char* key,
                                                                        const char* date_col, Date d,
                                                                        std::vector<size_t>* dated = nullptr) {
  const Column& k = t.col(key);
  const Column& date = t.col(date_col);
  std::vector<std::pair<const std::string*, size_t>> out;
  std::unordered_set<const std::string*> seen;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (date.is_null(r) || date.int_at(r) != d.days()) continue;
    if (dated) dated->push_back(r);
    if (k.is_null(r)) continue;
    const std::string* key_ptr = k.text_ptr(r);
    if (!seen.insert(key_ptr).second) continue;
    out.emplace_back(key_ptr, r);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return out;
}

/// latest_hash() without copies: the interned `data_hash` of the most recent
/// row among @p rows (latest partition date, then the larger hash); nullptr
/// when none has one.
inline const std::string* latest_hash_ptr(const Table& t, const std::vector<size_t>& rows) {
  const int h = t.index_of("data_hash");
  if (h < 0) return nullptr;
  const Column& hash = t.col(static_cast<size_t>(h));
  const int part = t.index_of(t.schema().partition_column);
  const Column* day = part >= 0 ? &t.col(static_cast<size_t>(part)) : nullptr;
  const std::string* best = nullptr;
  int64_t best_day = 0;
  for (size_t r : rows) {
    if (hash.is_null(r)) continue;
    const int64_t dr = day == nullptr ? 0 : (day->is_null(r) ? INT64_MIN : day->int_at(r));
    if (best == nullptr || dr > best_day || (dr == best_day && *hash.text_ptr(r) > *best)) {
      best = hash.text_ptr(r);
      best_day = dr;
    }
  }
  return best;
}

/// The upcoming_player_game_context columns PDC and MLFS read: one projection
/// for both, so a run caches one narrow copy of the table for them (not all
/// 124 columns).
inline const std::vector<std::string>& upgc_player_columns() {
  static const std::vector<std::string> kColumns = {"player_lookup",
                                                    "game_date",
                                                    "universal_player_id",
                                                    "game_id",
                                                    "team_abbr",
                                                    "opponent_team_abbr",
                                                    "days_rest",
                                                    "opponent_days_rest",
                                                    "player_status",
                                                    "season_phase",
                                                    "home_game",
                                                    "back_to_back",
                                                    "games_in_last_7_days",
                                                    "games_in_last_14_days",
                                                    "minutes_in_last_7_days",
                                                    "minutes_in_last_14_days",
                                                    "back_to_backs_last_14_days",
                                                    "fourth_quarter_minutes_last_7",
                                                    "player_age",
                                                    "avg_minutes_per_game_last_7",
                                                    "data_hash"};
  return kColumns;
}
/// The player_shot_zone_analysis columns PDC and MLFS read (one projection for
/// both, as above).
inline const std::vector<std::string>& psza_player_columns() {
  static const std::vector<std::string> kColumns = {
      "player_lookup",       "analysis_date",          "primary_scoring_zone",
      "paint_rate_last_10",  "mid_range_rate_last_10", "three_pt_rate_last_10",
      "is_production_ready", "processed_at",           "data_hash"};
  return kColumns;
}

/// Rows of @p t whose partition column is in [from, to].
inline std::vector<size_t> rows_dated(const Table& t, const std::string& date_col, Date from, Date to) {
  std::vector<size_t> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    auto d = t.get_date(r, date_col);
    if (d && *d >= from && *d <= to) out.push_back(r);
  }
  return out;
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
