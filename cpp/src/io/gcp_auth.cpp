#include "io/gcp_auth.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nbaprops/core/error.hpp"

namespace nbaprops::io {

namespace {

constexpr const char* kDefaultTokenUri = "https://oauth2.googleapis.com/token";
constexpr std::chrono::seconds kRefreshMargin{60};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string base64url(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = uint8_t(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    for (int s : {18, 12, 6}) out += kAlphabet[(v >> s) & 63];
  }
  return out;
}

struct BioDeleter {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

std::string rs256_sign(const std::string& pem, std::string_view data) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw ConfigError("service account key: cannot allocate a buffer");
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw ConfigError("service account key: private_key is not a readable PEM private key");
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSignUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestSignFinal(ctx.get(), nullptr, &len) != 1) {
    throw ConfigError("service account key: RS256 signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSignFinal(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len) != 1) {
    throw ConfigError("service account key: RS256 signing failed");
  }
  sig.resize(len);
  return sig;
}

nlohmann::json read_json_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw ConfigError(what + " " + path + " cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw ConfigError(what + " " + path + " is not a JSON object");
  return j;
}

std::string field(const nlohmann::json& j, const char* name, const std::string& what) {
  if (!j.contains(name) || !j[name].is_string() || j[name].get<std::string>().empty()) {
    throw ConfigError(what + ": field '" + name + "' is missing");
  }
  return j[name].get<std::string>();
}

/// Exchanges a form for a token at an OAuth endpoint; errors carry the
/// endpoint's message only.
std::pair<std::string, std::chrono::seconds> token_from(HttpClient& http, const HttpRequest& req,
                                                        const std::string& kind) {
  auto [status, j] = http.send_json(req, kind + " token request");
  if (status / 100 != 2 || !j.is_object() || !j.contains("access_token") || !j["access_token"].is_string()) {
    std::string msg = j.is_object() ? api_error_message(j.dump()) : "no access_token in the response";
    throw NetworkError(
        kind + ": token request to " + redact_url(req.url) + " failed (HTTP " + std::to_string(status) + "): " + msg,
        false);
  }
  int64_t ttl = 3600;
  if (j.contains("expires_in") && j["expires_in"].is_number()) ttl = j["expires_in"].get<int64_t>();
  return {j["access_token"].get<std::string>(), std::chrono::seconds(ttl)};
}

std::string form_body(std::initializer_list<std::pair<const char*, std::string>> fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out.append(k).append("=").append(url_encode(v));
  }
  return out;
}

class EnvToken final : public TokenSource {
 public:
  explicit EnvToken(std::string t) : token_(std::move(t)) {}
  std::string kind() const override { return "env token ($NBAPROPS_BQ_TOKEN)"; }

 protected:
  std::pair<std::string, std::chrono::seconds> fetch() override { return {token_, std::chrono::hours(24 * 365)}; }

 private:
  std::string token_;
};

class Anonymous final : public TokenSource {
 public:
  std::string kind() const override { return "anonymous"; }

 protected:
  std::pair<std::string, std::chrono::seconds> fetch() override { return {"", std::chrono::hours(24 * 365)}; }
};

class ServiceAccount final : public TokenSource {
 public:
  ServiceAccount(HttpClient& http, nlohmann::json key, std::string scope)
      : http_(http), key_(std::move(key)), scope_(std::move(scope)) {}
  std::string kind() const override { return "service account"; }

 protected:
  std::pair<std::string, std::chrono::seconds> fetch() override {
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    HttpRequest req;
    req.method = "POST";
    req.url = key_.value("token_uri", std::string(kDefaultTokenUri));
    req.headers = {"Content-Type: application/x-www-form-urlencoded"};
    req.body = form_body({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                          {"assertion", service_account_assertion(key_, scope_, now)}});
    return token_from(http_, req, kind());
  }

 private:
  HttpClient& http_;
  nlohmann::json key_;
  std::string scope_;
};

class UserRefresh final : public TokenSource {
 public:
  UserRefresh(HttpClient& http, nlohmann::json adc) : http_(http), adc_(std::move(adc)) {}
  std::string kind() const override { return "user ADC (refresh token)"; }

