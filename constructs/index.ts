export * from './principal';
export * from './service-account';
export * from './project-foundation';
export * from './project-foundation-stack';
export * from './removed-resource';
export * from './task-queue';
export * from './task-handler-service';
export * from './http-target-pipeline';
export { ValidationError } from '../limits';
