#include "nbaprops/core/date.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <utility>

#include "nbaprops/core/error.hpp"

namespace nbaprops {
namespace {
namespace chr = std::chrono;

chr::year_month_day ymd_of(Date d) { return chr::year_month_day{chr::sys_days{chr::days{d.days()}}}; }

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

/// The date of @p y, @p m, @p d; nullopt when they name no calendar day.
std::optional<Date> date_of(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const chr::year_month_day ymd{chr::year{y}, chr::month{static_cast<unsigned>(m)}, chr::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return Date(static_cast<int32_t>(chr::sys_days{ymd}.time_since_epoch().count()));
}

/// Reads `YYYY-MM-DD` into @p out.
/// @return why @p text is not one, or nullptr when it is.
const char* read_iso(std::string_view text, std::optional<Date>& out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return "bad format";
  int y = 0, m = 0, d = 0;
  if (!parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5, 2), m) || !parse_int(text.substr(8, 2), d)) {
    return "non-digit characters";
  }
  out = date_of(y, m, d);
  return out ? nullptr : "no such day";
}

/// Reads one or two digits of @p text from @p pos up to @p sep (excluded);
/// with @p space_padded also a space and one digit (strptime's %d takes " 4").
/// @return the value and where the separator is; nullopt otherwise.
std::optional<std::pair<int, size_t>> one_or_two_digits(std::string_view text, size_t pos, char sep,
                                                        bool space_padded) {
  const size_t end = text.find(sep, pos);
  if (end == std::string_view::npos || end == pos || end - pos > 2) return std::nullopt;
  std::string_view digits = text.substr(pos, end - pos);
  if (space_padded && digits.size() == 2 && digits[0] == ' ') digits.remove_prefix(1);
  int v = 0;
  if (!parse_int(digits, v)) return std::nullopt;
  return std::make_pair(v, end);
}
}  // namespace

Date Date::from_ymd(int year, int month, int day) {
  if (const auto d = date_of(year, month, day)) return *d;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  throw DataError(std::string("not a calendar date: ") + buf);
}

Date Date::parse(std::string_view text, std::string_view what) {
  std::optional<Date> date;
  if (const char* why = read_iso(text, date)) {
    throw DataError(std::string(what) + ": invalid date '" + std::string(text) + "' (" + why +
                    "; expected YYYY-MM-DD)");
  }
  return *date;
}

std::optional<Date> Date::try_parse(std::string_view text) {
  std::optional<Date> date;
  read_iso(text, date);
  return date;
}

std::optional<Date> Date::try_parse_mdy(std::string_view text, char sep) {
  const auto month = one_or_two_digits(text, 0, sep, false);
  if (!month) return std::nullopt;
  const auto day = one_or_two_digits(text, month->second + 1, sep, true);
  if (!day) return std::nullopt;
  int y = 0;
  const std::string_view year = text.substr(day->second + 1);
  if (year.size() != 4 || !parse_int(year, y)) return std::nullopt;
  return date_of(y, month->first, day->first);
}

Date Date::today() {
  auto now = chr::floor<chr::days>(chr::system_clock::now());
  return Date(static_cast<int32_t>(now.time_since_epoch().count()));
}

int Date::year() const { return static_cast<int>(ymd_of(*this).year()); }
int Date::month() const { return static_cast<int>(static_cast<unsigned>(ymd_of(*this).month())); }
int Date::day() const { return static_cast<int>(static_cast<unsigned>(ymd_of(*this).day())); }
int Date::iso_weekday() const { return static_cast<int>(chr::weekday{chr::sys_days{chr::days{days_}}}.iso_encoding()); }

namespace {

/// Writes y, m, d as digits (with @p sep between them when not '\0'): no printf.
std::string format_ymd(Date d, char sep) {
  const auto ymd = ymd_of(d);
  const int y = static_cast<int>(ymd.year());
  const auto m = static_cast<unsigned>(ymd.month()), dd = static_cast<unsigned>(ymd.day());
  if (y < 0 || y > 9999) {  // outside what dates parse from; kept printable
    char buf[32];
    std::snprintf(buf, sizeof buf, sep ? "%04d-%02u-%02u" : "%04d%02u%02u", y, m, dd);
    return buf;
  }
  std::string out;
  out.reserve(10);
  const auto digit = [&](unsigned v) { out.push_back(static_cast<char>('0' + v)); };
  digit(static_cast<unsigned>(y) / 1000);
  digit(static_cast<unsigned>(y) / 100 % 10);
  digit(static_cast<unsigned>(y) / 10 % 10);
  digit(static_cast<unsigned>(y) % 10);
  if (sep) out.push_back(sep);
  digit(m / 10);
  digit(m % 10);
  if (sep) out.push_back(sep);
  digit(dd / 10);
  digit(dd % 10);
  return out;
}

}  // namespace

std::string Date::iso() const { return format_ymd(*this, '-'); }

std::string Date::compact() const { return format_ymd(*this, '\0'); }

std::string iso_timestamp_now(bool utc) {
  auto now = chr::system_clock::now();
  std::time_t t = chr::system_clock::to_time_t(now);
  auto us = chr::duration_cast<chr::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  if (utc) {
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us), utc ? "Z" : "");
  return buf;
}

int season_of(Date d) { return d.month() >= 10 ? d.year() : d.year() - 1; }

}  // namespace nbaprops
