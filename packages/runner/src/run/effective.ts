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

/** Keys whose values differ (absent on one side shows as undefined = the default). */
export function diffBindings(a: Record<string, string>, b: Record<string, string>): BindingDiff[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => a[k] !== b[k]).map((k) => ({ key: k, a: a[k], b: b[k] }));
}

/** A stored value key back as Gin-ish text (`"x"`, `1`, `@hinge`, `(1, 2)`). */
export function showValue(v: string | undefined): string {
  if (v === undefined) return '(default)';
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
