#include "nbaprops/core/sha256_batch.hpp"

#include <string>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/table.hpp"

#ifdef NBAPROPS_HAVE_IPSEC_MB
// The library's pre-0.53 compatibility names include SHA1 and SHA256 macros
// that collide with OpenSSL's functions.
#define NO_COMPAT_IMB_API_053
#include <intel-ipsec-mb.h>
#endif

namespace nbaprops {

namespace {

#ifdef NBAPROPS_HAVE_IPSEC_MB

/// This thread's multi-buffer manager. With the SHA extensions the SSE
/// manager hashes two messages at once through them (measured on the 2-core
/// machine, 58,881 messages of 480–560 bytes: 15 ms against OpenSSL's 34 ms);
/// the library's own choice there, AVX-512, runs 16 lanes without them
/// (22 ms). Without the extensions its choice (AVX2 or AVX-512 lanes) is kept.
/// A CPU the library cannot serve (its managers need SSE4.2 and AES-NI at the
/// least) leaves get() null: the messages then go to OpenSSL.
class Manager {
 public:
  Manager() : mgr_(alloc_mb_mgr(0)) {
    if (mgr_ == nullptr) return;
    if ((imb_get_feature_flags() & IMB_FEATURE_SHANI) != 0) {
      init_mb_mgr_sse(mgr_);
      engine_ = "sse";
    } else {
      IMB_ARCH arch = IMB_ARCH_NONE;
      init_mb_mgr_auto(mgr_, &arch);
      engine_ = arch == IMB_ARCH_AVX512 ? "avx512" : arch == IMB_ARCH_AVX2 ? "avx2" : "sse";
    }
    if (imb_get_errno(mgr_) != 0) {
      free_mb_mgr(mgr_);
      mgr_ = nullptr;
      engine_ = "openssl";
    }
  }
  ~Manager() {
    if (mgr_ != nullptr) free_mb_mgr(mgr_);
  }
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  IMB_MGR* get() const { return mgr_; }
  std::string_view engine() const { return engine_; }

 private:
  IMB_MGR* mgr_;
  std::string_view engine_ = "openssl";
};

Manager& manager() {
  thread_local Manager m;
  return m;
}

/// The longest message the library's lanes take (its SSE manager refuses
/// 65,535 bytes and more with "invalid authentication message length"), with a
/// margin: a longer one (a row text is ~500 bytes) is hashed by OpenSSL.
constexpr size_t kLaneMaxBytes = 32768;

/// Notes the first failed job's error in @p error.
void note(IMB_MGR* mgr, const IMB_JOB* job, std::string& error) {
  if (job->status != IMB_STATUS_COMPLETED && error.empty()) {
    const int err = imb_get_errno(mgr);
    error = err != 0 ? imb_get_strerror(err) : "job status " + std::to_string(static_cast<int>(job->status));
  }
}

#endif

}  // namespace

void sha256_hex16_batch(const std::string_view* msgs, size_t n, std::array<char, 16>* out) {
  if (n > kSha256BatchMax) throw InternalError("sha256_hex16_batch: more than kSha256BatchMax messages");
#ifdef NBAPROPS_HAVE_IPSEC_MB
  IMB_MGR* mgr = manager().get();
  if (mgr == nullptr) {
    for (size_t i = 0; i < n; ++i) sha256_hex16(msgs[i], out[i]);
    return;
  }
  std::array<std::array<unsigned char, 32>, kSha256BatchMax> digests;
  std::string error;
  for (size_t i = 0; i < n; ++i) {
    if (msgs[i].size() > kLaneMaxBytes) continue;
    IMB_JOB* job = IMB_GET_NEXT_JOB(mgr);
    job->cipher_mode = IMB_CIPHER_NULL;
    job->cipher_direction = IMB_DIR_ENCRYPT;
    job->chain_order = IMB_ORDER_HASH_CIPHER;
    job->cipher_start_src_offset_in_bytes = 0;
    job->msg_len_to_cipher_in_bytes = 0;
    job->hash_alg = IMB_AUTH_SHA_256;
    job->src = reinterpret_cast<const uint8_t*>(msgs[i].data());
    job->hash_start_src_offset_in_bytes = 0;
    job->msg_len_to_hash_in_bytes = msgs[i].size();
    job->auth_tag_output = digests[i].data();
    job->auth_tag_output_len_in_bytes = digests[i].size();
    for (const IMB_JOB* done = IMB_SUBMIT_JOB(mgr); done != nullptr; done = IMB_GET_COMPLETED_JOB(mgr)) {
      note(mgr, done, error);
    }
  }
  // Every job is out of the manager before anything is thrown: the thread's
  // next batch starts from an empty one.
  for (const IMB_JOB* done = IMB_FLUSH_JOB(mgr); done != nullptr; done = IMB_FLUSH_JOB(mgr)) note(mgr, done, error);
  if (!error.empty()) throw InternalError("SHA-256 (multi-buffer): " + error);
  for (size_t i = 0; i < n; ++i) {
    if (msgs[i].size() > kLaneMaxBytes) {
      sha256_hex16(msgs[i], out[i]);
    } else {
      hex_prefix(digests[i].data(), out[i].size(), out[i].data());
    }
  }
#else
  for (size_t i = 0; i < n; ++i) sha256_hex16(msgs[i], out[i]);
#endif
}

std::string_view sha256_batch_engine() {
#ifdef NBAPROPS_HAVE_IPSEC_MB
  return manager().engine();
#else
  return "openssl";
#endif
}

}  // namespace nbaprops
