/**
 * `run_config`: compare_gan's runner settings (runner_lib / main.py `_get_run_config`), plus
 * the few the Node runner adds. TPU-only settings are accepted so that Compare GAN configs run
 * unchanged, and reported as ignored.
 */
import { config, configurable, jsToConfigValue, registry, t, valuesEqual } from '@cgan/config-lang';

export interface RunConfig {
  save_checkpoints_steps: number;
  keep_checkpoint_max: number;
  /** Accepted for Compare GAN configs; a TPU host-loop setting with no meaning here. */
  iterations_per_loop: number;
  single_core: boolean;
  tf_random_seed: number | null;
  /** Write a metrics.jsonl record every N steps. */
  log_every_steps: number;
  /** Write samples/step-N.png every N steps (None: with every checkpoint). */
  save_samples_steps: number | null;
  /** Images in each sample grid. */
  num_samples: number;
  /** What `gan train` runs (its --schedule flag overrides it): usable from config and sweep files. */
  schedule: 'train' | 'eval_after_train' | 'continuous_eval';
  /** Evaluate every N steps (continuous_eval; --eval_every_steps overrides it). */
  eval_every_steps: number;
}

export const runConfig = configurable(
  'run_config',
  {
    params: {
      tf_random_seed: { default: null, type: t.optional(t.int), doc: 'TPU-era seed; ignored: use runtime.seed' },
      single_core: { default: false, type: t.bool, doc: 'TPU-only; ignored' },
      iterations_per_loop: { default: 1000, type: t.int, doc: 'TPU host loop length; ignored' },
      save_checkpoints_steps: { default: 5000, type: t.int, doc: 'write a checkpoint every N steps' },
      keep_checkpoint_max: { default: 5, type: t.int, doc: 'keep at most N checkpoints (0: all)' },
      log_every_steps: { default: 1, type: t.int, doc: 'metrics.jsonl record every N steps' },
      save_samples_steps: { default: null, type: t.optional(t.int), doc: 'sample grid every N steps (None: with checkpoints)' },
      num_samples: { default: 64, type: t.int, doc: 'images in each sample grid' },
      schedule: { default: 'train', type: t.oneOf('train', 'eval_after_train', 'continuous_eval'), doc: 'train, eval_after_train or continuous_eval (gan train --schedule overrides it)' },
      eval_every_steps: { default: 5000, type: t.int, doc: 'continuous_eval: evaluate every N steps' },
    },
  },
  (kw: RunConfig): RunConfig => ({ ...kw }),
);

/** Compare GAN's TPU summary writer: accepted, ignored (metrics.jsonl is written every step). */
export const tpuSummaries = configurable(
  'TpuSummaries',
  { params: { save_summary_steps: { default: 250, type: t.int }, save_image_steps: { default: 50, type: t.int } } },
  (kw: Record<string, unknown>) => kw,
);

/** Selectors whose bindings have no effect in this runner, with why. */
const IGNORED: Array<{ selector: string; param?: string; why: string }> = [
  { selector: 'run_config', param: 'iterations_per_loop', why: 'TPU host-loop length' },
  { selector: 'run_config', param: 'single_core', why: 'TPU core selection' },
  { selector: 'run_config', param: 'tf_random_seed', why: 'use runtime.seed' },
  { selector: 'TpuSummaries', why: 'TPU summaries; metrics.jsonl is written instead' },
  { selector: 'options', param: 'discriminator_normalization', why: 'deprecated in Compare GAN' },
];

/** The bound keys that are accepted but ignored, as `selector.param = value (why)` lines. */
export function ignoredBindings(): string[] {
  const out: string[] = [];
  for (const b of config.allBindings()) {
    const hit = IGNORED.find((i) => {
      const m = registry.match(i.selector);
      return m.some((info) => info.fullName === b.fullName) && (!i.param || i.param === b.param);
    });
    // A value equal to the default (as an operative config spells it out) has no effect to warn about.
    const p = registry.match(b.fullName)[0]?.params.get(b.param);
    const def = p?.hasDefault ? jsToConfigValue(p.default) : undefined;
    if (hit && def !== undefined && valuesEqual(def, b.value)) continue;
    if (hit) out.push(`${b.scope.length ? b.scope.join('/') + '/' : ''}${b.fullName}.${b.param} (${hit.why})`);
  }
  return out;
}
