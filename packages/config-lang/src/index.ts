export * from './values';
export * from './types';
export * from './errors';
export * from './registry';
export * from './config';
export * from './decorators';
