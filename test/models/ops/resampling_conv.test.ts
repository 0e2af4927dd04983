/**
 * ResNet up- and down-sampling convolutions in one op (ops/layers conv2dAfterUnpool,
 * conv2dThenAvgPool): the same values and gradients (inputs and kernel, spectral norm included)
 * as compare_gan's unpool + conv and conv + average pool, up to float rounding, on the cpu
 * backend and on wasm (whose convolutions run natively where @cgan/native-kernels is built).
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { arch_ops, Rng, useBackend, VariableStore } from '@cgan/models';
import { unpool } from '../../../packages/models/src/architectures/resnet_ops';

const { conv2d, conv2dAfterUnpool, conv2dThenAvgPool } = arch_ops;

function compare(fused: (ctx: never, x: tf.Tensor4D) => tf.Tensor4D, reference: (ctx: never, x: tf.Tensor4D) => tf.Tensor4D, xShape: [number, number, number, number]) {
  const store = new VariableStore();
  try {
    const ctx = { store, rng: new Rng(3), isTraining: false } as never;
    const x = tf.randomNormal(xShape, 0, 1, 'float32', 1) as tf.Tensor4D;
    reference(ctx, x).dispose(); // creates the variables
    const vars = [...store.all().values()].filter((v) => v.trainable);
    const run = (f: typeof fused) => {
      const g = tf.randomNormal(f(ctx, x).shape, 0, 1, 'float32', 2);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(ctx, x), g)) as tf.Scalar, vars);
      const dx = tf.grad((xi: tf.Tensor4D) => tf.sum(tf.mul(f(ctx, xi), g)))(x);
      return { y: f(ctx, x).arraySync() as number[][][][], value: value.dataSync()[0], grads: vars.map((v) => Array.from(grads[v.name].dataSync())), dx: Array.from(dx.dataSync()) };
    };
    const a = run(fused);
    const b = run(reference);
    expect(a.y.flat(3).length).toBe(b.y.flat(3).length);
    a.y.flat(3).forEach((v, i) => expect(v).toBeCloseTo(b.y.flat(3)[i], 4));
    expect(a.value).toBeCloseTo(b.value, 3);
    a.dx.forEach((v, i) => expect(v).toBeCloseTo(b.dx[i], 4));
    a.grads.forEach((gr, j) => gr.forEach((v, i) => expect(v).toBeCloseTo(b.grads[j][i], 3)));
  } finally {
    store.dispose();
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(backend, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    for (const k of [1, 3, 5]) {
      for (const use_sn of [false, true]) {
        const opts = { k_h: k, k_w: k, d_h: 1, d_w: 1, name: 'c', use_sn };
        test(`unpool + ${k}x${k} conv${use_sn ? ' (spectral norm)' : ''} as one transposed convolution`, () => {
          compare((ctx, x) => conv2dAfterUnpool(ctx, x, 5, opts), (ctx, x) => conv2d(ctx, unpool(x), 5, opts), [2, 3, 4, 3]);
        });
        test(`${k}x${k} conv${use_sn ? ' (spectral norm)' : ''} + 2x2 average pool as one stride-2 convolution`, () => {
          compare((ctx, x) => conv2dThenAvgPool(ctx, x, 5, opts), (ctx, x) => tf.avgPool(conv2d(ctx, x, 5, opts), 2, 2, 'same') as tf.Tensor4D, [2, 6, 4, 3]);
        });
      }
    }
  });
}
