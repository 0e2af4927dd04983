/** `gan sample --checkpoint PATH --n 64 --out grid.png`: a grid from a trained generator. */
import { Command } from 'commander';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { isNoiseSampler, Rng } from '@cgan/models';
import { RunError } from '../errors';
import { Io, loggerFor } from '../io';
import { CheckpointStore, disposeCheckpoint } from '../run/checkpoint';
import { writeGrid } from '../run/images';
import { RunDir } from '../run/run_dir';
import { collectRngs, restoreState } from '../run/state';
import { positiveInt, withRebuiltRun, runDirOfCheckpoint } from './common';

export interface SampleFlags {
  checkpoint: string;
  n: number;
  out: string;
  seed?: number;
  label?: number;
  data_dir?: string;
}

export async function sampleCommand(flags: SampleFlags, io: Io): Promise<string> {
  const logger = loggerFor(io);
  if (!flags.checkpoint) throw new RunError('--checkpoint is required.', 'pass a run directory or RUN/checkpoints/ckpt-<step>');
  const dir = new RunDir(runDirOfCheckpoint(flags.checkpoint));
  return withRebuiltRun(dir, flags.data_dir ?? null, logger, async (built) => {
  const ckpt = CheckpointStore.resolve(path.resolve(flags.checkpoint) === path.resolve(dir.root) ? dir.root : flags.checkpoint);
  for (const s of ckpt.skipped) logger.warn(`${s.reason} Using an earlier checkpoint.`);
  try {
    await restoreState(ckpt, built.gan, built.store, null);
  } finally {
    disposeCheckpoint(ckpt);
  }
  const gan = built.gan;
  if (!isNoiseSampler(gan)) {
    throw new RunError(
      `The run in ${dir.root} trains ${gan.constructor.name}, which does not generate images from noise.`,
      gan.constructor.name === 'CycleGAN' ? 'use `gan translate --checkpoint RUN --input DIR --direction a2b --out DIR`' : 'sample from a run of a (z, y) -> image GAN (ModularGAN, SSGAN, S3GAN, ...)',
    );
  }
  // The GAN draws z from its streams; --seed picks a position in them far from training's.
  const info = built.dataset.info;
  const offset = 2 ** 40 + new Rng((flags.seed ?? 0) >>> 0).int(2 ** 30);
  for (const r of collectRngs(built.gan, built.rng).values()) r.setState({ seed: r.seed, counter: offset });
  const z = gan.sampleZ(flags.n);
  let y: tf.Tensor2D | null = null;
  if (gan.conditional && info.numClasses > 0) {
    if (flags.label !== undefined && (flags.label < 0 || flags.label >= info.numClasses)) {
      throw new RunError(`--label ${flags.label} is outside 0..${info.numClasses - 1}.`);
    }
    const labels = Array.from({ length: flags.n }, (_, i) => flags.label ?? i % info.numClasses);
    y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), info.numClasses), 'float32')) as tf.Tensor2D;
  }
  const images = tf.tidy(() => gan.sample(z, y));
  writeGrid(flags.out, images);
  tf.dispose([images, z, ...(y ? [y] : [])]);
  io.out(`wrote ${flags.out}: ${flags.n} samples from ${ckpt.dir} (step ${ckpt.step})\n`);
  return flags.out;
  });
}

export function registerSample(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('sample')
    .description('Write a PNG grid of samples from a checkpoint (the EMA generator when the run uses one).')
    .requiredOption('--checkpoint <path>', 'run directory (newest checkpoint) or RUN/checkpoints/ckpt-<step>')
    .option('--n <n>', 'number of samples', positiveInt('--n'), 64)
    .option('--out <file>', 'output PNG', 'samples.png')
    .option('--seed <seed>', 'seed of the z draw', (v) => Number(v), 0)
    .option('--label <k>', 'class of every sample (conditional GANs; default: cycle through classes)', (v) => Number(v))
    .option('--data_dir <dir>', 'where datasets are looked for')
    .action((opts: SampleFlags) => run(sampleCommand(opts, io)));
}
