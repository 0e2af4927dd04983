#!/usr/bin/env node
'use strict';
// chevrotain (the Gin parser) is an ES module loaded with require(); some Node 20.x/22.x releases
// flag that as an ExperimentalWarning on stderr. It is expected here: hide that one warning only.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0] && rest[0].type;
  const name = type || (warning && warning.name);
  const text = String(warning && warning.message !== undefined ? warning.message : warning);
  if (name === 'ExperimentalWarning' && /ES Module|require\(\) of ES|require\(esm\)/i.test(text)) return;
  return emitWarning.call(process, warning, ...rest);
};
// chevrotain's package entry is ~300 small ES modules (lodash-es) that take ~0.6 s to load one by
// one; the same release ships them bundled in one file that loads in ~30 ms. Resolve the bare
// name 'chevrotain' to that bundle (same version, same exports) so that `gan config` starts fast.
const Module = require('module');
const resolveFilename = Module._resolveFilename;
let chevrotainBundle;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'chevrotain') {
    if (chevrotainBundle === undefined) {
      const entry = resolveFilename.call(this, request, ...rest);
      const bundle = require('path').join(entry, '..', '..', 'chevrotain.mjs');
      chevrotainBundle = require('fs').existsSync(bundle) ? bundle : entry;
    }
    return chevrotainBundle;
  }
  return resolveFilename.call(this, request, ...rest);
};
// Node 22.1+ can keep compiled code between runs (a no-op on older releases).
if (typeof Module.enableCompileCache === 'function') Module.enableCompileCache();
// dist/cli.js, not the package's index: the library API there loads TensorFlow.js.
require('../dist/cli.js')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    const detail = process.env.GAN_DEBUG && err && err.stack ? err.stack : `${err && err.message ? err.message : err} (GAN_DEBUG=1 shows the stack trace)`;
    process.stderr.write(`gan: internal error (please report it): ${detail}\n`);
    process.exitCode = 1;
  });
