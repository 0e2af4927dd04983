'use strict';
/**
 * The native kernels, if they were built (see scripts/install.js). Never throws:
 * `available` is false and `reason` says why when the addon is missing or does not load.
 */
const path = require('path');

let addon = null;
let reason = '';
if (process.env.CGAN_NATIVE_KERNELS === '0') {
  reason = 'disabled by CGAN_NATIVE_KERNELS=0';
} else {
  try {
    addon = require(path.join(__dirname, 'build', 'Release', 'native_kernels.node'));
  } catch (e) {
    const first = String((e && e.message) || e).split('\n')[0];
    reason = e && e.code === 'MODULE_NOT_FOUND'
      ? 'the addon is not built (it needs g++, make and libopenblas-dev: apt-get install -y libopenblas-dev, then npm rebuild @cgan/native-kernels)'
      : `the addon failed to load: ${first}`;
  }
}

module.exports = { available: addon !== null, reason, addon };
