/**
 * The component matrix, read from the registries (never a hand-kept list): every registered
 * architecture, loss (`loss_lib`; not `loss` itself, which selects one with `fn`), penalty
 * (`penalty_lib`; not `penalty`, nor `weight_clipping`, a separate setting), D.spectral_norm, G and D
 * normalization (`arch_ops.*_norm` but spectral_norm and layer_norm, and `D.layer_norm`) and GAN variant (every configurable
 * class that implements the variant contract), conditional or not. Each value is a list of Gin bindings.
 */
import { registry } from '@cgan/config-lang';
import '@cgan/models';
import { architectureNames } from '@cgan/models';

export interface Value {
  /** Short name for test titles. */
  name: string;
  bindings: string[];
}

export interface Dimension {
  name: string;
  values: Value[];
}

const fns = (module: string, exclude: RegExp) =>
  registry
    .all()
    .filter((i) => i.module === module && i.kind === 'function' && !exclude.test(i.name) && !i.params.has('fn'))
    .map((i) => i.name)
    .sort();

/**
 * GAN variants: configurable classes with the variant contract's methods. `noise`: those that
 * generate from (z, y) (NoiseSampler: sampleZ), which options.architecture, penalties and the
 * G/D normalizations apply to; otherwise the others (image-to-image translation: CycleGAN).
 */
