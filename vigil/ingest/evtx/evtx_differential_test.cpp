// Differential test: our EVTX reader against libevtx's evtxexport (Debian libevtx-utils) on
// every sample file in ../shared. Compares per record the System fields we extract and every
// EventData/UserData field. evtxexport is a test oracle only; the product never links libevtx.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <pugixml.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/shared_data.h"
#include "vigil/base/time.h"
#include "vigil/ingest/evtx/evtx_reader.h"

namespace vigil::ingest {
namespace {

constexpr const char* kEvtxExport = "/usr/bin/evtxexport";

struct FlatEvent {
  uint64_t record_id = 0;
  std::string event_id;
  std::string provider;
  std::string channel;
  std::string computer;
  std::string time_created;
  std::vector<std::pair<std::string, std::string>> fields;
};

std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}

std::string RunEvtxExport(const std::filesystem::path& path) {
  const std::string command = fmt::format("{} -f xml '{}' 2>/dev/null", kEvtxExport, path.string());
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return output;
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) {
    output.append(buf, n);
  }
  pclose(pipe);
  return output;
}

// Text of an element. evtxexport does not escape markup inside string values, so a value such
// as "<S:Envelope>..." comes back as child elements: their text is gathered (see
// SameTextWithoutMarkup).
std::string TextOf(const pugi::xml_node& node) {
  std::string text;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    } else if (child.type() == pugi::node_element) {
      text += "<>" + TextOf(child);  // marks that markup was there
    }
  }
  return text;
}

// Leaf elements below UserData (and other non-System sections) become fields, as our reader does.
void CollectLeaves(const pugi::xml_node& node, FlatEvent& event) {
  bool has_child_element = false;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_element) {
      has_child_element = true;
      CollectLeaves(child, event);
    }
  }
  if (!has_child_element) {
    event.fields.emplace_back(node.name(), TextOf(node));
  }
}

std::vector<FlatEvent> ParseTheirXml(std::string xml) {
  // Drop the "evtxexport <version>" banner line.
  const size_t first_tag = xml.find('<');
  xml.erase(0, first_tag == std::string::npos ? xml.size() : first_tag);
  pugi::xml_document doc;
  // No end-of-line normalization: values keep their \r\n as ours do.
  doc.load_buffer(xml.data(), xml.size(),
                  (pugi::parse_default & ~pugi::parse_eol) | pugi::parse_fragment);
  std::vector<FlatEvent> events;
  for (const pugi::xml_node& root : doc.children("Event")) {
    FlatEvent event;
    const pugi::xml_node system = root.child("System");
    event.record_id = std::stoull(std::string("0") + system.child_value("EventRecordID"));
    event.event_id = system.child_value("EventID");
    event.provider = system.child("Provider").attribute("Name").value();
    event.channel = system.child_value("Channel");
    event.computer = system.child_value("Computer");
    event.time_created = system.child("TimeCreated").attribute("SystemTime").value();
    for (const pugi::xml_node& section : root.children()) {
      // RenderingInfo goes to WinEvent::extra, not data.
      if (section.type() != pugi::node_element || std::string_view(section.name()) == "System" ||
          std::string_view(section.name()) == "RenderingInfo") {
        continue;
      }
      if (std::string_view(section.name()) == "EventData") {
        int unnamed = 0;
        for (const pugi::xml_node& data : section.children()) {
          if (data.type() != pugi::node_element) {
            continue;
          }
          std::string name = data.attribute("Name").value();
          if (std::string_view(data.name()) != "Data") {
            name = data.name();
          } else if (name.empty()) {
            name = unnamed == 0 ? "Data" : fmt::format("Data_{}", unnamed);
            ++unnamed;
          }
          event.fields.emplace_back(name, TextOf(data));
        }
        continue;
      }
      for (const pugi::xml_node& child : section.children()) {
        if (child.type() == pugi::node_element) {
          CollectLeaves(child, event);
        }
      }
    }
    events.push_back(std::move(event));
  }
  return events;
}

// --- Differences by design (each with its reason) -------------------------------------------

// 1. evtxexport zero-pads HexInt32/HexInt64 ("0x00000000000003e7"); Windows' event XML and our
//    reader print them unpadded ("0x3e7"). Equal when both are hex numbers of the same value.
bool SameHexNumber(const std::string& ours, const std::string& theirs) {
  static const std::regex kHex("0x[0-9a-fA-F]{1,16}");
  return std::regex_match(ours, kHex) && std::regex_match(theirs, kHex) &&
         std::stoull(ours.substr(2), nullptr, 16) == std::stoull(theirs.substr(2), nullptr, 16);
}

