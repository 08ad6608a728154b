// open_warehouse: the URI dispatch over the backends.
#include "nbaprops/core/error.hpp"
#include "nbaprops/warehouse/bigquery_warehouse.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"

namespace nbaprops {

std::unique_ptr<Warehouse> open_warehouse(const std::string& uri) {
  if (uri.rfind("bigquery://", 0) == 0) return std::make_unique<BigQueryWarehouse>(BigQueryOptions::parse(uri));
  std::string path = uri;
  const std::string prefix = "sqlite://";
  if (path.rfind(prefix, 0) == 0) path = path.substr(prefix.size());
  if (path.find("://") != std::string::npos) {
    throw ConfigError("unsupported warehouse URI '" + uri +
                      "' (use a directory path, sqlite:///path or "
                      "bigquery://PROJECT?location=US)");
  }
  bool read_only = false;
  if (const size_t q = path.find('?'); q != std::string::npos) {
    const std::string query = path.substr(q + 1);
    if (query != "mode=ro") {
      throw ConfigError("unsupported warehouse URI option '" + query + "' in '" + uri + "' (only ?mode=ro)");
    }
    read_only = true;
    path.resize(q);
  }
  if (path.empty()) throw ConfigError("empty warehouse path");
  return std::make_unique<SqliteWarehouse>(path, read_only);
}

}  // namespace nbaprops
