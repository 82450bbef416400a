// AuthStore: <data>/auth.db (SQLite WAL) with the registered apps (OAuth2 client credentials),
// API keys, the token-signing key and the audit trail of mutating API calls. Secrets are never
// stored in clear: client secrets as PBKDF2-HMAC-SHA256 with a per-app salt, API keys as
// SHA-256 of the 256-bit random key. Used by Authenticator, the server and `vigil apps`.
// Thread-safe (one mutex around the connection).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/api/http_types.h"
#include "vigil/base/sqlite_db.h"
#include "vigil/base/status.h"

namespace vigil::api {

struct AppRecord {
  std::string client_id;
  std::string name;
  Role role = Role::kViewer;
  int64_t created_s = 0;  // unix seconds
  bool revoked = false;
};

// A freshly created app or key: the secret is returned once and never again.
struct AppCredentials {
  std::string client_id;
  std::string client_secret;
  std::string name;
  Role role = Role::kViewer;
};

struct ApiKeyRecord {
  std::string id;  // "key-<hex>", for listing and revoking
  std::string name;
  Role role = Role::kViewer;
  int64_t created_s = 0;
  bool revoked = false;
};

struct NewApiKey {
  std::string id;
  std::string key;  // "vk_<base64url>", shown once
};

struct AuditEntry {
  int64_t time_s = 0;
  std::string principal;  // principal id
  std::string method;
  std::string path;
  int status = 0;
};

class AuthStore {
 public:
  static Result<std::unique_ptr<AuthStore>> Open(const std::string& path);

  Result<AppCredentials> CreateApp(std::string_view name, Role role);
  // When the store has no app at all, creates an "admin" app with the admin role and returns
  // its credentials (for the serve command to print once); otherwise nullopt.
  Result<std::optional<AppCredentials>> EnsureAdminApp();
  Result<std::vector<AppRecord>> ListApps();
  Result<AppRecord> FindApp(std::string_view client_id);
  // kNotFound for an unknown client, kInvalidArgument for a wrong secret (the caller answers
  // both the same way), kFailedPrecondition for a revoked app.
  Result<AppRecord> VerifyClientSecret(std::string_view client_id, std::string_view secret);

  Result<NewApiKey> CreateApiKey(std::string_view name, Role role);
  Result<std::vector<ApiKeyRecord>> ListApiKeys();
  // kNotFound when no such key, kFailedPrecondition when revoked.
  Result<ApiKeyRecord> VerifyApiKey(std::string_view key);

  // Revokes an app (by client id) or an API key (by key id); kNotFound when neither.
  Status Revoke(std::string_view id);

  // The HMAC key for access tokens (32 random bytes), created on first use.
  Result<std::string> TokenKey();

  Status Audit(const AuditEntry& entry);
  Result<std::vector<AuditEntry>> ListAudit(int64_t limit);

 private:
  explicit AuthStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Result<AppCredentials> CreateAppLocked(std::string_view name, Role role);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
};

int64_t UnixSeconds();

}  // namespace vigil::api
