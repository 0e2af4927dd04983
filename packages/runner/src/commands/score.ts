/**
 * `gan score IMAGES --against DATASET[:SPLIT]|IMAGES2 [--extractor NAME|DIR] [--n N]`: FID, KID,
 * IS and PRD of any set of images (torch-fidelity's habit), with exactly the metrics `gan eval`
 * computes, so that another implementation's samples can be scored like ours. IMAGES is a folder
 * of PNGs or a .npy/.npz array (NHWC or NCHW; uint8 in [0, 255] or float in [0, 1]). One JSON
 * object on stdout.
 *
 * .npz files are zip archives: read with Node's zlib (inflateRaw) and a minimal reader of the
 * zip central directory (stored and deflated members, what numpy.savez / savez_compressed
 * write), rather than a new dependency for ~40 lines.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import {
  Collector,
  createDataset,
  FeatureExtractor,
  loadClassifierExtractor,
  loadFeatureExtractor,
  NdArray,
  parseNpyArray,
  realStatistics,
  scoreSides,
  useBackend,
} from '@cgan/models';
import { RunError } from '../errors';
import { Io, loggerFor } from '../io';
import { positiveInt } from './common';

export interface ScoreFlags {
  images: string;
  against: string;
  extractor?: string;
  n?: number;
  data_dir?: string;
  batch_size: number;
  quiet?: boolean;
}

/** n images, float32 NHWC in [0, 1]. */
export interface ImageSet {
  n: number;
  shape: [number, number, number];
  data: Float32Array;
}

