#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

#include "vigil/detect/ioc/hit_draft.h"
#include "vigil/detect/ioc/indicator_set.h"
#include "vigil/schema/catalog.h"

namespace vigil::detect::ioc {
namespace {

constexpr int64_t kNowUs = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
const std::string kSha256A(64, 'a');
const std::string kSha256B(64, 'b');

Indicator Make(IndicatorType type, std::string value,
               IndicatorAction action = IndicatorAction::kBlock, std::string id = "") {
  Indicator indicator;
  indicator.id = id.empty() ? value : std::move(id);
  indicator.indicator_type = type;
  indicator.indicator_value = std::move(value);
  indicator.action = action;
  indicator.title = "TI: " + indicator.indicator_value;
  indicator.description = "d";
  indicator.generate_alert = true;
  return indicator;
}

std::shared_ptr<const IndicatorSet> BuildSet(std::vector<Indicator> indicators,
                                             const IndicatorSetOptions& options = {}) {
  Result<std::shared_ptr<const IndicatorSet>> set =
      IndicatorSet::Build(std::move(indicators), kNowUs, options);
  EXPECT_TRUE(set.ok()) << set.error().ToString();
  return set.ok() ? *set : std::make_shared<const IndicatorSet>();
}

using Cells = std::initializer_list<std::pair<std::string_view, std::string_view>>;

void AddRow(schema::TableBatch& batch, Cells cells) {
  batch.BeginRow();
  batch.SetInt(static_cast<size_t>(batch.schema().timestamp_column()), kNowUs * 10);
  for (const auto& [name, value] : cells) {
    const int column = batch.schema().FindColumn(name);
    ASSERT_GE(column, 0) << name;
    batch.SetBytes(static_cast<size_t>(column), value);
  }
}

schema::TableBatch Batch(std::string_view table) {
  const schema::TableSchema* schema = schema::Catalog::Default().Find(table);
  EXPECT_NE(schema, nullptr) << table;
  return schema::TableBatch(*schema);
}

std::string HitColumn(const schema::TableBatch& batch, const IndicatorHit& hit) {
  return batch.schema().column(static_cast<size_t>(hit.column)).name;
}

TEST(IocSetTest, ProcessEventsMatchFileAndInitiatingProcessHashes) {
  auto set = BuildSet(
      {Make(IndicatorType::kFileSha256, kSha256A), Make(IndicatorType::kFileSha256, kSha256B)});
  schema::TableBatch batch = Batch("DeviceProcessEvents");
  AddRow(batch, {{"SHA256", std::string(64, 'A')}, {"FileName", "evil.exe"}});
  AddRow(batch, {{"SHA256", std::string(64, 'c')}});
  AddRow(batch, {{"InitiatingProcessSHA256", kSha256B}, {"InitiatingProcessFileName", "p.exe"}});
  std::vector<IndicatorHit> hits;
  set->MatchBatch(batch, kNowUs, hits);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].row, 0u);
  EXPECT_EQ(HitColumn(batch, hits[0]), "SHA256");
  EXPECT_EQ(set->indicator(hits[0].indicator).indicator_value, kSha256A);
  EXPECT_EQ(hits[1].row, 2u);
  EXPECT_EQ(HitColumn(batch, hits[1]), "InitiatingProcessSHA256");

  const AlertDraft draft =
      DraftForHit(set->indicator(hits[1].indicator), batch, hits[1].row, hits[1].column);
  EXPECT_EQ(draft.detection_source, "customTi");
  EXPECT_EQ(draft.title, "TI: " + kSha256B);
  EXPECT_EQ(draft.rule_id, kSha256B);
  EXPECT_EQ(draft.source_table, "DeviceProcessEvents");
  EXPECT_EQ(draft.timestamp_us, kNowUs);
  ASSERT_EQ(draft.evidence.size(), 1u);
  EXPECT_EQ(draft.evidence[0].entity_type, "File");
  EXPECT_EQ(draft.evidence[0].sha256, kSha256B);
  EXPECT_EQ(draft.evidence[0].file_name, "p.exe");
  EXPECT_NE(draft.source_row_json.find("p.exe"), std::string::npos);
}

