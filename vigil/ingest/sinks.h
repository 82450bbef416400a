// Callback types that connect readers to what consumes their output: WinEvents go to the
// normalizer; table-shaped rows go straight to a TableBatch consumer (the store or a test).
// A sink runs on the reader's thread.
#pragma once

#include <functional>

#include "vigil/ingest/win_event.h"
#include "vigil/schema/table_batch.h"

namespace vigil::ingest {

// Receives each event; the reference is valid only during the call (readers reuse it).
using WinEventSink = std::function<void(const WinEvent& event)>;
// Receives a full (or final) batch. The reader clears the batch after the call returns, so a
// sink that keeps the rows must copy or swap them out.
using BatchSink = std::function<void(schema::TableBatch& batch)>;

// Rows per batch that readers and the normalizer aim for before calling a BatchSink.
inline constexpr size_t kDefaultBatchRows = 8192;

}  // namespace vigil::ingest
