{
  "variables": {
    "have_onednn%": "<!(node scripts/have_onednn.js)"
  },
  "targets": [
    {
      "target_name": "native_kernels",
      "sources": ["src/native_kernels.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-ffp-contract=off", "-fno-trapping-math"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-lopenblas"]
    },
    {
      "target_name": "cpu_features",
      "sources": ["src/cpu_features.cc"],
      "cflags_cc": ["-O2", "-std=c++17"]
    }
  ],
  "conditions": [
    ["have_onednn==1", {
      "targets": [
        {
          "target_name": "onednn_kernels",
          "sources": ["src/onednn_kernels.cc"],
          "cflags_cc": ["-O2", "-std=c++17", "-fexceptions"],
          "cflags_cc!": ["-fno-exceptions"],
          "libraries": ["-ldnnl", "-lgomp"]
        }
      ]
    }]
  ]
}
