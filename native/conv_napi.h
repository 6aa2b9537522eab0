// Node-API entry points of the convolution kernels (native/conv_napi.c), registered by the
// module table in native/ff_native.c.
#ifndef FF_CONV_NAPI_H
#define FF_CONV_NAPI_H

#include "napi_args.h"

napi_value ff_im2col(napi_env env, napi_callback_info info);
napi_value ff_col2im(napi_env env, napi_callback_info info);
napi_value ff_max_pool_forward(napi_env env, napi_callback_info info);
napi_value ff_max_pool_backward(napi_env env, napi_callback_info info);
napi_value ff_avg_pool_forward(napi_env env, napi_callback_info info);
napi_value ff_avg_pool_backward(napi_env env, napi_callback_info info);
napi_value ff_group_norm_forward(napi_env env, napi_callback_info info);
napi_value ff_group_norm_backward(napi_env env, napi_callback_info info);
napi_value ff_transpose_rows(napi_env env, napi_callback_info info);

#endif
