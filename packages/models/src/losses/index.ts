export * from './loss_lib';
