import type { TaskWork } from './server';

/**
 * The sample work: parse the JSON body and log it. Replace this function with your own; keep it
 * idempotent where you can (the framework dedupes per instance only) and watch `task.signal`.
 */
export const sampleWork: TaskWork = (task) => {
  const payload = task.json();
  const text = JSON.stringify(payload);
  task.logFields.payload = text.length > 1024 ? `${text.slice(0, 1024)}…` : payload;
};
