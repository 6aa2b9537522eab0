// See parallel.h.
#include "parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define FF_MAX_THREADS 8

typedef struct {
  ff_range_fn fn;
  void *ctx;
  size_t lo, hi;
} ff_task;

static void *run_task(void *p) {
  ff_task *t = p;
  t->fn(t->ctx, t->lo, t->hi);
  return NULL;
}

// Read per call, so a process (or a test) can change it between calls.
static size_t kernel_threads(void) {
  const char *env = getenv("FF_KERNEL_THREADS");
  long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  return n > FF_MAX_THREADS ? FF_MAX_THREADS : (size_t)n;
}

void ff_parallel_for(size_t n, size_t grain, ff_range_fn fn, void *ctx) {
  size_t T = kernel_threads();
  if (grain < 1) grain = 1;
  if (T > n / grain) T = n / grain;
  if (T <= 1) {
    fn(ctx, 0, n);
    return;
  }
  pthread_t th[FF_MAX_THREADS];
  ff_task task[FF_MAX_THREADS];
  int started[FF_MAX_THREADS] = {0};
  for (size_t t = 1; t < T; t++) {
    task[t] = (ff_task){fn, ctx, n * t / T, n * (t + 1) / T};
    started[t] = pthread_create(&th[t], NULL, run_task, &task[t]) == 0;
  }
  fn(ctx, 0, n / T);
  for (size_t t = 1; t < T; t++) {
    if (started[t])
      pthread_join(th[t], NULL);
    else
      run_task(&task[t]);
  }
}
