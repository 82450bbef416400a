#include "vigil/ingest/text/json_reader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>
#include <zip.h>

#include "tests/support/shared_data.h"
#include "vigil/base/time.h"

namespace vigil::ingest {
namespace {

std::vector<WinEvent> ReadAll(std::string_view data, IngestReport& report) {
  std::vector<WinEvent> events;
  const Status status =
      ReadWindowsJson(data, "test.json", [&](const WinEvent& e) { events.push_back(e); }, report);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return events;
}

const std::string* FindField(const std::vector<EventField>& fields, std::string_view name) {
  for (const auto& field : fields) {
    if (field.name == name) {
      return &field.value;
    }
  }
  return nullptr;
}

constexpr std::string_view kNxlogLine =
    R"({"@timestamp":"2020-10-13T04:24:56.495Z","Channel":"Microsoft-Windows-Sysmon/Operational",)"
    R"("UserID":"S-1-5-18","RecordNumber":338872,"ThreadID":4308,"Image":"C:\\Windows\\dns.exe",)"
    R"("ProcessId":"3712","Version":5,"Hostname":"DC.shire.local","EventReceivedTime":"2020-10-13 00:24:56",)"
    R"("ProviderGuid":"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}","port":61041,"Severity":"INFO","Task":3,)"
    R"("tags":["mordorDataset"],"SourceModuleType":"im_msvistalog","OpcodeValue":0,"EventType":"INFO",)"
    R"("ExecutionProcessID":3984,"Opcode":"Info","SourceName":"Microsoft-Windows-Sysmon",)"
    R"("Keywords":-9223372036854775808,"EventID":3,"Domain":"NT AUTHORITY","AccountName":"SYSTEM",)"
    R"("AccountType":"User","Category":"Network connection detected","@version":"1","host":"wec",)"
    R"("SeverityValue":2,"EventTime":"2020-10-13 00:24:53","Message":"Network connection detected",)"
    R"("SourceModuleName":"eventlog","UtcTime":"2020-10-13 04:24:51.699"})";

TEST(WindowsJsonReaderTest, FlatNxlogShapeSplitsSystemDataAndExtra) {
  IngestReport report;
  const auto events = ReadAll(kNxlogLine, report);
  ASSERT_EQ(events.size(), 1u);
  const WinEvent& e = events[0];
  EXPECT_EQ(e.channel, "Microsoft-Windows-Sysmon/Operational");
  EXPECT_EQ(e.event_id, 3);
  EXPECT_EQ(e.computer, "DC.shire.local");
  EXPECT_EQ(e.provider, "Microsoft-Windows-Sysmon");
  EXPECT_EQ(e.provider_guid, "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
  EXPECT_EQ(e.record_id, 338872u);
  EXPECT_EQ(e.process_id, 3984);
  EXPECT_EQ(e.thread_id, 4308);
  EXPECT_EQ(e.version, 5);
  EXPECT_EQ(e.task, 3);
  EXPECT_EQ(e.opcode, 0);
  EXPECT_EQ(e.keywords, "0x8000000000000000");
  EXPECT_EQ(e.user_sid, "S-1-5-18");
  ASSERT_TRUE(e.has_time_created);  // from @timestamp: there is no TimeCreated
  EXPECT_EQ(FormatDateTime(e.time_created), "2020-10-13T04:24:56.4950000Z");
  EXPECT_EQ(e.source_offset, 1u);
  // Event data: exactly the Sysmon fields.
  std::vector<std::string> data_names;
  for (const auto& f : e.data) {
    data_names.push_back(f.name);
  }
  EXPECT_EQ(data_names, (std::vector<std::string>{"Image", "ProcessId", "UtcTime"}));
  EXPECT_EQ(*e.FindData("Image"), "C:\\Windows\\dns.exe");
  // Forwarder metadata kept, nothing lost.
  for (const char* name : {"@timestamp", "EventReceivedTime", "port", "Severity", "tags",
                           "SourceModuleType", "EventType", "Opcode", "Domain", "AccountName",
                           "AccountType", "Category", "@version", "host", "SeverityValue",
                           "EventTime", "Message", "SourceModuleName"}) {
    EXPECT_NE(FindField(e.extra, name), nullptr) << name;
  }
  EXPECT_EQ(*FindField(e.extra, "tags"), R"(["mordorDataset"])");
  EXPECT_EQ(*FindField(e.extra, "port"), "61041");
  EXPECT_EQ(report.records_read(), 1u);
  EXPECT_EQ(report.skipped(), 0u);
}

TEST(WindowsJsonReaderTest, FlatShapeEventTypeIsDataWhenNxlogRenamedIt) {
  IngestReport report;
  const auto events = ReadAll(
      R"({"EventID":13,"Channel":"Microsoft-Windows-Sysmon/Operational","EventType":"SetValue",)"
      R"("EventTypeOrignal":"INFO","SourceModuleType":"im_msvistalog","TargetObject":"HKLM\\x"})",
      report);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_NE(events[0].FindData("EventType"), nullptr);
  EXPECT_EQ(*events[0].FindData("EventType"), "SetValue");
  EXPECT_NE(FindField(events[0].extra, "EventTypeOrignal"), nullptr);
}

TEST(WindowsJsonReaderTest, FlatTimeCreatedShapeKeepsStringProcessIdAsData) {
  IngestReport report;
  const auto events = ReadAll(
      R"({"TimeCreated":"2020-10-18 10:56:18.799","SourceName":"Microsoft-Windows-Security-Auditing",)"
      R"("EventID":5156,"Channel":"Security","Task":"12810","Level":"0","Keywords":"0x8020000000000000",)"
      R"("Hostname":"WORKSTATION5","ProcessID":"3428","Version":"2","Message":"permitted"})",
      report);
  ASSERT_EQ(events.size(), 1u);
  const WinEvent& e = events[0];
  EXPECT_EQ(FormatDateTime(e.time_created), "2020-10-18T10:56:18.7990000Z");
  EXPECT_EQ(e.task, 12810);
  EXPECT_EQ(e.level, 0);
  EXPECT_EQ(e.keywords, "0x8020000000000000");
  EXPECT_EQ(e.process_id, -1);
  ASSERT_NE(e.FindData("ProcessID"), nullptr);
  EXPECT_EQ(*e.FindData("ProcessID"), "3428");
  ASSERT_NE(e.FindData("Version"), nullptr);  // string Version is event data
  EXPECT_EQ(e.version, -1);
  EXPECT_EQ(*FindField(e.extra, "Message"), "permitted");
}

TEST(WindowsJsonReaderTest, NumbersBoolsAndNestedValuesBecomeText) {
  IngestReport report;
  const auto events = ReadAll(
      R"({"EventID":1,"Channel":"X","Count":42,"Ratio":0.5,"Flag":true,"Nested":{"a":[1,"b"]},"Null":null})",
      report);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(*events[0].FindData("Count"), "42");
  EXPECT_EQ(*events[0].FindData("Ratio"), "0.5");
  EXPECT_EQ(*events[0].FindData("Flag"), "true");
  EXPECT_EQ(*events[0].FindData("Nested"), R"({"a":[1,"b"]})");
  EXPECT_EQ(*events[0].FindData("Null"), "");
}

constexpr std::string_view kSigmaEvent = R"({
  "Event": {
    "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
    "System": {
      "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon", "Guid": "5770385F-C22A-43E0-BF4C-06F5698FFBD9"}},
      "EventID": 7, "Version": 3, "Level": 4, "Task": 7, "Opcode": 0,
      "Keywords": "0x8000000000000000",
      "TimeCreated": {"#attributes": {"SystemTime": "2025-11-27T07:40:10.165324Z"}},
      "EventRecordID": 571146,
      "Correlation": null,
      "Execution": {"#attributes": {"ProcessID": 3544, "ThreadID": 4272}},
      "Channel": "Microsoft-Windows-Sysmon/Operational",
      "Computer": "swachchhanda",
      "Security": {"#attributes": {"UserID": "S-1-5-18"}}
    },
    "EventData": {
      "RuleName": "-",
      "ProcessId": 4460,
      "Image": "C:\\Windows\\System32\\WerFaultSecure.exe"
    }
  }
}
)";

