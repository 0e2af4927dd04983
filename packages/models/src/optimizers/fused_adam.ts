/**
 * tfjs's AdamOptimizer with each variable's update as one kernel (`CganAdamUpdate`: one pass over
 * weight, gradient and both moments) instead of 13 (mul, add, square, div, sqrt, ...): 1,800 small
 * kernels per ResNet step. Every operation is rounded to float32 in tfjs's order (Math.fround after
 * each), so the weights and moments are bit-identical to tfjs's (test/models/optimizers/fused_adam.test.ts);
 * slots, checkpoints (getWeights/setWeights) and the class name ('Adam') are tfjs's. On wasm with
 * the native kernels active the loop runs in C++ (packages/native-kernels: adamUpdate, the same
 * float32 steps: test/models/native/native_elementwise.test.ts). Backends
 * without the kernel (tensorflow) run tfjs's own applyGradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { activeNativeKernels } from '../runtime/kernels/native';

export const ADAM_UPDATE_KERNEL = 'CganAdamUpdate';

export interface AdamAttrs {
  beta1: number;
  beta2: number;
  /** 1 - beta1^t and 1 - beta2^t as float32 (tfjs: sub(1, accBeta)). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  learningRate: number;
  /** When given, filled with [sum g^2, sum w_new^2, sum (w_new - w)^2] (float64) in the same pass. */
  sums?: Float64Array;
}

const f = Math.fround;

/** [b1, b2, 1 - b1, 1 - b2, 1 - b1^t, 1 - b2^t, epsilon, -lr], each rounded to float32 as tfjs's tensors hold them. */
function adamConstants(a: AdamAttrs): number[] {
  return [f(a.beta1), f(a.beta2), f(1 - a.beta1), f(1 - a.beta2), f(a.oneMinusAccBeta1), f(a.oneMinusAccBeta2), f(a.epsilon), f(-a.learningRate)];
}

/** new (value, m, v) from (value, m, v, gradient), as tfjs's Adam computes them in float32. */
function adamUpdate(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, a: AdamAttrs, ow: Float32Array, om: Float32Array, ov: Float32Array): void {
  const k = adamConstants(a);
  const [b1, b2, c1, c2, d1, d2, eps, lr] = k;
  if (a.sums) return adamUpdateMeasured(w, m, v, g, k, ow, om, ov, a.sums);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * b1) + f(gi * c1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * c2));
    om[i] = mi;
    ov[i] = vi;
    ow[i] = f(f(f(f(mi / d1) / f(f(Math.sqrt(f(vi / d2))) + eps)) * lr) + w[i]);
  }
}

/** adamUpdate that also sums g^2, w_new^2 and (w_new - w)^2 (the runner's gradient health). */
function adamUpdateMeasured(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, k: number[], ow: Float32Array, om: Float32Array, ov: Float32Array, sums: Float64Array): void {
  const [b1, b2, c1, c2, d1, d2, eps, lr] = k;
  let gs = 0, ws = 0, us = 0; // prettier-ignore
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * b1) + f(gi * c1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * c2));
    om[i] = mi;
    ov[i] = vi;
    const wi = f(f(f(f(mi / d1) / f(f(Math.sqrt(f(vi / d2))) + eps)) * lr) + w[i]);
    ow[i] = wi;
    const d = wi - w[i];
    gs += gi * gi;
    ws += wi * wi;
    us += d * d;
  }
  sums[0] = gs;
  sums[1] = ws;
  sums[2] = us;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}
interface CpuLike {
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
  readSync(dataId: object): Float32Array;
}

const wasmKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const b = backend as unknown as WasmLike;
  const { value, m, v, gradient } = inputs as Record<string, TensorInfo>;
  const outs = [b.makeOutput(value.shape, 'float32'), b.makeOutput(value.shape, 'float32'), b.makeOutput(value.shape, 'float32')];
  // Views after every allocation: growing the heap detaches earlier ones.
  const view = (t: TensorInfo) => b.typedArrayFromHeap(t);
  const a = attrs as unknown as AdamAttrs;
  // The same loop in C++ where the native kernels are active (~20x faster; the same float32 steps).
  const native = activeNativeKernels();
  if (native?.adamUpdate) native.adamUpdate(view(value), view(m), view(v), view(gradient), view(outs[0]), view(outs[1]), view(outs[2]), adamConstants(a), a.sums ?? null);
  else adamUpdate(view(value), view(m), view(v), view(gradient), a, view(outs[0]), view(outs[1]), view(outs[2]));
  return outs;
};

const cpuKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const b = backend as unknown as CpuLike;
  const { value, m, v, gradient } = inputs as Record<string, TensorInfo>;
  const n = tf.util.sizeFromShape(value.shape);
  const ow = new Float32Array(n), om = new Float32Array(n), ov = new Float32Array(n); // prettier-ignore
  adamUpdate(b.readSync(value.dataId), b.readSync(m.dataId), b.readSync(v.dataId), b.readSync(gradient.dataId), attrs as unknown as AdamAttrs, ow, om, ov);
  return [b.makeTensorInfo(value.shape, 'float32', ow), b.makeTensorInfo(value.shape, 'float32', om), b.makeTensorInfo(value.shape, 'float32', ov)];
};

for (const [backendName, kernelFunc] of [['wasm', wasmKernel], ['cpu', cpuKernel]] as const) {
  if (!tf.getKernel(ADAM_UPDATE_KERNEL, backendName)) tf.registerKernel({ kernelName: ADAM_UPDATE_KERNEL, backendName, kernelFunc });
}

type AdamInternals = {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable }>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable }>;
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  incrementIterations(): void;
};

/** One variable's update, measured inside the update kernel: squared norms of gradient, new weights, change. */
export interface UpdateSums {
  grad: number;
  weight: number;
  update: number;
}

/**
 * Whether `opt` can measure its updates in its update kernel (a FusedAdamOptimizer). Not
 * `instanceof`: tfjs's Optimizer answers instanceof for any optimizer-shaped object.
 */
export function measuresUpdatesInKernel(opt: tf.Optimizer): opt is FusedAdamOptimizer {
  return typeof (opt as Partial<FusedAdamOptimizer>).measureNextUpdate === 'function';
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  private measured: Map<string, UpdateSums> | null = null;

  /**
   * The next applyGradients records each variable's UpdateSums in its update kernel (no pass of
   * its own); false where this backend runs tfjs's update instead (then nothing is recorded).
   */
  measureNextUpdate(): boolean {
    if (!tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend())) return false;
    this.measured = new Map();
    return true;
  }

  /** What the last measured update recorded (by variable name), then forgets it. */
  takeUpdateSums(): Map<string, UpdateSums> | null {
    const m = this.measured;
    this.measured = null;
    return m;
  }

  applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const dtypeOk = (t: tf.Tensor) => t.dtype === 'float32';
    if (!tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend())) return super.applyGradients(variableGradients);
    const self = this as unknown as AdamInternals;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, self.accBeta1).dataSync()[0];
      const oneMinusAccBeta2 = tf.sub(1, self.accBeta2).dataSync()[0];
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (self.accumulatedFirstMoment[i] == null) self.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (self.accumulatedSecondMoment[i] == null) self.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : (variableGradients as tf.NamedTensorMap)[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        if (![value, m, v, gradient].every(dtypeOk)) throw new Error(`Adam: variable '${name}' is not float32.`);
        const sums = this.measured ? new Float64Array(3) : undefined;
        const attrs: AdamAttrs = { beta1: self.beta1, beta2: self.beta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon: self.epsilon, learningRate: self.learningRate, sums };
        const [nw, nm, nv] = tf.engine().runKernel(ADAM_UPDATE_KERNEL, { value, m, v, gradient }, attrs as never) as tf.Tensor[];
        if (this.measured && sums) this.measured.set(name, { grad: sums[0], weight: sums[1], update: sums[2] });
        m.assign(nm);
        v.assign(nv);
        value.assign(nw);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }
}
