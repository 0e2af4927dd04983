/**
 * `gan metrics fid|kid|prd --real A.npy --fake B.npy`: a metric on precomputed feature
 * matrices (NumPy .npy, float32/float64, rows = samples), printed as one JSON object, so that
 * features from other tools (e.g. TTUR's or torch-fidelity's Inception features) can be compared.
 */
import { Command, Option } from 'commander';
import { fidFromFeatures, FeatureMatrix, kernelInceptionDistance, NpyError, prdScore, readNpy } from '@cgan/models';
import { RunError } from '../errors';
import { Io } from '../io';
import { positiveInt } from './common';

export const FEATURE_METRICS = ['fid', 'kid', 'prd'] as const;

interface MetricsFlags {
  real: string;
  fake: string;
  numSubsets: number;
  subsetSize: number;
  numClusters: number;
  numAngles: number;
  numRuns: number;
  seed: number;
  curve?: boolean;
}

function load(p: string, which: string): FeatureMatrix {
  try {
    const m = readNpy(p);
    if (m.rows < 2) throw new RunError(`--${which} ${p} holds ${m.rows} row(s); a metric needs at least 2 samples.`);
    for (let i = 0; i < m.data.length; i++) {
      if (!Number.isFinite(m.data[i])) throw new RunError(`--${which} ${p} has a non-finite value (${m.data[i]}) at row ${Math.floor(i / m.cols)}, column ${i % m.cols}.`);
    }
    return m;
  } catch (e) {
    if (e instanceof NpyError) throw new RunError(e.message, 'pass a 2-D float32/float64 array saved with numpy.save (rows = samples, columns = features)');
    throw e;
  }
}

/** Computes one metric; the object printed by the command. */
export function computeFeatureMetric(metric: string, f: MetricsFlags): Record<string, unknown> {
  if (!(FEATURE_METRICS as readonly string[]).includes(metric)) {
    throw new RunError(`Unknown metric '${metric}'.`, `choose one of ${FEATURE_METRICS.join(', ')}`);
  }
  const real = load(f.real, 'real');
  const fake = load(f.fake, 'fake');
  if (real.cols !== fake.cols) {
    throw new RunError(`--real has ${real.cols} features per row but --fake has ${fake.cols}.`, 'both files must come from the same feature extractor');
  }
  const t0 = Date.now();
  const base = { metric, real: { path: f.real, rows: real.rows }, fake: { path: f.fake, rows: fake.rows }, dim: real.cols };
  let values: Record<string, unknown>;
  if (metric === 'fid') values = { fid: fidFromFeatures(real, fake) };
  else if (metric === 'kid') {
    const k = kernelInceptionDistance({ real, fake, num_subsets: f.numSubsets, subset_size: f.subsetSize, seed: f.seed });
    values = { kid: k.kid, kid_std: k.kid_std, num_subsets: f.numSubsets, subset_size: k.subset_size };
  } else {
    if (real.rows !== fake.rows) {
      throw new RunError(`PRD needs as many real as generated samples (--real has ${real.rows}, --fake ${fake.rows}).`, 'save the same number of rows in both files');
    }
    if (real.rows + fake.rows < f.numClusters) throw new RunError(`PRD: ${real.rows + fake.rows} samples cannot form --num_clusters ${f.numClusters} clusters.`);
    const p = prdScore({ real, fake, num_clusters: f.numClusters, num_angles: f.numAngles, num_runs: f.numRuns, seed: f.seed });
    values = { prd_f8: p.prd_f8, prd_f1_8: p.prd_f1_8 };
    if (f.curve) values.curve = { precision: Array.from(p.curve.precision), recall: Array.from(p.curve.recall) };
  }
  return { ...base, ...values, seconds: (Date.now() - t0) / 1000 };
}

export function registerMetrics(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('metrics')
    .description('Compute FID, KID or PRD on precomputed feature matrices (.npy) and print one JSON object.')
    .addArgument(program.createArgument('<metric>', 'fid, kid or prd').choices(FEATURE_METRICS))
    .requiredOption('--real <file.npy>', 'real features: 2-D float32/float64 .npy, rows = samples')
    .requiredOption('--fake <file.npy>', 'generated features, same number of columns')
    .addOption(new Option('--num_subsets <n>', 'KID: random subsets').argParser(positiveInt('--num_subsets')).default(100))
    .addOption(new Option('--subset_size <n>', 'KID: samples per subset').argParser(positiveInt('--subset_size')).default(1000))
    .addOption(new Option('--num_clusters <n>', 'PRD: k-means clusters').argParser(positiveInt('--num_clusters')).default(20))
    .addOption(new Option('--num_angles <n>', 'PRD: points on the curve').argParser(positiveInt('--num_angles')).default(1001))
    .addOption(new Option('--num_runs <n>', 'PRD: clusterings averaged').argParser(positiveInt('--num_runs')).default(10))
    .addOption(new Option('--seed <n>', 'KID subsets / PRD k-means seed').argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new RunError(`--seed must be a non-negative integer, got '${v}'.`);
      return n;
    }).default(0))
    .option('--curve', 'PRD: include the precision/recall curve')
    .action((metric: string, o: Record<string, unknown>) =>
      run(
        (async () => {
          const flags: MetricsFlags = {
            real: o.real as string,
            fake: o.fake as string,
            numSubsets: o.num_subsets as number,
            subsetSize: o.subset_size as number,
            numClusters: o.num_clusters as number,
            numAngles: o.num_angles as number,
            numRuns: o.num_runs as number,
            seed: o.seed as number,
            curve: o.curve as boolean | undefined,
          };
          io.out(JSON.stringify(computeFeatureMetric(metric, flags)) + '\n');
        })(),
      ),
    );
}
