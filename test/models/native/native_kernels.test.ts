/**
 * The native (OpenBLAS) wasm kernels of @cgan/native-kernels against the cpu backend, and against
 * the wasm backend's own path (native off), on random shapes, strides and paddings: values and
 * gradients. Skipped, with the reason logged, when the addon is not built.
 */
import * as tf from '@tensorflow/tfjs-core';
import { config, parseConfig } from '@cgan/config-lang';
import { initRuntime, loadNativeKernels, nativeKernelsActive, nativeKernelsStatus, setNativeKernels, useBackend } from '@cgan/models';
import { maxRelDiff, shapeRng, valuesOn } from '../runtime/helpers';
import { tinyGan } from '../runtime/tiny_gan';

const TOL = 1e-4;
const u = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
const { addon, reason } = loadNativeKernels();
const describeNative = addon ? describe : describe.skip;
if (!addon) console.log(`native kernel tests skipped: ${reason}`);

afterAll(() => setNativeKernels(true));

async function onWasm(native: boolean, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend('wasm');
  setNativeKernels(native);
  expect(nativeKernelsActive()).toBe(native);
  const ts = tf.tidy(fn);
  const out = ts.map((t) => Float32Array.from(t.dataSync() as Float32Array));
  tf.dispose(ts);
  return out;
}

/** Worst relative difference of native-wasm against cpu and against wasm with native off. */
async function nativeDiffs(fn: () => tf.Tensor[]): Promise<{ cpu: number; wasm: number }> {
  const n = await onWasm(true, fn);
  const w = await onWasm(false, fn);
  const c = await valuesOn('cpu', fn);
  expect(n.length).toBe(c.length);
  return { cpu: Math.max(...n.map((x, i) => maxRelDiff(x, c[i]))), wasm: Math.max(...w.map((x, i) => maxRelDiff(x, c[i]))) };
}

type Pad = 'same' | 'valid' | 'explicit';
interface Case { n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number; sh: number; sw: number; pad: Pad; pads: number[] }

function padArg(c: Case): 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  return c.pad === 'explicit' ? [[0, 0], [c.pads[0], c.pads[1]], [c.pads[2], c.pads[3]], [0, 0]] : c.pad;
}

describeNative('native conv2d family matches cpu (and the wasm path)', () => {
  const rnd = shapeRng(4321);
  const cases: Case[] = [];
  while (cases.length < 20) {
    const pad = (['same', 'valid', 'explicit'] as const)[rnd(0, 2)];
    const c: Case = { n: rnd(1, 3), h: rnd(1, 9), w: rnd(1, 9), ci: rnd(1, 6), co: rnd(1, 6), kh: rnd(1, 5), kw: rnd(1, 5), sh: rnd(1, 3), sw: rnd(1, 3), pad, pads: [rnd(0, 2), rnd(0, 2), rnd(0, 2), rnd(0, 2)] };
    const hp = c.pad === 'explicit' ? c.h + c.pads[0] + c.pads[1] : c.h;
    const wp = c.pad === 'explicit' ? c.w + c.pads[2] + c.pads[3] : c.w;
    if (c.pad !== 'same' && (c.kh > hp || c.kw > wp)) continue;
    cases.push(c);
  }
  // The reference DCGAN layers (4x4, stride 2, 'same'), a pointwise conv and a bigger batch.
  cases.push({ n: 3, h: 8, w: 8, ci: 6, co: 4, kh: 4, kw: 4, sh: 2, sw: 2, pad: 'same', pads: [] });
  cases.push({ n: 2, h: 5, w: 4, ci: 7, co: 3, kh: 1, kw: 1, sh: 1, sw: 1, pad: 'valid', pads: [] });
  cases.push({ n: 9, h: 6, w: 6, ci: 5, co: 8, kh: 3, kw: 3, sh: 1, sw: 1, pad: 'same', pads: [] });

  test.each(cases)('conv2d, its gradients and conv2dTranspose: %o', async (c) => {
    const { n, h, w, ci, co, kh, kw, sh, sw } = c;
    const pad = padArg(c);
    const d = await nativeDiffs(() => {
      const x = u([n, h, w, ci], 1);
      const f = u([kh, kw, ci, co], 2);
      const y = tf.conv2d(x, f, [sh, sw], pad);
      const dy = u(y.shape, 3);
      const [dx, df] = tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(a, b, [sh, sw], pad), dy)))([x, f]);
      if (c.pad === 'explicit') return [y, dx, df];
      const t = tf.conv2dTranspose(dy as tf.Tensor4D, f, [n, h, w, ci], [sh, sw], c.pad);
      const dt = u(t.shape, 4);
      const [dtIn, dtF] = tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2dTranspose(a, b, [n, h, w, ci], [sh, sw], c.pad as 'same'), dt)))([dy as tf.Tensor4D, f]);
      return [y, dx, df, t, dtIn, dtF];
    });
    expect(d.cpu).toBeLessThan(TOL);
    expect(d.wasm).toBeLessThan(TOL);
  });

  test.each([
    [2, 'same'],
    [3, 'valid'],
  ] as const)('dilated conv2d (rate %d, %s; the GAN library computes kernel gradients with these)', async (rate, pad) => {
    // tfjs has no gradient for dilated convolutions: values only.
    const d = await nativeDiffs(() => [tf.conv2d(u([2, 9, 8, 3], 5), u([3, 2, 3, 4], 6), 1, pad, 'NHWC', rate)]);
    expect(d.cpu).toBeLessThan(TOL);
  });

  test.each(['linear', 'relu', 'leakyrelu', 'prelu', 'elu', 'sigmoid'] as const)('fused conv2d with bias and %s, and its gradients', async (activation) => {
    const d = await nativeDiffs(() => {
      const x = u([2, 7, 5, 3], 5);
      const f = u([3, 3, 3, 4], 6);
      const bias = u([4], 7);
      const preluActivationWeights = activation === 'prelu' ? u([4], 8) : undefined;
      const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.fused.conv2d({ x: a, filter: b, bias, strides: [2, 1], pad: 'same', activation, preluActivationWeights, leakyreluAlpha: 0.3 });
      const y = conv(x, f);
      const g = tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.square(conv(a, b))))([x, f]);
      return [y, ...g];
    });
    expect(d.cpu).toBeLessThan(TOL);
  });
});

