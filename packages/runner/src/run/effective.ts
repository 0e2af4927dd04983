/**
 * A run's effective bindings: every `[scope/]configurable.param` whose value differs from the
 * parameter's default, with macros substituted. Two configs that configure the same run have
 * the same effective bindings even when one spells out defaults (an operative config) and the
 * other does not, which is what `gan diff` and the model_dir config check compare.
 */
import {
  config,
  ConfigValue,
  Dict,
  jsToConfigValue,
  MacroReference,
  registry,
  Tuple,
  valueKey,
  valuesEqual,
} from '@cgan/config-lang';

function substitute(v: ConfigValue, seen: string[] = []): ConfigValue {
  if (v instanceof MacroReference) {
    const m = config.macro(v.name);
    if (m === undefined || seen.includes(v.name)) return v;
    return substitute(m, [...seen, v.name]);
  }
  if (Array.isArray(v)) return v.map((x) => substitute(x, seen));
  if (v instanceof Tuple) return new Tuple(v.items.map((x) => substitute(x, seen)));
  if (v instanceof Dict) return new Dict(v.entries.map(([k, x]) => [substitute(k, seen), substitute(x, seen)]));
  return v;
}

/** `key -> value` as compact JSON strings (see valueKey), sorted by key. */
export function effectiveBindings(): Record<string, string> {
  const out: Array<[string, string]> = [];
  for (const b of config.allBindings()) {
    const value = substitute(b.value);
    const info = registry.match(b.fullName)[0];
    const p = info?.params.get(b.param);
    if (p?.hasDefault) {
      const def = jsToConfigValue(p.default);
      if (def !== undefined && valuesEqual(def, value)) continue;
    }
    out.push([`${b.scope.length ? b.scope.join('/') + '/' : ''}${b.fullName}.${b.param}`, valueKey(value)]);
  }
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(out);
}

export interface BindingDiff {
  key: string;
  a: string | undefined;
  b: string | undefined;
}

/** A stored value with number spellings unified (`1e-05` and `0.00001` are one number). */
function normalized(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return JSON.stringify(JSON.parse(v), (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 1 && '$float' in x ? Number(x.$float) : x));
}

/** Keys whose values differ (absent on one side shows as undefined = the default); equal numbers are equal. */
export function diffBindings(a: Record<string, string>, b: Record<string, string>): BindingDiff[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => a[k] !== b[k] && normalized(a[k]) !== normalized(b[k])).map((k) => ({ key: k, a: a[k], b: b[k] }));
}

/** The declared default of a binding key `[scope/]module.Conf.param`, as a stored value (valueKey). */
export function defaultValueOf(key: string): string | undefined {
  const bare = key.split('/').pop()!;
  const dot = bare.lastIndexOf('.');
  const info = registry.match(bare.slice(0, dot))[0];
  const p = info?.params.get(bare.slice(dot + 1));
  if (!p?.hasDefault) return undefined;
  const v = jsToConfigValue(p.default);
  return v === undefined ? undefined : valueKey(v);
}

/** A stored value key back as Gin-ish text (`"x"`, `1`, `@hinge`, `(1, 2)`); `key` shows a default's value. */
export function showValue(v: string | undefined, key?: string): string {
  if (v === undefined) {
    const d = key ? defaultValueOf(key) : undefined;
    return d === undefined ? '(default)' : `${renderJson(JSON.parse(d))} (default)`;
  }
  return renderJson(JSON.parse(v));
}

function renderJson(j: unknown): string {
  if (j === null) return 'None';
  if (j === true) return 'True';
  if (j === false) return 'False';
  if (typeof j === 'number' || typeof j === 'string') return JSON.stringify(j);
  if (Array.isArray(j)) return `[${j.map(renderJson).join(', ')}]`;
  const o = j as Record<string, unknown>;
  if ('$ref' in o) return `@${o.$ref}${o.evaluate ? '()' : ''}`;
  if ('$macro' in o) return `%${o.$macro}`;
  if ('$tuple' in o) {
    const items = (o.$tuple as unknown[]).map(renderJson);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  if ('$dict' in o) return `{${(o.$dict as unknown[][]).map(([k, v]) => `${renderJson(k)}: ${renderJson(v)}`).join(', ')}}`;
  if ('$float' in o) return String(o.$float);
  return JSON.stringify(j);
}