TEST(WindowsJsonReaderTest, EventSystemShapeFromSigmaRegressionData) {
  IngestReport report;
  const auto events = ReadAll(kSigmaEvent, report);
  ASSERT_EQ(events.size(), 1u);
  const WinEvent& e = events[0];
  EXPECT_EQ(e.provider, "Microsoft-Windows-Sysmon");
  EXPECT_EQ(e.provider_guid, "5770385F-C22A-43E0-BF4C-06F5698FFBD9");
  EXPECT_EQ(e.event_id, 7);
  EXPECT_EQ(e.version, 3);
  EXPECT_EQ(e.level, 4);
  EXPECT_EQ(e.task, 7);
  EXPECT_EQ(e.opcode, 0);
  EXPECT_EQ(e.keywords, "0x8000000000000000");
  EXPECT_EQ(FormatDateTime(e.time_created), "2025-11-27T07:40:10.1653240Z");
  EXPECT_EQ(e.record_id, 571146u);
  EXPECT_EQ(e.process_id, 3544);
  EXPECT_EQ(e.thread_id, 4272);
  EXPECT_EQ(e.channel, "Microsoft-Windows-Sysmon/Operational");
  EXPECT_EQ(e.computer, "swachchhanda");
  EXPECT_EQ(e.user_sid, "S-1-5-18");
  ASSERT_EQ(e.data.size(), 3u);
  EXPECT_EQ(*e.FindData("ProcessId"), "4460");
  EXPECT_TRUE(e.extra.empty());
}

