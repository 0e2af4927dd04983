/**
 * `gan translate --checkpoint RUN --input DIR|FILE.npy|--dataset NAME --direction a2b|b2a --out DIR`:
 * translates images with a trained CycleGAN. One PNG per input, named after it (DIR/x.png ->
 * OUT/x.png; FILE.npy row i -> OUT/FILE_i.png; dataset image i -> OUT/NAME_SPLIT_i.png), plus
 * OUT/grid.png with rows input / translated / cycled back. --dataset A or B takes the run's own
 * domain (its test split by default); any other name is loaded at the run's image shape.
 */
import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import * as models from '@cgan/models';
import type { GanDataset } from '@cgan/models';
import { RunError } from '../errors';
import { Io, loggerFor } from '../io';
import { CheckpointStore, disposeCheckpoint } from '../run/checkpoint';
import { writeGrid } from '../run/images';
import { RunDir } from '../run/run_dir';
import { restoreState } from '../run/state';
import { positiveInt, runDirOfCheckpoint, withRebuiltRun } from './common';
import { datasetFor, firstImages, listImages, loadImageFiles, parseSplit } from './encode';

export interface TranslateFlags {
  checkpoint: string;
  input?: string;
  dataset?: string;
  direction: string;
  out: string;
  n: number;
  split?: string;
  data_dir?: string;
}

const DIRECTIONS = ['a2b', 'b2a'] as const;

