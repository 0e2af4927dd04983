/**
 * The evaluation hook. The runner calls `evaluateStep` for `--schedule eval_after_train`
 * (after the last step), `--schedule continuous_eval` (every --eval_every_steps) and `gan eval`
 * (each checkpoint not yet evaluated). The metrics themselves (FID, IS, KID, ...) belong to
 * @cgan/models: it provides them by exporting an `evaluateGan(ctx)` function of type
 * `Evaluator`; until it does, evaluation fails with a clear message.
 */
import * as fs from 'fs';
import * as models from '@cgan/models';
import type { EvaluationInfo, GanEvalContext } from '@cgan/models';
import { asConfigProblem, RunError } from './errors';
import { RunDir } from './run/run_dir';

/** What an evaluator gets (defined beside the metrics in @cgan/models): the GAN, the dataset,
 * the step, the run directory, a stream for evaluation randomness (independent of the training
 * stream) and a logger. */
export type EvalContext = GanEvalContext;

/** Returns metric name -> value, e.g. { fid_score: 31.2, inception_score: 6.1 }. */
export type Evaluator = (ctx: EvalContext) => Promise<Record<string, number>>;

let override: Evaluator | null = null;

/** Installs an evaluator (tests, or an application embedding the runner). */
export function setEvaluator(e: Evaluator | null): void {
  override = e;
}

export function findEvaluator(): Evaluator | null {
  if (override) return override;
  const f = (models as unknown as Record<string, unknown>).evaluateGan;
  return typeof f === 'function' ? (f as Evaluator) : null;
}

export function requireEvaluator(): Evaluator {
  const e = findEvaluator();
  if (!e) {
    throw new RunError(
      'No evaluator is available: @cgan/models does not export evaluateGan (the metrics module is not built yet).',
      'train with --schedule train, or update @cgan/models',
    );
  }
  return e;
}

/** Steps already in eval.jsonl. */
export function evaluatedSteps(dir: RunDir): Set<number> {
  if (!fs.existsSync(dir.evalPath)) return new Set();
  const steps = new Set<number>();
  for (const line of fs.readFileSync(dir.evalPath, 'utf8').split('\n')) {
    try {
      const r = JSON.parse(line);
      if (typeof r.step === 'number') steps.add(r.step);
    } catch {
      /* torn line */
    }
  }
  return steps;
}

/** Human-readable seconds (ETA). */
function duration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  const s = Math.round(sec);
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Progress of one evaluation as log lines: which side is going through the extractor, how many
 * images of how many, and an ETA for that side; at most one line every `everySec` seconds
 * (plus the first and last of each side).
 */
export function evalProgressLogger(step: number, log: (m: string) => void, everySec = 2): NonNullable<EvalContext['progress']> {
  let side = '';
  let t0 = 0;
  let last = 0;
  return (which, done, total) => {
    const now = Date.now();
    if (which !== side) {
      side = which;
      t0 = now;
      last = 0;
    }
    if (done < total && last && now - last < everySec * 1000) return;
    last = now;
    const rate = done / Math.max((now - t0) / 1000, 1e-3);
    log(`eval step ${step}: ${which} images ${done}/${total}${done < total ? `, ETA ${done ? duration((total - done) / rate) : '?'}` : ''}`);
  };
}

/**
 * Evaluates one step and appends `{step, ...metrics, eval: {num_samples, extractor,
 * extractor_fingerprint, extractor_accuracy, split}, wall}` to eval.jsonl.
 */
export async function evaluateStep(ctx: EvalContext, dir: RunDir): Promise<Record<string, number>> {
  const evaluator = requireEvaluator();
  const t0 = Date.now();
  let info: EvaluationInfo | null = null;
  const full: EvalContext = { progress: evalProgressLogger(ctx.step, ctx.log), ...ctx, onInfo: (i) => (info = i) };
  // A plain Error from the evaluator (no feature extractor for this dataset, a bad
  // evaluation.* binding) is reported as one paragraph, like any configuration problem.
  const metrics = await asConfigProblem(`Evaluation at step ${ctx.step} failed`, () => evaluator(full), 'the checkpoints are kept; fix the cause, then run `gan eval --model_dir ...` (or train with --schedule train)');
  fs.appendFileSync(dir.evalPath, JSON.stringify({ step: ctx.step, ...metrics, ...(info ? { eval: info } : {}), wall: { eval_sec: (Date.now() - t0) / 1000 } }) + '\n');
  return metrics;
}

/**
 * Resolves the evaluation settings (metrics.evaluation, metrics.kid, metrics.prd, the feature
 * extractor) so that they appear in the operative config written next: everything that shapes
 * a run's numbers is in the config files it writes.
 */
export function recordEvaluationConfig(): void {
  const m = models as unknown as Record<string, (kw: object) => unknown>;
  m.evaluationSettings?.({});
}
