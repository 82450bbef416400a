#include "vigil/api/auth/auth_store.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "vigil/api/auth/authenticator.h"

namespace vigil::api {
namespace {

namespace fs = std::filesystem;

class AuthStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil_auth_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "auth.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string ReadAllFiles() {
    std::string all;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      std::ifstream in(entry.path(), std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(AuthStoreTest, AdminAppCreatedOnceAndPersists) {
  std::string client_id;
  std::string secret;
  {
    auto store = AuthStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    auto admin = (*store)->EnsureAdminApp();
    ASSERT_TRUE(admin.ok());
    ASSERT_TRUE(admin->has_value());
    EXPECT_EQ((*admin)->role, Role::kAdmin);
    client_id = (*admin)->client_id;
    secret = (*admin)->client_secret;
    auto again = (*store)->EnsureAdminApp();
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again->has_value());
  }
  auto store = AuthStore::Open(path_);
  ASSERT_TRUE(store.ok());
  auto again = (*store)->EnsureAdminApp();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  auto app = (*store)->VerifyClientSecret(client_id, secret);
  ASSERT_TRUE(app.ok()) << app.status().message();
  EXPECT_EQ(app->name, "admin");
  auto wrong = (*store)->VerifyClientSecret(client_id, secret + "x");
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  auto unknown = (*store)->VerifyClientSecret("nobody", secret);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
}

TEST_F(AuthStoreTest, SecretsAreNeverStoredInClear) {
  std::string secret;
  std::string key;
  {
    auto store = AuthStore::Open(path_);
    ASSERT_TRUE(store.ok());
    auto app = (*store)->CreateApp("soc-script", Role::kAnalyst);
    ASSERT_TRUE(app.ok());
    secret = app->client_secret;
    auto api_key = (*store)->CreateApiKey("ingest", Role::kResponder);
    ASSERT_TRUE(api_key.ok());
    key = api_key->key;
    EXPECT_EQ(key.rfind("vk_", 0), 0u);
  }
  const std::string files = ReadAllFiles();
  EXPECT_NE(files.find("soc-script"), std::string::npos);  // sanity: the file holds the names
  EXPECT_EQ(files.find(secret), std::string::npos);
  EXPECT_EQ(files.find(key), std::string::npos);
  EXPECT_EQ(files.find(key.substr(3)), std::string::npos);
}

TEST_F(AuthStoreTest, RevokeAppsAndKeys) {
  auto store = AuthStore::Open(path_);
  ASSERT_TRUE(store.ok());
  auto app = (*store)->CreateApp("a", Role::kViewer);
  auto key = (*store)->CreateApiKey("k", Role::kViewer);
  ASSERT_TRUE(app.ok() && key.ok());
  EXPECT_TRUE((*store)->VerifyApiKey(key->key).ok());
  ASSERT_TRUE((*store)->Revoke(app->client_id).ok());
  ASSERT_TRUE((*store)->Revoke(key->id).ok());
  EXPECT_EQ((*store)->Revoke("nothing").code(), StatusCode::kNotFound);
  EXPECT_EQ((*store)->VerifyClientSecret(app->client_id, app->client_secret).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store)->VerifyApiKey(key->key).status().code(), StatusCode::kFailedPrecondition);
  auto apps = (*store)->ListApps();
  ASSERT_TRUE(apps.ok());
  ASSERT_EQ(apps->size(), 1u);
  EXPECT_TRUE(apps->front().revoked);
  auto keys = (*store)->ListApiKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_TRUE(keys->front().revoked);
}

TEST_F(AuthStoreTest, TokenKeyAndAuditSurviveRestart) {
  std::string key;
  {
    auto store = AuthStore::Open(path_);
    ASSERT_TRUE(store.ok());
    auto k = (*store)->TokenKey();
    ASSERT_TRUE(k.ok());
    key = *k;
    EXPECT_EQ(key.size(), 32u);
    ASSERT_TRUE((*store)->Audit({100, "app1", "PATCH", "/api/alerts/x", 200}).ok());
  }
  auto store = AuthStore::Open(path_);
  ASSERT_TRUE(store.ok());
  auto k = (*store)->TokenKey();
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(*k, key);
  auto audit = (*store)->ListAudit(10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->front().principal, "app1");
  EXPECT_EQ(audit->front().method, "PATCH");
  EXPECT_EQ(audit->front().status, 200);
}

TEST_F(AuthStoreTest, UsersPasswordsRolesAndDisabling) {
  auto store = AuthStore::Open(path_);
  ASSERT_TRUE(store.ok());
  auto first = (*store)->EnsureAdminUser();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_GE((*first)->size(), kMinPasswordLength);
  auto again = (*store)->EnsureAdminUser();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());  // only on the first start
  EXPECT_TRUE((*store)->VerifyPassword("admin", **first).ok());

