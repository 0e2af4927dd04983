/**
 * `shapes`: a procedural labelled dataset generated from the seed, nothing to download: one
 * antialiased shape per image (class = shape kind), of random colour, position and size, on a
 * black background. Defaults: 32x32x3, 4 classes (circle, square, triangle, cross), 10000 train
 * and 2000 test images. Up to 6 classes (+ ring, diamond); any resolution >= 8; 1 or 3 colours.
 * Simple enough for a small GAN to learn in minutes on a CPU.
 */
import { Rng } from '../core/rng';
import { DatasetError } from './errors';
import { DatasetArrays, SplitData } from './in_memory';
import { LoadOptions, registerDataset } from './registry';

// Module-level aliases: global lookups (Math.*) are very slow inside Jest's vm contexts.
const { abs, max, min, round, SQRT2, sqrt, floor, ceil } = Math;

export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'cross', 'ring', 'diamond'];

type Sdf = (x: number, y: number, r: number) => number;

const S3 = sqrt(3) / 2;
const box = (x: number, y: number, a: number, b: number) => max(abs(x) - a, abs(y) - b);

/** Signed distances (pixels, negative inside) of each shape of "radius" r centred at 0. */
const SDF: Sdf[] = [
  (x, y, r) => sqrt(x * x + y * y) - r,
  (x, y, r) => box(x, y, 0.8 * r, 0.8 * r),
  // Equilateral triangle pointing up (image y grows downwards), circumradius r.
  (x, y, r) => max(y, S3 * x - 0.5 * y, -S3 * x - 0.5 * y) - 0.5 * r,
  (x, y, r) => min(box(x, y, r, 0.3 * r), box(x, y, 0.3 * r, r)),
  (x, y, r) => abs(sqrt(x * x + y * y) - 0.72 * r) - 0.28 * r,
  (x, y, r) => (abs(x) + abs(y) - r) / SQRT2,
];

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return v - v * s * max(0, min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}

export interface ShapesOptions {
  resolution: number;
  colors: number;
  numClasses: number;
  count: number;
  /** The class of image i (default i mod numClasses): `shape_scenes` renders one scene per class. */
  classOf?: (i: number) => number;
}

/** Renders `count` images from `rng`; labels cycle through the classes (balanced). */
export function renderShapes(rng: Rng, o: ShapesOptions): SplitData {
  const { resolution: res, colors: c, numClasses: k, count: n } = o;
  const images = new Uint8Array(n * res * res * c);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = o.classOf ? o.classOf(i) : i % k;
    labels[i] = label;
    const r = res * (0.2 + 0.16 * rng.uniform());
    const margin = r + 1;
    const cx = margin + (res - 2 * margin) * rng.uniform();
    const cy = margin + (res - 2 * margin) * rng.uniform();
    const rgb = hsvToRgb(rng.uniform(), 0.6 + 0.4 * rng.uniform(), 0.75 + 0.25 * rng.uniform());
    const grey = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
    const sdf = SDF[label];
    const base = i * res * res * c;
    // Every shape lies within radius r of its centre: render only that box (+1 px of edge).
    const y0 = max(0, floor(cy - r - 1));
    const y1 = min(res, ceil(cy + r + 1));
    const x0 = max(0, floor(cx - r - 1));
    const x1 = min(res, ceil(cx + r + 1));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const cover = min(1, max(0, 0.5 - sdf(x + 0.5 - cx, y + 0.5 - cy, r)));
        if (cover === 0) continue;
        const p = base + (y * res + x) * c;
        if (c === 1) images[p] = round(255 * cover * max(grey, 0.5));
        else for (let ch = 0; ch < 3; ch++) images[p + ch] = round(255 * cover * rgb[ch]);
      }
    }
  }
  return { images, labels };
}

export async function loadShapes(opts: LoadOptions): Promise<DatasetArrays> {
  const res = opts.resolution ?? 32;
  const colors = opts.colors ?? 3;
  const k = opts.num_classes ?? 4;
  if (!Number.isInteger(res) || res < 8) throw new DatasetError(`shapes: dataset.resolution must be an integer >= 8, got ${res}`);
  if (colors !== 1 && colors !== 3) throw new DatasetError(`shapes: dataset.colors must be 1 or 3, got ${colors}`);
  if (!Number.isInteger(k) || k < 1 || k > SHAPE_CLASSES.length) {
    throw new DatasetError(`shapes: dataset.num_classes must be 1..${SHAPE_CLASSES.length}, got ${k}`, `the classes are ${SHAPE_CLASSES.join(', ')}`);
  }
  const nTrain = opts.num_train_examples ?? 10000;
  const nTest = opts.num_test_examples ?? 2000;
  const root = new Rng(opts.seed >>> 0).fork('shapes');
  const common = { resolution: res, colors, numClasses: k };
  const train = renderShapes(root.fork('train'), { ...common, count: nTrain });
  const test = renderShapes(root.fork('test'), { ...common, count: nTest });
  return {
    info: {
      name: 'shapes',
      imageShape: [res, res, colors],
      numClasses: k,
      numExamples: { train: nTrain, test: nTest },
      classNames: SHAPE_CLASSES.slice(0, k),
    },
    splits: { train, test },
  };
}

registerDataset({
  name: 'shapes',
  description: 'procedural shapes generated from the seed (no download): 32x32x3, 4 classes by default',
  load: loadShapes,
});
