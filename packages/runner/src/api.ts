/**
 * The library API of @cgan/runner (what the `gan` commands are built from):
 *
 *   import { train, loadGan, configurable, t } from '@cgan/runner';
 *   const result = await train({ ginConfig: ['my.gin'], ginBindings: ['options.training_steps = 100'], modelDir: 'runs/a' });
 *   const gan = await loadGan('runs/a');              // or 'runs/a/checkpoints/ckpt-000000100'
 *   const images = gan.sample(16);                    // float32 [16, h, w, c] in [0, 1]; dispose it
 *   const z = gan.encode?.(images);                   // GANs with an encoder (BigBiGAN)
 *   const scores = await gan.evaluate({ numSamples: 1000 });   // { 'fid[...]': ..., 'inception_score[...]': ... }
 *   gan.dispose();
 *
 * Register your own configurables (architectures, losses, GAN classes) with `configurable`
 * before calling `train`: they are then usable from Gin files (`options.architecture = "my_arch"`).
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { isNoiseSampler } from '@cgan/models';
import type { DatasetInfo, GanDataset, GanVariant, NoiseSampler } from '@cgan/models';
import { runConfigFile, runDirOfCheckpoint } from './commands/common';
import { evalFlagBindings } from './commands/eval';
import { trainCommand } from './commands/train';
import { RunError } from './errors';
import { evalProgressLogger, requireEvaluator } from './evaluation';
import { Io } from './io';
import { CheckpointStore, disposeCheckpoint } from './run/checkpoint';
import { RunDir } from './run/run_dir';
import { restoreState } from './run/state';
import type { Schedule, TrainResult } from './run/trainer';
import { asConfigProblem } from './errors';
import { buildRun, disposeRun } from './wiring/container';

export interface TrainOptions {
  /** Gin files, in order (later ones override earlier ones). */
  ginConfig?: string[];
  /** Binding strings applied after the files, e.g. 'options.training_steps = 100'. */
  ginBindings?: string[];
  /** The run directory (created; resumed when it holds a run of the same config). */
  modelDir: string;
  /** Default: run_config.schedule (itself 'train' unless bound). */
  schedule?: Schedule;
  evalEverySteps?: number;
  dataDir?: string;
  /** Continue a run in modelDir although its config differs. */
  force?: boolean;
  /** Log lines (default: stderr); `null` for silence. */
  log?: ((line: string) => void) | null;
}

function ioFor(log: ((line: string) => void) | null | undefined): Io {
  const write = log === null ? () => undefined : log ? (s: string) => s.split('\n').filter(Boolean).forEach((l) => log(l)) : (s: string) => void process.stderr.write(s);
  return { out: write, err: write, progressStream: { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream };
}

/** Trains (or resumes) a run, as `gan train` does; resolves when training (and its schedule's evaluation) is done. */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const result = await trainCommand(
    {
      model_dir: opts.modelDir,
      gin_config: opts.ginConfig ?? [],
      gin_bindings: opts.ginBindings ?? [],
      schedule: opts.schedule,
      eval_every_steps: opts.evalEverySteps,
      data_dir: opts.dataDir,
      force: opts.force,
    },
    ioFor(opts.log),
  );
  return result!;
}

export interface EvaluateOptions {
  numSamples?: number;
  /** 'fid', 'inception_score', 'kid', 'prd', 'ms_ssim' (default: the run's metrics.evaluation.metrics). */
  metrics?: string[];
  /** Progress and log lines (default: none). */
  log?: (line: string) => void;
}

/** A trained GAN loaded from a run directory or one of its checkpoints. */
export interface LoadedGan {
  readonly gan: GanVariant;
  readonly dataset: GanDataset;
  readonly info: DatasetInfo;
  /** The checkpoint's step. */
  readonly step: number;
  readonly modelDir: string;
  /** n generated images, float32 [n, h, w, c] in [0, 1] (labels: class ids, for conditional GANs). The caller disposes them. */
  sample(n: number, labels?: number[]): tf.Tensor4D;
  /** E(x) for GANs with an encoder (BigBiGAN); undefined otherwise. */
  encode?: (images: tf.Tensor4D) => tf.Tensor2D;
  /** G(E(x)): images translated through the latent space (GANs with an encoder). */
  reconstruct?: (images: tf.Tensor4D) => tf.Tensor4D;
  /** The run's metrics (FID, IS, ...) at this checkpoint; nothing is written to the run directory. */
  evaluate(opts?: EvaluateOptions): Promise<Record<string, number>>;
  /** Releases the GAN's tensors (TF.js variable names are process-wide: one loaded GAN at a time). */
  dispose(): void;
}

