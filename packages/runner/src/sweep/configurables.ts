/**
 * The `sweep` configurable and the value distributions, registered so that a sweep file is an
 * ordinary Gin file: `sweep.grid = {...}` is a binding of the `sweep` configurable, and
 * `@uniform`, `@log_uniform`, `@int_uniform`, `@choice` are references the parser accepts.
 * Nothing ever calls them: the sweep planner reads their bindings (see ./spec).
 */
import { configurable, registry, REQUIRED, t } from '@cgan/config-lang';

export const SWEEP_CONFIGURABLE = 'sweep';
export const DISTRIBUTIONS = ['choice', 'uniform', 'log_uniform', 'int_uniform'] as const;
export type DistributionName = (typeof DISTRIBUTIONS)[number];

function inert(name: string) {
  return () => {
    throw new Error(`'${name}' is a sweep statement; run it with 'gan sweep', not as part of a model.`);
  };
}

/** Idempotent: registering twice (CLI + tests) is fine. */
export function registerSweepConfigurables(): void {
  if (registry.match(SWEEP_CONFIGURABLE).some((i) => i.fullName === SWEEP_CONFIGURABLE)) return;
  configurable(SWEEP_CONFIGURABLE, {
    doc: 'Hyperparameter sweep statements (read by `gan sweep`).',
    params: {
      grid: { default: null, type: t.any, doc: "{'Selector.param': [v1, v2, ...]}: every combination" },
      random: { default: null, type: t.any, doc: "{'Selector.param': [choices] | (@uniform, low, high) | ...}: num_trials samples" },
      num_trials: { default: null, type: t.optional(t.int), doc: 'number of random samples' },
      random_seed: { default: 0, type: t.int, doc: 'seed of the random sampling' },
      seeds: { default: null, type: t.optional(t.list(t.int)), doc: 'training seeds: a dimension crossed with every trial' },
      seed_binding: { default: 'runtime.seed', type: t.string, doc: 'the binding that receives each seed' },
      max_trials: { default: 10000, type: t.int, doc: 'refuse to plan more trials than this (raise it explicitly for huge sweeps)' },
      metric: { default: null, type: t.optional(t.string), doc: 'default metric for `gan sweep results/best`' },
      mode: { default: null, type: t.optional(t.oneOf('min', 'max')), doc: "'min' or 'max' for the metric" },
    },
  }, inert(SWEEP_CONFIGURABLE));
  for (const d of DISTRIBUTIONS) {
    configurable(d, { module: 'sweep', doc: `sweep distribution: write (@${d}, ...) in sweep.random`, params: {} }, inert(d));
  }
}

export { REQUIRED };
