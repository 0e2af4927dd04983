/**
 * compare_gan's arch_ops layers: linear, conv2d, conv1x1, deconv2d, lrelu.
 * Variables (TF1 names): `<scope>/kernel`, `<scope>/bias`, and `<scope>/kernel/u_var` with
 * spectral norm. Kernels use the `weights` initializer; biases start at `bias_start` (0).
 * Convolutions are NHWC with 'SAME' padding, kernels [k_h, k_w, in, out]; deconv kernels
 * [k_h, k_w, out, in] (tf.nn.conv2d_transpose's layout). Both compute their kernel gradient
 * with a forward convolution (ops/conv.ts), much faster than tfjs's Conv2DBackpropFilter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { OpContext, scope, variableSeed } from './context';
import { conv2dSame, conv2dTransposeSame } from './conv';
import { constantInit, weight_initializer, WeightInit } from './initializers';
import { spectral_norm } from './spectral_norm';

export interface KernelOptions {
  /** Standard deviation for 'normal'/'truncated' initializers; `weights.stddev` when omitted. */
  stddev?: number;
  /** Override the `weights` initializer (e.g. glorot for BigGAN's projection). */
  initializer?: WeightInit;
  use_sn?: boolean;
}

/** Gets (creating) the kernel `name` in the current scope, spectrally normalised when asked. */
export function kernelVariable(ctx: OpContext, name: string, shape: number[], opts: KernelOptions = {}): tf.Tensor {
  const init = opts.initializer ?? (weight_initializer({ stddev: opts.stddev }) as WeightInit);
  const seed = variableSeed(ctx, name);
  const kernel = ctx.store.get(name, shape, (s) => init(s, seed));
  return opts.use_sn ? spectral_norm({ ctx, inputs: kernel, name }) : kernel;
}

function biasVariable(ctx: OpContext, size: number, start = 0): tf.Variable {
  return ctx.store.get('bias', [size], constantInit(start));
}

export interface LinearOptions extends KernelOptions {
  scope?: string;
  bias_start?: number;
  use_bias?: boolean;
}

/** A fully connected layer without activation: inputs [batch, in] -> [batch, output_size]. */
export function linear(ctx: OpContext, inputs: tf.Tensor, outputSize: number, opts: LinearOptions = {}): tf.Tensor2D {
  if (inputs.rank !== 2) {
    throw new Error(`linear expects a [batch, features] input, got shape [${inputs.shape}] (in scope '${ctx.store.currentPath()}/${opts.scope ?? 'linear'}').`);
  }
  return scope(ctx, opts.scope ?? 'linear', () => {
    const kernel = kernelVariable(ctx, 'kernel', [inputs.shape[1] as number, outputSize], opts);
    let out: tf.Tensor2D = tf.matMul(inputs as tf.Tensor2D, kernel as tf.Tensor2D);
    if (opts.use_bias ?? true) out = tf.add(out, biasVariable(ctx, outputSize, opts.bias_start ?? 0));
    return out;
  });
}

export interface Conv2dOptions extends KernelOptions {
  k_h: number;
  k_w: number;
  d_h: number;
  d_w: number;
  name?: string;
  use_bias?: boolean;
}

/** 2-D convolution, 'SAME' padding: [b, h, w, in] -> [b, ceil(h/d_h), ceil(w/d_w), output_dim]. */
export function conv2d(ctx: OpContext, inputs: tf.Tensor4D, outputDim: number, opts: Conv2dOptions): tf.Tensor4D {
  return scope(ctx, opts.name ?? 'conv2d', () => {
    const w = kernelVariable(ctx, 'kernel', [opts.k_h, opts.k_w, inputs.shape[3], outputDim], opts);
    let out = conv2dSame(inputs, w as tf.Tensor4D, [opts.d_h, opts.d_w]);
    if (opts.use_bias ?? true) out = tf.add(out, biasVariable(ctx, outputDim));
    return out;
  });
}

/**
 * conv2d(unpool(x)) of compare_gan's ResNet up-sampling (x at even positions, zeros elsewhere; a
 * k x k stride-1 'SAME' convolution) as one stride-2 transposed convolution of x: the same sums
 * without the 3/4 of the products that multiply inserted zeros (values equal up to float rounding).
 * Its kernel is the spatially flipped one, and the forward convolution it transposes is padded
 * p = (k-1)/2 before and p-1 after (so that output pixel 2m holds x[m] times the centre tap, as the
 * unpooled convolution has it); no padding of the kernel, so no product with a zero tap either.
 * Same variables as conv2d.
 */
