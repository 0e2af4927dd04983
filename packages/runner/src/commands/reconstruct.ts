/**
 * `gan reconstruct --checkpoint RUN --n 16 --out grid.png`: real images x and their
 * reconstructions G(E(x)) by a trained encoder GAN (BigBiGAN). The grid alternates rows: a row of
 * real images, then the row of their reconstructions (`--cols` images per row, default
 * min(n, 16)). Images come from the run's dataset (test split) unless --dataset or --images say
 * otherwise.
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { RunError } from '../errors';
import { Io, loggerFor } from '../io';
import { writeGrid } from '../run/images';
import { positiveInt } from './common';
import { datasetFor, EncoderInputFlags, firstImages, listImages, loadImageFiles, parseSplit, withRestoredEncoder } from './encode';

export interface ReconstructFlags extends EncoderInputFlags {
  n: number;
  out: string;
  cols?: number;
}

/** Interleaves rows: real[0..cols), recon[0..cols), real[cols..2cols), ... (the last row pair may be short). */
export function interleaveRows(real: tf.Tensor4D, recon: tf.Tensor4D, cols: number): tf.Tensor4D {
  const n = real.shape[0];
  return tf.tidy(() => {
    const parts: tf.Tensor4D[] = [];
    for (let i = 0; i < n; i += cols) {
      const k = Math.min(cols, n - i);
      const pad = (x: tf.Tensor4D) => (k < cols ? (tf.concat([x, tf.ones([cols - k, x.shape[1], x.shape[2], x.shape[3]])]) as tf.Tensor4D) : x);
      parts.push(pad(tf.slice(real, [i], [k])), pad(tf.slice(recon, [i], [k])));
    }
    return tf.concat(parts) as tf.Tensor4D;
  });
}

export async function reconstructCommand(flags: ReconstructFlags, io: Io): Promise<string> {
  if (flags.images && flags.dataset) throw new RunError('Pass at most one of --images DIR and --dataset NAME.');
  const split = parseSplit(flags.split);
  const cols = flags.cols ?? Math.min(flags.n, 16);
  const logger = loggerFor(io);
  return withRestoredEncoder(flags, io, async (gan, built, step) => {
    let real: tf.Tensor4D;
    if (flags.images) real = loadImageFiles(listImages(flags.images).slice(0, flags.n), built.dataset.info.imageShape);
    else {
      const ds = flags.dataset ? await datasetFor(flags.dataset, built, flags.data_dir, logger.info) : built.dataset;
      real = (await firstImages(ds, split, flags.n)).images;
    }
    const recon = gan.reconstruct(real);
    const grid = interleaveRows(real, recon, cols);
    writeGrid(flags.out, grid, { cols });
    tf.dispose([real, recon, grid]);
    io.out(`wrote ${flags.out}: ${real.shape[0]} images (odd rows) and their reconstructions G(E(x)) (even rows), step ${step}\n`);
    return flags.out;
  });
}

export function registerReconstruct(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('reconstruct')
    .description('Write a PNG grid of real images and their reconstructions G(E(x)) by an encoder GAN (BigBiGAN).')
    .requiredOption('--checkpoint <path>', 'run directory (newest checkpoint) or RUN/checkpoints/ckpt-<step>')
    .option('--n <n>', 'number of images', positiveInt('--n'), 16)
    .option('--out <file>', 'output PNG', 'reconstructions.png')
    .option('--cols <n>', 'images per row (default min(n, 16))', positiveInt('--cols'))
    .option('--dataset <name>', "dataset to take images from (default: the run's)")
    .option('--split <split>', 'dataset split: train or test', 'test')
    .option('--images <dir>', 'folder of PNG/JPEG images instead of a dataset')
    .option('--data_dir <dir>', 'where datasets are looked for')
    .action((opts: ReconstructFlags) => run(reconstructCommand(opts, io)));
}
