/**
 * Training-mode batch normalization as one op where the backend has the fused kernels
 * (runtime/kernels/batch_norm.ts: the wasm backend with the native kernels): y = (x - mean) * rsqrt(variance + epsilon)
 * * scale + offset with the batch moments over all but the last axis, and its whole gradient as
 * one kernel. standardize_batch uses it when training; elsewhere (cpu, tensorflow, inference)
 * the composite of tfjs ops runs, which is the reference it is tested against.
 *
 * Second order (a gradient penalty through a batch-normalized D): when the backward pass is
 * itself being recorded, the gradient is computed with differentiable tfjs ops (moments
 * recomputed from x) instead of the kernel, so gradients of gradients stay exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, batchNormAddon } from '../runtime/kernels/batch_norm';

/** Whether the active backend runs the fused batch norm (wasm, while the native kernels are active). */
export function fusedBatchNormAvailable(): boolean {
  const b = tf.getBackend();
  return !!tf.getKernel(BATCH_NORM_KERNEL, b) && !!tf.getKernel(BATCH_NORM_GRAD_KERNEL, b) && batchNormAddon() !== null;
}

function tapeOn(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

/** [B, C] per-sample parameters as [B, 1, 1, C]; [C] stays (both broadcast against x). */
function broadcastable(p: tf.Tensor, x: tf.Tensor4D): tf.Tensor {
  return p.rank === 2 ? tf.reshape(p, [x.shape[0], 1, 1, x.shape[3]]) : p;
}

/** The gradient of the op as differentiable tfjs ops (used while a tape records the backward pass). */
function compositeGrad(x: tf.Tensor4D, dy: tf.Tensor4D, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): tf.Tensor[] {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const r = tf.rsqrt(tf.add(variance, epsilon));
  const xh = tf.mul(tf.sub(x, mean), r);
  const g = tf.mul(dy, broadcastable(scale, x));
  const dx = tf.mul(r, tf.sub(tf.sub(g, tf.mean(g, [0, 1, 2])), tf.mul(xh, tf.mean(tf.mul(g, xh), [0, 1, 2]))));
  const axes = scale.rank === 2 ? [1, 2] : [0, 1, 2];
  const dScale = tf.reshape(tf.sum(tf.mul(dy, xh), axes), scale.shape);
  const dOffset = tf.reshape(tf.sum(dy, axes), offset.shape);
  return [dx, dScale, dOffset];
}

export interface FusedBatchNormResult {
  y: tf.Tensor4D;
  /** the batch moments (no gradient flows through these two; kept out of tidy: the caller disposes them) */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Batch norm of x [B, H, W, C] with the batch's moments; scale and offset hold C values (per
 * channel) or [B, C] (per sample). Needs fusedBatchNormAvailable().
 */
export function fusedBatchNorm(x: tf.Tensor4D, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): FusedBatchNormResult {
  let moments: tf.Tensor[] = [];
  const op = tf.customGrad(((xIn: tf.Tensor4D, sIn: tf.Tensor, oIn: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_KERNEL, { x: xIn, scale: sIn, offset: oIn }, { epsilon }) as tf.Tensor[];
    // kept: the engine disposes what the forward function makes besides its value
    moments = [tf.keep(mean), tf.keep(variance)];
    save([xIn, sIn, oIn, mean, variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ss, os, m, v] = saved;
        if (tapeOn()) return compositeGrad(xs as tf.Tensor4D, dy, ss, os, epsilon);
        return tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { x: xs, dy, scale: ss, offset: os, mean: m, variance: v }, { epsilon }) as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, scale, offset) as tf.Tensor4D;
  return { y, mean: moments[0] as tf.Tensor1D, variance: moments[1] as tf.Tensor1D };
}
