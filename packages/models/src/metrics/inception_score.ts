/**
 * Inception Score (Salimans et al. 2016) from classifier logits: exp(E_x KL(p(y|x) || p(y)))
 * computed on `num_splits` consecutive splits; returns the mean and std over splits (as the
 * original code and tfgan.eval.classifier_score with num_batches splits).
 */
import { configurable, t } from '@cgan/config-lang';
import { FeatureMatrix } from './features';

/** Row-wise softmax of logits in float64. */
export function softmaxRows(logits: FeatureMatrix): Float64Array {
  const { rows, cols, data } = logits;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) mx = Math.max(mx, data[o + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(data[o + c] - mx);
      out[o + c] = e;
      s += e;
    }
    for (let c = 0; c < cols; c++) out[o + c] /= s;
  }
  return out;
}

export interface InceptionScoreResult {
  inception_score: number;
  inception_score_std: number;
}

export const inceptionScore = configurable('inception_score', {
  module: 'metrics',
  params: { num_splits: { default: 10, type: t.int } },
  doc: 'Inception Score from logits over num_splits splits (mean and std).',
}, (kw: { logits: FeatureMatrix; num_splits: number }): InceptionScoreResult => {
  const { rows, cols } = kw.logits;
  const splits = kw.num_splits;
  if (splits < 1 || rows < splits) throw new Error(`Inception Score: need at least num_splits=${splits} samples, got ${rows}`);
  const p = softmaxRows(kw.logits);
  const scores: number[] = [];
  for (let s = 0; s < splits; s++) {
    const start = Math.floor((s * rows) / splits);
    const end = Math.floor(((s + 1) * rows) / splits);
    const py = new Float64Array(cols);
    for (let r = start; r < end; r++) for (let c = 0; c < cols; c++) py[c] += p[r * cols + c];
    for (let c = 0; c < cols; c++) py[c] /= end - start;
    let kl = 0;
    for (let r = start; r < end; r++) {
      for (let c = 0; c < cols; c++) {
        const q = p[r * cols + c];
        if (q > 0) kl += q * (Math.log(q) - Math.log(py[c]));
      }
    }
    scores.push(Math.exp(kl / (end - start)));
  }
  const mean = scores.reduce((a, b) => a + b, 0) / splits;
  const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / splits);
  return { inception_score: mean, inception_score_std: std };
}) as unknown as (kw: { logits: FeatureMatrix; num_splits?: number }) => InceptionScoreResult;

/** Fraction of rows whose arg-max logit equals the label (the S3GAN predictor's accuracy). */
export function classifierAccuracy(logits: FeatureMatrix, labels: ArrayLike<number>): number {
  if (labels.length !== logits.rows) throw new Error(`accuracy: ${logits.rows} predictions but ${labels.length} labels`);
  if (logits.rows === 0) throw new Error('accuracy: no examples');
  let correct = 0;
  for (let r = 0; r < logits.rows; r++) {
    let best = 0;
    for (let c = 1; c < logits.cols; c++) if (logits.data[r * logits.cols + c] > logits.data[r * logits.cols + best]) best = c;
    if (best === labels[r]) correct++;
  }
  return correct / logits.rows;
}
