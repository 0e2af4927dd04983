/**
 * Watching a run: gradient health (./health), the GAN doctor (./doctor) and the TensorBoard event
 * file (./tensorboard), behind the few calls a training loop makes: before and after a step, when
 * it writes a sample grid, when it evaluates, when it stops. Everything it writes goes to the
 * run directory (events.out.tfevents.*, diagnostics.jsonl); the metrics record gains the health
 * fields.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import type { Batch, GanVariant, Preview } from '@cgan/models';
import { Diagnosis, DiagnosticsLog, Doctor, DoctorConfig, doctorConfig, formatDiagnosis } from './doctor';
import { DivergenceError } from '../errors';
import { GradientHealth } from './health';
import { learningRates } from './optimizer_exact';
import type { TrainHook } from './hooks';
import { EventFileWriter } from './tensorboard';

export interface MonitorOptions {
  gan: GanVariant;
  modelDir: string;
  log: (line: string) => void;
  /** The doctor's settings; default: the bound `doctor.*`. */
  doctor?: DoctorConfig;
  /** Gradient and weight norms on logged steps (default true). */
  health?: boolean;
  /** Write the TensorBoard event file (default true). */
  tensorboard?: boolean;
}

/** Mean per-pixel variance across the batch: ~0 when every image is the same. */
export function batchDiversity(images: tf.Tensor4D): number {
  return tf.tidy(() => tf.mean(tf.moments(images, 0).variance).dataSync()[0]);
}

/**
 * G on `z` in training mode (batch statistics), its batch-norm moving averages put back after;
 * null when G has no batch-norm state (then inference and training mode agree) or the variant
 * has no generator method.
 */
export function trainModeSamples(gan: GanVariant, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D | null {
  const g = (gan as unknown as { generator?: (z: tf.Tensor2D, y: tf.Tensor2D | null, isTraining: boolean) => tf.Tensor4D }).generator;
  const net = gan.networks().find((n) => n.name === 'generator');
  if (typeof g !== 'function' || !net) return null;
  const state = [...gan.store.all(net.prefix).values()].filter((v) => !v.trainable);
  if (!state.length) return null;
  const saved = state.map((v) => tf.clone(v));
  try {
    return tf.tidy(() => g.call(gan, z, y, true));
  } finally {
    state.forEach((v, i) => v.assign(saved[i]));
    tf.dispose(saved);
  }
}

const sig4 = (x: number) => Number(x.toPrecision(4));

/** PNG width, height and channel count from its IHDR chunk. */
function pngInfo(png: Buffer): { width: number; height: number; channels: 1 | 2 | 3 | 4 } {
  const channels = ({ 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 } as Record<number, 1 | 2 | 3 | 4>)[png[25]] ?? 4;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), channels };
}

/** A top-level binding's value (undefined when unbound or the selector is unknown). */
function bound(selector: string, param: string): unknown {
  try {
    return config.query(selector, param);
  } catch {
    return undefined;
  }
}

export class RunMonitor {
  readonly doctor: Doctor;
  readonly diagnostics: DiagnosticsLog;
  private readonly health: GradientHealth | null;
  private readonly tb: EventFileWriter | null;
  private realDiversity: number | null = null;
  /** last_step already written to diagnostics.jsonl per diagnosis. */
  private written = new Map<Diagnosis, number>();
  private loggedCodes = new Set<string>();
  private ended = false;
  /** Diversity of the last sample grid, added to the next logged record once. */
  private sampleFields: Record<string, number> = {};

  constructor(readonly opts: MonitorOptions) {
    this.doctor = new Doctor(opts.doctor ?? doctorConfig({} as DoctorConfig), bound);
    this.diagnostics = new DiagnosticsLog(path.join(opts.modelDir, 'diagnostics.jsonl'));
    this.health = opts.health === false ? null : new GradientHealth(opts.gan);
    this.tb = opts.tensorboard === false ? null : new EventFileWriter(opts.modelDir);
  }

  /** The run (re)starts at `step`: older records after it are dropped, TensorBoard told. */
  begin(step: number): void {
    this.diagnostics.truncateAfter(step);
    if (step > 0) this.tb?.start(step);
  }

  /** The operative config as TensorBoard text (Compare GAN's GinConfigSaverHook does the same). */
  operativeConfig(step: number, file: string): void {
    if (!this.tb || !fs.existsSync(file)) return;
    // TensorBoard's text plugin renders Markdown: indenting by four spaces keeps it verbatim.
    const text = fs.readFileSync(file, 'utf8').split('\n').map((l) => `    ${l}`).join('\n');
    this.tb.add(step, [{ tag: 'operative_config', text }]);
  }

  /**
   * The data's own diversity (the scale of the sample rules), from the first batch of `batches`:
   * a stream of its own with a fixed seed, so a resumed run measures the same batch.
   */
  async measureRealData(batches: AsyncIterableIterator<Batch>): Promise<void> {
    try {
      const r = await batches.next();
      if (r.done) return;
      if (r.value.images.shape[0] > 1) this.realDiversity = batchDiversity(r.value.images);
      tf.dispose([r.value.images, r.value.labels, r.value.labelled]);
    } finally {
      await batches.return?.();
    }
  }

  /** Called before the training step that will produce `step`: measure it when it is logged. */
  beforeStep(logged: boolean): void {
    if (logged) this.health?.arm();
  }

  /**
   * After a logged step: the health fields to add to its metrics record (g_grad_norm, ...,
   * layers), after which the record goes to TensorBoard and the doctor.
   */
  healthFields(): Record<string, unknown> {
    const out = { ...(this.health?.collect() ?? {}), ...this.sampleFields };
    this.sampleFields = {};
    return out;
  }