describeNative('native matMul matches cpu', () => {
  const rnd = shapeRng(99);
  const cases = [...Array(12)].map(() => ({ batchA: [1, 1, 3][rnd(0, 2)], m: rnd(1, 9), k: rnd(1, 9), n: rnd(1, 9), ta: rnd(0, 1) === 1, tb: rnd(0, 1) === 1, broadcastB: rnd(0, 1) === 1 }));
  test.each(cases)('matMul and its gradients: %o', async ({ batchA, m, k, n, ta, tb, broadcastB }) => {
    const d = await nativeDiffs(() => {
      const aShape = ta ? [k, m] : [m, k];
      const bShape = tb ? [n, k] : [k, n];
      const a = batchA > 1 ? u([batchA, ...aShape], 1) : u(aShape, 1);
      const b = batchA > 1 && !broadcastB ? u([batchA, ...bShape], 2) : u(bShape, 2);
      const y = tf.matMul(a, b, ta, tb);
      // tfjs's BatchMatMul gradient does not reduce a broadcast batch: values only there.
      if (a.rank !== b.rank) return [y];
      const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, ta, tb), u(y.shape, 3))))([a, b]);
      return [y, ...g];
    });
    expect(d.cpu).toBeLessThan(TOL);
  });

  test.each([
    [[1, 4, 5], [3, 5, 2]],
    [[2, 3, 4, 5], [5, 6]],
    [[4, 5], [1, 1, 5, 3]],
  ])('broadcast batch %j x %j', async (sa, sb) => {
    const d = await nativeDiffs(() => [tf.matMul(u(sa, 1), u(sb, 2))]);
    expect(d.cpu).toBeLessThan(TOL);
  });

  test('fused matMul with bias and relu, and its gradients', async () => {
    const d = await nativeDiffs(() => {
      const a = u([5, 12], 1);
      const b = u([12, 7], 2);
      const bias = u([7], 3);
      const f = (p: tf.Tensor2D, q: tf.Tensor2D) => tf.fused.matMul({ a: p, b: q, bias, activation: 'relu' });
      return [f(a, b), ...tf.grads((p: tf.Tensor2D, q: tf.Tensor2D) => tf.sum(tf.square(f(p, q))))([a, b])];
    });
    expect(d.cpu).toBeLessThan(TOL);
  });
});

