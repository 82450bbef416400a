#include "vigil/ingest/file_ingestor.h"

#include <zip.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "vigil/base/log.h"
#include "vigil/ingest/evtx/evtx_reader.h"
#include "vigil/ingest/normalize/normalizer.h"
#include "vigil/ingest/text/csv_reader.h"
#include "vigil/ingest/text/json_reader.h"
#include "vigil/ingest/text/xml_reader.h"

namespace vigil::ingest {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxZipDepth = 4;
constexpr uint64_t kMaxInputBytes = uint64_t{8} << 30;  // refuse single inputs above 8 GiB

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Extension(std::string_view name) {
  const size_t slash = name.find_last_of('/');
  const size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "";
  }
  return Lower(name.substr(dot + 1));
}

bool IsKnownExtension(const std::string& ext) {
  return ext == "evtx" || ext == "json" || ext == "jsonl" || ext == "ndjson" || ext == "xml" ||
         ext == "csv" || ext == "zip" || ext == "log";
}

char FirstNonSpace(std::string_view data) {
  size_t pos = 0;
  if (data.size() >= 3 && static_cast<unsigned char>(data[0]) == 0xEF &&
      static_cast<unsigned char>(data[1]) == 0xBB && static_cast<unsigned char>(data[2]) == 0xBF) {
    pos = 3;
  }
  for (; pos < data.size(); ++pos) {
    if (!std::isspace(static_cast<unsigned char>(data[pos]))) {
      return data[pos];
    }
  }
  return '\0';
}

bool ReadWholeFile(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  in.seekg(0, std::ios::end);
  const auto size = static_cast<uint64_t>(in.tellg());
  if (size > kMaxInputBytes) {
    error = fmt::format("file is {} bytes, above the {} byte limit for one input", size,
                        kMaxInputBytes);
    return false;
  }
  in.seekg(0, std::ios::beg);
  out.resize(size);
  if (size > 0 && !in.read(out.data(), static_cast<std::streamsize>(size))) {
    error = "short read";
    return false;
  }
  return true;
}

// Recognises inputs that are telemetry of a kind this version does not normalize, so the
// report names them instead of calling them broken. Empty when the input is not one of them.
std::string UnsupportedFormat(std::string_view data) {
  if (data.size() >= 4) {
    const std::string_view magic = data.substr(0, 4);
    if (magic == std::string_view("\xd4\xc3\xb2\xa1", 4) ||
        magic == std::string_view("\xa1\xb2\xc3\xd4", 4) ||
        magic == std::string_view("\x0a\x0d\x0d\x0a", 4)) {
      return "packet capture (pcap/pcapng): packet data is not ingested";
    }
  }
  if (data.rfind("#separator", 0) == 0) {
    return "Zeek TSV log: network sensor logs are not normalized by this version";
  }
  const size_t probe = std::min<size_t>(data.size(), 4096);
  const std::string_view head = data.substr(0, probe);
  if (head.find("\"eventSource\"") != std::string_view::npos &&
      head.find("\"awsRegion\"") != std::string_view::npos) {
    return "AWS CloudTrail records: cloud audit normalization is not built yet";
  }
  if (head.find("\"ts\"") != std::string_view::npos &&
      head.find("\"uid\"") != std::string_view::npos &&
      head.find("\"id.orig_h\"") != std::string_view::npos) {
    return "Zeek JSON log: network sensor logs are not normalized by this version";
  }
  return "";
}

}  // namespace

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kAuto:
      return "auto";
    case InputFormat::kEvtx:
      return "evtx";
    case InputFormat::kJson:
      return "jsonl";
    case InputFormat::kXml:
      return "xml";
    case InputFormat::kCsv:
      return "csv";
  }
  return "auto";
}

std::optional<InputFormat> ParseInputFormat(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "auto") {
    return InputFormat::kAuto;
  }
  if (lower == "evtx") {
    return InputFormat::kEvtx;
  }
  if (lower == "jsonl" || lower == "json" || lower == "ndjson") {
    return InputFormat::kJson;
  }
  if (lower == "xml") {
    return InputFormat::kXml;
  }
  if (lower == "csv") {
    return InputFormat::kCsv;
  }
  return std::nullopt;
}

class FileIngestor::Impl {
 public:
  explicit Impl(const schema::Catalog& catalog) : normalizer(catalog) {}
  Normalizer normalizer;
};

