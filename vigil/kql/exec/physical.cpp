#include "vigil/kql/exec/physical.h"

#include <algorithm>

namespace vigil::kql {

ExecContext::ExecContext(QueryLimits l, int64_t now_ticks) : limits(l) {
  eval.fn.now_ticks = now_ticks;
  eval.fn.regex = &regex_;
  eval.fn.warnings = &warnings;
  deadline_ = std::chrono::steady_clock::now() + limits.timeout;
}

KResult<bool> ExecContext::Charge(size_t bytes) {
  used_ += bytes;
  stats.peak_memory_bytes = std::max<uint64_t>(stats.peak_memory_bytes, used_);
  if (used_ > limits.memory_budget_bytes) {
    return KErr("KQL0902", "query exceeded its memory budget of " +
                               std::to_string(limits.memory_budget_bytes >> 20) +
                               " MiB; narrow the time range or filter earlier");
  }
  return true;
}

KResult<bool> ExecContext::Check() {
  if (limits.cancel != nullptr && limits.cancel->load(std::memory_order_relaxed)) {
    return KErr("KQL0904", "query cancelled");
  }
  if ((++check_counter_ & 15) == 0 && std::chrono::steady_clock::now() > deadline_) {
    return KErr("KQL0903", "query exceeded its time limit of " +
                               std::to_string(limits.timeout.count() / 1000) + " s");
  }
  return true;
}

void ExecContext::Warn(std::string message) {
  if (std::find(warnings.begin(), warnings.end(), message) == warnings.end()) {
    warnings.push_back(std::move(message));
  }
}

namespace {
size_t ApproxBytes(const Value& v) {
  switch (v.kind()) {
    case Kind::kString:
    case Kind::kGuid:
      return sizeof(Value) + v.AsString().size() + 32;
    case Kind::kArray:
    case Kind::kBag:
      return sizeof(Value) + 64 * (v.AsArray().size() + v.AsBag().size() + 1);
    default:
      return sizeof(Value);
  }
}
}  // namespace

KResult<TablePtr> Collect(PhysOp& op, ExecContext& ctx) {
  auto table = std::make_shared<Table>();
  table->Reset(op.schema());
  Chunk chunk;
  while (true) {
    chunk.Reset(op.schema().size());
    auto more = op.Next(chunk);
    if (!more) {
      return tl::unexpected(more.error());
    }
    if (!*more) {
      break;
    }
    size_t bytes = 0;
    for (const auto& col : chunk.cols) {
      for (size_t r = 0; r < chunk.rows && r < col.size(); ++r) {
        bytes += ApproxBytes(col[r]);
      }
    }
    auto charged = ctx.Charge(bytes);
    if (!charged) {
      return tl::unexpected(charged.error());
    }
    table->Append(chunk);
  }
  return TablePtr(std::move(table));
}

namespace {
void ExplainInto(const PhysOp& op, int depth, std::string& out) {
  out.append(static_cast<size_t>(depth) * 2, ' ');
  out += op.Describe();
  out += '\n';
  for (const auto& child : op.inputs()) {
    ExplainInto(*child, depth + 1, out);
  }
}
}  // namespace

std::string ExplainTree(const PhysOp& op) {
  std::string out;
  ExplainInto(op, 0, out);
  if (!out.empty() && out.back() == '\n') {
    out.pop_back();
  }
  return out;
}

}  // namespace vigil::kql
