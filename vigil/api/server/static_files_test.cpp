#include "vigil/api/server/static_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "vigil/api/auth/auth_store.h"
#include "vigil/api/auth/authenticator.h"
#include "vigil/api/server/http_server.h"
#include "vigil/api/server/test_client.h"

namespace vigil::api {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil_static_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    root_ = dir_ / "web";
    fs::create_directories(root_ / "assets");
    Write(root_ / "index.html", "<!doctype html><title>Vigil</title>");
    Write(root_ / "assets" / "index-abc123.js", "console.log('app')");
    Write(root_ / "assets" / "index-abc123.js.gz", test::Gzip("console.log('app')"));
    Write(root_ / "favicon.svg", "<svg/>");
    Write(dir_ / "secret.txt", "not for the web");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void Write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  static ApiRequest Get(std::string path, std::string accept_encoding = "") {
    ApiRequest request;
    request.method = "GET";
    request.path = std::move(path);
    if (!accept_encoding.empty()) {
      request.headers["accept-encoding"] = std::move(accept_encoding);
    }
    return request;
  }

  fs::path dir_;
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypeAndCaching) {
  StaticFiles files(root_);
  ApiResponse js = files.Serve(Get("/assets/index-abc123.js"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log('app')");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers["Cache-Control"], "public, max-age=31536000, immutable");
  EXPECT_EQ(js.headers.count("Content-Encoding"), 0u);

  ApiResponse svg = files.Serve(Get("/favicon.svg"));
  EXPECT_EQ(svg.status, 200);
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  EXPECT_EQ(svg.headers["Cache-Control"], "no-cache");
}

TEST_F(StaticFilesTest, IndexForRoutesOfTheApp) {
  StaticFiles files(root_);
  // Routes whose last segment has a dot or a backslash are still routes (users by UPN or
  // DOMAIN\name).
  for (const char* route : {"/", "/incidents", "/incidents/7", "/hunting/",
                            "/users/jdoe@contoso.com", "/users/NT AUTHORITY\\SYSTEM"}) {
    ApiResponse page = files.Serve(Get(route));
    EXPECT_EQ(page.status, 200) << route;
    EXPECT_EQ(page.body, "<!doctype html><title>Vigil</title>") << route;
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_NE(page.headers["Content-Security-Policy"].find("default-src 'self'"),
              std::string::npos);
    EXPECT_EQ(page.headers["X-Frame-Options"], "DENY");
  }
  // A missing build asset is a 404, not the app.
  EXPECT_EQ(files.Serve(Get("/assets/missing-123.js")).status, 404);
  EXPECT_EQ(files.Serve(Get("/assets/../../secret.txt")).status, 404);
}

TEST_F(StaticFilesTest, NothingOutsideTheRoot) {
  StaticFiles files(root_);
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/.hidden",
                           "/assets/..%2f..%2fsecret.txt", "/a\\..\\secret.txt"}) {
    ApiResponse response = files.Serve(Get(path));
    EXPECT_NE(response.body, "not for the web") << path;
    EXPECT_TRUE(response.status == 404 || response.body.find("<title>Vigil") != std::string::npos)
        << path;
  }
  std::string with_nul = "/assets/index-abc123.js";
  with_nul.push_back('\0');
  EXPECT_EQ(files.Serve(Get(with_nul)).status, 404);
}

TEST_F(StaticFilesTest, GzipWhenAcceptedAndEtagRevalidation) {
  StaticFiles files(root_);
  ApiResponse gz = files.Serve(Get("/assets/index-abc123.js", "br, gzip"));
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.headers["Content-Encoding"], "gzip");
  EXPECT_EQ(gz.body, test::Gzip("console.log('app')"));
  EXPECT_EQ(gz.headers["Vary"], "Accept-Encoding");

  const std::string etag = gz.headers["ETag"];
  ASSERT_FALSE(etag.empty());
  ApiRequest again = Get("/assets/index-abc123.js");
  again.headers["if-none-match"] = etag;
  ApiResponse not_modified = files.Serve(again);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
}

TEST_F(StaticFilesTest, OnlyConsolePathsAreHandled) {
  EXPECT_TRUE(StaticFiles::Handles(Get("/")));
  EXPECT_TRUE(StaticFiles::Handles(Get("/incidents/7")));
  EXPECT_FALSE(StaticFiles::Handles(Get("/api/incidents")));
  EXPECT_FALSE(StaticFiles::Handles(Get("/api")));
  EXPECT_FALSE(StaticFiles::Handles(Get("/v1.0/security/incidents")));
  EXPECT_FALSE(StaticFiles::Handles(Get("/contoso/oauth2/v2.0/token")));
  ApiRequest post = Get("/incidents");
  post.method = "POST";
  EXPECT_FALSE(StaticFiles::Handles(post));
}

TEST_F(StaticFilesTest, ServerAnswersConsoleWithoutTokenButNotTheApi) {
  auto store = AuthStore::Open((dir_ / "auth.db").string());
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto authenticator = Authenticator::Create(**store, AuthOptions{});
  ASSERT_TRUE(authenticator.ok());
  Router router;
  router.Add("GET", "/api/incidents", Role::kViewer, [](const ApiRequest&) {
    ApiResponse response;
    response.body = "{\"value\":[]}";
    return response;
  });
  ServerOptions options;
  options.web_root = root_;
  HttpServer server(options, router, **authenticator);

  ApiRequest page = Get("/incidents/7");
  EXPECT_EQ(server.Handle(page).status, 200);
  ApiRequest data = Get("/api/incidents");
  EXPECT_EQ(server.Handle(data).status, 401);

  ServerOptions api_only;
  HttpServer no_console(api_only, router, **authenticator);
  ApiRequest page_again = Get("/incidents/7");
  EXPECT_EQ(no_console.Handle(page_again).status, 401);  // no console: everything is API
}

TEST_F(StaticFilesTest, FindConsoleDirNeedsAnIndex) {
  EXPECT_EQ(FindConsoleDir(root_.string(), {}), root_);
  EXPECT_FALSE(FindConsoleDir((dir_ / "nope").string(), {root_}).has_value());
  ::unsetenv("VIGIL_WEB_DIR");
  EXPECT_EQ(FindConsoleDir("", {dir_ / "nope", root_}), fs::weakly_canonical(root_));
  EXPECT_FALSE(FindConsoleDir("", {dir_}).has_value());
}

}  // namespace
}  // namespace vigil::api
