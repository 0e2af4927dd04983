/**
 * `options.architecture`: architecture names ("dcgan_arch", "resnet_cifar_arch", ...) to
 * factories `(ArchitectureOptions) => Architecture`. Each architecture module registers itself
 * with `registerArchitecture` when imported; the factory is also a configurable named like the
 * architecture (module `architectures`), so `options.architecture = @resnet_cifar_arch` works too.
 */
import { ConfigError, configurable, didYouMean } from '@cgan/config-lang';
import { Architecture, ArchitectureOptions } from './abstract_arch';

export type ArchitectureFactory = (opts: ArchitectureOptions) => Architecture;

const factories = new Map<string, ArchitectureFactory>();

/** Registers `name` (e.g. 'dcgan_arch'); returns the configurable factory. */
export function registerArchitecture(name: string, factory: ArchitectureFactory, doc?: string): ArchitectureFactory {
  const wrapped = configurable(name, { module: 'architectures', params: {}, doc }, factory);
  factories.set(name, wrapped);
  return wrapped;
}

/** Registered architecture names, sorted. */
export function architectureNames(): string[] {
  return [...factories.keys()].sort();
}

/** The factory for `name`; a ConfigError naming the known architectures otherwise. */
export function architectureFactory(name: string): ArchitectureFactory {
  const f = factories.get(name) ?? factories.get(name.replace(/^architectures\./, ''));
  if (f) return f;
  const known = architectureNames();
  const close = didYouMean(name, known);
  throw new ConfigError(
    `Unknown architecture "${name}" (options.architecture).`,
    undefined,
    `${close ? `${close} ` : ''}known architectures: ${known.length ? known.join(', ') : 'none registered (import @cgan/models)'}`,
  );
}

/** Builds the generator and discriminator of architecture `name` (or of a factory). */
export function buildArchitecture(name: string | ArchitectureFactory, opts: ArchitectureOptions): Architecture {
  const factory = typeof name === 'function' ? name : architectureFactory(name);
  return factory(opts);
}
