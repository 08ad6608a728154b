#pragma once
/// @file date.hpp
/// Civil dates as day numbers (days since 1970-01-01), ISO-8601 parsing and the
/// NBA season rule.

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nbaprops {

/// A calendar date stored as a day number; cheap to copy, totally ordered,
/// hashable. Thread-safe: a value type.
class Date {
 public:
  constexpr Date() = default;
  /// @param days days since 1970-01-01 (negative before).
  constexpr explicit Date(int32_t days) : days_(days) {}
  /// Builds a date from year, month (1–12) and day (1–31).
  /// @throws DataError when the triple is not a real calendar date.
  static Date from_ymd(int year, int month, int day);
  /// Parses `YYYY-MM-DD` (exactly).
  /// @param text the ISO date; @param what a label used in the error (e.g.
  /// "--start-date").
  /// @throws DataError naming @p what and the bad text.
  static Date parse(std::string_view text, std::string_view what = "date");
  /// Parses `YYYY-MM-DD` (exactly), as parse() does.
  /// @return nullopt when @p text is not one or names no calendar day.
  static std::optional<Date> try_parse(std::string_view text);
  /// Parses a US date as Python's `datetime.strptime(text, "%m/%d/%Y")` does
  /// (the legacy's reading of the NBA.com `MM/DD/YYYY` fields), with @p sep in
  /// place of '/': a month of one or two digits, a day of one or two (or a
  /// space and one: "1/ 4/2024"), a year of four, nothing before or after.
  /// @return nullopt when @p text is not one or names no calendar day.
  static std::optional<Date> try_parse_mdy(std::string_view text, char sep = '/');
  /// @return today's date in UTC.
  static Date today();

  [[nodiscard]] constexpr int32_t days() const noexcept { return days_; }
  [[nodiscard]] int year() const;
  [[nodiscard]] int month() const;
  [[nodiscard]] int day() const;
  /// ISO weekday: 1 = Monday … 7 = Sunday.
  [[nodiscard]] int iso_weekday() const;
  /// @return `YYYY-MM-DD`.
  [[nodiscard]] std::string iso() const;
  /// @return `YYYYMMDD` (the date part of a legacy game id).
  [[nodiscard]] std::string compact() const;

  constexpr Date operator+(int32_t n) const noexcept { return Date(days_ + n); }
  constexpr Date operator-(int32_t n) const noexcept { return Date(days_ - n); }
  constexpr int32_t operator-(Date other) const noexcept { return days_ - other.days_; }
  constexpr auto operator<=>(const Date&) const = default;

 private:
  int32_t days_ = 0;
};

/// The current time as ISO-8601 with microseconds: UTC with a `Z` suffix (@p
/// utc true) or local naive time like Python's datetime.now().isoformat() (the
/// legacy checkpoint stamps).
std::string iso_timestamp_now(bool utc);

/// NBA season year of a date: month ≥ 10 → that year, else year − 1 (2024-06-15
/// → 2023).
int season_of(Date d);

/// Inclusive date range [start, end].
struct DateRange {
  Date start;
  Date end;
  [[nodiscard]] bool contains(Date d) const noexcept { return start <= d && d <= end; }
  [[nodiscard]] int32_t days() const noexcept { return end - start + 1; }
};

}  // namespace nbaprops

template <>
struct std::hash<nbaprops::Date> {
  size_t operator()(const nbaprops::Date& d) const noexcept { return std::hash<int32_t>{}(d.days()); }
};
