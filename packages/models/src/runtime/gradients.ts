/**
 * Gradient registrations (every backend).
 *
 * Override, same values with fewer kernels:
 * - LeakyRelu: tfjs computes where(x > 0, dy, dy * alpha), three kernels and a boolean mask per
 *   layer and step. dy * step(x, alpha) is the same product (step(x, a) = 1 for x > 0, else a)
 *   in two kernels; step's gradient is zero, so second-order gradients (WGAN-GP) are unchanged.
 *   With the native kernels active the product is one kernel (kernels/leaky_relu.ts).
 *
 * Gradients from the input instead of the saved output (Tanh, Sigmoid, Exp, Softmax):
 * tfjs saves a kernel's outputs for its gradient as clones made, and taped, before the kernel
 * itself is taped; backpropagation walks the tape backwards, so the gradient that reaches a saved
 * output in a second-order pass arrives after the kernel was processed and is dropped
 * (d/dw |grad_x tanh(x w)|^2 came out 7% off; softmax attention in a gradient penalty likewise).
 * Recomputing the output from the saved input costs one elementwise kernel per use.
 *
 * Gradients of gradients, which tfjs does not ship. A gradient penalty (WGAN-GP, DRAGAN)
 * differentiates D's input gradient, so every kernel that D's backward pass runs needs a
 * gradient of its own. Each of these kernels is linear in `dy`, so its gradient with respect to
 * `dy` is the forward op it is the adjoint of; with respect to its other inputs it is zero
 * (pooling, resizes: piecewise constant) or the other factor (convolutions: bilinear). Checked
 * against finite differences on wasm and cpu in test/models/runtime/second_order.test.ts.
 * - AvgPoolGrad: tfjs's kernel divides by the full window size also where the window overlaps the
 *   padding, so its exact adjoint is a zero-padded 'valid' average pool.
 * - MaxPoolGrad: routes dy to the first maximum of each window (row-major, as tfjs's kernels
 *   do); its adjoint reads g at that position: a max-pool "gather" built from strided slices.
 * - ResizeBilinearGrad, ResizeNearestNeighborGrad: the adjoint is the resize itself.
 * - Conv2DBackpropFilter: conv2d(x, g) for dy, conv2dBackpropInput(dy, g) for x (as TensorFlow).
 */
import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs's own gradients first, so that ours replace them rather than the reverse.
import '@tensorflow/tfjs-layers';
import { leakyReluGrad, registerLeakyReluGradGradient } from './kernels/leaky_relu';

type Pad = 'valid' | 'same' | number;
interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const pair = (v: [number, number] | number): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** The pooling window's padding as tfjs computes it (top, bottom, left, right) and output size. */
function poolInfo(xShape: number[], a: PoolAttrs) {
  const info = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('second-order gradients of dilated pooling are not implemented');
  return info;
}

/** avgPoolGrad's adjoint: sum over each (zero-padded) window / window size. */
function avgPoolGradGrad(g: tf.Tensor4D, xShape: number[], a: PoolAttrs): tf.Tensor4D {
  const info = poolInfo(xShape, a);
  const { top, bottom, left, right } = info.padInfo;
  // Windows that run past the far edge without being padded there (output size rounding) are cut.
  const padBottom = Math.max(0, (info.outHeight - 1) * info.strideHeight + info.filterHeight - (info.inHeight + top));
  const padRight = Math.max(0, (info.outWidth - 1) * info.strideWidth + info.filterWidth - (info.inWidth + left));
  const gp = tf.pad(g, [[0, 0], [top, Math.max(bottom, padBottom)], [left, Math.max(right, padRight)], [0, 0]]);
  const out = tf.avgPool(gp, [info.filterHeight, info.filterWidth], [info.strideHeight, info.strideWidth], 'valid');
  return tf.slice(out, [0, 0, 0, 0], [-1, info.outHeight, info.outWidth, -1]);
}

