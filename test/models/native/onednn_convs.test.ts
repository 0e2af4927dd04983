/**
 * The oneDNN convolutions of @cgan/native-kernels against the cpu backend: values and gradients of
 * conv2d (forward, input and filter gradients) and conv2dTranspose (G's up-sampling: its forward
 * is a backprop-input) on the geometry of the shipped Fashion-MNIST configs (sndcgan, resnet; at
 * batch 1-2, fewer channels) and odd ones (batch 1, odd sizes, stride 2 with 'same' and 'valid', uneven and explicit
 * padding, 1-channel sides), in each mode oneDNN runs: the default (oneDNN where it was measured
 * faster, OpenBLAS for the rest), every shape in oneDNN with blocked (reordered) activations, and
 * with NHWC activations; and the OpenBLAS convolutions on the same cases. Then a tiny GAN's losses
 * with oneDNN against OpenBLAS. Skipped, with the reason logged, where oneDNN was not built.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initRuntime, loadNativeKernels, nativeKernelsStatus, setNativeKernels, useBackend } from '@cgan/models';
import { maxRelDiff, valuesOn } from '../runtime/helpers';
import { tinyGan } from '../runtime/tiny_gan';

interface OnednnAddon {
  setLayout(l: 'auto' | 'any' | 'nhwc'): void;
  setShapes(s: 'auto' | 'all'): void;
  primitives(): { op: string; dims: string; impl: string; layout: string }[];
  info(): { version: string; isa: string };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = (() => {
  try {
    return require('@cgan/native-kernels') as { onednn: OnednnAddon | null; onednnReason: string };
  } catch (e) {
    return { onednn: null, onednnReason: String(e) };
  }
})();
const { addon, reason } = loadNativeKernels();
const onednn = addon ? pkg.onednn : null;
const describeOnednn = onednn ? describe : describe.skip;
if (!onednn) console.log(`oneDNN conv tests skipped: ${addon ? pkg.onednnReason : reason}`);

const TOL = 1e-4;
const u = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

type Mode = 'onednn default' | 'onednn blocked' | 'onednn nhwc' | 'openblas';
const MODES: Mode[] = ['onednn default', 'onednn blocked', 'onednn nhwc', 'openblas'];

function setMode(mode: Mode): void {
  if (!onednn || !addon?.setConvLibrary) throw new Error('oneDNN is not built');
  addon.setConvLibrary(mode === 'openblas' ? 'openblas' : 'onednn');
  onednn.setShapes(mode === 'onednn default' ? 'auto' : 'all');
  onednn.setLayout(mode === 'onednn blocked' ? 'any' : mode === 'onednn nhwc' ? 'nhwc' : 'auto');
}

afterAll(() => {
  if (onednn) setMode('onednn default');
  setNativeKernels(true);
});

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case { name: string; x: number[]; k: number; co: number; s: number; pad: Pad }

// The configs' geometry (sizes, kernels, strides, padding) at batch 1-2 and fewer channels: the
// cpu reference is slow. Channel counts include 1, tails (not multiples of 8) and blocked sizes.
const cases: Case[] = [
  // sndcgan.gin: D (and G's transposed convs, the same shapes read backwards)
  { name: 'sndcgan 28x28x1 -> 16', x: [1, 28, 28, 1], k: 3, co: 16, s: 1, pad: 'same' },
  { name: 'sndcgan 28x28 -> 14x14 (4x4 /2)', x: [1, 28, 28, 8], k: 4, co: 12, s: 2, pad: 'same' },
  { name: 'sndcgan 14x14 3x3', x: [1, 14, 14, 16], k: 3, co: 12, s: 1, pad: 'same' },
  { name: 'sndcgan 14x14 -> 7x7 (4x4 /2)', x: [1, 14, 14, 16], k: 4, co: 24, s: 2, pad: 'same' },
  { name: 'sndcgan 7x7 3x3', x: [1, 7, 7, 32], k: 3, co: 20, s: 1, pad: 'same' },
  { name: 'sndcgan 7x7 -> 4x4 (4x4 /2)', x: [1, 7, 7, 32], k: 4, co: 40, s: 2, pad: 'same' },
  { name: 'sndcgan 4x4 3x3', x: [2, 4, 4, 32], k: 3, co: 32, s: 1, pad: 'same' },
  // resnet.gin
  { name: 'resnet 32x32x1 -> 16', x: [1, 32, 32, 1], k: 3, co: 16, s: 1, pad: 'same' },
  { name: 'resnet 16x16 3x3', x: [1, 16, 16, 16], k: 3, co: 12, s: 1, pad: 'same' },
  { name: 'resnet 32x32x16 -> 1', x: [1, 32, 32, 16], k: 3, co: 1, s: 1, pad: 'same' },
  // odd ones
  { name: 'batch 1, odd sizes, stride 2 same', x: [1, 9, 7, 5], k: 3, co: 11, s: 2, pad: 'same' },
  { name: 'even kernel, odd size, stride 2 same (uneven pads)', x: [3, 11, 13, 9], k: 4, co: 6, s: 2, pad: 'same' },
  { name: 'stride 2 valid dropping a row', x: [1, 10, 10, 16], k: 3, co: 8, s: 2, pad: 'valid' },
  { name: '2x2 stride 2 valid', x: [3, 5, 5, 3], k: 2, co: 4, s: 2, pad: 'valid' },
  { name: 'pointwise', x: [2, 6, 6, 8], k: 1, co: 12, s: 1, pad: 'valid' },
  { name: '5x5 stride 2 same, 1 output channel', x: [1, 12, 12, 16], k: 5, co: 1, s: 2, pad: 'same' },
  { name: 'explicit pads', x: [2, 7, 6, 8], k: 3, co: 8, s: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
];

/** conv2d, its input and filter gradients; conv2dTranspose and its two gradients ('same'/'valid'). */
function convAndGradients(c: Case): () => tf.Tensor[] {
  return () => {
    const [n, h, w, ci] = c.x;
    const x = u(c.x, 1);
    const f = u([c.k, c.k, ci, c.co], 2);
    const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.s, c.pad);
    const dy = u(y.shape, 3);
    const [dx, df] = tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(a, b, c.s, c.pad), dy)))([x, f]);
    if (typeof c.pad !== 'string') return [y, dx, df];
    const pad = c.pad;
    const t = tf.conv2dTranspose(dy as tf.Tensor4D, f as tf.Tensor4D, [n, h, w, ci], c.s, pad);
    const dt = u(t.shape, 4);
    const [dtIn, dtF] = tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2dTranspose(a, b, [n, h, w, ci], c.s, pad), dt)))([dy, f]);
    return [y, dx, df, t, dtIn, dtF];
  };
}

