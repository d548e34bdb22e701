// First: a missing peer fails here, with the package to install, before any import of it fails raw.
import './peers';
export * from './principal';
export * from './service-account';
export * from './project-foundation';
export * from './project-foundation-stack';
export * from './removed-resource';
export * from './moved-resources';
export * from './service-identity';
export * from './task-queue';
export * from './task-handler-service';
export * from './http-target-pipeline';
export * from './dead-letter-topic';
export * from './queue-alerts';
export * from './pipeline-dashboard';
export { ValidationError } from '../limits';
