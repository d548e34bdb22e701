import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadHandlerConfig } from '../../handler/src/config';
import { TaskServer, TaskWork } from '../../handler/src/server';
import { LocalCloudTasks, LocalCloudTasksOptions, QueueConfig } from '../../local';

export const SA = 'orders-enq@test-project.iam.gserviceaccount.com';
export const AUDIENCE = 'https://orders-handler.us-central1.cloudtasks.audience';
export const PARENT = 'projects/test-project/locations/us-central1';

/** A queue routed to `handlerUrl` with the pipeline's OIDC auth; fast retries unless overridden. */
export function queueConfig(handlerUrl: string, over: Partial<QueueConfig> & { id?: string } = {}): QueueConfig {
  const u = new URL(handlerUrl);
  return {
    path: `${PARENT}/queues/${over.id ?? 'orders'}`,
    httpTarget: {
      httpMethod: 'POST',
      uriOverride: { scheme: 'HTTP', host: u.hostname, port: Number(u.port), path: '/tasks', enforceMode: 'ALWAYS' },
      headers: { 'X-Team': 'payments' },
      oidcToken: { serviceAccountEmail: SA, audience: AUDIENCE },
    },
    rate: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 100 },
    retry: { maxAttempts: 5, maxRetryDuration: 0, minBackoff: 0.05, maxBackoff: 0.4, maxDoublings: 2 },
    ...over,
  };
}

/** A free loopback port, so the handler can be told the local server's JWKS URL before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The real handler framework with auth on, trusting the local server's JWKS. */
export async function startHandler(work: TaskWork, apiPort: number, audience = AUDIENCE): Promise<{ server: TaskServer; url: string }> {
  const config = loadHandlerConfig({
    TASKS_AUDIENCE: audience,
    TASKS_SERVICE_ACCOUNT: SA,
    TASKS_JWKS_URL: `http://127.0.0.1:${apiPort}/oauth2/v3/certs`,
    PORT: '0',
  });
  const server = new TaskServer({ config, work, logger: () => undefined });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanup.push(() => server.shutdown(0));
  return { server, url: `http://127.0.0.1:${port}` };
}

export async function startLocal(queues: QueueConfig[], more: Partial<LocalCloudTasksOptions> = {}): Promise<{ local: LocalCloudTasks; logs: Record<string, unknown>[] }> {
  const logs: Record<string, unknown>[] = [];
  const local = await LocalCloudTasks.start({ queues, log: (e) => logs.push(e), tickMs: 5, ...more });
  cleanup.push(() => local.stop());
  return { local, logs };
}

export { eventually } from '../../handler/test/harness';

/** Things to stop after each test, even when it fails (a leftover server would keep jest alive). */
export const cleanup: Array<() => Promise<unknown> | unknown> = [];
export async function runCleanup(): Promise<void> {
  for (const stop of cleanup.splice(0).reverse()) await stop();
}
