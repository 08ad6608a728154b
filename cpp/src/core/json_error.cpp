#include "nbaprops/core/json_error.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace nbaprops {
namespace {

using json = nlohmann::json;

/// The byte at 1-based position @p byte of @p text, quoted when printable
/// ASCII, else in hex.
std::string shown_byte(std::string_view text, size_t byte) {
  const auto c = static_cast<unsigned char>(text[byte - 1]);
  if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", c);
  return hex;
}

std::string parse_error_text(const json::parse_error& e, std::string_view text) {
  const size_t byte = e.byte;
  if (text.empty() && byte <= 1) return "not valid JSON: empty text";
  if (!text.empty()) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return "not valid JSON: empty text";
    if (byte > text.size()) {
      return "not valid JSON: the text ends after byte " + std::to_string(text.size()) + ", inside a value";
    }
    if (byte >= 1) return "not valid JSON at byte " + std::to_string(byte) + " (" + shown_byte(text, byte) + ")";
  }
  return "not valid JSON at byte " + std::to_string(byte);
}

}  // namespace

std::string json_error_text(const std::exception& e, std::string_view text) {
  if (const auto* p = dynamic_cast<const json::parse_error*>(&e)) return parse_error_text(*p, text);
  if (dynamic_cast<const json::type_error*>(&e)) return "a JSON value has the wrong type";
  if (const auto* o = dynamic_cast<const json::out_of_range*>(&e)) {
    // 406: a number literal beyond the range of a double, found while parsing.
    return o->id == 406 ? "not valid JSON: a number is too large for a double" : "a JSON key or index is missing";
  }
  if (dynamic_cast<const json::exception*>(&e)) return "invalid JSON value";
  return e.what();
}

std::string plain_json_error(const std::exception& e) {
  std::string m = e.what();
  // "[json.exception.<kind>.<id>] " tag.
  if (m.starts_with("[json.exception.")) {
    if (auto close = m.find("] "); close != std::string::npos) m.erase(0, close + 2);
  }
  // "parse error at line L, column C: syntax error while parsing value - detail".
  std::string where;
  if (m.starts_with("parse error")) {
    m.erase(0, std::string_view("parse error").size());
    if (auto colon = m.find(": "); colon != std::string::npos) {
      where = m.substr(0, colon);  // " at line L, column C" (may be empty)
      m.erase(0, colon + 2);
    }
    if (auto dash = m.find(" - "); dash != std::string::npos && m.starts_with("syntax error")) m.erase(0, dash + 3);
  }
  while (!where.empty() && where.front() == ' ') where.erase(0, 1);
  return where.empty() ? m : where + ": " + m;
}

}  // namespace nbaprops
