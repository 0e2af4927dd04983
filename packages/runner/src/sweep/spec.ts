/**
 * Reads the `sweep.*` bindings of a loaded sweep file into a SweepSpec, validating every swept
 * binding against the registry before anything runs. Errors carry the location of the
 * offending key or value (found in the source text when the parser gives only the statement's).
 */
import * as fs from 'fs';
import {
  Binding,
  Config,
  ConfigError,
  ConfigErrors,
  ConfigurableReference,
  ConfigValue,
  Dict,
  Location,
  registry,
  Tuple,
} from '@cgan/config-lang';
import { DISTRIBUTIONS, DistributionName, SWEEP_CONFIGURABLE } from './configurables';
import { formatValue } from './format';

/** A swept binding key, `[scope/]selector.param`, with its canonical form. */
export interface SweptKey {
  /** As written in the sweep file. */
  written: string;
  /** `scope/full.Name.param`, the canonical form used in trial bindings. */
  canonical: string;
  location?: Location;
}

export type Distribution =
  | { kind: 'choice'; values: ConfigValue[] }
  | { kind: 'uniform' | 'log_uniform'; low: number; high: number }
  | { kind: 'int_uniform'; low: number; high: number };

export interface SweepSpec {
  file?: string;
  grid: Array<{ key: SweptKey; values: ConfigValue[] }>;
  random: Array<{ key: SweptKey; dist: Distribution }>;
  numTrials: number;
  randomSeed: number;
  seeds: number[];
  seedKey?: SweptKey;
  metric?: string;
  mode?: 'min' | 'max';
}

const sourceCache = new Map<string, string[] | null>();
function sourceLines(file: string): string[] | null {
  if (!sourceCache.has(file)) {
    try {
      sourceCache.set(file, fs.readFileSync(file, 'utf8').split(/\r?\n/));
    } catch {
      sourceCache.set(file, null);
    }
  }
  return sourceCache.get(file)!;
}

/** The location of `needle` at or after `from` in its file (falls back to `from`). */
export function locate(from: Location | undefined, needle: string): Location | undefined {
  if (!from) return undefined;
  const lines = sourceLines(from.file);
  if (!lines) return from;
  for (let i = from.line - 1; i < lines.length && i < from.line + 500; i++) {
    const start = i === from.line - 1 ? Math.max(0, from.column - 1) : 0;
    const col = lines[i].indexOf(needle, start);
    if (col >= 0) return { file: from.file, line: i + 1, column: col + 1, lineText: lines[i] };
  }
  return from;
}