describeNative('native matMul with two threads', () => {
  // Products under ~4 MFLOP run on one OpenBLAS thread (no worker wake-up): the values of one
  // thread, and the thread count is back to two after each call.
  test.each([
    [64, 1, 256],
    [1, 2304, 256],
    [300, 40, 170],
  ])('m %i, n %i, k %i: the values of one thread, two threads after', (m, n, k) => {
    const before = addon!.getThreads();
    const rnd = (len: number, seed: number) => Float32Array.from({ length: len }, (_, i) => Math.sin(seed * 1000 + i * 0.37) * 2);
    const a = rnd(m * k, 1), b = rnd(k * n, 2);
    const run = (threads: number) => {
      addon!.setThreads(threads);
      const c = new Float32Array(m * n);
      addon!.matMul(a, b, c, [1, 1, m, n, k, 0, 0]);
      expect(addon!.getThreads()).toBe(threads);
      return Array.from(new Uint32Array(c.buffer));
    };
    try {
      expect(run(2)).toEqual(run(1));
    } finally {
      addon!.setThreads(before);
    }
  });
});

describeNative('runtime.native_kernels', () => {
  test('a tiny GAN trains with the native path on and matches cpu', async () => {
    const losses = async (backend: 'wasm' | 'cpu') => {
      const info = await initRuntime({ backend, seed: 7, native_kernels: true });
      if (backend === 'wasm') {
        expect(nativeKernelsActive()).toBe(true);
        expect(info.summary).toMatch(/conv\/matMul kernels: native, (onednn [\d.]+ \(\w+\) convs \+ )?openblas \w+ \(/);
      }
      const gan = tinyGan();
      const out: number[] = [];
      for (let i = 0; i < 4; i++) {
        const { dLoss, gLoss } = gan.step();
        out.push(dLoss, gLoss);
      }
      gan.dispose();
      return out;
    };
    const wasm = await losses('wasm');
    const cpu = await losses('cpu');
    for (let i = 0; i < wasm.length; i++) {
      expect(Number.isFinite(wasm[i])).toBe(true);
      expect(Math.abs(wasm[i] - cpu[i])).toBeLessThan(1e-3 * (1 + Math.abs(cpu[i])));
    }
    expect(Math.abs(wasm[wasm.length - 2] - wasm[0])).toBeGreaterThan(1e-4);
  });

  test('native_kernels = False puts the wasm kernels back and says so; a later useBackend keeps the choice', async () => {
    const info = await initRuntime({ backend: 'wasm', seed: 1, native_kernels: false });
    expect(nativeKernelsActive()).toBe(false);
    expect(info.summary).toMatch(/XNNPACK.*native kernels off/);
    await useBackend('wasm');
    expect(nativeKernelsActive()).toBe(false);
    await initRuntime({ backend: 'wasm', seed: 1 });
    expect(nativeKernelsActive()).toBe(true);
    expect(nativeKernelsStatus()).toMatch(/thread/);
  });

  test('runtime.native_kernels is a Gin binding; an explicit option wins', async () => {
    config.clear();
    try {
      parseConfig('runtime.native_kernels = False\nruntime.backend = "wasm"\nruntime.seed = 2');
      await initRuntime();
      expect(nativeKernelsActive()).toBe(false);
      await initRuntime({ native_kernels: true });
      expect(nativeKernelsActive()).toBe(true);
      expect(() => parseConfig('runtime.native_kernels = "yes"')).toThrow(/native_kernels|bool/);
    } finally {
      config.clear();
    }
  });
});

test('the package reports why it is unavailable instead of throwing (runs without the addon too)', () => {
  const saved = process.env.CGAN_NATIVE_KERNELS;
  process.env.CGAN_NATIVE_KERNELS = '0';
  try {
    jest.isolateModules(() => {
      const m = require('@cgan/native-kernels') as { available: boolean; reason: string; addon: unknown };
      expect(m.available).toBe(false);
      expect(m.addon).toBeNull();
      expect(m.reason).toMatch(/CGAN_NATIVE_KERNELS=0/);
    });
  } finally {
    if (saved === undefined) delete process.env.CGAN_NATIVE_KERNELS;
    else process.env.CGAN_NATIVE_KERNELS = saved;
  }
});

describeNative('native leading-axes Sum / Mean', () => {
  test.each([
    [[16, 7, 7, 32], [0, 1, 2], false],
    [[5, 3, 7], [0], true],
    [[9, 4], [0], false],
    [[2, 3, 4, 5], [0, 1, 2], true],
  ] as const)('%j over %j (keepDims %s): the same floats as the wasm path, close to cpu', async (shape, axes, keepDims) => {
    const fn = () => {
      const x = tf.randomNormal([...shape], 0, 3, 'float32', 11);
      return [tf.sum(x, [...axes], keepDims), tf.mean(x, [...axes], keepDims)];
    };
    const n = await onWasm(true, fn);
    const w = await onWasm(false, fn);
    const c = await valuesOn('cpu', fn);
    n.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(w[i])));
    expect(Math.max(...n.map((v, i) => maxRelDiff(v, c[i])))).toBeLessThan(TOL);
  });
});