FileIngestor::FileIngestor(const schema::Catalog& catalog, IngestOptions options, BatchSink sink,
                           IngestReport& report)
    : catalog_(catalog),
      options_(options),
      sink_(std::move(sink)),
      report_(report),
      impl_(std::make_unique<Impl>(catalog)) {}

FileIngestor::~FileIngestor() = default;

InputFormat FileIngestor::Detect(std::string_view name, std::string_view data) const {
  if (options_.format != InputFormat::kAuto) {
    return options_.format;
  }
  if (data.size() >= 8 && data.substr(0, 8) == std::string_view("ElfFile\0", 8)) {
    return InputFormat::kEvtx;
  }
  const std::string ext = Extension(name);
  if (ext == "evtx") {
    return InputFormat::kEvtx;  // a broken header: the EVTX reader reports it and scans chunks
  }
  const char first = FirstNonSpace(data);
  if (first == '<') {
    return InputFormat::kXml;
  }
  if (first == '{' || first == '[') {
    return InputFormat::kJson;
  }
  return InputFormat::kCsv;
}

Status FileIngestor::IngestPaths(const std::vector<std::string>& paths,
                                 const ProgressCallback& progress) {
  progress_callback_ = &progress;
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      return NotFoundError("input '{}' does not exist", path);
    }
    if (fs::is_directory(status)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(
               path, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec)) {
          continue;
        }
        const std::string file = it->path().string();
        if (!IsKnownExtension(Extension(file))) {
          report_.Skip(file, "file", "unsupported file type",
                       "extension is not one of .evtx .json .jsonl .ndjson .xml .csv .log .zip");
          continue;
        }
        found.push_back(file);
      }
      if (ec) {
        report_.Warn(path, fmt::format("directory walk stopped early: {}", ec.message()));
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);
    }
  }
  for (const auto& file : files) {
    std::error_code ec;
    progress_.bytes_total += fs::file_size(file, ec);
  }
  for (const auto& file : files) {
    IngestFile(file);
  }
  Finish();
  progress_callback_ = nullptr;
  return Status::Ok();
}

void FileIngestor::IngestFile(const std::string& path) {
  std::string data;
  std::string error;
  progress_.current = path;
  if (!ReadWholeFile(path, data, error)) {
    ++failed_inputs_;
    report_.Skip(path, "file", "unreadable file", error);
    return;
  }
  report_.CountFile();
  if (Extension(path) == "zip" ||
      (data.size() >= 4 && data.compare(0, 4, "PK\x03\x04") == 0 &&
       options_.format == InputFormat::kAuto)) {
    IngestZip(path, data, 0);
  } else {
    IngestBuffer(path, data);
  }
  progress_.bytes_done += data.size();
  if (progress_callback_ != nullptr && *progress_callback_) {
    (*progress_callback_)(progress_);
  }
}

void FileIngestor::IngestZip(const std::string& name, std::string_view data, int depth) {
  if (depth > kMaxZipDepth) {
    report_.Skip(name, "archive", "zip nested too deeply", fmt::format("limit {}", kMaxZipDepth));
    return;
  }
  zip_error_t zerr;
  zip_error_init(&zerr);
  zip_source_t* source = zip_source_buffer_create(data.data(), data.size(), 0, &zerr);
  if (source == nullptr) {
    report_.Skip(name, "archive", "unreadable zip archive", zip_error_strerror(&zerr));
    zip_error_fini(&zerr);
    ++failed_inputs_;
    return;
  }
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &zerr);
  if (archive == nullptr) {
    report_.Skip(name, "archive", "unreadable zip archive", zip_error_strerror(&zerr));
    zip_source_free(source);
    zip_error_fini(&zerr);
    ++failed_inputs_;
    return;
  }
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  std::vector<std::pair<std::string, zip_uint64_t>> members;
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* member = zip_get_name(archive, static_cast<zip_uint64_t>(i), 0);
    if (member == nullptr) {
      continue;
    }
    std::string member_name(member);
    if (!member_name.empty() && member_name.back() == '/') {
      continue;
    }
    // macOS resource forks ride along in many archives; they carry no events.
    if (member_name.rfind("__MACOSX/", 0) == 0 || member_name.find("/._") != std::string::npos ||
        member_name.rfind("._", 0) == 0) {
      report_.Warn(name, fmt::format("ignored macOS metadata member '{}'", member_name));
      continue;
    }
    members.emplace_back(std::move(member_name), static_cast<zip_uint64_t>(i));
  }
  std::sort(members.begin(), members.end());
  std::string buffer;
  for (const auto& [member_name, index] : members) {
    const std::string full_name = name + ":" + member_name;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive, index, 0, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0) {
      report_.Skip(full_name, "archive member", "unreadable zip member", zip_strerror(archive));
      continue;
    }
    if (st.size > kMaxInputBytes) {
      report_.Skip(full_name, "archive member", "zip member too large",
                   fmt::format("{} bytes", st.size));
      continue;
    }
    zip_file_t* file = zip_fopen_index(archive, index, 0);
    if (file == nullptr) {
      report_.Skip(full_name, "archive member", "unreadable zip member", zip_strerror(archive));
      continue;
    }
    buffer.resize(st.size);
    const zip_int64_t got = zip_fread(file, buffer.data(), st.size);
    zip_fclose(file);
    if (got < 0 || static_cast<zip_uint64_t>(got) != st.size) {
      report_.Skip(full_name, "archive member", "truncated or corrupt zip member",
                   fmt::format("read {} of {} bytes", got, st.size));
      continue;
    }
    progress_.current = full_name;
    if (Extension(member_name) == "zip") {
      IngestZip(full_name, buffer, depth + 1);
      continue;
    }
    if (!IsKnownExtension(Extension(member_name)) && Extension(member_name) != "") {
      report_.Skip(full_name, "archive member", "unsupported file type",
                   "extension is not one of .evtx .json .jsonl .ndjson .xml .csv .log .zip");
      continue;
    }
    IngestBuffer(full_name, buffer);
  }
  zip_close(archive);
  zip_error_fini(&zerr);
}

