/** Resolves `options.architecture` (a name such as "dcgan_arch", or a reference) to the network pair. */
import { didYouMean, registry } from '@cgan/config-lang';
import { Architecture, ArchitectureOptions } from '../architectures/abstract_arch';

export type ArchitectureFn = (opts: ArchitectureOptions) => Architecture;

export function resolveArchitecture(architecture: string | Function): ArchitectureFn {
  if (typeof architecture === 'function') return architecture as ArchitectureFn;
  const candidates = registry.match(architecture);
  if (candidates.length !== 1) {
    const known = registry
      .all()
      .filter((i) => i.name.endsWith('_arch'))
      .map((i) => i.name)
      .sort();
    const close = candidates.length ? undefined : didYouMean(architecture, known);
    throw new Error(
      `options.architecture = "${architecture}" is not ${candidates.length ? 'unique' : 'a registered architecture'}; ` +
        `${close ? `${close} ` : ''}known architectures: ${known.length ? known.join(', ') : 'none registered (import @cgan/models)'}.`,
    );
  }
  return candidates[0].wrapped as ArchitectureFn;
}
