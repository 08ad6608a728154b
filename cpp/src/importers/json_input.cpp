// Depth-limited JSON parsing and bounded previews (see json_input.hpp).
#include "json_input.hpp"

#include "nbaprops/core/error.hpp"
#include "nbaprops/importers/validate.hpp"

namespace nbaprops::importers {
namespace {

using nlohmann::json;

/// JSON string literal of at most the first @p n bytes of @p s, cut at a
/// character boundary (dump() throws on a cut UTF-8 sequence).
std::string quoted_prefix(const std::string& s, size_t n) {
  std::string part = s.substr(0, n);
  part.resize(valid_utf8_prefix(part));
  return json(part).dump();
}

/// Appends a preview of @p v to @p out until it holds @p limit characters;
/// the recursion depth is bounded by @p limit (every level adds a character).
void preview_into(const json& v, std::string& out, size_t limit) {
  if (out.size() >= limit) return;
  if (v.is_array() || v.is_object()) {
    const bool arr = v.is_array();
    out += arr ? '[' : '{';
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (out.size() >= limit) return;
      if (!first) out += ',';
      first = false;
      if (!arr) out += quoted_prefix(it.key(), limit - out.size() + 1) + ':';
      preview_into(*it, out, limit);
    }
    if (out.size() < limit) out += arr ? ']' : '}';
    return;
  }
  if (v.is_string()) {
    // A short prefix only (a huge string is not copied whole).
    out += quoted_prefix(v.get_ref<const std::string&>(), limit - out.size() + 1);
    return;
  }
  out += v.dump();  // a scalar: a few characters
}

}  // namespace

json parse_json_limited(std::string_view text, const std::string& source) {
  const json::parser_callback_t guard = [&source](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth) {
      throw DataError(source + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                      " levels (arrays/objects inside each other); not a file this importer reads");
    }
    return true;
  };
  return json::parse(text.begin(), text.end(), guard);
}

std::string json_preview(const json& v, size_t max_chars) {
  std::string out;
  preview_into(v, out, max_chars);
  if (out.size() >= max_chars) {
    out.resize(max_chars);
    // Do not end inside a UTF-8 sequence.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    out += "…";
  }
  return out;
}

}  // namespace nbaprops::importers
