// ScanAggregateOp: `T | where <pushed filters> | summarize <aggs> by <keys>` fused into the scan.
// Each scan shard aggregates the decoded column batches on its own thread, without turning rows
// into Values: string keys are interned once per distinct dictionary value, dcount hashes once
// per distinct value, count() is a counter. The shards' groups are merged at the end. Chosen by
// the planner only where every key and aggregate has a fused form (MakeScanAggregate);
// otherwise SummarizeOp runs over the scan's chunks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vigil/kql/exec/operators.h"
#include "vigil/kql/exec/scan_op.h"

namespace vigil::kql {

// `input` is the summarize's input; returns nullptr (input untouched) unless it is an unstarted
// ScanOp and every key and aggregate can be fused. Keys: a column, or an expression over
// integer-backed/real columns with an integer-backed result (bin(Timestamp, 1h)). Aggregates:
// count(), dcount(column[, accuracy]), or any aggregate whose arguments are columns and
// constants.
std::unique_ptr<PhysOp> MakeScanAggregate(PhysOpPtr& input, const Schema& schema,
                                          const std::vector<BExprPtr>& keys,
                                          const std::vector<AggSpec>& aggs,
                                          const std::string& label, ExecContext* ctx);

}  // namespace vigil::kql
