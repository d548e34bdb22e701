/** Local Cloud Tasks: API + durable store + dispatcher + token signer, composable in tests and the dev server. */
import { CloudTasksApi } from './api';
import { Dispatcher, LogFn } from './dispatcher';
import type { QueueConfig } from './model';
import { TokenSigner } from './signer';
import { TaskStore } from './store';

export interface LocalCloudTasksOptions {
  readonly queues: readonly QueueConfig[];
  /** SQLite file; the signing key is kept beside it. @default ":memory:" (and a fresh key) */
  readonly db?: string;
  /** API port. @default 0 (any free port) */
  readonly port?: number;
  readonly log?: LogFn;
  readonly dedupWindowMs?: number;
  readonly tickMs?: number;
}

export class LocalCloudTasks {
  static async start(o: LocalCloudTasksOptions): Promise<LocalCloudTasks> {
    const store = new TaskStore(o.db ?? ':memory:');
    const signer = await new TokenSigner(o.db && o.db !== ':memory:' ? `${o.db}.signing-key.json` : undefined).init();
    const dispatcher = new Dispatcher({ store, signer, queues: o.queues, log: o.log, dedupWindowMs: o.dedupWindowMs, tickMs: o.tickMs });
    const api = new CloudTasksApi({ store, queues: o.queues, signer, onChange: () => dispatcher.kick() });
    const endpoint = await api.listen(o.port ?? 0);
    dispatcher.start();
    return new LocalCloudTasks(store, signer, dispatcher, api, endpoint);
  }

  private constructor(
    readonly store: TaskStore,
    readonly signer: TokenSigner,
    readonly dispatcher: Dispatcher,
    readonly api: CloudTasksApi,
    /** Base URL for CLOUD_TASKS_ENDPOINT. */
    readonly endpoint: string,
  ) {}

  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await this.api.close();
    this.store.close();
  }

  /** Where the handler fetches the signing keys (TASKS_JWKS_URL). */
  get jwksUrl(): string {
    return `${this.endpoint}/oauth2/v3/certs`;
  }
}

export { CloudTasksApi } from './api';
export { Dispatcher, targetUrl } from './dispatcher';
export * from './model';
export { TokenSigner } from './signer';
export { TaskStore } from './store';
export * from './terraform';
