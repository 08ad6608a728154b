// Shared range and consistency checks of the raw importers (see validate.hpp).
#include "nbaprops/importers/validate.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <vector>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/utf8.hpp"

namespace nbaprops::importers {
namespace {

std::string num_text(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string range_text(Limits lim) {
  return "outside the plausible range " + num_text(lim.min) + ".." + num_text(lim.max);
}

}  // namespace

std::string RowRef::where() const {
  std::string s = source_ + " " + row_;
  if (!date_.empty()) s += " (date " + date_ + ")";
  return s;
}

void RowRef::fail(std::string_view field, std::string_view value, std::string_view why) const {
  std::string msg = source_ + " " + row_ + " field " + std::string(field) + " value '" + std::string(value) + "'";
  if (!date_.empty()) msg += " (date " + date_ + ")";
  throw DataError(msg + ": " + std::string(why));
}

int64_t check_int(const RowRef& at, std::string_view field, double v, Limits lim) {
  if (!std::isfinite(v)) at.fail(field, num_text(v), "not a finite number");
  if (v < lim.min || v > lim.max) at.fail(field, num_text(v), range_text(lim));
  if (v != std::floor(v)) at.fail(field, num_text(v), "not a whole number");
  return static_cast<int64_t>(v);
}

int64_t check_int(const RowRef& at, std::string_view field, int64_t v, Limits lim) {
  if (static_cast<double>(v) < lim.min || static_cast<double>(v) > lim.max) {
    at.fail(field, std::to_string(v), range_text(lim));
  }
  return v;
}

double check_real(const RowRef& at, std::string_view field, double v, Limits lim) {
  if (!std::isfinite(v)) at.fail(field, num_text(v), "not a finite number");
  if (v < lim.min || v > lim.max) at.fail(field, num_text(v), range_text(lim));
  return v;
}

int64_t parse_int(const RowRef& at, std::string_view field, std::string_view text, Limits lim) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    at.fail(field, text, ec == std::errc::result_out_of_range ? "integer out of range" : "not an integer");
  }
  return check_int(at, field, v, lim);
}

double parse_minutes(const RowRef& at, std::string_view field, std::string_view text, Limits lim) {
  auto digits = [](std::string_view s) {
    return !s.empty() && s.size() <= 4 && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  const size_t colon = text.find(':');
  double minutes = 0;
  if (colon != std::string_view::npos) {
    std::string_view mm = text.substr(0, colon), ss = text.substr(colon + 1);
    if (!digits(mm) || ss.size() != 2 || !digits(ss)) at.fail(field, text, "expected minutes as MM, MM:SS or MM.D");
    const int sec = (ss[0] - '0') * 10 + (ss[1] - '0');
    if (sec > 59) at.fail(field, text, "seconds above 59");
    minutes = std::stoi(std::string(mm)) + sec / 60.0;
  } else {
    const size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view{"0"} : text.substr(dot + 1);
    if (!digits(whole) || !digits(frac)) at.fail(field, text, "expected minutes as MM, MM:SS or MM.D");
    minutes = std::stod(std::string(text));
  }
  if (minutes < lim.min || minutes > lim.max) at.fail(field, text, range_text(lim));
  return minutes;
}

void check_makes(const RowRef& at, std::string_view makes_field, int64_t makes, std::string_view attempts_field,
                 int64_t attempts) {
  if (makes > attempts) {
    at.fail(makes_field, std::to_string(makes),
            "more than " + std::string(attempts_field) + " (" + std::to_string(attempts) + ")");
  }
}

size_t valid_utf8_prefix(std::string_view text) noexcept {
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = utf8_sequence(text, i);
    if (n == 0) return i;
    i += n;
  }
  return i;
}

std::string utf8_clip(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = utf8_sequence(text, i);
    const size_t width = n == 0 ? 4 : n;
    if (out.size() + width > max_bytes) break;
    if (n == 0) {
      static const char kHex[] = "0123456789abcdef";
      const auto c = static_cast<unsigned char>(text[i]);
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

void require_utf8(const RowRef& at, std::string_view field, std::string_view text) {
  const size_t ok = valid_utf8_prefix(text);
  if (ok == text.size()) return;
  at.fail(field, utf8_clip(text, 120),
          "not valid UTF-8 (byte " + std::to_string(ok + 1) + " of the value; is the file Latin-1 / Windows-1252?)");
}

void UniqueKeys::claim(const RowRef& at, const std::string& key) {
  auto [it, fresh] = first_.try_emplace(key, at.row());
  if (!fresh) {
    throw DataError(at.where() + ": duplicate " + what_ + " " + key + " (first at " + it->second + ")");
  }
}

void require_unique_keys(const Table& rows, std::string_view source) {
  const TableSchema& s = rows.schema();
  std::vector<size_t> idx;
  for (const auto& k : s.key_columns) {
    if (rows.index_of(k) >= 0) idx.push_back(rows.require(k));
  }
  if (idx.empty()) return;
  std::map<std::vector<std::string>, size_t> seen;
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    std::vector<std::string> key;
    key.reserve(idx.size());
    for (size_t i : idx) key.push_back(rows.cell_text(r, i));
    auto [it, fresh] = seen.emplace(key, r);
    if (fresh) continue;
    std::string k;
    for (size_t i = 0; i < idx.size(); ++i) k += (i ? ", " : "") + rows.column_names()[idx[i]] + "=" + key[i];
    const int part = rows.index_of(s.partition_column);
    std::string date = part >= 0 ? " (date " + rows.cell_text(r, static_cast<size_t>(part)) + ")" : "";
    throw DataError(std::string(source) + ": " + s.name + " rows " + std::to_string(it->second) + " and " +
                    std::to_string(r) + " share the key (" + k + ")" + date);
  }
}

}  // namespace nbaprops::importers
