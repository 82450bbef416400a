#include "vigil/ingest/text/xml_reader.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/shared_data.h"
#include "vigil/base/time.h"

namespace vigil::ingest {
namespace {

std::vector<WinEvent> ReadAll(std::string_view data, IngestReport& report) {
  std::vector<WinEvent> events;
  const Status status =
      ReadWindowsXml(data, "test.xml", [&](const WinEvent& e) { events.push_back(e); }, report);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return events;
}

const std::string* FindExtra(const WinEvent& event, std::string_view name) {
  for (const auto& field : event.extra) {
    if (field.name == name) {
      return &field.value;
    }
  }
  return nullptr;
}

constexpr std::string_view kSecurityEvent =
    R"(<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-a5ba-3e3b0328c30d}" />
    <EventID>4688</EventID>
    <Version>2</Version>
    <Level>0</Level>
    <Task>13312</Task>
    <Opcode>0</Opcode>
    <Keywords>0x8020000000000000</Keywords>
    <TimeCreated SystemTime="2021-03-04T05:06:07.1234567Z" />
    <EventRecordID>98765</EventRecordID>
    <Correlation ActivityID="{11111111-2222-3333-4444-555555555555}" />
    <Execution ProcessID="4" ThreadID="8120" />
    <Channel>Security</Channel>
    <Computer>WS01.corp.local</Computer>
    <Security />
  </System>
  <EventData>
    <Data Name="SubjectUserSid">S-1-5-18</Data>
    <Data Name="NewProcessName">C:\Windows\System32\cmd.exe</Data>
    <Data Name="CommandLine">cmd /c "echo a &amp; b"</Data>
    <Data Name="Empty" />
  </EventData>
  <RenderingInfo Culture="en-US">
    <Message>A new process has been created.</Message>
    <Level>Information</Level>
    <Task>Process Creation</Task>
    <Keywords><Keyword>Audit Success</Keyword></Keywords>
  </RenderingInfo>
</Event>)";

TEST(WindowsXmlReaderTest, MapsSystemEventDataAndRenderingInfo) {
  IngestReport report;
  const std::string input = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>" +
                            std::string(kSecurityEvent) + "</Events>";
  const auto events = ReadAll(input, report);
  ASSERT_EQ(events.size(), 1u);
  const WinEvent& e = events[0];
  EXPECT_EQ(e.provider, "Microsoft-Windows-Security-Auditing");
  EXPECT_EQ(e.provider_guid, "{54849625-5478-4994-a5ba-3e3b0328c30d}");
  EXPECT_EQ(e.event_id, 4688);
  EXPECT_EQ(e.version, 2);
  EXPECT_EQ(e.level, 0);
  EXPECT_EQ(e.task, 13312);
  EXPECT_EQ(e.opcode, 0);
  EXPECT_EQ(e.keywords, "0x8020000000000000");
  EXPECT_EQ(FormatDateTime(e.time_created), "2021-03-04T05:06:07.1234567Z");
  EXPECT_EQ(e.record_id, 98765u);
  EXPECT_EQ(e.activity_id, "{11111111-2222-3333-4444-555555555555}");
  EXPECT_EQ(e.process_id, 4);
  EXPECT_EQ(e.thread_id, 8120);
  EXPECT_EQ(e.channel, "Security");
  EXPECT_EQ(e.computer, "WS01.corp.local");
  EXPECT_EQ(e.user_sid, "");
  ASSERT_EQ(e.data.size(), 4u);
  EXPECT_EQ(*e.FindData("NewProcessName"), "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(*e.FindData("CommandLine"), "cmd /c \"echo a & b\"");
  EXPECT_EQ(*e.FindData("Empty"), "");
  EXPECT_EQ(*FindExtra(e, "Message"), "A new process has been created.");
  EXPECT_EQ(*FindExtra(e, "RenderingInfo.Task"), "Process Creation");
  EXPECT_EQ(*FindExtra(e, "RenderingInfo.Culture"), "en-US");
  EXPECT_EQ(*FindExtra(e, "RenderingInfo.Keywords.Keyword"), "Audit Success");
  EXPECT_EQ(e.source_offset, 2u);
  EXPECT_EQ(report.records_read(), 1u);
}

TEST(WindowsXmlReaderTest, UserDataIsFlattenedBelowThePayloadElement) {
  IngestReport report;
  const auto events = ReadAll(
      R"(<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>)"
      R"(<Provider Name="Microsoft-Windows-Eventlog"/><EventID Qualifiers="0">1102</EventID>)"
      R"(<Channel>Security</Channel><Computer>dc</Computer><Security UserID="S-1-5-18"/></System>)"
      R"(<UserData><LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">)"
      R"(<SubjectUserSid>S-1-5-21-1</SubjectUserSid><SubjectUserName>admin</SubjectUserName>)"
      R"(<Nested><Inner>deep</Inner><Inner2 Attr="x">v2</Inner2></Nested></LogFileCleared></UserData></Event>)",
      report);
  ASSERT_EQ(events.size(), 1u);
  const WinEvent& e = events[0];
  EXPECT_EQ(e.event_id, 1102);
  EXPECT_EQ(e.user_sid, "S-1-5-18");
  EXPECT_EQ(*FindExtra(e, "Qualifiers"), "0");
  EXPECT_EQ(*e.FindData("SubjectUserName"), "admin");
  EXPECT_EQ(*e.FindData("Nested.Inner"), "deep");
  EXPECT_EQ(*e.FindData("Nested.Inner2"), "v2");
  EXPECT_EQ(*e.FindData("Nested.Inner2.Attr"), "x");
  EXPECT_EQ(e.FindData("xmlns"), nullptr);
}

