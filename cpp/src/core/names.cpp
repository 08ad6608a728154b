#include "nbaprops/core/names.hpp"

#include <cstdint>

namespace nbaprops {
namespace {

/// ASCII letters of a Latin code point in U+00C0..U+017F (generated from
/// Unicode NFKD, with the letters NFKD cannot decompose — Đ, Ł, Ø, Œ, Þ, ß … —
/// spelled out), or nullptr.
const char* fold(uint32_t cp) {
  static const char* const kFold[0x180 - 0xC0] = {
      "a", "a", "a",  "a",     "a", "a", "ae", "c",  "e", "e", "e",  "e",  "i", "i", "i",  "i",     "d", "n", "o",  "o",
      "o", "o", "o",  nullptr, "o", "u", "u",  "u",  "u", "y", "th", "ss", "a", "a", "a",  "a",     "a", "a", "ae", "c",
      "e", "e", "e",  "e",     "i", "i", "i",  "i",  "d", "n", "o",  "o",  "o", "o", "o",  nullptr, "o", "u", "u",  "u",
      "u", "y", "th", "y",     "a", "a", "a",  "a",  "a", "a", "c",  "c",  "c", "c", "c",  "c",     "c", "c", "d",  "d",
      "d", "d", "e",  "e",     "e", "e", "e",  "e",  "e", "e", "e",  "e",  "g", "g", "g",  "g",     "g", "g", "g",  "g",
      "h", "h", "h",  "h",     "i", "i", "i",  "i",  "i", "i", "i",  "i",  "i", "i", "ij", "ij",    "j", "j", "k",  "k",
      "k", "l", "l",  "l",     "l", "l", "l",  "l",  "l", "l", "l",  "n",  "n", "n", "n",  "n",     "n", "n", "n",  "n",
      "o", "o", "o",  "o",     "o", "o", "oe", "oe", "r", "r", "r",  "r",  "r", "r", "s",  "s",     "s", "s", "s",  "s",
      "s", "s", "t",  "t",     "t", "t", "t",  "t",  "u", "u", "u",  "u",  "u", "u", "u",  "u",     "u", "u", "u",  "u",
      "w", "w", "y",  "y",     "y", "z", "z",  "z",  "z", "z", "z",  "s"};
  if (cp >= 0xC0 && cp < 0x180) return kFold[cp - 0xC0];
  return nullptr;
}

}  // namespace

std::string player_lookup(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z')
        out.push_back(static_cast<char>(c - 'A' + 'a'));
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence; invalid bytes are skipped.
    uint32_t cp = 0;
    size_t len = 0;
    if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      len = 4;
    } else {
      ++i;
      continue;
    }
    if (i + len > name.size()) break;
    bool ok = true;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(name[i + k]);
      if ((cc & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    i += ok ? len : 1;
    if (!ok) continue;
    if (const char* f = fold(cp)) out += f;
  }
  return out;
}

}  // namespace nbaprops
