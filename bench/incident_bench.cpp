// Incident correlation benchmark (issue #5): preloads N open incidents (one alert each with a
// realistic entity mix: a device, an account known by SID and DOMAIN\name, a process, a file
// hash, public and private IPs, URLs whose domains are shared by many incidents), reopens the
// store (measuring the index rebuild), then streams alerts — a mix of new ones and ones related
// to a random existing incident — through Correlator::OnAlerts in batches and through OnAlert
// one by one. Prints sustained alerts/s and p50/p99 latency from an alert's submission to its
// incident (per call; a batched alert waits for its whole batch). Single-threaded, SQLite on
// local disk, no AlertStore (the alert records' incident_id is written by the caller's store).
// Usage: vigil_incident_bench [--incidents N] [--alerts N] [--batch N] [--related R]
//   [--work DIR] [--seed N]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "vigil/detect/alerts/evidence.h"
#include "vigil/incidents/correlator.h"

namespace {

namespace fs = std::filesystem;
using vigil::detect::Evidence;
using vigil::detect::alerts::AlertRecord;
using vigil::incidents::Correlator;
using vigil::incidents::IncidentStore;
using Clock = std::chrono::steady_clock;

constexpr int64_t kT0 = 1'767'225'600'000'000;  // 2026-01-01
constexpr int64_t kSecond = 1'000'000;

struct Args {
  size_t incidents = 100'000;
  size_t alerts = 100'000;
  size_t batch = 500;
  double related = 0.5;
  std::string work = "/tmp/vigil_incident_bench";
  uint64_t seed = 42;
};

const char* kCategories[] = {"InitialAccess",    "Execution",       "Persistence",
                             "CredentialAccess", "LateralMovement", "CommandAndControl",
                             "Exfiltration"};
const char* kCommonDomains[] = {"login.microsoftonline.com", "update.example-cdn.net",
                                "graph.microsoft.com", "telemetry.example.org"};

Evidence Make(const char* type) {
  Evidence e;
  e.entity_type = type;
  return e;
}

// The alert of "entity group" `group` (device, account, file of that group), at `time_us`.
AlertRecord MakeAlert(const std::string& id, size_t group, int64_t time_us, std::mt19937_64& rng) {
  std::vector<Evidence> evidence;
  Evidence machine = Make("Machine");
  machine.evidence_role = "Impacted";
  machine.device_id = fmt::format("{:016x}", group * 2654435761u);
  machine.device_name = fmt::format("ws-{:06}", group);
  evidence.push_back(machine);
  Evidence user = Make("User");
  user.evidence_role = "Impacted";
  user.account_name = fmt::format("user{:06}", group);
  user.account_domain = "CONTOSO";
  user.account_sid = fmt::format("S-1-5-21-1004336348-1177238915-682003330-{}", 10000 + group);
  evidence.push_back(user);
  Evidence process = Make("Process");
  process.file_name = "powershell.exe";
  process.process_command_line = fmt::format("powershell -nop -enc {:x}", rng());
  evidence.push_back(process);
  Evidence file = Make("File");
  file.file_name = fmt::format("payload{}.dll", group);
  file.sha256 = fmt::format("{:064x}", group * 11400714819323198485ull);
  evidence.push_back(file);
  Evidence private_ip = Make("Ip");
  private_ip.remote_ip = fmt::format("10.{}.{}.{}", group % 200, (group / 200) % 250, group % 250);
  evidence.push_back(private_ip);
  Evidence public_ip = Make("Ip");
  public_ip.remote_ip =
      fmt::format("203.{}.{}.{}", 1 + group % 200, (group / 200) % 250, (group / 50000) % 250);
  evidence.push_back(public_ip);
  Evidence url = Make("Url");
  url.remote_url = fmt::format("https://{}/path/{}", kCommonDomains[rng() % 4], group);
  evidence.push_back(url);
  AlertRecord r;
  r.id = id;
  r.title = "Suspicious activity";
  r.category = kCategories[rng() % 7];
  r.severity = static_cast<vigil::detect::Severity>(rng() % 4);
  r.service_source = "Microsoft Defender for Endpoint";
  r.detection_source = "Sigma";
  r.source_table = "DeviceProcessEvents";
  r.first_activity_us = time_us;
  r.last_activity_us = time_us;
  r.event_count = 1;
  r.evidence_json = vigil::detect::alerts::EvidenceToJson(evidence);
  return r;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

bool ParseArgs(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      fmt::print(stderr, "missing value for {}\n", flag);
      return false;
    }
    const char* value = argv[++i];
    if (flag == "--incidents") {
      args.incidents = std::strtoull(value, nullptr, 10);
    } else if (flag == "--alerts") {
      args.alerts = std::strtoull(value, nullptr, 10);
    } else if (flag == "--batch") {
      args.batch = std::max<size_t>(1, std::strtoull(value, nullptr, 10));
    } else if (flag == "--related") {
      args.related = std::atof(value);
    } else if (flag == "--work") {
      args.work = value;
    } else if (flag == "--seed") {
      args.seed = std::strtoull(value, nullptr, 10);
    } else {
      fmt::print(stderr, "unknown flag {}\n", flag);
      return false;
    }
  }
  return true;
}

