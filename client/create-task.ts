import { DEADLINE_HEADER, DISPATCH_DEADLINE } from '../limits';
import { staticTokenClient } from './auth';
import { resolveEndpoint } from './buffer-task';
import { checkEndpoint, tokenFor } from './credentials';
import { canonicalStatus, toTypedError } from './errors';
import { loadPeer } from './peers';
import { CreatedTask, CreateTaskOptions, encodePayload, QueueRef, queueDeadlineSettings, queuePath, validateEnqueue, withContentType } from './options';
import { withRetry } from './retry';

/**
 * The part of the official client used here. Structural on purpose: the client is an optional peer
 * dependency, so neither its types (gax, gRPC, protos: most of a type-check) nor its code load unless used.
 */
interface TasksClient {
  createTask(request: { parent: string; task: object }): Promise<[{ name?: string | null; scheduleTime?: { seconds?: unknown; nanos?: unknown } | null }, ...unknown[]]>;
  close(): Promise<void>;
}

const clients = new Map<string, Promise<TasksClient>>();

/**
 * The official v2 client. Against Google it uses gRPC and ADC (or the given token); against a custom
 * endpoint (e.g. a local server) its REST transport with an explicit auth client (a token `tokenFor`
 * allowed for that host), because without one it would look for Application Default Credentials.
 */
function clientFor(endpoint: string, token?: string): Promise<TasksClient> {
  const key = `${endpoint}|${token ?? 'adc'}`;
  let client = clients.get(key);
  if (!client) {
    client = (async () => {
      const { CloudTasksClient } = await loadPeer<{ CloudTasksClient: new (options: object) => TasksClient }>('@google-cloud/tasks', 'createTask (the official Cloud Tasks client)');
      const url = new URL(endpoint);
      const authClient = token ? await staticTokenClient(token) : undefined;
      if (isOfficialEndpoint(url)) return new CloudTasksClient(authClient ? { authClient } : {});
      if (!authClient) throw new Error(`a token is required for ${url.origin}`); // tokenFor always gives one here
      return new CloudTasksClient({
        fallback: true,
        protocol: url.protocol.replace(':', ''),
        apiEndpoint: url.hostname,
        port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        authClient,
      });
    })();
    clients.set(key, client);
  }
  return client;
}

/** CreateTask with an explicit task: name (dedup), schedule, dispatch deadline, method, headers, body, OIDC. */
export async function createTask(queue: QueueRef, options: CreateTaskOptions = {}): Promise<CreatedTask> {
  const parent = queuePath(queue);
  const { body, contentType } = encodePayload(options.payload);
  // The queue's deadline (or a shorter one asked for) is always sent: left out, Cloud Tasks would apply 600 s
  // whatever the handler budgets.
  const { scheduleTime, deadlineSeconds } = validateEnqueue(options, body.length, Date.now(), queueDeadlineSettings(queue));
  const name = options.taskId && `${parent}/tasks/${options.taskId}`;
  const ctx = { queuePath: parent, taskName: name, tokenServiceAccount: options.oidcToken?.serviceAccountEmail, method: 'CreateTask' as const };
  const endpoint = resolveEndpoint(options.endpoint);
  // Google's own endpoint: the official client fetches ADC itself (gRPC). Elsewhere only a token tokenFor allows.
  const token = isOfficialEndpoint(checkEndpoint(endpoint)) ? options.accessToken : await tokenFor(endpoint, options);
  const client = await clientFor(endpoint, token);
  // A deadline shorter than the queue's is announced to the handler, which then budgets it (it can only shorten).
  const queueDeadline = queueDeadlineSettings(queue).dispatchDeadlineSeconds ?? DISPATCH_DEADLINE.default;
  const headers = { ...withContentType(contentType, options.headers), ...(deadlineSeconds < queueDeadline && { [DEADLINE_HEADER]: String(deadlineSeconds) }) };

  const task = {
    name,
    scheduleTime: scheduleTime && { seconds: Math.floor(scheduleTime.getTime() / 1000), nanos: (scheduleTime.getTime() % 1000) * 1e6 },
    dispatchDeadline: { seconds: deadlineSeconds },
    httpRequest: {
      url: options.url,
      httpMethod: options.httpMethod ?? 'POST',
      headers,
      body,
      oidcToken: options.oidcToken && { serviceAccountEmail: options.oidcToken.serviceAccountEmail, audience: options.oidcToken.audience },
    },
  };
  return withRetry(
    async () => {
      try {
        // The client's own config never retries CreateTask (non-idempotent); withRetry decides.
        const [created] = await client.createTask({ parent, task });
        const seconds = Number(created.scheduleTime?.seconds ?? NaN);
        return {
          name: created.name ?? name ?? '',
          scheduleTime: Number.isFinite(seconds) ? new Date(seconds * 1000 + Number(created.scheduleTime?.nanos ?? 0) / 1e6) : undefined,
        };
      } catch (e) {
        const err = e as { code?: unknown; status?: unknown; details?: string; message?: string; error?: { status?: string; message?: string } };
        // A transport failure (no HTTP answer at all) surfaces from the client as a bare "fetch failed".
        const unreachable = err.code === undefined && /fetch failed|ECONNREFUSED|ENOTFOUND|socket hang up/i.test(err.message ?? '');
        const status = unreachable ? 'UNAVAILABLE' : canonicalStatus(err.code, err.error?.status ?? (typeof err.status === 'string' ? err.status : undefined));
        const detail = err.error?.message ?? err.details ?? jsonErrorMessage(err.message) ?? err.message ?? String(e);
        throw toTypedError(status, detail, ctx, typeof err.code === 'number' && err.code >= 100 ? err.code : undefined);
      }
    },
    { named: Boolean(name), taskName: name, retry: options.retry },
  );
}

/** Google's Cloud Tasks endpoint, which the official client reaches over gRPC on its own. */
function isOfficialEndpoint(url: URL): boolean {
  return url.protocol === 'https:' && url.hostname === 'cloudtasks.googleapis.com' && (url.port === '' || url.port === '443');
}

/** Closes cached clients (gRPC channels) so a short-lived process can exit. */
export async function closeClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map(async (c) => (await c).close()));
}

/** The REST transport puts the raw `{"error": {...}}` body in the message: show just its text. */
function jsonErrorMessage(message: string | undefined): string | undefined {
  try {
    return (JSON.parse(message ?? '') as { error?: { message?: string } }).error?.message;
  } catch {
    return undefined;
  }
}
