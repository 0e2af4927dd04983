export { startServer, ServerOptions } from './server';
export { analyze, Analysis, targetAt, Target } from './analysis';
