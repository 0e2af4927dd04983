#!/usr/bin/env node
'use strict';
/**
 * Builds the addon with node-gyp. Never fails the install: without a compiler or OpenBLAS it
 * prints one line saying so, and the runtime keeps the wasm backend's own kernels.
 *   CGAN_NATIVE_KERNELS=0 npm ci        # skip the build
 *   npm rebuild @cgan/native-kernels    # build again (e.g. after apt-get install libopenblas-dev)
 */
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const pkgDir = path.resolve(__dirname, '..');
const logFile = path.join(pkgDir, 'build', 'build.log');
const HOWTO = 'apt-get install -y g++ make python3 libopenblas-dev, then npm rebuild @cgan/native-kernels';

function notice(reason) {
  console.log(`@cgan/native-kernels: not built (${reason}); the wasm backend keeps its own kernels. To enable: ${HOWTO}.`);
  process.exit(0);
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    /* not installed locally */
  }
  return candidates.find((c) => c && fs.existsSync(c));
}

function main() {
  if (process.env.CGAN_NATIVE_KERNELS === '0') notice('CGAN_NATIVE_KERNELS=0');
  const gyp = findNodeGyp();
  if (!gyp) notice('node-gyp was not found');
  const args = [gyp, 'rebuild'];
  // Build against the headers installed with this Node (no download: machines may be offline).
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const r = spawnSync(process.execPath, args, { cwd: pkgDir, encoding: 'utf8', timeout: 300000 });
  const out = `${r.stdout || ''}${r.stderr || ''}`;
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, out);
  if (r.error || r.status !== 0) {
    const hint = /cblas\.h|lopenblas/.test(out) ? 'OpenBLAS headers/library missing' : /g\+\+|c\+\+|make: not found|No such file or directory.*make/.test(out) ? 'no C++ compiler or make' : r.error ? r.error.message : `node-gyp exited with ${r.status}`;
    notice(`${hint}; log: ${path.relative(process.cwd(), logFile)}`);
  }
  // Load it once here, so a library that links but cannot load is reported at install time.
  const loaded = require(path.join(pkgDir, 'index.js'));
  if (!loaded.available) notice(`built, but it does not load: ${loaded.reason}`);
  const f = loaded.family;
  console.log(`@cgan/native-kernels: built (${loaded.addon.blasConfig().trim()}; kernels: ${f.library} ${f.core} (${f.isa}), chosen by ${f.chosenBy})`);
}

main();
