/**
 * Training hooks, as compare_gan's runner_lib assembles its SessionRunHooks: `Trainer.train` is a
 * short step loop (draw batches, `gan.trainStep`, count) and everything else -- LR schedules,
 * divergence, the metrics log, progress, sample grids, checkpoints, the report, evaluation,
 * signals -- is a hook. A hook implements any of:
 *
 *   begin(ctx)              once, after resuming, before the first step of this process
 *   beforeStep(ctx, step)   before each step; `step` = 0-based index of the step about to run
 *   afterStep(ctx, ev)      after each step; ev.step = steps done (1-based), ev.summaries, timing
 *   afterSamples(ctx, ev)   after a sample grid is written (ev.step, ev.file, ev.preview)
 *   afterEval(ctx, ev)      after an evaluation (ev.step, ev.metrics), also after end()
 *   end(ctx, outcome)       once, always (normal end, stop signal, divergence, crash)
 *
 * Hooks run in list order (`defaultHooks`, then `TrainOptions.hooks`), `end` too; a hook that
 * throws stops the run (every `end` still runs, told the error; an error in `end` is logged). Hooks share the `HookContext`: the run's
 * objects, the live train state, and actions (write a checkpoint, samples, evaluate).
 * See docs/ARCHITECTURE.md ("Training hooks").
 */
import type { GanDataset, GanVariant, Preview, VariableStore } from '@cgan/models';
import { setLearningRate } from '@cgan/models';
import { DivergenceError, RunError } from '../errors';
import type { RunOptions } from '../wiring/adapters';
import type { Logger } from '../wiring/container';
import type { RunConfig } from '../wiring/run_config';
import { watchHook } from './health_monitor';
import { learningRates } from './optimizer_exact';
import type { Progress } from './progress';
import { writeReport } from './report';
import type { RunDir } from './run_dir';
import type { TrainState } from './state';

export type Schedule = 'train' | 'eval_after_train' | 'continuous_eval';

/** What every hook sees. */
export interface HookContext {
  readonly gan: GanVariant;
  readonly dataset: GanDataset;
  /** Every variable of the run (weights, EMA copies, statistics). */
  readonly store: VariableStore;
  readonly dir: RunDir;
  readonly runConfig: RunConfig;
  readonly options: RunOptions;
  readonly logger: Logger;
  readonly schedule: Schedule;
  /** The step this process started at (after resuming) and the last step of the run. */
  readonly startStep: number;
  readonly total: number;
  /** Live: the steps done and batches consumed so far. */
  readonly state: TrainState;
  /** The newest checkpoint folder (null before the first) and the step it holds. */
  lastCheckpoint: string | null;
  lastCheckpointStep: number | null;
  /** Log a line (through the progress display while training). */
  log(msg: string): void;
  /** Writes a checkpoint of the current state (and records it in lastCheckpoint*). */
  checkpoint(): Promise<string>;
  /** Writes the sample grid of `step` (the variant's preview); returns the file. */
  writeSamples(step: number): Promise<string>;
  /** Evaluates at `step` (eval.jsonl); the training streams are left as they were. */
  evaluate(step: number): Promise<void>;
}

export interface StepEvent {
  /** Steps done, including this one (1-based). */
  step: number;
  summaries: Record<string, number>;
  stepsPerSec: number;
  elapsedSec: number;
  /** More fields for this step's metrics.jsonl record, filled by hooks before metrics_log (health). */
  fields: Record<string, unknown>;
}

export interface SamplesEvent {
  step: number;
  file: string;
  /** The variant's preview (its images are disposed after the hooks ran). */
  preview: Preview;
}

export interface EndOutcome {
  /** Set when the run stops by an error (divergence, stop signal, crash). */
  error?: unknown;
}

export interface TrainHook {
  readonly name: string;
  begin?(ctx: HookContext): void | Promise<void>;
  beforeStep?(ctx: HookContext, step: number): void | Promise<void>;
  afterStep?(ctx: HookContext, ev: StepEvent): void | Promise<void>;
  afterSamples?(ctx: HookContext, ev: SamplesEvent): void | Promise<void>;
  afterEval?(ctx: HookContext, ev: { step: number; metrics: Record<string, number> }): void | Promise<void>;
  end?(ctx: HookContext, outcome: EndOutcome): void | Promise<void>;
}

/** Sets each declared optimizer's learning rate to baseLr * schedule(step) before the step. */
export const lrScheduleHook = (): TrainHook => ({
  name: 'lr_schedule',
  beforeStep(ctx, step) {
    for (const o of ctx.gan.optimizers()) if (o.schedule) setLearningRate(o.optimizer, o.baseLr * o.schedule(step));
  },
});

/** A NaN/Inf summary stops the run, naming it and the last good checkpoint. */
export const divergenceHook = (): TrainHook => ({
  name: 'divergence',
  afterStep(ctx, ev) {
    for (const [k, v] of Object.entries(ev.summaries)) {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new DivergenceError(ev.step, k, v, ctx.lastCheckpoint);
    }
  },
});

/** After the first step of this process (the operative config is complete), writes it. */
export const operativeConfigHook = (write: (startStep: number) => string | void): TrainHook => ({
  name: 'operative_config',
  afterStep(ctx, ev) {
    if (ev.step !== ctx.startStep + 1) return;
    const line = write(ctx.startStep);
    if (line) ctx.log(line);
  },
});

