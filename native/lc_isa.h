// One instruction set's locally-connected tiles (native/lc_isa.c), behind function pointers
// chosen once per call by lc_select_isa.
#ifndef FF_LC_ISA_H
#define FF_LC_ISA_H

#include <stddef.h>

#include "lc_kernels.h"

// Floats of zeros after every padded case map, so vector loads that run past a map row's
// end (lanes beyond W, discarded) stay inside the buffer.
#define LC_SLACK 16

typedef struct {
  const char *name;  // "avx512", "avx2" or "scalar"
  size_t vl;         // floats per vector
  size_t row_chunk;  // cases per forward chunk: a multiple of fwd_rows
  size_t fwd_rows;   // cases per forward (and input-gradient) tile (a chunk's cases are rounded up to a multiple)
  // acc (case × Co × H × Wv) = LC outputs of nr cases of the padded chunk (nr: a multiple of
  // the tile's rows; cases past the real ones are computed and ignored).
  void (*forward_chunk)(const lc_geom *g, size_t nr, const float *xpad, const float *w, float *acc);
  // acc (case × Ci × H × Wv) = input gradients of nr cases of the padded gradient chunk (nr: a
  // multiple of fwd_rows), from weights padded with r zero columns per row.
  void (*input_grad_chunk)(const lc_geom *g, size_t nr, const float *dzpad, const float *wpad, float *acc);
  // part += map row py's weight gradients from nr cases (see lc_tiles.h).
  void (*weight_grad_row)(const lc_geom *g, size_t py, size_t nr, const float *dz, size_t dzs,
                          const float *xpad, float *part);
} lc_isa;

// FF_LC_ISA if set and supported, else the widest the CPU supports.
const lc_isa *lc_select_isa(void);

#endif
