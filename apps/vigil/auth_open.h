// Opens <data>/auth.db for the credential commands (`vigil apps`, `vigil users`), creating the
// data directory when needed.
#pragma once

#include <memory>

#include "apps/vigil/commands.h"
#include "vigil/api/auth/auth_store.h"

namespace vigil::app {

Result<std::unique_ptr<api::AuthStore>> OpenAuthStore(const GlobalOptions& global);

}  // namespace vigil::app
