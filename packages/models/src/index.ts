export * from './core/rng';
export * from './core/variables';
export * from './datasets';
export * from './architectures/abstract_arch';
export * from './gans/abstract_gan';
