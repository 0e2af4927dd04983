/**
 * The configuration state: bindings, macros, scopes, resolution and the operative config.
 * Semantics follow Gin: the innermost scope wins, module names disambiguate, REQUIRED
 * parameters left unbound fail with their full selector, references resolve lazily and
 * evaluated references (`@fn()`) are called at injection.
 */
import { ConfigError, didYouMean } from './errors';
import { ConfigurableInfo, ParamInfo, registry } from './registry';
import { t } from './types';
import {
  ConfigurableReference,
  ConfigValue,
  Dict,
  Location,
  MacroReference,
  REQUIRED,
  Tuple,
} from './values';

export interface Binding {
  scope: string[];
  /** Canonical full name of the configurable. */
  fullName: string;
  param: string;
  value: ConfigValue;
  location?: Location;
}

export interface MacroBinding {
  name: string;
  value: ConfigValue;
  location?: Location;
}

/** Finer locations for a binding's errors: the parameter name and the value. */
export interface BindLocations {
  param?: Location;
  value?: Location;
}

const IDENTIFIER = /^[A-Za-z_]\w*$/;
const key = (scope: string[], fullName: string) => `${scope.join('/')}\u0000${fullName}`;

/** A required parameter of `info` left unbound (or bound to %gin.REQUIRED) in `scope`. */
function requiredError(scope: string[], info: ConfigurableInfo, p: ParamInfo, b: Binding | undefined): ConfigError {
  const where = scope.length ? `${scope.join('/')}/` : '';
  return new ConfigError(
    `Required parameter '${where}${info.fullName}.${p.name}' was not supplied.`,
    b?.location,
    `bind it, e.g. '${info.fullName}.${p.name} = ...'${p.type.name !== 'any' ? ` (expects ${p.type.name})` : ''}`,
  );
}

/** Turns a JS value into a config value, when it has one (for printing defaults). */
export function jsToConfigValue(v: unknown): ConfigValue | undefined {
  if (v === REQUIRED) return REQUIRED;
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v === undefined) return null;
  if (Array.isArray(v)) {
    const items = v.map(jsToConfigValue);
    return items.every((x) => x !== undefined) ? (items as ConfigValue[]) : undefined;
  }
  if (v instanceof Tuple || v instanceof Dict || v instanceof ConfigurableReference || v instanceof MacroReference) return v;
  const info = registry.infoOf(v);
  if (info) return new ConfigurableReference(info.fullName);
  return undefined;
}

/** An applied import statement and what it loaded (undefined for built-in modules). */
export interface ImportRecord {
  module: string;
  alias?: string;
  isFrom?: boolean;
  location?: Location;
  value?: unknown;
  /** The file the module was loaded from (absolute; none for built-in names); `member`: as in ImportStatement.loadedFrom. */
  loadedFrom?: { file: string; member?: boolean };
}

export class Config {
  private bindings = new Map<string, Map<string, Binding>>();
  private macros = new Map<string, MacroBinding>();
  private constants = new Map<string, ConfigValue>();
  private operative = new Map<string, { scope: string[]; fullName: string; params: Map<string, ConfigValue> }>();
  private scopeStack: string[] = [];
  private locked = false;
  readonly imports: ImportRecord[] = [];

  // ---------------------------------------------------------------- binding
  /** Binds `[scope/]selector.param = value`, validating the name, the parameter and the type. */
  bind(scope: string[], selector: string, param: string, value: ConfigValue, location?: Location, detail: BindLocations = {}): Binding {
    this.assertUnlocked(location);
    const info = registry.lookup(selector, location);
    this.checkParam(info, param, value, detail.param ?? location, detail.value ?? location);
    const b: Binding = { scope, fullName: info.fullName, param, value, location };
    const k = key(scope, info.fullName);
    if (!this.bindings.has(k)) this.bindings.set(k, new Map());
    this.bindings.get(k)!.set(param, b);
    return b;
  }

  /** `NAME = value`. */
  bindMacro(name: string, value: ConfigValue, location?: Location): void {
    this.assertUnlocked(location);
    this.macros.set(name, { name, value, location });
  }

  /** Records an import (Gin's `import`/`from ... import`); `value` is what it loaded, if anything. */
  addImport(module: string, location?: Location, form: { alias?: string; isFrom?: boolean; value?: unknown; loadedFrom?: { file: string; member?: boolean } } = {}): void {
    const same = (i: ImportRecord) => i.module === module && i.alias === form.alias && Boolean(i.isFrom) === Boolean(form.isFrom);
    if (!this.imports.some(same)) this.imports.push({ module, location, ...form });
  }

