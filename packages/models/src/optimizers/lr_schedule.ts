/**
 * Learning-rate schedules, usable by every variant: `lr_schedule` returns a multiplier by step
 * (lr = base_lr * schedule(step)); the runner's LR-schedule hook sets each declared optimizer's
 * rate before every step (`setLearningRate`).
 *
 *   lr_schedule.decay = "none"     constant (the default: runs are unchanged)
 *   lr_schedule.decay = "linear"   constant until decay_start_step, then linear to zero at
 *                                  decay_end_step (CycleGAN: 100 epochs constant + 100 decaying,
 *                                  i.e. decay_start_step = training_steps / 2)
 * Gin scopes select a schedule per optimizer where a variant asks for one in a scope
 * (e.g. `d/lr_schedule.decay`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';

/** Multiplier of the base learning rate at a (0-based) step. */
export type LrSchedule = ((step: number) => number) & { describe?: string };

export interface LrScheduleArgs {
  decay: 'none' | 'linear';
  decay_start_step: number | null;
  decay_end_step: number | null;
}

/** The bound schedule parameters (checked); `lrScheduleFor` turns them into a multiplier. */
export const lr_schedule = configurable(
  'lr_schedule',
  {
    module: 'lr_schedule',
    params: {
      decay: { default: 'none', type: t.oneOf('none', 'linear'), doc: 'none: constant; linear: constant, then linear to 0' },
      decay_start_step: { default: null, type: t.optional(t.int), doc: 'None: half of the decay end' },
      decay_end_step: { default: null, type: t.optional(t.int), doc: 'None: options.training_steps' },
    },
  },
  (kw: LrScheduleArgs): LrScheduleArgs => ({ ...kw }),
);

/** A multiplier from schedule parameters, for a run of `trainingSteps` steps (null: constant). */
export function makeLrSchedule(kw: LrScheduleArgs, trainingSteps: number): LrSchedule | null {
  if (kw.decay === 'none') return null;
  const end = kw.decay_end_step ?? trainingSteps;
  const start = kw.decay_start_step ?? Math.floor(end / 2);
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start)) {
    throw new Error(`lr_schedule: decay_start_step (${start}) must be >= 0 and below decay_end_step (${end}); set lr_schedule.decay_start_step / decay_end_step.`);
  }
  const f: LrSchedule = (step: number) => (step < start ? 1 : Math.max(0, (end - step) / (end - start)));
  f.describe = `constant until step ${start}, then linear to 0 at step ${end}`;
  return f;
}

/** The schedule bound in the current Gin scope, for a run of `trainingSteps` steps (null: constant). */
export function lrScheduleFor(trainingSteps: number): LrSchedule | null {
  return makeLrSchedule(lr_schedule({} as never), trainingSteps);
}

/** Sets an optimizer's learning rate (tfjs SGD/Momentum cache it as a tensor, hence their setter). */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (o.learningRate === lr) return;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** An optimizer's current learning rate, when it has a numeric one. */
export function learningRateOf(opt: tf.Optimizer): number | undefined {
  const lr = (opt as unknown as { learningRate?: unknown }).learningRate;
  return typeof lr === 'number' ? lr : undefined;
}
