/**
 * The training loop: resume from the newest loadable checkpoint, then a short step loop (draw
 * `disc_iters` batches, `gan.trainStep`, count) with hooks around it (./hooks.ts: LR schedules,
 * divergence, metrics log, progress, sample grids, checkpoints, report, evaluation, signals).
 */
import 'reflect-metadata';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'tsyringe';
import { disposeBatch } from '@cgan/models';
import type { Batch, GanDataset, GanVariant, Rng, VariableStore } from '@cgan/models';
import { RunError } from '../errors';
import { evaluatedSteps, evaluateStep } from '../evaluation';
import { Logger, TOKENS } from '../wiring/container';
import type { RunOptions } from '../wiring/adapters';
import type { RunConfig } from '../wiring/run_config';
import { disposeCheckpoint } from './checkpoint';
import { DefaultHookOptions, defaultHooks, HookContext, Schedule, TrainHook } from './hooks';
import { writeGrid } from './images';
import { writeReport } from './report';
import { RunDir } from './run_dir';
import { captureState, collectRngs, restoreState, rngStates, setRngStates, TrainState } from './state';

export type { Schedule } from './hooks';

export interface TrainOptions extends DefaultHookOptions {
  schedule: Schedule;
  /** Hooks run after the default ones (TensorBoard, model_dir lock, ...). */
  hooks?: TrainHook[];
  /** Replaces the default hooks altogether (tests, embedding applications). */
  replaceDefaultHooks?: TrainHook[];
}

export interface TrainResult {
  startStep: number;
  finalStep: number;
  resumedFrom: string | null;
  stepsPerSec: number;
}

@injectable()
export class Trainer {
  /** Log lines: through the progress display while training, the logger otherwise. */
  private log: (msg: string) => void = (m) => this.logger.info(m);

  constructor(
    @inject(TOKENS.Gan) readonly gan: GanVariant,
    @inject(TOKENS.Dataset) readonly dataset: GanDataset,
    @inject(TOKENS.Store) readonly store: VariableStore,
    @inject(TOKENS.Rng) readonly rng: Rng,
    @inject(TOKENS.Options) readonly options: RunOptions,
    @inject(TOKENS.RunConfig) readonly runConfig: RunConfig,
    @inject(TOKENS.RunDir) readonly dir: RunDir,
    @inject(TOKENS.Logger) readonly logger: Logger,
  ) {}

  /** The running train()'s hooks and their context (afterSamples goes to them). */
  private active: { ctx: HookContext; hooks: TrainHook[] } | null = null;

  /** The variant's preview as samples/step-N.png; hooks see it (the doctor judges its diversity). */
  async writeSamples(step: number): Promise<string> {
    const file = this.dir.samplePath(step);
    const preview = await this.gan.preview(this.runConfig.num_samples, { dataset: this.dataset });
    const images = preview.images;
    try {
      writeGrid(file, images, preview.columns ? { cols: preview.columns } : undefined);
      fs.writeFileSync(path.join(this.dir.root, 'samples.txt'), `samples/step-N.png: ${preview.caption}\n`);
      const active = this.active;
      if (active) for (const h of active.hooks) await h.afterSamples?.(active.ctx, { step, file, preview });
    } finally {
      images.dispose();
    }
    return file;
  }

  async checkpoint(st: TrainState): Promise<string> {
    const data = await captureState(this.gan, this.store, this.rng, st);
    try {
      return await this.dir.checkpoints.save(data, this.runConfig.keep_checkpoint_max);
    } finally {
      // Optimizer slot copies are ours to free; live variables are not.
      for (const t of data.groups.optimizer.values()) if (!(t instanceof tf.Variable)) t.dispose();
    }
  }

  /** Loads the newest good checkpoint (naming damaged ones), or starts at step 0. */
  async resume(): Promise<{ st: TrainState; from: string | null }> {
    const ckpt = this.dir.checkpoints.loadLatest();
    if (!ckpt) return { st: { step: 0, batchesConsumed: 0 }, from: null };
    for (const s of ckpt.skipped) this.logger.warn(`${s.reason} Falling back to an earlier checkpoint.`);
    try {
      const st = await restoreState(ckpt, this.gan, this.store, this.rng);
      return { st, from: ckpt.dir };
    } finally {
      disposeCheckpoint(ckpt);
    }
  }

  /** The context hooks share (see ./hooks.ts). */
  hookContext(schedule: Schedule, st: TrainState, from: string | null): HookContext {
    const trainer = this;
    const ctx: HookContext = {
      gan: this.gan,
      dataset: this.dataset,
      store: this.store,
      dir: this.dir,
      runConfig: this.runConfig,
      options: this.options,
      logger: this.logger,
      schedule,
      startStep: st.step,
      total: this.options.training_steps,
      state: st,
      lastCheckpoint: from,
      lastCheckpointStep: from ? st.step : null,
      log: (m) => trainer.log(m),
      async checkpoint() {
        ctx.lastCheckpoint = await trainer.checkpoint(st);
        ctx.lastCheckpointStep = st.step;
        return ctx.lastCheckpoint;
      },
      writeSamples: (step) => this.writeSamples(step),
      evaluate: (step) => this.evaluate(step),
    };
    return ctx;
  }

