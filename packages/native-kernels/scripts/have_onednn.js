#!/usr/bin/env node
'use strict';
/**
 * Prints 1 when oneDNN 2.x's headers and library are usable by the C++ compiler (a tiny program that
 * includes <oneapi/dnnl/dnnl.hpp> and links -ldnnl compiles), else 0. binding.gyp builds the
 * oneDNN convolution addon only then; CGAN_ONEDNN=0 forces 0 (builds without it).
 */
const { spawnSync } = require('child_process');
const os = require('os');
const path = require('path');
const fs = require('fs');

function haveOnednn() {
  if (process.env.CGAN_ONEDNN === '0') return false;
  const cxx = process.env.CXX || 'c++';
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cgan-onednn-')), 'probe');
  // src/onednn_kernels.cc uses oneDNN 2.x's operation descriptors (3.x removed them).
  const prog = '#include <oneapi/dnnl/dnnl.hpp>\n#if DNNL_VERSION_MAJOR != 2\n#error oneDNN 2.x needed\n#endif\nint main() { return dnnl_version()->major > 0 ? 0 : 1; }\n';
  try {
    const r = spawnSync(cxx, ['-x', 'c++', '-std=c++17', '-', '-o', out, '-ldnnl'], { input: prog, encoding: 'utf8', timeout: 120000 });
    return !r.error && r.status === 0;
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

process.stdout.write(haveOnednn() ? '1' : '0');