export function variants(noise = true): Value[] {
  const out: Value[] = [];
  for (const info of registry.all()) {
    const proto = info.kind === 'class' ? (info.target as { prototype?: Record<string, unknown> }).prototype : undefined;
    if (!proto || !['build', 'trainStep', 'networks', 'optimizers'].every((m) => typeof proto[m] === 'function')) continue;
    if ((typeof proto.sampleZ === 'function') !== noise) continue;
    // An alias with no parameters of its own (GPUModularGAN) is its parent class again.
    if (info.params.size === 0 && registry.infoOf(Object.getPrototypeOf(info.target))) continue;
    out.push({ name: info.name, bindings: [`options.gan_class = @${info.fullName}`] });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export const losses = (): Value[] => fns('loss_lib', /^$/).map((l) => ({ name: l, bindings: [`loss.fn = @${l}`] }));

/** Where `conditional` is declared (ModularGAN; every variant inherits it). */
function conditionalParam(): string {
  const owners = registry.all().filter((i) => i.kind === 'class' && i.params.has('conditional'));
  if (owners.length !== 1) throw new Error(`expected one variant class declaring 'conditional', found ${owners.map((o) => o.fullName).join(', ') || 'none'}`);
  return `${owners[0].name}.conditional`;
}

/** The values of a `t.oneOf(...)` parameter, read from its type name (`"instance" | "none"`). */
export function oneOfValues(selector: string, param: string): string[] {
  const info = registry.match(selector)[0];
  const type = info?.params.get(param)?.type;
  if (!type) return [];
  return type.name.split(' | ').map((x) => JSON.parse(x) as string);
}

/** The noise GANs' matrix. */
export function dimensions(): Dimension[] {
  // G.batch_norm_fn / D.batch_norm_fn candidates: arch_ops' *_norm functions, except the two
  // with switches of their own (D.spectral_norm, D.layer_norm).
  const norms = fns('arch_ops', /^(?!.*_norm$)|^(spectral_norm|layer_norm)$/);
  return [
    { name: 'variant', values: variants() },
    { name: 'conditional', values: [false, true].map((c) => ({ name: c ? 'cond' : 'uncond', bindings: [`${conditionalParam()} = ${c ? 'True' : 'False'}`] })) },
    { name: 'architecture', values: architectureNames().map((a) => ({ name: a, bindings: [`options.architecture = "${a}"`] })) },
    { name: 'loss', values: losses() },
    { name: 'penalty', values: fns('penalty_lib', /^weight_clipping$/).map((p) => ({ name: p, bindings: [`penalty.fn = @${p}`] })) },
    { name: 'D.spectral_norm', values: [false, true].map((b) => ({ name: `sn=${b}`, bindings: [`D.spectral_norm = ${b ? 'True' : 'False'}`] })) },
    { name: 'G norm', values: [{ name: 'G:None', bindings: [] }, ...norms.map((n) => ({ name: `G:${n}`, bindings: [`G.batch_norm_fn = @${n}`] }))] },
    {
      name: 'D norm',
      values: [{ name: 'D:None', bindings: [] }, ...norms.map((n) => ({ name: `D:${n}`, bindings: [`D.batch_norm_fn = @${n}`] })), { name: 'D:layer_norm', bindings: ['D.layer_norm = True'] }],
    },
  ];
}

/** A row with some dimensions still open (undefined). */
export type PartialRow = Array<Value | undefined>;

/**
 * Why a (partial) row cannot work: the bindings a refusal must name, or null.
 * Rules may only look at the dimensions a row has filled in.
 */
export type Refusal = (row: PartialRow) => string[] | null;

export interface Plan {
  /** Rows that must train. */
  train: Value[][];
  /** Rows that must be refused at build time (one per impossible value or pair). */
  refuse: Value[][];
  /** Values and pairs of values that no allowed row contains. */
  impossible: Value[][];
}

/**
 * The rows to run. `pairwise` false: the full product (each row trains or is refused per
 * `refusal`). `pairwise` true: every pair of values from two dimensions that can train together
 * trains together in at least one row (greedy, deterministic: a new row starts from the first
 * uncovered pair and fills each other dimension with the allowed value covering most uncovered
 * pairs), and every impossible value or pair gets one row of its own, which must be refused.
 */
export function plan(dims: Dimension[], refusal: Refusal, pairwise: boolean): Plan {
  if (!pairwise) {
    const all = dims.reduce<Value[][]>((rows, d) => rows.flatMap((r) => d.values.map((v) => [...r, v])), [[]]);
    return { train: all.filter((r) => !refusal(r)), refuse: all.filter((r) => refusal(r)), impossible: [] };
  }
  const n = dims.length;
  const partial = (entries: Array<[number, number]>): PartialRow => {
    const row: PartialRow = dims.map(() => undefined);
    for (const [i, a] of entries) row[i] = dims[i].values[a];
    return row;
  };
  const key = (i: number, a: number, j: number, b: number) => `${i}:${a}|${j}:${b}`;
  const refuse: Value[][] = [];
  const impossibleValue = new Set<string>();
  const uncovered = new Set<string>();
  const impossiblePairs: Array<[number, number, number, number]> = [];
  for (let i = 0; i < n; i++) for (let a = 0; a < dims[i].values.length; a++) if (refusal(partial([[i, a]]))) impossibleValue.add(`${i}:${a}`);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      for (let a = 0; a < dims[i].values.length; a++)
        for (let b = 0; b < dims[j].values.length; b++) {
          if (impossibleValue.has(`${i}:${a}`) || impossibleValue.has(`${j}:${b}`)) continue;
          if (refusal(partial([[i, a], [j, b]]))) impossiblePairs.push([i, a, j, b]);
          else uncovered.add(key(i, a, j, b));
        }
  /**
   * Completes `fixed` with allowed values, preferring those that cover uncovered pairs
   * (depth-first: backtracks when a choice leaves no allowed value for a later dimension).
   * Null when no completion is allowed.
   */
  const complete = (fixed: Array<[number, number]>, avoidRefusal: boolean): number[] | null => {
    const row: Array<number | undefined> = dims.map(() => undefined);
    for (const [i, a] of fixed) row[i] = a;
    const current = () => partial(row.flatMap((a, i) => (a === undefined ? [] : [[i, a] as [number, number]])));
    if (avoidRefusal && refusal(current())) return null;
    const fill = (k: number): boolean => {
      if (k === n) return true;
      if (row[k] !== undefined) return fill(k + 1);
      const options: Array<[number, number]> = [];
      for (let v = 0; v < dims[k].values.length; v++) {
        if (impossibleValue.has(`${k}:${v}`)) continue;
        let gain = 0;
        for (let o = 0; o < n; o++) {
          const w = row[o];
          if (o !== k && w !== undefined && uncovered.has(o < k ? key(o, w, k, v) : key(k, v, o, w))) gain++;
        }
        options.push([v, gain]);
      }
      options.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
      for (const [v] of options) {
        row[k] = v;
        if (!(avoidRefusal && refusal(current())) && fill(k + 1)) return true;
        row[k] = undefined;
      }
      return false;
    };
    return fill(0) ? (row as number[]) : null;
  };
  // Pairs that no allowed row contains (directly or through a third dimension) are impossible.
  for (const p of [...uncovered]) {
    const [i, a, j, b] = /^(\d+):(\d+)\|(\d+):(\d+)$/.exec(p)!.slice(1).map(Number);
    if (!complete([[i, a], [j, b]], true)) {
      uncovered.delete(p);
      impossiblePairs.push([i, a, j, b]);
    }
  }
  const train: number[][] = [];
  while (uncovered.size) {
    const [first] = uncovered;
    const m = /^(\d+):(\d+)\|(\d+):(\d+)$/.exec(first)!.slice(1).map(Number);
    const row = complete([[m[0], m[1]], [m[2], m[3]]], true)!;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) uncovered.delete(key(i, row[i], j, row[j]));
    train.push(row);
  }
  // One refused row per impossible value and per impossible pair (the rest allowed values).
  const toValues = (r: number[]) => r.map((v, i) => dims[i].values[v]);
  for (const iv of impossibleValue) {
    const [i, a] = iv.split(':').map(Number);
    refuse.push(toValues(complete([[i, a]], false)!));
  }
  for (const [i, a, j, b] of impossiblePairs) refuse.push(toValues(complete([[i, a], [j, b]], false)!));
  const impossible = [
    ...[...impossibleValue].map((iv) => [dims[Number(iv.split(':')[0])].values[Number(iv.split(':')[1])]]),
    ...impossiblePairs.map(([i, a, j, b]) => [dims[i].values[a], dims[j].values[b]]),
  ];
  return { train: train.map(toValues), refuse, impossible };
}
