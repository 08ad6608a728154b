#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <optional>

#include "nbaprops/core/error.hpp"
#include "warehouse/bigquery_internal.hpp"

namespace nbaprops::bq {

namespace {

/// The catalog marks arrays ARRAY without their element type. Legacy schemas:
/// every array is ARRAY<STRING> except ml_feature_store_v2.features,
/// ARRAY<FLOAT64>.
bool float_array(const ColumnDef& c) { return c.type == ColumnType::kArray && c.name == "features"; }

const char* field_type(const ColumnDef& c) {
  if (float_array(c)) return "FLOAT64";
  // An array of unknown element type is a REPEATED STRING; every other type keeps its catalog name.
  return c.type == ColumnType::kArray ? "STRING" : type_name(c.type);
}

/// FLOAT64 as a JSON value: the shortest round-trip digits; NaN/±Infinity as
/// BigQuery's strings.
void put_float(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
}

/// NUMERIC in fixed notation: the shortest round-trip digits, at most 9
/// decimals (BigQuery's NUMERIC scale; a declared NUMERIC(p,s) rounds further
/// on the server).
std::string numeric_text(double v, const std::string& where) {
  if (!std::isfinite(v)) throw DataError(where + ": NUMERIC cannot hold " + std::to_string(v));
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  const size_t dot = s.find('.');
  if (dot != std::string_view::npos && s.size() - dot - 1 > 9) {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 9);
    s = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
    while (s.back() == '0') s.remove_suffix(1);
    if (s.back() == '.') s.remove_suffix(1);
  }
  return std::string(s);
}

/// NUMERIC as a JSON string (see numeric_text).
void put_numeric(std::string& out, double v, const std::string& where) { out += '"' + numeric_text(v, where) + '"'; }

/// JSON values as they are; arrays checked item by item against the element
/// type (BigQuery arrays hold no NULL).
void put_json_text(std::string& out, const std::string& text, const ColumnDef& c, const std::string& where) {
  const bool array = c.type == ColumnType::kArray;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || (array && !j.is_array())) {
    throw DataError(where + ": value '" + text.substr(0, 80) + "' is not a JSON " + (array ? "array" : "value"));
  }
  if (array) {
    const bool numbers = float_array(c);
    for (auto& e : j) {
      if (numbers ? !e.is_number() : !e.is_string()) {
        throw DataError(where + ": array item " + e.dump() + " is not a " + (numbers ? "number" : "string"));
      }
    }
  }
  out += j.dump();
}

/// TIMESTAMP from the REST answer: int64 microseconds (useInt64Timestamp) or
/// float seconds, as `YYYY-MM-DDTHH:MM:SSZ`, with `.ffffff` when the instant
/// has microseconds (the runner's stamps).
std::string timestamp_text(const std::string& v, const std::string& where) {
  int64_t micros = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), micros);
  if (ec != std::errc() || p != v.data() + v.size()) {
    char* end = nullptr;
    const double secs = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end) throw DataError(where + ": TIMESTAMP value '" + v + "' is unreadable");
    micros = static_cast<int64_t>(std::llround(secs * 1e6));
  }
  int64_t secs = micros / 1000000, us = micros % 1000000;
  if (us < 0) {
    us += 1000000;
    secs -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (us) std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(us));
  return std::string(buf) + "Z";
}

}  // namespace

nlohmann::json schema_fields(const TableSchema& schema, const std::vector<std::string>& columns, bool staging) {
  nlohmann::json fields = nlohmann::json::array();
  auto add = [&](const ColumnDef& c) {
    nlohmann::json f = {{"name", c.name}, {"type", field_type(c)}};
    if (c.type == ColumnType::kArray)
      f["mode"] = "REPEATED";
    else
      f["mode"] = c.required && !staging ? "REQUIRED" : "NULLABLE";
    if (c.type == ColumnType::kNumeric && c.precision > 0) {
      f["precision"] = std::to_string(c.precision);
      f["scale"] = std::to_string(c.scale);
    }
    if (!c.description.empty() && !staging) f["description"] = c.description;
    fields.push_back(std::move(f));
  };
  if (columns.empty()) {
    for (const auto& c : schema.columns) add(c);
  } else {
    for (const auto& n : columns) add(schema.column(n));
  }
  return fields;
}

std::string column_type(const ColumnDef& c) {
  const std::string t = field_type(c);
  return c.type == ColumnType::kArray ? "ARRAY<" + t + ">" : t;
}

std::string stored_field_type(const nlohmann::json& field) {
  std::string t = field.value("type", "");
  if (t == "INTEGER") t = "INT64";
  if (t == "FLOAT") t = "FLOAT64";
  if (t == "BOOLEAN") t = "BOOL";
  return field.value("mode", "") == "REPEATED" ? "ARRAY<" + t + ">" : t;
}

std::string column_ddl_type(const ColumnDef& c) {
  if (c.type == ColumnType::kNumeric && c.precision > 0) {
    return "NUMERIC(" + std::to_string(c.precision) + ", " + std::to_string(c.scale) + ")";
  }
  return column_type(c);
}

