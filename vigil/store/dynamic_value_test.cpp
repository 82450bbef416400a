#include "vigil/store/dynamic_value.h"

#include <gtest/gtest.h>

namespace vigil::store {
namespace {

std::string Encode(std::string_view json, bool* valid = nullptr) {
  std::string out;
  const bool ok = EncodeDynamicFromJson(json, out);
  if (valid != nullptr) {
    *valid = ok;
  }
  return out;
}

TEST(DynamicValueTest, PropertyAccessWithoutParsing) {
  const std::string bytes =
      Encode(R"({"Zeta":1,"Alpha":"x","Nested":{"List":[10,2.5,"s",null,true]},"Beta":false})");
  DynamicView view(bytes);
  ASSERT_EQ(view.kind(), DynamicView::Kind::kObject);
  EXPECT_EQ(view.size(), 4u);
  EXPECT_EQ(view.GetProperty("Zeta").AsLong(), 1);
  EXPECT_EQ(view.GetProperty("Alpha").AsString(), "x");
  EXPECT_EQ(view.GetProperty("Beta").kind(), DynamicView::Kind::kBool);
  EXPECT_FALSE(view.GetProperty("Beta").AsBool());
  EXPECT_TRUE(view.GetProperty("alpha").is_null());  // case-sensitive, like Kusto
  EXPECT_TRUE(view.GetProperty("Missing").is_null());
  const DynamicView list = view.GetProperty("Nested").GetProperty("List");
  ASSERT_EQ(list.kind(), DynamicView::Kind::kArray);
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(list.At(0).AsLong(), 10);
  EXPECT_DOUBLE_EQ(list.At(1).AsReal(), 2.5);
  EXPECT_EQ(list.At(2).AsString(), "s");
  EXPECT_TRUE(list.At(3).is_null());
  EXPECT_TRUE(list.At(4).AsBool());
  EXPECT_TRUE(list.At(5).is_null());
  // Source key order is kept for output.
  EXPECT_EQ(view.KeyAt(0), "Zeta");
  EXPECT_EQ(view.ToJson(),
            R"({"Zeta":1,"Alpha":"x","Nested":{"List":[10,2.5,"s",null,true]},"Beta":false})");
}

TEST(DynamicValueTest, ScalarsAndEscapes) {
  EXPECT_EQ(DynamicView(Encode("null")).kind(), DynamicView::Kind::kNull);
  EXPECT_EQ(DynamicView(Encode("-12")).AsLong(), -12);
  EXPECT_EQ(DynamicView(Encode("1.0")).ToJson(), "1.0");
  EXPECT_EQ(DynamicView(Encode(R"("a\"b\\c\n")")).AsString(), "a\"b\\c\n");
  EXPECT_EQ(DynamicView(Encode(R"("a\"b\\c\n")")).ToJson(), R"("a\"b\\c\n")");
  EXPECT_EQ(DynamicView(Encode("[]")).ToJson(), "[]");
  EXPECT_EQ(DynamicView(Encode("{}")).ToJson(), "{}");
}

TEST(DynamicValueTest, DuplicateKeysKeepTheLast) {
  const std::string bytes = Encode(R"({"a":1,"b":2,"a":3})");
  DynamicView view(bytes);
  EXPECT_EQ(view.size(), 2u);
  EXPECT_EQ(view.GetProperty("a").AsLong(), 3);
}

TEST(DynamicValueTest, InvalidJsonIsKeptAsString) {
  bool valid = true;
  const std::string bytes = Encode("not json {", &valid);
  EXPECT_FALSE(valid);
  EXPECT_EQ(DynamicView(bytes).AsString(), "not json {");
}

TEST(DynamicValueTest, ManyPropertiesBinarySearch) {
  std::string json = "{";
  for (int i = 0; i < 300; ++i) {
    json += (i > 0 ? "," : "") + std::string("\"k") + std::to_string(299 - i) +
            "\":" + std::to_string(i);
  }
  json += "}";
  const std::string bytes = Encode(json);
  DynamicView view(bytes);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(view.GetProperty("k" + std::to_string(299 - i)).AsLong(), i);
  }
}

TEST(DynamicValueTest, MalformedBytesReadAsNull) {
  std::string bytes = Encode(R"({"a":[1,2,3]})");
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    DynamicView view(std::string_view(bytes).substr(0, cut));
    EXPECT_TRUE(view.is_null());
    (void)view.ToJson();
  }
  std::string garbage = bytes;
  garbage[1] = '\x7f';  // huge count
  DynamicView view(garbage);
  (void)view.ToJson();
  (void)view.GetProperty("a");
}

}  // namespace
}  // namespace vigil::store