TEST(IocSetTest, NetworkEventsMatchRemoteIpAndDomains) {
  auto set = BuildSet({Make(IndicatorType::kIpAddress, "203.0.113.7"),
                       Make(IndicatorType::kIpAddress, "2001:db8::7"),
                       Make(IndicatorType::kDomainName, "evil.com")});
  schema::TableBatch batch = Batch("DeviceNetworkEvents");
  AddRow(batch, {{"RemoteIP", "203.0.113.7"}, {"LocalIP", "10.0.0.1"}});
  AddRow(batch, {{"LocalIP", "203.0.113.7"}});  // the device's own address is not matched
  AddRow(batch, {{"RemoteIP", "::ffff:203.0.113.7"}});
  AddRow(batch, {{"RemoteIP", "2001:DB8:0::7"}});
  AddRow(batch, {{"RemoteUrl", "evil.com"}});
  AddRow(batch, {{"RemoteUrl", "https://CDN.Sub.Evil.com./x/y"}});
  AddRow(batch, {{"RemoteUrl", "notevil.com"}});
  AddRow(batch, {{"RemoteUrl", "evil.com.example.org"}});
  std::vector<IndicatorHit> hits;
  set->MatchBatch(batch, kNowUs, hits);
  std::vector<uint32_t> rows;
  for (const IndicatorHit& hit : hits) {
    rows.push_back(hit.row);
  }
  EXPECT_EQ(rows, (std::vector<uint32_t>{0, 2, 3, 4, 5}));

  const AlertDraft draft = DraftForHit(set->indicator(hits.back().indicator), batch,
                                       hits.back().row, hits.back().column);
  ASSERT_EQ(draft.evidence.size(), 1u);
  EXPECT_EQ(draft.evidence[0].entity_type, "Url");
  EXPECT_EQ(draft.evidence[0].remote_url, "https://CDN.Sub.Evil.com./x/y");
  const AlertDraft ip_draft =
      DraftForHit(set->indicator(hits[0].indicator), batch, hits[0].row, hits[0].column);
  ASSERT_EQ(ip_draft.evidence.size(), 1u);
  EXPECT_EQ(ip_draft.evidence[0].entity_type, "Ip");
  EXPECT_EQ(ip_draft.evidence[0].remote_ip, "203.0.113.7");
}

TEST(IocSetTest, UrlIndicatorsMatchByPathPrefixLongestWins) {
  auto set = BuildSet(
      {Make(IndicatorType::kUrl, "http://evil.com/dl", IndicatorAction::kBlock, "u1"),
       Make(IndicatorType::kUrl, "https://evil.com/dl/safe", IndicatorAction::kAllowed, "u2"),
       Make(IndicatorType::kDomainName, "evil.com", IndicatorAction::kAudit, "d1")});
  const auto id_of = [&](std::string_view value) -> std::string {
    const auto index = set->LookupUrlOrHost(value, kNowUs);
    return index ? set->indicator(*index).id : "none";
  };
  EXPECT_EQ(id_of("http://evil.com/dl"), "u1");
  EXPECT_EQ(id_of("evil.com/dl/payload.exe"), "u1");
  EXPECT_EQ(id_of("HTTPS://EVIL.COM:443/dl?x=1"), "u1");
  EXPECT_EQ(id_of("http://evil.com/dlx"), "d1");  // not at a path boundary: the domain applies
  EXPECT_EQ(id_of("http://evil.com/dl/safe/file"), "u2");
  EXPECT_EQ(id_of("http://evil.com:8080/dl"), "d1");  // another port is another origin
  EXPECT_EQ(id_of("http://www.evil.com/dl"), "d1");
  EXPECT_EQ(id_of("http://good.com/dl"), "none");
  EXPECT_TRUE(set->IsAllowed(IndicatorType::kUrl, "http://evil.com/dl/safe", kNowUs));
  EXPECT_FALSE(set->IsAllowed(IndicatorType::kUrl, "http://evil.com/dl", kNowUs));
  EXPECT_EQ(set->Lookup(IndicatorType::kUrl, "http://www.evil.com/dl", kNowUs), nullptr);
}

