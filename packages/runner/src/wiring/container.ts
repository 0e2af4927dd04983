/**
 * The dependency-injection container of a run. Services (runtime, options, run_config, rng,
 * variable store, dataset, GAN, logger, run directory) are registered under the tokens below;
 * the GAN is whatever class `options.gan_class` refers to, constructed with
 * {datasetInfo, store, rng}. Adding a configurable GAN class makes it selectable: there is no
 * list of variants here.
 */
import 'reflect-metadata';
import { container as rootContainer, DependencyContainer, instanceCachingFactory } from 'tsyringe';
import { Rng, VariableStore } from '@cgan/models';
import type { GanDataset, GanVariant } from '@cgan/models';
import { loadGinConfig } from '../gin';
import { checkRunBudget } from '../run/budget';
import { constructGan, loadDataset, readOptions, RunOptions, RuntimeInfo, setupRuntime } from './adapters';
import { RunConfig, runConfig } from './run_config';
import './compare_gan_datasets';
import { asConfigProblem } from '../errors';
import { assertRunConfig } from './run_config_problems';

export const TOKENS = {
  Spec: Symbol('RunSpec'),
  Logger: Symbol('Logger'),
  Runtime: Symbol('RuntimeInfo'),
  Options: Symbol('RunOptions'),
  RunConfig: Symbol('RunConfig'),
  Rng: Symbol('Rng'),
  Store: Symbol('VariableStore'),
  Dataset: Symbol('GanDataset'),
  Gan: Symbol('GanVariant'),
  RunDir: Symbol('RunDir'),
} as const;

export interface RunSpec {
  ginConfigs: string[];
  ginBindings: string[];
  dataDir: string | null;
  /** Fall back to the `fake` dataset when the configured one is missing (dry runs). */
  fakeDataFallback: boolean;
  /** Build the networks at this batch size instead of options.batch_size (dry runs). */
  buildBatchSize?: number;
  /** Only the data's shape matters (`gan config check`): read file headers instead of the data when the dataset can. */
  probeData?: boolean;
  /** Directories searched for included files (`gan config check -I`). */
  searchPaths?: string[];
  /** The seed of the run being continued, used when the config binds no runtime.seed. */
  reuseSeed?: number | null;
}

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface BuiltRun {
  container: DependencyContainer;
  runtime: RuntimeInfo;
  options: RunOptions;
  runConfig: RunConfig;
  rng: Rng;
  store: VariableStore;
  dataset: GanDataset;
  /** Set when the dataset was replaced by `fake`. */
  datasetNote?: string;
  gan: GanVariant;
}

/** Parses the config and builds every service of the run (the GAN is constructed, not built). */
export async function buildRun(spec: RunSpec, logger: Logger): Promise<BuiltRun> {
  loadGinConfig(spec.ginConfigs, spec.ginBindings, spec.searchPaths);
  assertRunConfig();
  const c = rootContainer.createChildContainer();
  c.register(TOKENS.Spec, { useValue: spec });
  c.register(TOKENS.Logger, { useValue: logger });

  const runtime = await asConfigProblem('Could not set up the runtime', () => setupRuntime(spec.reuseSeed ?? null, (l) => logger.info(l)));
  c.register(TOKENS.Runtime, { useValue: runtime });
  const options = await asConfigProblem('Invalid options', () => readOptions());
  c.register(TOKENS.Options, { useValue: options });
  c.register(TOKENS.RunConfig, { useValue: await asConfigProblem('Invalid run_config', () => runConfig({} as RunConfig)) });

  const rng = new Rng(runtime.seed >>> 0);
  c.register(TOKENS.Rng, { useValue: rng });
  const store = new VariableStore();
  c.register(TOKENS.Store, { useValue: store });
  try {
    return await buildServices(c, spec, logger, runtime, options, rng, store);
  } catch (e) {
    store.dispose();
    throw e;
  }
}

async function buildServices(
  c: DependencyContainer,
  spec: RunSpec,
  logger: Logger,
  runtime: RuntimeInfo,
  options: RunOptions,
  rng: Rng,
  store: VariableStore,
): Promise<BuiltRun> {
  const { dataset, note } = await asConfigProblem('Could not load the dataset', () => loadDataset({
    dataDir: spec.dataDir,
    seed: runtime.seed,
    fakeDataFallback: spec.fakeDataFallback,
    probeOnly: spec.probeData,
    log: (m) => logger.info(m),
  }));
  c.register(TOKENS.Dataset, { useValue: dataset });
  checkRunBudget({ batchSize: options.batch_size, zDim: options.z_dim, numSamples: c.resolve<RunConfig>(TOKENS.RunConfig).num_samples, imageShape: dataset.info.imageShape });
  c.register(TOKENS.Gan, {
    useFactory: instanceCachingFactory((k) =>
      constructGan(k.resolve<RunOptions>(TOKENS.Options).gan_class, {
        datasetInfo: k.resolve<GanDataset>(TOKENS.Dataset).info,
        store: k.resolve<VariableStore>(TOKENS.Store),
        rng: k.resolve<Rng>(TOKENS.Rng),
        ...(spec.buildBatchSize ? { parameters: { ...options, batch_size: Math.min(options.batch_size, spec.buildBatchSize) } } : {}),
      }),
    ),
  });
  const gan = await asConfigProblem('Could not construct options.gan_class', () => c.resolve<GanVariant>(TOKENS.Gan));
  return {
    container: c,
    runtime,
    options,
    runConfig: c.resolve<RunConfig>(TOKENS.RunConfig),
    rng,
    store,
    dataset,
    datasetNote: note,
    gan,
  };
}

/**
 * Releases a run's tensors (TF.js variable names are process-wide, so a second run in the
 * same process needs the first one's variables gone).
 */
export function disposeRun(built: BuiltRun): void {
  built.store.dispose();
}

/** Builds a run, runs `fn` with it, and always releases it. */
export async function withRun<T>(spec: RunSpec, logger: Logger, fn: (built: BuiltRun) => Promise<T>): Promise<T> {
  const built = await buildRun(spec, logger);
  try {
    return await fn(built);
  } finally {
    disposeRun(built);
  }
}
