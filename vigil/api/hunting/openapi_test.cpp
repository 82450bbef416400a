// The OpenAPI document lists every route of a router with its method, path parameters and role.
#include "vigil/api/openapi.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "vigil/api/hunting/hunting.h"

namespace vigil::api {
namespace {

TEST(OpenApi, ListsEveryRouteAsValidJson) {
  Router router;
  const Handler ok = [](const ApiRequest&) { return ApiResponse{}; };
  router.Add("GET", "/api/machines/{id}", Role::kViewer, ok);
  router.Add("POST", "/api/machines/{id}/isolate", Role::kResponder, ok);
  router.Add("PATCH", "/v1.0/security/incidents/{incidentId}", Role::kAnalyst, ok);
  RegisterHuntingRoutes(router, ApiContext{}, HuntingOptions{});
  RegisterOpenApiRoute(router);

  ApiRequest request;
  request.method = "GET";
  request.path = "/api/openapi.json";
  const ApiResponse r = router.Dispatch(request);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, OpenApiJson(router));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
  EXPECT_EQ(std::string_view(doc["openapi"]), "3.0.3");
  EXPECT_EQ(std::string_view(doc["components"]["securitySchemes"]["bearer"]["scheme"]), "bearer");
  size_t operations = 0;
  for (const auto& [method, pattern, role] : router.Routes()) {
    std::string lower = method;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    simdjson::dom::element op;
    ASSERT_EQ(doc["paths"][pattern][lower].get(op), simdjson::SUCCESS) << method << pattern;
    EXPECT_EQ(std::string_view(op["x-vigil-role"]), RoleName(role));
    ++operations;
  }
  EXPECT_EQ(operations, 8u);  // 3 above, 4 hunting (with /api/hunting/schema), openapi.json
  simdjson::dom::element param = doc["paths"]["/api/machines/{id}/isolate"]["parameters"].at(0);
  EXPECT_EQ(std::string_view(param["name"]), "id");
  EXPECT_EQ(std::string_view(param["in"]), "path");
  EXPECT_TRUE(bool(param["required"]));
  EXPECT_EQ(simdjson::dom::array(doc["paths"]["/api/openapi.json"]["get"]["security"]).size(), 0u);
  EXPECT_EQ(std::string_view(doc["paths"]["/api/advancedhunting/run"]["post"]["x-vigil-role"]),
            "viewer");
}

}  // namespace
}  // namespace vigil::api