/** Loads a run (its newest checkpoint) or a checkpoint `RUN/checkpoints/ckpt-N` as a GAN object. */
export async function loadGan(runOrCheckpoint: string, opts: { dataDir?: string; ginBindings?: string[]; log?: (line: string) => void } = {}): Promise<LoadedGan> {
  const dir = new RunDir(runDirOfCheckpoint(runOrCheckpoint));
  const log = opts.log ?? (() => undefined);
  const logger = { info: log, warn: (m: string) => log(`warning: ${m}`) };
  const built = await buildRun({ ginConfigs: [runConfigFile(dir)], ginBindings: opts.ginBindings ?? [], dataDir: opts.dataDir ?? null, fakeDataFallback: false }, logger);
  try {
    await asConfigProblem('Could not build the networks', () => built.gan.build());
    // Not finalized: evaluate() binds its settings on top, as `gan eval`'s flags do.
    const ckpt = CheckpointStore.resolve(path.resolve(runOrCheckpoint) === path.resolve(dir.root) ? dir.root : runOrCheckpoint);
    try {
      await restoreState(ckpt, built.gan, built.store, null);
    } finally {
      disposeCheckpoint(ckpt);
    }
    const gan = built.gan;
    const info = built.dataset.info;
    const oneHot = (labels: number[]) => tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), info.numClasses), 'float32')) as tf.Tensor2D;
    const withEncoder = gan as GanVariant & { encode?: (x: tf.Tensor4D) => tf.Tensor2D };
    const loaded: LoadedGan = {
      gan,
      dataset: built.dataset,
      info,
      step: ckpt.step,
      modelDir: dir.root,
      sample(n, labels) {
        if (!isNoiseSampler(gan)) throw new RunError(`${gan.constructor.name} does not generate images from noise; it has no sample(n).`);
        if (labels && labels.length !== n) throw new RunError(`sample(${n}, labels): ${labels.length} labels for ${n} samples.`);
        const z = gan.sampleZ(n);
        const y = gan.conditional && info.numClasses > 0 ? oneHot(labels ?? Array.from({ length: n }, (_, i) => i % info.numClasses)) : null;
        try {
          return tf.tidy(() => (gan as GanVariant & NoiseSampler).sample(z, y));
        } finally {
          tf.dispose([z, ...(y ? [y] : [])]);
        }
      },
      async evaluate(o = {}) {
        const evaluator = requireEvaluator();
        // Settings as `gan eval`'s flags: bound on top of the run's config for this call.
        for (const line of evalFlagBindings({ num_samples: o.numSamples, metrics: o.metrics })) {
          const [lhs, rhs] = line.split(' = ');
          const param = lhs.split('.').pop()!;
          config.bind([], 'metrics.evaluation', param, rhs.startsWith('[') ? JSON.parse(rhs.replace(/'/g, '"')) : Number(rhs));
        }
        const say = o.log ?? (() => undefined);
        return evaluator({ gan, dataset: built.dataset, step: ckpt.step, modelDir: dir.root, rng: built.rng.fork(`api-eval/${ckpt.step}`), log: say, progress: evalProgressLogger(ckpt.step, say) });
      },
      dispose: () => disposeRun(built),
    };
    if (typeof withEncoder.encode === 'function') {
      loaded.encode = (x) => withEncoder.encode!(x);
      if (isNoiseSampler(gan)) loaded.reconstruct = (x) => tf.tidy(() => gan.sample(withEncoder.encode!(x), null));
    }
    return loaded;
  } catch (e) {
    disposeRun(built);
    throw e;
  }
}