/** Validates `[scope/]selector.param` against the registry; returns its canonical form. */
export function resolveKey(written: unknown, where: Location | undefined, errors: ConfigError[]): SweptKey | undefined {
  const loc = typeof written === 'string' ? locate(where, `'${written}'`) ?? locate(where, `"${written}"`) : where;
  if (typeof written !== 'string') {
    errors.push(new ConfigError(`A swept binding must be a string like 'ModularGAN.g_lr', got ${formatValue(written as ConfigValue)}.`, loc, "quote the binding: {'Selector.param': [...]}"));
    return undefined;
  }
  const m = /^((?:[A-Za-z_][A-Za-z0-9_.]*\/)*)([A-Za-z_][A-Za-z0-9_.]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(written.trim());
  if (!m) {
    errors.push(new ConfigError(`'${written}' is not a binding name.`, loc, "write '[scope/]Configurable.parameter', e.g. 'ModularGAN.g_lr'"));
    return undefined;
  }
  const scope = m[1] ? m[1].split('/').filter(Boolean) : [];
  try {
    const info = registry.lookup(m[2], loc);
    if (!info.params.has(m[3])) {
      // Let the registry phrase the error (it knows the parameter list and close names).
      new Config().checkParam(info, m[3], null, loc);
    }
    const canonical = [...scope, `${info.fullName}.${m[3]}`].join('/');
    return { written, canonical, location: loc };
  } catch (e) {
    if (e instanceof ConfigError) {
      errors.push(new ConfigError(`Unknown swept binding '${written}': ${e.message}`, e.location ?? loc, e.hint));
      return undefined;
    }
    throw e;
  }
}

/** Type-checks one candidate value against the swept parameter's declared type. */
function checkValue(key: SweptKey, value: ConfigValue, errors: ConfigError[]): boolean {
  const sep = key.canonical.lastIndexOf('.');
  const selector = key.canonical.slice(0, sep).split('/').pop()!;
  const info = registry.lookup(selector);
  try {
    new Config().checkParam(info, key.canonical.slice(sep + 1), value, key.location);
    if (value instanceof ConfigurableReference) registry.lookup(value.selector, value.location ?? key.location);
    return true;
  } catch (e) {
    if (e instanceof ConfigError) {
      const why = e.message.replace(/^Wrong type for '[^']*': /, '');
      errors.push(new ConfigError(`Bad value ${formatValue(value)} for '${key.written}': ${why}`, e.location ?? key.location, e.hint));
      return false;
    }
    throw e;
  }
}

function entriesOf(b: Binding, errors: ConfigError[]): Array<[ConfigValue, ConfigValue]> {
  if (b.value === null) return [];
  if (!(b.value instanceof Dict)) {
    errors.push(new ConfigError(`sweep.${b.param} must be a dict of bindings to values, got ${formatValue(b.value)}.`, b.location, `write sweep.${b.param} = {'ModularGAN.g_lr': [1e-4, 2e-4]}`));
    return [];
  }
  if (b.value.entries.length === 0) errors.push(new ConfigError(`sweep.${b.param} is empty: nothing to sweep.`, b.location, 'add at least one binding, or remove the statement'));
  return b.value.entries;
}

function listItems(v: ConfigValue): ConfigValue[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

function distName(v: ConfigValue): DistributionName | undefined {
  if (!(v instanceof ConfigurableReference) || v.scope.length || v.evaluate) return undefined;
  const last = v.selector.replace(/^sweep\./, '');
  return (DISTRIBUTIONS as readonly string[]).includes(last) ? (last as DistributionName) : undefined;
}

function parseDistribution(key: SweptKey, v: ConfigValue, errors: ConfigError[]): Distribution | undefined {
  const list = listItems(v);
  if (list) {
    if (list.length === 0) {
      errors.push(new ConfigError(`Empty choice list for '${key.written}'.`, key.location, 'give at least one value'));
      return undefined;
    }
    return list.every((x) => checkValue(key, x, errors)) ? { kind: 'choice', values: list } : undefined;
  }
  const items = v instanceof Tuple ? v.items : undefined;
  const name = items && items.length ? distName(items[0]) : undefined;
  const hint = `write [v1, v2] (choice), (@uniform, low, high), (@log_uniform, low, high) or (@int_uniform, low, high)`;
  if (!items || !name) {
    errors.push(new ConfigError(`Invalid distribution ${formatValue(v)} for '${key.written}'.`, key.location, hint));
    return undefined;
  }
  const args = items.slice(1);
  if (name === 'choice') {
    if (!args.length) {
      errors.push(new ConfigError(`(@choice) for '${key.written}' has no values.`, key.location, 'write (@choice, v1, v2, ...)'));
      return undefined;
    }
    return args.every((x) => checkValue(key, x, errors)) ? { kind: 'choice', values: args } : undefined;
  }
  if (args.length !== 2 || typeof args[0] !== 'number' || typeof args[1] !== 'number') {
    errors.push(new ConfigError(`@${name} for '${key.written}' takes two numbers (low, high), got ${formatValue(new Tuple(args))}.`, key.location, `write (@${name}, low, high)`));
    return undefined;
  }
  const [low, high] = args as number[];
  if (!(low < high)) {
    errors.push(new ConfigError(`@${name} for '${key.written}' needs low < high, got low=${low}, high=${high}.`, key.location, 'swap or widen the bounds'));
    return undefined;
  }
  if (name === 'log_uniform' && low <= 0) {
    errors.push(new ConfigError(`@log_uniform for '${key.written}' needs positive bounds, got low=${low}.`, key.location, 'use @uniform for ranges that include zero or negatives'));
    return undefined;
  }
  if (name === 'int_uniform' && (!Number.isInteger(low) || !Number.isInteger(high))) {
    errors.push(new ConfigError(`@int_uniform for '${key.written}' needs integer bounds, got (${low}, ${high}).`, key.location, 'write integers, e.g. (@int_uniform, 1, 5)'));
    return undefined;
  }
  if (!checkValue(key, low, errors)) return undefined; // a representative value of the range
  return { kind: name, low, high };
}

/** Builds the SweepSpec from a loaded config; throws ConfigErrors listing every problem. */
export function readSweepSpec(cfg: Config, file?: string): SweepSpec {
  const errors: ConfigError[] = [];
  const own = cfg.allBindings().filter((b) => b.fullName === SWEEP_CONFIGURABLE && b.scope.length === 0);
  const get = (p: string) => own.find((b) => b.param === p);
  const spec: SweepSpec = { file, grid: [], random: [], numTrials: 0, randomSeed: 0, seeds: [] };
  const seenKeys = new Map<string, SweptKey>();
  const claim = (k: SweptKey | undefined): SweptKey | undefined => {
    if (!k) return undefined;
    const prev = seenKeys.get(k.canonical);
    if (prev) {
      errors.push(new ConfigError(`'${k.written}' is swept twice.`, k.location, `it is already swept${prev.location ? ` at line ${prev.location.line}` : ''}; sweep each binding once`));
      return undefined;
    }
    seenKeys.set(k.canonical, k);
    return k;
  };

  const grid = get('grid');
  if (grid) {
    for (const [k, v] of entriesOf(grid, errors)) {
      const key = claim(resolveKey(k, grid.location, errors));
      if (!key) continue;
      const values = listItems(v) ?? (v instanceof Tuple ? v.items : undefined);
      if (!values) {
        errors.push(new ConfigError(`Grid values for '${key.written}' must be a list, got ${formatValue(v)}.`, key.location, `write '${key.written}': [v1, v2, ...]`));
      } else if (values.length === 0) {
        errors.push(new ConfigError(`Empty grid for '${key.written}': a sweep over no values has no trials.`, key.location, 'list at least one value, or remove the key'));
      } else if (values.every((x) => checkValue(key, x, errors))) {
        spec.grid.push({ key, values });
      }
    }
  }

  const random = get('random');
  const numTrials = get('num_trials');
  if (random) {
    for (const [k, v] of entriesOf(random, errors)) {
      const key = claim(resolveKey(k, random.location, errors));
      if (!key) continue;
      const dist = parseDistribution(key, v, errors);
      if (dist) spec.random.push({ key, dist });
    }
    const n = numTrials?.value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      errors.push(new ConfigError(
        n === undefined || n === null ? 'sweep.random needs sweep.num_trials.' : `sweep.num_trials must be a positive integer, got ${formatValue(n)}.`,
        numTrials?.location ?? random.location,
        'add e.g. sweep.num_trials = 20',
      ));
    } else spec.numTrials = n;
  } else if (numTrials && numTrials.value !== null) {
    errors.push(new ConfigError('sweep.num_trials is set but there is no sweep.random to sample.', numTrials.location, 'add sweep.random = {...}, or remove sweep.num_trials'));
  }

  const rs = get('random_seed');
  if (rs) spec.randomSeed = rs.value as number;

  const seeds = get('seeds');
  if (seeds && seeds.value !== null) {
    const items = listItems(seeds.value) ?? (seeds.value instanceof Tuple ? seeds.value.items : []);
    if (!items.length || !items.every((x) => typeof x === 'number' && Number.isInteger(x))) {
      errors.push(new ConfigError(`sweep.seeds must be a non-empty list of integers, got ${formatValue(seeds.value)}.`, seeds.location, 'write e.g. sweep.seeds = [0, 1, 2]'));
    } else if (new Set(items).size !== items.length) {
      errors.push(new ConfigError(`sweep.seeds has duplicates: ${formatValue(seeds.value)}.`, seeds.location, 'list each seed once'));
    } else {
      const sb = get('seed_binding');
      const written = (sb?.value as string | undefined) ?? 'runtime.seed';
      const key = claim(resolveKey(written, sb?.location ?? seeds.location, errors));
      if (key) {
        spec.seeds = items as number[];
        spec.seedKey = key;
      }
    }
  }
  const metric = get('metric');
  if (metric && typeof metric.value === 'string') spec.metric = metric.value;
  const mode = get('mode');
  if (mode && (mode.value === 'min' || mode.value === 'max')) spec.mode = mode.value;

  if (!errors.length && !spec.grid.length && !spec.random.length && !spec.seeds.length) {
    errors.push(new ConfigError(
      `${file ?? 'The sweep file'} has no sweep statements.`,
      file ? { file, line: 1, column: 1 } : undefined,
      "add sweep.grid = {'Selector.param': [...]}, sweep.random = {...} with sweep.num_trials, or sweep.seeds = [...]",
    ));
  }
  // Bound the plan before building it: a typo like num_trials = 100000000 must not plan for minutes.
  const maxTrials = get('max_trials');
  const cap = typeof maxTrials?.value === 'number' ? maxTrials.value : DEFAULT_MAX_TRIALS;
  if (!errors.length) {
    const count = plannedCount(spec);
    if (count > cap) {
      const where = numTrials?.location ?? grid?.location ?? random?.location ?? seeds?.location;
      errors.push(new ConfigError(
        `This sweep plans ${count.toLocaleString('en-US')} trials, more than sweep.max_trials = ${cap.toLocaleString('en-US')}.`,
        where,
        `sweep fewer values, or raise the cap explicitly with sweep.max_trials = ${count}`,
      ));
    }
  }
  if (errors.length) throw new ConfigErrors(errors);
  return spec;
}

export const DEFAULT_MAX_TRIALS = 10000;

/** An upper bound on the number of trials (grid points x random samples x seeds). */
export function plannedCount(spec: SweepSpec): number {
  const grid = spec.grid.reduce((a, g) => a * g.values.length, 1);
  return grid * (spec.random.length ? spec.numTrials : 1) * Math.max(1, spec.seeds.length);
}
