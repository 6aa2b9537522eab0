// A parallel for over [0, n) for the engine's own kernels (not BLAS): contiguous ranges, one
// per thread, on FF_KERNEL_THREADS threads (default: the online CPUs, at most 8). Threads are
// started per call (tens of microseconds), so callers give a grain that keeps small work on
// the calling thread. The kernels that use it write disjoint outputs and sum each output in
// the same order whatever the split, so results never depend on the thread count.
#ifndef FF_PARALLEL_H
#define FF_PARALLEL_H

#include <stddef.h>

typedef void (*ff_range_fn)(void *ctx, size_t lo, size_t hi);

// fn(ctx, lo, hi) over [0, n) in ranges of at least `grain`; the caller's thread takes the
// first range. A thread that cannot be started has its range run on the caller's thread.
void ff_parallel_for(size_t n, size_t grain, ff_range_fn fn, void *ctx);

#endif
