/**
 * The runner's view of @cgan/models: runtime (backend, seed), options, datasets and GAN
 * construction. Each is a small function so the container (./container) stays declarative.
 */
import * as models from '@cgan/models';
import { config, registry } from '@cgan/config-lang';
import type { DatasetInfo, GanDataset, GanRuntime, GanVariant } from '@cgan/models';
import { RunError } from '../errors';

export interface RuntimeInfo {
  backend: string;
  seed: number;
  /** The backend choice and seed, as a line or two for the log. */
  summary: string;
}

/**
 * Selects the TF.js backend and the seed from `runtime.backend` / `runtime.seed`. A run that
 * binds no seed gets one drawn (or, when continuing a run, that run's `reuseSeed`); it is then
 * bound as `runtime.seed` so that the operative config and run.json replay the same run.
 */
export async function setupRuntime(reuseSeed: number | null, log: (line: string) => void): Promise<RuntimeInfo> {
  const bound = config.query('runtime', 'seed');
  const explicit = (bound === undefined || bound === null) && reuseSeed !== null ? { seed: reuseSeed } : {};
  const r = await models.initRuntime(explicit);
  if (bound === undefined || bound === null) {
    config.bind([], 'runtime', 'seed', r.seed);
    models.runtimeOptions({});
  }
  log(r.summary.replace(' (drawn; bind runtime.seed to replay)', ' (drawn; recorded in run.json and the operative config)'));
  return { backend: r.chosen, seed: r.seed, summary: r.summary };
}

/** compare_gan's options dict (see @cgan/models' `options`). */
export type RunOptions = models.GanOptions;

/** compare_gan's `options` dict (bindings applied). */
export function readOptions(): RunOptions {
  return models.getOptions();
}

export interface DatasetRequest {
  dataDir: string | null;
  seed: number;
  /** Use the `fake` dataset when the configured one cannot be loaded (dry runs). */
  fakeDataFallback: boolean;
  /**
   * Only the data's shape is needed (`gan config check`): a dataset that can read it from its
   * files' headers is replaced by `fake` data of that shape, without loading the pixels.
   */
  probeOnly?: boolean;
  log: (msg: string) => void;
}

/**
 * The dataset named by `dataset.name` (with `labels.fraction` applied), loaded into memory;
 * `dataset.name = "unpaired"`: both domains (a/dataset.*, b/dataset.*, or unpaired.folder).
 */
export async function loadDataset(req: DatasetRequest): Promise<{ dataset: GanDataset; note?: string }> {
  // A check never downloads (it opens no network connection: see bin/gan): missing files mean fake data.
  const overrides = { ...(req.dataDir ? { data_dir: req.dataDir } : {}), ...(req.probeOnly ? { download: false } : {}) };
  if (models.datasetConfig({}).name === 'unpaired') {
    return { dataset: await models.createUnpairedDataset({ seed: req.seed, overrides, log: req.log }) };
  }
  try {
    // A check needs the data's shape, not its pixels: file headers, when the dataset can say.
    const probed = req.probeOnly ? await models.probeDataset({ seed: req.seed, overrides, log: req.log }) : undefined;
    if (probed) return { dataset: await fakeDataset(req, [probed.imageShape[0], probed.imageShape[2], probed.numClasses]) };
    return { dataset: await models.createDataset({ seed: req.seed, overrides, log: req.log }) };
  } catch (e) {
    if (!req.fakeDataFallback) throw e;
    const settings = models.datasetConfig({});
    const shape = knownShapes[settings.name];
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    const dataset = await fakeDataset(req, [settings.resolution ?? shape?.[0] ?? null, settings.colors ?? shape?.[2] ?? null, shape?.[3] ?? null]);
    return {
      dataset,
      note: `dataset '${settings.name}' could not be loaded (${reason}); this dry run uses the 'fake' dataset of shape ${dataset.info.imageShape.join('x')} instead`,
    };
  }
}

/** A small `fake` dataset of this [resolution, colors, classes] (null: fake's default), labels.* applied. */
function fakeDataset(req: DatasetRequest, [resolution, colors, classes]: Array<number | null>): Promise<GanDataset> {
  return models.createDataset({
    seed: req.seed,
    overrides: { name: 'fake', resolution, colors, num_classes: classes, num_train_examples: 256, num_test_examples: 64 },
    log: req.log,
  });
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
export function constructGan(ganClass: unknown, runtime: GanRuntime): GanVariant {
  if (typeof ganClass !== 'function') {
    throw new RunError(`options.gan_class must be a reference to a GAN class such as @ModularGAN, got ${JSON.stringify(ganClass)}.`, "write 'options.gan_class = @ModularGAN'");
  }
  const info = registry.infoOf(ganClass);
  if (info && info.kind !== 'class') {
    throw new RunError(`options.gan_class refers to '${info.fullName}', which is a function, not a GAN class.`, 'use @ModularGAN, @SSGAN, @S3GAN, ...');
  }
  const gan = new (ganClass as new (kw: GanRuntime) => GanVariant)(runtime);
  for (const k of ['build', 'trainStep', 'networks', 'optimizers', 'randomStreams', 'preview', 'evalSamplers'] as const) {
    if (typeof (gan as unknown as Record<string, unknown>)[k] !== 'function') {
      throw new RunError(`options.gan_class '${info?.fullName ?? (ganClass as Function).name}' does not implement GanVariant (no ${k}()).`);
    }
  }
  return gan;
}

export type { DatasetInfo };
