/**
 * The elementwise kernels the native addon runs for the wasm backend (LeakyRelu, its gradient
 * CganLeakyReluGrad, the fused Adam update) against the cpu backend, bit for bit: values, first-
 * and second-order gradients, special values (NaN, +-0, +-Inf, subnormals), lengths with a
 * remainder after the SIMD width, and Adam's in-kernel update sums. Each test also checks that the
 * addon ran. Skipped, with the reason logged, when the addon is not built.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FusedAdamOptimizer, loadNativeKernels, nativeKernelsActive, setNativeKernels, useBackend } from '@cgan/models';
import { lrelu } from '../../../packages/models/src/ops';

const { addon, reason } = loadNativeKernels();
const describeNative = addon ? describe : describe.skip;
if (!addon) console.log(`native elementwise kernel tests skipped: ${reason}`);

afterAll(() => setNativeKernels(true));
afterEach(() => jest.restoreAllMocks());

const bits = (a: Float32Array) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1];

/** fn's tensors on wasm with the native kernels and on cpu, as raw bits. */
async function bothBackends(fn: () => tf.Tensor[]): Promise<{ wasm: number[][]; cpu: number[][] }> {
  const run = async (b: 'wasm' | 'cpu') => {
    await useBackend(b);
    if (b === 'wasm') {
      setNativeKernels(true);
      expect(nativeKernelsActive()).toBe(true);
    }
    const ts = tf.tidy(fn);
    const out = ts.map((t) => bits(t.dataSync() as Float32Array));
    tf.dispose(ts);
    return out;
  };
  return { wasm: await run('wasm'), cpu: await run('cpu') };
}

describeNative('native LeakyRelu and its gradient equal the cpu kernels bit for bit', () => {
  test.each([0.2, 0.1, 0.01])('alpha %s: values, gradient, second order, special values', async (alpha) => {
    const fwd = jest.spyOn(addon!, 'leakyRelu');
    const bwd = jest.spyOn(addon!, 'leakyReluGrad');
    const { wasm, cpu } = await bothBackends(() => {
      // 1037 values: not a multiple of any SIMD width; the special values at the start
      const x = tf.concat([tf.tensor1d(SPECIAL), tf.randomNormal([1037 - SPECIAL.length], 0, 2, 'float32', 7)]);
      const dy = tf.concat([tf.tensor1d([...SPECIAL].reverse()), tf.randomNormal([1037 - SPECIAL.length], 0, 1, 'float32', 8)]);
      const w = tf.randomNormal([1037], 0, 1, 'float32', 9);
      const y = lrelu(x, alpha);
      const [gx] = tf.grads((a: tf.Tensor) => lrelu(a, alpha))([x], dy);
      const xs = tf.randomNormal([3, 5, 7, 4], 0, 2, 'float32', 3);
      const v = tf.randomNormal([4], 0, 1, 'float32', 4);
      // d/dv of |d/dx sum(lrelu(x * v))^2|^2: runs CganLeakyReluGrad's own gradient
      const gv = tf.grad((vv: tf.Tensor) => tf.sum(tf.square(tf.grad((a: tf.Tensor) => tf.sum(tf.square(lrelu(tf.mul(a, vv), alpha))))(xs))))(v);
      return [y, gx, gv, w];
    });
    expect(fwd).toHaveBeenCalled();
    expect(bwd).toHaveBeenCalled();
    wasm.forEach((o, i) => expect([i, o]).toEqual([i, cpu[i]]));
  });
});

describeNative('native Adam update (CganAdamUpdate) equals the cpu kernel bit for bit', () => {
  /** The kernel on fixed inputs (1037 values: special ones first, then random), with and without the update sums. */
  function update(measured: boolean, step: number): { values: number[][]; sums: number[] } {
    const n = 1037;
    // huge values (overflow to Inf and NaN) where nothing is summed; finite sums otherwise
    const special = measured ? [0, -0, 1e-40, -1e-40, 1e-20, 5, -5, 0.5, -0.5] : [0, -0, 1e-40, -1e-40, 3e38, -3e38, 1e-20, 5, -5];
    const rnd = (seed: number, sd: number) => tf.concat([tf.tensor1d(special.slice(0, 9)), tf.randomNormal([n - 9], 0, sd, 'float32', seed)]);
    const value = rnd(1, 1), m = tf.abs(rnd(2, 0.01)), v = tf.abs(rnd(3, 0.001)), gradient = rnd(4, 0.1);
    const sums = measured ? new Float64Array(3) : undefined;
    const attrs = { beta1: 0.5, beta2: 0.999, oneMinusAccBeta1: Math.fround(1 - 0.5 ** step), oneMinusAccBeta2: Math.fround(1 - 0.999 ** step), epsilon: 1e-8, learningRate: 0.0002 * step, sums };
    const outs = tf.engine().runKernel('CganAdamUpdate', { value, m, v, gradient }, attrs as never) as tf.Tensor[];
    const values = outs.map((t) => bits(t.dataSync() as Float32Array));
    tf.dispose([value, m, v, gradient, ...outs]);
    return { values, sums: sums ? Array.from(sums) : [] };
  }

  test.each([false, true])('weights and moments (update sums measured: %s)', async (measured) => {
    const spy = jest.spyOn(addon!, 'adamUpdate');
    await useBackend('wasm');
    setNativeKernels(true);
    const ours = [1, 2, 7].map((step) => update(measured, step));
    expect(spy).toHaveBeenCalledTimes(3);
    expect(spy.mock.calls.every((c) => (c[8] !== null) === measured)).toBe(true);
    await useBackend('cpu');
    const ref = [1, 2, 7].map((step) => update(measured, step));
    ours.forEach((o, i) => {
      o.values.forEach((v, j) => expect([i, j, v]).toEqual([i, j, ref[i].values[j]]));
      expect(o.sums).toEqual(ref[i].sums);
      expect(o.sums.map((x) => Number.isFinite(x) && x > 0)).toEqual(measured ? [true, true, true] : []);
    });
  });

  test('FusedAdamOptimizer on wasm runs it', async () => {
    const spy = jest.spyOn(addon!, 'adamUpdate');
    await useBackend('wasm');
    setNativeKernels(true);
    const w = tf.variable(tf.randomNormal([40], 0, 1, 'float32', 1), true, `w${Math.random()}`);
    const opt = new FusedAdamOptimizer(0.001, 0.5, 0.999, 1e-8);
    opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]);
    expect(spy).toHaveBeenCalledTimes(1);
    opt.dispose();
    w.dispose();
  });
});
