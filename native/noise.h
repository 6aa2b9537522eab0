// Node-API entry point of the seeded-noise kernel (native/noise.c), registered by the module
// table in native/ff_native.c.
#ifndef FF_NOISE_H
#define FF_NOISE_H

#include "napi_args.h"

napi_value ff_perturb(napi_env env, napi_callback_info info);

#endif
