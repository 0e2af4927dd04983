/**
 * The fused training batch norm (runtime/kernels/batch_norm.ts on the native addon's batchNorm /
 * batchNormGrad, ops/fused_batch_norm.ts), which the wasm backend runs with the native kernels, against the composite of tfjs ops on the cpu backend (the reference) and on
 * wasm with the kernels unregistered: outputs, moving averages / accumulators, and the gradients of
 * x and of every trainable variable, for batch_norm, conditional_batch_norm (per-sample scale and
 * offset) and self_modulated_batch_norm, rank 4 and rank 2, with and without scale / center; and a
 * second-order gradient (a gradient penalty through a batch-normalized layer).
 */
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { loadNativeKernels, setNativeKernels, useBackend } from '@cgan/models';
import { batch_norm, conditional_batch_norm, opContext, self_modulated_batch_norm, standardize_batch } from '../../../packages/models/src/ops';
import { fusedBatchNormAvailable } from '../../../packages/models/src/ops/fused_batch_norm';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, batchNormWasmConfigs } from '../../../packages/models/src/runtime/kernels/batch_norm';
import { VariableStore } from '../../../packages/models/src/core/variables';
import { Rng } from '../../../packages/models/src/core/rng';
import { maxRelDiff } from './helpers';

afterEach(() => config.clear());

const { addon, reason } = loadNativeKernels();
const native = addon?.batchNorm ? describe : describe.skip;
if (!addon?.batchNorm) console.log(`fused batch norm tests skipped (the composite runs everywhere): ${addon ? 'addon built without batchNorm' : reason}`);

type Norm = 'batch_norm' | 'conditional' | 'self_modulated';
interface Case {
  norm: Norm;
  shape: number[];
  scale?: boolean;
  center?: boolean;
  moving?: boolean;
}

/** One training call and its gradients: [out, moving stats..., dx, d(vars)...] as arrays. */
function run(c: Case): Float32Array[] {
  const store = new VariableStore();
  try {
    config.clear();
    if (c.moving === false) config.bind([], 'standardize_batch', 'use_moving_averages', false);
    config.bind([], 'standardize_batch', 'decay', 0.9);
    const ctx = opContext(store, true, new Rng(5));
    const x = tf.add(tf.mul(tf.randomNormal(c.shape, 0, 1, 'float32', 1), 2), 0.5);
    const b = c.shape[0];
    const y = tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: b }, (_, i) => i % 3), 'int32'), 3), 'float32') as tf.Tensor2D;
    const z = tf.randomNormal([b, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    const call = (inp: tf.Tensor) => {
      const kw = { ctx, inputs: inp, name: 'bn', y, z, scale: c.scale, center: c.center };
      return (c.norm === 'batch_norm' ? batch_norm(kw) : c.norm === 'conditional' ? conditional_batch_norm(kw) : self_modulated_batch_norm(kw)) as tf.Tensor;
    };
    const w = tf.randomNormal(c.shape, 0, 1, 'float32', 3);
    const out = tf.tidy(() => call(x));
    const stats = [...store.all().entries()].filter(([, v]) => !v.trainable).map(([, v]) => Float32Array.from(v.dataSync()));
    const vars = [...store.all().values()].filter((v) => v.trainable);
    const loss = (inp: tf.Tensor) => tf.sum(tf.mul(call(inp), w)) as tf.Scalar;
    const dx = tf.grad(loss)(x);
    const grads = vars.length ? tf.variableGrads(() => loss(x), vars).grads : {};
    const res = [out, dx, ...vars.map((v) => grads[v.name])].map((t) => Float32Array.from(t.dataSync()));
    tf.dispose([x, y, z, w, out, dx, ...Object.values(grads)]);
    return [res[0], ...stats, ...res.slice(1)];
  } finally {
    store.dispose();
    config.clear();
  }
}

