// POST /api/ingest?table=<Table>&format=jsonl|windows-json: the HTTP face of IngestService.
// 200 {"accepted","skipped":[{"line","reason"}],"tables"} once the rows are durable; 503 with
// Retry-After when the in-flight bound is reached; 400 for an unknown table or no valid line.
// Open to ingest-role credentials (one per source) and to responders and admins; every call is
// counted per source (IngestSources, GET /api/ingest/sources). Registered by `vigil serve`;
// thread-safe as IngestService.
#pragma once

#include "vigil/api/http_types.h"
#include "vigil/api/ingest/ingest_service.h"
#include "vigil/api/ingest/ingest_sources.h"

namespace vigil::api {

// `service` and `sources` must outlive the router.
void RegisterIngestRoutes(Router& router, IngestService& service, IngestSources& sources);

// The 200 body for an outcome.
std::string IngestOutcomeJson(const IngestOutcome& outcome);

}  // namespace vigil::api