 protected:
  std::pair<std::string, std::chrono::seconds> fetch() override {
    const std::string what = "user ADC file";
    HttpRequest req;
    req.method = "POST";
    req.url = adc_.value("token_uri", std::string(kDefaultTokenUri));
    req.headers = {"Content-Type: application/x-www-form-urlencoded"};
    req.body = form_body({{"grant_type", "refresh_token"},
                          {"client_id", field(adc_, "client_id", what)},
                          {"client_secret", field(adc_, "client_secret", what)},
                          {"refresh_token", field(adc_, "refresh_token", what)}});
    return token_from(http_, req, kind());
  }

 private:
  HttpClient& http_;
  nlohmann::json adc_;
};

class Metadata final : public TokenSource {
 public:
  explicit Metadata(HttpClient& http) : http_(http) {}
  std::string kind() const override { return "metadata server"; }

 protected:
  std::pair<std::string, std::chrono::seconds> fetch() override {
    std::string host = env("GCE_METADATA_HOST");
    if (host.empty()) host = "metadata.google.internal";
    HttpRequest req;
    req.url = "http://" + host + "/computeMetadata/v1/instance/service-accounts/default/token";
    req.headers = {"Metadata-Flavor: Google"};
    return token_from(http_, req, kind());
  }

 private:
  HttpClient& http_;
};

std::string gcloud_adc_path() {
  std::string dir = env("CLOUDSDK_CONFIG");
  if (dir.empty()) {
    const std::string home = env("HOME");
    if (home.empty()) return "";
    dir = home + "/.config/gcloud";
  }
  return dir + "/application_default_credentials.json";
}

std::shared_ptr<TokenSource> from_key_file(HttpClient& http, const std::string& path, const AuthOptions& o) {
  nlohmann::json j = read_json_file(path, "credentials file");
  const std::string type = j.value("type", std::string());
  if (type == "service_account") return std::make_shared<ServiceAccount>(http, std::move(j), o.scope);
  if (type == "authorized_user") return std::make_shared<UserRefresh>(http, std::move(j));
  throw ConfigError("credentials file " + path + ": unsupported type '" + type +
                    "' (service_account or authorized_user)");
}

}  // namespace

std::string TokenSource::authorization_header() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (token_.empty() || now + kRefreshMargin >= expires_) {
    auto [tok, ttl] = fetch();
    token_ = std::move(tok);
    expires_ = now + ttl;
  }
  return token_.empty() ? std::string() : "Authorization: Bearer " + token_;
}

std::string service_account_assertion(const nlohmann::json& key, const std::string& scope, int64_t now) {
  const std::string what = "service account key";
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (key.contains("private_key_id") && key["private_key_id"].is_string()) header["kid"] = key["private_key_id"];
  const nlohmann::json claims = {{"iss", field(key, "client_email", what)},
                                 {"scope", scope},
                                 {"aud", key.value("token_uri", std::string(kDefaultTokenUri))},
                                 {"iat", now},
                                 {"exp", now + 3600}};
  const std::string signing_input = base64url(header.dump()) + "." + base64url(claims.dump());
  return signing_input + "." + base64url(rs256_sign(field(key, "private_key", what), signing_input));
}

std::shared_ptr<TokenSource> make_token_source(HttpClient& http, const AuthOptions& o) {
  const std::string& m = o.mode;
  if (m == "none") return std::make_shared<Anonymous>();
  if (m.empty() || m == "token") {
    const std::string t = env("NBAPROPS_BQ_TOKEN");
    if (!t.empty()) return std::make_shared<EnvToken>(t);
    if (m == "token") throw ConfigError("auth=token but $NBAPROPS_BQ_TOKEN is empty");
  }
  if (m.empty() || m == "service_account") {
    const std::string path = env("GOOGLE_APPLICATION_CREDENTIALS");
    if (!path.empty()) return from_key_file(http, path, o);
    if (m == "service_account") throw ConfigError("auth=service_account but $GOOGLE_APPLICATION_CREDENTIALS is empty");
  }
  if (m.empty() || m == "adc") {
    const std::string path = gcloud_adc_path();
    std::error_code ec;
    if (!path.empty() && std::filesystem::is_regular_file(path, ec)) return from_key_file(http, path, o);
    if (m == "adc") throw ConfigError("auth=adc but no gcloud ADC file at " + path);
  }
  if (m.empty() && o.endpoint_override) return std::make_shared<Anonymous>();
  if (m.empty() || m == "metadata") return std::make_shared<Metadata>(http);
  throw ConfigError("unknown auth mode '" + m + "' (none, token, service_account, adc, metadata)");
}

}  // namespace nbaprops::io
