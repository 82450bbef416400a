#include <gtest/gtest.h>

#include "vigil/detect/ioc/import.h"

namespace vigil::detect::ioc {
namespace {

constexpr int64_t kNowUs = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

ImportOptions Options() {
  ImportOptions options;
  options.now_us = kNowUs;
  options.created_by = "analyst@contoso.com";
  return options;
}

TEST(IocImportTest, CsvWithHeaderInAnyOrderAndBadLines) {
  const std::string csv =
      "\xEF\xBB\xBF"
      "title,INDICATORVALUE,IndicatorType,Action,Severity,ExpirationTime,"
      "Description,RbacGroups,MitreTechniques,GenerateAlert,Unknown\r\n"
      "\"Emotet, loader\",220E7D15B011D7FAC48F2BD61114DB1022197F7F,FileSha1,AlertAndBlock,High,"
      "2027-01-01T00:00:00Z,\"multi\nline \"\"quoted\"\"\",\"g1; g2\",T1204,,x\r\n"
      "bad hash,abc,FileSha256,Block,Low,,d,,,,\r\n"
      "\r\n"
      "cidr,8.8.8.0/24,IpAddress,Block,Low,,d,,,,\r\n"
      "old,evil.com,DomainName,Block,Low,2020-01-01,d,,,,\r\n"
      "audit,evil.org,DomainName,Audit,Medium,,d,,,,\r\n"
      "too,many,fields,Block,Low,,d,,,,,,extra\r\n"
      "odd,evil.net,DomainName,Explode,Low,,d,,,,\r\n";
  Result<ImportResult> result = ImportCsv(csv, Options());
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->records, 7u);
  ASSERT_EQ(result->imported(), 2u);
  const Indicator& first = result->indicators[0];
  EXPECT_EQ(first.title, "Emotet, loader");
  EXPECT_EQ(first.indicator_value, "220e7d15b011d7fac48f2bd61114db1022197f7f");
  EXPECT_EQ(first.action, IndicatorAction::kBlock);
  EXPECT_TRUE(first.generate_alert);  // legacy AlertAndBlock
  EXPECT_EQ(first.severity, Severity::kHigh);
  EXPECT_EQ(first.description, "multi\nline \"quoted\"");
  EXPECT_EQ(first.rbac_group_names, (std::vector<std::string>{"g1", "g2"}));
  EXPECT_EQ(first.mitre_techniques, (std::vector<std::string>{"T1204"}));
  EXPECT_EQ(first.expiration_time_us, 1'798'761'600'000'000);
  EXPECT_EQ(first.created_by, "analyst@contoso.com");
  EXPECT_EQ(first.creation_time_us, kNowUs);
  EXPECT_EQ(result->indicators[1].indicator_value, "evil.org");
  EXPECT_TRUE(result->indicators[1].generate_alert);  // Audit implies an alert

  ASSERT_EQ(result->failed(), 5u);
  EXPECT_EQ(result->errors[0].line, 4u);  // the quoted newline moved record 2 to line 4
  EXPECT_EQ(result->errors[0].record, 2u);
  EXPECT_NE(result->errors[0].message.find("expected 64 hex digits"), std::string::npos);
  EXPECT_EQ(result->errors[1].line, 6u);
  EXPECT_NE(result->errors[1].message.find("CIDR"), std::string::npos);
  EXPECT_NE(result->errors[2].message.find("in the past"), std::string::npos);
  EXPECT_NE(result->errors[3].message.find("13 fields, the header has 11"), std::string::npos);
  EXPECT_EQ(result->errors[4].message,
            "unknown Action 'Explode' (expected Allowed, Audit, Warn, Block or BlockAndRemediate)");
}

TEST(IocImportTest, CsvHeaderProblemsFailTheWholeImport) {
  EXPECT_FALSE(ImportCsv("", Options()).ok());
  Result<ImportResult> missing = ImportCsv("IndicatorValue,Action\nx,Block\n", Options());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(),
            "indicator csv header lacks required column 'IndicatorType' (header line 1)");
  EXPECT_FALSE(ImportCsv("IndicatorType,IndicatorType,IndicatorValue,Action\n", Options()).ok());
  ImportOptions small = Options();
  small.max_input_bytes = 10;
  EXPECT_EQ(ImportCsv("IndicatorType,IndicatorValue,Action\n", small).error().code(),
            StatusCode::kResourceExhausted);
}

TEST(IocImportTest, CsvUnterminatedQuoteIsReported) {
  Result<ImportResult> result = ImportCsv(
      "IndicatorType,IndicatorValue,Action,Title,Description\n"
      "DomainName,evil.com,Block,t,d\n"
      "DomainName,\"evil.org,Block,t,d\n",
      Options());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->imported(), 1u);
  ASSERT_EQ(result->failed(), 1u);
  EXPECT_EQ(result->errors[0].line, 3u);
  EXPECT_EQ(result->errors[0].message, "unterminated quoted field");
}

