#pragma once
/// @file sha256_batch.hpp
/// SHA-256 of many short messages at once: the legacy `data_hash` of every row
/// a processor writes (16 hex chars of the SHA-256 of the row's rendered
/// fields, ~500 bytes). One message's SHA-256 is a chain of dependent rounds,
/// so a core hashing one row at a time waits on that chain; Intel's
/// multi-buffer library (libIPSec_MB, Debian's libipsec-mb-dev) interleaves
/// several messages' rounds (two lanes of the CPU's SHA extensions where it
/// has them, else 8 or 16 lanes of AVX2 / AVX-512). Built without it, the
/// messages are hashed one after the other with OpenSSL. The digests are the
/// same either way.

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "nbaprops/core/text_cursor.hpp"

namespace nbaprops {

/// How many messages sha256_hex16_batch takes at once.
inline constexpr size_t kSha256BatchMax = 32;

/// Writes the first @p hex_chars lowercase hex characters of @p digest at
/// @p out (two a byte, high nibble first): the text of every SHA-256 prefix the
/// project stores, whichever library hashed it.
inline void hex_prefix(const unsigned char* digest, size_t hex_chars, char* out) {
  constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < hex_chars; ++i) out[i] = kHex[i % 2 ? digest[i / 2] & 15 : digest[i / 2] >> 4];
}

/// out[i] = the first 16 hex chars of SHA-256(msgs[i]), for i < @p n
/// (≤ kSha256BatchMax): sha256_hex16(msgs[i]) (table.hpp), the messages hashed
/// side by side through a per-thread multi-buffer manager (one longer than its
/// lanes take, 32 KiB here, alone by OpenSSL).
/// @throws InternalError when the library reports a failed job.
void sha256_hex16_batch(const std::string_view* msgs, size_t n, std::array<char, 16>* out);

/// Hashes rows [@p begin, @p end) kSha256BatchMax at a time: @p render(text,
/// row) writes row's text at a TextCursor, the texts of a batch side by side in
/// @p scratch (a thread's buffer, kept at its largest size); then
/// @p store(row, hash) is given each row's 16 hex chars.
template <class Render, class Store>
void sha256_hex16_rows(size_t begin, size_t end, std::string& scratch, Render&& render, Store&& store) {
  std::array<size_t, kSha256BatchMax> ends{};
  std::array<std::string_view, kSha256BatchMax> texts;
  std::array<std::array<char, 16>, kSha256BatchMax> hashes{};
  for (size_t first = begin; first < end; first += kSha256BatchMax) {
    const size_t n = std::min(kSha256BatchMax, end - first);
    TextCursor text(scratch);
    for (size_t i = 0; i < n; ++i) {
      render(text, first + i);
      ends[i] = text.text().size();
    }
    // The buffer may have grown while the rows were written: their views are
    // taken once it holds them all.
    const std::string_view all = text.text();
    for (size_t i = 0, from = 0; i < n; from = ends[i++]) texts[i] = all.substr(from, ends[i] - from);
    sha256_hex16_batch(texts.data(), n, hashes.data());
    for (size_t i = 0; i < n; ++i) store(first + i, std::string_view(hashes[i].data(), hashes[i].size()));
  }
}

/// How sha256_hex16_batch hashes on this thread: "sse" (two lanes of the SHA
/// extensions), "avx2" or "avx512" (8 or 16 lanes) through the multi-buffer
/// library, or "openssl" (one by one: a build without the library, or a CPU
/// it cannot serve).
std::string_view sha256_batch_engine();

}  // namespace nbaprops
