#include "vigil/base/allocator.h"

#include <malloc.h>

namespace vigil {

void TuneAllocator() {
  // No fast bins (small blocks still go through the per-thread cache), no mmap for buffers
  // below 32 MiB, and keep up to 256 MiB of freed memory instead of returning it at once.
  mallopt(M_MXFAST, 0);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace vigil
