/**
 * 'SAME' (or explicitly padded) convolutions with a faster kernel gradient, for every backend.
 *
 * tfjs computes a convolution's kernel gradient with Conv2DBackpropFilter, which the cpu
 * backend implements element by element (about 20x slower than a forward convolution of the
 * same size) and the wasm backend lacks. Here the kernel gradient is itself a forward
 * convolution — batch and input channels swapped, the output gradient as the kernel, dilated
 * by the stride — and the input gradient is the usual transposed convolution. Values equal
 * tf.conv2d / tf.conv2dTranspose and their gradients (see test/models/ops/conv.test.ts, which
 * also checks second-order gradients, as WGAN-GP needs).
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsActive } from '../runtime/kernels/native';

/** Padding TensorFlow's 'SAME' adds before a dimension: floor(total / 2). */
function samePadding(inSize: number, outSize: number, k: number, s: number): [number, number] {
  const total = Math.max((outSize - 1) * s + k - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** 'same', or explicit [[top, bottom], [left, right]] padding of the (forward) convolution. */
export type ConvPadding = 'same' | [[number, number], [number, number]];

/** As tfjs's conv ops take it. */
function tfPad(pad: ConvPadding): 'same' | [[number, number], [number, number], [number, number], [number, number]] {
  return pad === 'same' ? 'same' : [[0, 0], pad[0], pad[1], [0, 0]];
}

/**
 * dL/dW for y = conv2d(x, W, s, 'same'): x [b, H, W, ci], dy [b, oh, ow, co] -> [kh, kw, ci, co].
 * dW[p, q, i, o] = sum_{n, a, c} xpad[n, a*s + p, c*s + q, i] * dy[n, a, c, o]: a 'valid'
 * convolution of xpad^T ([ci, Hp, Wp, b]) with dy^T ([oh, ow, b, co]) dilated by s.
 */
export function conv2dKernelGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number, strides: [number, number], pad: ConvPadding = 'same'): tf.Tensor4D {
  if (fastBackpropFilter()) return backpropFilter(x, dy, kh, kw, strides, pad);
  return tf.tidy(() => {
    const [sh, sw] = strides;
    // Explicit padding after a dimension may be less than the valid correlation needs: it then
    // gives more than kh rows, and the slice below keeps the first kh.
    const [ph0, ph1] = pad === 'same' ? samePadding(x.shape[1], dy.shape[1], kh, sh) : [pad[0][0], Math.max(pad[0][1], 0)];
    const [pw0, pw1] = pad === 'same' ? samePadding(x.shape[2], dy.shape[2], kw, sw) : [pad[1][0], Math.max(pad[1][1], 0)];
    const xp = ph0 || ph1 || pw0 || pw1 ? tf.pad(x, [[0, 0], [ph0, ph1], [pw0, pw1], [0, 0]]) : x;
    const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D;
    const g = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    let r = tf.conv2d(xt, g, 1, 'valid', 'NHWC', [sh, sw]);
    if (r.shape[1] !== kh || r.shape[2] !== kw) r = tf.slice(r, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(r, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * Whether the backend's own Conv2DBackpropFilter is the fast path: the native (im2col + sgemm)
 * kernel of the wasm backend, or TensorFlow's. It skips the pad and the three transposes above.
 */
function fastBackpropFilter(): boolean {
  const b = tf.getBackend();
  return b === 'tensorflow' || (b === 'wasm' && nativeKernelsActive());
}

/** The same gradient as one Conv2DBackpropFilter kernel, differentiable in x and dy (second order). */
function backpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number, strides: [number, number], pad: ConvPadding): tf.Tensor4D {
  const op = tf.customGrad(((xIn: tf.Tensor4D, dyIn: tf.Tensor4D, save: (t: tf.Tensor[]) => void) => {
    save([xIn, dyIn]);
    const filterShape = [kh, kw, xIn.shape[3], dyIn.shape[3]];
    const value = tf.engine().runKernel('Conv2DBackpropFilter', { x: xIn, dy: dyIn }, { strides, pad: tfPad(pad) as never, dataFormat: 'NHWC', dimRoundingMode: undefined as never, filterShape }) as tf.Tensor4D;
    return {
      value,
      // d<g, dW>/dx is the input gradient of conv2d(., g); d<g, dW>/ddy is conv2d(x, g).
      gradFunc: (g: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, dys] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [tf.conv2dTranspose(dys, g, xs.shape, strides, tfPad(pad) as never), tf.conv2d(xs, g, strides, tfPad(pad))];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, dy) as tf.Tensor4D;
}

/** tf.conv2d(x, w, strides, 'same') with the kernel gradient above. */
export function conv2dSame(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number]): tf.Tensor4D {
  const op = tf.customGrad(((xIn: tf.Tensor4D, wIn: tf.Tensor4D, save: (t: tf.Tensor[]) => void) => {
    save([xIn, wIn]);
    return {
      value: tf.conv2d(xIn, wIn, strides, 'same'),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [tf.conv2dTranspose(dy, ws, xs.shape, strides, 'same'), conv2dKernelGradient(xs, dy, ws.shape[0], ws.shape[1], strides)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, w) as tf.Tensor4D;
}

/**
 * tf.conv2dTranspose(x, w, outputShape, strides, pad) (w: [kh, kw, out, in]; pad: the forward
 * convolution's, 'same' by default) with a fast kernel gradient.
 */
export function conv2dTransposeSame(x: tf.Tensor4D, w: tf.Tensor4D, outputShape: [number, number, number, number], strides: [number, number], pad: ConvPadding = 'same'): tf.Tensor4D {
  const op = tf.customGrad(((xIn: tf.Tensor4D, wIn: tf.Tensor4D, save: (t: tf.Tensor[]) => void) => {
    save([xIn, wIn]);
    return {
      value: tf.conv2dTranspose(xIn, wIn, outputShape, strides, tfPad(pad) as never),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        // The transposed convolution is the adjoint of conv2d(., w): its input gradient is that
        // convolution, and its kernel gradient that of conv2d(dy, w) with x as output gradient.
        return [tf.conv2d(dy, ws, strides, tfPad(pad)), conv2dKernelGradient(dy, xs, ws.shape[0], ws.shape[1], strides, pad)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, w) as tf.Tensor4D;
}
