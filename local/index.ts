/**
 * Local Cloud Tasks: one core (rules) over a durable store, a dispatcher and a token signer, with two thin
 * faces (REST and gRPC); composable in tests and the dev server.
 */
import { CloudTasksApi } from './api';
import { CloudTasksCore } from './core';
import { Dispatcher, LogFn } from './dispatcher';
import { CloudTasksGrpc } from './grpc';
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
}

export class LocalCloudTasks {
  static async start(o: LocalCloudTasksOptions): Promise<LocalCloudTasks> {
    const store = new TaskStore(o.db ?? ':memory:');
    try {
      // Terraform's queues are re-applied at every start; queues made through the API stay in the store.
      store.applyTerraformQueues(o.queues);
      const signer = await new TokenSigner(o.db && o.db !== ':memory:' ? `${o.db}.signing-key.json` : undefined).init();
      // The dispatcher reads the core's live queue list (queues are made and deleted at run time).
      const dispatcher: Dispatcher = new Dispatcher({ store, signer, queues: (): Iterable<QueueConfig> => core.queueList(), log: o.log, dedupWindowMs: o.dedupWindowMs, tickMs: o.tickMs });
      const core = new CloudTasksCore({ store, dispatcher });
      const api = new CloudTasksApi({ core, signer });
      const grpc = o.grpcPort === false ? undefined : new CloudTasksGrpc(core);
      const endpoint = await api.listen(o.port ?? 0);
      let grpcEndpoint: string | undefined;
      try {
        grpcEndpoint = await grpc?.listen(o.grpcPort || 0);
      } catch (e) {
        await api.close();
        throw e;
      }
      dispatcher.start();
      return new LocalCloudTasks(store, signer, dispatcher, core, api, grpc, endpoint, grpcEndpoint);
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
  ) {}

  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await Promise.all([this.api.close(), this.grpc?.close()]);
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
export * from './model';
export { TokenSigner } from './signer';
export { TaskStore } from './store';
export * from './terraform';
