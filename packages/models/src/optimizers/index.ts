export * from './tf_train';
export * from './distributions';
