// `vigil apps`: the credentials of the HTTP API in <data>/auth.db. `create NAME --role R`
// registers an app (OAuth2 client credentials) and prints its client id and secret once;
// `key NAME --role R` creates an API key, printed once; role `ingest` makes a per-source
// ingestion credential (`--source S`, default NAME) that may only send events; `list` shows
// apps and keys (never secrets); `revoke ID` revokes an app (client id) or a key (key id).
#include <memory>
#include <string>

#include <fmt/format.h>

#include "apps/vigil/auth_open.h"
#include "apps/vigil/commands.h"
#include "vigil/api/auth/auth_store.h"
#include "vigil/base/time.h"

namespace vigil::app {

void RegisterAppsCommand(CLI::App& app, GlobalOptions& global, int& exit_code);

namespace {

using api::AuthStore;

struct AppsArgs {
  std::string name;
  std::string role = "viewer";
  std::string source;
  std::string id;
};

std::string Time(int64_t unix_s) {
  return FormatDateTime(unix_s * kTicksPerSecond).substr(0, 19) + "Z";
}

int Fail(const Status& status) {
  fmt::print(stderr, "vigil apps: {}\n", status.message());
  return kExitError;
}

int RunCreate(const GlobalOptions& global, const AppsArgs& args, bool api_key) {
  const auto role = api::ParseRole(args.role);
  if (!role) {
    return Fail(InvalidArgumentError(
        "unknown role '{}' (viewer, analyst, responder, admin, ingest)", args.role));
  }
  auto store = OpenAuthStore(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  if (api_key) {
    auto key = (*store)->CreateApiKey(args.name, *role, args.source);
    if (!key.ok()) {
      return Fail(key.status());
    }
    fmt::print("key id:  {}\nrole:    {}\napi key: {}\n", key->id, api::RoleName(*role), key->key);
    if (*role == api::Role::kIngest) {
      fmt::print("source:  {}\n", args.source.empty() ? args.name : args.source);
    }
    fmt::print("Send it as 'X-Api-Key: <key>' or 'Authorization: Bearer <key>'. It is shown only"
               " once.\n");
    return kExitOk;
  }
  auto creds = (*store)->CreateApp(args.name, *role, args.source);
  if (!creds.ok()) {
    return Fail(creds.status());
  }
  fmt::print("name:          {}\nrole:          {}\nclient id:     {}\nclient secret: {}\n",
             creds->name, api::RoleName(creds->role), creds->client_id, creds->client_secret);
  if (!creds->source.empty()) {
    fmt::print("source:        {}\n", creds->source);
  }
  fmt::print("Get a token with POST /oauth2/v2.0/token (grant_type=client_credentials). The"
             " secret is shown only once.\n");
  return kExitOk;
}

int RunList(const GlobalOptions& global) {
  auto store = OpenAuthStore(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto apps = (*store)->ListApps();
  auto keys = (*store)->ListApiKeys();
  if (!apps.ok() || !keys.ok()) {
    return Fail(!apps.ok() ? apps.status() : keys.status());
  }
  constexpr std::string_view kRow = "{:<6}  {:<36}  {:<10}  {:<20}  {:<7}  {:<16}  {}\n";
  fmt::print(kRow, "Kind", "Id", "Role", "Created", "Revoked", "Source", "Name");
  for (const auto& a : *apps) {
    fmt::print(kRow, "app", a.client_id, api::RoleName(a.role), Time(a.created_s),
               a.revoked ? "yes" : "no", a.source.empty() ? "-" : a.source, a.name);
  }
  for (const auto& k : *keys) {
    fmt::print(kRow, "key", k.id, api::RoleName(k.role), Time(k.created_s),
               k.revoked ? "yes" : "no", k.source.empty() ? "-" : k.source, k.name);
  }
  return kExitOk;
}

int RunRevoke(const GlobalOptions& global, const AppsArgs& args) {
  auto store = OpenAuthStore(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  Status status = (*store)->Revoke(args.id);
  if (!status.ok()) {
    return Fail(status);
  }
  fmt::print("revoked {}\n", args.id);
  return kExitOk;
}

}  // namespace

void RegisterAppsCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* apps = app.add_subcommand("apps", "Manage API credentials (apps and API keys)");
  apps->require_subcommand(1);
  auto args = std::make_shared<AppsArgs>();
  const std::string roles = "viewer, analyst, responder, admin or ingest (sends events only)";
  const std::string source_help = "for --role ingest: the source its events count under"
                                  " (default: the name)";

  CLI::App* create = apps->add_subcommand("create", "Register an app; prints its secret once");
  create->add_option("name", args->name, "display name")->required();
  create->add_option("--role", args->role, roles)->capture_default_str();
  create->add_option("--source", args->source, source_help);
  create->callback([&global, &exit_code, args] { exit_code = RunCreate(global, *args, false); });

  CLI::App* key = apps->add_subcommand("key", "Create an API key; prints it once");
  key->add_option("name", args->name, "display name")->required();
  key->add_option("--role", args->role, roles)->capture_default_str();
  key->add_option("--source", args->source, source_help);
  key->callback([&global, &exit_code, args] { exit_code = RunCreate(global, *args, true); });

  CLI::App* list = apps->add_subcommand("list", "List apps and API keys (no secrets)");
  list->callback([&global, &exit_code] { exit_code = RunList(global); });

  CLI::App* revoke = apps->add_subcommand("revoke", "Revoke an app (client id) or key (key id)");
  revoke->add_option("id", args->id, "client id or key id")->required();
  revoke->callback([&global, &exit_code, args] { exit_code = RunRevoke(global, *args); });
}

}  // namespace vigil::app
