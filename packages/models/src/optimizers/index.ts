export * from './tf_train';
export * from './distributions';
export * from './lr_schedule';
export * from './fused_adam';
