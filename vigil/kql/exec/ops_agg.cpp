// summarize (hash aggregation) and distinct.
#include <unordered_map>

#include "vigil/kql/exec/operators.h"
#include "vigil/kql/exec/row_key.h"

namespace vigil::kql {

namespace {

using KeyHash = RowKeyHash;
using KeyEq = RowKeyEq<true>;

}  // namespace

SummarizeOp::SummarizeOp(PhysOpPtr input, Schema schema, std::vector<BExprPtr> keys,
                         std::vector<AggSpec> aggs, std::string label, ExecContext* ctx)
    : keys_(std::move(keys)), aggs_(std::move(aggs)), label_(std::move(label)), ctx_(ctx) {
  schema_ = std::move(schema);
  inputs_.push_back(std::move(input));
}

KResult<bool> SummarizeOp::Build() {
  struct Group {
    std::vector<std::unique_ptr<AggregateState>> states;
  };
  std::unordered_map<std::vector<Value>, size_t, KeyHash, KeyEq> index;
  std::vector<std::vector<Value>> group_keys;
  std::vector<Group> groups;
  auto new_group = [&]() {
    Group g;
    for (const auto& a : aggs_) {
      g.states.push_back(a.fn->create());
    }
    groups.push_back(std::move(g));
  };
  if (keys_.empty()) {
    new_group();
    group_keys.emplace_back();
  }
  std::vector<Value> key(keys_.size());
  std::vector<Value> args;
  auto read = ForEachChunk(*inputs_[0], *ctx_, [&](const Chunk& in) -> KResult<bool> {
    for (size_t r = 0; r < in.rows; ++r) {
      size_t g = 0;
      if (!keys_.empty()) {
        for (size_t k = 0; k < keys_.size(); ++k) {
          key[k] = Eval(*keys_[k], in, r, ctx_->eval);
        }
        auto it = index.find(key);
        if (it == index.end()) {
          g = groups.size();
          index.emplace(key, g);
          group_keys.push_back(key);
          new_group();
          size_t bytes = 64 * (keys_.size() + aggs_.size() + 2);
          for (const auto& v : key) {
            bytes += v.AsString().size();
          }
          auto charged = ctx_->Charge(bytes);
          if (!charged) {
            return charged;
          }
        } else {
          g = it->second;
        }
      }
      for (size_t a = 0; a < aggs_.size(); ++a) {
        args.clear();
        for (const auto& e : aggs_[a].args) {
          args.push_back(Eval(*e, in, r, ctx_->eval));
        }
        groups[g].states[a]->Add(args);
      }
    }
    return true;
  });
  if (!read) {
    return read;
  }
  auto out = std::make_shared<Table>();
  out->Reset(schema_);
  for (size_t g = 0; g < groups.size(); ++g) {
    AppendGroupRow(*out, schema_, group_keys[g], aggs_,
                   [&](size_t a, std::vector<Value>& values) {
                     groups[g].states[a]->Finish(values);
                   });
  }
  result_ = std::move(out);
  return true;
}

KResult<bool> SummarizeOp::Next(Chunk& out) {
  if (!built_) {
    built_ = true;
    auto ok = Build();
    if (!ok) {
      return ok;
    }
  }
  return EmitFromTable(*result_, pos_, out);
}

struct DistinctOp::State {
  std::unordered_map<std::vector<Value>, bool, KeyHash, KeyEq> seen;
};

DistinctOp::DistinctOp(PhysOpPtr input, Schema schema, std::vector<BExprPtr> exprs,
                       ExecContext* ctx)
    : exprs_(std::move(exprs)), ctx_(ctx), state_(std::make_shared<State>()) {
  schema_ = std::move(schema);
  inputs_.push_back(std::move(input));
}

std::string DistinctOp::Describe() const {
  std::string out = "Distinct [";
  for (size_t i = 0; i < schema_.size(); ++i) {
    out += (i ? ", " : "") + schema_[i].name;
  }
  return out + "]";
}

KResult<bool> DistinctOp::Next(Chunk& out) {
  out.Reset(schema_.size());
  std::vector<Value> key(exprs_.size());
  while (true) {
    auto ok = ctx_->Check();
    if (!ok) {
      return ok;
    }
    in_.Reset(inputs_[0]->schema().size());
    auto more = inputs_[0]->Next(in_);
    if (!more || !*more) {
      return more;
    }
    for (size_t r = 0; r < in_.rows; ++r) {
      for (size_t k = 0; k < exprs_.size(); ++k) {
        key[k] = CoerceTo(Eval(*exprs_[k], in_, r, ctx_->eval), schema_[k].type);
      }
      if (state_->seen.emplace(key, true).second) {
        size_t bytes = 64 * key.size();
        for (const auto& v : key) {
          bytes += v.AsString().size();
        }
        auto charged = ctx_->Charge(bytes);
        if (!charged) {
          return charged;
        }
        for (size_t k = 0; k < key.size(); ++k) {
          out.cols[k].push_back(key[k]);
        }
        out.rows++;
      }
    }
    if (out.rows > 0) {
      return true;
    }
  }
}

}  // namespace vigil::kql
