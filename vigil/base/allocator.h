// Process-wide malloc tuning for Vigil's programs. The KQL engine and the store allocate many
// small objects (values, dictionary strings) between large block buffers; with glibc's defaults
// every large allocation first consolidates the fast bins, which costs more than the work
// around it (measured: docs/BENCHMARKS.md, "allocator"). Call once at the start of main().
#pragma once

namespace vigil {

void TuneAllocator();

}  // namespace vigil