TEST(WindowsJsonReaderTest, EventShapeUserDataAndUnnamedData) {
  IngestReport report;
  const auto events = ReadAll(
      R"({"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":16384},"#text":7045},"Channel":"System",)"
      R"("Computer":"pc","Correlation":{"#attributes":{"ActivityID":"{AB}"}}},)"
      R"("UserData":{"LogFileCleared":{"#attributes":{"xmlns":"http://x"},"SubjectUserName":"bob",)"
      R"("Inner":{"Deep":"v"}}}}}
{"Event":{"System":{"EventID":1,"Channel":"C"},"EventData":{"Data":["a","b"],"Binary":"00FF"}}})",
      report);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event_id, 7045);
  EXPECT_EQ(events[0].activity_id, "{AB}");
  EXPECT_EQ(*FindField(events[0].extra, "Qualifiers"), "16384");
  EXPECT_EQ(*events[0].FindData("SubjectUserName"), "bob");
  EXPECT_EQ(*events[0].FindData("Inner.Deep"), "v");
  EXPECT_EQ(events[0].FindData("xmlns"), nullptr);
  EXPECT_EQ(*events[1].FindData("Data"), "a");
  EXPECT_EQ(*events[1].FindData("Data_1"), "b");
  EXPECT_EQ(*events[1].FindData("Binary"), "00FF");
  EXPECT_EQ(events[1].source_offset, 2u);
}