  EXPECT_EQ((*store)->CreateUser("eve", Role::kAnalyst, "short").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->CreateUser("bad name", Role::kAnalyst, "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->CreateUser("eve", Role::kIngest, "").status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE((*store)->CreateUser("eve", Role::kAnalyst, "twelve chars!").ok());
  EXPECT_EQ((*store)->CreateUser("EVE", Role::kViewer, "").status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ((*store)->VerifyPassword("eve", "twelve chars?").status().code(),
            StatusCode::kInvalidArgument);
  auto eve = (*store)->VerifyPassword("Eve", "twelve chars!");
  ASSERT_TRUE(eve.ok());
  EXPECT_EQ(eve->role, Role::kAnalyst);

  auto generated = (*store)->SetPassword("eve", "");
  ASSERT_TRUE(generated.ok());
  EXPECT_FALSE((*store)->VerifyPassword("eve", "twelve chars!").ok());
  EXPECT_TRUE((*store)->VerifyPassword("eve", *generated).ok());
  ASSERT_TRUE((*store)->SetUserRole("eve", Role::kResponder).ok());
  ASSERT_TRUE((*store)->SetUserDisabled("eve", true).ok());
  EXPECT_EQ((*store)->VerifyPassword("eve", *generated).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store)->SetUserDisabled("nobody", true).code(), StatusCode::kNotFound);
  auto users = (*store)->ListUsers();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[1].name, "eve");
  EXPECT_EQ((*users)[1].role, Role::kResponder);
  EXPECT_TRUE((*users)[1].disabled);
  // Passwords are not stored in clear.
  store->reset();
  EXPECT_EQ(ReadAllFiles().find(*generated), std::string::npos);
}

TEST_F(AuthStoreTest, IngestCredentialsBindASource) {
  auto store = AuthStore::Open(path_);
  ASSERT_TRUE(store.ok());
  auto app = (*store)->CreateApp("squid-fwd", Role::kIngest);
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->source, "squid-fwd");  // defaults to the name
  auto key = (*store)->CreateApiKey("gw", Role::kIngest, "mail-gw-1");
  ASSERT_TRUE(key.ok());
  auto verified = (*store)->VerifyApiKey(key->key);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->source, "mail-gw-1");
  EXPECT_EQ(verified->role, Role::kIngest);
  EXPECT_FALSE((*store)->CreateApiKey("x", Role::kAdmin, "src").ok());
  EXPECT_FALSE((*store)->CreateApiKey("x", Role::kIngest, "bad source!").ok());
  auto found = (*store)->FindApp(app->client_id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->source, "squid-fwd");
}

TEST(RoleTest, IngestStandsApart) {
  EXPECT_TRUE(RoleAllows(Role::kIngest, Role::kIngest));
  EXPECT_FALSE(RoleAllows(Role::kIngest, Role::kViewer));
  EXPECT_TRUE(RoleAllows(Role::kResponder, Role::kIngest));
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Role::kIngest));
  EXPECT_FALSE(RoleAllows(Role::kAnalyst, Role::kIngest));
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Role::kViewer));
  EXPECT_FALSE(RoleAllows(Role::kViewer, Role::kAnalyst));
  EXPECT_EQ(ParseRole("ingest"), Role::kIngest);
}

TEST(TokenTest, RoundTripAndTamper) {
  const std::string key(32, 'k');
  TokenClaims claims{"id1", "name", Role::kResponder, 10, 20};
  const std::string token = EncodeToken(claims, key);
  auto decoded = DecodeToken(token, key);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->sub, "id1");
  EXPECT_EQ(decoded->role, Role::kResponder);
  EXPECT_EQ(decoded->exp, 20);
  EXPECT_FALSE(DecodeToken(token, std::string(32, 'x')).ok());
  std::string tampered = token;
  tampered[tampered.find('.') + 2] ^= 1;
  EXPECT_FALSE(DecodeToken(tampered, key).ok());
  EXPECT_FALSE(DecodeToken("a.b", key).ok());
  EXPECT_FALSE(DecodeToken("", key).ok());
  EXPECT_FALSE(DecodeToken("...", key).ok());
}

}  // namespace
}  // namespace vigil::api
