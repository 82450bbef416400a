#include "vigil/api/auth/auth_store.h"

#include <array>
#include <chrono>

#include "vigil/api/auth/crypto.h"

namespace vigil::api {
namespace {

using auth::Base64UrlEncode;
using auth::HexDecode;
using auth::HexEncode;


constexpr std::array<std::string_view, 2> kMigrations = {
    "CREATE TABLE apps (client_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,"
    " salt TEXT NOT NULL, secret_hash TEXT NOT NULL, iterations INTEGER NOT NULL,"
    " created INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE api_keys (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL, role TEXT NOT NULL, created INTEGER NOT NULL,"
    " revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,"
    " principal TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,"
    " status INTEGER NOT NULL);",
    // 2: ingestion sources on credentials; console users.
    "ALTER TABLE apps ADD COLUMN source TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE api_keys ADD COLUMN source TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE users (name TEXT PRIMARY KEY COLLATE NOCASE, role TEXT NOT NULL,"
    " salt TEXT NOT NULL, password_hash TEXT NOT NULL, iterations INTEGER NOT NULL,"
    " created INTEGER NOT NULL, password_changed INTEGER NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0);"};

Role RoleOr(std::string_view text) { return ParseRole(text).value_or(Role::kViewer); }

}  // namespace

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

namespace {

// A random client id shaped like Azure AD's (a GUID), so clients that validate it accept it.
std::string NewGuid() {
  const std::string hex = HexEncode(auth::RandomBytes(16));
  if (hex.size() != 32) {
    return {};
  }
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

AppRecord ReadApp(const SqliteStatement& stmt) {
  AppRecord app;
  app.client_id = stmt.Text(0);
  app.name = stmt.Text(1);
  app.role = RoleOr(stmt.Text(2));
  app.created_s = stmt.Int(3);
  app.revoked = stmt.Int(4) != 0;
  app.source = stmt.Text(5);
  return app;
}

// Columns id, name, role, created, revoked, source.
ApiKeyRecord ReadApiKey(const SqliteStatement& stmt) {
  ApiKeyRecord key;
  key.id = stmt.Text(0);
  key.name = stmt.Text(1);
  key.role = RoleOr(stmt.Text(2));
  key.created_s = stmt.Int(3);
  key.revoked = stmt.Int(4) != 0;
  key.source = stmt.Text(5);
  return key;
}

}  // namespace

int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<AuthStore>> AuthStore::Open(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, "auth store", kMigrations));
  return std::unique_ptr<AuthStore>(new AuthStore(std::move(db)));
}

Result<std::string> CredentialSource(Role role, std::string_view name,
                                     std::string_view source) {
  if (role != Role::kIngest) {
    if (!source.empty()) {
      return InvalidArgumentError("only credentials with the ingest role have a source");
    }
    return std::string();
  }
  std::string_view chosen = source.empty() ? name : source;
  if (!ValidName(chosen)) {
    return InvalidArgumentError(
        "the ingestion source '{}' must be 1-64 characters of letters, digits and ._@-",
        chosen.substr(0, 80));
  }
  return std::string(chosen);
}

Result<AppCredentials> AuthStore::CreateApp(std::string_view name, Role role,
                                            std::string_view source) {
  std::lock_guard lock(mu_);
  return CreateAppLocked(name, role, source);
}

