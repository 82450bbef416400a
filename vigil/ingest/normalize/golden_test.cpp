// Golden suite for the normalizer: tests/ingest/normalize/<case>.input.jsonl holds WinEvents in
// a simple JSON form (see docs/NORMALIZATION.md), <case>.expected.jsonl the rows they become,
// rendered by RowToJson with the table name, in Drain() order. VIGIL_GOLDEN_UPDATE=1 rewrites
// the expected files.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/shared_data.h"
#include "vigil/base/time.h"
#include "vigil/ingest/normalize/normalizer.h"
#include "vigil/schema/row_json.h"

namespace vigil::ingest {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> ReadLines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      lines.push_back(line);
    }
  }
  return lines;
}

// Text of a scalar JSON value: strings unquoted, numbers/bools as written, null as "".
bool ScalarText(simdjson::ondemand::value value, std::string& out) {
  simdjson::ondemand::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) {
    return false;
  }
  if (type == simdjson::ondemand::json_type::string) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return false;
    }
    out.assign(text);
    return true;
  }
  if (type == simdjson::ondemand::json_type::null) {
    out.clear();
    return true;
  }
  std::string_view raw = value.raw_json_token();
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == ',')) {
    raw.remove_suffix(1);
  }
  out.assign(raw);
  return true;
}

bool ReadFields(simdjson::ondemand::value value, std::vector<EventField>& fields) {
  simdjson::ondemand::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return false;
  }
  for (auto member : object) {
    std::string_view key;
    if (member.unescaped_key().get(key) != simdjson::SUCCESS) {
      return false;
    }
    EventField field;
    field.name.assign(key);
    simdjson::ondemand::value field_value;
    if (member.value().get(field_value) != simdjson::SUCCESS ||
        !ScalarText(field_value, field.value)) {
      return false;
    }
    fields.push_back(std::move(field));
  }
  return true;
}

// Parses one input line into `event`; returns an error message or "".
std::string ParseEvent(const std::string& line, simdjson::ondemand::parser& parser,
                       WinEvent& event) {
  event.Clear();
  simdjson::padded_string padded(line);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) {
    return "invalid JSON";
  }
  simdjson::ondemand::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    return "not an object";
  }
  for (auto member : object) {
    std::string_view key;
    if (member.unescaped_key().get(key) != simdjson::SUCCESS) {
      return "bad key";
    }
    simdjson::ondemand::value value;
    if (member.value().get(value) != simdjson::SUCCESS) {
      return "bad value";
    }
    std::string text;
    if (key == "data" || key == "extra") {
      if (!ReadFields(value, key == "data" ? event.data : event.extra)) {
        return "bad " + std::string(key);
      }
      continue;
    }
    if (!ScalarText(value, text)) {
      return "bad value for " + std::string(key);
    }
    auto number = [&]() -> int64_t { return std::strtoll(text.c_str(), nullptr, 10); };
    if (key == "provider") {
      event.provider = text;
    } else if (key == "provider_guid") {
      event.provider_guid = text;
    } else if (key == "channel") {
      event.channel = text;
    } else if (key == "computer") {
      event.computer = text;
    } else if (key == "event_id") {
      event.event_id = number();
    } else if (key == "version") {
      event.version = number();
    } else if (key == "level") {
      event.level = number();
    } else if (key == "task") {
      event.task = number();
    } else if (key == "opcode") {
      event.opcode = number();
    } else if (key == "keywords") {
      event.keywords = text;
    } else if (key == "time") {
      const std::optional<int64_t> ticks = ParseDateTime(text);
      if (!ticks) {
        return "bad time";
      }
      event.time_created = *ticks;
      event.has_time_created = true;
    } else if (key == "record_id") {
      event.record_id = static_cast<uint64_t>(number());
    } else if (key == "process_id") {
      event.process_id = number();
    } else if (key == "thread_id") {
      event.thread_id = number();
    } else if (key == "user_sid") {
      event.user_sid = text;
    } else if (key == "activity_id") {
      event.activity_id = text;
    } else if (key == "comment") {
      // Free text for the reader of the file.
    } else {
      return "unknown key " + std::string(key);
    }
  }
  return "";
}

