/**
 * `gan encode --checkpoint RUN (--images DIR | --dataset NAME) --out z.npy`: the latents E(x)
 * (the encoder's mean; `--features features` for its pooled features) of a trained encoder GAN
 * (BigBiGAN), one row per image, as a float32 .npy. With --dataset the class labels go to
 * `<out>_labels.npy` ([n, 1]); with --images the file of each row goes to `<out>_files.txt`.
 *
 * Also the pieces `gan reconstruct` shares: restoring a run's encoder GAN from a checkpoint and
 * reading input images from a folder or a dataset.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import * as models from '@cgan/models';
import type { GanDataset, Split } from '@cgan/models';
// Registers doctor.*, which every run's operative config binds (rebuilding a run failed without it).
import '../run/doctor';
import { RunError } from '../errors';
import { Io, loggerFor } from '../io';
import { CheckpointStore, disposeCheckpoint } from '../run/checkpoint';
import { RunDir } from '../run/run_dir';
import { restoreState } from '../run/state';
import { BuiltRun } from '../wiring/container';
import { positiveInt, runDirOfCheckpoint, withRebuiltRun } from './common';

/** What an encoder GAN offers (BigBiGAN). */
export interface EncoderGan {
  encode(x: tf.Tensor4D): tf.Tensor2D;
  encodeFeatures(x: tf.Tensor4D, which?: 'features' | 'mu'): tf.Tensor2D;
  reconstruct(x: tf.Tensor4D): tf.Tensor4D;
}

export interface EncoderInputFlags {
  checkpoint: string;
  images?: string;
  dataset?: string;
  split?: string;
  data_dir?: string;
}

/** Rebuilds the run of `checkpoint`, restores its weights, checks it has an encoder, runs `fn`. */
export async function withRestoredEncoder<T>(flags: EncoderInputFlags, io: Io, fn: (gan: EncoderGan, built: BuiltRun, step: number) => Promise<T>): Promise<T> {
  const logger = loggerFor(io);
  if (!flags.checkpoint) throw new RunError('--checkpoint is required.', 'pass a run directory or RUN/checkpoints/ckpt-<step>');
  const dir = new RunDir(runDirOfCheckpoint(flags.checkpoint));
  return withRebuiltRun(dir, flags.data_dir ?? null, logger, async (built) => {
    if (!models.hasEncoder(built.gan)) {
      throw new RunError(
        `The run in ${dir.root} trains ${built.gan.constructor.name}, which has no encoder.`,
        'encode and reconstruct need an encoder GAN: train with options.gan_class = @BigBiGAN',
      );
    }
    const ckpt = CheckpointStore.resolve(path.resolve(flags.checkpoint) === path.resolve(dir.root) ? dir.root : flags.checkpoint);
    for (const s of ckpt.skipped) logger.warn(`${s.reason} Using an earlier checkpoint.`);
    try {
      await restoreState(ckpt, built.gan, built.store, null);
    } finally {
      disposeCheckpoint(ckpt);
    }
    return fn(built.gan as unknown as EncoderGan, built, ckpt.step);
  });
}

const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** PNG/JPEG files under `dir` (sub-folders included), sorted by path. */
export function listImages(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new RunError(`--images '${dir}' is not a folder.`, 'pass a folder of PNG or JPEG files');
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && IMAGE_EXT.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  if (!out.length) throw new RunError(`--images '${dir}' holds no PNG or JPEG files.`);
  return out;
}

/** Images of a folder as the run's image shape (centre-cropped, resized, recoloured), [n, h, w, c] in [0, 1]. */
export function loadImageFiles(files: string[], shape: [number, number, number]): tf.Tensor4D {
  const [h, w, c] = shape;
  if (h !== w) throw new RunError(`The run's images are ${h}x${w}; --images supports square image shapes only.`, 'use --dataset instead');
  const data = new Float32Array(files.length * h * w * c);
  files.forEach((f, i) => {
    let img: { data: Uint8Array; width: number; height: number };
    try {
      img = models.decodeImage(f);
    } catch (e) {
      throw new RunError((e as Error).message, 'remove or replace the file');
    }
    const px = models.adaptImages(img.data, 1, [img.height, img.width, 4], h, c);
    for (let j = 0; j < px.length; j++) data[i * h * w * c + j] = px[j] / 255;
  });
  return tf.tensor4d(data, [files.length, h, w, c]);
}

/** The dataset to read: the run's own when NAME is its dataset, else NAME at the run's image shape. */
export async function datasetFor(name: string, built: BuiltRun, dataDir: string | undefined, log: (m: string) => void): Promise<GanDataset> {
  if (name === built.dataset.info.name) return built.dataset;
  const [h, , c] = built.dataset.info.imageShape;
  try {
    return await models.createDataset({ seed: built.runtime.seed, overrides: { name, resolution: h, colors: c as 1 | 3, ...(dataDir ? { data_dir: dataDir } : {}) }, log });
  } catch (e) {
    if (e instanceof Error && typeof (e as { format?: unknown }).format === 'function') throw e;
    throw new RunError(`Could not load --dataset ${name}: ${(e as Error).message}`, `known datasets: ${models.datasetNames().join(', ')}`);
  }
}

