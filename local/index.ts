/**
 * Local Cloud Tasks: one core (rules) over a durable store, a dispatcher and a token signer, with two thin
 * faces (REST and gRPC); composable in tests and the dev server.
 */
import { CloudTasksApi } from './api';
import { CloudTasksCore } from './core';
import { DeadLetterStore } from './dead-letters';
import { Dispatcher, LogFn } from './dispatcher';
import { CloudTasksGrpc } from './grpc';
import { AttemptCounter, OpsServer } from './ops';
import type { QueueConfig } from './model';
import { TokenSigner } from './signer';
import { TaskStore } from './store';

export interface LocalCloudTasksOptions {
  readonly queues: readonly QueueConfig[];
  /** SQLite file; the signing key is kept beside it. @default ":memory:" (and a fresh key) */
  readonly db?: string;
  /** REST API port. @default 0 (any free port) */
  readonly port?: number;
  /** gRPC port, or false for no gRPC face. @default 0 (any free port) */
  readonly grpcPort?: number | false;
  readonly log?: LogFn;
  readonly dedupWindowMs?: number;
  readonly tickMs?: number;
  /** Port of the operations face (local Pub/Sub for dead letters, metadata token, /stats). @default 0 (any free port) */
  readonly opsPort?: number;
  /** `opsPort` is only a preference: when it is taken, use any free port. @default false */
  readonly opsPortIsPreferred?: boolean;
  /**
   * Start dispatching due tasks at once. False: the faces listen but nothing is dispatched until
   * `dispatcher.start()` (the dev server waits until its handlers answer, so a restart costs no task an attempt).
   * @default true
   */
  readonly dispatch?: boolean;
}

export class LocalCloudTasks {
  static async start(o: LocalCloudTasksOptions): Promise<LocalCloudTasks> {
    const store = new TaskStore(o.db ?? ':memory:');
    try {
      // Terraform's queues are re-applied at every start; queues made through the API stay in the store.
      store.applyTerraformQueues(o.queues);
      const signer = await new TokenSigner(o.db && o.db !== ':memory:' ? `${o.db}.signing-key.json` : undefined).init();
      const deadLetters = new DeadLetterStore(store.db);
      const attempts = new AttemptCounter();
      const log: LogFn = o.log ?? ((e) => process.stdout.write(`${JSON.stringify(e)}\n`));
      // The dispatcher reads the core's live queue list (queues are made and deleted at run time).
      const dispatcher: Dispatcher = new Dispatcher({
        store,
        signer,
        queues: (): Iterable<QueueConfig> => core.queueList(),
        log: (e) => (attempts.observe(e), log(e)),
        dedupWindowMs: o.dedupWindowMs,
        tickMs: o.tickMs,
        onDrop: (task, n, status) => deadLetters.recordDrop(task, n, status),
      });
      const core = new CloudTasksCore({ store, dispatcher });
      const api = new CloudTasksApi({ core, signer });
      const grpc = o.grpcPort === false ? undefined : new CloudTasksGrpc(core);
      const ops = new OpsServer({ store, deadLetters, queues: () => [...core.queueList()], attempts });
      const endpoint = await api.listen(o.port ?? 0);
      let grpcEndpoint: string | undefined;
      let opsEndpoint: string;
      try {
        grpcEndpoint = await grpc?.listen(o.grpcPort || 0);
        // A preferred ops port that is taken falls back to any free one (the banner shows which).
        opsEndpoint = await ops.listen(o.opsPort ?? 0).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'EADDRINUSE' && o.opsPortIsPreferred) return ops.listen(0);
          throw e;
        });
      } catch (e) {
        await Promise.all([api.close(), grpc?.close()]);
        throw e;
      }
      if (o.dispatch !== false) dispatcher.start();
      return new LocalCloudTasks(store, signer, dispatcher, core, api, grpc, endpoint, grpcEndpoint, deadLetters, ops, opsEndpoint);
    } catch (e) {
      store.close();
      throw e;
    }
  }

  private constructor(
    readonly store: TaskStore,
    readonly signer: TokenSigner,
    readonly dispatcher: Dispatcher,
    readonly core: CloudTasksCore,
    readonly api: CloudTasksApi,
    readonly grpc: CloudTasksGrpc | undefined,
    /** Base URL for CLOUD_TASKS_ENDPOINT. */
    readonly endpoint: string,
    /** "127.0.0.1:PORT" of the gRPC face (the official client's default transport), when it runs. */
    readonly grpcEndpoint: string | undefined,
    readonly deadLetters: DeadLetterStore,
    readonly ops: OpsServer,
    /** Base URL of the local Pub/Sub (dead letters), metadata token and /stats. */
    readonly opsEndpoint: string,
  ) {}

  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await Promise.all([this.api.close(), this.grpc?.close(), this.ops.close()]);
    this.store.close();
  }

  /** Where the handler fetches the signing keys (TASKS_JWKS_URL). */
  get jwksUrl(): string {
    return `${this.endpoint}/oauth2/v3/certs`;
  }
}

export { CloudTasksApi } from './api';
export { ApiError, CloudTasksCore, MAX_REQUEST_BYTES } from './core';
export { CloudTasksGrpc } from './grpc';
export { Dispatcher, targetUrl } from './dispatcher';
export { DeadLetterStore } from './dead-letters';
export { AttemptCounter, OpsServer } from './ops';
export type { QueueStats } from './ops';
export * from './model';
export { TokenSigner } from './signer';
export { TaskStore } from './store';
export * from './terraform';