const CASES: Case[] = [
  { norm: 'batch_norm', shape: [4, 5, 3, 6] },
  { norm: 'batch_norm', shape: [6, 7], moving: false },
  { norm: 'batch_norm', shape: [3, 4, 4, 5], scale: false },
  { norm: 'batch_norm', shape: [3, 4, 4, 5], center: false },
  { norm: 'batch_norm', shape: [3, 2, 2, 5], scale: false, center: false },
  { norm: 'conditional', shape: [6, 3, 4, 5] },
  { norm: 'conditional', shape: [6, 8] },
  { norm: 'self_modulated', shape: [4, 3, 3, 6] },
];

async function onWasm(fused: boolean, fn: () => Float32Array[]): Promise<Float32Array[]> {
  await useBackend('wasm');
  if (!fused) for (const k of batchNormWasmConfigs) tf.unregisterKernel(k.kernelName, 'wasm');
  try {
    expect(fusedBatchNormAvailable()).toBe(fused);
    return fn();
  } finally {
    if (!fused) for (const k of batchNormWasmConfigs) tf.registerKernel(k);
  }
}

function worst(a: Float32Array[], b: Float32Array[]): number {
  expect(a.map((x) => x.length)).toEqual(b.map((x) => x.length));
  return Math.max(...a.map((x, i) => maxRelDiff(x, b[i])));
}

native('fused batch norm', () => {
test.each(CASES)('%o: fused (wasm) = composite (cpu, and wasm without the kernels)', async (c) => {
  const fused = await onWasm(true, () => run(c));
  const composite = await onWasm(false, () => run(c));
  await useBackend('cpu');
  expect(fusedBatchNormAvailable()).toBe(false);
  const reference = run(c);
  expect(worst(fused, reference)).toBeLessThan(2e-5);
  expect(worst(fused, composite)).toBeLessThan(2e-5);
});

test('the fused kernels run on wasm when training (and not in inference)', async () => {
  await useBackend('wasm');
  const calls: string[] = [];
  const orig = batchNormWasmConfigs.map((k) => k);
  for (const k of orig) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({ ...k, kernelFunc: (a) => (calls.push(k.kernelName), k.kernelFunc(a)) });
  }
  try {
    const store = new VariableStore();
    const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 1);
    tf.grad((v: tf.Tensor) => tf.sum(batch_norm({ ctx: opContext(store, true), inputs: v, name: 'bn' }) as tf.Tensor))(x);
    standardize_batch({ ctx: opContext(store, false), inputs: x });
    store.dispose();
    expect(calls).toEqual([BATCH_NORM_KERNEL, BATCH_NORM_GRAD_KERNEL]);
  } finally {
    for (const k of orig) {
      tf.unregisterKernel(k.kernelName, 'wasm');
      tf.registerKernel(k);
    }
  }
});

test('second order: a gradient penalty through batch norm, fused (wasm) = composite (cpu)', async () => {
  const penalty = () => {
    const store = new VariableStore();
    try {
      const ctx = opContext(store, true, new Rng(5));
      const x = tf.randomNormal([4, 3, 3, 3], 0, 1, 'float32', 1);
      const k = tf.variable(tf.randomNormal([3, 3], 0, 1, 'float32', 2));
      const d = (inp: tf.Tensor) => tf.sum(tf.tanh(tf.matMul(tf.reshape(batch_norm({ ctx, inputs: inp, name: 'bn' }) as tf.Tensor, [-1, 3]), k)));
      const f = () => tf.sum(tf.square(tf.grad(d)(x))) as tf.Scalar;
      f(); // creates gamma and beta
      const vars = [k, ...[...store.all().values()].filter((v) => v.trainable)];
      const { grads } = tf.variableGrads(f, vars);
      const out = vars.map((v) => Float32Array.from(grads[v.name].dataSync()));
      k.dispose();
      return out;
    } finally {
      store.dispose();
    }
  };
  const fused = await onWasm(true, penalty);
  await useBackend('cpu');
  const reference = penalty();
  expect(fused.every((g) => g.some((v) => v !== 0))).toBe(true);
  expect(worst(fused, reference)).toBeLessThan(1e-4);
});

test('without the native kernels wasm runs the composite', async () => {
  await useBackend('wasm');
  setNativeKernels(false);
  try {
    expect(fusedBatchNormAvailable()).toBe(false);
  } finally {
    setNativeKernels(true);
  }
  expect(fusedBatchNormAvailable()).toBe(true);
});
});
