// `vigil users`: the console users in <data>/auth.db. `create NAME --role R` adds a user with
// a generated password printed once (or one read from stdin with --password-stdin); `list`
// shows users (never passwords); `passwd NAME` sets a new password; `role NAME R` changes the
// role; `disable NAME` / `enable NAME` block or allow sign-in. A running server notices a
// change within its credential cache time (2 s).
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "apps/vigil/auth_open.h"
#include "apps/vigil/commands.h"
#include "vigil/api/auth/auth_store.h"
#include "vigil/base/time.h"

namespace vigil::app {

void RegisterUsersCommand(CLI::App& app, GlobalOptions& global, int& exit_code);

namespace {

using api::AuthStore;

struct UsersArgs {
  std::string name;
  std::string role = "analyst";
  bool password_stdin = false;
};

int Fail(const Status& status) {
  fmt::print(stderr, "vigil users: {}\n", status.message());
  return kExitError;
}

// The password from stdin (first line, without the line break), or empty to generate one.
Result<std::string> PasswordFrom(const UsersArgs& args) {
  if (!args.password_stdin) {
    return std::string();
  }
  std::string line;
  if (!std::getline(std::cin, line)) {
    return InvalidArgumentError("--password-stdin: no password on standard input");
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  if (line.empty()) {
    return InvalidArgumentError("--password-stdin: the password is empty");
  }
  return line;
}

void PrintPassword(const UsersArgs& args, const std::string& password) {
  if (args.password_stdin) {
    fmt::print("password: (as given)\n");
  } else {
    fmt::print("password: {}\n(shown only once)\n", password);
  }
}

int RunCreate(const GlobalOptions& global, const UsersArgs& args) {
  const auto role = api::ParseRole(args.role);
  if (!role || *role == api::Role::kIngest) {
    return Fail(InvalidArgumentError("unknown role '{}' (viewer, analyst, responder, admin)",
                                     args.role));
  }
  auto password = PasswordFrom(args);
  if (!password.ok()) {
    return Fail(password.status());
  }
  auto store = OpenAuthStore(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto set = (*store)->CreateUser(args.name, *role, *password);
  if (!set.ok()) {
    return Fail(set.status());
  }
  fmt::print("user:     {}\nrole:     {}\n", args.name, api::RoleName(*role));
  PrintPassword(args, *set);
  return kExitOk;
}

int RunList(const GlobalOptions& global) {
  auto store = OpenAuthStore(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto users = (*store)->ListUsers();
  if (!users.ok()) {
    return Fail(users.status());
  }
  auto when = [](int64_t s) { return FormatDateTime(s * kTicksPerSecond).substr(0, 19) + "Z"; };
  constexpr std::string_view kRow = "{:<24}  {:<10}  {:<20}  {:<20}  {}\n";
  fmt::print(kRow, "Name", "Role", "Created", "Password changed", "Disabled");
  for (const auto& u : *users) {
    fmt::print(kRow, u.name, api::RoleName(u.role), when(u.created_s),
               when(u.password_changed_s), u.disabled ? "yes" : "no");
  }
  return kExitOk;
}

int RunPasswd(const GlobalOptions& global, const UsersArgs& args) {
  auto password = PasswordFrom(args);
  if (!password.ok()) {
    return Fail(password.status());
  }
  auto store = OpenAuthStore(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto set = (*store)->SetPassword(args.name, *password);
  if (!set.ok()) {
    return Fail(set.status());
  }
  fmt::print("user:     {}\n", args.name);
  PrintPassword(args, *set);
  return kExitOk;
}

int RunRole(const GlobalOptions& global, const UsersArgs& args) {
  const auto role = api::ParseRole(args.role);
  if (!role) {
    return Fail(InvalidArgumentError("unknown role '{}'", args.role));
  }
  auto store = OpenAuthStore(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  if (Status s = (*store)->SetUserRole(args.name, *role); !s.ok()) {
    return Fail(s);
  }
  fmt::print("user {} now has the {} role\n", args.name, api::RoleName(*role));
  return kExitOk;
}

int RunDisable(const GlobalOptions& global, const UsersArgs& args, bool disabled) {
  auto store = OpenAuthStore(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  if (Status s = (*store)->SetUserDisabled(args.name, disabled); !s.ok()) {
    return Fail(s);
  }
  fmt::print("user {} {}\n", args.name, disabled ? "disabled" : "enabled");
  return kExitOk;
}

}  // namespace

void RegisterUsersCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* users = app.add_subcommand("users", "Manage console users (name and password)");
  users->require_subcommand(1);
  auto args = std::make_shared<UsersArgs>();
  const std::string roles = "viewer, analyst, responder or admin";
  const std::string stdin_help = "read the password from the first line of stdin (at least " +
                                 std::to_string(api::kMinPasswordLength) +
                                 " characters) instead of generating one";

  CLI::App* create = users->add_subcommand("create", "Add a user; prints its password once");
  create->add_option("name", args->name, "user name")->required();
  create->add_option("--role", args->role, roles)->capture_default_str();
  create->add_flag("--password-stdin", args->password_stdin, stdin_help);
  create->callback([&global, &exit_code, args] { exit_code = RunCreate(global, *args); });

  CLI::App* list = users->add_subcommand("list", "List users (no passwords)");
  list->callback([&global, &exit_code] { exit_code = RunList(global); });

  CLI::App* passwd = users->add_subcommand("passwd", "Set a new password (generated or stdin)");
  passwd->add_option("name", args->name, "user name")->required();
  passwd->add_flag("--password-stdin", args->password_stdin, stdin_help);
  passwd->callback([&global, &exit_code, args] { exit_code = RunPasswd(global, *args); });

  CLI::App* role = users->add_subcommand("role", "Change a user's role");
  role->add_option("name", args->name, "user name")->required();
  role->add_option("role", args->role, roles)->required();
  role->callback([&global, &exit_code, args] { exit_code = RunRole(global, *args); });

  CLI::App* disable = users->add_subcommand("disable", "Block a user's sign-in");
  disable->add_option("name", args->name, "user name")->required();
  disable->callback([&global, &exit_code, args] { exit_code = RunDisable(global, *args, true); });

  CLI::App* enable = users->add_subcommand("enable", "Allow a disabled user to sign in again");
  enable->add_option("name", args->name, "user name")->required();
  enable->callback([&global, &exit_code, args] { exit_code = RunDisable(global, *args, false); });
}

}  // namespace vigil::app