TEST(IocImportTest, JsonSingleObjectAsTheApiTakesIt) {
  const std::string json = R"({"indicatorValue":"220e7d15b011d7fac48f2bd61114db1022197f7f",
    "indicatorType":"FileSha1","title":"test","application":"demo-test",
    "expirationTime":"2027-12-12T00:00:00Z","action":"AlertAndBlock","severity":"Informational",
    "description":"test","recommendedActions":"nothing","rbacGroupNames":["group1","group2"]})";
  Result<ImportResult> result = ImportIndicators(json, Options());
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  ASSERT_EQ(result->imported(), 1u);
  const Indicator& indicator = result->indicators[0];
  EXPECT_EQ(indicator.application, "demo-test");
  EXPECT_EQ(indicator.recommended_actions, "nothing");
  EXPECT_EQ(indicator.rbac_group_names, (std::vector<std::string>{"group1", "group2"}));
  EXPECT_EQ(indicator.action, IndicatorAction::kBlock);
}

TEST(IocImportTest, JsonImportWrapperArrayAndODataList) {
  const std::string json = R"({"Indicators":[
    {"IndicatorValue":"evil.com","IndicatorType":"DomainName","Action":"Warn","Title":"t",
     "Description":"d","GenerateAlert":true,"MitreTechniques":["T1566"]},
    {"indicatorValue":"evil.com","indicatorType":"Url","action":"Block","title":"t"},
    "not an object",
    {"id":995,"indicatorValue":"8.8.8.8","indicatorType":"IpAddress","action":"Block",
     "title":"t","description":"d","generateAlert":"false"}]})";
  Result<ImportResult> result = ImportJson(json, Options());
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->records, 4u);
  ASSERT_EQ(result->imported(), 2u);
  EXPECT_TRUE(result->indicators[0].generate_alert);
  EXPECT_EQ(result->indicators[1].id, "995");
  ASSERT_EQ(result->failed(), 2u);
  EXPECT_EQ(result->errors[0].record, 2u);
  EXPECT_EQ(result->errors[0].message, "description is required for indicator 'evil.com/'");
  EXPECT_EQ(result->errors[1].record, 3u);
  EXPECT_EQ(result->errors[1].message, "record is not a JSON object");

  Result<ImportResult> odata = ImportJson(
      R"({"@odata.context":"x","value":[{"indicatorValue":"evil.com","indicatorType":"DomainName",
         "action":"Block","title":"t","description":"d"}]})",
      Options());
  ASSERT_TRUE(odata.ok());
  EXPECT_EQ(odata->imported(), 1u);
}

TEST(IocImportTest, JsonLinesReportBadLines) {
  const std::string jsonl =
      R"({"indicatorValue":"evil.com","indicatorType":"DomainName","action":"Block","title":"t","description":"d"})"
      "\n\n"
      R"({"indicatorValue":"evil.org", broken)"
      "\n"
      R"({"indicatorValue":"8.8.8.8","indicatorType":"IpAddress","action":"Block","title":"t","description":"d","rbacGroupNames":[1]})"
      "\n"
      R"({"indicatorValue":"1.1.1.1","indicatorType":"IpAddress","action":"Allowed","title":"t","description":"d"})"
      "\n";
  Result<ImportResult> result = ImportIndicators(jsonl, Options());
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->records, 4u);
  EXPECT_EQ(result->imported(), 2u);
  ASSERT_EQ(result->failed(), 2u);
  EXPECT_EQ(result->errors[0].line, 3u);
  EXPECT_NE(result->errors[0].message.find("invalid JSON"), std::string::npos);
  EXPECT_EQ(result->errors[1].line, 4u);
  EXPECT_NE(result->errors[1].message.find("array of strings"), std::string::npos);
}

TEST(IocImportTest, JsonGarbageFails) {
  EXPECT_FALSE(ImportJson("[1,", Options()).ok());
  EXPECT_FALSE(ImportJson("42", Options()).ok());
  EXPECT_FALSE(ImportJson("   ", Options()).ok());
  ImportOptions capped = Options();
  capped.max_records = 1;
  EXPECT_EQ(ImportJson("[{},{}]", capped).error().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace vigil::detect::ioc
