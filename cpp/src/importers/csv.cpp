// RFC-4180 CSV reading (see csv.hpp).
#include "nbaprops/importers/csv.hpp"

#include "nbaprops/core/error.hpp"

namespace nbaprops::importers {

CsvReader::CsvReader(std::string_view text, std::string source_name) : text_(text), source_(std::move(source_name)) {
  // A UTF-8 byte-order mark is not part of the first column name.
  if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  // Skip blank lines (LF or CRLF only).
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  std::string field;
  const size_t n = text_.size();
  while (true) {
    field.clear();
    if (pos_ < n && text_[pos_] == '"') {
      const int64_t quote_line = line_;
      ++pos_;
      while (true) {
        if (pos_ >= n) {
          throw DataError(source_ + " line " + std::to_string(quote_line) + " field " +
                          std::to_string(fields.size() + 1) + ": unterminated quoted field");
        }
        char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < n && text_[pos_] == '"') {
            field.push_back('"');
            ++pos_;
          } else {
            break;
          }
        } else {
          if (c == '\n') ++line_;
          field.push_back(c);
        }
      }
      if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        throw DataError(source_ + " line " + std::to_string(line_) + " field " + std::to_string(fields.size() + 1) +
                        ": unexpected character after closing quote");
      }
    } else {
      size_t start = pos_;
      while (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        if (text_[pos_] == '"') {
          throw DataError(source_ + " line " + std::to_string(line_) + " field " + std::to_string(fields.size() + 1) +
                          ": quote inside an unquoted field");
        }
        ++pos_;
      }
      field.assign(text_.substr(start, pos_ - start));
    }
    fields.push_back(field);
    if (pos_ >= n) return true;
    char c = text_[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    // Record end: CRLF or LF (a lone CR is treated as a record end too).
    if (c == '\r') ++pos_;
    if (pos_ < n && text_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

CsvHeader::CsvHeader(const std::vector<std::string>& fields, std::string source_name)
    : names_(fields), source_(std::move(source_name)) {
  for (size_t i = 0; i < names_.size(); ++i) {
    auto [it, fresh] = index_.emplace(names_[i], i);
    // Which of two same-named columns holds the data is a guess: refused.
    if (!fresh) {
      throw DataError(source_ + " line 1 (header): column " + names_[i] + " appears twice (columns " +
                      std::to_string(it->second + 1) + " and " + std::to_string(i + 1) + ")");
    }
  }
}

size_t CsvHeader::require(std::string_view name) const {
  auto it = index_.find(std::string(name));
  if (it == index_.end()) {
    throw DataError(source_ + " line 1: missing column " + std::string(name));
  }
  return it->second;
}

}  // namespace nbaprops::importers
