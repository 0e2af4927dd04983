/**
 * The registry of configurables: which names exist, their parameters, defaults and types.
 * Registration is done by the decorators in ./decorators; resolution of bindings lives in ./config.
 */
import 'reflect-metadata';
import { ConfigError, didYouMean } from './errors';
import { inferType, ParamType, t } from './types';
import { Location, REQUIRED } from './values';

export const METADATA_KEY = 'gin:configurable';

/** A parameter as the user declares it: a full spec, a bare type, or just a default value. */
export type ParamDecl = ParamSpec | ParamType | number | string | boolean | null | typeof REQUIRED | symbol | unknown[];

export interface ParamSpec {
  /** JS default value; REQUIRED (or absent) means the caller or a binding must supply it. */
  default?: unknown;
  type?: ParamType;
  doc?: string;
}

export interface ParamInfo {
  name: string;
  hasDefault: boolean;
  default: unknown;
  type: ParamType;
  doc?: string;
}

export interface ConfigurableOptions {
  /** Module prefix used to disambiguate, e.g. `loss_lib` or `tf.train`. */
  module?: string;
  /** Parameter declarations, in the configurable's own (snake_case) names. */
  params?: Record<string, ParamDecl>;
  /** Only these parameters may be bound. */
  allowlist?: string[];
  /** These parameters may not be bound. */
  denylist?: string[];
  doc?: string;
}

export interface ConfigurableInfo {
  name: string;
  module?: string;
  /** `module.name` or `name`. */
  fullName: string;
  kind: 'function' | 'class';
  params: Map<string, ParamInfo>;
  allowlist?: string[];
  denylist?: string[];
  doc?: string;
  /**
   * Any parameter may be bound (type any): set for Gin's dynamic registration of a plain JS
   * function or class, whose keyword parameters cannot be inspected.
   */
  acceptsAnyParam?: boolean;
  /** The user's original function or class. */
  target: Function;
  /** What references resolve to: calls it with bindings applied. */
  wrapped: Function;
  /** Where it is registered (recorded when registry.recordSources is on, and in the manifest). */
  source?: { file: string; line: number };
  /** Declared by the configurable manifest (../manifest) rather than by loaded code: no code to run. */
  declared?: boolean;
}

function isParamType(x: unknown): x is ParamType {
  return typeof x === 'object' && x !== null && typeof (x as ParamType).check === 'function' && 'name' in x;
}
function isParamSpec(x: unknown): x is ParamSpec {
  return (
    typeof x === 'object' && x !== null && !Array.isArray(x) && !isParamType(x) &&
    Object.keys(x).every((k) => k === 'default' || k === 'type' || k === 'doc')
  );
}

export function normalizeParams(decls: Record<string, ParamDecl> = {}): Map<string, ParamInfo> {
  const out = new Map<string, ParamInfo>();
  for (const [name, d] of Object.entries(decls)) {
    if (isParamType(d)) out.set(name, { name, hasDefault: false, default: REQUIRED, type: d });
    else if (isParamSpec(d)) {
      const hasDefault = 'default' in d && d.default !== REQUIRED;
      out.set(name, {
        name,
        hasDefault,
        default: hasDefault ? d.default : REQUIRED,
        type: d.type ?? (hasDefault ? inferType(d.default) : t.any),
        doc: d.doc,
      });
    } else if (d === REQUIRED) out.set(name, { name, hasDefault: false, default: REQUIRED, type: t.any });
    else out.set(name, { name, hasDefault: true, default: d, type: inferType(d) });
  }
  return out;
}

/** All registered configurables, by full name. One per process, like Gin's. */
class Registry {
  private byFullName = new Map<string, ConfigurableInfo>();
  /** Other names of registered configurables (dynamic registration: `alias.fn` for `import m as alias`). */
  private aliases = new Map<string, ConfigurableInfo>();

  add(info: ConfigurableInfo): void {
    const existing = this.byFullName.get(info.fullName);
    // Loaded code replaces what the manifest declared for the same name.
    if (existing && existing.target !== info.target && !existing.declared) {
      throw new ConfigError(
        `A configurable named '${info.fullName}' is already registered.`,
        undefined,
        'give one of them a module (configurable(name, { module })) or another name',
      );
    }
    this.byFullName.set(info.fullName, info);
    Reflect.defineMetadata(METADATA_KEY, info, info.target);
    if (info.wrapped !== info.target) Reflect.defineMetadata(METADATA_KEY, info, info.wrapped);
  }

  remove(fullName: string): void {
    this.byFullName.delete(fullName);
  }

  /** Makes `name` select `info` too (exactly, before any suffix match). */
  alias(name: string, info: ConfigurableInfo): void {
    if (name !== info.fullName) this.aliases.set(name, info);
  }

  all(): ConfigurableInfo[] {
    return [...this.byFullName.values()];
  }

  names(): string[] {
    return [...this.byFullName.keys()];
  }

  /** Record each registration's source file and line (from the stack; used to build the manifest). */
  recordSources = false;

  /** Every configurable whose full name equals `selector` or ends with `.selector`. */
  match(selector: string): ConfigurableInfo[] {
    const exact = this.byFullName.get(selector) ?? this.aliases.get(selector);
    if (exact) return [exact];
    const suffix = `.${selector}`;
    return this.all().filter((i) => i.fullName.endsWith(suffix));
  }

  /** The unique configurable for `selector`, or a ConfigError naming close matches. */
  lookup(selector: string, location?: Location): ConfigurableInfo {
    const m = this.match(selector);
    if (m.length === 1) return m[0];
    if (m.length === 0) {
      throw new ConfigError(`No configurable matching '${selector}'.`, location, didYouMean(selector, this.names()) ?? 'check the name, or import the module that registers it');
    }
    throw new ConfigError(
      `Ambiguous selector '${selector}': it matches ${m.map((i) => `'${i.fullName}'`).join(', ')}.`,
      location,
      `qualify it with its module, e.g. '${m[0].fullName}'`,
    );
  }

  infoOf(target: unknown): ConfigurableInfo | undefined {
    if ((typeof target !== 'function' && typeof target !== 'object') || target === null) return undefined;
    return Reflect.getMetadata(METADATA_KEY, target as object) as ConfigurableInfo | undefined;
  }
}

export const registry = new Registry();
