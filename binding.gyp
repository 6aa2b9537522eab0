{
  # The optional native engine: a plain-C N-API addon linked against the system CBLAS.
  # Built by scripts/build-native.mjs during install; when this fails (no compiler, no
  # pkg-config, no OpenBLAS) the install still succeeds and the pure-TypeScript engine is used.
  "targets": [
    {
      "target_name": "ff_native",
      "sources": ["native/ff_native.c", "native/lc_napi.c", "native/conv_napi.c", "native/lc_kernels.c", "native/lc_isa.c", "native/parallel.c", "native/noise.c"],
      "defines": ["NAPI_VERSION=8"],
      # -ffp-contract=off: no fused multiply-adds, so the elementwise kernels round exactly
      # like the TypeScript reference (which computes in double and stores float32).
      # -fno-math-errno lets sqrt vectorize (it stays correctly rounded).
      "cflags": ["-O3", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno"],
      "cflags!": ["-O2", "-fopenmp"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["FF_USE_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "xcode_settings": {
            "GCC_OPTIMIZATION_LEVEL": "3",
            "OTHER_CFLAGS": ["-std=gnu11", "-ffp-contract=off", "-fno-math-errno"],
            "MACOSX_DEPLOYMENT_TARGET": "11.0"
          },
          "link_settings": {
            "libraries": ["-framework Accelerate"]
          }
        }, {
          # Linux and other Unixes: OpenBLAS through pkg-config. A missing pkg-config or a
          # missing openblas.pc makes gyp fail here, which is what we want.
          "cflags": ["<!@(pkg-config --cflags openblas)"],
          "link_settings": {
            "libraries": ["<!@(pkg-config --libs openblas)"],
            "ldflags": ["-Wl,-rpath,<!(pkg-config --variable=libdir openblas)"]
          }
        }]
      ]
    }
  ]
}
