// Planning of the rarer operators: parse, parse-where, parse-kv, make-series, mv-apply,
// top-nested, search, evaluate (bag_unpack, pivot), externaldata.
#include "vigil/kql/exec/compiler_internal.h"

namespace vigil::kql {

KResult<PhysOpPtr> PlanMoreOperators(Compiler& c, const Operator& op, PhysOpPtr input,
                                     ScopePtr scope) {
  (void)c;
  (void)input;
  (void)scope;
  return KErr("KQL0106", "this operator is not supported yet", op.pos);
}

}  // namespace vigil::kql
