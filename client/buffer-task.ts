import { CLOUD_TASKS_ENDPOINT } from '../limits';
import { tokenFor } from './credentials';
import { canonicalStatus, toTypedError } from './errors';
import { CreatedTask, EnqueueOptions, encodePayload, QueueRef, queueDeadlineSettings, queuePath, validateEnqueue, withContentType } from './options';
import { RetryAfter, withRetry } from './retry';

/** Base URL of the Cloud Tasks API: the option, else $CLOUD_TASKS_ENDPOINT, else Google's. */
export function resolveEndpoint(endpoint?: string): string {
  return (endpoint ?? process.env.CLOUD_TASKS_ENDPOINT ?? CLOUD_TASKS_ENDPOINT).replace(/\/+$/, '');
}

/**
 * BufferTask: `POST .../queues/Q/tasks:buffer` (or `.../tasks/ID:buffer`). The payload becomes the task
 * body; URL, method, auth and header overrides come from the queue's `http_target`. Plain HTTPS only:
 * the client libraries do not offer it. Every buffered task gets a 600 s deadline (BufferTask cannot set one), so
 * it is refused for a queue given with `bufferTask: false` (or a deadline above 600 s).
 */
export async function bufferTask(queue: QueueRef, options: EnqueueOptions = {}): Promise<CreatedTask> {
  const path = queuePath(queue);
  const { body, contentType } = encodePayload(options.payload);
  // Refused for a CreateTask-only queue: a buffered task always gets 600 s, less than its handler budgets.
  validateEnqueue(options, body.length, Date.now(), queueDeadlineSettings(queue), 'BufferTask');
  const base = resolveEndpoint(options.endpoint);
  const url = `${base}/v2/${path}/tasks${options.taskId ? `/${options.taskId}` : ''}:buffer`;
  const taskName = options.taskId && `${path}/tasks/${options.taskId}`;
  const ctx = { queuePath: path, taskName, method: 'BufferTask' as const };
  const token = await tokenFor(base, options);

  return withRetry(
    async () => {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          // A redirect would re-send the payload wherever it points: a 3xx is an answer, not a detour.
          redirect: 'manual',
          headers: { ...withContentType(contentType, options.headers), Authorization: `Bearer ${token}` },
          body,
        });
      } catch (e) {
        throw toTypedError('UNAVAILABLE', `cannot reach ${base}: ${(e as Error).cause ?? (e as Error).message}`, ctx);
      }
      const text = await res.text();
      if (!res.ok) {
        let detail = text;
        let statusText: unknown;
        try {
          const err = JSON.parse(text).error;
          detail = err?.message ?? text;
          statusText = err?.status;
        } catch {
          // not JSON: keep the raw text
        }
        if (res.status >= 300 && res.status < 400) {
          detail = `HTTP ${res.status} redirect to ${JSON.stringify((res.headers.get('location') ?? '').slice(0, 200))}, not followed (a task is sent to the endpoint it was given only)`;
        }
        const error = toTypedError(canonicalStatus(res.status, statusText), detail || res.statusText, ctx, res.status);
        const retryAfter = Number(res.headers.get('retry-after'));
        throw Number.isFinite(retryAfter) && retryAfter > 0 ? new RetryAfter(error, retryAfter * 1000) : error;
      }
      const task = (JSON.parse(text) as { task?: { name?: string; scheduleTime?: string } }).task ?? {};
      return { name: task.name ?? taskName ?? '', scheduleTime: task.scheduleTime ? new Date(task.scheduleTime) : undefined };
    },
    { named: Boolean(options.taskId), taskName, retry: options.retry },
  );
}