// Streams `count` alerts (ids "<prefix>N") after `start_us`; `per_call` alerts per OnAlerts call.
// Returns false on an error.
bool Stream(Correlator& correlator, const Args& args, const std::string& prefix, size_t count,
            size_t per_call, size_t& next_group, int64_t& time_us, std::mt19937_64& rng) {
  std::vector<double> latencies_ms;
  size_t created = 0;
  size_t merges = 0;
  Clock::duration busy{};
  std::vector<AlertRecord> batch;
  for (size_t done = 0; done < count;) {
    batch.clear();
    for (size_t i = 0; i < per_call && done + i < count; ++i) {
      time_us += kSecond / 10;
      const bool related = std::uniform_real_distribution<double>(0, 1)(rng) < args.related;
      const size_t group = related ? rng() % args.incidents : next_group++;
      batch.push_back(MakeAlert(fmt::format("{}{}", prefix, done + i), group, time_us, rng));
    }
    const auto start = Clock::now();
    vigil::Result<std::vector<vigil::incidents::Assignment>> result =
        std::vector<vigil::incidents::Assignment>();
    if (per_call == 1) {
      auto one = correlator.OnAlert(batch[0]);
      if (one.ok()) {
        result->push_back(std::move(*one));
      } else {
        result = one.status();
      }
    } else {
      result = correlator.OnAlerts(batch);
    }
    const auto elapsed = Clock::now() - start;
    if (!result.ok()) {
      fmt::print(stderr, "error: {}\n", result.status().ToString());
      return false;
    }
    busy += elapsed;
    latencies_ms.push_back(Seconds(elapsed) * 1000);
    for (const auto& a : *result) {
      created += a.created ? 1 : 0;
      merges += a.merged_incidents.size();
    }
    done += batch.size();
  }
  fmt::print(
      "  {:<22} {:>8} alerts  {:>9.0f} alerts/s  latency p50 {:>7.3f} ms  p99 {:>7.3f} ms"
      "  ({} new incidents, {} merges)\n",
      per_call == 1 ? "per alert (OnAlert)" : fmt::format("batches of {}", per_call), count,
      count / Seconds(busy), Percentile(latencies_ms, 0.5), Percentile(latencies_ms, 0.99), created,
      merges);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) {
    return 1;
  }
  fs::remove_all(args.work);
  fs::create_directories(args.work);
  const std::string path = args.work + "/incidents.db";
  std::mt19937_64 rng(args.seed);
  int64_t time_us = kT0;
  size_t next_group = 0;
  {
    auto store = IncidentStore::Open(path);
    if (!store.ok()) {
      fmt::print(stderr, "{}\n", store.status().ToString());
      return 1;
    }
    auto correlator = Correlator::Create(store->get(), nullptr, {});
    if (!correlator.ok()) {
      fmt::print(stderr, "{}\n", correlator.status().ToString());
      return 1;
    }
    const auto start = Clock::now();
    std::vector<AlertRecord> batch;
    for (; next_group < args.incidents;) {
      batch.clear();
      for (size_t i = 0; i < 2000 && next_group < args.incidents; ++i, ++next_group) {
        time_us += kSecond / 10;
        batch.push_back(MakeAlert(fmt::format("pre{}", next_group), next_group, time_us, rng));
      }
      auto result = (*correlator)->OnAlerts(batch);
      if (!result.ok()) {
        fmt::print(stderr, "{}\n", result.status().ToString());
        return 1;
      }
    }
    fmt::print("preload: {} alerts -> {} open incidents in {:.1f} s\n", args.incidents,
               (*correlator)->open_incident_count(), Seconds(Clock::now() - start));
  }
  auto store = IncidentStore::Open(path);
  if (!store.ok()) {
    return 1;
  }
  const auto rebuild_start = Clock::now();
  auto correlator = Correlator::Create(store->get(), nullptr, {});
  if (!correlator.ok()) {
    fmt::print(stderr, "{}\n", correlator.status().ToString());
    return 1;
  }
  fmt::print("reopen: index rebuilt from {} open incidents in {:.2f} s\n",
             (*correlator)->open_incident_count(), Seconds(Clock::now() - rebuild_start));
  fmt::print("stream ({:.0f}% related to an existing incident):\n", args.related * 100);
  if (!Stream(**correlator, args, "b", args.alerts, args.batch, next_group, time_us, rng) ||
      !Stream(**correlator, args, "s", std::min<size_t>(args.alerts, 20000), 1, next_group, time_us,
              rng)) {
    return 1;
  }
  fmt::print("database: {:.1f} MiB\n",
             static_cast<double>(fs::file_size(path)) / (1024.0 * 1024.0));
  return 0;
}
