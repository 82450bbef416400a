// DraftForHit: turns one IndicatorSet hit into the AlertDraft the alert pipeline receives
// (Defender's "customTi" alerts: the indicator's title, severity, category and techniques).
// Used by the detection pipeline after IndicatorSet::MatchBatch. Pure function; thread-safe.
#pragma once

#include <cstdint>

#include "vigil/detect/alert.h"
#include "vigil/detect/ioc/indicator.h"
#include "vigil/schema/table_batch.h"

namespace vigil::detect::ioc {

// The draft carries the matched entity only (File for hashes and certificates, Ip, Url); the
// pipeline adds the row's other entities (EvidenceFromRow). `row` and `column` come from an
// IndicatorHit of `batch`; out-of-range values give a draft without evidence.
AlertDraft DraftForHit(const Indicator& indicator, const schema::TableBatch& batch, uint32_t row,
                       int column);

}  // namespace vigil::detect::ioc
