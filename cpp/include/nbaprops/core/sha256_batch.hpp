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

#include <array>
#include <cstddef>
#include <string_view>

namespace nbaprops {

/// How many messages sha256_hex16_batch takes at once.
inline constexpr size_t kSha256BatchMax = 32;

/// out[i] = the first 16 hex chars of SHA-256(msgs[i]), for i < @p n
/// (≤ kSha256BatchMax): sha256_hex16(msgs[i]) (table.hpp), the messages hashed
/// side by side through a per-thread multi-buffer manager (one longer than its
/// lanes take, 32 KiB here, alone by OpenSSL).
/// @throws InternalError when the library reports a failed job.
void sha256_hex16_batch(const std::string_view* msgs, size_t n, std::array<char, 16>* out);

/// Whether sha256_hex16_batch hashes messages side by side (the build has the
/// multi-buffer library), and with which of its implementations ("sse" with
/// the SHA extensions, "avx2", "avx512"), or "openssl".
std::string_view sha256_batch_engine();

}  // namespace nbaprops
