#pragma once
/// @file logging.hpp
/// A thin facade over Boost.Log. Sinks (stderr and/or a file) and the level are
/// configured once, from C++ or from Python through `_core.configure_logging`.
/// Thread-safe: Boost.Log's core and sinks synchronise internally; never log
/// per row in hot loops.

#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_logger.hpp>
#include <boost/log/trivial.hpp>
#include <string>

namespace nbaprops::logging {

/// Log levels, matching Python's names.
enum class Level { kDebug, kInfo, kWarning, kError };

/// Parses "debug", "info", "warning"/"warn", "error" (case-insensitive).
/// @throws ConfigError on an unknown name.
Level parse_level(const std::string& name);

/// Configures sinks. @param level minimum level; @param file optional log file
/// path (appended);
/// @param to_stderr also log to stderr. Replaces earlier configuration.
void configure(Level level, const std::string& file = "", bool to_stderr = true);

/// The process-wide logger (Boost.Log trivial logger underneath).
}  // namespace nbaprops::logging

#define NBAPROPS_LOG_DEBUG BOOST_LOG_TRIVIAL(debug)
#define NBAPROPS_LOG_INFO BOOST_LOG_TRIVIAL(info)
#define NBAPROPS_LOG_WARN BOOST_LOG_TRIVIAL(warning)
#define NBAPROPS_LOG_ERROR BOOST_LOG_TRIVIAL(error)
