/**
 * The evaluation hook. The runner calls `evaluateStep` for `--schedule eval_after_train`
 * (after the last step), `--schedule continuous_eval` (every --eval_every_steps) and `gan eval`
 * (each checkpoint not yet evaluated). The metrics themselves (FID, IS, KID, ...) belong to
 * @cgan/models: it provides them by exporting an `evaluateGan(ctx)` function of type
 * `Evaluator`; until it does, evaluation fails with a clear message.
 */
import * as fs from 'fs';
import * as models from '@cgan/models';
import type { GanEvalContext } from '@cgan/models';
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

export async function evaluateStep(ctx: EvalContext, dir: RunDir): Promise<Record<string, number>> {
  const evaluator = requireEvaluator();
  const t0 = Date.now();
  // A plain Error from the evaluator (no feature extractor for this dataset, a bad
  // evaluation.* binding) is reported as one paragraph, like any configuration problem.
  const metrics = await asConfigProblem(`Evaluation at step ${ctx.step} failed`, () => evaluator(ctx), 'the checkpoints are kept; fix the cause, then run `gan eval --model_dir ...` (or train with --schedule train)');
  fs.appendFileSync(dir.evalPath, JSON.stringify({ step: ctx.step, ...metrics, wall: { eval_sec: (Date.now() - t0) / 1000 } }) + '\n');
  return metrics;
}