// Line diff (longest common subsequence), "-" expected, "+" actual, " " common.
std::string Diff(const std::vector<std::string>& expected, const std::vector<std::string>& actual) {
  const size_t n = expected.size();
  const size_t m = actual.size();
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] =
          expected[i] == actual[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::ostringstream out;
  size_t i = 0;
  size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] == actual[j]) {
      ++i;
      ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out << "+ " << actual[j++] << "\n";
    } else {
      out << "- " << expected[i++] << "\n";
    }
  }
  return out.str();
}

std::vector<fs::path> InputFiles() {
  std::vector<fs::path> inputs;
  const fs::path dir = testing::SourceDir() / "tests" / "ingest" / "normalize";
  if (!fs::is_directory(dir)) {
    return inputs;
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 12 && name.ends_with(".input.jsonl")) {
      inputs.push_back(entry.path());
    }
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

TEST(NormalizerGoldenTest, AllCasesMatch) {
  const std::vector<fs::path> inputs = InputFiles();
  ASSERT_FALSE(inputs.empty()) << "no golden cases under tests/ingest/normalize";
  const bool update = [] {
    const char* env = std::getenv("VIGIL_GOLDEN_UPDATE");
    return env != nullptr && std::string_view(env) == "1";
  }();
  simdjson::ondemand::parser parser;
  for (const fs::path& input : inputs) {
    std::string name = input.filename().string();
    name.resize(name.size() - std::string_view(".input.jsonl").size());
    SCOPED_TRACE(name);
    Normalizer normalizer(schema::Catalog::Default());
    IngestReport report;
    WinEvent event;
    size_t line_number = 0;
    size_t events = 0;
    for (const std::string& line : ReadLines(input)) {
      ++line_number;
      const std::string error = ParseEvent(line, parser, event);
      ASSERT_EQ(error, "") << input << ":" << line_number;
      event.source = input.filename().string();
      event.source_offset = line_number;
      normalizer.Add(event, report);
      ++events;
    }
    std::vector<std::string> actual;
    normalizer.Drain([&](schema::TableBatch& batch) {
      for (size_t row = 0; row < batch.rows(); ++row) {
        actual.push_back(schema::RowToJson(batch, row, {.table_field = true}));
      }
    });
    EXPECT_EQ(normalizer.pending_rows(), 0u);
    EXPECT_EQ(report.TotalRows(), actual.size());
    EXPECT_GE(actual.size(), events) << "every event yields at least one row";
    const fs::path expected_path = input.parent_path() / (name + ".expected.jsonl");
    if (update) {
      std::ofstream out(expected_path, std::ios::trunc);
      for (const std::string& line : actual) {
        out << line << "\n";
      }
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_path))
        << expected_path << " missing; run with VIGIL_GOLDEN_UPDATE=1";
    const std::vector<std::string> expected = ReadLines(expected_path);
    if (expected != actual) {
      ADD_FAILURE() << "golden mismatch for " << name << " (- expected, + actual):\n"
                    << Diff(expected, actual);
    }
  }
}

// Throughput of Add() over the golden inputs (a mix of every mapped family), for manual runs:
// --gtest_also_run_disabled_tests --gtest_filter=*Throughput*
TEST(NormalizerGoldenTest, DISABLED_Throughput) {
  simdjson::ondemand::parser parser;
  std::vector<WinEvent> events;
  for (const fs::path& input : InputFiles()) {
    for (const std::string& line : ReadLines(input)) {
      WinEvent event;
      ASSERT_EQ(ParseEvent(line, parser, event), "");
      events.push_back(std::move(event));
    }
  }
  ASSERT_FALSE(events.empty());
  Normalizer normalizer(schema::Catalog::Default());
  IngestReport report;
  size_t sunk_rows = 0;
  const BatchSink sink = [&](schema::TableBatch& batch) { sunk_rows += batch.rows(); };
  constexpr size_t kEvents = 2'000'000;
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < kEvents; ++i) {
    normalizer.Add(events[i % events.size()], report);
    if ((i & 1023) == 0) {
      normalizer.Drain(sink, kDefaultBatchRows);
    }
  }
  normalizer.Drain(sink);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("normalized %zu events (%zu rows) in %.3f s: %.0f events/s\n", kEvents, sunk_rows,
              seconds, static_cast<double>(kEvents) / seconds);
  EXPECT_GE(sunk_rows, kEvents);
}

}  // namespace
}  // namespace vigil::ingest
