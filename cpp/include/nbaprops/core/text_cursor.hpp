#pragma once
/// @file
/// A cursor writing text into a std::string used as a plain buffer (the row
/// texts of the legacy data_hash, built once per output row).

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace nbaprops {

/// Writes text from the start of a caller's buffer (a thread's scratch string,
/// reused from row to row) over its whole capacity: room is checked once per
/// value, not per character, and the buffer grows, keeping what is written,
/// when a value needs more. The text written is text(); the buffer's size is
/// its capacity, not the text's length.
class TextCursor {
 public:
  explicit TextCursor(std::string& buf) : buf_(buf) {
    if (buf_.size() < buf_.capacity()) buf_.resize(buf_.capacity());
  }

  /// The write position, with room for at least @p n characters after it;
  /// what is written there counts once advance_to() is given its end.
  char* room(size_t n) {
    if (buf_.size() - used_ < n) buf_.resize(std::max(buf_.size() * 2, used_ + n));
    return buf_.data() + used_;
  }
  /// Marks the text up to @p end (in what room() returned) as written.
  void advance_to(const char* end) { used_ = static_cast<size_t>(end - buf_.data()); }

  void append(std::string_view s) {
    if (s.empty()) return;  // an empty view may have no data (memcpy's source must not be null)
    std::memcpy(room(s.size()), s.data(), s.size());
    used_ += s.size();
  }
  void append(char c) {
    *room(1) = c;
    ++used_;
  }
  /// The decimal text of @p v (what std::to_string writes).
  void append_int(int64_t v) {
    constexpr size_t kMost = 20;  // "-9223372036854775808"
    char* p = room(kMost);
    advance_to(std::to_chars(p, p + kMost, v).ptr);
  }

  [[nodiscard]] std::string_view text() const { return {buf_.data(), used_}; }

 private:
  std::string& buf_;
  size_t used_ = 0;
};

}  // namespace nbaprops
