#pragma once
// HTTP over libcurl for the Google REST APIs (BigQuery, GCS, OAuth): RAII
// handles, a timeout on every request, and retries with exponential backoff and
// full jitter on 429, 5xx, connection errors and unreadable JSON. Private to
// the core (no libcurl type leaves cpp/src/io).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace nbaprops::io {

/// One request. Headers are "Name: value" lines; the Authorization header is
/// never logged or put into an error message.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;
  std::string body;
};

/// One response (any status).
struct HttpResponse {
  long status = 0;
  std::string body;
  std::string retry_after;  ///< the Retry-After header, when present
};

/// Retry and timeout policy.
struct RetryPolicy {
  int max_attempts = 6;  ///< tries per request, the first included
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{32000};
  std::chrono::milliseconds timeout{120000};  ///< whole request
  std::chrono::milliseconds connect_timeout{10000};
};

/// The default policy, adjusted by $NBAPROPS_HTTP_MAX_ATTEMPTS,
/// $NBAPROPS_HTTP_BACKOFF_MS (initial backoff) and $NBAPROPS_HTTP_TIMEOUT_S
/// (per request) when set. @throws ConfigError on a bad value.
RetryPolicy retry_policy_from_env();

/// Builds a multipart/related body of a JSON metadata part and a media part
/// (GCS and BigQuery uploads). @return {content-type header value, body}.
std::pair<std::string, std::string> multipart_related(const std::string& metadata_json, std::string_view media,
                                                      const std::string& media_type);

/// @return true for statuses worth retrying (429, 500, 502, 503, 504).
bool retryable_status(long status) noexcept;

/// @return @p url without its query string (for logs and messages).
std::string redact_url(std::string_view url);

/// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view s);

/// The API's own error message in a Google JSON error body ({"error":
/// {"message": …}}), else the body's first 300 bytes.
std::string api_error_message(const std::string& body);

struct CurlHandle;  // pooled libcurl easy handle (http.cpp)

/// A thread-safe HTTP client with a pool of connections. Counts every attempt
/// it makes.
class HttpClient {
 public:
  explicit HttpClient(RetryPolicy policy = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// One attempt. @throws NetworkError (transient) on a connection error or
  /// timeout.
  HttpResponse send_once(const HttpRequest& req);

  /// Sends with retries on connection errors and retryable statuses; returns
  /// the first other response (2xx or a non-retryable 4xx). @param what names
  /// the operation in messages.
  /// @throws NetworkError (transient) when the attempts are exhausted.
  HttpResponse send(const HttpRequest& req, const std::string& what);

  /// Like send, and parses the body as JSON; a 2xx whose body is not JSON is
  /// retried too.
  /// @return {status, json} (json is null for an empty body).
  /// @throws NetworkError when attempts are exhausted or the final body is
  /// malformed.
  std::pair<long, nlohmann::json> send_json(const HttpRequest& req, const std::string& what);

  /// @return the number of HTTP attempts made so far (retries included).
  [[nodiscard]] int64_t request_count() const noexcept { return requests_.load(); }
  [[nodiscard]] const RetryPolicy& policy() const noexcept { return policy_; }

 private:
  std::unique_ptr<CurlHandle> acquire();
  void release(std::unique_ptr<CurlHandle> h);
  void backoff(int attempt, const std::string& retry_after) const;

  RetryPolicy policy_;
  std::mutex mu_;
  std::vector<std::unique_ptr<CurlHandle>> pool_;
  std::atomic<int64_t> requests_{0};
};

}  // namespace nbaprops::io
