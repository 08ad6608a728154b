#pragma once
/// @file validate.hpp
/// Range and consistency checks shared by every raw importer, so that a file
/// with an absurd value is refused before anything is written, with a message
/// that names the file, the row, the field, the value and the date. Usage, in
/// an importer's row loop:
///
/// ```cpp
/// RowRef at(path, "line " + std::to_string(line));        // file + row
/// at.set_date(date.iso());                                 // once the row's
/// date is known int64_t pts = check_int(at, "pts", json_value,
/// limits::kPoints); double min = parse_minutes(at, "min", text); // "34",
/// "34:12" or "34.2" check_makes(at, "fgm", fgm, "fga", fga); // makes ≤
/// attempts keys.claim(at, game_id + "|" + player_lookup);           // unique
/// key per table
/// ```
/// Every failing check throws DataError: "<file> <row> field <field> value
/// '<v>' (date <d>): <why>". The functions are pure and thread-safe; a
/// UniqueKeys instance is not (one per import).

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "nbaprops/core/table.hpp"

namespace nbaprops::importers {

/// Inclusive range of a field's plausible values.
struct Limits {
  double min;  ///< smallest accepted value
  double max;  ///< largest accepted value
};

/// Basketball-sense limits. Per player and game unless the name says team.
namespace limits {
inline constexpr Limits kMinutes{0, 70};        ///< minutes played (48 + several overtimes)
inline constexpr Limits kPoints{0, 120};        ///< points (the record is 100)
inline constexpr Limits kPlayerCount{0, 100};   ///< other counting stats: FGA, rebounds, assists…
inline constexpr Limits kFouls{0, 10};          ///< personal fouls (6 disqualify; a few more are possible)
inline constexpr Limits kTeamScore{0, 250};     ///< a team's points (All-Star games reach ~210)
inline constexpr Limits kTeamCount{0, 300};     ///< a team's counting stats
inline constexpr Limits kTeamMinutes{0, 400};   ///< a team's summed minutes (240 + overtimes)
inline constexpr Limits kFraction{0, 1};        ///< a percentage stored as a fraction (0.456)
inline constexpr Limits kPlusMinus{-100, 100};  ///< plus/minus
inline constexpr Limits kPeriod{0, 10};         ///< game period (4 quarters + overtimes)
inline constexpr Limits kId{1, 9.0e15};         ///< numeric ids (player, team, game): positive
}  // namespace limits

/// Where a value comes from: the file, the row (any text: "line 12", "game #3
/// player x") and, once known, the date. Every check takes one, so every
/// message names all three.
class RowRef {
 public:
  /// @param source file name; @param row row description; @param date ISO date
  /// or "".
  RowRef(std::string source, std::string row, std::string date = "")
      : source_(std::move(source)), row_(std::move(row)), date_(std::move(date)) {}
  /// Sets the date once the row's date has been read.
  void set_date(std::string iso) { date_ = std::move(iso); }
  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  [[nodiscard]] const std::string& row() const noexcept { return row_; }
  [[nodiscard]] const std::string& date() const noexcept { return date_; }
  /// "<source> <row>" plus " (date D)" when known.
  [[nodiscard]] std::string where() const;
  /// @throws DataError "<source> <row> field <field> value '<value>' (date D):
  /// <why>".
  [[noreturn]] void fail(std::string_view field, std::string_view value, std::string_view why) const;

 private:
  std::string source_;
  std::string row_;
  std::string date_;
};

/// @return @p v as an integer. @throws DataError when @p v is not finite, not a
/// whole number, or outside @p lim (1e300 is refused, never stored as
/// INT64_MIN).
int64_t check_int(const RowRef& at, std::string_view field, double v, Limits lim);
/// Integer overload (JSON integers): @throws DataError when outside @p lim.
int64_t check_int(const RowRef& at, std::string_view field, int64_t v, Limits lim);
/// @return @p v. @throws DataError when @p v is not finite or outside @p lim.
double check_real(const RowRef& at, std::string_view field, double v, Limits lim);
/// Parses a whole decimal integer ("12", "-3"; no spaces, signs only leading).
/// @throws DataError when @p text is not one or is outside @p lim.
int64_t parse_int(const RowRef& at, std::string_view field, std::string_view text, Limits lim);
/// Parses minutes played: "34", "34:12" (seconds 00–59) or "34.2". @return
/// decimal minutes.
/// @throws DataError for any other shape ("xx:yy", "-5", "12:75") or a value
/// outside @p lim.
double parse_minutes(const RowRef& at, std::string_view field, std::string_view text, Limits lim = limits::kMinutes);
/// @throws DataError (naming both fields) when @p makes > @p attempts.
void check_makes(const RowRef& at, std::string_view makes_field, int64_t makes, std::string_view attempts_field,
                 int64_t attempts);

/// Length of the longest valid UTF-8 prefix of @p text (text.size() when all
/// of it is valid UTF-8: no stray continuation bytes, overlong forms,
/// surrogates or code points above U+10FFFF). Pure and thread-safe.
size_t valid_utf8_prefix(std::string_view text) noexcept;
/// At most @p max_bytes of @p text, cut at a character boundary, every byte
/// that is not part of a valid UTF-8 sequence written as the four characters
/// "\xNN" (so "Jos\xe9" stays readable and the result is always valid UTF-8;
/// as Python's backslashreplace): for messages and ledger reasons.
std::string utf8_clip(std::string_view text, size_t max_bytes);
/// @throws DataError (via @p at: file, row, field, the escaped value, date)
/// when @p text is not valid UTF-8.
void require_utf8(const RowRef& at, std::string_view field, std::string_view text);

/// Remembers the keys seen in one import so that a key repeated in a file is
/// refused naming both rows. Not thread-safe (one per import).
class UniqueKeys {
 public:
  /// @param what the key's description in messages, e.g. "(game_id,
  /// player_lookup)".
  explicit UniqueKeys(std::string what) : what_(std::move(what)) {}
  /// Records @p key at @p at. @throws DataError when @p key was claimed before.
  void claim(const RowRef& at, const std::string& key);

 private:
  std::string what_;
  std::unordered_map<std::string, std::string> first_;  // key → where it was first seen
};

/// Safety net after an importer built its rows: the schema's key columns are
/// unique.
/// @param source the file name for the message. @throws DataError naming the
/// table, the key values, both row numbers and the date.
void require_unique_keys(const Table& rows, std::string_view source);

}  // namespace nbaprops::importers
