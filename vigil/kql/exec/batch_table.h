// TableFromBatch: an ingest batch (schema::TableBatch, JSON text for dynamic columns) as a KQL
// in-memory Table, so a query can run over rows that are not stored yet (near-real-time custom
// detections run on each ingested batch this way). Pure function; thread-safe.
#pragma once

#include "vigil/kql/exec/relation.h"
#include "vigil/schema/table_batch.h"

namespace vigil::kql {

// Converts every row and column. A dynamic cell whose JSON text does not parse becomes the
// string itself (as `todynamic` does with text that is not JSON).
TablePtr TableFromBatch(const schema::TableBatch& batch);

}  // namespace vigil::kql