TEST(IocSetTest, EmailTablesMatchSenderIpUrlAndAttachment) {
  auto set = BuildSet({Make(IndicatorType::kIpAddress, "198.51.100.9"),
                       Make(IndicatorType::kDomainName, "phish.example"),
                       Make(IndicatorType::kFileSha256, kSha256A)});
  schema::TableBatch email = Batch("EmailEvents");
  AddRow(email, {{"SenderIPv4", "198.51.100.9"}, {"SenderFromDomain", "phish.example"}});
  std::vector<IndicatorHit> hits;
  set->MatchBatch(email, kNowUs, hits);
  ASSERT_EQ(hits.size(), 1u);  // sender domains only with match_sender_domains
  EXPECT_EQ(HitColumn(email, hits[0]), "SenderIPv4");

  IndicatorSetOptions options;
  options.match_sender_domains = true;
  auto with_sender = BuildSet({Make(IndicatorType::kDomainName, "phish.example")}, options);
  hits.clear();
  with_sender->MatchBatch(email, kNowUs, hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(HitColumn(email, hits[0]), "SenderFromDomain");

  schema::TableBatch urls = Batch("EmailUrlInfo");
  AddRow(urls, {{"Url", "https://login.phish.example/owa"}, {"UrlDomain", "login.phish.example"}});
  hits.clear();
  set->MatchBatch(urls, kNowUs, hits);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(HitColumn(urls, hits[0]), "Url");
  EXPECT_EQ(HitColumn(urls, hits[1]), "UrlDomain");

  schema::TableBatch attachments = Batch("EmailAttachmentInfo");
  AddRow(attachments, {{"SHA256", kSha256A}, {"FileName", "invoice.docm"}});
  hits.clear();
  set->MatchBatch(attachments, kNowUs, hits);
  ASSERT_EQ(hits.size(), 1u);
}

TEST(IocSetTest, ExpiryIsHonouredAndParentDomainTakesOver) {
  Indicator sub =
      Make(IndicatorType::kDomainName, "cdn.evil.com", IndicatorAction::kAllowed, "sub");
  sub.expiration_time_us = kNowUs + 1000;
  auto set =
      BuildSet({sub, Make(IndicatorType::kDomainName, "evil.com", IndicatorAction::kBlock, "p")});
  EXPECT_EQ(set->Lookup(IndicatorType::kDomainName, "a.cdn.evil.com", kNowUs)->id, "sub");
  EXPECT_TRUE(set->IsAllowed(IndicatorType::kDomainName, "a.cdn.evil.com", kNowUs));
  EXPECT_EQ(set->Lookup(IndicatorType::kDomainName, "a.cdn.evil.com", kNowUs + 1000)->id, "p");

  schema::TableBatch batch = Batch("DeviceNetworkEvents");
  AddRow(batch, {{"RemoteUrl", "a.cdn.evil.com"}});
  std::vector<IndicatorHit> hits;
  set->MatchBatch(batch, kNowUs, hits);
  EXPECT_TRUE(hits.empty());  // Allowed shadows the blocked parent
  set->MatchBatch(batch, kNowUs + 5000, hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(set->indicator(hits[0].indicator).id, "p");

  Indicator hash = Make(IndicatorType::kFileSha256, kSha256A);
  hash.expiration_time_us = kNowUs - 1;
  auto expired = BuildSet({hash});
  EXPECT_EQ(expired->Lookup(IndicatorType::kFileSha256, kSha256A, kNowUs), nullptr);
}

TEST(IocSetTest, AllowedSuppressionHelper) {
  auto set =
      BuildSet({Make(IndicatorType::kFileSha1, std::string(40, 'f'), IndicatorAction::kAllowed),
                Make(IndicatorType::kIpAddress, "203.0.113.1", IndicatorAction::kAllowed),
                Make(IndicatorType::kFileSha256, kSha256A)});
  Evidence file;
  file.entity_type = "File";
  file.sha1 = std::string(40, 'F');
  EXPECT_TRUE(set->IsEvidenceAllowed(file, kNowUs));
  Evidence ip;
  ip.entity_type = "Ip";
  ip.remote_ip = "203.0.113.1";
  EXPECT_TRUE(set->IsEvidenceAllowed(ip, kNowUs));
  Evidence blocked;
  blocked.sha256 = kSha256A;
  EXPECT_FALSE(set->IsEvidenceAllowed(blocked, kNowUs));
  EXPECT_FALSE(set->IsAllowed(IndicatorType::kFileSha256, kSha256A, kNowUs));

  // Allowed never produces hits.
  schema::TableBatch batch = Batch("DeviceFileEvents");
  AddRow(batch, {{"SHA1", std::string(40, 'f')}, {"SHA256", kSha256A}});
  std::vector<IndicatorHit> hits;
  set->MatchBatch(batch, kNowUs, hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(HitColumn(batch, hits[0]), "SHA256");
}

TEST(IocSetTest, LimitAndBuildIssues) {
  IndicatorSetOptions options;
  options.max_indicators = 2;
  std::vector<Indicator> three = {Make(IndicatorType::kIpAddress, "203.0.113.1"),
                                  Make(IndicatorType::kIpAddress, "203.0.113.2"),
                                  Make(IndicatorType::kIpAddress, "203.0.113.3")};
  Result<std::shared_ptr<const IndicatorSet>> over = IndicatorSet::Build(three, kNowUs, options);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(over.error().message(),
            "indicator limit exceeded: 3 active indicators, the limit is 2 per tenant");
  three[2].expiration_time_us = kNowUs - 1;  // expired ones do not count
  EXPECT_TRUE(IndicatorSet::Build(three, kNowUs, options).ok());

  auto set =
      BuildSet({Make(IndicatorType::kIpAddress, "203.0.113.1", IndicatorAction::kBlock, "a"),
                Make(IndicatorType::kIpAddress, "203.0.113.01", IndicatorAction::kBlock, "bad"),
                Make(IndicatorType::kIpAddress, "203.0.113.1", IndicatorAction::kWarn, "b")});
  EXPECT_EQ(set->size(), 1u);
  EXPECT_EQ(set->indicator(0).id, "b");
  ASSERT_EQ(set->build_issues().size(), 2u);
  EXPECT_NE(set->build_issues()[0].find("indicator 'bad' skipped"), std::string::npos);
  EXPECT_NE(set->build_issues()[1].find("replaces 'a'"), std::string::npos);
}

TEST(IocSetTest, UnknownSchemaAndOddCellsAreSafe) {
  Result<std::shared_ptr<const schema::Catalog>> catalog = schema::Catalog::Parse(
      "table Custom\nTimestamp datetime\nRemoteUrl string\nSHA1 long\nAdditionalFields dynamic\n");
  ASSERT_TRUE(catalog.ok()) << catalog.error().ToString();
  schema::TableBatch batch(*(*catalog)->Find("Custom"));
  batch.BeginRow();
  batch.SetBytes(1, "http://[::1");
  batch.BeginRow();
  batch.SetBytes(1, "://");
  batch.BeginRow();
  batch.SetBytes(1, "evil.com");
  batch.BeginRow();
  batch.SetInt(2, 5);
  auto set = BuildSet({Make(IndicatorType::kDomainName, "evil.com"),
                       Make(IndicatorType::kFileSha1, std::string(40, 'a'))});
  std::vector<IndicatorHit> hits;
  set->MatchBatch(batch, kNowUs, hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].row, 2u);
  const AlertDraft draft = DraftForHit(set->indicator(0), batch, 99, 1);
  EXPECT_TRUE(draft.evidence.empty());
}

}  // namespace
}  // namespace vigil::detect::ioc
