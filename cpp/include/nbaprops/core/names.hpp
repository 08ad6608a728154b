#pragma once
/// @file names.hpp
/// Player name normalisation: the legacy `player_lookup` key.

#include <string>
#include <string_view>

namespace nbaprops {

/// Lowercase, diacritics transliterated (UTF-8 Latin-1 Supplement and Latin
/// Extended-A), every non-alphanumeric removed, suffixes kept: "LeBron James
/// Jr." → "lebronjamesjr", "Nikola Jokić" → "nikolajokic", "Dāvis Bertāns" →
/// "davisbertans". Thread-safe.
std::string player_lookup(std::string_view name);

}  // namespace nbaprops
