#!/usr/bin/env node
'use strict';
// ./gan (the launcher) started Node without NODE_EXTRA_CA_CERTS for a command that opens no TLS
// connection: put it back, for child processes.
if (process.env.GAN_NODE_EXTRA_CA_CERTS !== undefined) {
  if (process.env.NODE_EXTRA_CA_CERTS === undefined) process.env.NODE_EXTRA_CA_CERTS = process.env.GAN_NODE_EXTRA_CA_CERTS;
  delete process.env.GAN_NODE_EXTRA_CA_CERTS;
}
// chevrotain (the Gin parser) is an ES module; @cgan/config-lang runs its bundle as a script (see
// packages/config-lang/src/syntax/chevrotain.ts) but falls back to require() of the ES module, which
// some Node 20.x/22.x releases flag as an ExperimentalWarning on stderr: hide that one warning only.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0] && rest[0].type;
  const name = type || (warning && warning.name);
  const text = String(warning && warning.message !== undefined ? warning.message : warning);
  if (name === 'ExperimentalWarning' && /ES Module|require\(\) of ES|require\(esm\)/i.test(text)) return;
  return emitWarning.call(process, warning, ...rest);
};
// commander loads child_process (~5 ms) for executable subcommands, which gan does not have:
// hand it a stand-in that loads the real module on first use.
const Module = require('module');
const load = Module._load;
let childProcess;
Module._load = function (request, parent, ...rest) {
  if ((request === 'node:child_process' || request === 'child_process') && parent && /[\\/]node_modules[\\/]commander[\\/]/.test(parent.filename)) {
    return (childProcess ??= new Proxy({}, { get: (_, key) => require('child_process')[key] }));
  }
  return load.call(this, request, parent, ...rest);
};
// Keep the compiled code of this project's modules between runs (see ./compile_cache.js).
const path = require('path');
require('./compile_cache').install(path.join(__dirname, '..', 'dist', 'compile-cache'), path.resolve(__dirname, '..', '..') + path.sep);
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
