#pragma once
/// @file utf8.hpp
/// UTF-8 validity, byte by byte: what the importers check in input text and
/// what the checkpoint reader escapes in messages about a damaged file.

#include <cstddef>
#include <string_view>

namespace nbaprops {

/// The length (1-4) of the valid UTF-8 sequence starting at byte @p i of
/// @p s, or 0 when the byte there does not start one (a continuation byte, an
/// overlong form, a surrogate, a code point above U+10FFFF, or a sequence cut
/// short by the end of @p s).
std::size_t utf8_sequence(std::string_view s, std::size_t i);

}  // namespace nbaprops
