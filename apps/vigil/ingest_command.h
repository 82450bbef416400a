// `vigil ingest` and the helpers `vigil demo` shares with it.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "apps/vigil/commands.h"
#include "apps/vigil/ingest_detection.h"
#include "vigil/base/status.h"
#include "vigil/ingest/ingest_report.h"
#include "vigil/store/store.h"

namespace vigil::app {

struct IngestArgs {
  std::string format = "auto";
  std::string table;
  std::vector<std::string> paths;
  DetectionArgs detection;
  // After detection: correlate new alerts into incidents and investigate them
  // (incident_response.h). `vigil demo` turns it off and does it once at the end.
  bool respond = true;
};

Result<std::unique_ptr<store::Store>> OpenStore(const GlobalOptions& global);
int RunIngest(const GlobalOptions& global, const IngestArgs& args);
void PrintIngestSummary(const ingest::IngestReport& report, double seconds, std::FILE* out,
                        bool verbose);

}  // namespace vigil::app
