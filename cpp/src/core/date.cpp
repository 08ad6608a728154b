#include "nbaprops/core/date.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

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
}  // namespace

Date Date::from_ymd(int year, int month, int day) {
  chr::year_month_day ymd{chr::year{year}, chr::month{static_cast<unsigned>(month)},
                          chr::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    throw DataError(std::string("not a calendar date: ") + buf);
  }
  return Date(static_cast<int32_t>(chr::sys_days{ymd}.time_since_epoch().count()));
}

Date Date::parse(std::string_view text, std::string_view what) {
  auto fail = [&](const char* why) {
    throw DataError(std::string(what) + ": invalid date '" + std::string(text) + "' (" + why +
                    "; expected YYYY-MM-DD)");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') fail("bad format");
  int y = 0, m = 0, d = 0;
  if (!parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5, 2), m) || !parse_int(text.substr(8, 2), d)) {
    fail("non-digit characters");
  }
  chr::year_month_day ymd{chr::year{y}, chr::month{static_cast<unsigned>(m)}, chr::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) fail("no such day");
  return Date(static_cast<int32_t>(chr::sys_days{ymd}.time_since_epoch().count()));
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
