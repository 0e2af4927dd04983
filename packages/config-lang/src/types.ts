/**
 * Parameter types for configurables: a tiny type language used to validate bound
 * values at parse/bind time and to document parameters (`gan config check`).
 */
import { didYouMean } from './errors';
import { ConfigValue, ConfigurableReference, Dict, MacroReference, REQUIRED, Tuple } from './values';

export interface ParamType {
  /** Human-readable name, e.g. `float`, `list[int]`, `'hinge' | 'wasserstein'`. */
  readonly name: string;
  /** Returns null when `v` fits, else a short reason. References and macros always fit here. */
  check(v: ConfigValue): string | null;
  /** Its structure as JSON, so that the configurable manifest can rebuild it (see ../manifest). */
  readonly spec?: TypeSpec;
}

/** The JSON form of a ParamType: rebuilt by typeFromSpec (a type without one is kept by name only). */
export type TypeSpec =
  | { kind: 'any' | 'float' | 'int' | 'str' | 'bool' | 'fn' | 'none' | 'dict' }
  | { kind: 'list'; item: TypeSpec }
  | { kind: 'oneOf'; values: Array<string | number | boolean | null> }
  | { kind: 'optional'; inner: TypeSpec }
  | { kind: 'union'; types: TypeSpec[] };

function deferred(v: ConfigValue): boolean {
  return v instanceof ConfigurableReference || v instanceof MacroReference || v === REQUIRED;
}

function simple(name: string, ok: (v: ConfigValue) => boolean, spec?: TypeSpec): ParamType {
  return { name, spec, check: (v) => (deferred(v) || ok(v) ? null : `expected ${name}, got ${describe(v)}`) };
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

const anyType: ParamType = simple('any', () => true, { kind: 'any' });

export const t = {
  any: anyType,
  number: simple('float', (v) => typeof v === 'number' && Number.isFinite(v), { kind: 'float' }),
  int: simple('int', (v) => typeof v === 'number' && Number.isInteger(v), { kind: 'int' }),
  string: simple('str', (v) => typeof v === 'string', { kind: 'str' }),
  bool: simple('bool', (v) => typeof v === 'boolean', { kind: 'bool' }),
  /** A configurable reference (`@hinge`) or None. */
  fn: simple('@configurable', (v) => v === null, { kind: 'fn' }),
  none: simple('None', (v) => v === null, { kind: 'none' }),
  list(item: ParamType = anyType): ParamType {
    return {
      name: `list[${item.name}]`,
      spec: item.spec && { kind: 'list', item: item.spec },
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
  dict: simple('dict', (v) => v instanceof Dict, { kind: 'dict' }),
  oneOf(...values: Array<string | number | boolean | null>): ParamType {
    const name = values.map((x) => JSON.stringify(x)).join(' | ');
    const base = simple(name, (v) => values.some((x) => x === v), { kind: 'oneOf', values });
    const strings = values.filter((x): x is string => typeof x === 'string');
    return {
      ...base,
      check(v) {
        const r = base.check(v);
        const dym = r && typeof v === 'string' ? didYouMean(v, strings) : undefined;
        return dym ? `${r} (${dym})` : r;
      },
    };
  },
  optional(inner: ParamType): ParamType {
    return { name: `${inner.name} | None`, spec: inner.spec && { kind: 'optional', inner: inner.spec }, check: (v) => (v === null ? null : inner.check(v)) };
  },
  union(...types: ParamType[]): ParamType {
    const name = types.map((x) => x.name).join(' | ');
    const specs = types.map((x) => x.spec);
    const spec: TypeSpec | undefined = specs.every((x) => x) ? { kind: 'union', types: specs as TypeSpec[] } : undefined;
    return { name, spec, check: (v) => (types.some((x) => x.check(v) === null) ? null : `expected ${name}, got ${describe(v)}`) };
  },
};

/** Infers a ParamType from a JS default value (used when a spec gives only a default). */
export function inferType(def: unknown): ParamType {
  if (typeof def === 'boolean') return t.bool;
  if (typeof def === 'number') return t.number;
  if (typeof def === 'string') return t.string;
  return t.any;
}

/** Rebuilds a ParamType from its JSON form; `name` overrides the rebuilt name when given. */
export function typeFromSpec(spec: TypeSpec | undefined, name?: string): ParamType {
  let type: ParamType;
  if (!spec) type = anyType;
  else {
    switch (spec.kind) {
      case 'any': type = t.any; break;
      case 'float': type = t.number; break;
      case 'int': type = t.int; break;
      case 'str': type = t.string; break;
      case 'bool': type = t.bool; break;
      case 'fn': type = t.fn; break;
      case 'none': type = t.none; break;
      case 'dict': type = t.dict; break;
      case 'list': type = t.list(typeFromSpec(spec.item)); break;
      case 'oneOf': type = t.oneOf(...spec.values); break;
      case 'optional': type = t.optional(typeFromSpec(spec.inner)); break;
      case 'union': type = t.union(...spec.types.map((x) => typeFromSpec(x))); break;
      default: type = anyType;
    }
  }
  // A type known only by name (no spec) accepts anything: it is checked when the code runs.
  return name === undefined || name === type.name ? type : { ...type, name, check: spec ? type.check : () => null };
}
