/** Local Cloud Tasks: API + durable store + dispatcher + token signer, composable in tests and the dev server. */
import { CloudTasksApi } from './api';
import { DeadLetterStore } from './dead-letters';
import { Dispatcher, LogFn } from './dispatcher';
import { AttemptCounter, OpsServer } from './ops';
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
  /** Port of the operations face (local Pub/Sub for dead letters, metadata token, /stats). @default 0 (any free port) */
  readonly opsPort?: number;
  /** `opsPort` is only a preference: when it is taken, use any free port. @default false */
  readonly opsPortIsPreferred?: boolean;
}

export class LocalCloudTasks {
  static async start(o: LocalCloudTasksOptions): Promise<LocalCloudTasks> {
    const store = new TaskStore(o.db ?? ':memory:');
    const signer = await new TokenSigner(o.db && o.db !== ':memory:' ? `${o.db}.signing-key.json` : undefined).init();
    const deadLetters = new DeadLetterStore(store.db);
    const attempts = new AttemptCounter();
    const log: LogFn = o.log ?? ((e) => process.stdout.write(`${JSON.stringify(e)}\n`));
    const dispatcher = new Dispatcher({
      store,
      signer,
      queues: o.queues,
      log: (e) => (attempts.observe(e), log(e)),
      dedupWindowMs: o.dedupWindowMs,
      tickMs: o.tickMs,
      onDrop: (task, n, status) => deadLetters.recordDrop(task, n, status),
    });
    const api = new CloudTasksApi({ store, queues: o.queues, signer, onChange: () => dispatcher.kick() });
    const endpoint = await api.listen(o.port ?? 0);
    const ops = new OpsServer({ store, deadLetters, queues: o.queues, attempts });
    // A preferred ops port that is taken falls back to any free one (the banner shows which).
    const opsEndpoint = await ops.listen(o.opsPort ?? 0).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' && o.opsPortIsPreferred) return ops.listen(0);
      await api.close();
      store.close();
      throw e;
    });
    dispatcher.start();
    return new LocalCloudTasks(store, signer, dispatcher, api, endpoint, deadLetters, ops, opsEndpoint);
  }

  private constructor(
    readonly store: TaskStore,
    readonly signer: TokenSigner,
    readonly dispatcher: Dispatcher,
    readonly api: CloudTasksApi,
    /** Base URL for CLOUD_TASKS_ENDPOINT. */
    readonly endpoint: string,
    readonly deadLetters: DeadLetterStore,
    readonly ops: OpsServer,
    /** Base URL of the local Pub/Sub (dead letters), metadata token and /stats. */
    readonly opsEndpoint: string,
  ) {}

  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await this.api.close();
    await this.ops.close();
    this.store.close();
  }

  /** Where the handler fetches the signing keys (TASKS_JWKS_URL). */
  get jwksUrl(): string {
    return `${this.endpoint}/oauth2/v3/certs`;
  }
}

export { CloudTasksApi } from './api';
export { Dispatcher, targetUrl } from './dispatcher';
export { DeadLetterStore } from './dead-letters';
export { AttemptCounter, OpsServer } from './ops';
export type { QueueStats } from './ops';
export * from './model';
export { TokenSigner } from './signer';
export { TaskStore } from './store';
export * from './terraform';