TEST(WindowsXmlReaderTest, UnnamedDataAndMarkupInsideData) {
  IngestReport report;
  const auto events = ReadAll(
      "<Event><System><EventID>7036</EventID><Channel>System</Channel></System><EventData>"
      "<Data>Spooler</Data><Data>running</Data><Data Name=\"Xml\"><a b=\"1\">t</a></Data>"
      "<Binary>0A0B</Binary></EventData></Event>",
      report);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(*events[0].FindData("Data"), "Spooler");
  EXPECT_EQ(*events[0].FindData("Data_1"), "running");
  EXPECT_EQ(*events[0].FindData("Xml"), "<a b=\"1\">t</a>");
  EXPECT_EQ(*events[0].FindData("Binary"), "0A0B");
}

TEST(WindowsXmlReaderTest, BareSequenceWithMalformedEventInTheMiddle) {
  IngestReport report;
  const std::string good1 =
      "<Event><System><EventID>1</EventID><Channel>A</Channel></System></Event>\n";
  const std::string bad_markup =
      "<Event><System><EventID>2</EventID><Channel>B</Chanel></System></Event>\n";
  const std::string good2 =
      "<Event><System><EventID>3</EventID><Channel>C</Channel></System></Event>\n";
  const std::string unclosed = "<Event><System><EventID>4</EventID>\n";
  const std::string good3 =
      "<Event><System><EventID>5</EventID><Channel>E</Channel></System></Event>\n";
  const std::string no_system = "<Event><EventData/></Event>\n";
  const std::string input = good1 + bad_markup + good2 + unclosed + good3 + no_system;
  const auto events = ReadAll(input, report);
  std::vector<int64_t> ids;
  for (const auto& e : events) {
    ids.push_back(e.event_id);
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 3, 5}));
  EXPECT_EQ(events[2].source_offset, 5u);
  ASSERT_EQ(report.skipped(), 3u);
  EXPECT_EQ(report.kept_skips()[0].position,
            fmt::format("line 2 (offset 0x{:x})", good1.size()));
  EXPECT_EQ(report.kept_skips()[1].position,
            fmt::format("line 4 (offset 0x{:x})", good1.size() + bad_markup.size() + good2.size()));
  EXPECT_EQ(report.kept_skips()[2].position.substr(0, 6), "line 6");
  EXPECT_EQ(report.skips_by_reason().at("malformed event XML"), 3u);
}

