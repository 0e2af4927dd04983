export * from './core/rng';
export * from './core/variables';
export * from './datasets/types';
export * from './architectures/abstract_arch';
export * from './gans/abstract_gan';
