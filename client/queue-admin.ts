/**
 * Pause and resume a real queue (REST `:pause` / `:resume`): the runbook for changing queue-level routing
 * while tasks flow is pause → apply → wait about a minute → resume. A paused queue still accepts tasks
 * (CreateTask and BufferTask); it only stops dispatching them.
 */
import { resolveEndpoint } from './buffer-task';
import { CredentialOptions, tokenFor } from './credentials';
import { canonicalStatus, CloudTasksError, PermissionDeniedError, QueueNotFoundError, UnavailableError } from './errors';
import { QueueRef, queuePath } from './options';

/** How `pauseQueue` / `resumeQueue` reach the API (the same endpoint and credential rules as the producers). */
export interface QueueAdminOptions extends CredentialOptions {
  /** API base URL. @default - $CLOUD_TASKS_ENDPOINT, else https://cloudtasks.googleapis.com */
  readonly endpoint?: string;
}

/** What the API reports after the call. */
export interface QueueState {
  /** `projects/P/locations/L/queues/Q`. */
  readonly name: string;
  /** `RUNNING`, `PAUSED` or `DISABLED` (numbers from servers that send enums as integers are mapped). */
  readonly state: string;
}

/** Stops dispatching from the queue; tasks can still be added. Needs `cloudtasks.queues.pause` (Cloud Tasks Queue Admin). */
export function pauseQueue(queue: QueueRef, options: QueueAdminOptions = {}): Promise<QueueState> {
  return queueAction(queue, 'pause', options);
}

/** Starts dispatching again. Needs `cloudtasks.queues.resume` (Cloud Tasks Queue Admin). */
export function resumeQueue(queue: QueueRef, options: QueueAdminOptions = {}): Promise<QueueState> {
  return queueAction(queue, 'resume', options);
}

const STATES = ['STATE_UNSPECIFIED', 'RUNNING', 'PAUSED', 'DISABLED'];

async function queueAction(queue: QueueRef, action: 'pause' | 'resume', options: QueueAdminOptions): Promise<QueueState> {
  const path = queuePath(queue);
  const base = resolveEndpoint(options.endpoint);
  // Plain http only on loopback; Application Default Credentials only to *.googleapis.com or adcHosts.
  const token = await tokenFor(base, options);
  const what = `${action} ${path}`;
  let res: Response;
  try {
    res = await fetch(`${base}/v2/${path}:${action}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: '{}',
    });
  } catch (e) {
    throw new UnavailableError(`${what}: cannot reach ${base}: ${(e as Error).cause ?? (e as Error).message}`, 'UNAVAILABLE');
  }
  const text = await res.text();
  let body: { name?: string; state?: string | number; error?: { message?: string; status?: string } } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the raw text for the message
  }
  if (!res.ok) {
    const status = canonicalStatus(res.status, body.error?.status);
    const detail = body.error?.message ?? (text || res.statusText);
    if (status === 'PERMISSION_DENIED' || status === 'UNAUTHENTICATED') {
      throw new PermissionDeniedError(`${what}: ${status}: the caller needs cloudtasks.queues.${action} on the queue (Cloud Tasks Queue Admin, roles/cloudtasks.queueAdmin) (${detail})`, status, res.status);
    }
    if (status === 'NOT_FOUND') throw new QueueNotFoundError(`${what}: queue not found; check project, location and queue id (${detail})`, status, res.status);
    throw new CloudTasksError(`${what}: ${status}: ${detail}`, status, res.status);
  }
  const state = typeof body.state === 'number' ? (STATES[body.state] ?? String(body.state)) : (body.state ?? 'STATE_UNSPECIFIED');
  return { name: body.name ?? path, state };
}