TEST(WindowsJsonReaderTest, WinlogbeatNestedAndDottedKeys) {
  IngestReport report;
  const auto events = ReadAll(
      R"({"@timestamp":"2021-01-02T03:04:05.678Z","event":{"code":"4688","kind":"event"},)"
      R"("host":{"name":"ws1.corp"},"winlog":{"channel":"Security","event_id":"4688",)"
      R"("provider_name":"Microsoft-Windows-Security-Auditing","provider_guid":"{54849625-5478-4994-A5BA-3E3B0328C30D}",)"
      R"("computer_name":"WS1.corp.local","record_id":12345,"process":{"pid":4,"thread":{"id":88}},)"
      R"("keywords":["Audit Success"],"opcode":"Info","task":"Process Creation",)"
      R"("event_data":{"NewProcessName":"C:\\x.exe","TokenElevationType":"%%1936"},)"
      R"("user_data":{"Param":{"Sub":"1"}}},"message":"A new process"}
{"winlog.channel":"Microsoft-Windows-Sysmon/Operational","winlog.event_id":1,"winlog.event_data.Image":"C:\\y.exe","host.name":"h2","@timestamp":"2021-01-02T03:04:06Z"})",
      report);
  ASSERT_EQ(events.size(), 2u);
  const WinEvent& e = events[0];
  EXPECT_EQ(e.channel, "Security");
  EXPECT_EQ(e.event_id, 4688);
  EXPECT_EQ(e.provider, "Microsoft-Windows-Security-Auditing");
  EXPECT_EQ(e.computer, "WS1.corp.local");
  EXPECT_EQ(e.record_id, 12345u);
  EXPECT_EQ(e.process_id, 4);
  EXPECT_EQ(e.thread_id, 88);
  EXPECT_EQ(FormatDateTime(e.time_created), "2021-01-02T03:04:05.6780000Z");
  EXPECT_EQ(*e.FindData("NewProcessName"), "C:\\x.exe");
  EXPECT_EQ(*e.FindData("Param.Sub"), "1");
  EXPECT_EQ(*FindField(e.extra, "winlog.task"), "Process Creation");
  EXPECT_EQ(*FindField(e.extra, "winlog.keywords"), R"(["Audit Success"])");
  EXPECT_EQ(*FindField(e.extra, "host.name"), "ws1.corp");
  EXPECT_EQ(*FindField(e.extra, "message"), "A new process");
  const WinEvent& d = events[1];
  EXPECT_EQ(d.event_id, 1);
  EXPECT_EQ(*d.FindData("Image"), "C:\\y.exe");
  EXPECT_EQ(d.computer, "h2");  // host.name fallback
  EXPECT_TRUE(d.has_time_created);
}

TEST(WindowsJsonReaderTest, FramingArrayConcatenatedAndPrettyPrinted) {
  IngestReport report;
  const std::string array =
      "\xEF\xBB\xBF[\n  {\"EventID\": 1, \"Channel\": \"A\"},\n  {\"EventID\": 2, \"Channel\": "
      "\"B\"}\n]\n";
  auto events = ReadAll(array, report);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].event_id, 2);
  EXPECT_EQ(events[1].source_offset, 3u);

  events = ReadAll(R"({"EventID":1,"Channel":"A"}{"EventID":2,"Channel":"B"} {"EventID":3,"Channel":"C"})",
                   report);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].event_id, 3);

  events = ReadAll(std::string(kSigmaEvent) + std::string(kSigmaEvent), report);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].source_offset,
            1 + static_cast<uint64_t>(std::count(kSigmaEvent.begin(), kSigmaEvent.end(), '\n')));
  EXPECT_EQ(report.skipped(), 0u);
}

TEST(WindowsJsonReaderTest, BrokenLineInTheMiddleIsSkippedWithItsLine) {
  IngestReport report;
  const std::string input =
      "{\"EventID\":1,\"Channel\":\"A\"}\n"
      "{\"EventID\":2,\"Channel\":\"trunc\n"
      "{\"EventID\":3,\"Channel\":\"C\"}\n"
      "{\"EventID\":4, \"Channel\": \n"
      "{\"EventID\":5,\"Channel\":\"E\"}\n"
      "{\"EventID\":6,,}\n"
      "garbage line\n"
      "{\"EventID\":7,\"Channel\":\"G\"}\n";
  const auto events = ReadAll(input, report);
  std::vector<int64_t> ids;
  for (const auto& e : events) {
    ids.push_back(e.event_id);
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 3, 5, 7}));
  EXPECT_EQ(events[3].source_offset, 8u);
  // The garbage line is dropped with the broken object before it (resync at line 8).
  ASSERT_EQ(report.skipped(), 3u);
  EXPECT_EQ(report.kept_skips()[0].position, "line 2");
  EXPECT_EQ(report.kept_skips()[1].position, "line 4");
  EXPECT_EQ(report.kept_skips()[2].position, "line 6");
  EXPECT_NE(report.kept_skips()[2].reason.find("lines 6-7 skipped"), std::string::npos)
      << report.kept_skips()[2].reason;
  EXPECT_EQ(report.kept_skips()[2].source, "test.json");
  EXPECT_EQ(report.records_read(), 4u);
}

