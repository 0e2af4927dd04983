#!/usr/bin/env node
'use strict';
/**
 * One DCGAN training step (D then G, batch 64, 32x32x3) on the active tfjs backend, against the
 * same step in PyTorch (../shared/bench/torch_dcgan_step.py) when Debian's python3-torch is there.
 *
 *   node bench/dcgan_step.bench.js            # wasm (with the runtime's training kernels)
 *   BACKEND=cpu node bench/dcgan_step.bench.js
 *   STEPS=5 ROUNDS=3 BATCH=64 TORCH_SCRIPT=path node bench/dcgan_step.bench.js
 *   KERNELS=shipped  # wasm with tfjs's own kernels (+ our Conv2DBackpropFilter, which wasm lacks)
 *
 * Rounds alternate tfjs and PyTorch so both see the same machine load; each reports the median
 * ms/step of its steps, and the summary gives the median over rounds of each and of the ratio.
 */
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
// Run the TypeScript sources directly (no build step): @cgan/* -> packages/*/src, .ts via SWC.
(function tsHook() {
  const Module = require('module');
  const swc = require('@swc/core');
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (req, parent, ...rest) {
    const m = /^@cgan\/(config-lang|models|runner)$/.exec(req);
    return resolve.call(this, m ? path.join(root, 'packages', m[1], 'src', 'index.ts') : req, parent, ...rest);
  };
  Module._extensions['.ts'] = function (module, filename) {
    const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
      filename,
      jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    module._compile(code, filename);
  };
})();

const tf = require('@tensorflow/tfjs-core');
const { buildDcganStep } = require('./dcgan_net');

const env = process.env;
const BACKEND = env.BACKEND || 'wasm';
const STEPS = +(env.STEPS || 5);
const ROUNDS = +(env.ROUNDS || 3);
const BATCH = +(env.BATCH || 64);
const TORCH_SCRIPT = env.TORCH_SCRIPT || path.resolve(root, '..', 'shared', 'bench', 'torch_dcgan_step.py');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function setup() {
  // The runtime module lives in packages/models/src/runtime; import it alone (fast to load).
  const runtime = require(path.join(root, 'packages/models/src/runtime/index.ts'));
  const sel = await runtime.useBackend(BACKEND);
  if (BACKEND === 'wasm' && env.KERNELS === 'shipped') {
    // The baseline: every kernel as tfjs-wasm ships it. Conv2DBackpropFilter stays ours: wasm
    // ships none, so without it the step cannot run at all.
    const restored = runtime.wasmKernelNames.filter((k) => runtime.useShippedWasmKernel(k));
    console.log(`KERNELS=shipped: tfjs-wasm's own ${restored.join(', ')}`);
  }
  return sel;
}

function torchAvailable() {
  if (!fs.existsSync(TORCH_SCRIPT)) return `no ${TORCH_SCRIPT}`;
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'python3-torch is not installed (apt-get install -y python3-torch)';
}

function torchRound() {
  const r = spawnSync('/usr/bin/python3', [TORCH_SCRIPT, '--batch', String(BATCH), '--steps', String(STEPS), '--threads', '1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()).ms_per_step;
}

async function main() {
  const sel = await setup();
  const threads = BACKEND === 'wasm' ? require('@tensorflow/tfjs-backend-wasm').getThreadsCount?.() ?? 1 : 1;
  console.log(`tfjs backend: ${sel.chosen} (${tf.getBackend()}, threads: ${threads}), batch ${BATCH}, ${STEPS} steps x ${ROUNDS} rounds`);
  if (BACKEND === 'wasm') console.log(require(path.join(root, 'packages/models/src/runtime/index.ts')).nativeKernelsStatus());
  const noTorch = torchAvailable();
  if (noTorch) console.log(`PyTorch reference skipped: ${noTorch}`);
  const net = buildDcganStep(tf, { batch: BATCH });
  const [a, b] = net.step(); // warm-up (kernel setup, XNNPACK operator creation)
  a.dispose(); b.dispose();
  const tfjsMs = [], torchMs = [], ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    const times = [];
    for (let i = 0; i < STEPS; i++) {
      const t0 = performance.now();
      const losses = net.step();
      for (const l of losses) { l.dataSync(); l.dispose(); }
      times.push(performance.now() - t0);
    }
    const t = median(times);
    tfjsMs.push(t);
    let line = `round ${r + 1}: tfjs-${sel.chosen} ${t.toFixed(0)} ms/step (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`;
    if (!noTorch) {
      const p = torchRound();
      torchMs.push(p);
      ratios.push(t / p);
      line += `, pytorch ${p.toFixed(0)} ms/step, ratio ${(t / p).toFixed(2)}x`;
    }
    console.log(line);
  }
  const summary = { framework: `tfjs-${sel.chosen}`, batch: BATCH, ms_per_step: +median(tfjsMs).toFixed(1), images_per_s: +((BATCH * 1000) / median(tfjsMs)).toFixed(1) };
  if (torchMs.length) Object.assign(summary, { pytorch_ms_per_step: +median(torchMs).toFixed(1), ratio: +median(ratios).toFixed(2) });
  console.log(JSON.stringify(summary));
  net.dispose();
}

main().catch((e) => {
  console.error(`dcgan_step bench failed: ${e.message}`);
  process.exit(1);
});
