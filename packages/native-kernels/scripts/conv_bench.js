#!/usr/bin/env node
'use strict';
/**
 * Per-convolution times of the conv kernels, oneDNN against OpenBLAS (im2col + sgemm), on the
 * shapes a shipped Fashion-MNIST config runs (recorded from `gan train`), rounds alternating the
 * libraries so both see the same machine load. One thread unless THREADS is set.
 *   node packages/native-kernels/scripts/conv_bench.js sndcgan|resnet [rounds]
 *   LIBS=openblas,onednn,onednn-any,onednn-nhwc   which to compare. onednn: what runs by default
 *     (oneDNN where index.js/onednn_kernels.cc choose it, OpenBLAS for the shapes it declines);
 *     onednn-any / onednn-nhwc: every shape in oneDNN, activations in the primitives' own
 *     (blocked, reordered) layout / kept NHWC
 * Prints one line per op and shape: median ms of each library and the ratio to OpenBLAS, then the
 * totals weighted by how often a training step runs each.
 */
const path = require('path');
const m = require(path.join(__dirname, '..', 'index.js'));

// [op, dims, calls per training step] with dims = [n, h, w, ci, kh, kw, co, oh, ow, sh, sw, pt, pl, dh, dw].
const D = (s) => s.split(',').map(Number);
const SHAPES = {
  // sndcgan.gin (ch 32, batch 64; D sees real and fake as one batch of 128)
  sndcgan: [
    ...['128,28,28,1,3,3,32,28,28,1,1,1,1,1,1', '128,28,28,32,4,4,64,14,14,2,2,1,1,1,1', '128,14,14,64,3,3,64,14,14,1,1,1,1,1,1', '128,14,14,64,4,4,128,7,7,2,2,1,1,1,1', '128,7,7,128,3,3,128,7,7,1,1,1,1,1,1', '128,7,7,128,4,4,256,4,4,2,2,1,1,1,1', '128,4,4,256,3,3,256,4,4,1,1,1,1,1,1'].flatMap((s) => [
      ['conv2d', D(s), 2],
      ['conv2dBackpropInput', D(s), 2],
      ['conv2dBackpropFilter', D(s), 2],
    ]),
    // G's transposed convolutions (their forward is a backprop-input) and its last conv
    ...['64,7,7,128,4,4,256,4,4,2,2,1,1,1,1', '64,14,14,64,4,4,128,7,7,2,2,1,1,1,1', '64,28,28,32,4,4,64,14,14,2,2,1,1,1,1', '64,28,28,1,3,3,32,28,28,1,1,1,1,1,1'].flatMap((s) => [
      ['conv2dBackpropInput', D(s), 3],
      ['conv2d', D(s), 1],
      ['conv2dBackpropFilter', D(s), 1],
    ]),
  ],
  // resnet.gin (ch 64, batch 64, disc_iters 2): 3x3 stride-1 convs at 32, 16 and 8 pixels
  resnet: [
    ['conv2d', D('128,32,32,1,3,3,64,32,32,1,1,1,1,1,1'), 7],
    ['conv2dBackpropInput', D('128,32,32,1,3,3,64,32,32,1,1,1,1,1,1'), 6],
    ['conv2dBackpropFilter', D('128,32,32,1,3,3,64,32,32,1,1,1,1,1,1'), 6],
    ...[['128,32,32', 3, 3, 3], ['128,16,16', 10, 9, 9], ['128,8,8', 20, 18, 18], ['64,32,32', 12, 3, 3], ['64,16,16', 12, 3, 3], ['64,8,8', 12, 3, 3]].flatMap(([s, f, i, w]) => {
      const [n, h] = s.split(',');
      const d = D(`${n},${h},${h},64,3,3,64,${h},${h},1,1,1,1,1,1`);
      return [['conv2d', d, f], ['conv2dBackpropInput', d, i], ['conv2dBackpropFilter', d, w]];
    }),
    ['conv2d', D('64,32,32,64,3,3,1,32,32,1,1,1,1,1,1'), 4],
    ['conv2dBackpropInput', D('64,32,32,64,3,3,1,32,32,1,1,1,1,1,1'), 1],
    ['conv2dBackpropFilter', D('64,32,32,64,3,3,1,32,32,1,1,1,1,1,1'), 1],
  ],
};

