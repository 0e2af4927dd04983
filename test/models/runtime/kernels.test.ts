/**
 * The wasm training kernels (packages/models/src/runtime/kernels) against the cpu backend:
 * random shapes, strides and paddings, values and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { shapeRng, wasmVsCpu } from './helpers';

const TOL = 1e-4;
const u = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

describe('conv2d family on wasm matches cpu', () => {
  const rnd = shapeRng(1234);
  const cases: Array<{ n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number; sh: number; sw: number; pad: 'same' | 'valid' }> = [];
  while (cases.length < 24) {
    const c = { n: rnd(1, 3), h: rnd(1, 9), w: rnd(1, 9), ci: rnd(1, 5), co: rnd(1, 5), kh: rnd(1, 5), kw: rnd(1, 5), sh: rnd(1, 3), sw: rnd(1, 3), pad: (rnd(0, 1) ? 'same' : 'valid') as 'same' | 'valid' };
    if (c.pad === 'valid' && (c.kh > c.h || c.kw > c.w)) continue;
    cases.push(c);
  }
  // The reference DCGAN shapes (4x4 kernels, stride 2, 'same') are always included.
  cases.push({ n: 2, h: 8, w: 8, ci: 6, co: 4, kh: 4, kw: 4, sh: 2, sw: 2, pad: 'same' });
  cases.push({ n: 2, h: 7, w: 7, ci: 3, co: 5, kh: 3, kw: 3, sh: 2, sw: 2, pad: 'valid' });

  test.each(cases)('conv2d, its gradients and conv2dTranspose: %o', async ({ n, h, w, ci, co, kh, kw, sh, sw, pad }) => {
    const diff = await wasmVsCpu(() => {
      const x = u([n, h, w, ci], 1);
      const f = u([kh, kw, ci, co], 2);
      const y = tf.conv2d(x, f, [sh, sw], pad);
      const dy = u(y.shape, 3);
      const [dx, df] = tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(a, b, [sh, sw], pad), dy)))([x, f]);
      // conv2dTranspose (the generator's deconv) and both of its gradients.
      const t = tf.conv2dTranspose(dy as tf.Tensor4D, f, [n, h, w, ci], [sh, sw], pad);
      const dt = u(t.shape, 4);
      const [dtIn, dtF] = tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2dTranspose(a, b, [n, h, w, ci], [sh, sw], pad), dt)))([dy as tf.Tensor4D, f]);
      return [y, dx, df, t, dtIn, dtF];
    });
    expect(diff).toBeLessThan(TOL);
  });

  test('fused conv2d (bias + activation) and its gradients, stride > kernel with same padding', async () => {
    const diff = await wasmVsCpu(() => {
      const x = u([2, 7, 5, 3], 5);
      const f = u([1, 3, 3, 4], 6);
      const b = u([4], 7);
      const y = tf.fused.conv2d({ x, filter: f, bias: b, strides: [3, 2], pad: 'same', activation: 'relu' });
      const g = tf.grads((a: tf.Tensor4D, c: tf.Tensor4D) => tf.sum(tf.square(tf.fused.conv2d({ x: a, filter: c, bias: b, strides: [3, 2], pad: 'same', activation: 'elu' }))))([x, f]);
      return [y, ...g];
    });
    expect(diff).toBeLessThan(TOL);
  });
});

describe('other ops GAN training hits, values and gradients on wasm match cpu', () => {
  const x0 = () => u([2, 6, 6, 3], 11);
  const ops: Record<string, (x: tf.Tensor4D) => tf.Tensor> = {
    leakyRelu: (x) => tf.leakyRelu(x, 0.2),
    relu: (x) => tf.relu(x),
    tanh: (x) => tf.tanh(x),
    sigmoid: (x) => tf.sigmoid(x),
    softplus: (x) => tf.softplus(x),
    elu: (x) => tf.elu(x),
    batchNorm: (x) => {
      const m = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, m.mean, m.variance, u([3], 5), u([3], 6), 1e-5);
    },
    avgPoolSame: (x) => tf.avgPool(x, 3, 2, 'same'),
    avgPoolValid: (x) => tf.avgPool(x, 2, 2, 'valid'),
    maxPoolValid: (x) => tf.maxPool(x, 2, 2, 'valid'),
    maxPoolSame: (x) => tf.maxPool(x, 3, 2, 'same'),
    depthwise: (x) => tf.depthwiseConv2d(x, u([3, 3, 3, 2], 7), 1, 'same'),
    depthwiseStride2: (x) => tf.depthwiseConv2d(x, u([3, 3, 3, 1], 7), 2, 'valid'),
    separable: (x) => tf.separableConv2d(x, u([3, 3, 3, 1], 7), u([1, 1, 3, 4], 8), 1, 'same'),
    gather: (x) => tf.gather(x, tf.tensor1d([0, 1, 1], 'int32'), 0),
    unsortedSegmentSum: (x) => tf.unsortedSegmentSum(tf.reshape(x, [-1]), tf.tensor1d(Array.from({ length: 216 }, (_, i) => i % 5), 'int32'), 5),
    resizeNearest: (x) => tf.image.resizeNearestNeighbor(x, [12, 12]),
    resizeBilinear: (x) => tf.image.resizeBilinear(x, [12, 12]),
    dense: (x) => tf.matMul(tf.reshape(x, [2, -1]), u([108, 5], 9)),
    fusedDense: (x) => tf.fused.matMul({ a: tf.reshape(x, [2, -1]), b: u([108, 5], 9), bias: u([5], 3), activation: 'relu' }),
    softmaxCrossEntropy: (x) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 2], 'int32'), 108), tf.reshape(x, [2, -1])),
    sigmoidCrossEntropy: (x) => tf.losses.sigmoidCrossEntropy(tf.onesLike(x), x),
    l2Normalize: (x) => tf.div(x, tf.norm(x)),
    meanVariance: (x) => tf.moments(x, [1, 2]).variance,
    concatPad: (x) => tf.pad(tf.concat([x, tf.square(x)], 3), [[0, 0], [1, 1], [1, 1], [0, 0]]),
    tileReshape: (x) => tf.tile(x, [1, 2, 2, 1]),
    sumLeadingAxes: (x) => tf.sum(x, [0, 1, 2]),
    sumLeadingKeepDims: (x) => tf.sum(x, [1, 0], true),
    meanLeadingAxes: (x) => tf.mean(x, [0, 1]),
    sumInnerAxes: (x) => tf.sum(x, [2, 3]),
    denseTransposeA: (x) => tf.matMul(tf.reshape(x, [12, 18]), u([12, 5], 9), true, false),
    denseTransposeBoth: (x) => tf.matMul(tf.reshape(x, [12, 18]), u([5, 12], 9), true, true),
    spaceToDepthStyle: (x) => tf.reshape(tf.transpose(tf.reshape(x, [2, 3, 2, 3, 2, 3]), [0, 1, 3, 2, 4, 5]), [2, 3, 3, 12]),
  };
  test.each(Object.keys(ops))('%s', async (name) => {
    const f = ops[name];
    const diff = await wasmVsCpu(() => {
      const x = x0();
      const y = f(x);
      const g = tf.grad((a: tf.Tensor4D) => tf.sum(tf.mul(f(a), u(y.shape, 12))))(x);
      return [y, g];
    });
    expect(diff).toBeLessThan(TOL);
  });
});