void FileIngestor::IngestBuffer(std::string_view name, std::string_view data) {
  const std::string source(name);
  if (options_.format == InputFormat::kAuto && options_.table == nullptr) {
    const std::string unsupported = UnsupportedFormat(data);
    if (!unsupported.empty()) {
      ++failed_inputs_;
      report_.Skip(source, "file", "unsupported format", unsupported);
      return;
    }
  }
  const InputFormat format = Detect(name, data);
  Normalizer& normalizer = impl_->normalizer;
  IngestReport& report = report_;
  const BatchSink& sink = sink_;
  uint32_t since_drain = 0;
  // Hand full batches on while reading, so one large input never piles up in memory and the
  // store can take rows in bounded batches.
  const WinEventSink on_event = [&normalizer, &report, &sink, &since_drain](const WinEvent& event) {
    normalizer.Add(event, report);
    if (++since_drain >= 1024) {
      since_drain = 0;
      normalizer.Drain(sink, kDefaultBatchRows);
    }
  };
  const uint64_t records_before = report_.records_read();
  Status status;
  // Reason under which a failed input is counted; specific where the cause is known.
  std::string failure_reason = "unreadable input";
  switch (format) {
    case InputFormat::kEvtx:
      status = ReadEvtx(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()),
                                                 data.size()),
                        source, on_event, report_);
      break;
    case InputFormat::kXml:
      status = ReadWindowsXml(data, source, on_event, report_);
      break;
    case InputFormat::kJson:
      if (options_.table != nullptr) {
        status = ReadTableJsonLines(data, source, *options_.table, sink_, report_);
      } else if (options_.format == InputFormat::kAuto && !LooksLikeWindowsEvent(data)) {
        // One clear report for the file rather than one "not a Windows event" per line.
        failure_reason = "not Windows events";
        status = InvalidArgumentError(
            "JSON records are not Windows events (the first has no EventID, Channel or "
            "provider); for JSON lines keyed by hunting-table columns pass --table <Table>");
      } else {
        status = ReadWindowsJson(data, source, on_event, report_);
      }
      break;
    case InputFormat::kCsv:
      if (options_.table == nullptr) {
        failure_reason = "needs --table";
        status = InvalidArgumentError(
            "'{}' looks like CSV (or is not a recognised format); CSV input needs --table <Table> "
            "to name the hunting table its header columns belong to",
            source);
      } else {
        status = ReadTableCsv(data, source, *options_.table, sink_, report_);
      }
      break;
    case InputFormat::kAuto:
      break;
  }
  if (!status.ok()) {
    ++failed_inputs_;
    report_.Skip(source, "file", failure_reason, status.message());
  }
  progress_.records += report_.records_read() - records_before;
  impl_->normalizer.Drain(sink_, kDefaultBatchRows);
}

void FileIngestor::Finish() { impl_->normalizer.Drain(sink_, 0); }

}  // namespace vigil::ingest
