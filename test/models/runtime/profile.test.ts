/** The kernel profiler behind `gan train --profile`: counts, FLOPs, self time, and clean removal. */
import * as tf from '@tensorflow/tfjs-core';
import { formatProfile, kernelFlops, profileSteps, startKernelProfile, useBackend } from '@cgan/models';

beforeAll(async () => {
  await useBackend('wasm');
});

test('counts calls and conv/matMul FLOPs from shapes, then puts the kernels back', () => {
  const before = tf.getKernel('Conv2D', 'wasm');
  const p = startKernelProfile();
  expect(tf.getKernel('Conv2D', 'wasm')).not.toBe(before);
  tf.tidy(() => {
    const x = tf.ones([2, 8, 8, 3]) as tf.Tensor4D;
    const f = tf.ones([3, 3, 3, 5]) as tf.Tensor4D;
    tf.conv2d(x, f, 2, 'same').dataSync(); // out 2x4x4x5
    tf.matMul(tf.ones([4, 6]), tf.ones([6, 7])).dataSync();
    const [dx, df] = tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.conv2d(a, b, 1, 'same')))([x, f]);
    dx.dataSync();
    df.dataSync();
  });
  const r = p.report(1, 10);
  p.stop();
  expect(tf.getKernel('Conv2D', 'wasm')).toBe(before);
  const by = new Map(r.kernels.map((k) => [k.name, k]));
  const conv = by.get('Conv2D')!;
  // stride 2: 2*4*4*5 outputs x 27 MACs x 2; stride 1: 2*8*8*5 x 27 x 2
  expect(conv.calls).toBe(2);
  expect(conv.flops).toBe(2 * 2 * 4 * 4 * 5 * 27 + 2 * 2 * 8 * 8 * 5 * 27);
  expect(by.get('BatchMatMul')!.flops).toBe(2 * 4 * 6 * 7);
  expect(by.get('Conv2DBackpropInput')!.flops).toBe(2 * 2 * 8 * 8 * 5 * 27);
  expect(by.get('Conv2DBackpropFilter')!.flops).toBe(2 * 2 * 8 * 8 * 5 * 27);
  expect(r.kernels.every((k) => k.ms >= 0)).toBe(true);
  expect(r.gflopPerStep).toBeCloseTo((conv.flops + 2 * 4 * 6 * 7 + 2 * 2 * 2 * 8 * 8 * 5 * 27) / 1e9, 12);
  expect(formatProfile(r)).toMatch(/profile over 1 step: 10\.0 ms\/step[\s\S]*Conv2D\s/);
});

test('kernelFlops is 0 for other kernels and for inputs it cannot read', () => {
  expect(kernelFlops('Add', {}, {})).toBe(0);
  expect(kernelFlops('Conv2D', {}, {})).toBe(0);
});

test('profileSteps reports once, after warm-up + N steps, and unwraps', () => {
  const before = tf.getKernel('Add', 'wasm');
  const reports: number[] = [];
  const hook = profileSteps({ warmup: 1, steps: 2, onReport: (r) => reports.push(r.steps) });
  for (let s = 1; s <= 5; s++) {
    tf.tidy(() => tf.add(tf.ones([3]), tf.ones([3])).dataSync());
    hook(s);
    if (s === 2) expect(tf.getKernel('Add', 'wasm')).not.toBe(before);
  }
  expect(reports).toEqual([2]);
  expect(tf.getKernel('Add', 'wasm')).toBe(before);
});