std::string to_ndjson(const Table& rows, size_t begin, size_t end) {
  std::string out;
  out.reserve((end - begin) * rows.num_columns() * 12);
  const auto& names = rows.column_names();
  std::vector<std::string> keys;
  keys.reserve(names.size());
  for (const auto& n : names) keys.push_back(nlohmann::json(n).dump() + ":");
  for (size_t r = begin; r < end; ++r) {
    out += '{';
    bool first = true;
    for (size_t i = 0; i < rows.num_columns(); ++i) {
      const Column& col = rows.col(i);
      if (col.is_null(r)) continue;
      if (!first) out += ',';
      first = false;
      out += keys[i];
      const ColumnType type = rows.def(i).type;
      auto where = [&] { return rows.schema().name + ": row " + std::to_string(r) + ", column '" + names[i] + "'"; };
      switch (type) {
        case ColumnType::kInt64:
          out += std::to_string(col.int_at(r));
          break;
        case ColumnType::kBool:
          out += col.int_at(r) ? "true" : "false";
          break;
        case ColumnType::kDate:
          out += '"' + Date(static_cast<int32_t>(col.int_at(r))).iso() + '"';
          break;
        case ColumnType::kFloat64:
          put_float(out, col.get_real(r).value());
          break;
        case ColumnType::kNumeric:
          put_numeric(out, col.get_real(r).value(), where());
          break;
        case ColumnType::kJson:
        case ColumnType::kArray:
          put_json_text(out, col.text_at(r), rows.def(i), where());
          break;
        case ColumnType::kString:
        case ColumnType::kTimestamp:
          out += nlohmann::json(col.text_at(r)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          break;
      }
    }
    out += "}\n";
  }
  return out;
}

bool sql_literal(std::string& out, const Table& rows, size_t row, size_t column) {
  const Column& col = rows.col(column);
  if (col.is_null(row)) {
    out += "NULL";
    return true;
  }
  switch (rows.def(column).type) {
    case ColumnType::kInt64:
      out += std::to_string(col.int_at(row));
      return true;
    case ColumnType::kBool:
      out += col.int_at(row) ? "TRUE" : "FALSE";
      return true;
    case ColumnType::kDate:
      out += "DATE '" + Date(static_cast<int32_t>(col.int_at(row))).iso() + "'";
      return true;
    case ColumnType::kFloat64: {
      const double v = col.get_real(row).value();
      if (!std::isfinite(v)) return false;
      const size_t at = out.size();
      put_float(out, v);
      if (out.find_first_of(".e", at) == std::string::npos) out += ".0";  // a FLOAT64 literal, not INT64
      return true;
    }
    case ColumnType::kNumeric: {
      const double v = col.get_real(row).value();
      if (!std::isfinite(v)) return false;
      out += "NUMERIC '" + numeric_text(v, rows.schema().name) + "'";
      return true;
    }
    case ColumnType::kString:
    case ColumnType::kTimestamp: {
      const std::string& text = col.text_at(row);
      std::string lit = rows.def(column).type == ColumnType::kTimestamp ? "TIMESTAMP '" : "'";
      for (char c : text) {
        if (c == '\\' || c == '\'') {
          lit += '\\';
          lit += c;
        } else if (c == '\n') {
          lit += "\\n";
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          return false;  // other control characters go through a load job
        } else {
          lit += c;
        }
      }
      out += lit + "'";
      return true;
    }
    case ColumnType::kJson:
    case ColumnType::kArray:
      return false;
  }
  return false;
}

std::optional<std::string> to_sql_values(const Table& rows, size_t max_cells) {
  if (rows.num_rows() == 0 || rows.num_rows() * rows.num_columns() > max_cells) return std::nullopt;
  std::string out;
  out.reserve(rows.num_rows() * rows.num_columns() * 12);
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    out += r ? ",\n(" : "(";
    for (size_t i = 0; i < rows.num_columns(); ++i) {
      if (i) out += ", ";
      if (!sql_literal(out, rows, r, i)) return std::nullopt;
    }
    out += ')';
  }
  return out;
}

void append_rows(Table& out, const nlohmann::json& rows) {
  const size_t ncol = out.num_columns();
  const size_t base = out.num_rows();
  out.resize(base + rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    const auto& f = rows[k].at("f");
    if (f.size() != ncol) {
      throw DataError(out.schema().name + ": BigQuery returned " + std::to_string(f.size()) + " columns, expected " +
                      std::to_string(ncol));
    }
    const size_t r = base + k;
    for (size_t i = 0; i < ncol; ++i) {
      const auto& v = f[i].at("v");
      Column& col = out.col(i);
      const ColumnType type = out.def(i).type;
      if (type == ColumnType::kArray) {
        if (v.is_null()) continue;
        nlohmann::json arr = nlohmann::json::array();
        const bool numbers = float_array(out.def(i));
        for (const auto& e : v) {
          const auto& x = e.at("v");
          arr.push_back(numbers && x.is_string() ? nlohmann::json(std::strtod(x.get<std::string>().c_str(), nullptr))
                                                 : x);
        }
        col.set_text(r, arr.dump());
        continue;
      }
      if (v.is_null()) continue;
      const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
      auto where = [&] {
        return out.schema().name + ": row " + std::to_string(r) + ", column '" + out.column_names()[i] + "'";
      };
      switch (type) {
        case ColumnType::kInt64: {
          int64_t x = 0;
          auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
          if (ec != std::errc() || p != s.data() + s.size()) throw DataError(where() + ": INT64 value '" + s + "'");
          col.set_int(r, x);
          break;
        }
        case ColumnType::kBool:
          col.set_int(r, s == "true" ? 1 : 0);
          break;
        case ColumnType::kDate:
          col.set_int(r, Date::parse(s, where()).days());
          break;
        case ColumnType::kFloat64:
        case ColumnType::kNumeric: {
          char* end = nullptr;
          const double x = std::strtod(s.c_str(), &end);
          if (end == s.c_str() || *end) throw DataError(where() + ": numeric value '" + s + "'");
          col.set_real(r, x);
          break;
        }
        case ColumnType::kTimestamp:
          col.set_text(r, timestamp_text(s, where()));
          break;
        case ColumnType::kJson:
        case ColumnType::kString:
        case ColumnType::kArray:
          col.set_text(r, s);
          break;
      }
    }
  }
}

}  // namespace nbaprops::bq
