// Engine::Check (bind without data): the result of evaluate bag_unpack without a declared
// schema is open, as in Kusto's binder, so later operators may name the unpacked columns; a
// declared schema, or any other operator, keeps unknown names an error.
#include <gtest/gtest.h>

#include <string>

#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"

namespace vigil::kql {
namespace {

class EngineCheckTest : public ::testing::Test {
 protected:
  Engine engine_{nullptr, &schema::Catalog::Default()};
};

TEST_F(EngineCheckTest, BagUnpackResultIsOpen) {
  auto schema = engine_.Check(
      "DeviceNetworkEvents | extend F = todynamic(AdditionalFields) | evaluate bag_unpack(F)\n"
      "| where Signer startswith 'x' | project DeviceName, PublicScannedIp");
  ASSERT_TRUE(schema.has_value()) << schema.error().ToString();
  ASSERT_EQ(schema->size(), 2u);
  EXPECT_EQ((*schema)[0].name, "DeviceName");
  EXPECT_EQ((*schema)[1].name, "PublicScannedIp");
  EXPECT_EQ((*schema)[1].type, Type::kDynamic);
}

TEST_F(EngineCheckTest, OpenSchemaMarkerIsNotReported) {
  auto schema = engine_.Check("print b = dynamic({'a': 1}) | evaluate bag_unpack(b)");
  ASSERT_TRUE(schema.has_value()) << schema.error().ToString();
  for (const auto& col : *schema) {
    EXPECT_EQ(col.name.find('$'), std::string::npos) << col.name;
  }
}

TEST_F(EngineCheckTest, ProjectClosesTheSchema) {
  auto schema = engine_.Check(
      "print b = dynamic({'a': 1}) | evaluate bag_unpack(b) | project a | where Nope == 1");
  ASSERT_FALSE(schema.has_value());
  EXPECT_EQ(schema.error().code, "KQL0101");
}

TEST_F(EngineCheckTest, DeclaredSchemaIsClosed) {
  auto schema = engine_.Check(
      "print b = dynamic({'a': 1}) | evaluate bag_unpack(b) : (a:long) | where Nope == 1");
  ASSERT_FALSE(schema.has_value());
  EXPECT_EQ(schema.error().code, "KQL0101");
}

TEST_F(EngineCheckTest, RunStillNeedsTheColumn) {
  auto result =
      engine_.Run("print b = dynamic({'a': 1}) | evaluate bag_unpack(b) | where Nope == 1");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, "KQL0101");
}

}  // namespace
}  // namespace vigil::kql
