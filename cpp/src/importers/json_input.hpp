#pragma once
// JSON input shared by every JSON importer: parsing with a nesting limit (a
// file of 100,000 '[' must be a DataError, not a stack overflow in whatever
// walks the value later) and short previews of values for error messages that
// never walk the whole value.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "nbaprops/core/json_error.hpp"

namespace nbaprops::importers {

/// Deepest nesting of arrays / objects accepted in an input file (the lake's
/// deepest files nest about 6 levels).
inline constexpr int kMaxJsonDepth = 64;

/// Parses @p text. @throws DataError naming @p source when the text nests
/// deeper than kMaxJsonDepth; nlohmann::json::parse_error when it is not JSON
/// (callers word that message themselves).
nlohmann::json parse_json_limited(std::string_view text, const std::string& source);

/// A JSON rendering of @p v of at most about @p max_chars characters ("[[[[…"),
/// built from the front of the value only: its cost is bounded by @p max_chars
/// however large or deep @p v is.
std::string json_preview(const nlohmann::json& v, size_t max_chars = 60);

}  // namespace nbaprops::importers