// 2. evtxexport prints FILETIMEs with 9 fractional digits ("...51.681640800Z"), we print the
//    7 digits of the 100 ns resolution ("...51.6816408Z", as Windows 10 does). Equal when the
//    two denote the same instant.
bool SameInstant(const std::string& ours, const std::string& theirs) {
  static const std::regex kTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}00Z)");
  if (!std::regex_match(theirs, kTime)) {
    return false;
  }
  std::string trimmed = theirs;
  trimmed.erase(trimmed.size() - 3, 2);
  return trimmed == ours;
}

// 3. evtxexport prints win:Pointer (size_t) values in decimal; Windows and we print them in
//    hex ("0x24c"). Equal when the numbers are.
bool SameSizeT(const std::string& ours, const std::string& theirs) {
  static const std::regex kHex("0x[0-9a-f]{1,16}");
  static const std::regex kDecimal("[0-9]{1,20}");
  return std::regex_match(ours, kHex) && std::regex_match(theirs, kDecimal) &&
         std::stoull(ours.substr(2), nullptr, 16) == std::stoull(theirs);
}

// 4. evtxexport writes string values unescaped, so markup inside a value ("<S:Envelope>...")
//    becomes elements in its output (TextOf marks them with "<>"). Equal when the texts match
//    once the markup is removed from both.
std::string WithoutMarkup(const std::string& text) {
  std::string out;
  bool in_tag = false;
  for (char c : text) {
    if (c == '<') {
      in_tag = true;
    } else if (c == '>' && in_tag) {
      in_tag = false;
    } else if (!in_tag) {
      out.push_back(c);
    }
  }
  return out;
}
bool SameTextWithoutMarkup(const std::string& ours, const std::string& theirs) {
  return theirs.find("<>") != std::string::npos && WithoutMarkup(ours) == WithoutMarkup(theirs);
}

// 5. evtxexport prints whitespace-only string values as empty elements; we keep the value as
//    the record holds it (e.g. ExtraInfo = "\n" in Application_no_crc32.evtx).
bool WhitespaceDroppedByTheirs(const std::string& ours, const std::string& theirs) {
  return theirs.empty() && !ours.empty() && ours.find_first_not_of(" \t\r\n") == std::string::npos;
}

// How many values each rule above accepted, printed with the summary.
struct AllowCounts {
  size_t hex = 0;
  size_t instant = 0;
  size_t size_t_hex = 0;
  size_t markup = 0;
  size_t whitespace = 0;
};
AllowCounts& Allowed() {
  static AllowCounts counts;
  return counts;
}

bool SameValue(const std::string& ours, const std::string& theirs) {
  if (ours == theirs) {
    return true;
  }
  AllowCounts& allowed = Allowed();
  if (SameHexNumber(ours, theirs)) {
    ++allowed.hex;
    return true;
  }
  if (SameInstant(ours, theirs)) {
    ++allowed.instant;
    return true;
  }
  if (SameSizeT(ours, theirs)) {
    ++allowed.size_t_hex;
    return true;
  }
  if (SameTextWithoutMarkup(ours, theirs)) {
    ++allowed.markup;
    return true;
  }
  if (WhitespaceDroppedByTheirs(ours, theirs)) {
    ++allowed.whitespace;
    return true;
  }
  return false;
}

struct FileResult {
  size_t ours = 0;
  size_t theirs = 0;
  size_t missing = 0;     // records evtxexport read and we did not
  size_t mismatches = 0;  // differing values in records both read
  std::vector<std::string> samples;
};