/** maxPoolGrad's adjoint: for every output position, g at the window's first maximum of x. */
function maxPoolGradGrad(g: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, a: PoolAttrs): tf.Tensor4D {
  const info = poolInfo(x.shape, a);
  const { top, left } = info.padInfo;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const padB = Math.max(0, (info.outHeight - 1) * sh + info.filterHeight - (info.inHeight + top));
  const padR = Math.max(0, (info.outWidth - 1) * sw + info.filterWidth - (info.inWidth + left));
  const paddings: Array<[number, number]> = [[0, 0], [top, padB], [left, padR], [0, 0]];
  const xp = tf.pad(x, paddings, -Infinity);
  const gp = tf.pad(g, paddings);
  const window = (t: tf.Tensor4D, i: number, j: number) =>
    tf.stridedSlice(t, [0, i, j, 0], [t.shape[0], i + (info.outHeight - 1) * sh + 1, j + (info.outWidth - 1) * sw + 1, t.shape[3]], [1, sh, sw, 1]) as tf.Tensor4D;
  let out: tf.Tensor4D = tf.zerosLike(y);
  let taken: tf.Tensor4D = tf.zerosLike(y);
  for (let i = 0; i < info.filterHeight; i++) {
    for (let j = 0; j < info.filterWidth; j++) {
      const first = tf.mul(tf.cast(tf.equal(window(xp, i, j), y), 'float32'), tf.sub(1, taken)) as tf.Tensor4D;
      out = tf.add(out, tf.mul(first, window(gp, i, j)));
      taken = tf.add(taken, first);
    }
  }
  return out;
}

let registered = false;

export function registerGradientOverrides(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: tf.LeakyRelu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const alpha = (attrs as unknown as tf.LeakyReluAttrs).alpha;
      return { x: () => leakyReluGrad(dy as tf.Tensor, x, alpha) };
    },
  });
  registerLeakyReluGradGradient();
  const fromInput = (kernelName: string, grad: (dy: tf.Tensor, x: tf.Tensor, attrs: Record<string, unknown>) => tf.Tensor) => {
    const input = kernelName === tf.Softmax ? 'logits' : 'x';
    tf.registerGradient({
      kernelName,
      inputsToSave: [input],
      gradFunc: (dy, saved, attrs) => ({ [input]: () => grad(dy as tf.Tensor, saved[0], attrs as unknown as Record<string, unknown>) }),
    });
  };
  fromInput(tf.Tanh, (dy, x) => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x)))));
  fromInput(tf.Sigmoid, (dy, x) => {
    const s = tf.sigmoid(x);
    return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
  });
  fromInput(tf.Exp, (dy, x) => tf.mul(dy, tf.exp(x)));
  fromInput(tf.Softmax, (dy, x, a) => {
    const dim = a.dim as number;
    const y = tf.softmax(x, dim);
    const yDy = tf.mul(y, dy);
    return tf.sub(yDy, tf.mul(y, tf.sum(yDy, dim, true)));
  });
  tf.registerGradient({
    kernelName: tf.AvgPoolGrad,
    inputsToSave: ['input'],
    gradFunc: (g, saved, attrs) => {
      const [input] = saved;
      return {
        dy: () => avgPoolGradGrad(g as tf.Tensor4D, input.shape, attrs as unknown as PoolAttrs),
        input: () => tf.zerosLike(input),
      };
    },
  });
  tf.registerGradient({
    kernelName: tf.MaxPoolGrad,
    inputsToSave: ['input', 'output'],
    gradFunc: (g, saved, attrs) => {
      const [input, output] = saved as tf.Tensor4D[];
      return {
        dy: () => maxPoolGradGrad(g as tf.Tensor4D, input, output, attrs as unknown as PoolAttrs),
        input: () => tf.zerosLike(input),
        output: () => tf.zerosLike(output),
      };
    },
  });
  for (const [kernelName, resize] of [
    [tf.ResizeBilinearGrad, tf.image.resizeBilinear],
    [tf.ResizeNearestNeighborGrad, tf.image.resizeNearestNeighbor],
  ] as const) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ['images'],
      gradFunc: (g, saved, attrs) => {
        const [images] = saved;
        const { alignCorners, halfPixelCenters } = attrs as unknown as tf.ResizeBilinearAttrs;
        const gg = g as tf.Tensor4D;
        return {
          // dy has the resized shape; g has the images' shape: resize g back to dy's size.
          dy: () => resize(gg, (attrs as unknown as tf.ResizeBilinearAttrs).size, alignCorners, halfPixelCenters),
          images: () => tf.zerosLike(images),
        };
      },
    });
  }
  tf.registerGradient({
    kernelName: tf.Conv2DBackpropFilter,
    inputsToSave: ['x', 'dy'],
    gradFunc: (g, saved, attrs) => {
      const [x, dy] = saved as tf.Tensor4D[];
      const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      const pad = a.pad as 'valid' | 'same' | number;
      return {
        x: () => tf.conv2dTranspose(dy, g as tf.Tensor4D, x.shape, a.strides, pad as 'valid' | 'same', a.dimRoundingMode),
        dy: () => tf.conv2d(x, g as tf.Tensor4D, a.strides, pad, a.dataFormat, 1, a.dimRoundingMode),
      };
    },
  });
}

registerGradientOverrides();