/** "n,h,w,ci,kh,kw,co,oh,ow,sh,sw" of the case's conv (the prefix of the addon's dims). */
function dimsPrefix(c: Case, y: number[]): string {
  return [...c.x, c.k, c.k, c.co, y[1], y[2], c.s, c.s].join(',');
}

describeOnednn('oneDNN convolutions match cpu (values and gradients)', () => {
  test.each(cases)('$name', async (c) => {
    const fn = convAndGradients(c);
    const ref = await valuesOn('cpu', fn);
    await useBackend('wasm');
    setNativeKernels(true);
    for (const mode of MODES) {
      setMode(mode);
      const got = await valuesOn('wasm', fn);
      const worst = Math.max(...got.map((g, i) => maxRelDiff(g, ref[i])));
      expect({ mode, worst: worst < TOL ? 'ok' : worst }).toEqual({ mode, worst: 'ok' });
    }
    // 'every shape' modes really ran oneDNN on this shape: all three ops have a primitive.
    const yShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([c.k, c.k, c.x[3], c.co]) as tf.Tensor4D, c.s, c.pad).shape);
    const prefix = dimsPrefix(c, yShape);
    const ran = new Set(onednn!.primitives().filter((p) => p.impl && p.dims.startsWith(prefix)).map((p) => p.op));
    expect([...ran].sort()).toEqual(['conv2d', 'conv2dBackpropFilter', 'conv2dBackpropInput']);
  });

  test('the default mode leaves to OpenBLAS the shapes measured faster there, and says which ran', () => {
    setMode('onednn default');
    const prims = onednn!.primitives().filter((p) => p.dims.startsWith('2,4,4,32,3,3,32,4,4,1,1') || p.dims.startsWith('1,28,28,1,3,3,16,28,28,1,1'));
    expect(prims.length).toBeGreaterThan(0);
    const impl = (op: string, prefix: string) => prims.filter((p) => p.op === op && p.dims.startsWith(prefix)).map((p) => p.impl);
    // 4x4 outputs: OpenBLAS in the default mode (and oneDNN in the 'all' modes)
    expect(impl('conv2d', '2,4,4,32')).toContain('');
    // the input gradient of a 1-channel input: OpenBLAS; its forward conv: oneDNN with NHWC activations
    expect(impl('conv2dBackpropInput', '1,28,28,1')).toContain('');
    expect(prims.some((p) => p.op === 'conv2d' && p.dims.startsWith('1,28,28,1') && p.impl && p.layout === 'nhwc')).toBe(true);
    expect(nativeKernelsStatus()).toMatch(new RegExp(`native, onednn ${onednn!.info().version.replace(/\./g, '\\.')} \\(${onednn!.info().isa}\\) convs \\+ openblas`));
  });

  test('a primitive is made per OpenMP thread count and per activation layout, not reused across them', () => {
    // oneDNN splits a primitive's work for the thread count at its creation and runs that many
    // threads later whatever the count is then; 'auto' and 'any' layouts differ on a 1-channel side.
    const d = [1, 6, 6, 1, 3, 3, 8, 6, 6, 1, 1, 1, 1, 1, 1];
    const x = Float32Array.from({ length: 36 }, (_, i) => Math.sin(i));
    const f = Float32Array.from({ length: 72 }, (_, i) => Math.cos(i));
    const run = (): Float32Array => {
      const y = new Float32Array(288);
      addon!.conv2d(x, f, y, d);
      return y;
    };
    const threads = addon!.getThreads();
    const mine = () => onednn!.primitives().filter((p) => p.op === 'conv2d' && p.dims === d.join(','));
    const before = mine().length;
    try {
      setMode('onednn nhwc');
      onednn!.setLayout('auto'); // every shape, 'auto': NHWC on the 1-channel side
      const y0 = run();
      onednn!.setLayout('any'); // every shape, blocked
      const y1 = run();
      addon!.setThreads(threads === 1 ? 2 : 1);
      const y2 = run();
      expect(new Set(mine().map((p) => p.layout))).toEqual(new Set(['nhwc', 'blocked']));
      expect(mine().length - before).toBe(3);
      for (const y of [y1, y2]) expect(maxRelDiff(y, y0)).toBeLessThan(TOL);
    } finally {
      addon!.setThreads(threads);
      setMode('onednn default');
    }
  });

  test('a tiny GAN trains with oneDNN convolutions like with OpenBLAS ones (close, not identical: another summation order)', async () => {
    const losses = async (mode: Mode) => {
      await initRuntime({ backend: 'wasm', seed: 7, native_kernels: true });
      setMode(mode);
      const gan = tinyGan();
      const out: number[] = [];
      for (let i = 0; i < 4; i++) {
        const { dLoss, gLoss } = gan.step();
        out.push(dLoss, gLoss);
      }
      gan.dispose();
      return out;
    };
    const a = await losses('onednn blocked');
    const b = await losses('openblas');
    for (let i = 0; i < a.length; i++) {
      expect(Number.isFinite(a[i])).toBe(true);
      expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4 * (1 + Math.abs(b[i])));
    }
  });
});
