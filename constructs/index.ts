export * from './principal';
export * from './service-account';
export * from './service-agent';
export * from './task-queue';
export * from './task-handler-service';
export * from './http-target-pipeline';
export { ValidationError } from '../limits';
