#pragma once
/// @file json_error.hpp
/// Our own wording for a failure of the JSON library (nlohmann::json), for
/// messages users read: the library's texts start with a tag such as
/// "[json.exception.parse_error.101]" and, for a wrong-typed value, say nothing
/// about where. Callers add what they know (file, record, field); this adds
/// what the library knows: the byte at which parsing stopped.

#include <exception>
#include <string>
#include <string_view>

namespace nbaprops {

/// Describes @p e, an exception thrown by nlohmann::json while parsing or
/// reading @p text, without the library's tag. Byte positions are 1-based.
/// - a parse error: "not valid JSON at byte 4 ('x')" (the byte where parsing
///   stopped and, when @p text is given, what is there), "not valid JSON: the
///   text ends after byte 10, inside a value", "not valid JSON: empty text",
///   "not valid JSON: a number is too large for a double";
/// - a value of the wrong type: "a JSON value has the wrong type";
/// - a missing key or an index out of range: "a JSON key or index is missing";
/// - any other nlohmann error: "invalid JSON value";
/// - any other exception: its what(), unchanged.
/// @param e the caught exception.
/// @param text the text that was parsed, or empty when unknown.
/// @return one line, no trailing punctuation.
std::string json_error_text(const std::exception& e, std::string_view text = {});

/// nlohmann's message for @p e ("[json.exception.parse_error.101] parse error at
/// line 1, column 1: syntax error while parsing value - invalid literal; last
/// read: 'S'") in plain words for a user: "at line 1, column 1: invalid
/// literal; last read: 'S'" (the library's tag and jargon dropped, the
/// position kept). Used where the text has lines (importers name the line and
/// column); any other exception: its what(), unchanged.
std::string plain_json_error(const std::exception& e);

}  // namespace nbaprops