  /** Validates a parameter name and a value's type against a configurable's declaration. */
  checkParam(info: ConfigurableInfo, param: string, value: ConfigValue, location?: Location, valueLocation: Location | undefined = location): void {
    const p = info.params.get(param) ?? (info.acceptsAnyParam && IDENTIFIER.test(param) ? { name: param, hasDefault: false, default: REQUIRED, type: t.any } : undefined);
    if (!p) {
      const known = [...info.params.keys()];
      throw new ConfigError(
        `'${info.fullName}' has no parameter '${param}'.`,
        location,
        didYouMean(param, known) ?? (known.length ? `its parameters are: ${known.join(', ')}` : `'${info.fullName}' takes no configurable parameters`),
      );
    }
    if (info.allowlist && !info.allowlist.includes(param)) {
      throw new ConfigError(`Parameter '${param}' of '${info.fullName}' is not configurable.`, location, `configurable parameters: ${info.allowlist.join(', ')}`);
    }
    if (info.denylist?.includes(param)) {
      throw new ConfigError(`Parameter '${param}' of '${info.fullName}' is denylisted and cannot be bound.`, location);
    }
    let v = value;
    const seen = new Set<string>();
    while (v instanceof MacroReference && !seen.has(v.name) && this.macro(v.name) !== undefined) {
      seen.add(v.name);
      v = this.macro(v.name)!;
    }
    const problem = p.type.check(v);
    if (problem) {
      throw new ConfigError(`Wrong type for '${info.fullName}.${param}': ${problem}.`, valueLocation, `'${param}' expects ${p.type.name}`);
    }
  }

  /** The value bound to `[scope/]selector.param`, or undefined. */
  query(selector: string, param: string, scope: string[] = []): ConfigValue | undefined {
    const info = registry.lookup(selector);
    return this.bindings.get(key(scope, info.fullName))?.get(param)?.value;
  }

  /** The value of macro (or constant) `name`, or undefined. */
  macro(name: string): ConfigValue | undefined {
    const m = this.macros.get(name);
    return m ? m.value : this.constants.get(name);
  }

