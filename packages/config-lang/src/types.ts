/**
 * Parameter types for configurables: a tiny type language used to validate bound
 * values at parse/bind time and to document parameters (`gan config check`).
 */
import { ConfigValue, ConfigurableReference, Dict, MacroReference, REQUIRED, Tuple } from './values';

export interface ParamType {
  /** Human-readable name, e.g. `float`, `list[int]`, `'hinge' | 'wasserstein'`. */
  readonly name: string;
  /** Returns null when `v` fits, else a short reason. References and macros always fit here. */
  check(v: ConfigValue): string | null;
}

function deferred(v: ConfigValue): boolean {
  return v instanceof ConfigurableReference || v instanceof MacroReference || v === REQUIRED;
}

function simple(name: string, ok: (v: ConfigValue) => boolean): ParamType {
  return { name, check: (v) => (deferred(v) || ok(v) ? null : `expected ${name}, got ${describe(v)}`) };
}

export function describe(v: ConfigValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return `bool ${v ? 'True' : 'False'}`;
  if (typeof v === 'number' && !Number.isFinite(v)) return `${v} (a number too large for a 64-bit float)`;
  if (typeof v === 'number') return Number.isInteger(v) ? `int ${v}` : `float ${v}`;
  if (typeof v === 'string') return `str ${JSON.stringify(v)}`;
  if (Array.isArray(v)) return 'list';
  if (v instanceof Tuple) return 'tuple';
  if (v instanceof Dict) return 'dict';
  return 'value';
}

const anyType: ParamType = simple('any', () => true);

export const t = {
  any: anyType,
  number: simple('float', (v) => typeof v === 'number' && Number.isFinite(v)),
  int: simple('int', (v) => typeof v === 'number' && Number.isInteger(v)),
  string: simple('str', (v) => typeof v === 'string'),
  bool: simple('bool', (v) => typeof v === 'boolean'),
  /** A configurable reference (`@hinge`) or None. */
  fn: simple('@configurable', (v) => v === null),
  none: simple('None', (v) => v === null),
  list(item: ParamType = anyType): ParamType {
    return {
      name: `list[${item.name}]`,
      check(v) {
        if (deferred(v)) return null;
        const items = Array.isArray(v) ? v : v instanceof Tuple ? v.items : null;
        if (!items) return `expected list[${item.name}], got ${describe(v)}`;
        for (const x of items) {
          const r = item.check(x);
          if (r) return `in list: ${r}`;
        }
        return null;
      },
    };
  },
  dict: simple('dict', (v) => v instanceof Dict),
  oneOf(...values: Array<string | number | boolean | null>): ParamType {
    const name = values.map((x) => JSON.stringify(x)).join(' | ');
    return simple(name, (v) => values.some((x) => x === v));
  },
  optional(inner: ParamType): ParamType {
    return { name: `${inner.name} | None`, check: (v) => (v === null ? null : inner.check(v)) };
  },
  union(...types: ParamType[]): ParamType {
    const name = types.map((x) => x.name).join(' | ');
    return { name, check: (v) => (types.some((x) => x.check(v) === null) ? null : `expected ${name}, got ${describe(v)}`) };
  },
};

/** Infers a ParamType from a JS default value (used when a spec gives only a default). */
export function inferType(def: unknown): ParamType {
  if (typeof def === 'boolean') return t.bool;
  if (typeof def === 'number') return t.number;
  if (typeof def === 'string') return t.string;
  return t.any;
}