export function parseSplit(s: string | undefined): Split {
  const split = s ?? 'test';
  if (split !== 'train' && split !== 'test') throw new RunError(`--split must be 'train' or 'test', got '${split}'.`);
  return split;
}

/** Up to `n` images (and labels) of a dataset split, in order, as one batch. */
export async function firstImages(ds: GanDataset, split: Split, n: number): Promise<{ images: tf.Tensor4D; labels: Int32Array }> {
  const parts: tf.Tensor4D[] = [];
  const labels: number[] = [];
  for await (const b of ds.batches(split, { batchSize: Math.min(n, 256), repeat: false, dropRemainder: false })) {
    const take = Math.min(b.images.shape[0], n - labels.length);
    parts.push(tf.slice(b.images, [0], [take]));
    labels.push(...Array.from(b.labels.dataSync()).slice(0, take));
    tf.dispose([b.images, b.labels, b.labelled]);
    if (labels.length >= n) break;
  }
  if (!labels.length) throw new RunError(`The ${split} split of ${ds.info.name} is empty.`);
  const images = tf.concat(parts) as tf.Tensor4D;
  tf.dispose(parts);
  return { images, labels: Int32Array.from(labels) };
}

export interface EncodeFlags extends EncoderInputFlags {
  out: string;
  n?: number;
  features?: string;
  batch_size?: number;
}

function stem(out: string): string {
  return out.replace(/\.npy$/i, '');
}

export async function encodeCommand(flags: EncodeFlags, io: Io): Promise<{ rows: number; cols: number }> {
  if (!!flags.images === !!flags.dataset) throw new RunError('Pass exactly one of --images DIR and --dataset NAME.');
  if (!flags.out) throw new RunError('--out is required.', 'e.g. --out z.npy');
  const which = flags.features ?? 'mu';
  if (which !== 'mu' && which !== 'features') throw new RunError(`--features must be 'mu' (the latent) or 'features' (pooled encoder features), got '${which}'.`);
  const split = parseSplit(flags.split);
  const bs = flags.batch_size ?? 100;
  const logger = loggerFor(io);
  return withRestoredEncoder(flags, io, async (gan, built, step) => {
    const chunks: Float32Array[] = [];
    let cols = 0;
    let rows = 0;
    const run = (x: tf.Tensor4D) => {
      const f = gan.encodeFeatures(x, which);
      cols = f.shape[1];
      rows += f.shape[0];
      chunks.push(f.dataSync() as Float32Array);
      f.dispose();
    };
    const shape = built.dataset.info.imageShape;
    if (flags.images) {
      const files = listImages(flags.images).slice(0, flags.n ?? Infinity);
      for (let i = 0; i < files.length; i += bs) {
        const x = loadImageFiles(files.slice(i, i + bs), shape);
        run(x);
        x.dispose();
      }
      fs.writeFileSync(`${stem(flags.out)}_files.txt`, files.map((f) => path.resolve(f)).join('\n') + '\n');
    } else {
      const ds = await datasetFor(flags.dataset!, built, flags.data_dir, logger.info);
      const limit = flags.n ?? ds.info.numExamples[split];
      const labels: number[] = [];
      for await (const b of ds.batches(split, { batchSize: bs, repeat: false, dropRemainder: false })) {
        const take = Math.min(b.images.shape[0], limit - rows);
        if (take > 0) {
          const x = tf.slice(b.images, [0], [take]) as tf.Tensor4D;
          run(x);
          x.dispose();
          labels.push(...Array.from(b.labels.dataSync()).slice(0, take));
        }
        tf.dispose([b.images, b.labels, b.labelled]);
        if (rows >= limit) break;
      }
      models.writeNpy(`${stem(flags.out)}_labels.npy`, { rows: labels.length, cols: 1, data: Float32Array.from(labels) });
    }
    const data = new Float32Array(rows * cols);
    let off = 0;
    for (const c of chunks) {
      data.set(c, off);
      off += c.length;
    }
    fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
    models.writeNpy(flags.out, { rows, cols, data });
    io.out(`wrote ${flags.out}: ${rows} x ${cols} (${which === 'mu' ? 'latent means E(x)' : 'pooled encoder features'}) from step ${step}\n`);
    return { rows, cols };
  });
}

export function registerEncode(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('encode')
    .description("Encode images with a trained encoder GAN's encoder (BigBiGAN) into a .npy of latents.")
    .requiredOption('--checkpoint <path>', 'run directory (newest checkpoint) or RUN/checkpoints/ckpt-<step>')
    .option('--images <dir>', 'folder of PNG/JPEG images (resized to the run\'s image shape)')
    .option('--dataset <name>', 'a dataset name, e.g. fashion-mnist (labels are written to <out>_labels.npy)')
    .option('--split <split>', 'dataset split: train or test', 'test')
    .option('--n <n>', 'encode at most N images', positiveInt('--n'))
    .option('--features <which>', "mu (the latent E(x)) or features (the encoder's pooled features)", 'mu')
    .option('--batch_size <n>', 'images per forward pass', positiveInt('--batch_size'), 100)
    .requiredOption('--out <file>', 'output .npy (float32, one row per image)')
    .option('--data_dir <dir>', 'where datasets are looked for')
    .action((opts: EncodeFlags) => run(encodeCommand(opts, io)));
}
