export * from './auth';
export * from './config';
export * from './context';
export * from './idempotency';
export * from './log';
export * from './server';
export { sampleWork } from './work';
export { installShutdown } from './shutdown';
