/**
 * The training loop: resume from the newest loadable checkpoint, run `options.training_steps`
 * GAN steps (each consumes `disc_iters` batches), log metrics, write sample grids, checkpoints
 * and the report, stop on a NaN/Inf loss keeping the last good checkpoint.
 */
import 'reflect-metadata';
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'tsyringe';
import type { Batch, GanDataset, GanVariant, Rng, VariableStore } from '@cgan/models';
import { DivergenceError, RunError } from '../errors';
import { evaluatedSteps, evaluateStep } from '../evaluation';
import { Logger, TOKENS } from '../wiring/container';
import type { RunOptions } from '../wiring/adapters';
import type { RunConfig } from '../wiring/run_config';
import { disposeCheckpoint } from './checkpoint';
import { learningRates } from './optimizer_exact';
import { RunMonitor } from './health_monitor';
import { writeGrid } from './images';
import { MetricsRecord } from './metrics_log';
import { Progress } from './progress';
import { writeReport } from './report';
import { RunDir } from './run_dir';
import { captureState, collectRngs, restoreState, rngStates, setRngStates, TrainState } from './state';

export type Schedule = 'train' | 'eval_after_train' | 'continuous_eval';

export interface TrainOptions {
  schedule: Schedule;
  evalEverySteps: number;
  progress: Progress;
  /** Called once, after the first step of this process, when the operative config is complete; returns a line to log. */
  onOperativeConfig?: (startStep: number) => string | void;
  /** Stop cleanly (checkpoint, then exit 130) on SIGINT/SIGTERM: the CLI sets this. */
  handleSignals?: boolean;
  /** Test hook: called after each step (may throw to simulate a crash). */
  afterStep?: (step: number) => void;
}

export interface TrainResult {
  startStep: number;
  finalStep: number;
  resumedFrom: string | null;
  stepsPerSec: number;
}

@injectable()
export class Trainer {
  private fixed: { z: tf.Tensor2D; y: tf.Tensor2D | null } | null = null;
  /** Gradient health, the GAN doctor and the TensorBoard event file, while train() runs. */
  private monitor: RunMonitor | null = null;
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

