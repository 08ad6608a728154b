// GCP auth without a network: the service-account RS256 JWT verifies with the
// key's public half, the token-source order, and no secret in error messages.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <fstream>
#include <memory>

#include "io/gcp_auth.hpp"
#include "nbaprops/core/error.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using nbaprops::testing::TempDir;

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey make_rsa_key() {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_keygen_init(ctx);
  EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048);
  EVP_PKEY_keygen(ctx, &key);
  EVP_PKEY_CTX_free(ctx);
  return Pkey(key);
}

std::string private_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

std::string base64url_decode(std::string s) {
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  std::string out(s.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(n) - std::count(s.end() - 2, s.end(), '='));
  return out;
}

/// Sets environment variables for the scope of a test and restores them.
class Env {
 public:
  void set(const char* name, const std::string& value) {
    save(name);
    ::setenv(name, value.c_str(), 1);
  }
  void unset(const char* name) {
    save(name);
    ::unsetenv(name);
  }
  ~Env() {
    for (auto& [n, v] : saved_) v ? ::setenv(n.c_str(), v->c_str(), 1) : ::unsetenv(n.c_str());
  }

 private:
  void save(const char* name) {
    const char* v = std::getenv(name);
    saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace

TEST(GcpAuth, ServiceAccountJwtVerifiesWithThePublicKey) {
  Pkey key = make_rsa_key();
  const nlohmann::json sa = {{"type", "service_account"},
                             {"client_email", "runner@proj.iam.gserviceaccount.com"},
                             {"private_key_id", "kid-1"},
                             {"private_key", private_pem(key.get())},
                             {"token_uri", "http://127.0.0.1:1/token"}};
  const std::string jwt = io::service_account_assertion(sa, io::kCloudPlatformScope, 1700000000);
  const size_t a = jwt.find('.'), b = jwt.rfind('.');
  ASSERT_NE(a, b);
  const auto header = nlohmann::json::parse(base64url_decode(jwt.substr(0, a)));
  const auto claims = nlohmann::json::parse(base64url_decode(jwt.substr(a + 1, b - a - 1)));
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["kid"], "kid-1");
  EXPECT_EQ(claims["iss"], "runner@proj.iam.gserviceaccount.com");
  EXPECT_EQ(claims["aud"], "http://127.0.0.1:1/token");
  EXPECT_EQ(claims["scope"], io::kCloudPlatformScope);
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 3600);
  const std::string signing_input = jwt.substr(0, b);
  const std::string sig = base64url_decode(jwt.substr(b + 1));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.get()), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()),
            1);
  EVP_MD_CTX_free(ctx);
}

TEST(GcpAuth, BrokenKeyFailsWithoutShowingIt) {
  const nlohmann::json sa = {{"client_email", "x@y"}, {"private_key", "-----BEGIN PRIVATE KEY-----\nSECRETSTUFF\n"}};
  try {
    (void)io::service_account_assertion(sa, io::kCloudPlatformScope, 1);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).find("SECRETSTUFF"), std::string::npos);
  }
}

TEST(GcpAuth, SourcesInTheDocumentedOrder) {
  TempDir dir;
  Env env;
  env.set("HOME", dir.path().string());
  env.set("CLOUDSDK_CONFIG", (dir.path() / "gcloud").string());
  env.unset("GOOGLE_APPLICATION_CREDENTIALS");
  env.unset("NBAPROPS_BQ_TOKEN");
  io::HttpClient http;
  io::AuthOptions o;
  // Nothing configured: the metadata server, or anonymous in front of an
  // emulator.
  EXPECT_EQ(io::make_token_source(http, o)->kind(), "metadata server");
  o.endpoint_override = true;
  EXPECT_EQ(io::make_token_source(http, o)->kind(), "anonymous");
  EXPECT_EQ(io::make_token_source(http, o)->authorization_header(), "");
  // gcloud user ADC file.
  std::filesystem::create_directories(dir.path() / "gcloud");
  std::ofstream(dir.path() / "gcloud" / "application_default_credentials.json")
      << R"({"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"})";
  EXPECT_EQ(io::make_token_source(http, o)->kind(), "user ADC (refresh token)");
  // A key file beats the ADC file.
  std::ofstream(dir.path() / "sa.json") << R"({"type":"service_account","client_email":"a@b","private_key":"k"})";
  env.set("GOOGLE_APPLICATION_CREDENTIALS", (dir.path() / "sa.json").string());
  EXPECT_EQ(io::make_token_source(http, o)->kind(), "service account");
  // The token variable beats everything.
  env.set("NBAPROPS_BQ_TOKEN", "ya29.secret");
  auto src = io::make_token_source(http, o);
  EXPECT_EQ(src->kind(), "env token ($NBAPROPS_BQ_TOKEN)");
  EXPECT_EQ(src->authorization_header(), "Authorization: Bearer ya29.secret");
  // Explicit modes.
  o.mode = "none";
  EXPECT_EQ(io::make_token_source(http, o)->kind(), "anonymous");
  o.mode = "adc";
  EXPECT_EQ(io::make_token_source(http, o)->kind(), "user ADC (refresh token)");
  o.mode = "kerberos";
  EXPECT_THROW(io::make_token_source(http, o), ConfigError);
  env.set("GOOGLE_APPLICATION_CREDENTIALS", (dir.path() / "missing.json").string());
  o.mode = "";
  env.unset("NBAPROPS_BQ_TOKEN");
  EXPECT_THROW(io::make_token_source(http, o), ConfigError);
}