  async train(opts: TrainOptions): Promise<TrainResult> {
    const { options, dir, gan } = this;
    const total = options.training_steps;
    const { st, from } = await this.resume();
    dir.metrics.truncateAfter(st.step);
    if (from) this.logger.info(`resuming from ${from} (step ${st.step})`);
    const startStep = st.step;
    if (st.step >= total) {
      this.logger.info(`the run is already at step ${st.step} of ${total}; nothing to train`);
      if (!fs.existsSync(dir.samplePath(st.step))) await this.writeSamples(st.step);
      if (opts.schedule !== 'train' && !evaluatedSteps(dir).has(st.step)) await this.evaluate(st.step);
      writeReport({ modelDir: dir.root });
      return { startStep, finalStep: st.step, resumedFrom: from, stepsPerSec: 0 };
    }
    const hooks = [...(opts.replaceDefaultHooks ?? defaultHooks(opts)), ...(opts.hooks ?? [])];
    const ctx = this.hookContext(opts.schedule, st, from);
    this.active = { ctx, hooks };
    const it = this.dataset.batches('train', {
      batchSize: options.batch_size,
      seed: this.rng.fork('data/shuffle').seed,
      repeat: true,
      dropRemainder: true,
      skipBatches: st.batchesConsumed,
    });
    const logEvery = Math.max(1, this.runConfig.log_every_steps);
    const t0 = Date.now();
    let window = { time: t0, step: st.step };
    let sps = 0;
    let outcome: { error?: unknown } = {};
    const progress = opts.progress;
    try {
      for (const h of hooks) await h.begin?.(ctx);
      this.log = (m) => progress.log(m);
      while (st.step < total) {
        for (const h of hooks) await h.beforeStep?.(ctx, st.step);
        const batches = await this.nextBatches(it, st.step);
        let summaries: Record<string, number>;
        try {
          summaries = gan.trainStep(batches, st.step);
        } finally {
          for (const b of batches) disposeBatch(b);
        }
        st.step += 1;
        st.batchesConsumed += batches.length;
        const now = Date.now();
        if (now > window.time) sps = (st.step - window.step) / ((now - window.time) / 1000);
        const ev = { step: st.step, summaries, stepsPerSec: sps, elapsedSec: (now - t0) / 1000, fields: {} };
        if (st.step % logEvery === 0 || st.step === total) window = { time: now, step: st.step };
        for (const h of hooks) await h.afterStep?.(ctx, ev);
      }
    } catch (e) {
      outcome = { error: e };
      throw e;
    } finally {
      await it.return?.();
      for (const h of hooks) {
        if (h.name === 'progress') this.log = (m) => this.logger.info(m);
        try {
          await h.end?.(ctx, outcome);
        } catch (e) {
          if (outcome.error) this.logger.warn(`hook '${h.name}' failed while stopping: ${(e as Error).message}`);
          else throw e;
        }
      }
      this.log = (m) => this.logger.info(m);
      this.active = null;
    }
    const elapsed = (Date.now() - t0) / 1000;
    return { startStep, finalStep: st.step, resumedFrom: from, stepsPerSec: elapsed > 0 ? (st.step - startStep) / elapsed : 0 };
  }

  private async nextBatches(it: AsyncIterator<Batch>, step: number): Promise<Batch[]> {
    const batches: Batch[] = [];
    for (let i = 0; i < this.gan.discIters; i++) {
      const r = await it.next();
      if (r.done) {
        batches.forEach(disposeBatch);
        throw new RunError(`The training split of '${this.dataset.info.name}' ran out of batches at step ${step}.`, 'use a batch size no larger than the dataset');
      }
      batches.push(r.value);
    }
    return batches;
  }

  /** Evaluates at `step`; the training streams are put back afterwards (evaluation draws z too). */
  async evaluate(step: number): Promise<void> {
    const rngs = collectRngs(this.gan, this.rng);
    const saved = rngStates(rngs);
    let metrics: Record<string, number>;
    try {
      metrics = await evaluateStep(
        { gan: this.gan, dataset: this.dataset, step, modelDir: this.dir.root, rng: this.rng.fork(`eval/${step}`), log: (m) => this.log(m) },
        this.dir,
      );
    } finally {
      setRngStates(rngs, saved, 'the evaluation');
    }
    const active = this.active;
    if (active) for (const h of active.hooks) await h.afterEval?.(active.ctx, { step, metrics });
    this.log(`eval at step ${step}: ${Object.entries(metrics).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
}
