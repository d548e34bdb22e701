/**
 * Producers: put HTTP tasks on a queue the stack deployed, with BufferTask (plain HTTPS) or CreateTask
 * (the official client). Runtime code: never imports cdktf, the provider or the constructs.
 */
export { bufferTask, resolveEndpoint } from './buffer-task';
export { createTask, closeClients } from './create-task';
export * from './errors';
export type { CreatedTask, CreateTaskOptions, EnqueueOptions, Payload, QueueRef, Retry } from './options';
export { parseSchedule, queuePath } from './options';
export { ADC_HOSTS_ENV, UntrustedEndpointError } from './credentials';
export { MissingPeerDependencyError, OPTIONAL_PEERS } from './peers';
export type { OptionalPeer } from './peers';
export { DeadLetterReader, RefusedDeadLetterError, replayDeadLetter, replayTaskId, PUBSUB_ENDPOINT } from './dead-letters';
export type { DeadLetter, DeadLetterReaderOptions, PulledDeadLetter, ReceivedDeadLetter, ReplayOptions, UnreadableDeadLetter } from './dead-letters';
export { pauseQueue, resumeQueue } from './queue-admin';
export type { QueueAdminOptions, QueueState } from './queue-admin';