FileResult CompareFile(const std::filesystem::path& path) {
  FileResult result;
  const std::vector<uint8_t> data = ReadFileBytes(path);
  std::map<uint64_t, FlatEvent> ours;
  IngestReport report;
  const Status status = ReadEvtx(
      data, path.filename().string(),
      [&](const WinEvent& event) {
        FlatEvent flat;
        flat.record_id = event.record_id;
        flat.event_id = event.event_id >= 0 ? std::to_string(event.event_id) : "";
        flat.provider = event.provider;
        flat.channel = event.channel;
        flat.computer = event.computer;
        flat.time_created = event.has_time_created ? FormatDateTime(event.time_created) : "";
        for (const EventField& field : event.data) {
          flat.fields.emplace_back(field.name, field.value);
        }
        ours[event.record_id] = std::move(flat);
        ++result.ours;
      },
      report);
  EXPECT_TRUE(status.ok()) << path << ": " << status.ToString();

  const std::vector<FlatEvent> theirs = ParseTheirXml(RunEvtxExport(path));
  result.theirs = theirs.size();
  auto note = [&](std::string text) {
    ++result.mismatches;
    if (result.samples.size() < 5) {
      result.samples.push_back(std::move(text));
    }
  };
  for (const FlatEvent& their : theirs) {
    auto it = ours.find(their.record_id);
    if (it == ours.end()) {
      ++result.missing;
      if (result.samples.size() < 5) {
        result.samples.push_back(fmt::format("record {} missing", their.record_id));
      }
      continue;
    }
    const FlatEvent& our = it->second;
    const std::pair<const char*, std::pair<const std::string*, const std::string*>> system[] = {
        {"EventID", {&our.event_id, &their.event_id}},
        {"Provider", {&our.provider, &their.provider}},
        {"Channel", {&our.channel, &their.channel}},
        {"Computer", {&our.computer, &their.computer}},
    };
    for (const auto& [what, values] : system) {
      if (*values.first != *values.second) {
        note(fmt::format("record {} {}: ours '{}' theirs '{}'", their.record_id, what,
                         *values.first, *values.second));
      }
    }
    // TimeCreated: ours is FormatDateTime of the parsed ticks (7 digits).
    if (!SameValue(our.time_created, their.time_created)) {
      note(fmt::format("record {} TimeCreated: ours '{}' theirs '{}'", their.record_id,
                       our.time_created, their.time_created));
    }
    if (our.fields.size() != their.fields.size()) {
      note(fmt::format("record {}: {} fields ours, {} theirs", their.record_id, our.fields.size(),
                       their.fields.size()));
      continue;
    }
    for (size_t i = 0; i < our.fields.size(); ++i) {
      const auto& [our_name, our_value] = our.fields[i];
      const auto& [their_name, their_value] = their.fields[i];
      if (our_name != their_name || !SameValue(our_value, their_value)) {
        note(fmt::format("record {} field {}: ours {}='{}' theirs {}='{}'", their.record_id, i,
                         our_name, our_value, their_name, their_value));
      }
    }
  }
  return result;
}

std::vector<std::filesystem::path> SampleFiles(const std::filesystem::path& shared) {
  std::vector<std::filesystem::path> files;
  for (const auto* dir : {"data/evtx-samples/samples", "sigma/regression_data"}) {
    const std::filesystem::path root = shared / dir;
    if (!std::filesystem::is_directory(root)) {
      continue;
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.is_regular_file() && entry.path().extension() == ".evtx") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(EvtxDifferentialTest, MatchesEvtxExportOnEverySample) {
  VIGIL_REQUIRE_SHARED_DIR(shared);
  if (!std::filesystem::exists(kEvtxExport)) {
    GTEST_SKIP() << kEvtxExport << " not installed (Debian package libevtx-utils); skipped";
  }
  const std::vector<std::filesystem::path> files = SampleFiles(shared);
  ASSERT_FALSE(files.empty()) << "no .evtx files under " << shared;
  size_t total_ours = 0;
  size_t total_theirs = 0;
  for (const auto& path : files) {
    const FileResult result = CompareFile(path);
    total_ours += result.ours;
    total_theirs += result.theirs;
    std::cout << fmt::format("{:<70} ours {:>5} theirs {:>5} missing {} mismatches {}\n",
                             path.filename().string().substr(0, 70), result.ours, result.theirs,
                             result.missing, result.mismatches);
    for (const std::string& sample : result.samples) {
      std::cout << "    " << sample << "\n";
    }
    EXPECT_GE(result.ours, result.theirs) << path;
    EXPECT_EQ(result.missing, 0u) << path;
    EXPECT_EQ(result.mismatches, 0u) << path;
  }
  std::cout << fmt::format("{} files: {} records ours, {} theirs\n", files.size(), total_ours,
                           total_theirs);
  const AllowCounts& allowed = Allowed();
  std::cout << fmt::format(
      "accepted by design: {} hex padding, {} time digits, {} size_t hex, {} unescaped markup, "
      "{} whitespace-only\n",
      allowed.hex, allowed.instant, allowed.size_t_hex, allowed.markup, allowed.whitespace);
}

}  // namespace
}  // namespace vigil::ingest