TEST(WindowsXmlReaderTest, HostileInputsStayLinearAndBounded) {
  std::string unclosed;
  for (int i = 0; i < 100'000; ++i) {
    unclosed += "<Event><System><EventID>1</EventID></System>\n";
  }
  IngestReport report;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(ReadAll(unclosed, report).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(report.skipped(), 100'000u);

  // Deeply nested UserData: flattened to a bounded depth, the rest kept as XML text.
  std::string deep = "<Event><System><EventID>2</EventID></System><UserData><P>";
  for (int i = 0; i < 50'000; ++i) {
    deep += "<n>";
  }
  deep += "leaf";
  for (int i = 0; i < 50'000; ++i) {
    deep += "</n>";
  }
  deep += "</P></UserData></Event>";
  IngestReport deep_report;
  const auto events = ReadAll(deep, deep_report);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].data.size(), 1u);
  EXPECT_NE(events[0].data[0].value.find("leaf"), std::string::npos);
}

TEST(WindowsXmlReaderTest, NoEventsIsAWarningNotAFailure) {
  IngestReport report;
  EXPECT_TRUE(ReadAll("<?xml version=\"1.0\"?><Events></Events>", report).empty());
  EXPECT_TRUE(ReadAll("", report).empty());
  EXPECT_EQ(report.skipped(), 0u);
  EXPECT_EQ(report.warnings().size(), 2u);
}

TEST(WindowsXmlReaderTest, Utf16LittleEndianExport) {
  const std::string utf8 =
      "<Events><Event><System><EventID>9</EventID><Channel>Z</Channel></System></Event></Events>";
  std::string utf16 = "\xFF\xFE";
  for (char c : utf8) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  IngestReport report;
  const auto events = ReadAll(utf16, report);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_id, 9);
}

// Real data: evtxexport's XML rendering of the EVTX samples (skipped without evtxexport).
TEST(WindowsXmlReaderTest, EvtxexportXmlOfSamplesReadsEveryRecord) {
  VIGIL_REQUIRE_SHARED_DIR(shared);
  if (!std::filesystem::exists("/usr/bin/evtxexport")) {
    GTEST_SKIP() << "evtxexport not installed";
  }
  const std::filesystem::path dir = shared / "data" / "evtx-samples" / "samples";
  size_t checked = 0;
  for (const char* name : {"2-system-Microsoft-Windows-LiveId%4Operational.evtx",
                           "Microsoft-Windows-HelloForBusiness%4Operational.evtx",
                           "2-vss_7-System.evtx"}) {
    const std::filesystem::path path = dir / name;
    if (!std::filesystem::exists(path)) {
      continue;
    }
    const std::string command = "/usr/bin/evtxexport -f xml '" + path.string() + "' 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string xml;
    char buffer[65536];
    for (size_t got; (got = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) {
      xml.append(buffer, got);
    }
    pclose(pipe);
    size_t expected = 0;
    for (size_t pos = xml.find("<EventRecordID>"); pos != std::string::npos;
         pos = xml.find("<EventRecordID>", pos + 1)) {
      ++expected;
    }
    IngestReport report;
    size_t events = 0;
    ASSERT_TRUE(ReadWindowsXml(xml, name,
                               [&](const WinEvent& e) {
                                 ++events;
                                 EXPECT_GE(e.event_id, 0);
                                 EXPECT_FALSE(e.channel.empty());
                                 EXPECT_FALSE(e.computer.empty());
                                 EXPECT_TRUE(e.has_time_created);
                                 EXPECT_GT(e.record_id, 0u);
                               },
                               report)
                    .ok());
    EXPECT_GT(expected, 0u) << name;
    EXPECT_EQ(events, expected) << name;
    EXPECT_EQ(report.skipped(), 0u) << name;
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}

}  // namespace
}  // namespace vigil::ingest
