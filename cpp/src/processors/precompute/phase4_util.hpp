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
#include <string>
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

/// Rows of @p t whose partition column is in [from, to].
inline std::vector<size_t> rows_dated(const Table& t, const std::string& date_col, Date from, Date to) {
  std::vector<size_t> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    auto d = t.get_date(r, date_col);
    if (d && *d >= from && *d <= to) out.push_back(r);
  }
  return out;
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