Result<AppCredentials> AuthStore::CreateAppLocked(std::string_view name, Role role,
                                                  std::string_view source) {
  if (name.empty()) {
    return InvalidArgumentError("an app needs a name");
  }
  VIGIL_ASSIGN_OR_RETURN(std::string bound_source, CredentialSource(role, name, source));
  AppCredentials creds;
  creds.client_id = NewGuid();
  creds.client_secret = Base64UrlEncode(auth::RandomBytes(32));
  creds.name = std::string(name);
  creds.role = role;
  creds.source = bound_source;
  const auth::SaltedHash hash = auth::HashSecret(creds.client_secret);
  if (creds.client_id.empty() || creds.client_secret.empty() || hash.salt_hex.empty()) {
    return InternalError("auth store: the random generator failed");
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto stmt,
      db_->Prepare("INSERT INTO apps (client_id, name, role, salt, secret_hash, iterations,"
                   " created, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                   "register an app"));
  stmt.Bind(1, creds.client_id);
  stmt.Bind(2, name);
  stmt.Bind(3, RoleName(role));
  stmt.Bind(4, hash.salt_hex);
  stmt.Bind(5, hash.hash_hex);
  stmt.Bind(6, hash.iterations);
  stmt.Bind(7, UnixSeconds());
  stmt.Bind(8, creds.source);
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  return creds;
}

Result<std::optional<AppCredentials>> AuthStore::EnsureAdminApp() {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto count, db_->Prepare("SELECT COUNT(*) FROM apps", "count apps"));
  VIGIL_ASSIGN_OR_RETURN(bool row, count.Step());
  if (row && count.Int(0) > 0) {
    return std::optional<AppCredentials>();
  }
  VIGIL_ASSIGN_OR_RETURN(auto creds, CreateAppLocked("admin", Role::kAdmin, {}));
  return std::optional<AppCredentials>(std::move(creds));
}

Result<std::vector<AppRecord>> AuthStore::ListApps() {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      auto stmt,
      db_->Prepare("SELECT client_id, name, role, created, revoked, source FROM apps ORDER BY created,"
                   " name",
                   "list apps"));
  std::vector<AppRecord> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) {
      break;
    }
    out.push_back(ReadApp(stmt));
  }
  return out;
}

Result<AppRecord> AuthStore::FindApp(std::string_view client_id) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      auto stmt,
      db_->Prepare("SELECT client_id, name, role, created, revoked, source FROM apps WHERE client_id = ?1",
                   "find an app"));
  stmt.Bind(1, client_id);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return NotFoundError("no app with client id '{}'", client_id);
  }
  return ReadApp(stmt);
}

Result<AppRecord> AuthStore::VerifyClientSecret(std::string_view client_id,
                                                std::string_view secret) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT client_id, name, role, created, revoked,"
                                                 " source, salt, secret_hash, iterations"
                                                 " FROM apps"
                                                 " WHERE client_id = ?1",
                                                 "find an app"));
  stmt.Bind(1, client_id);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return NotFoundError("no app with client id '{}'", client_id);
  }
  AppRecord app = ReadApp(stmt);
  const std::optional<bool> matches =
      auth::SecretMatches(secret, stmt.Text(6), stmt.Text(7), stmt.Int(8));
  if (!matches) {
    return DataLossError("auth store: the secret hash of app '{}' is damaged", client_id);
  }
  if (!*matches) {
    return InvalidArgumentError("wrong client secret for app '{}'", client_id);
  }
  if (app.revoked) {
    return FailedPreconditionError("app '{}' is revoked", client_id);
  }
  return app;
}

Result<NewApiKey> AuthStore::CreateApiKey(std::string_view name, Role role,
                                          std::string_view source) {
  if (name.empty()) {
    return InvalidArgumentError("an API key needs a name");
  }
  VIGIL_ASSIGN_OR_RETURN(std::string bound_source, CredentialSource(role, name, source));
  NewApiKey key;
  const std::string id_bytes = auth::RandomBytes(6);
  const std::string secret = auth::RandomBytes(32);
  if (id_bytes.empty() || secret.empty()) {
    return InternalError("auth store: the random generator failed");
  }
  key.id = "key-" + HexEncode(id_bytes);
  key.key = "vk_" + Base64UrlEncode(secret);
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto stmt,
                         db_->Prepare("INSERT INTO api_keys (id, key_hash, name, role, created,"
                                      " source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                      "create an API key"));
  stmt.Bind(1, key.id);
  stmt.Bind(2, HexEncode(auth::Sha256(key.key)));
  stmt.Bind(3, name);
  stmt.Bind(4, RoleName(role));
  stmt.Bind(5, UnixSeconds());
  stmt.Bind(6, bound_source);
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  return key;
}

Result<std::vector<ApiKeyRecord>> AuthStore::ListApiKeys() {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      auto stmt, db_->Prepare("SELECT id, name, role, created, revoked, source FROM api_keys"
                              " ORDER BY"
                              " created, name",
                              "list API keys"));
  std::vector<ApiKeyRecord> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) {
      break;
    }
    out.push_back(ReadApiKey(stmt));
  }
  return out;
}