  /** A complete metrics record (summaries, learning rates, health fields). */
  afterLoggedStep(rec: { step: number } & Record<string, unknown>): void {
    const { wall, layers, ...scalars } = rec as Record<string, unknown> & { step: number };
    this.tb?.addScalars(rec.step, { ...scalars, ...(layers ? { layers } : {}), ...(wall ? { wall } : {}) });
    this.report(this.doctor.observe(rec));
  }

  /** After a sample grid: the grid as a TensorBoard image, the fixed-z diversity for the doctor. */
  afterSamples(step: number, pngFile: string, preview: Preview): void {
    if (this.tb && fs.existsSync(pngFile)) {
      const png = fs.readFileSync(pngFile);
      this.tb.add(step, [{ tag: 'samples', image: { png, ...pngInfo(png) } }]);
    }
    const images = preview.images;
    if (!preview.checkDiversity || this.realDiversity === null || images.shape[0] < 2) return;
    const train = preview.inputs ? trainModeSamples(this.opts.gan, preview.inputs.z, preview.inputs.y) : null;
    let trainDiversity: number | null = null;
    if (train) {
      trainDiversity = batchDiversity(train);
      train.dispose();
    }
    const diversity = batchDiversity(images);
    // As fractions of the real data's per-pixel variance (1: as varied as a real batch).
    const real = this.realDiversity;
    this.sampleFields = { sample_diversity: sig4(diversity / real), ...(trainDiversity !== null ? { sample_diversity_train_mode: sig4(trainDiversity / real) } : {}) };
    this.tb?.addScalars(step, this.sampleFields);
    this.report(this.doctor.observeSamples({ step, diversity, train_diversity: trainDiversity, real_diversity: real }));
  }

  afterEval(step: number, metrics: Record<string, number>): void {
    this.tb?.addScalars(step, metrics, 'eval/');
    if (this.ended) this.tb?.close();
  }

  /** Writes the final step range of diagnoses that grew since they were written. */
  flush(): void {
    for (const d of this.doctor.diagnoses) {
      if (this.written.get(d) !== d.last_step) {
        this.diagnostics.append(d);
        this.written.set(d, d.last_step);
      }
    }
  }

  end(): void {
    this.ended = true;
    this.flush();
    this.tb?.close();
    this.health?.dispose();
  }

  private report(started: Diagnosis[]): void {
    for (const d of started) {
      this.diagnostics.append(d);
      this.written.set(d, d.last_step);
      // Once per code and process: an episode that ends and starts again is in diagnostics.jsonl only.
      if (!this.loggedCodes.has(d.code)) this.opts.log(formatDiagnosis(d));
      this.loggedCodes.add(d.code);
    }
  }
}

/**
 * The hook that watches a run (placed after sample_grid, before metrics_log): arms the gradient
 * probe before logged steps, adds its fields (and the last grid's diversity) to the step's
 * metrics record, sends the record, grids, operative config and evaluations to TensorBoard, and
 * feeds the doctor; diagnostics.jsonl gets final step ranges at checkpoints and at the end.
 */
/** The real batch the sample rules compare with: the same in every process of a run (resume). */
const REAL_SAMPLE_SEED = 0x5eed;

export function watchHook(options: Partial<Pick<MonitorOptions, 'doctor' | 'health' | 'tensorboard'>> = {}): TrainHook {
  let m: RunMonitor | null = null;
  const logged = (every: number, step: number, total: number) => step % every === 0 || step === total;
  return {
    name: 'watch',
    async begin(ctx) {
      m = new RunMonitor({ ...options, gan: ctx.gan, modelDir: ctx.dir.root, log: (l) => ctx.log(l) });
      m.begin(ctx.startStep);
      await m.measureRealData(
        ctx.dataset.batches('train', { batchSize: Math.max(2, ctx.runConfig.num_samples), seed: REAL_SAMPLE_SEED, repeat: false, dropRemainder: true }),
      );
    },
    beforeStep(ctx, step) {
      m!.beforeStep(logged(Math.max(1, ctx.runConfig.log_every_steps), step + 1, ctx.total));
    },
    afterSamples(_ctx, ev) {
      m!.afterSamples(ev.step, ev.file, ev.preview);
    },
    afterStep(ctx, ev) {
      const every = Math.max(1, ctx.runConfig.log_every_steps);
      if (ev.step === ctx.startStep + 1) m!.operativeConfig(ctx.startStep, ctx.dir.operativePath(ctx.startStep));
      if (logged(every, ev.step, ctx.total)) {
        Object.assign(ev.fields, m!.healthFields());
        m!.afterLoggedStep({ step: ev.step, ...ev.summaries, ...learningRates(ctx.gan), ...ev.fields, wall: { steps_per_sec: ev.stepsPerSec, elapsed_sec: ev.elapsedSec } });
      }
      const ckptEvery = Math.max(1, ctx.runConfig.save_checkpoints_steps);
      if (ev.step % ckptEvery === 0 || ev.step === ctx.total) m!.flush();
    },
    afterEval(_ctx, ev) {
      m?.afterEval(ev.step, ev.metrics);
    },
    end(_ctx, outcome) {
      // A NaN/Inf loss stops the run in the divergence hook before this hook saw the step.
      const err = outcome.error;
      if (err instanceof DivergenceError) m?.afterLoggedStep({ step: err.step, [err.lossName]: err.value });
      m?.end();
    },
  };
}
