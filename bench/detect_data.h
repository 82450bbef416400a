// The detection benchmark's event stream: seeded, deterministic Windows events in the mix a
// fleet produces (mostly Sysmon 1/3/7/10/11/13/22, Security 4624/4625/4672/4688, PowerShell
// 4104) with realistic values, plus real true-positive events (the Sigma regression data) mixed
// in at a small rate. Used by detect_bench.cpp only. Not thread-safe: one generator per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "vigil/ingest/win_event.h"

namespace vigil::bench {

class EventGenerator {
 public:
  // `attacks`: real events mixed in with probability `attack_rate` each (their time and
  // record id are replaced by the stream's; everything else is kept).
  EventGenerator(uint64_t seed, std::vector<ingest::WinEvent> attacks, double attack_rate);

  // Fills `event` with the next event of the stream.
  void Next(ingest::WinEvent& event);

  // Events generated so far by kind ("sysmon-1", "security-4624", "attack", ...).
  const std::map<std::string, uint64_t>& counts() const { return counts_; }

 private:
  void Sysmon(ingest::WinEvent& e, int id);
  void Security(ingest::WinEvent& e, int id);
  void ProcessCreate(ingest::WinEvent& e);
  void NetworkConnect(ingest::WinEvent& e);
  void ImageLoad(ingest::WinEvent& e);
  void ProcessAccess(ingest::WinEvent& e);
  void FileCreate(ingest::WinEvent& e);
  void RegistrySet(ingest::WinEvent& e);
  void DnsQuery(ingest::WinEvent& e);
  void Logon(ingest::WinEvent& e, bool failed);
  void SpecialPrivileges(ingest::WinEvent& e);
  void SecurityProcessCreate(ingest::WinEvent& e);
  void ScriptBlock(ingest::WinEvent& e);

  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  size_t PickProcess();  // index in the process table (detect_data.cpp)
  std::string Guid();
  std::string Hex(size_t digits);
  std::string User(size_t user);  // DOMAIN\name
  std::string Fill(std::string_view pattern, size_t user);

  std::mt19937_64 rng_;
  std::vector<ingest::WinEvent> attacks_;
  double attack_rate_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  std::vector<double> kind_cdf_;
  int64_t now_ticks_;
  uint64_t record_id_ = 1'000'000;
  std::vector<std::string> hosts_;
  std::vector<std::string> users_;
  std::map<std::string, uint64_t> counts_;
};

// Reads every *.json under `dir` (recursively, sorted) as Windows events; missing dir -> none.
std::vector<ingest::WinEvent> LoadAttackEvents(const std::string& dir);

}  // namespace vigil::bench
