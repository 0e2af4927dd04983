/**
 * `fake`: uniformly random images and labels generated from the seed, for dry runs (as
 * compare_gan's fake dataset). Defaults: 32x32x3, 10 classes, 1024 train / 256 test.
 */
import { Rng } from '../core/rng';
import { DatasetError } from './errors';
import { DatasetArrays, SplitData } from './in_memory';
import { LoadOptions, registerDataset } from './registry';

const imul = Math.imul;

/** Fills `out` with random bytes: a mulberry32 stream seeded from `rng`, 4 bytes per draw. */
function randomBytes(rng: Rng, out: Uint8Array): void {
  let a = rng.nextSeed() | 0;
  for (let i = 0; i < out.length; i += 4) {
    a = (a + 0x6d2b79f5) | 0;
    let t = imul(a ^ (a >>> 15), 1 | a);
    t = (t + imul(t ^ (t >>> 7), 61 | t)) ^ t;
    t = t ^ (t >>> 14);
    for (let b = 0; b < 4 && i + b < out.length; b++) out[i + b] = (t >>> (8 * b)) & 255;
  }
}

function randomSplit(rng: Rng, n: number, pixels: number, k: number): SplitData {
  const images = new Uint8Array(n * pixels);
  randomBytes(rng, images);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(k);
  return { images, labels };
}

export async function loadFake(opts: LoadOptions): Promise<DatasetArrays> {
  const res = opts.resolution ?? 32;
  const colors = opts.colors ?? 3;
  const k = opts.num_classes ?? 10;
  if (!Number.isInteger(res) || res < 1) throw new DatasetError(`fake: dataset.resolution must be a positive integer, got ${res}`);
  if (!Number.isInteger(k) || k < 1) throw new DatasetError(`fake: dataset.num_classes must be a positive integer, got ${k}`);
  const nTrain = opts.num_train_examples ?? 1024;
  const nTest = opts.num_test_examples ?? 256;
  const rng = new Rng(opts.seed >>> 0).fork('fake');
  const pixels = res * res * colors;
  return {
    info: { name: 'fake', imageShape: [res, res, colors], numClasses: k, numExamples: { train: nTrain, test: nTest } },
    splits: { train: randomSplit(rng.fork('train'), nTrain, pixels, k), test: randomSplit(rng.fork('test'), nTest, pixels, k) },
  };
}

registerDataset({ name: 'fake', description: 'random images and labels for dry runs (32x32x3, 10 classes)', load: loadFake });
