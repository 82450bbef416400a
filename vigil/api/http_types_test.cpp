#include "vigil/api/http_types.h"

#include <string>

#include <gtest/gtest.h>
#include <simdjson.h>

namespace vigil::api {
namespace {

ApiResponse Echo(const ApiRequest& request) {
  ApiResponse response;
  response.body = request.params.count("id") != 0 ? request.params.at("id") : "none";
  return response;
}

ApiRequest Req(std::string method, std::string path, Role role = Role::kAdmin) {
  ApiRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.principal.role = role;
  return request;
}

bool IsJsonObjectWithError(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) {
    return false;
  }
  simdjson::dom::object error;
  std::string_view code;
  std::string_view message;
  return root["error"].get(error) == simdjson::SUCCESS &&
         error["code"].get(code) == simdjson::SUCCESS &&
         error["message"].get(message) == simdjson::SUCCESS;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/api/incidents/{id}", Role::kViewer, Echo);
    router_.Add("POST", "/api/machines/{id}/runAntiVirusScan", Role::kResponder, Echo);
    router_.Add("GET", "/api/alerts", Role::kViewer, Echo);
  }
  Router router_;
};

TEST_F(RouterTest, BindsPathParameters) {
  ApiRequest request = Req("GET", "/api/incidents/42");
  ApiResponse response = router_.Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "42");
  EXPECT_EQ(request.params.at("id"), "42");
}

TEST_F(RouterTest, SegmentsMatchCaseInsensitivelyParametersKeepCase) {
  ApiRequest request = Req("POST", "/API/Machines/AbC/runantivirusscan");
  ApiResponse response = router_.Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "AbC");
}

TEST_F(RouterTest, UnknownPathIs404) {
  ApiRequest request = Req("GET", "/api/nothing/here");
  ApiResponse response = router_.Dispatch(request);
  EXPECT_EQ(response.status, 404);
  EXPECT_TRUE(IsJsonObjectWithError(response.body)) << response.body;
}

TEST_F(RouterTest, WrongMethodIs405) {
  ApiRequest request = Req("DELETE", "/api/alerts");
  EXPECT_EQ(router_.Dispatch(request).status, 405);
}

TEST_F(RouterTest, RoleBelowRouteIs403) {
  ApiRequest request = Req("POST", "/api/machines/m1/runAntiVirusScan", Role::kAnalyst);
  ApiResponse response = router_.Dispatch(request);
  EXPECT_EQ(response.status, 403);
  EXPECT_NE(response.body.find("responder"), std::string::npos);
  ApiRequest allowed = Req("POST", "/api/machines/m1/runAntiVirusScan", Role::kResponder);
  EXPECT_EQ(router_.Dispatch(allowed).status, 200);
}

TEST_F(RouterTest, ListsRoutes) {
  const auto routes = router_.Routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(std::get<1>(routes[1]), "/api/machines/{id}/runAntiVirusScan");
  EXPECT_EQ(std::get<2>(routes[1]), Role::kResponder);
}

TEST(ErrorResponseTest, BothShapesAreJson) {
  const ApiResponse defender =
      ErrorResponse(400, "BadRequest", "quote \" and \\ and\nnewline", ErrorStyle::kDefender);
  EXPECT_EQ(defender.status, 400);
  EXPECT_TRUE(IsJsonObjectWithError(defender.body)) << defender.body;
  EXPECT_NE(defender.body.find("\"target\""), std::string::npos);
  const ApiResponse graph = ErrorResponse(404, "NotFound", "gone", ErrorStyle::kGraph);
  EXPECT_TRUE(IsJsonObjectWithError(graph.body)) << graph.body;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(graph.body).get(root), simdjson::SUCCESS);
  std::string_view request_id;
  EXPECT_EQ(root["error"]["innerError"]["request-id"].get(request_id), simdjson::SUCCESS);
}

TEST(ErrorResponseTest, StyleFollowsPath) {
  EXPECT_EQ(ErrorStyleFor("/v1.0/security/incidents"), ErrorStyle::kGraph);
  EXPECT_EQ(ErrorStyleFor("/beta/security/alerts_v2"), ErrorStyle::kGraph);
  EXPECT_EQ(ErrorStyleFor("/api/alerts"), ErrorStyle::kDefender);
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kViewer, Role::kAnalyst, Role::kResponder, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(ParseRole("ADMIN"), Role::kAdmin);
  EXPECT_FALSE(ParseRole("root").has_value());
}

}  // namespace
}  // namespace vigil::api
