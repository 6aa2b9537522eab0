// Node-API entry points of the locally-connected kernels (native/lc_napi.c), registered by the
// module table in native/ff_native.c.
#ifndef FF_LC_NAPI_H
#define FF_LC_NAPI_H

#include "napi_args.h"

napi_value ff_local_forward(napi_env env, napi_callback_info info);
napi_value ff_local_weight_grad(napi_env env, napi_callback_info info);
napi_value ff_local_input_grad(napi_env env, napi_callback_info info);
napi_value ff_local_isa(napi_env env, napi_callback_info info);

#endif