TEST(WindowsJsonReaderTest, BrokenPrettyPrintedObjectDoesNotLoseTheNext) {
  IngestReport report;
  const std::string input =
      "{\n  \"EventID\": 1,\n  \"Channel\": \"A\",\n"  // never closed
      "{\n  \"EventID\": 2,\n  \"Channel\": \"B\"\n}\n";
  const auto events = ReadAll(input, report);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_id, 2);
  ASSERT_EQ(report.skipped(), 1u);
  EXPECT_EQ(report.kept_skips()[0].position, "line 1");
}

TEST(WindowsJsonReaderTest, ManyNeverClosedObjectsStayLinear) {
  std::string input = "{\n";
  for (int i = 0; i < 200'000; ++i) {
    input += "  {\"a\": [\n";
  }
  input += "{\"EventID\":9,\"Channel\":\"Z\"}";  // not at column 0 of a new line
  IngestReport report;
  const auto started = std::chrono::steady_clock::now();
  const auto events = ReadAll(input, report);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LT(elapsed, std::chrono::seconds(5));  // quadratic rescanning would take minutes
  EXPECT_GE(report.skipped(), 1u);
  EXPECT_LE(events.size(), 1u);
}

TEST(WindowsJsonReaderTest, ObjectsWithoutEventFieldsAreSkipped) {
  IngestReport report;
  const auto events = ReadAll("{\"foo\":1}\n[1,2]\n\"str\"\n", report);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(report.skipped(), 2u);
}

TEST(WindowsJsonReaderTest, EmptyAndWhitespaceInputs) {
  IngestReport report;
  EXPECT_TRUE(ReadAll("", report).empty());
  EXPECT_TRUE(ReadAll(" \n\n\r\n", report).empty());
  EXPECT_TRUE(ReadAll("[]", report).empty());
  EXPECT_EQ(report.skipped(), 0u);
}

TEST(WindowsJsonReaderTest, Utf16InputIsTranscoded) {
  const std::string utf8 = R"({"EventID":4,"Channel":"Sécurité"})";
  std::string utf16 = "\xFF\xFE";
  for (size_t i = 0; i < utf8.size();) {
    // Decode the (BMP-only) UTF-8 by hand for this test.
    auto c = static_cast<unsigned char>(utf8[i]);
    uint32_t code = c;
    if (c >= 0xC0) {
      code = ((c & 0x1F) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3F);
      i += 2;
    } else {
      ++i;
    }
    utf16.push_back(static_cast<char>(code & 0xFF));
    utf16.push_back(static_cast<char>(code >> 8));
  }
  IngestReport report;
  const auto events = ReadAll(utf16, report);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].channel, "Sécurité");
}

TEST(WindowsJsonReaderTest, LooksLikeWindowsEventTellsEventsFromTableRows) {
  EXPECT_TRUE(LooksLikeWindowsEvent(kNxlogLine));
  EXPECT_TRUE(LooksLikeWindowsEvent(kSigmaEvent));
  EXPECT_TRUE(LooksLikeWindowsEvent(R"([{"winlog":{"channel":"Security"}}])"));
  EXPECT_TRUE(LooksLikeWindowsEvent(R"({"winlog.event_id":1})"));
  EXPECT_FALSE(LooksLikeWindowsEvent(
      R"({"Timestamp":"2024-01-01T00:00:00Z","DeviceName":"pc","ActionType":"ProcessCreated"})"));
  EXPECT_FALSE(LooksLikeWindowsEvent(""));
  EXPECT_FALSE(LooksLikeWindowsEvent("not json"));
  EXPECT_FALSE(LooksLikeWindowsEvent("{\"EventID\":"));
}

