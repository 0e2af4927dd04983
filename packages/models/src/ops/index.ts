/** compare_gan's arch_ops: layers, initializers, normalizations, spectral norm, attention. */
export * from './context';
export * from './initializers';
export * from './spectral_norm';
export * from './conv';
export * from './layers';
export * from './standardize_batch';
export * from './batch_norm';
export * from './layer_norm';
export * from './non_local';
export * from './projection';
export * from './instance_norm';
