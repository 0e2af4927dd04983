#!/usr/bin/env node
'use strict';
/**
 * Builds the addon with node-gyp. Never fails the install: without a compiler or OpenBLAS it
 * prints one line saying so, and the runtime keeps the wasm backend's own kernels. The oneDNN
 * convolutions are built too where oneDNN is installed (libdnnl-dev); without it the OpenBLAS
 * kernels run the convolutions.
 *   CGAN_ONEDNN=0 npm rebuild @cgan/native-kernels   # build without oneDNN
 *   CGAN_NATIVE_KERNELS=0 npm ci        # skip the build
 *   npm rebuild @cgan/native-kernels    # build again (e.g. after apt-get install libopenblas-dev)
 */
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const pkgDir = path.resolve(__dirname, '..');
const logFile = path.join(pkgDir, 'build', 'build.log');
const HOWTO = 'apt-get install -y g++ make python3 libopenblas-dev (and libdnnl-dev for the oneDNN convolutions), then npm rebuild @cgan/native-kernels';

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
  const build = (env) => {
    const r = spawnSync(process.execPath, args, { cwd: pkgDir, encoding: 'utf8', timeout: 600000, env });
    return { r, out: `${r.stdout || ''}${r.stderr || ''}` };
  };
  // binding.gyp adds the oneDNN convolutions only where scripts/have_onednn.js finds oneDNN; should
  // that part fail to build anyway, build again without it rather than lose the OpenBLAS kernels.
  let { r, out } = build(process.env);
  let onednnNote = '';
  if ((r.error || r.status !== 0) && /onednn_kernels/.test(out) && process.env.CGAN_ONEDNN !== '0') {
    const first = build({ ...process.env, CGAN_ONEDNN: '0' });
    if (!first.r.error && first.r.status === 0) onednnNote = 'the oneDNN part failed to build (log: build/build.log)';
    out = `${out}\n--- rebuilt without oneDNN (CGAN_ONEDNN=0) ---\n${first.out}`;
    r = first.r;
  }
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
  const conv = loaded.onednn ? `convolutions: oneDNN ${f.conv.version} (${f.conv.isa}, its own cpu dispatch); ` : `convolutions: OpenBLAS (${onednnNote || `oneDNN ${loaded.onednnReason}`}); `;
  console.log(`@cgan/native-kernels: built (${loaded.addon.blasConfig().trim()}; ${conv}kernels: ${f.library} ${f.core} (${f.isa}), chosen by ${f.chosenBy})`);
}

main();