/** A 4-D (or 3-D grayscale) image array from a .npy file, as float32 [n, h, w, c] in [0, 1]. */
export function readImageNpy(file: string): tf.Tensor4D {
  const buf = fs.readFileSync(file);
  const bad = (why: string) => new RunError(`${file}: ${why}.`, 'save images with numpy.save(file, x) where x is uint8 (0..255) or float32 (0..1) of shape [n, h, w, c]');
  if (buf.length < 10 || buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') throw bad('not a .npy file');
  const major = buf.readUInt8(6);
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const shape = (/['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (/True/.test(/fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1] ?? '')) throw bad('Fortran order is not supported');
  if (shape.length !== 3 && shape.length !== 4) throw bad(`shape (${shape.join(', ')}) is not [n, h, w, c] or [n, h, w]`);
  const dims = shape.length === 3 ? [...shape, 1] : shape;
  const count = dims.reduce((a, b) => a * b, 1);
  const data = buf.subarray(start + hlen);
  let values: Float32Array;
  if (descr === '|u1' || descr === '<u1') values = Float32Array.from(data.subarray(0, count), (v) => v / 255);
  else if (descr === '<f4') values = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + count * 4));
  else if (descr === '<f8') values = Float32Array.from(new Float64Array(data.buffer.slice(data.byteOffset, data.byteOffset + count * 8)));
  else throw bad(`dtype ${descr} is not uint8, float32 or float64`);
  if (values.length !== count) throw bad('the file is shorter than its header says');
  return tf.tensor4d(values, dims as [number, number, number, number]);
}

function pngName(p: string): string {
  return `${path.basename(p).replace(/\.[^.]+$/, '')}.png`;
}

/** Images the command translates, with the output file name of each. */
async function inputs(flags: TranslateFlags, shape: [number, number, number], run: models.UnpairedDataset | null, builtDataset: (name: string) => Promise<GanDataset>): Promise<{ x: tf.Tensor4D; names: string[]; what: string }> {
  if (!!flags.input === !!flags.dataset) throw new RunError('Pass one of --input DIR|FILE.npy and --dataset NAME.');
  const [h, w, c] = shape;
  if (flags.input) {
    if (!fs.existsSync(flags.input)) throw new RunError(`--input '${flags.input}' does not exist.`, 'pass a folder of PNG/JPEG images or a .npy file');
    if (fs.statSync(flags.input).isDirectory()) {
      const files = listImages(flags.input).slice(0, flags.n);
      if (!files.length) throw new RunError(`--input '${flags.input}' holds no PNG or JPEG images.`);
      const rel = files.map((f) => path.relative(flags.input!, f));
      return { x: loadImageFiles(files, shape), names: rel.map((r) => pngName(r.split(path.sep).join('_'))), what: `${files.length} images from ${flags.input}` };
    }
    let x = readImageNpy(flags.input);
    if (x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
      const got = x.shape.slice(1).join('x');
      x.dispose();
      throw new RunError(`${flags.input} holds ${got} images; the run translates ${h}x${w}x${c} images.`, 'resize the images (or pass a folder of PNG/JPEG files: they are resized for you)');
    }
    if (x.shape[0] > flags.n) {
      const cut = tf.slice(x, 0, flags.n) as tf.Tensor4D;
      x.dispose();
      x = cut;
    }
    const stem = path.basename(flags.input).replace(/\.npy$/i, '');
    return { x, names: Array.from({ length: x.shape[0] }, (_, i) => `${stem}_${i}.png`), what: `${x.shape[0]} images from ${flags.input}` };
  }
  const split = parseSplit(flags.split);
  const name = flags.dataset!;
  const ds = run && /^[ab]$/i.test(name) ? run.domain(name.toLowerCase() as 'a' | 'b') : await builtDataset(name);
  const { images } = await firstImages(ds, split, flags.n);
  const tag = /^[ab]$/i.test(name) ? `domain${name.toUpperCase()}` : name;
  return { x: images, names: Array.from({ length: images.shape[0] }, (_, i) => `${tag}_${split}_${i}.png`), what: `${images.shape[0]} ${split} images of ${/^[ab]$/i.test(name) ? `domain ${name.toUpperCase()}` : name}` };
}

export async function translateCommand(flags: TranslateFlags, io: Io): Promise<string[]> {
  const logger = loggerFor(io);
  if (!flags.checkpoint) throw new RunError('--checkpoint is required.', 'pass a run directory or RUN/checkpoints/ckpt-<step>');
  if (!(DIRECTIONS as readonly string[]).includes(flags.direction)) {
    throw new RunError(`--direction '${flags.direction}' is not a direction a CycleGAN checkpoint serves.`, 'use --direction a2b (domain A to B) or --direction b2a');
  }
  const direction = flags.direction as models.Direction;
  const dir = new RunDir(runDirOfCheckpoint(flags.checkpoint));
  return withRebuiltRun(dir, flags.data_dir ?? null, logger, async (built) => {
    const gan = built.gan;
    if (!models.isTranslator(gan)) {
      throw new RunError(`The run in ${dir.root} trains ${gan.constructor.name}, which does not translate between domains.`, 'translate needs a CycleGAN run (options.gan_class = @CycleGAN); for samples of a GAN use `gan sample`');
    }
    const ckpt = CheckpointStore.resolve(path.resolve(flags.checkpoint) === path.resolve(dir.root) ? dir.root : flags.checkpoint);
    for (const s of ckpt.skipped) logger.warn(`${s.reason} Using an earlier checkpoint.`);
    try {
      await restoreState(ckpt, gan, built.store, null);
    } finally {
      disposeCheckpoint(ckpt);
    }
    const run = models.isUnpaired(built.dataset) ? built.dataset : null;
    const { x, names, what } = await inputs(flags, gan.imageShape, run, (name) => datasetFor(name, built, flags.data_dir, logger.info));
    fs.mkdirSync(flags.out, { recursive: true });
    const { translated, cycled } = gan.translateAndCycle(x, direction);
    const written: string[] = [];
    let gridName = 'grid.png';
    try {
      for (let i = 0; i < names.length; i++) {
        const file = path.join(flags.out, names[i]);
        const one = tf.slice(translated, i, 1) as tf.Tensor4D;
        writeGrid(file, one, { cols: 1, scale: 1, gap: 0 });
        one.dispose();
        written.push(file);
      }
      const grid = tf.concat([x, translated, cycled], 0) as tf.Tensor4D;
      // grid.png, unless an input is itself named grid.png (e.g. translating an earlier output folder).
      gridName = names.includes('grid.png') ? 'grid_overview.png' : 'grid.png';
      writeGrid(path.join(flags.out, gridName), grid, { cols: x.shape[0] });
      grid.dispose();
    } finally {
      tf.dispose([x, translated, cycled]);
    }
    io.out(`wrote ${written.length} translations (${direction}) of ${what} to ${flags.out}/, and ${gridName} (rows: input, translated, cycled back); checkpoint step ${ckpt.step}\n`);
    return written;
  });
}

export function registerTranslate(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('translate')
    .description('Translate images with a trained CycleGAN: one PNG per input, named after it, and grid.png (input / translated / cycled).')
    .requiredOption('--checkpoint <path>', 'run directory (newest checkpoint) or RUN/checkpoints/ckpt-<step>')
    .option('--input <path>', 'folder of PNG/JPEG images, or a .npy file of [n, h, w, c] images (uint8 or float in [0, 1])')
    .option('--dataset <name>', "A or B (the run's domains), or a dataset name")
    .option('--direction <dir>', 'a2b or b2a', 'a2b')
    .requiredOption('--out <dir>', 'output folder')
    .option('--n <n>', 'at most this many images', positiveInt('--n'), 64)
    .option('--split <split>', 'dataset split: train or test', 'test')
    .option('--data_dir <dir>', 'where datasets are looked for')
    .action((opts: TranslateFlags) => run(translateCommand(opts, io)));
}
