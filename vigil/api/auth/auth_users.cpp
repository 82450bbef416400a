// The console-user half of AuthStore (see auth_store.h): users with a role and a password kept
// as PBKDF2-HMAC-SHA256 with a per-user salt. Used by `vigil users`, the first start of
// `vigil serve` (EnsureAdminUser) and the password logins of the token endpoint.
#include <mutex>

#include "vigil/api/auth/auth_store.h"
#include "vigil/api/auth/crypto.h"

namespace vigil::api {
namespace {

constexpr size_t kMaxPasswordBytes = 1024;

// 18 random bytes as base64url: 24 characters, ~144 bits.
std::string GeneratePassword() { return auth::Base64UrlEncode(auth::RandomBytes(18)); }

Status CheckPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return InvalidArgumentError("a password needs at least {} characters", kMinPasswordLength);
  }
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgumentError("a password has at most {} bytes", kMaxPasswordBytes);
  }
  return Status();
}

UserRecord ReadUser(const SqliteStatement& stmt) {
  UserRecord user;
  user.name = stmt.Text(0);
  user.role = ParseRole(stmt.Text(1)).value_or(Role::kViewer);
  user.created_s = stmt.Int(2);
  user.password_changed_s = stmt.Int(3);
  user.disabled = stmt.Int(4) != 0;
  return user;
}

constexpr std::string_view kUserColumns = "name, role, created, password_changed, disabled";

}  // namespace

Result<std::string> AuthStore::CreateUser(std::string_view name, Role role,
                                          std::string_view password) {
  std::lock_guard lock(mu_);
  return CreateUserLocked(name, role, password);
}

Result<std::string> AuthStore::CreateUserLocked(std::string_view name, Role role,
                                                std::string_view password) {
  if (!ValidName(name)) {
    return InvalidArgumentError(
        "a user name must be 1-64 characters of letters, digits and ._@- (got '{}')",
        name.substr(0, 80));
  }
  if (role == Role::kIngest) {
    return InvalidArgumentError("the ingest role is for sensor credentials, not users");
  }
  const std::string chosen = password.empty() ? GeneratePassword() : std::string(password);
  VIGIL_RETURN_IF_ERROR(CheckPassword(chosen));
  const auth::SaltedHash hash = auth::HashSecret(chosen);
  if (hash.salt_hex.empty()) {
    return InternalError("auth store: the random generator failed");
  }
  VIGIL_ASSIGN_OR_RETURN(auto exists,
                         db_->Prepare("SELECT 1 FROM users WHERE name = ?1", "find a user"));
  exists.Bind(1, name);
  VIGIL_ASSIGN_OR_RETURN(bool found, exists.Step());
  if (found) {
    return AlreadyExistsError("a user named '{}' exists", name);
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto stmt, db_->Prepare("INSERT INTO users (name, role, salt, password_hash, iterations,"
                              " created, password_changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                              "create a user"));
  stmt.Bind(1, name);
  stmt.Bind(2, RoleName(role));
  stmt.Bind(3, hash.salt_hex);
  stmt.Bind(4, hash.hash_hex);
  stmt.Bind(5, hash.iterations);
  stmt.Bind(6, UnixSeconds());
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  return chosen;
}

Result<std::optional<std::string>> AuthStore::EnsureAdminUser() {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto count, db_->Prepare("SELECT COUNT(*) FROM users", "count users"));
  VIGIL_ASSIGN_OR_RETURN(bool row, count.Step());
  if (row && count.Int(0) > 0) {
    return std::optional<std::string>();
  }
  VIGIL_ASSIGN_OR_RETURN(std::string password, CreateUserLocked("admin", Role::kAdmin, {}));
  return std::optional<std::string>(std::move(password));
}

Result<std::vector<UserRecord>> AuthStore::ListUsers() {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT " + std::string(kUserColumns) +
                                                     " FROM users ORDER BY name",
                                                 "list users"));
  std::vector<UserRecord> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) {
      break;
    }
    out.push_back(ReadUser(stmt));
  }
  return out;
}

Result<UserRecord> AuthStore::FindUser(std::string_view name) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT " + std::string(kUserColumns) +
                                                     " FROM users WHERE name = ?1",
                                                 "find a user"));
  stmt.Bind(1, name);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return NotFoundError("no user named '{}'", name.substr(0, 80));
  }
  return ReadUser(stmt);
}

Result<std::string> AuthStore::SetPassword(std::string_view name, std::string_view password) {
  const std::string chosen = password.empty() ? GeneratePassword() : std::string(password);
  VIGIL_RETURN_IF_ERROR(CheckPassword(chosen));
  const auth::SaltedHash hash = auth::HashSecret(chosen);
  if (hash.salt_hex.empty()) {
    return InternalError("auth store: the random generator failed");
  }
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      auto stmt, db_->Prepare("UPDATE users SET salt = ?2, password_hash = ?3, iterations = ?4,"
                              " password_changed = ?5 WHERE name = ?1",
                              "set a password"));
  stmt.Bind(1, name);
  stmt.Bind(2, hash.salt_hex);
  stmt.Bind(3, hash.hash_hex);
  stmt.Bind(4, hash.iterations);
  stmt.Bind(5, UnixSeconds());
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  if (db_->Changes() == 0) {
    return NotFoundError("no user named '{}'", name.substr(0, 80));
  }
  return chosen;
}

Status AuthStore::SetUserRole(std::string_view name, Role role) {
  if (role == Role::kIngest) {
    return InvalidArgumentError("the ingest role is for sensor credentials, not users");
  }
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      auto stmt, db_->Prepare("UPDATE users SET role = ?2 WHERE name = ?1", "set a user's role"));
  stmt.Bind(1, name);
  stmt.Bind(2, RoleName(role));
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  if (db_->Changes() == 0) {
    return NotFoundError("no user named '{}'", name.substr(0, 80));
  }
  return Status();
}

Status AuthStore::SetUserDisabled(std::string_view name, bool disabled) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("UPDATE users SET disabled = ?2 WHERE name = ?1",
                                                 "disable a user"));
  stmt.Bind(1, name);
  stmt.Bind(2, disabled ? 1 : 0);
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  if (db_->Changes() == 0) {
    return NotFoundError("no user named '{}'", name.substr(0, 80));
  }
  return Status();
}

Result<UserRecord> AuthStore::VerifyPassword(std::string_view name, std::string_view password) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto stmt,
                         db_->Prepare("SELECT " + std::string(kUserColumns) +
                                          ", salt, password_hash, iterations FROM users"
                                          " WHERE name = ?1",
                                      "find a user"));
  stmt.Bind(1, name);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return NotFoundError("no user named '{}'", name.substr(0, 80));
  }
  UserRecord user = ReadUser(stmt);
  const std::optional<bool> matches =
      password.size() > kMaxPasswordBytes
          ? std::optional<bool>(false)
          : auth::SecretMatches(password, stmt.Text(5), stmt.Text(6), stmt.Int(7));
  if (!matches) {
    return DataLossError("auth store: the password hash of user '{}' is damaged", user.name);
  }
  if (!*matches) {
    return InvalidArgumentError("wrong password for user '{}'", user.name);
  }
  if (user.disabled) {
    return FailedPreconditionError("user '{}' is disabled", user.name);
  }
  return user;
}

}  // namespace vigil::api
