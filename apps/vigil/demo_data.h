// Generates Vigil's demo data set: a small company's Windows telemetry over three days with one
// attack story in it (phishing document -> PowerShell download -> persistence -> LSASS dump ->
// lateral movement to the domain controller -> new admin account -> log cleared), written as the
// wire formats real forwarders produce (Sysmon JSON lines, Windows event XML, a device inventory
// CSV). Deterministic for a given end time and seed. Used by `vigil demo` and tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "vigil/base/status.h"

namespace vigil::app {

struct DemoFiles {
  std::filesystem::path sysmon_jsonl;   // Windows events, flat forwarder JSON lines
  std::filesystem::path security_xml;   // Windows Security events, event XML
  std::filesystem::path inventory_csv;  // DeviceInfo rows, table-shaped CSV
  uint64_t events = 0;
};

// Writes the demo files into `dir`; the story ends at `end_ticks` (datetime ticks).
Result<DemoFiles> WriteDemoData(const std::filesystem::path& dir, int64_t end_ticks,
                                uint64_t seed = 42);

}  // namespace vigil::app
