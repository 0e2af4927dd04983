/**
 * What `gan train` needs of a config beyond the language (shared by train, its dry run and
 * `gan config check`, so that both give the same message for the same mistake):
 * - `dataset.name` is bound (compare_gan's datasets.get_dataset(name=gin.REQUIRED));
 * - a parameter that takes a callable (`@configurable` type, e.g. G.batch_norm_fn) is not
 *   bound to an evaluated reference `@fn()`, which would pass fn's result instead;
 * - then the run builds: options (required parameters, architecture names), the dataset (or
 *   `fake` data of its shape when its files are missing), the GAN class and its networks.
 */
import { config, ConfigError, ConfigErrors, ConfigurableReference, registry } from '@cgan/config-lang';
import { asConfigProblem } from '../errors';
import { buildRun, BuiltRun, disposeRun, Logger, RunSpec } from './container';

/** Errors in the bound config (loaded in the process-wide config) that would fail a run. */
export function runConfigProblems(): ConfigError[] {
  const errors: ConfigError[] = [];
  const datasetNames = new Set(registry.match('dataset').map((i) => i.fullName));
  if (!config.allBindings().some((b) => datasetNames.has(b.fullName) && b.param === 'name' && !b.scope.length)) {
    errors.push(
      new ConfigError(
        'dataset.name is not set: a run needs a dataset.',
        undefined,
        "bind it, e.g. dataset.name = 'fashion-mnist' (mnist, cifar10, shapes, image_folder, ...: `gan config check` lists the choices when the name is wrong)",
      ),
    );
  }
  for (const b of config.allBindings()) {
    const v = b.value;
    if (!(v instanceof ConfigurableReference) || !v.evaluate) continue;
    const p = registry.match(b.fullName)[0]?.params.get(b.param);
    if (p?.type.name.startsWith('@configurable')) {
      const name = `${b.scope.length ? b.scope.join('/') + '/' : ''}${b.fullName.split('.').pop()}.${b.param}`;
      errors.push(
        new ConfigError(
          `${name} takes a callable, but @${v.scopedName}() is an evaluated reference: ${v.selector} would be called once, with no arguments, when the config is resolved, and its result passed.`,
          v.location ?? b.location,
          `write @${v.scopedName} (no parentheses) to pass the configurable itself`,
        ),
      );
    }
  }
  return errors;
}

export function assertRunConfig(): void {
  const errors = runConfigProblems();
  if (errors.length === 1) throw errors[0];
  if (errors.length) throw new ConfigErrors(errors);
}

/**
 * Builds the run as a dry run does (fake data when the dataset is missing) and its networks at
 * a small batch (variable shapes do not depend on it: batch 2, then options.batch_size for
 * variants whose heads need more, which also gives the error at the size train would use). The
 * caller disposes the result.
 */
export async function buildForCheck(spec: Omit<RunSpec, 'fakeDataFallback' | 'buildBatchSize'>, logger: Logger, quiet: Logger): Promise<BuiltRun> {
  const attempts = [2, undefined];
  for (let i = 0; ; i++) {
    const built = await buildRun({ ...spec, fakeDataFallback: true, buildBatchSize: attempts[i] }, i === 0 ? logger : quiet);
    try {
      await asConfigProblem('Could not build the networks', () => built.gan.build());
      return built;
    } catch (e) {
      disposeRun(built);
      if (i === attempts.length - 1) throw e;
    }
  }
}
