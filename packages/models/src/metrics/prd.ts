/**
 * Precision and recall for distributions (Sajjadi et al. 2018), following compare_gan's
 * prd_score.py: cluster the union of generated ("eval") and real ("ref") features with
 * k-means, compare the two cluster histograms along `num_angles` slopes, average the curves
 * over `num_runs` clusterings, and summarise by max F_8 (recall) and max F_1/8 (precision).
 */
import { configurable, t } from '@cgan/config-lang';
import { Rng } from '../core/rng';
import { concatRows, FeatureMatrix } from './features';
import { kmeans } from './kmeans';

export interface PrdCurve {
  precision: Float64Array;
  recall: Float64Array;
}

/** The PRD curve of two histograms (compare_gan compute_prd). */
export function computePrd(evalDist: ArrayLike<number>, refDist: ArrayLike<number>, numAngles = 1001, epsilon = 1e-10): PrdCurve {
  if (!(epsilon > 0 && epsilon < 0.1)) throw new Error(`PRD: epsilon must be in (0, 0.1), got ${epsilon}`);
  if (!(numAngles >= 3 && numAngles <= 1e6)) throw new Error(`PRD: num_angles must be in [3, 1e6], got ${numAngles}`);
  if (evalDist.length !== refDist.length) throw new Error(`PRD: histograms have ${evalDist.length} and ${refDist.length} bins`);
  const precision = new Float64Array(numAngles);
  const recall = new Float64Array(numAngles);
  const lo = epsilon;
  const hi = Math.PI / 2 - epsilon;
  for (let a = 0; a < numAngles; a++) {
    const slope = Math.tan(lo + ((hi - lo) * a) / (numAngles - 1));
    let p = 0;
    for (let i = 0; i < refDist.length; i++) p += Math.min(refDist[i] * slope, evalDist[i]);
    precision[a] = Math.min(Math.max(p, 0), 1);
    recall[a] = Math.min(Math.max(p / slope, 0), 1);
  }
  return { precision, recall };
}

/** Normalised histograms of the cluster labels of eval and ref points (numpy density=True). */
export function clusterHistograms(labels: Int32Array, numEval: number, numClusters: number): { evalDist: Float64Array; refDist: Float64Array } {
  const evalDist = new Float64Array(numClusters);
  const refDist = new Float64Array(numClusters);
  for (let i = 0; i < labels.length; i++) (i < numEval ? evalDist : refDist)[labels[i]]++;
  const ne = numEval;
  const nr = labels.length - numEval;
  for (let j = 0; j < numClusters; j++) {
    evalDist[j] /= ne;
    refDist[j] /= nr;
  }
  return { evalDist, refDist };
}

function fBeta(precision: number, recall: number, beta: number, epsilon = 1e-10): number {
  return ((1 + beta * beta) * (precision * recall)) / (beta * beta * precision + recall + epsilon);
}

/** (max F_beta, max F_1/beta) over the curve (compare_gan prd_to_max_f_beta_pair). */
export function prdToMaxFBetaPair(curve: PrdCurve, beta = 8): { fBeta: number; fBetaInv: number } {
  let fb = -Infinity;
  let fbi = -Infinity;
  for (let i = 0; i < curve.precision.length; i++) {
    fb = Math.max(fb, fBeta(curve.precision[i], curve.recall[i], beta));
    fbi = Math.max(fbi, fBeta(curve.precision[i], curve.recall[i], 1 / beta));
  }
  return { fBeta: fb, fBetaInv: fbi };
}

export interface PrdResult {
  /** max F_8: recall-like (does the model cover the real distribution?). */
  prd_f8: number;
  /** max F_1/8: precision-like (are the samples on the real distribution?). */
  prd_f1_8: number;
  curve: PrdCurve;
}

export interface PrdParams {
  num_clusters: number;
  num_angles: number;
  num_runs: number;
  enforce_balance: boolean;
  beta: number;
  seed: number;
}

export const prdScore = configurable('prd', {
  module: 'metrics',
  params: {
    num_clusters: { default: 20, type: t.int },
    num_angles: { default: 1001, type: t.int },
    num_runs: { default: 10, type: t.int },
    enforce_balance: true,
    beta: 8,
    seed: { default: 0, type: t.int },
  },
  doc: 'Precision/recall for distributions; F_8 and F_1/8 summaries (compare_gan prd_score).',
}, (kw: { real: FeatureMatrix; fake: FeatureMatrix } & PrdParams): PrdResult => {
  const { real, fake } = kw;
  if (real.cols !== fake.cols) throw new Error(`PRD: real features have ${real.cols} columns, fake ${fake.cols}`);
  if (kw.enforce_balance && real.rows !== fake.rows) {
    throw new Error(`PRD: the real and generated sets must have the same size (${real.rows} vs ${fake.rows}); use as many of each, or set prd.enforce_balance = False`);
  }
  const union = concatRows([fake, real]);
  const rng = new Rng(kw.seed >>> 0);
  const precision = new Float64Array(kw.num_angles);
  const recall = new Float64Array(kw.num_angles);
  for (let r = 0; r < kw.num_runs; r++) {
    const { labels } = kmeans(union, { k: kw.num_clusters, nInit: 10, rng });
    const { evalDist, refDist } = clusterHistograms(labels, fake.rows, kw.num_clusters);
    const c = computePrd(evalDist, refDist, kw.num_angles);
    for (let i = 0; i < kw.num_angles; i++) {
      precision[i] += c.precision[i] / kw.num_runs;
      recall[i] += c.recall[i] / kw.num_runs;
    }
  }
  const curve = { precision, recall };
  const { fBeta: f8, fBetaInv: f18 } = prdToMaxFBetaPair(curve, kw.beta);
  return { prd_f8: f8, prd_f1_8: f18, curve };
}) as unknown as (kw: { real: FeatureMatrix; fake: FeatureMatrix } & Partial<PrdParams>) => PrdResult;
