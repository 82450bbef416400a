// mv-expand: one output row per element of dynamic array (or property bag) columns.
#include "vigil/kql/exec/operators.h"

namespace vigil::kql {

MvExpandOp::MvExpandOp(PhysOpPtr input, Schema schema, std::vector<int> columns,
                       std::vector<BExprPtr> exprs, std::vector<Type> to_types, bool bag_as_array,
                       int index_column, size_t limit, ExecContext* ctx)
    : columns_(std::move(columns)),
      exprs_(std::move(exprs)),
      to_types_(std::move(to_types)),
      bag_as_array_(bag_as_array),
      index_column_(index_column),
      limit_(limit),
      ctx_(ctx) {
  schema_ = std::move(schema);
  inputs_.push_back(std::move(input));
}

namespace {

Value ConvertTo(const Value& v, Type t) {
  switch (t) {
    case Type::kString:
      return v.is_null() ? Value::String("") : Value::String(v.ToText());
    case Type::kLong:
    case Type::kInt:
      if (v.is_number()) {
        return t == Type::kInt ? Value::Int(static_cast<int64_t>(v.AsReal()))
                               : Value::Long(v.kind() == Kind::kReal
                                                 ? static_cast<int64_t>(v.AsReal())
                                                 : v.AsInt64());
      }
      if (v.is_string()) {
        char* end = nullptr;
        const long long x = std::strtoll(v.AsString().c_str(), &end, 10);
        if (end != v.AsString().c_str() && *end == '\0') {
          return t == Type::kInt ? Value::Int(x) : Value::Long(x);
        }
      }
      return Value();
    case Type::kReal:
    case Type::kDecimal:
      if (v.is_number()) {
        return Value::Real(v.AsReal());
      }
      return Value();
    case Type::kBool:
      if (v.kind() == Kind::kBool) {
        return v;
      }
      return Value();
    default:
      return v;
  }
}

}  // namespace

KResult<bool> MvExpandOp::Next(Chunk& out) {
  out.Reset(schema_.size());
  const size_t in_width = inputs_[0]->schema().size();
  while (out.rows < kChunkRows) {
    if (in_row_ >= in_.rows) {
      if (in_done_) {
        break;
      }
      auto ok = ctx_->Check();
      if (!ok) {
        return ok;
      }
      in_.Reset(in_width);
      auto more = inputs_[0]->Next(in_);
      if (!more) {
        return more;
      }
      in_row_ = 0;
      if (!*more) {
        in_done_ = true;
        break;
      }
    }
    const size_t r = in_row_++;
    std::vector<Array> lists(exprs_.size());
    size_t n = 0;
    for (size_t i = 0; i < exprs_.size(); ++i) {
      Value v = Eval(*exprs_[i], in_, r, ctx_->eval);
      if (v.is_array()) {
        lists[i] = v.AsArray();
      } else if (v.is_bag()) {
        for (const auto& [k, x] : v.AsBag()) {
          if (bag_as_array_) {
            lists[i].push_back(Value::MakeArray({Value::String(k), x}));
          } else {
            lists[i].push_back(Value::MakeBag({{k, x}}));
          }
        }
      } else {
        lists[i].push_back(v);  // scalars expand to themselves (null included)
      }
      n = std::max(n, lists[i].size());
    }
    n = std::min(n, limit_);
    for (size_t k = 0; k < n; ++k) {
      for (size_t c = 0; c < in_width; ++c) {
        out.cols[c].push_back(CellOrNull(in_.cols[c], r));
      }
      for (size_t c = in_width; c < schema_.size(); ++c) {
        out.cols[c].push_back(Value());
      }
      for (size_t i = 0; i < exprs_.size(); ++i) {
        Value v = k < lists[i].size() ? lists[i][k] : Value();
        if (to_types_[i] != Type::kDynamic) {
          v = ConvertTo(v, to_types_[i]);
        }
        out.cols[static_cast<size_t>(columns_[i])].back() = v;
      }
      if (index_column_ >= 0) {
        out.cols[static_cast<size_t>(index_column_)].back() = Value::Long(static_cast<int64_t>(k));
      }
      out.rows++;
    }
  }
  return out.rows > 0;
}

}  // namespace vigil::kql
