#include "io/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <thread>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"

namespace nbaprops::io {

namespace {

struct EasyDeleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* out) {
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string head(line.substr(0, kName.size()));
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    if (head == kName) {
      std::string v(line.substr(kName.size()));
      v.erase(0, v.find_first_not_of(" \t"));
      v.erase(v.find_last_not_of(" \t\r\n") + 1);
      *static_cast<std::string*>(out) = v;
    }
  }
  return size * n;
}

}  // namespace

struct CurlHandle {
  std::unique_ptr<CURL, EasyDeleter> easy;
};

bool retryable_status(long status) noexcept {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::string redact_url(std::string_view url) { return std::string(url.substr(0, url.find('?'))); }

std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string api_error_message(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("error")) {
    const auto& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string()) return e["message"].get<std::string>();
    if (e.is_string()) {
      std::string m = e.get<std::string>();
      if (j.contains("error_description") && j["error_description"].is_string()) {
        m += ": " + j["error_description"].get<std::string>();
      }
      return m;
    }
  }
  return body.substr(0, 300);
}

RetryPolicy retry_policy_from_env() {
  RetryPolicy p;
  auto num = [](const char* name, int64_t fallback) -> int64_t {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    const long long x = std::strtoll(v, &end, 10);
    if (*end != '\0' || x < 0)
      throw ConfigError(std::string("$") + name + "='" + v + "' is not a non-negative integer");
    return x;
  };
  p.max_attempts = static_cast<int>(num("NBAPROPS_HTTP_MAX_ATTEMPTS", p.max_attempts));
  p.initial_backoff = std::chrono::milliseconds(num("NBAPROPS_HTTP_BACKOFF_MS", p.initial_backoff.count()));
  p.timeout = std::chrono::milliseconds(1000 * num("NBAPROPS_HTTP_TIMEOUT_S", p.timeout.count() / 1000));
  return p;
}

std::pair<std::string, std::string> multipart_related(const std::string& metadata_json, std::string_view media,
                                                      const std::string& media_type) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string boundary = "nbaprops_" + std::to_string(rng()) + std::to_string(rng());
  while (media.find(boundary) != std::string_view::npos) boundary += std::to_string(rng() % 10);
  std::string body;
  body.reserve(media.size() + metadata_json.size() + 256);
  body += "--" + boundary + "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n" + metadata_json + "\r\n";
  body += "--" + boundary + "\r\nContent-Type: " + media_type + "\r\n\r\n";
  body.append(media.data(), media.size());
  body += "\r\n--" + boundary + "--\r\n";
  return {"multipart/related; boundary=" + boundary, std::move(body)};
}

HttpClient::HttpClient(RetryPolicy policy) : policy_(policy) {
  global_init();
  if (policy_.max_attempts < 1) policy_.max_attempts = 1;
}

HttpClient::~HttpClient() = default;

std::unique_ptr<CurlHandle> HttpClient::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!pool_.empty()) {
      auto h = std::move(pool_.back());
      pool_.pop_back();
      return h;
    }
  }
  auto h = std::make_unique<CurlHandle>();
  h->easy.reset(curl_easy_init());
  if (!h->easy) throw NetworkError("cannot initialise libcurl");
  return h;
}

void HttpClient::release(std::unique_ptr<CurlHandle> h) {
  std::lock_guard lock(mu_);
  pool_.push_back(std::move(h));
}

HttpResponse HttpClient::send_once(const HttpRequest& req) {
  auto handle = acquire();
  CURL* c = handle->easy.get();
  curl_easy_reset(c);
  HttpResponse resp;
  SlistPtr headers;
  for (const auto& h : req.headers) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (!next) throw NetworkError("out of memory building HTTP headers");
    (void)headers.release();  // the list now belongs to next (its head)
    headers.reset(next);
  }
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else if (req.method == "DELETE") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.retry_after);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(policy_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(policy_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  ++requests_;
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    // The handle may hold a broken connection: drop it rather than pool it.
    throw NetworkError(req.method + " " + redact_url(req.url) + ": " + curl_easy_strerror(rc), true);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  release(std::move(handle));
  return resp;
}

void HttpClient::backoff(int attempt, const std::string& retry_after) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const double cap = static_cast<double>(policy_.max_backoff.count());
  double ceiling = std::min(cap, static_cast<double>(policy_.initial_backoff.count()) * std::pow(2.0, attempt));
  double wait = std::uniform_real_distribution<double>(0.0, ceiling)(rng);  // full jitter
  if (!retry_after.empty()) {
    char* end = nullptr;
    const double secs = std::strtod(retry_after.c_str(), &end);
    if (end != retry_after.c_str() && secs >= 0) wait = std::min(cap, std::max(wait, secs * 1000.0));
  }
  std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(wait * 1000.0)));
}

HttpResponse HttpClient::send(const HttpRequest& req, const std::string& what) {
  std::string last;
  for (int attempt = 0; attempt < policy_.max_attempts; ++attempt) {
    HttpResponse resp;
    try {
      resp = send_once(req);
    } catch (const NetworkError& e) {
      last = e.what();
      NBAPROPS_LOG_WARN << what << ": attempt " << attempt + 1 << "/" << policy_.max_attempts << " failed: " << last;
      if (attempt + 1 < policy_.max_attempts) backoff(attempt, "");
      continue;
    }
    if (!retryable_status(resp.status)) return resp;
    last = "HTTP " + std::to_string(resp.status) + ": " + api_error_message(resp.body);
    NBAPROPS_LOG_WARN << what << ": attempt " << attempt + 1 << "/" << policy_.max_attempts << " got " << last;
    if (attempt + 1 < policy_.max_attempts) backoff(attempt, resp.retry_after);
  }
  throw NetworkError(what + ": gave up after " + std::to_string(policy_.max_attempts) + " attempts (" + req.method +
                         " " + redact_url(req.url) + "): " + last,
                     true);
}

std::pair<long, nlohmann::json> HttpClient::send_json(const HttpRequest& req, const std::string& what) {
  std::string last;
  for (int attempt = 0; attempt < policy_.max_attempts; ++attempt) {
    HttpResponse resp = send(req, what);
    if (resp.body.empty()) return {resp.status, nlohmann::json()};
    auto j = nlohmann::json::parse(resp.body, nullptr, false);
    if (!j.is_discarded()) return {resp.status, std::move(j)};
    last = "malformed JSON in the response (HTTP " + std::to_string(resp.status) + ", " +
           std::to_string(resp.body.size()) + " bytes)";
    NBAPROPS_LOG_WARN << what << ": " << last << "; retrying";
    if (attempt + 1 < policy_.max_attempts) backoff(attempt, "");
  }
  throw NetworkError(what + ": " + last + " after " + std::to_string(policy_.max_attempts) + " attempts (" +
                         req.method + " " + redact_url(req.url) + ")",
                     true);
}

}  // namespace nbaprops::io
