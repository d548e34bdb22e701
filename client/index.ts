/**
 * Producers: put HTTP tasks on a queue the stack deployed, with BufferTask (plain HTTPS) or CreateTask
 * (the official client). Runtime code: never imports cdktf, the provider or the constructs.
 */
export { bufferTask, resolveEndpoint } from './buffer-task';
export { createTask, closeClients } from './create-task';
export * from './errors';
export type { CreatedTask, CreateTaskOptions, EnqueueOptions, Payload, QueueRef, Retry } from './options';
export { parseSchedule, queuePath } from './options';
export { pauseQueue, resumeQueue } from './queue-admin';
export type { QueueAdminOptions, QueueState } from './queue-admin';
