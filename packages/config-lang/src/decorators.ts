/**
 * Registration: `@configurable` for classes, `configurable(name, opts, fn)` for functions,
 * `register` (pure: direct calls untouched) and `externalConfigurable` for code we do not own.
 *
 * Calling convention: a configurable function or constructor takes one keyword-argument
 * object as its first argument (Gin's kwargs); bindings fill the parameters the caller omits.
 */
import 'reflect-metadata';
import * as path from 'path';
import { config } from './config';
import { ConfigurableInfo, ConfigurableOptions, normalizeParams, ParamInfo, registry } from './registry';
import { inferType, t } from './types';

const PARAMS_KEY = 'gin:params';

function makeInfo(name: string, kind: 'function' | 'class', target: Function, opts: ConfigurableOptions, extraParams?: Map<string, ParamInfo>): ConfigurableInfo {
  const params = normalizeParams(opts.params);
  if (extraParams) for (const [k, v] of extraParams) if (!params.has(k)) params.set(k, v);
  const fullName = opts.module ? `${opts.module}.${name}` : name;
  const source = registry.recordSources ? callerSource() : undefined;
  return { name, module: opts.module, fullName, kind, params, allowlist: opts.allowlist, denylist: opts.denylist, doc: opts.doc, target, wrapped: target, source };
}

/** The first stack frame outside this package: where the configurable is registered. */
function callerSource(): { file: string; line: number } | undefined {
  const pkg = path.dirname(path.dirname(__filename));
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const frame of stack.split('\n').slice(1)) {
    const m = /^at (?:(.*?) \()?(?:file:\/\/)?(.+?):(\d+):\d+\)?$/.exec(frame.trim());
    // TypeScript's decorator helper (__decorate) has no source map: the frame below it does.
    if (!m || /__(es)?[dD]ecorate/.test(m[1] ?? '') || m[2].startsWith('node:') || m[2].startsWith(pkg + path.sep) || m[2].includes(`${path.sep}node_modules${path.sep}`)) continue;
    return { file: m[2], line: Number(m[3]) };
  }
  return undefined;
}

function wrapFunction<F extends Function>(info: ConfigurableInfo, fn: F): F {
  const wrapped = function (this: unknown, kw?: Record<string, unknown>, ...rest: unknown[]) {
    return fn.call(this, config.resolveArgs(info, kw ?? {}), ...rest);
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name || info.name });
  return wrapped as unknown as F;
}

function wrapClass<C extends new (...args: any[]) => any>(info: ConfigurableInfo, cls: C): C {
  const Wrapped = class extends cls {
    constructor(...args: any[]) {
      const kw = (args[0] ?? {}) as Record<string, unknown>;
      super(config.resolveArgs(info, kw), ...args.slice(1));
    }
  };
  Object.defineProperty(Wrapped, 'name', { value: cls.name });
  // Keep tsyringe / reflect-metadata constructor metadata visible on the wrapper.
  for (const k of Reflect.getMetadataKeys(cls)) Reflect.defineMetadata(k, Reflect.getMetadata(k, cls), Wrapped);
  return Wrapped;
}

/**
 * Parameter decorator for constructors whose first argument is the kwargs object is not
 * needed; `@param` is for documenting a single named parameter with a type taken from
 * reflect-metadata's `design:paramtypes` when a class takes positional parameters.
 */
export function param(name: string, defaultValue?: unknown): ParameterDecorator {
  return (target, _prop, index) => {
    const types = (Reflect.getMetadata('design:paramtypes', target) as unknown[] | undefined) ?? [];
    const jsType = types[index];
    const type = jsType === Number ? t.number : jsType === String ? t.string : jsType === Boolean ? t.bool : defaultValue !== undefined ? inferType(defaultValue) : t.any;
    const list: Array<[number, ParamInfo]> = Reflect.getMetadata(PARAMS_KEY, target) ?? [];
    list.push([index, { name, hasDefault: defaultValue !== undefined, default: defaultValue, type }]);
    Reflect.defineMetadata(PARAMS_KEY, list, target);
  };
}

export function configurable(name?: string | ConfigurableOptions, opts?: ConfigurableOptions): ClassDecorator;
export function configurable<F extends Function>(name: string, opts: ConfigurableOptions, fn: F): F;
/**
 * `@configurable('Name', { module, params })` on a class, or
 * `configurable('name', { module, params }, fn)` for a function. Returns the wrapped target,
 * which applies bindings when called; references (`@Name`) resolve to it.
 */