export function conv2dAfterUnpool(ctx: OpContext, inputs: tf.Tensor4D, outputDim: number, opts: Conv2dOptions): tf.Tensor4D {
  if (opts.k_h % 2 !== 1 || opts.k_w % 2 !== 1 || opts.d_h !== 1 || opts.d_w !== 1) throw new Error(`conv2dAfterUnpool needs an odd kernel and stride 1, got ${opts.k_h}x${opts.k_w} / ${opts.d_h}x${opts.d_w}.`);
  const [b, h, w] = inputs.shape;
  const ph = (opts.k_h - 1) / 2, pw = (opts.k_w - 1) / 2;
  return scope(ctx, opts.name ?? 'conv2d', () => {
    const kernel = kernelVariable(ctx, 'kernel', [opts.k_h, opts.k_w, inputs.shape[3], outputDim], opts);
    // [k, k, in, out] -> flipped, as [k, k, out, in] (conv2d_transpose's layout).
    const t = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    let out = conv2dTransposeSame(inputs, t, [b, 2 * h, 2 * w, outputDim], [2, 2], [
      [ph, Math.max(ph - 1, 0)],
      [pw, Math.max(pw - 1, 0)],
    ]);
    if (opts.use_bias ?? true) out = tf.add(out, biasVariable(ctx, outputDim));
    return out;
  });
}

/**
 * avgPool(conv2d(x), 2, 2) of compare_gan's ResNet down-sampling (a k x k stride-1 'SAME'
 * convolution, then 2x2 average pooling; even height and width) as one stride-2 convolution
 * with the (k+1) x (k+1) kernel that averages the four shifted k x k ones: a quarter of the
 * outputs, no pooling pass (values equal up to float rounding). Same variables as conv2d.
 */
export function conv2dThenAvgPool(ctx: OpContext, inputs: tf.Tensor4D, outputDim: number, opts: Conv2dOptions): tf.Tensor4D {
  const [, h, w] = inputs.shape;
  if (opts.k_h % 2 !== 1 || opts.k_w % 2 !== 1 || opts.d_h !== 1 || opts.d_w !== 1 || h % 2 || w % 2) {
    throw new Error(`conv2dThenAvgPool needs an odd kernel, stride 1 and an even size, got ${opts.k_h}x${opts.k_w} / ${opts.d_h}x${opts.d_w} on ${h}x${w}.`);
  }
  return scope(ctx, opts.name ?? 'conv2d', () => {
    const kernel = kernelVariable(ctx, 'kernel', [opts.k_h, opts.k_w, inputs.shape[3], outputDim], opts);
    const shifted = (top: number, left: number) => tf.pad(kernel, [[top, 1 - top], [left, 1 - left], [0, 0], [0, 0]]);
    const k = tf.mul(tf.addN([shifted(0, 0), shifted(1, 0), shifted(0, 1), shifted(1, 1)]), 0.25) as tf.Tensor4D;
    let out = conv2dSame(inputs, k, [2, 2]);
    if (opts.use_bias ?? true) out = tf.add(out, biasVariable(ctx, outputDim));
    return out;
  });
}

/** A 1x1, stride-1 convolution. */
export function conv1x1(ctx: OpContext, inputs: tf.Tensor4D, outputDim: number, opts: Omit<Conv2dOptions, 'k_h' | 'k_w' | 'd_h' | 'd_w'> = {}): tf.Tensor4D {
  return conv2d(ctx, inputs, outputDim, { ...opts, k_h: 1, k_w: 1, d_h: 1, d_w: 1 });
}

export interface Deconv2dOptions extends KernelOptions {
  k_h: number;
  k_w: number;
  d_h: number;
  d_w: number;
  name?: string;
}

/**
 * Transposed convolution ('SAME'), tf.nn.conv2d_transpose: `outputShape` = [b, h, w, out]
 * (with ceil(h / d_h) equal to the input height, as TensorFlow requires). Always has a bias.
 */
export function deconv2d(ctx: OpContext, inputs: tf.Tensor4D, outputShape: [number, number, number, number], opts: Deconv2dOptions): tf.Tensor4D {
  const [b, h, w, c] = outputShape;
  if (Math.ceil(h / opts.d_h) !== inputs.shape[1] || Math.ceil(w / opts.d_w) !== inputs.shape[2]) {
    throw new Error(
      `deconv2d '${opts.name ?? 'deconv2d'}': output ${h}x${w} with strides ${opts.d_h}x${opts.d_w} needs an input of ` +
        `${Math.ceil(h / opts.d_h)}x${Math.ceil(w / opts.d_w)}, got ${inputs.shape[1]}x${inputs.shape[2]}.`,
    );
  }
  return scope(ctx, opts.name ?? 'deconv2d', () => {
    const kernel = kernelVariable(ctx, 'kernel', [opts.k_h, opts.k_w, c, inputs.shape[3]], opts);
    const out = conv2dTransposeSame(inputs, kernel as tf.Tensor4D, [b, h, w, c], [opts.d_h, opts.d_w]);
    return tf.add(out, biasVariable(ctx, c));
  });
}

/** Leaky ReLU: max(x, leak * x). */
export function lrelu(inputs: tf.Tensor, leak = 0.2): tf.Tensor {
  // max(x, leak * x) as one LeakyRelu kernel (and two in its gradient, runtime/gradients.ts)
  // instead of Multiply + Maximum (and six kernels in the gradient): the same values for leak <= 1.
  // fround: the cpu kernel multiplies in float64; with a float32 leak it rounds as tf.mul does.
  if (leak >= 0 && leak <= 1) return tf.leakyRelu(inputs, Math.fround(leak));
  return tf.maximum(inputs, tf.mul(inputs, leak));
}