// ---- Real data ------------------------------------------------------------------------------

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(WindowsJsonReaderTest, SigmaRegressionDataYieldsOneEventPerRecord) {
  VIGIL_REQUIRE_SHARED_DIR(shared);
  const std::filesystem::path root = shared / "sigma" / "regression_data";
  const std::regex event_id_re(R"re("EventID":\s*(?:\{[^}]*"#text":\s*)?(\d+))re");
  const std::regex channel_re(R"re("Channel":\s*"([^"]*)")re");
  const std::regex computer_re(R"re("Computer":\s*"([^"]*)")re");
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    ++files;
    const std::string text = ReadFile(entry.path());
    // Independent expectation: one EventRecordID per event, values by regex from the text.
    size_t expected = 0;
    for (size_t pos = text.find("\"EventRecordID\""); pos != std::string::npos;
         pos = text.find("\"EventRecordID\"", pos + 1)) {
      ++expected;
    }
    IngestReport report;
    std::vector<WinEvent> events;
    ASSERT_TRUE(ReadWindowsJson(text, entry.path().string(),
                                [&](const WinEvent& e) { events.push_back(e); }, report)
                    .ok());
    EXPECT_EQ(report.skipped(), 0u) << entry.path();
    ASSERT_EQ(events.size(), expected) << entry.path();
    std::smatch match;
    ASSERT_TRUE(std::regex_search(text, match, event_id_re)) << entry.path();
    EXPECT_EQ(events[0].event_id, std::stoll(match[1].str())) << entry.path();
    ASSERT_TRUE(std::regex_search(text, match, channel_re));
    EXPECT_EQ(events[0].channel, match[1].str()) << entry.path();
    ASSERT_TRUE(std::regex_search(text, match, computer_re));
    EXPECT_EQ(events[0].computer, match[1].str()) << entry.path();
    for (const auto& e : events) {
      EXPECT_TRUE(e.has_time_created) << entry.path();
      EXPECT_FALSE(e.data.empty()) << entry.path();
    }
  }
  EXPECT_GE(files, 100u);
}

// Reads every member of a zip archive into memory.
std::vector<std::pair<std::string, std::string>> ReadZip(const std::filesystem::path& path) {
  std::vector<std::pair<std::string, std::string>> members;
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) {
    return members;
  }
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &st) != 0) {
      continue;
    }
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    if (file == nullptr) {
      continue;
    }
    std::string content(st.size, '\0');
    const zip_int64_t got = zip_fread(file, content.data(), st.size);
    zip_fclose(file);
    if (got == static_cast<zip_int64_t>(st.size)) {
      members.emplace_back(st.name, std::move(content));
    }
  }
  zip_close(archive);
  return members;
}

TEST(WindowsJsonReaderTest, SecurityDatasetsZipsYieldOneEventPerLine) {
  VIGIL_REQUIRE_SHARED_DIR(shared);
  const std::filesystem::path base = shared / "data" / "security-datasets" / "datasets" / "atomic" /
                                     "windows";
  const std::vector<std::string> zips = {
      "lateral_movement/host/covenant_com_wsman_automation.zip",       // NXLog shape
      "credential_access/host/cmd_lsass_memory_dumpert_syscalls.zip",  // TimeCreated shape
      "lateral_movement/host/covenant_psremoting_grunt.zip",           // older NXLog (ProcessID)
      "lateral_movement/host/aadinternals_export_adfsdatabaseconfig_remotely.zip",
  };
  for (const auto& zip : zips) {
    const auto members = ReadZip(base / zip);
    ASSERT_FALSE(members.empty()) << zip;
    for (const auto& [name, content] : members) {
      size_t lines = 0;
      std::istringstream in(content);
      for (std::string line; std::getline(in, line);) {
        if (line.find_first_not_of(" \r\t") != std::string::npos) {
          ++lines;
        }
      }
      IngestReport report;
      size_t events = 0;
      size_t with_data = 0;
      size_t with_computer = 0;
      ASSERT_TRUE(ReadWindowsJson(content, name,
                                  [&](const WinEvent& e) {
                                    ++events;
                                    with_data += e.data.empty() ? 0 : 1;
                                    with_computer += e.computer.empty() ? 0 : 1;
                                    EXPECT_GE(e.event_id, 0);
                                    EXPECT_FALSE(e.channel.empty());
                                    EXPECT_TRUE(e.has_time_created);
                                  },
                                  report)
                      .ok());
      EXPECT_EQ(report.skipped(), 0u) << zip << ":" << name;
      EXPECT_EQ(events, lines) << zip << ":" << name;
      EXPECT_EQ(with_computer, events) << zip;
      EXPECT_GT(with_data, events * 9 / 10) << zip;
    }
  }
}

}  // namespace
}  // namespace vigil::ingest
