export * from './gradients';
export * from './penalty_lib';
export * from './weight_clipping';
