#include "nbaprops/core/logging.hpp"

#include <algorithm>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/support/date_time.hpp>
#include <boost/log/utility/setup/common_attributes.hpp>
#include <boost/log/utility/setup/console.hpp>
#include <boost/log/utility/setup/file.hpp>
#include <iostream>
#include <mutex>

#include "nbaprops/core/error.hpp"

namespace nbaprops::logging {
namespace blog = boost::log;

Level parse_level(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "debug") return Level::kDebug;
  if (n == "info") return Level::kInfo;
  if (n == "warning" || n == "warn") return Level::kWarning;
  if (n == "error") return Level::kError;
  throw ConfigError("unknown log level '" + name + "' (use debug, info, warning or error)");
}

void configure(Level level, const std::string& file, bool to_stderr) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  auto core = blog::core::get();
  core->remove_all_sinks();
  blog::add_common_attributes();
  auto fmt = blog::expressions::stream << blog::expressions::format_date_time<boost::posix_time::ptime>(
                                              "TimeStamp", "%Y-%m-%d %H:%M:%S")
                                       << " - " << blog::trivial::severity << " - " << blog::expressions::smessage;
  if (to_stderr) blog::add_console_log(std::clog, blog::keywords::format = fmt);
  if (!file.empty()) {
    blog::add_file_log(blog::keywords::file_name = file, blog::keywords::open_mode = std::ios::app,
                       blog::keywords::auto_flush = true, blog::keywords::format = fmt);
  }
  blog::trivial::severity_level sev = blog::trivial::info;
  switch (level) {
    case Level::kDebug:
      sev = blog::trivial::debug;
      break;
    case Level::kInfo:
      sev = blog::trivial::info;
      break;
    case Level::kWarning:
      sev = blog::trivial::warning;
      break;
    case Level::kError:
      sev = blog::trivial::error;
      break;
  }
  core->set_filter(blog::trivial::severity >= sev);
}

}  // namespace nbaprops::logging