/** The members of a zip archive (.npz), by name. */
export function readZip(buf: Buffer, where: string): Map<string, Buffer> {
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new RunError(`${where}: not a zip archive (.npz files are written by numpy.savez).`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let k = 0; k < count; k++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new RunError(`${where}: damaged zip central directory.`);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (csize === 0xffffffff) throw new RunError(`${where}: member '${name}' is a ZIP64 entry (over 4 GiB), not supported.`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    if (method === 0) out.set(name, raw);
    else if (method === 8) out.set(name, zlib.inflateRawSync(raw));
    else throw new RunError(`${where}: member '${name}' uses zip compression method ${method}; only stored and deflated members are read.`);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** An image array (N-D) as NHWC float32 in [0, 1]: NHWC or NCHW, uint8 or float in [0, 1]. */
export function toImageSet(a: NdArray, where: string): ImageSet {
  let shape = a.shape;
  if (shape.length === 3) shape = [...shape, 1];
  if (shape.length !== 4) throw new RunError(`${where}: expected images of shape (N, H, W, C), (N, C, H, W) or (N, H, W), got (${a.shape.join(', ')}).`);
  const [n, d1, d2, d3] = shape;
  if (n === 0) throw new RunError(`${where}: holds no images (shape (${a.shape.join(', ')})).`);
  const nchw = !(d3 === 1 || d3 === 3) && (d1 === 1 || d1 === 3);
  if (!nchw && !(d3 === 1 || d3 === 3)) throw new RunError(`${where}: shape (${a.shape.join(', ')}) has no channel axis of size 1 or 3 (last for NHWC, second for NCHW).`);
  const [h, w, c] = nchw ? [d2, d3, d1] : [d1, d2, d3];
  const out = new Float32Array(n * h * w * c);
  const scale = a.dtype === 'uint8' ? 1 / 255 : 1;
  for (let i = 0; i < a.data.length; i++) {
    const v = a.data[i];
    if (scale === 1 && !(v >= 0 && v <= 1)) {
      throw new RunError(`${where}: float images must be in [0, 1]; found ${v} at flat index ${i}.`, 'divide uint8-range floats by 255, or map [-1, 1] to [0, 1] with (x + 1) / 2');
    }
  }
  if (!nchw) for (let i = 0; i < out.length; i++) out[i] = a.data[i] * scale;
  else {
    for (let b = 0; b < n; b++)
      for (let ch = 0; ch < c; ch++)
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = a.data[((b * c + ch) * h + y) * w + x] * scale;
  }
  return { n, shape: [h, w, c], data: out };
}

function readPngFolder(dir: string): ImageSet {
  const files = fs.readdirSync(dir).filter((f) => /\.png$/i.test(f)).sort();
  if (!files.length) throw new RunError(`${dir}: no .png files in this folder.`);
  let shape: [number, number, number] | null = null;
  let data: Float32Array | null = null;
  files.forEach((f, i) => {
    const png = PNG.sync.read(fs.readFileSync(path.join(dir, f)));
    const s: [number, number, number] = [png.height, png.width, 3];
    if (!shape) {
      shape = s;
      data = new Float32Array(files.length * s[0] * s[1] * 3);
    } else if (shape[0] !== s[0] || shape[1] !== s[1]) throw new RunError(`${path.join(dir, f)}: ${s[1]}x${s[0]} pixels, but ${files[0]} has ${shape[1]}x${shape[0]}: all images must have one size.`);
    const per = s[0] * s[1] * 3;
    for (let p = 0; p < s[0] * s[1]; p++) for (let ch = 0; ch < 3; ch++) data![i * per + p * 3 + ch] = png.data[p * 4 + ch] / 255;
  });
  return { n: files.length, shape: shape!, data: data! };
}

/** A folder of PNGs, a .npy array or the single (or 'images'/'arr_0') array of a .npz. */
export function readImages(p: string): ImageSet {
  try {
    return readImagesUnchecked(p);
  } catch (e) {
    // A malformed .npy (NpyError) or PNG is bad input: one paragraph.
    if (e instanceof RunError || !(e instanceof Error)) throw e;
    throw new RunError(e.message.startsWith(p) ? e.message : `${p}: ${e.message}`, 'pass a folder of .png files, a .npy or a .npz of images (numpy.save / numpy.savez)');
  }
}

function readImagesUnchecked(p: string): ImageSet {
  if (!fs.existsSync(p)) throw new RunError(`'${p}' does not exist.`, 'pass a folder of .png files, a .npy or a .npz file');
  if (fs.statSync(p).isDirectory()) return readPngFolder(p);
  const buf = fs.readFileSync(p);
  if (/\.npz$/i.test(p)) {
    const members = [...readZip(buf, p).entries()].filter(([k]) => k.endsWith('.npy'));
    if (!members.length) throw new RunError(`${p}: the .npz holds no arrays.`);
    const pick = members.length === 1 ? members[0] : members.find(([k]) => k === 'images.npy' || k === 'arr_0.npy');
    if (!pick) throw new RunError(`${p}: holds ${members.map(([k]) => k.replace(/\.npy$/, '')).join(', ')}; name the images array 'images' (numpy.savez(f, images=a)).`);
    return toImageSet(parseNpyArray(pick[1], `${p}:${pick[0]}`), `${p}:${pick[0]}`);
  }
  if (/\.npy$/i.test(p)) return toImageSet(parseNpyArray(buf, p), p);
  throw new RunError(`${p}: not a folder, .npy or .npz file.`);
}

function batches(set: ImageSet, n: number, size: number): Array<() => tf.Tensor4D> {
  const per = set.shape[0] * set.shape[1] * set.shape[2];
  const out: Array<() => tf.Tensor4D> = [];
  for (let s = 0; s < n; s += size) {
    const b = Math.min(size, n - s);
    out.push(() => tf.tensor4d(set.data.subarray(s * per, (s + b) * per), [b, ...set.shape]));
  }
  return out;
}

async function extractorFor(flag: string | undefined, datasetName: string | null): Promise<FeatureExtractor> {
  if (flag && fs.existsSync(path.join(flag, 'classifier.json'))) return loadClassifierExtractor(flag);
  const name = flag ?? datasetName;
  if (!name) throw new RunError('Scoring two image sets needs --extractor.', 'pass --extractor DATASET (its domain classifier, e.g. fashion-mnist) or a classifier folder');
  try {
    return await loadFeatureExtractor(name);
  } catch (e) {
    throw new RunError((e as Error).message, 'pass --extractor DATASET or a folder holding classifier.json');
  }
}

export async function scoreCommand(f: ScoreFlags, io: Io): Promise<Record<string, unknown>> {
  const log = loggerFor(io, f.quiet);
  const t0 = Date.now();
  await useBackend('auto');
  const fake = readImages(f.images);
  const metrics = ['fid', 'kid', 'inception_score', 'prd'] as const;
  const asDataset = !fs.existsSync(f.against);
  let ex: FeatureExtractor;
  let real;
  let n: number;
  if (asDataset) {
    const [name, split = 'test'] = f.against.split(':');
    if (split !== 'train' && split !== 'test') throw new RunError(`--against ${f.against}: split must be train or test.`);
    const dataset = await createDataset({ overrides: { name, ...(f.data_dir ? { data_dir: f.data_dir } : {}) }, log: log.info }).catch((e: Error) => {
      throw new RunError(`--against ${f.against}: ${e.message.split('\n')[0]}`, 'pass a dataset name (fashion-mnist, mnist, cifar10, shapes, ...) with an optional :train or :test, or a folder / .npy / .npz of images');
    });
    ex = await extractorFor(f.extractor, dataset.info.name);
    n = Math.min(f.n ?? fake.n, fake.n, dataset.info.numExamples[split]);
    real = await realStatistics({ dataset, extractor: ex, split, numSamples: n, batchSize: f.batch_size, keepFeatures: true, cacheDir: null, log: log.info });
  } else {
    const other = readImages(f.against);
    ex = await extractorFor(f.extractor, null);
    n = Math.min(f.n ?? Math.min(fake.n, other.n), fake.n, other.n);
    const col = new Collector(ex, n, true, false);
    for (const b of batches(other, n, f.batch_size)) {
      const t = b();
      col.add(t);
      t.dispose();
    }
    real = col.result();
  }
  if (n < 4) throw new RunError(`Only ${n} image(s) to compare; the metrics need at least 4 of each set.`);
  const col = new Collector(ex, n, true, true);
  for (const b of batches(fake, n, f.batch_size)) {
    const t = b();
    col.add(t);
    t.dispose();
  }
  const scores = scoreSides({ real, fake: col.result(), metrics, extractor: ex, log: log.info });
  const out = {
    images: f.images,
    against: f.against,
    n,
    extractor: ex.name,
    extractor_fingerprint: ex.fingerprint,
    extractor_accuracy: ex.accuracy ?? null,
    metrics: scores,
    seconds: (Date.now() - t0) / 1000,
  };
  io.out(JSON.stringify(out) + '\n');
  return out;
}

export function registerScore(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('score')
    .description('FID, KID, IS and PRD of a set of images (PNG folder, .npy or .npz; NHWC/NCHW; uint8 or float in [0, 1]) against a dataset split or another set; one JSON object.')
    .argument('<images>', 'folder of .png files, or a .npy / .npz array')
    .requiredOption('--against <what>', 'DATASET[:SPLIT] (split default test) or another folder / .npy / .npz')
    .option('--extractor <name|dir>', "a dataset's domain classifier (default: the --against dataset's) or a folder with classifier.json")
    .option('--n <n>', 'images of each set (default: as many as both have)', positiveInt('--n'))
    .option('--batch_size <n>', 'images per extractor batch', positiveInt('--batch_size'), 100)
    .option('--data_dir <dir>', 'where datasets are looked for')
    .option('--quiet', 'only warnings and errors on stderr')
    .action((images: string, o: Omit<ScoreFlags, 'images'>) => run(scoreCommand({ ...o, images }, io)));
}
