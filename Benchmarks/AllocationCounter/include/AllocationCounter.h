// Counts the process's heap allocations, for MediaBenchmarks (docs/performance.md, "Allocations on
// the per-packet path"). Linked into that executable only: its malloc family interposes glibc's for
// the whole process (Swift runtime, libopus, libsrtp2 and its NSS backend included).
#ifndef DIALGATE_ALLOCATION_COUNTER_H
#define DIALGATE_ALLOCATION_COUNTER_H

#include <stdint.h>

/// Allocations since the process started: every successful or failed call of malloc, calloc,
/// realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc and pvalloc.
uint64_t dialgate_allocation_count(void);

/// Calls of free with a non-null pointer since the process started.
uint64_t dialgate_free_count(void);

#endif