export function configurable(a?: string | ConfigurableOptions, b?: ConfigurableOptions, fn?: Function): any {
  const nameArg = typeof a === 'string' ? a : undefined;
  const opts = (typeof a === 'object' ? a : b) ?? {};
  if (fn) {
    const info = makeInfo(nameArg ?? fn.name, 'function', fn, opts);
    info.wrapped = wrapFunction(info, fn);
    registry.add(info);
    return info.wrapped;
  }
  return (cls: any) => {
    const positional: Array<[number, ParamInfo]> = Reflect.getMetadata(PARAMS_KEY, cls) ?? [];
    const extra = new Map(positional.sort((x, y) => x[0] - y[0]).map(([, p]) => [p.name, p] as [string, ParamInfo]));
    const info = makeInfo(nameArg ?? cls.name, 'class', cls, opts, extra);
    info.wrapped = positional.length ? wrapPositional(info, cls, positional) : wrapClass(info, cls);
    registry.add(info);
    return info.wrapped;
  };
}

/** A class whose configurable parameters are positional constructor arguments marked with @param. */
function wrapPositional(info: ConfigurableInfo, cls: any, positional: Array<[number, ParamInfo]>): any {
  const Wrapped = class extends cls {
    constructor(...args: any[]) {
      const explicit: Record<string, unknown> = {};
      for (const [i, p] of positional) if (args[i] !== undefined) explicit[p.name] = args[i];
      const kw = config.resolveArgs(info, explicit);
      const full = [...args];
      for (const [i, p] of positional) full[i] = kw[p.name];
      super(...full);
    }
  };
  Object.defineProperty(Wrapped, 'name', { value: cls.name });
  for (const k of Reflect.getMetadataKeys(cls)) Reflect.defineMetadata(k, Reflect.getMetadata(k, cls), Wrapped);
  return Wrapped;
}

/**
 * Pure registration (Gin's `register`): the returned configurable applies bindings when
 * reached through a reference, but direct calls of `fn` itself stay untouched.
 */
export function register<F extends Function>(name: string, opts: ConfigurableOptions, fn: F): F {
  const info = makeInfo(name, 'function', fn, opts);
  info.wrapped = wrapFunction(info, fn);
  registry.add(info);
  return fn;
}

/**
 * Registers code we do not own under a Gin name, e.g.
 * `externalConfigurable(adam, 'AdamOptimizer', { module: 'tf.train', params: {...} })`.
 * `kind: 'class'` when `target` must be constructed with `new`.
 */
export function externalConfigurable<F extends Function>(target: F, name: string, opts: ConfigurableOptions & { kind?: 'function' | 'class' } = {}): F {
  const kind = opts.kind ?? 'function';
  const info = makeInfo(name, kind, target, opts);
  info.wrapped = kind === 'class' ? wrapClass(info, target as any) : wrapFunction(info, target);
  registry.add(info);
  return info.wrapped as F;
}

/** The configurable registered for `selector` (with its bindings applied when called). */
export function getConfigurable(selector: string): Function {
  return registry.lookup(selector).wrapped;
}

/**
 * Gin's dynamic registration: makes `target` (an export reached through an import, e.g.
 * `from my_losses import scaled` then `scaled.factor = 2`) configurable under `selector`.
 * An already registered configurable just gains `selector` as another name. A plain JS
 * function or class has no inspectable keyword parameters, so any parameter may be bound.
 */
export function registerDynamic(target: Function, selector: string): ConfigurableInfo {
  const existing = registry.infoOf(target);
  if (existing) {
    registry.alias(selector, existing);
    return existing;
  }
  const dot = selector.lastIndexOf('.');
  const kind = /^class[\s{]/.test(Function.prototype.toString.call(target)) ? 'class' : 'function';
  const info = makeInfo(selector.slice(dot + 1), kind, target, { module: dot > 0 ? selector.slice(0, dot) : undefined });
  info.acceptsAnyParam = true;
  info.wrapped = kind === 'class' ? wrapClass(info, target as any) : wrapFunction(info, target);
  registry.add(info);
  return info;
}