Result<ApiKeyRecord> AuthStore::VerifyApiKey(std::string_view key) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT id, name, role, created, revoked, source"
                                                 " FROM api_keys WHERE key_hash = ?1",
                                                 "look up an API key"));
  stmt.Bind(1, HexEncode(auth::Sha256(key)));
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return NotFoundError("unknown API key");
  }
  ApiKeyRecord record = ReadApiKey(stmt);
  if (record.revoked) {
    return FailedPreconditionError("API key '{}' is revoked", record.id);
  }
  return record;
}

Status AuthStore::Revoke(std::string_view id) {
  std::lock_guard lock(mu_);
  for (std::string_view table : {"apps", "api_keys"}) {
    const std::string column = table == "apps" ? "client_id" : "id";
    VIGIL_ASSIGN_OR_RETURN(
        auto stmt, db_->Prepare("UPDATE " + std::string(table) + " SET revoked = 1 WHERE " +
                                    column + " = ?1",
                                "revoke a credential"));
    stmt.Bind(1, id);
    VIGIL_RETURN_IF_ERROR(stmt.Run());
    if (db_->Changes() > 0) {
      return Status();
    }
  }
  return NotFoundError("no app or API key with id '{}'", id);
}

Result<std::string> AuthStore::TokenKey() {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto get, db_->Prepare("SELECT value FROM settings WHERE name ="
                                                " 'token_key'",
                                                "read the token key"));
  VIGIL_ASSIGN_OR_RETURN(bool row, get.Step());
  if (row) {
    auto key = HexDecode(get.Text(0));
    if (!key || key->size() < 32) {
      return DataLossError("auth store: the token key is damaged");
    }
    return *key;
  }
  const std::string key = auth::RandomBytes(32);
  if (key.empty()) {
    return InternalError("auth store: the random generator failed");
  }
  VIGIL_ASSIGN_OR_RETURN(auto put, db_->Prepare("INSERT INTO settings (name, value) VALUES"
                                                " ('token_key', ?1)",
                                                "store the token key"));
  put.Bind(1, HexEncode(key));
  VIGIL_RETURN_IF_ERROR(put.Run());
  return key;
}

Status AuthStore::Audit(const AuditEntry& entry) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT INTO audit (time, principal, method,"
                                                 " path, status) VALUES (?1, ?2, ?3, ?4, ?5)",
                                                 "record an audit entry"));
  stmt.Bind(1, entry.time_s);
  stmt.Bind(2, entry.principal);
  stmt.Bind(3, entry.method);
  stmt.Bind(4, entry.path);
  stmt.Bind(5, entry.status);
  return stmt.Run();
}

Result<std::vector<AuditEntry>> AuthStore::ListAudit(int64_t limit) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT time, principal, method, path, status"
                                                 " FROM audit ORDER BY id DESC LIMIT ?1",
                                                 "list audit entries"));
  stmt.Bind(1, limit);
  std::vector<AuditEntry> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) {
      break;
    }
    AuditEntry entry;
    entry.time_s = stmt.Int(0);
    entry.principal = stmt.Text(1);
    entry.method = stmt.Text(2);
    entry.path = stmt.Text(3);
    entry.status = static_cast<int>(stmt.Int(4));
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace vigil::api