  /** Fixed z (and labels i mod K when conditional) for sample grids: the same in every run and after resuming. */
  fixedInputs(n: number): { z: tf.Tensor2D; y: tf.Tensor2D | null } {
    if (this.fixed) return this.fixed;
    // Every stream rewound to its start for the draw, then put back: the same z in every run
    // and after resuming, and the training streams untouched.
    const rngs = collectRngs(this.gan, this.rng);
    const saved = rngStates(rngs);
    for (const r of rngs.values()) r.setState({ seed: r.seed, counter: 0 });
    try {
      const z = tf.keep(this.gan.sampleZ(n));
      const k = this.dataset.info.numClasses;
      const y = this.gan.conditional && k > 0 ? tf.keep(tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % k), 'int32'), k), 'float32')) as tf.Tensor2D) : null;
      this.fixed = { z, y };
      return this.fixed;
    } finally {
      setRngStates(rngs, saved, 'the sample stream');
    }
  }

  writeSamples(step: number): string {
    const { z, y } = this.fixedInputs(this.runConfig.num_samples);
    const file = this.dir.samplePath(step);
    const images = tf.tidy(() => this.gan.sample(z, y));
    try {
      writeGrid(file, images);
      // Diversity across the fixed z (mode_collapse, bn_lag) is the doctor's to judge.
      this.monitor?.afterSamples(step, file, images, z, y);
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
      // Copies handed out by optimizerState() are ours to free; live variables are not.
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

  async train(opts: TrainOptions): Promise<TrainResult> {
    const { options, runConfig, dir, gan } = this;
    const total = options.training_steps;
    const discIters = gan.discIters;
    const { st, from } = await this.resume();
    dir.metrics.truncateAfter(st.step);
    if (from) this.logger.info(`resuming from ${from} (step ${st.step})`);
    const startStep = st.step;
    if (st.step >= total) {
      this.logger.info(`the run is already at step ${st.step} of ${total}; nothing to train`);
      if (!fs.existsSync(dir.samplePath(st.step))) this.writeSamples(st.step);
      if (opts.schedule !== 'train' && !evaluatedSteps(dir).has(st.step)) await this.evaluate(st.step);
      writeReport({ modelDir: dir.root });
      return { startStep, finalStep: st.step, resumedFrom: from, stepsPerSec: 0 };
    }
    this.fixedInputs(runConfig.num_samples);
    const monitor = new RunMonitor({ gan, modelDir: dir.root, log: (m) => this.log(m) });
    monitor.begin(st.step);
    this.monitor = monitor;
    await monitor.measureRealData(this.dataset.batches('train', { batchSize: Math.max(2, runConfig.num_samples), seed: this.rng.fork('doctor/real').seed, repeat: false, dropRemainder: true }));
    const it = this.dataset.batches('train', {
      batchSize: options.batch_size,
      seed: this.rng.fork('data/shuffle').seed,
      repeat: true,
      dropRemainder: true,
      skipBatches: st.batchesConsumed,
    });
    const saveEvery = Math.max(1, runConfig.save_checkpoints_steps);
    const sampleEvery = runConfig.save_samples_steps ?? saveEvery;
    const logEvery = Math.max(1, runConfig.log_every_steps);
    let lastCkpt: string | null = from;
    let lastTime = Date.now();
    let lastStep = st.step;
    const t0 = lastTime;
    let sps = 0;
    opts.progress.start(total, st.step);
    this.log = (m) => opts.progress.log(m);
    // Ctrl-C / SIGTERM: finish the current step, checkpoint it, then stop (a second signal kills).
    let stopSignal: NodeJS.Signals | null = null;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopSignal) process.exit(130);
      stopSignal = sig;
      this.log(`${sig}: stopping after this step (a checkpoint will be written; ${sig} again to quit at once)`);
    };
    if (opts.handleSignals) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
    try {
      while (st.step < total) {
        const batches: Batch[] = [];
        for (let i = 0; i < discIters; i++) {
          const r = await it.next();
          if (r.done) throw new RunError(`The training split of '${this.dataset.info.name}' ran out of batches at step ${st.step}.`, 'use a batch size no larger than the dataset');
          batches.push(r.value);
        }
        let summaries: Record<string, number>;
        const logDue = (st.step + 1) % logEvery === 0 || st.step + 1 === total;
        try {
          monitor.beforeStep(logDue);
          summaries = gan.trainStep(batches, st.step);
        } finally {
          for (const b of batches) {
            b.images.dispose();
            b.labels.dispose();
            b.labelled.dispose();
          }
        }
        st.step += 1;
        st.batchesConsumed += discIters;
        for (const [k, v] of Object.entries(summaries)) {
          if (typeof v === 'number' && !Number.isFinite(v)) {
            monitor.afterLoggedStep({ step: st.step, ...summaries, ...monitor.healthFields() });
            monitor.end();
            opts.progress.stop();
            writeReport({ modelDir: dir.root });
            throw new DivergenceError(st.step, k, v, lastCkpt);
          }
        }
        if (st.step === startStep + 1) {
          const line = opts.onOperativeConfig?.(startStep);
          if (line) opts.progress.log(line);
          monitor.operativeConfig(startStep, dir.operativePath(startStep));
        }
        const now = Date.now();
        if (now > lastTime) {
          sps = (st.step - lastStep) / ((now - lastTime) / 1000);
        }
        // Samples before the record: the doctor's sample diversity goes into this step's record.
        const ckptDue = st.step % saveEvery === 0 || st.step === total;
        if (st.step % sampleEvery === 0 || ckptDue) this.writeSamples(st.step);
        if (logDue) {
          const rec: MetricsRecord = { step: st.step, ...summaries, ...learningRates(gan), ...monitor.healthFields(), wall: { steps_per_sec: round(sps), elapsed_sec: round((now - t0) / 1000) } };
          dir.metrics.append(rec);
          monitor.afterLoggedStep(rec);
          lastTime = now;
          lastStep = st.step;
        }
        opts.progress.update(st.step, sps, summaries);
        if (ckptDue) {
          lastCkpt = await this.checkpoint(st);
          monitor.flush();
          writeReport({ modelDir: dir.root, live: st.step < total || opts.schedule !== 'train' });
        }
        if (opts.schedule === 'continuous_eval' && st.step % opts.evalEverySteps === 0) await this.evaluate(st.step);
        opts.afterStep?.(st.step);
        if (stopSignal) {
          if (!ckptDue) lastCkpt = await this.checkpoint(st);
          monitor.flush();
          writeReport({ modelDir: dir.root });
          throw new RunError(
            `Stopped by ${stopSignal} at step ${st.step} of ${total}; checkpoint ${lastCkpt} written.`,
            'rerun the same command to resume',
            130,
          );
        }
      }
    } finally {
      monitor.end();
      opts.progress.stop();
      this.log = (m) => this.logger.info(m);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await it.return?.();
    }
    if (opts.schedule === 'eval_after_train') await this.evaluate(st.step);
    this.monitor = null;
    if (opts.schedule !== 'train') writeReport({ modelDir: dir.root });
    const elapsed = (Date.now() - t0) / 1000;
    return { startStep, finalStep: st.step, resumedFrom: from, stepsPerSec: elapsed > 0 ? (st.step - startStep) / elapsed : 0 };
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
    this.monitor?.afterEval(step, metrics);
    this.log(`eval at step ${step}: ${Object.entries(metrics).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