  /**
   * Registers a constant usable as `%name` (Gin's `gin.constant`); names may be dotted
   * (`%ops.relu`). Constants survive clear(), like registrations.
   */
  constant(name: string, value: ConfigValue): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name)) {
      throw new ConfigError(`Invalid constant name '${name}'.`, undefined, 'use identifiers joined by dots');
    }
    this.constants.set(name, value);
  }

  /** Names usable after '%': macros bound so far and constants. */
  macroNames(): string[] {
    return [...new Set([...this.macros.keys(), ...this.constants.keys()])];
  }

  allBindings(): Binding[] {
    return [...this.bindings.values()].flatMap((m) => [...m.values()]);
  }

  allMacros(): MacroBinding[] {
    return [...this.macros.values()];
  }

  // ---------------------------------------------------------------- scopes
  currentScope(): string[] {
    return [...this.scopeStack];
  }

  /** Runs `fn` inside `scope` (nested under the current one); `null` clears the scope. */
  withScope<T>(scope: string | string[] | null, fn: () => T): T {
    const saved = this.scopeStack;
    const parts = scope === null ? [] : Array.isArray(scope) ? scope : scope.split('/').filter(Boolean);
    for (const p of parts) {
      if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(p)) throw new ConfigError(`Invalid scope name '${p}'.`);
    }
    this.scopeStack = scope === null ? [] : [...saved, ...parts];
    try {
      return fn();
    } finally {
      this.scopeStack = saved;
    }
  }

  // ---------------------------------------------------------------- resolution
  /**
   * The keyword arguments for a call of `info` in the current scope: explicit arguments win,
   * then the innermost scope's bindings, then defaults. Records what was used.
   */
  resolveArgs(info: ConfigurableInfo, explicit: Record<string, unknown> = {}): Record<string, unknown> {
    const scope = this.scopeStack;
    const bound = this.boundIn(scope, info);
    const out: Record<string, unknown> = { ...explicit };
    const used = new Map<string, ConfigValue>();
    for (const p of info.params.values()) {
      const name = p.name;
      if (explicit[name] !== undefined) continue;
      const b = bound.get(name);
      if (b && b.value !== REQUIRED) {
        out[name] = this.resolveValue(b.value, b.location);
        used.set(name, b.value);
      } else if (p.hasDefault && !b) {
        out[name] = p.default;
        const cv = jsToConfigValue(p.default);
        if (cv !== undefined) used.set(name, cv);
      } else {
        throw requiredError(scope, info, p, b);
      }
    }
    if (info.acceptsAnyParam) {
      // Dynamically registered: every bound parameter is passed, as Gin passes kwargs.
      for (const [name, b] of bound) {
        if (info.params.has(name) || explicit[name] !== undefined || b.value === REQUIRED) continue;
        out[name] = this.resolveValue(b.value, b.location);
        used.set(name, b.value);
      }
    }
    this.recordOperative(scope, info, used);
    return out;
  }

  /** The bindings a call of `info` in `scope` sees, by parameter (inner scopes win). */
  private boundIn(scope: string[], info: ConfigurableInfo): Map<string, Binding> {
    const bound = new Map<string, Binding>();
    for (let i = 0; i <= scope.length; i++) {
      const m = this.bindings.get(key(scope.slice(0, i), info.fullName));
      if (m) for (const [p, b] of m) bound.set(p, b);
    }
    return bound;
  }

  /**
   * The errors a call of `info` in `scope` (default: none) with no explicit arguments would
   * throw for its required parameters, all of them, without calling it: a check before a run.
   */
  missingRequired(info: ConfigurableInfo, scope: string[] = []): ConfigError[] {
    const bound = this.boundIn(scope, info);
    const errors: ConfigError[] = [];
    for (const p of info.params.values()) {
      const b = bound.get(p.name);
      if (b ? b.value === REQUIRED : !p.hasDefault) errors.push(requiredError(scope, info, p, b));
    }
    return errors;
  }

  private recordOperative(scope: string[], info: ConfigurableInfo, used: Map<string, ConfigValue>): void {
    const k = key(scope, info.fullName);
    let entry = this.operative.get(k);
    if (!entry) {
      entry = { scope: [...scope], fullName: info.fullName, params: new Map() };
      this.operative.set(k, entry);
    }
    for (const [p, v] of used) entry.params.set(p, v);
  }

  /** Turns a config value into a runtime value: references become callables, macros their values. */
  resolveValue(v: ConfigValue, location?: Location, macroChain: string[] = []): unknown {
    if (v instanceof MacroReference) {
      if (macroChain.includes(v.name)) {
        throw new ConfigError(`Macro cycle: ${[...macroChain, v.name].map((n) => `%${n}`).join(' -> ')}.`, v.location ?? location);
      }
      const m = this.macros.get(v.name);
      if (!m) {
        if (this.constants.has(v.name)) return this.resolveValue(this.constants.get(v.name)!, location, [...macroChain, v.name]);
        throw new ConfigError(`Unknown macro '%${v.name}'.`, v.location ?? location, didYouMean(v.name, this.macroNames()) ?? `define it with '${v.name} = ...'`);
      }
      return this.resolveValue(m.value, m.location, [...macroChain, v.name]);
    }
    if (v instanceof ConfigurableReference) return this.resolveReference(v, location);
    if (Array.isArray(v)) return v.map((x) => this.resolveValue(x, location, macroChain));
    if (v instanceof Tuple) return v.items.map((x) => this.resolveValue(x, location, macroChain));
    if (v instanceof Dict) {
      const plain = v.entries.every(([k]) => typeof k === 'string' || typeof k === 'number');
      if (plain) {
        const o: Record<string, unknown> = {};
        for (const [k, x] of v.entries) o[String(k)] = this.resolveValue(x, location, macroChain);
        return o;
      }
      return new Map(v.entries.map(([k, x]) => [this.resolveValue(k, location, macroChain), this.resolveValue(x, location, macroChain)]));
    }
    if (v === REQUIRED) throw new ConfigError('gin.REQUIRED cannot be used as a value here.', location);
    return v;
  }

  /** `@name` gives the configurable (scoped when `@scope/name`); `@name()` calls it now. */
  resolveReference(ref: ConfigurableReference, location?: Location): unknown {
    const info = registry.lookup(ref.selector, ref.location ?? location);
    const target = ref.scope.length ? this.scoped(info, ref.scope) : info.wrapped;
    if (!ref.evaluate) return target;
    return info.kind === 'class'
      ? new (target as new () => unknown)()
      : (target as () => unknown)();
  }

  /** A callable (or constructible) that runs `info` inside `scope`. */
  scoped(info: ConfigurableInfo, scope: string[]): Function {
    const self = this;
    return new Proxy(info.wrapped, {
      apply(target, thisArg, args) {
        return self.withScope(scope, () => Reflect.apply(target, thisArg, args));
      },
      construct(target, args, newTarget) {
        return self.withScope(scope, () => Reflect.construct(target, args, newTarget === undefined ? target : target));
      },
    });
  }

  // ---------------------------------------------------------------- lifecycle
  /** After finalize(), bindings cannot change (as Gin's lock_config / finalize). */
  finalize(): void {
    this.locked = true;
  }
  isLocked(): boolean {
    return this.locked;
  }
  private assertUnlocked(location?: Location): void {
    if (this.locked) throw new ConfigError('The config is locked (finalized); bindings cannot change now.', location, 'bind before training starts, or call clear()');
  }

  /** Forgets all bindings, macros, imports, operative records and the lock. Registrations stay. */
  clear(): void {
    this.bindings.clear();
    this.macros.clear();
    this.operative.clear();
    this.imports.length = 0;
    this.scopeStack = [];
    this.locked = false;
  }

  /** What was actually used: (scope, fullName, param -> value), defaults included. */
  operativeEntries(): Array<{ scope: string[]; fullName: string; params: Map<string, ConfigValue> }> {
    return [...this.operative.values()];
  }
}

/** The process-wide config, like Gin's. */
export const config = new Config();