/** metrics.jsonl every run_config.log_every_steps and at the last step: summaries, learning rates, timing. */
export const metricsLogHook = (): TrainHook => ({
  name: 'metrics_log',
  afterStep(ctx, ev) {
    const every = Math.max(1, ctx.runConfig.log_every_steps);
    if (ev.step % every !== 0 && ev.step !== ctx.total) return;
    ctx.dir.metrics.append({ step: ev.step, ...ev.summaries, ...learningRates(ctx.gan), ...ev.fields, wall: { steps_per_sec: round(ev.stepsPerSec), elapsed_sec: round(ev.elapsedSec) } });
  },
});

/** The progress bar (or periodic lines). */
export const progressHook = (progress: Progress): TrainHook => ({
  name: 'progress',
  begin(ctx) {
    progress.start(ctx.total, ctx.state.step);
  },
  afterStep(_ctx, ev) {
    progress.update(ev.step, ev.stepsPerSec, ev.summaries);
  },
  end() {
    progress.stop();
  },
});

export const checkpointDue = (ctx: HookContext, step: number) => step % Math.max(1, ctx.runConfig.save_checkpoints_steps) === 0 || step === ctx.total;

/** samples/step-N.png every run_config.save_samples_steps (default: with each checkpoint). */
export const sampleGridHook = (): TrainHook => ({
  name: 'sample_grid',
  async afterStep(ctx, ev) {
    const every = ctx.runConfig.save_samples_steps ?? Math.max(1, ctx.runConfig.save_checkpoints_steps);
    if (ev.step % every === 0 || checkpointDue(ctx, ev.step)) await ctx.writeSamples(ev.step);
  },
});

/** A checkpoint every run_config.save_checkpoints_steps and at the last step, then the report. */
export const checkpointHook = (): TrainHook => ({
  name: 'checkpoint',
  async afterStep(ctx, ev) {
    if (!checkpointDue(ctx, ev.step)) return;
    await ctx.checkpoint();
    writeReport({ modelDir: ctx.dir.root, live: ev.step < ctx.total || ctx.schedule !== 'train' });
  },
});

/** --schedule continuous_eval: every evalEverySteps; eval_after_train: after the last step. */
export const evaluationHook = (evalEverySteps: number): TrainHook => ({
  name: 'evaluation',
  async afterStep(ctx, ev) {
    if (ctx.schedule === 'continuous_eval' && ev.step % evalEverySteps === 0) await ctx.evaluate(ev.step);
  },
  async end(ctx, outcome) {
    if (!outcome.error && ctx.schedule === 'eval_after_train') await ctx.evaluate(ctx.state.step);
  },
});

/** report.html once more at the end, whatever the outcome (it shows a diverged run too). */
export const reportHook = (): TrainHook => ({
  name: 'report',
  end(ctx) {
    writeReport({ modelDir: ctx.dir.root });
  },
});

/**
 * Ctrl-C / SIGTERM: finish the current step, checkpoint it, then stop with exit code 130
 * (a second signal exits at once).
 */
export const signalHook = (): TrainHook => {
  let stopSignal: NodeJS.Signals | null = null;
  let log: (m: string) => void = () => undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopSignal) process.exit(130);
    stopSignal = sig;
    log(`${sig}: stopping after this step (a checkpoint will be written; ${sig} again to quit at once)`);
  };
  return {
    name: 'signals',
    begin(ctx) {
      log = (m) => ctx.log(m);
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    },
    async afterStep(ctx, ev) {
      if (!stopSignal) return;
      if (ctx.lastCheckpointStep !== ev.step) await ctx.checkpoint();
      throw new RunError(`Stopped by ${stopSignal} at step ${ev.step} of ${ctx.total}; checkpoint ${ctx.lastCheckpoint} written.`, 'rerun the same command to resume', 130);
    },
    end() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
};

/** A hook from a plain callback after each step (tests use it to simulate a crash). */
export const callbackHook = (name: string, fn: (step: number) => void): TrainHook => ({
  name,
  afterStep(_ctx, ev) {
    fn(ev.step);
  },
});

export interface DefaultHookOptions {
  progress: Progress;
  evalEverySteps: number;
  onOperativeConfig?: (startStep: number) => string | void;
  handleSignals?: boolean;
  afterStep?: (step: number) => void;
  /** Gradient health, the GAN doctor and TensorBoard (default: on). */
  watch?: boolean;
}

/** The runner's hooks, in order (compare_gan's runner_lib assembles the same kinds). */
export function defaultHooks(o: DefaultHookOptions): TrainHook[] {
  return [
    lrScheduleHook(),
    progressHook(o.progress),
    divergenceHook(),
    ...(o.onOperativeConfig ? [operativeConfigHook(o.onOperativeConfig)] : []),
    // Samples, then watching (sample diversity, gradient health into the record), then the record.
    sampleGridHook(),
    ...(o.watch === false ? [] : [watchHook()]),
    metricsLogHook(),
    checkpointHook(),
    evaluationHook(o.evalEverySteps),
    reportHook(),
    ...(o.afterStep ? [callbackHook('after_step', o.afterStep)] : []),
    ...(o.handleSignals ? [signalHook()] : []),
  ];
}

const round = (x: number) => Math.round(x * 1000) / 1000;
