#pragma once
// Google Cloud access tokens, found in the order of the issue:
// $NBAPROPS_BQ_TOKEN, a service-account key ($GOOGLE_APPLICATION_CREDENTIALS,
// an RS256 JWT signed with OpenSSL), gcloud's user ADC file (a refresh token),
// the metadata server. Tokens are cached and refreshed a minute before they
// expire; no token, key, secret or assertion ever appears in a log line or an
// error message.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "io/http.hpp"

namespace nbaprops::io {

/// OAuth scope of BigQuery and GCS calls.
inline constexpr const char* kCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

/// A source of bearer tokens. Thread-safe.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  /// @return "Authorization: Bearer …", or "" for anonymous access (emulators).
  /// @throws NetworkError / ConfigError naming the credential kind, never its
  /// secret.
  std::string authorization_header();
  /// @return the kind ("env token", "service account", "user ADC", "metadata
  /// server", "anonymous").
  [[nodiscard]] virtual std::string kind() const = 0;

 protected:
  /// Fetches a fresh token. @return {token, lifetime}.
  virtual std::pair<std::string, std::chrono::seconds> fetch() = 0;

 private:
  std::mutex mu_;
  std::string token_;
  std::chrono::steady_clock::time_point expires_{};
};

/// How to choose a source.
struct AuthOptions {
  /// "" (the default order), "none", "token", "service_account", "adc" or
  /// "metadata".
  std::string mode;
  /// When set (emulators): with no credential configured, access is anonymous
  /// instead of asking the metadata server.
  bool endpoint_override = false;
  std::string scope = kCloudPlatformScope;
};

/// Picks the token source. @throws ConfigError (unreadable key file, unknown
/// mode).
std::shared_ptr<TokenSource> make_token_source(HttpClient& http, const AuthOptions& options);

/// Builds the signed RS256 JWT assertion of a service-account key (exposed for
/// tests).
/// @param key the parsed key file; @param now seconds since the epoch.
/// @throws ConfigError when the key is unusable (the message never contains the
/// key).
std::string service_account_assertion(const nlohmann::json& key, const std::string& scope, int64_t now);

}  // namespace nbaprops::io
