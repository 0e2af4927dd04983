/**
 * Planning: a SweepSpec becomes a list of trials. Grid points (cartesian product, in file
 * order) x random samples (seeded) x seeds. A trial's id is a hash of its canonical bindings,
 * so the same trial planned twice (or by another machine) has the same id and directory.
 */
import { createHash } from 'crypto';
import { ConfigValue } from '@cgan/config-lang';
import { formatValue } from './format';
import { Distribution, SweepSpec } from './spec';

export interface TrialBinding {
  /** Canonical `[scope/]Configurable.param`. */
  key: string;
  value: ConfigValue;
  /** Gin text of the value. */
  text: string;
}

export interface Trial {
  id: string;
  /** In the sweep's order (grid keys, random keys, seed). */
  bindings: TrialBinding[];
  /** `key = value` lines, as passed to `--gin_bindings`. */
  lines: string[];
}

/** The stable id: 12 hex digits of sha256 over the sorted `key = value` lines. */
export function trialId(lines: string[]): string {
  return createHash('sha256').update([...lines].sort().join('\n')).digest('hex').slice(0, 12);
}

/** mulberry32: a tiny, well-known seedable PRNG; plenty for sampling hyperparameters. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Five significant digits: readable in tables, and stable once printed. */
const round = (x: number) => Number(x.toPrecision(5));

export function sample(dist: Distribution, rand: () => number): ConfigValue {
  const u = rand();
  switch (dist.kind) {
    case 'choice':
      return dist.values[Math.min(dist.values.length - 1, Math.floor(u * dist.values.length))];
    case 'uniform':
      return round(dist.low + u * (dist.high - dist.low));
    case 'log_uniform':
      return round(Math.exp(Math.log(dist.low) + u * (Math.log(dist.high) - Math.log(dist.low))));
    case 'int_uniform':
      return dist.low + Math.min(dist.high - dist.low, Math.floor(u * (dist.high - dist.low + 1)));
  }
}

function product<T>(dims: T[][]): T[][] {
  return dims.reduce<T[][]>((acc, d) => acc.flatMap((row) => d.map((x) => [...row, x])), [[]]);
}

function makeTrial(bindings: Array<{ key: string; value: ConfigValue }>): Trial {
  const full = bindings.map((b) => ({ ...b, text: formatValue(b.value) }));
  const lines = full.map((b) => `${b.key} = ${b.text}`);
  return { id: trialId(lines), bindings: full, lines };
}

/** All trials of a sweep, without duplicates (identical random samples collapse to one trial). */
export function planTrials(spec: SweepSpec): Trial[] {
  type Point = { key: string; value: ConfigValue };
  const gridPoints = product<Point>(spec.grid.map((g) => g.values.map((value) => ({ key: g.key.canonical, value }))));
  const rand = seededRandom(spec.randomSeed);
  const randomPoints = spec.random.length
    ? Array.from({ length: spec.numTrials }, (): Point[] => spec.random.map((r) => ({ key: r.key.canonical, value: sample(r.dist, rand) })))
    : [[] as Point[]];
  const seedPoints: Point[][] = spec.seeds.length ? spec.seeds.map((s) => [{ key: spec.seedKey!.canonical, value: s }]) : [[]];
  const out: Trial[] = [];
  const seen = new Set<string>();
  for (const g of gridPoints) {
    for (const r of randomPoints) {
      for (const s of seedPoints) {
        const t = makeTrial([...g, ...r, ...s]);
        if (!seen.has(t.id)) {
          seen.add(t.id);
          out.push(t);
        }
      }
    }
  }
  return out;
}

/** The swept keys in order (columns of plans and result tables). */
export function sweptKeys(spec: SweepSpec): string[] {
  return [...spec.grid.map((g) => g.key.canonical), ...spec.random.map((r) => r.key.canonical), ...(spec.seedKey ? [spec.seedKey.canonical] : [])];
}
