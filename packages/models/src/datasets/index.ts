/** Datasets: importing this module registers every dataset and the `dataset`/`labels` configurables. */
export * from './types';
export * from './errors';
export * from './in_memory';
export * from './registry';
export * from './files';
export * from './idx';
export * from './tar';
export * from './resize';
export * from './labels';
export * from './mnist';
export * from './cifar10';
export * from './image_folder';
export * from './shapes';
export * from './fake';
export * from './dataset';
export * from './shape_scenes';
export * from './unpaired';
