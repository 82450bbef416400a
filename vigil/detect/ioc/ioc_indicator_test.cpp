#include <gtest/gtest.h>

#include "vigil/detect/ioc/indicator.h"

namespace vigil::detect::ioc {
namespace {

Indicator Make(IndicatorType type, std::string value) {
  Indicator indicator;
  indicator.indicator_type = type;
  indicator.indicator_value = std::move(value);
  indicator.action = IndicatorAction::kBlock;
  indicator.title = "Bad thing";
  indicator.description = "seen in an incident";
  return indicator;
}

std::string Norm(IndicatorType type, std::string_view value) {
  Result<std::string> out = NormalizeIndicatorValue(type, value);
  return out.ok() ? *out : "ERR: " + out.error().message();
}

TEST(IocIndicatorTest, HashesAreLowerCasedAndLengthChecked) {
  EXPECT_EQ(Norm(IndicatorType::kFileSha1, " 220E7D15B011D7FAC48F2BD61114DB1022197F7F "),
            "220e7d15b011d7fac48f2bd61114db1022197f7f");
  EXPECT_EQ(Norm(IndicatorType::kFileMd5, "D41D8CD98F00B204E9800998ECF8427E"),
            "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Norm(IndicatorType::kFileSha256, "abc"),
            "ERR: indicatorValue 'abc' is not a valid FileSha256: expected 64 hex digits, got 3");
  EXPECT_NE(Norm(IndicatorType::kFileMd5, "z41d8cd98f00b204e9800998ecf8427e").find("non-hex"),
            std::string::npos);
  // Thumbprints may be written with separators.
  EXPECT_EQ(Norm(IndicatorType::kCertificateThumbprint,
                 "A9:09:50:2D:D8:2A:E4:14:33:E6:F8:38:86:B0:0D:42:77:A3:2A:7B"),
            "a909502dd82ae41433e6f83886b00d4277a32a7b");
}

TEST(IocIndicatorTest, IpAddresses) {
  EXPECT_EQ(Norm(IndicatorType::kIpAddress, "8.8.8.8"), "8.8.8.8");
  EXPECT_EQ(Norm(IndicatorType::kIpAddress, "2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(Norm(IndicatorType::kIpAddress, "::ffff:8.8.4.4"), "8.8.4.4");
  EXPECT_NE(Norm(IndicatorType::kIpAddress, "8.8.8.0/24").find("CIDR notation is not supported"),
            std::string::npos);
  EXPECT_NE(Norm(IndicatorType::kIpAddress, "256.1.1.1").find("not a valid IpAddress"),
            std::string::npos);
  EXPECT_NE(Norm(IndicatorType::kIpAddress, "08.8.8.8").find("not a valid IpAddress"),
            std::string::npos);
  EXPECT_NE(Norm(IndicatorType::kIpAddress, "10.1.2.3").find("internal address"),
            std::string::npos);
  ValidateOptions lab;
  lab.allow_internal_ips = true;
  EXPECT_EQ(*NormalizeIndicatorValue(IndicatorType::kIpAddress, "192.168.1.1", lab), "192.168.1.1");
}

TEST(IocIndicatorTest, Domains) {
  EXPECT_EQ(Norm(IndicatorType::kDomainName, "Evil.Example.COM."), "evil.example.com");
  EXPECT_NE(Norm(IndicatorType::kDomainName, "*.evil.com").find("wildcards"), std::string::npos);
  EXPECT_NE(Norm(IndicatorType::kDomainName, "http://evil.com/x").find("use indicatorType Url"),
            std::string::npos);
  EXPECT_NE(Norm(IndicatorType::kDomainName, "localhost").find("two labels"), std::string::npos);
  EXPECT_NE(Norm(IndicatorType::kDomainName, "-bad.com").find("'-'"), std::string::npos);
  EXPECT_NE(Norm(IndicatorType::kDomainName, "1.2.3.4").find("IP address"), std::string::npos);
  EXPECT_NE(Norm(IndicatorType::kDomainName, "ev il.com").find("whitespace"), std::string::npos);
}

TEST(IocIndicatorTest, UrlsAreCanonicalized) {
  EXPECT_EQ(Norm(IndicatorType::kUrl, "HTTP://Evil.COM:80"), "http://evil.com/");
  EXPECT_EQ(Norm(IndicatorType::kUrl, "https://Evil.com:8443/Path/X?q=1#frag"),
            "https://evil.com:8443/Path/X?q=1");
  EXPECT_EQ(Norm(IndicatorType::kUrl, "evil.com/download"), "evil.com/download");
  EXPECT_EQ(Norm(IndicatorType::kUrl, "http://[2001:DB8::1]:443/a"), "http://[2001:db8::1]:443/a");
  EXPECT_NE(Norm(IndicatorType::kUrl, "http://user@evil.com/").find("user info"),
            std::string::npos);
  EXPECT_NE(Norm(IndicatorType::kUrl, "http://evil.com:99999/").find("bad port"),
            std::string::npos);
  EXPECT_NE(Norm(IndicatorType::kUrl, "http:///path").find("no host"), std::string::npos);
}

TEST(IocIndicatorTest, ActionsAndAliases) {
  EXPECT_EQ(ParseIndicatorAction("allowed")->action, IndicatorAction::kAllowed);
  EXPECT_EQ(ParseIndicatorAction("Block execution")->action, IndicatorAction::kBlock);
  EXPECT_EQ(ParseIndicatorAction("BLOCK_AND_REMEDIATE")->action,
            IndicatorAction::kBlockAndRemediate);
  const auto alert = ParseIndicatorAction("Alert");
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->action, IndicatorAction::kAudit);
  EXPECT_TRUE(alert->implies_alert);
  const auto alert_block = ParseIndicatorAction("alertandblock");
  EXPECT_EQ(alert_block->action, IndicatorAction::kBlock);
  EXPECT_TRUE(alert_block->implies_alert);
  EXPECT_EQ(ParseIndicatorAction("AllowAlert")->action, IndicatorAction::kAllowed);
  EXPECT_FALSE(ParseIndicatorAction("Quarantine").has_value());
  EXPECT_EQ(ParseIndicatorType("filesha256"), IndicatorType::kFileSha256);
  EXPECT_EQ(ParseIndicatorType("URL"), IndicatorType::kUrl);
  EXPECT_FALSE(ParseIndicatorType("Email").has_value());
  EXPECT_EQ(ParseSeverityName("HIGH"), Severity::kHigh);
  EXPECT_FALSE(ParseSeverityName("Critical").has_value());
}

TEST(IocIndicatorTest, FieldValidation) {
  Indicator good = Make(IndicatorType::kDomainName, "Evil.COM");
  good.mitre_techniques = {"t1566.001", " T1204 ", ""};
  ASSERT_TRUE(NormalizeIndicator(good).ok());
  EXPECT_EQ(good.indicator_value, "evil.com");
  EXPECT_EQ(good.mitre_techniques, (std::vector<std::string>{"T1566.001", "T1204"}));

  Indicator no_title = Make(IndicatorType::kDomainName, "evil.com");
  no_title.title = "  ";
  EXPECT_EQ(NormalizeIndicator(no_title).message(), "title is required for indicator 'evil.com'");

  Indicator expired = Make(IndicatorType::kDomainName, "evil.com");
  expired.expiration_time_us = 1000;
  ValidateOptions now;
  now.now_us = 2000;
  EXPECT_EQ(NormalizeIndicator(expired, now).message(),
            "expirationTime is in the past for indicator 'evil.com'");
  expired.expiration_time_us = 3000;
  EXPECT_TRUE(NormalizeIndicator(expired, now).ok());

  Indicator audit = Make(IndicatorType::kDomainName, "evil.com");
  audit.action = IndicatorAction::kAudit;
  EXPECT_EQ(NormalizeIndicator(audit).message(), "generateAlert must be true for action Audit");

  Indicator remediate_ip = Make(IndicatorType::kIpAddress, "8.8.8.8");
  remediate_ip.action = IndicatorAction::kBlockAndRemediate;
  EXPECT_EQ(NormalizeIndicator(remediate_ip).message(),
            "action 'BlockAndRemediate' is not available for indicatorType IpAddress");

  Indicator bad_technique = Make(IndicatorType::kDomainName, "evil.com");
  bad_technique.mitre_techniques = {"TA0001"};
  EXPECT_NE(NormalizeIndicator(bad_technique).message().find("not an ATT&CK technique"),
            std::string::npos);

  Indicator bad_educate = Make(IndicatorType::kUrl, "http://evil.com/");
  bad_educate.educate_url = "javascript:alert(1)";
  EXPECT_NE(NormalizeIndicator(bad_educate).message().find("educateUrl"), std::string::npos);
}

TEST(IocIndicatorTest, ShouldAlert) {
  Indicator indicator = Make(IndicatorType::kFileMd5, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_FALSE(ShouldAlert(indicator));  // Block without generateAlert
  indicator.generate_alert = true;
  EXPECT_TRUE(ShouldAlert(indicator));
  indicator.action = IndicatorAction::kAllowed;
  EXPECT_FALSE(ShouldAlert(indicator));
  indicator.action = IndicatorAction::kAudit;
  EXPECT_TRUE(ShouldAlert(indicator));
}

}  // namespace
}  // namespace vigil::detect::ioc