function rnd(n) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

function args(op, d) {
  const [n, h, w, ci, kh, kw, co, oh, ow] = d;
  const x = n * h * w * ci, f = kh * kw * ci * co, y = n * oh * ow * co;
  if (op === 'conv2d') return [rnd(x), rnd(f), new Float32Array(y)];
  if (op === 'conv2dBackpropInput') return [rnd(y), rnd(f), new Float32Array(x)];
  return [rnd(x), rnd(y), new Float32Array(f)];
}

function main() {
  const which = process.argv[2] || 'sndcgan';
  const rounds = Number(process.argv[3] || 5);
  const shapes = SHAPES[which];
  if (!shapes || !shapes.length) throw new Error(`no shapes for '${which}'; one of ${Object.keys(SHAPES).filter((k) => SHAPES[k].length).join(', ')}`);
  if (!m.available) throw new Error(m.reason);
  if (!m.onednn) throw new Error(`oneDNN: ${m.onednnReason}`);
  const libs = (process.env.LIBS || 'openblas,onednn,onednn-any,onednn-nhwc').split(',');
  const threads = Number(process.env.THREADS || 1);
  m.addon.setThreads(threads);
  const set = (lib) => {
    m.addon.setConvLibrary(lib === 'openblas' ? 'openblas' : 'onednn');
    m.onednn.setLayout(lib === 'onednn-nhwc' ? 'nhwc' : lib === 'onednn-any' ? 'any' : 'auto');
    m.onednn.setShapes(lib === 'onednn' ? 'auto' : 'all');
  };
  const totals = Object.fromEntries(libs.map((l) => [l, 0]));
  console.log(`# ${which}: ${rounds} rounds, ${threads} thread(s), median ms per call; oneDNN ${m.family.conv.version || '-'} (${m.family.conv.isa || '-'}), OpenBLAS ${m.family.core}`);
  for (const [op, d, calls] of shapes) {
    const a = args(op, d);
    const flop = 2 * d[0] * d[7] * d[8] * d[6] * d[4] * d[5] * d[3];
    const t = Object.fromEntries(libs.map((l) => [l, []]));
    for (const l of libs) {
      set(l); // warm-up: primitive creation, buffers
      m.addon[op](...a, d);
    }
    for (let r = 0; r < rounds; r++) {
      for (const l of r % 2 ? [...libs].reverse() : libs) {
        set(l);
        const t0 = process.hrtime.bigint();
        m.addon[op](...a, d);
        t[l].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    const med = (xs) => xs.sort((p, q) => p - q)[Math.floor(xs.length / 2)];
    const ms = Object.fromEntries(libs.map((l) => [l, med(t[l])]));
    for (const l of libs) totals[l] += ms[l] * calls;
    const cols = libs.map((l) => `${l} ${ms[l].toFixed(1)} ms (${(flop / ms[l] / 1e6).toFixed(1)} GFLOP/s)${l === libs[0] ? '' : ` x${(ms[l] / ms[libs[0]]).toFixed(2)}`}`);
    console.log(`${op.padEnd(20)} ${d.slice(0, 11).join(',').padEnd(34)} x${calls}  ${cols.join('  ')}`);
  }
  console.log(`# per step (weighted by calls): ${libs.map((l) => `${l} ${totals[l].toFixed(0)} ms${l === libs[0] ? '' : ` x${(totals[l] / totals[libs[0]]).toFixed(2)}`}`).join('  ')}`);
  const prims = m.onednn.primitives().filter((p) => p.impl);
  console.log(`# oneDNN implementations: ${[...new Set(prims.map((p) => `${p.op} ${p.impl}`))].sort().join('; ')}`);
}

main();
