#include "vigil/api/odata/query.h"

#include <gtest/gtest.h>

namespace vigil::api::odata {
namespace {

JsonValue Machine(std::string name, std::string risk, int64_t score, std::string seen) {
  JsonValue v = JsonValue::Object();
  v.Set("computerDnsName", JsonValue::String(std::move(name)))
      .Set("riskScore", JsonValue::String(std::move(risk)))
      .Set("exposure", JsonValue::Int(score))
      .Set("lastSeen", JsonValue::String(std::move(seen)))
      .Set("assignedTo", JsonValue());
  JsonValue user = JsonValue::Object();
  user.Set("userName", JsonValue::String("alice"));
  v.Set("relatedUser", std::move(user));
  return v;
}

std::vector<JsonValue> Machines() {
  return {Machine("ws-001.corp", "High", 5, "2024-01-02T00:00:00Z"),
          Machine("srv-002.corp", "Low", 1, "2024-01-05T00:00:00Z"),
          Machine("ws-003.corp", "Medium", 3, "2023-12-30T10:00:00Z")};
}

std::vector<std::string> Names(const Page& page) {
  std::vector<std::string> names;
  for (const JsonValue& v : page.items) {
    names.push_back(v.Find("computerDnsName")->string_value());
  }
  return names;
}

Page RunQuery(std::multimap<std::string, std::string> query) {
  auto options = ParseQueryOptions(query, QueryLimits{});
  EXPECT_TRUE(options.has_value()) << options.error().ToString();
  return ApplyQuery(*options, Machines());
}

TEST(ODataQueryTest, FiltersWithComparisonsAndFunctions) {
  EXPECT_EQ(Names(RunQuery({{"$filter", "riskScore eq 'high'"}})),
            std::vector<std::string>{"ws-001.corp"});
  EXPECT_EQ(Names(RunQuery({{"$filter", "startswith(computerDnsName,'ws') and exposure ge 4"}})),
            std::vector<std::string>{"ws-001.corp"});
  EXPECT_EQ(Names(RunQuery({{"$filter", "not (riskScore in ('High','Low'))"}})),
            std::vector<std::string>{"ws-003.corp"});
  EXPECT_EQ(Names(RunQuery({{"$filter", "lastSeen gt 2024-01-01Z"}})),
            (std::vector<std::string>{"ws-001.corp", "srv-002.corp"}));
  EXPECT_EQ(Names(RunQuery(
                {{"$filter", "endswith(computerDnsName,'2.corp') or contains(riskScore,'edi')"}})),
            (std::vector<std::string>{"srv-002.corp", "ws-003.corp"}));
  EXPECT_EQ(RunQuery({{"$filter", "assignedTo eq null"}}).items.size(), 3u);
  EXPECT_EQ(RunQuery({{"$filter", "assignedTo ne null"}}).items.size(), 0u);
  EXPECT_EQ(RunQuery({{"$filter", "relatedUser/userName eq 'ALICE'"}}).items.size(), 3u);
}

TEST(ODataQueryTest, OrdersPagesAndSelects) {
  Page page = RunQuery({{"$orderby", "exposure desc"}, {"$top", "2"}, {"$skip", "0"}});
  EXPECT_EQ(Names(page), (std::vector<std::string>{"ws-001.corp", "ws-003.corp"}));
  EXPECT_TRUE(page.more);
  EXPECT_EQ(page.total, 3);
  page = RunQuery({{"$orderby", "lastSeen asc"}, {"$skip", "2"}});
  EXPECT_EQ(Names(page), std::vector<std::string>{"srv-002.corp"});
  EXPECT_FALSE(page.more);
  page = RunQuery({{"$select", "computerDnsName"}, {"$top", "1"}});
  EXPECT_EQ(page.items[0].Dump(), R"({"computerDnsName":"ws-001.corp"})");
}

TEST(ODataQueryTest, SeveritiesOrderByRankNotSpelling) {
  EXPECT_EQ(Names(RunQuery({{"$orderby", "riskScore desc"}})),
            (std::vector<std::string>{"ws-001.corp", "ws-003.corp", "srv-002.corp"}));
  EXPECT_EQ(Names(RunQuery({{"$orderby", "riskScore asc"}})),
            (std::vector<std::string>{"srv-002.corp", "ws-003.corp", "ws-001.corp"}));
  // Other text still sorts by spelling.
  EXPECT_EQ(Names(RunQuery({{"$orderby", "computerDnsName asc"}})),
            (std::vector<std::string>{"srv-002.corp", "ws-001.corp", "ws-003.corp"}));
}

TEST(ODataQueryTest, BadSyntaxNamesThePosition) {
  auto filter = Filter::Parse("riskScore eq 'High' and (exposure gt 3", {});
  ASSERT_FALSE(filter.has_value());
  EXPECT_NE(filter.error().message().find("position 39"), std::string::npos)
      << filter.error().message();
  filter = Filter::Parse("riskScore eq 'High", {});
  ASSERT_FALSE(filter.has_value());
  EXPECT_NE(filter.error().message().find("position 14"), std::string::npos);
  filter = Filter::Parse("bogus eq 1", {"riskScore"});
  ASSERT_FALSE(filter.has_value());
  EXPECT_NE(filter.error().message().find("unknown field 'bogus' at position 1"),
            std::string::npos);
  EXPECT_FALSE(Filter::Parse("riskScore eq", {}).has_value());
  EXPECT_FALSE(Filter::Parse("frobnicate(a,'b')", {}).has_value());
  EXPECT_FALSE(Filter::Parse(std::string(200, '('), {}).has_value());
}

TEST(ODataQueryTest, RejectsBadOptions) {
  QueryLimits limits;
  limits.max_top = 100;
  limits.fields = {"riskScore"};
  EXPECT_FALSE(ParseQueryOptions({{"$top", "101"}}, limits).has_value());
  EXPECT_FALSE(ParseQueryOptions({{"$top", "-1"}}, limits).has_value());
  EXPECT_FALSE(ParseQueryOptions({{"$skip", "x"}}, limits).has_value());
  EXPECT_FALSE(ParseQueryOptions({{"$orderby", "nope desc"}}, limits).has_value());
  EXPECT_FALSE(ParseQueryOptions({{"$orderby", "riskScore sideways"}}, limits).has_value());
  EXPECT_FALSE(ParseQueryOptions({{"$expand", "alerts"}}, limits).has_value());
  limits.expandable = {"alerts"};
  auto options = ParseQueryOptions({{"$expand", "Alerts"}, {"$count", "true"}}, limits);
  ASSERT_TRUE(options.has_value());
  EXPECT_TRUE(options->Expands("alerts"));
  EXPECT_TRUE(options->count);
}

TEST(ODataJsonTest, ParsesAndDumpsBodies) {
  auto value = ParseJson(R"({"a":[1,2.5,"x",null,true],"b":{"c":"d\"e"}})");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->Dump(), R"({"a":[1,2.5,"x",null,true],"b":{"c":"d\"e"}})");
  EXPECT_FALSE(ParseJson("{\"a\":").has_value());
  EXPECT_FALSE(ParseJson(std::string(100, '[') + std::string(100, ']')).has_value());
}

}  // namespace
}  // namespace vigil::api::odata
