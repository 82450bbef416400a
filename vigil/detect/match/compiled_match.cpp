// CompiledRuleSet::Match and ReadField: the per-row hot path (bucket lookup by ActionType and
// Channel, one Vectorscan scan per prefiltered field, evaluation of the enabled rules).

#include <cctype>

#include "vigil/detect/match/compiled.h"
#include "vigil/detect/match/internal/compiled_types.h"

namespace vigil::detect::match {
namespace {

using internal::Bucket;
using internal::TableMatcher;
using internal::ThreadState;

struct ScanContext {
  ThreadState* state;
};

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long /*to*/,
            unsigned int /*flags*/, void* context) {
  ThreadState& state = *static_cast<ScanContext*>(context)->state;
  if (state.atom_hit[id] == 0) {
    state.atom_hit[id] = 1;
    state.atoms_set.push_back(id);
  }
  return 0;
}

void RunBucket(const TableMatcher& table, const Bucket& bucket, ThreadState& state, uint32_t row,
               std::vector<RuleHit>& out) {
  RowReader& reader = state.reader;
  state.atoms_set.clear();
  ScanContext context{&state};
  for (const auto& database : bucket.databases) {
    const FieldValue& value = reader.Get(database.accessor);
    if (!value.present() || value.text.empty()) {
      continue;
    }
    hs_scan(database.db, value.text.data(), static_cast<unsigned>(value.text.size()), 0,
            state.hs_scratch, OnMatch, &context);
  }
  if (!bucket.event_id_atoms.empty()) {
    if (auto id = reader.EventId()) {
      auto it = bucket.event_id_atoms.find(*id);
      if (it != bucket.event_id_atoms.end() && state.atom_hit[it->second] == 0) {
        state.atom_hit[it->second] = 1;
        state.atoms_set.push_back(it->second);
      }
    }
  }
  ++state.stamp;
  state.candidates.clear();
  for (uint32_t atom : state.atoms_set) {
    state.atom_hit[atom] = 0;
    if (atom >= bucket.atom_rules.size()) {
      continue;
    }
    for (uint32_t rule : bucket.atom_rules[atom]) {
      if (state.rule_stamp[rule] != state.stamp) {
        state.rule_stamp[rule] = state.stamp;
        state.candidates.push_back(rule);
      }
    }
  }
  for (uint32_t rule : bucket.always) {
    if (internal::EvaluateRule(table.rules[rule], reader, state.fold)) {
      out.push_back({table.rules[rule].rule, row});
    }
  }
  for (uint32_t rule : state.candidates) {
    if (internal::EvaluateRule(table.rules[rule], reader, state.fold)) {
      out.push_back({table.rules[rule].rule, row});
    }
  }
}

const TableMatcher* FindTable(const std::vector<std::unique_ptr<TableMatcher>>& tables,
                              const schema::TableSchema& schema) {
  for (const auto& table : tables) {
    if (table->schema == &schema || table->schema->name() == schema.name()) {
      return table.get();
    }
  }
  return nullptr;
}

}  // namespace

void CompiledRuleSet::Match(const schema::TableBatch& batch, MatchScratch& scratch,
                            std::vector<RuleHit>& out) const {
  const TableMatcher* table = FindTable(tables_, batch.schema());
  if (table == nullptr || batch.empty()) {
    return;
  }
  ThreadState& state = *scratch.state_;
  if (state.build_id != build_id_) {
    if (state.hs_scratch != nullptr) {
      hs_free_scratch(state.hs_scratch);
      state.hs_scratch = nullptr;
    }
    for (const auto& t : tables_) {
      for (const auto& bucket : t->buckets) {
        for (const auto& database : bucket.databases) {
          hs_alloc_scratch(database.db, &state.hs_scratch);
        }
      }
    }
    state.atom_hit.assign(max_atoms_, 0);
    state.rule_stamp.assign(max_rules_, 0);
    state.stamp = 0;
    state.build_id = build_id_;
  }
  if (table->schema != &batch.schema() &&
      table->schema->column_count() != batch.schema().column_count()) {
    return;  // same name, different layout: column indexes would not apply
  }
  const auto& action_data =
      table->action_col >= 0 ? &batch.column(static_cast<size_t>(table->action_col)) : nullptr;
  std::string& key = state.key;
  for (size_t row = 0; row < batch.rows(); ++row) {
    state.reader.Reset(batch, row, &table->accessors);
    std::string_view action;
    if (table->action_buckets && action_data != nullptr && !action_data->IsNull(row)) {
      action = action_data->GetBytes(row);
    }
    std::string_view channel;
    if (table->channel_buckets) {
      channel = state.reader.Channel();
    }
    const auto row32 = static_cast<uint32_t>(row);
    for (int combo = 0; combo < 4; ++combo) {
      const bool use_action = (combo & 1) != 0;
      const bool use_channel = (combo & 2) != 0;
      if ((use_action && action.empty()) || (use_channel && channel.empty())) {
        continue;
      }
      key.clear();
      if (use_action) {
        key.append(action);
      }
      key.push_back('\x1f');
      if (use_channel) {
        for (char c : channel) {
          key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
      }
      auto it = table->bucket_index.find(key);
      if (it != table->bucket_index.end()) {
        RunBucket(*table, table->buckets[it->second], state, row32, out);
      }
    }
  }
}

std::optional<std::string> CompiledRuleSet::ReadField(const schema::TableBatch& batch, size_t row,
                                                      uint32_t rule,
                                                      std::string_view sigma_field) const {
  const TableMatcher* table = FindTable(tables_, batch.schema());
  if (table == nullptr || row >= batch.rows()) {
    return std::nullopt;
  }
  auto it = table->by_rule.find(rule);
  if (it == table->by_rule.end() || it->second.empty()) {
    return std::nullopt;
  }
  auto accessor =
      ResolveField(batch.schema(), table->rules[it->second.front()].context, sigma_field);
  if (!accessor.ok()) {
    return std::nullopt;
  }
  RowReader reader;
  reader.Reset(batch, row, nullptr);
  std::string buffer;
  FieldValue value = reader.Read(*accessor, buffer);
  if (!value.present()) {
    return std::nullopt;
  }
  return std::string(value.text);
}

}  // namespace vigil::detect::match
