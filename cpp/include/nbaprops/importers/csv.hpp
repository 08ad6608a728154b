#pragma once
/// @file csv.hpp
/// A small RFC-4180 CSV reader over an in-memory text: quoted fields, doubled
/// quotes inside quotes, embedded separators and newlines in quotes, LF or CRLF
/// record ends. Errors are DataErrors that name the source and the line number.
/// Not thread-safe (one reader per thread).

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nbaprops::importers {

/// Streams records out of a CSV text.
class CsvReader {
 public:
  /// @param text the whole file (must outlive the reader); @param source_name
  /// file name for errors.
  CsvReader(std::string_view text, std::string source_name);

  /// Reads the next record into @p fields (cleared first). Blank lines are
  /// skipped.
  /// @return false at end of input. @throws DataError on an unterminated quoted
  /// field or a quote inside an unquoted field (names the source and line).
  bool next(std::vector<std::string>& fields);

  /// 1-based line number on which the last record returned by next() started.
  [[nodiscard]] int64_t line() const noexcept { return record_line_; }
  [[nodiscard]] const std::string& source_name() const noexcept { return source_; }

 private:
  std::string_view text_;
  std::string source_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
};

/// Column positions from a header record.
class CsvHeader {
 public:
  CsvHeader() = default;
  /// @param fields the header record; @param source_name file name for errors.
  /// @throws DataError naming the column when two columns have the same name.
  CsvHeader(const std::vector<std::string>& fields, std::string source_name);
  /// @return the position of column @p name. @throws DataError naming the file
  /// and the column.
  [[nodiscard]] size_t require(std::string_view name) const;
  [[nodiscard]] size_t size() const noexcept { return names_.size(); }
  [[nodiscard]] const std::string& name(size_t i) const { return names_[i]; }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, size_t> index_;
  std::string source_;
};

}  // namespace nbaprops::importers
