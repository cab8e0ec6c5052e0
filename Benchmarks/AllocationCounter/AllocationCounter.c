// The malloc family, counted: each wrapper bumps a process-wide atomic counter and calls glibc's own
// implementation (__libc_malloc and friends, exported by glibc for exactly this). Defined in the
// executable, these symbols come first in the dynamic linker's search order, so every allocation in
// the process goes through them: the Swift runtime's, libopus's, libsrtp2's and NSS's alike.
// malloc_usable_size and the rest are left to glibc: the memory is glibc's.
//
// Linux/glibc only; elsewhere the file compiles to the counters alone (which then stay at zero).
#include "AllocationCounter.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

static uint64_t allocations;
static uint64_t frees;

static inline void countAllocation(void) { __atomic_fetch_add(&allocations, 1, __ATOMIC_RELAXED); }

uint64_t dialgate_allocation_count(void) { return __atomic_load_n(&allocations, __ATOMIC_RELAXED); }

uint64_t dialgate_free_count(void) { return __atomic_load_n(&frees, __ATOMIC_RELAXED); }

#if defined(__linux__) && defined(__GLIBC__)

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);
extern void __libc_free(void *pointer);

#define EXPORTED __attribute__((visibility("default"), used))

EXPORTED void *malloc(size_t size) {
    countAllocation();
    return __libc_malloc(size);
}

EXPORTED void *calloc(size_t count, size_t size) {
    countAllocation();
    return __libc_calloc(count, size);
}

EXPORTED void *realloc(void *pointer, size_t size) {
    countAllocation();
    return __libc_realloc(pointer, size);
}

EXPORTED void *reallocarray(void *pointer, size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        countAllocation();
        errno = ENOMEM;
        return NULL;
    }
    return realloc(pointer, total);
}

EXPORTED void free(void *pointer) {
    if (pointer != NULL) __atomic_fetch_add(&frees, 1, __ATOMIC_RELAXED);
    __libc_free(pointer);
}

EXPORTED void *memalign(size_t alignment, size_t size) {
    countAllocation();
    return __libc_memalign(alignment, size);
}

EXPORTED void *aligned_alloc(size_t alignment, size_t size) {
    countAllocation();
    return __libc_memalign(alignment, size);
}

EXPORTED int posix_memalign(void **result, size_t alignment, size_t size) {
    countAllocation();
    // POSIX: a power of two and a multiple of sizeof(void *), else EINVAL (glibc checks the same).
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) return EINVAL;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}

EXPORTED void *valloc(size_t size) {
    countAllocation();
    return __libc_valloc(size);
}

EXPORTED void *pvalloc(size_t size) {
    countAllocation();
    return __libc_pvalloc(size);
}

#endif
