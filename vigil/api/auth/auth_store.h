// AuthStore: <data>/auth.db (SQLite WAL) with the registered apps (OAuth2 client credentials),
// API keys, console users, the token-signing key and the audit trail of mutating API calls.
// Secrets are never stored in clear: client secrets and user passwords as PBKDF2-HMAC-SHA256
// with a per-record salt, API keys as SHA-256 of the 256-bit random key. Used by
// Authenticator, the server, `vigil apps` and `vigil users` (auth_users.cpp holds the user
// half). Thread-safe (one mutex around the connection).
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
  std::string source;  // ingestion source for Role::kIngest credentials, else empty
};

// A freshly created app or key: the secret is returned once and never again.
struct AppCredentials {
  std::string client_id;
  std::string client_secret;
  std::string name;
  Role role = Role::kViewer;
  std::string source;
};

struct ApiKeyRecord {
  std::string id;  // "key-<hex>", for listing and revoking
  std::string name;
  Role role = Role::kViewer;
  int64_t created_s = 0;
  bool revoked = false;
  std::string source;  // ingestion source for Role::kIngest keys, else empty
};

// A console user (name and password; `vigil users`).
struct UserRecord {
  std::string name;  // unique, case-insensitive
  Role role = Role::kViewer;
  int64_t created_s = 0;
  int64_t password_changed_s = 0;
  bool disabled = false;
};

// Passwords must be at least this long (and at most 1,024 bytes).
inline constexpr size_t kMinPasswordLength = 12;

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

  // `source` names the ingestion source of a Role::kIngest credential (defaults to `name`);
  // it must be empty for other roles.
  Result<AppCredentials> CreateApp(std::string_view name, Role role,
                                   std::string_view source = {});
  // When the store has no app at all, creates an "admin" app with the admin role and returns
  // its credentials (for the serve command to print once); otherwise nullopt.
  Result<std::optional<AppCredentials>> EnsureAdminApp();
  Result<std::vector<AppRecord>> ListApps();
  Result<AppRecord> FindApp(std::string_view client_id);
  // kNotFound for an unknown client, kInvalidArgument for a wrong secret (the caller answers
  // both the same way), kFailedPrecondition for a revoked app.
  Result<AppRecord> VerifyClientSecret(std::string_view client_id, std::string_view secret);

  Result<NewApiKey> CreateApiKey(std::string_view name, Role role,
                                 std::string_view source = {});
  Result<std::vector<ApiKeyRecord>> ListApiKeys();
  // kNotFound when no such key, kFailedPrecondition when revoked.
  Result<ApiKeyRecord> VerifyApiKey(std::string_view key);

  // Revokes an app (by client id) or an API key (by key id); kNotFound when neither.
  Status Revoke(std::string_view id);

  // Users. CreateUser with an empty password generates one (returned once); a given password
  // shorter than kMinPasswordLength is refused (kInvalidArgument). Names are 1-64 characters
  // of letters, digits and ._@- .
  Result<std::string> CreateUser(std::string_view name, Role role, std::string_view password);
  // When the store has no user, creates "admin" (admin role) with a generated password and
  // returns it (for the serve command to print once); otherwise nullopt.
  Result<std::optional<std::string>> EnsureAdminUser();
  Result<std::vector<UserRecord>> ListUsers();
  Result<UserRecord> FindUser(std::string_view name);
  // Empty password: generate one. Returns the password set.
  Result<std::string> SetPassword(std::string_view name, std::string_view password);
  Status SetUserRole(std::string_view name, Role role);
  Status SetUserDisabled(std::string_view name, bool disabled);
  // kNotFound for an unknown user, kInvalidArgument for a wrong password (callers answer both
  // the same way), kFailedPrecondition for a disabled user.
  Result<UserRecord> VerifyPassword(std::string_view name, std::string_view password);

  // The HMAC key for access tokens (32 random bytes), created on first use.
  Result<std::string> TokenKey();

  Status Audit(const AuditEntry& entry);
  Result<std::vector<AuditEntry>> ListAudit(int64_t limit);

 private:
  explicit AuthStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Result<AppCredentials> CreateAppLocked(std::string_view name, Role role,
                                         std::string_view source);
  Result<std::string> CreateUserLocked(std::string_view name, Role role,
                                       std::string_view password);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
};

int64_t UnixSeconds();

// 1-64 characters of [A-Za-z0-9._@-]: user names and ingestion sources.
bool ValidName(std::string_view name);

// The ingestion source a credential of `role` gets: `source`, else `name` for kIngest;
// kInvalidArgument for a source on another role or a malformed name (1-64 of [A-Za-z0-9._@-]).
Result<std::string> CredentialSource(Role role, std::string_view name, std::string_view source);

}  // namespace vigil::api
