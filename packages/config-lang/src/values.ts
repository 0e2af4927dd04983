/**
 * The value model of the configuration language: what a right-hand side of a
 * binding evaluates to before references and macros are resolved.
 * Knows nothing of syntax (see ./syntax) or of tensors.
 */

/** Where a statement or value came from, for error messages. */
export interface Location {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
  /** The whole source line, used to print a caret under `column`. */
  lineText?: string;
}

/** A Python-style tuple: `(1, 2)`, `(1,)`, `()`. */
export class Tuple {
  constructor(readonly items: ConfigValue[]) {}
}

/** A Python-style dict whose keys may be any hashable literal (`{1: 'a', 'b': 2}`). */
export class Dict {
  constructor(readonly entries: Array<[ConfigValue, ConfigValue]>) {}
  get(key: ConfigValue): ConfigValue | undefined {
    const k = valueKey(key);
    for (const [ek, ev] of this.entries) if (valueKey(ek) === k) return ev;
    return undefined;
  }
}

/** `@name`, `@scope/name`, `@name()` (evaluate = true). */
export class ConfigurableReference {
  constructor(
    /** Full selector as written, e.g. `tf.train.AdamOptimizer`. */
    readonly selector: string,
    /** Scope components, e.g. ['generator'] for `@generator/conv`. */
    readonly scope: string[] = [],
    readonly evaluate = false,
    readonly location?: Location,
  ) {}
  get scopedName(): string {
    return [...this.scope, this.selector].join('/');
  }
}

/** `%NAME` or `%a.b`. `%gin.REQUIRED` is represented by REQUIRED below. */
export class MacroReference {
  constructor(readonly name: string, readonly location?: Location) {}
}

/** The `%gin.REQUIRED` marker, also usable as a default in parameter specs. */
export const REQUIRED: unique symbol = Symbol.for('gin.REQUIRED');
export type RequiredMarker = typeof REQUIRED;

export type ConfigValue =
  | number
  | string
  | boolean
  | null
  | ConfigValue[]
  | Tuple
  | Dict
  | ConfigurableReference
  | MacroReference
  | RequiredMarker;

/** A canonical string key for a literal value (used for dict keys and equality). */
export function valueKey(v: unknown): string {
  return JSON.stringify(toJSONValue(v as ConfigValue));
}

/**
 * The JSON encoding used by `gan config parse --json`:
 * plain JSON for numbers, strings, booleans, null and lists; `{"$tuple": [...]}`,
 * `{"$dict": [[k, v], ...]}`, `{"$ref": "scope/name", "evaluate": bool}`, `{"$macro": "name"}`.
 */
export function toJSONValue(v: ConfigValue): unknown {
  if (v === REQUIRED) return { $macro: 'gin.REQUIRED' };
  if (v instanceof Tuple) return { $tuple: v.items.map(toJSONValue) };
  if (v instanceof Dict) return { $dict: v.entries.map(([k, x]) => [toJSONValue(k), toJSONValue(x)]) };
  if (v instanceof ConfigurableReference) return { $ref: v.scopedName, evaluate: v.evaluate };
  if (v instanceof MacroReference) return { $macro: v.name };
  if (Array.isArray(v)) return v.map(toJSONValue);
  if (typeof v === 'number' && !Number.isFinite(v)) return { $float: String(v) };
  return v;
}

/** Inverse of toJSONValue. */
export function fromJSONValue(j: unknown): ConfigValue {
  if (Array.isArray(j)) return j.map(fromJSONValue);
  if (j !== null && typeof j === 'object') {
    const o = j as Record<string, unknown>;
    if ('$tuple' in o) return new Tuple((o.$tuple as unknown[]).map(fromJSONValue));
    if ('$dict' in o)
      return new Dict((o.$dict as unknown[][]).map(([k, v]) => [fromJSONValue(k), fromJSONValue(v)]));
    if ('$ref' in o) {
      const parts = String(o.$ref).split('/');
      const selector = parts.pop()!;
      return new ConfigurableReference(selector, parts, Boolean(o.evaluate));
    }
    if ('$macro' in o) return o.$macro === 'gin.REQUIRED' ? REQUIRED : new MacroReference(String(o.$macro));
    if ('$float' in o) return Number(o.$float);
    throw new Error(`not a config value: ${JSON.stringify(j)}`);
  }
  return j as ConfigValue;
}

/** Structural equality of two config values (references compare by name, scope and evaluate). */
export function valuesEqual(a: ConfigValue, b: ConfigValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b;
  return valueKey(a) === valueKey(b);
}
