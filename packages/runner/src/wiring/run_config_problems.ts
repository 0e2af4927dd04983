/**
 * What `gan train` needs of a config beyond the language, checked on the bound configuration
 * alone (no TensorFlow.js: `gan config check` runs these with its registry checks, at start-up
 * speed, before it builds; `buildRun` runs them again on the process-wide config):
 * - `dataset.name` is bound (compare_gan's datasets.get_dataset(name=gin.REQUIRED));
 * - the required parameters of `options` (runner_lib's options dict: batch_size, gan_class,
 *   architecture, training_steps) are bound, all reported at once with the message the call
 *   itself would give;
 * - a parameter that takes a callable (`@configurable` type, e.g. G.batch_norm_fn) is not
 *   bound to an evaluated reference `@fn()`, which would pass fn's result instead.
 */
import { config as globalConfig, Config, ConfigError, ConfigErrors, ConfigurableReference, registry } from '@cgan/config-lang';

/** Errors in the bound config (loaded in the process-wide config) that would fail a run. */
export function runConfigProblems(config: Config = globalConfig): ConfigError[] {
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
  const [options] = registry.match('runner_lib.options');
  if (options) errors.push(...config.missingRequired(options));
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
