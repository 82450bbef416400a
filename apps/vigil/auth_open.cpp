#include "apps/vigil/auth_open.h"

#include <filesystem>
#include <system_error>

namespace vigil::app {

Result<std::unique_ptr<api::AuthStore>> OpenAuthStore(const GlobalOptions& global) {
  std::error_code ec;
  std::filesystem::create_directories(global.data_dir, ec);
  if (ec) {
    return IoError("cannot create data directory '{}': {}", global.data_dir, ec.message());
  }
  return api::AuthStore::Open((std::filesystem::path(global.data_dir) / "auth.db").string());
}

}  // namespace vigil::app
