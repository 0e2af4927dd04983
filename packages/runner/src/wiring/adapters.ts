/**
 * The runner's view of @cgan/models: runtime (backend, seed), options, datasets and GAN
 * construction. Each is a small function so the container (./container) stays declarative.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as models from '@cgan/models';
import { config, registry } from '@cgan/config-lang';
import type { DatasetInfo, GanDataset, GanRuntime, GanVariant } from '@cgan/models';
import { RunError } from '../errors';

const m = models as unknown as Record<string, unknown>;
const fn = <T>(name: string): T | undefined => (typeof m[name] === 'function' ? (m[name] as T) : undefined);

export interface RuntimeInfo {
  backend: string;
  seed: number;
}

/** Selects the TF.js backend and the seed from `runtime.backend` / `runtime.seed`. */
export async function setupRuntime(): Promise<RuntimeInfo> {
  const init = fn<() => Promise<RuntimeInfo> | RuntimeInfo>('initRuntime') ?? fn<() => Promise<RuntimeInfo> | RuntimeInfo>('setupRuntime');
  if (init) {
    const r = await init();
    return { backend: r.backend ?? tf.getBackend(), seed: r.seed ?? 0 };
  }
  // runtime module not present: the cpu backend, seed 0.
  await import('@tensorflow/tfjs-backend-cpu');
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  await tf.ready();
  return { backend: tf.getBackend(), seed: 0 };
}

export interface RunOptions {
  batch_size: number;
  gan_class: unknown;
  architecture: unknown;
  training_steps: number;
  lambda: number;
  disc_iters: number;
  z_dim: number;
}

/** compare_gan's `options` dict (bindings applied). */
export function readOptions(): RunOptions {
  const get = fn<() => RunOptions>('getOptions');
  if (get) return get();
  if (registry.match('options').length) return (registry.lookup('options').wrapped as () => RunOptions)();
  throw new RunError('No `options` configurable is registered: @cgan/models is incomplete.');
}

export interface DatasetRequest {
  dataDir: string | null;
  seed: number;
  /** Use the `fake` dataset when the configured one cannot be loaded (dry runs). */
  fakeDataFallback: boolean;
  log: (msg: string) => void;
}

/** The dataset named by `dataset.name` (with `labels.fraction` applied), loaded into memory. */
export async function loadDataset(req: DatasetRequest): Promise<{ dataset: GanDataset; note?: string }> {
  const overrides = req.dataDir ? { data_dir: req.dataDir } : {};
  try {
    return { dataset: await models.createDataset({ seed: req.seed, overrides, log: req.log }) };
  } catch (e) {
    if (!req.fakeDataFallback) throw e;
    const settings = models.datasetConfig({});
    const shape = knownShapes[settings.name];
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    const dataset = await models.createDataset({
      seed: req.seed,
      overrides: {
        name: 'fake',
        resolution: settings.resolution ?? shape?.[0] ?? null,
        colors: settings.colors ?? shape?.[2] ?? null,
        num_classes: shape?.[3] ?? null,
        num_train_examples: 256,
        num_test_examples: 64,
      },
      log: req.log,
    });
    return {
      dataset,
      note: `dataset '${settings.name}' could not be loaded (${reason}); this dry run uses the 'fake' dataset of shape ${dataset.info.imageShape.join('x')} instead`,
    };
  }
}

/** [height, width, channels, classes] of Compare GAN datasets, to dry-run with fake data of the right shape. */
export const knownShapes: Record<string, [number, number, number, number]> = {
  mnist: [28, 28, 1, 10],
  'fashion-mnist': [28, 28, 1, 10],
  cifar10: [32, 32, 3, 10],
  celeb_a: [64, 64, 3, 1],
  'lsun-bedroom': [128, 128, 3, 1],
  celeb_a_hq_128: [128, 128, 3, 1],
  imagenet_128: [128, 128, 3, 1000],
};

/**
 * Constructs `options.gan_class` with the runtime objects as kwargs (no switch over variants).
 * `parameters` (compare_gan's options dict) is passed when the caller overrides it, e.g. a dry
 * run building at a small batch size (variable shapes do not depend on it).
 */
export function constructGan(ganClass: unknown, runtime: GanRuntime & { parameters?: RunOptions }): GanVariant {
  if (typeof ganClass !== 'function') {
    throw new RunError(`options.gan_class must be a reference to a GAN class such as @ModularGAN, got ${JSON.stringify(ganClass)}.`, "write 'options.gan_class = @ModularGAN'");
  }
  const info = registry.infoOf(ganClass);
  if (info && info.kind !== 'class') {
    throw new RunError(`options.gan_class refers to '${info.fullName}', which is a function, not a GAN class.`, 'use @ModularGAN, @SSGAN, @S3GAN, ...');
  }
  const gan = new (ganClass as new (kw: GanRuntime) => GanVariant)(runtime);
  for (const k of ['build', 'trainStep', 'sample', 'sampleZ', 'optimizerState', 'setOptimizerState'] as const) {
    if (typeof (gan as unknown as Record<string, unknown>)[k] !== 'function') {
      throw new RunError(`options.gan_class '${info?.fullName ?? (ganClass as Function).name}' does not implement GanVariant (no ${k}()).`);
    }
  }
  return gan;
}

export type { DatasetInfo };
