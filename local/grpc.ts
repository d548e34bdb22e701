/**
 * The gRPC face of the local Cloud Tasks API: google.cloud.tasks.v2.CloudTasks, loaded from the protos the
 * official client ships (@google-cloud/tasks/build/protos/protos.json, never copied here). Like the REST face it
 * only decodes and encodes; the core holds every rule and picks the canonical error code.
 *
 * No authentication: clients reach it with insecure channel credentials, which carry no call credentials.
 * Messages are capped at MAX_REQUEST_BYTES (larger ones get RESOURCE_EXHAUSTED from grpc-js itself).
 */
import type * as Grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiError, CANONICAL, CloudTasksCore, invalid, MAX_REQUEST_BYTES } from './core';
import { grpcEncoding as enc, policyInput, policyMessage, queueInput, queueMessage, str, taskInput, taskMessage, viewOf } from './messages';

type Request = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Method = (r: Request) => unknown;

/** Marks a request grpc-js could not decode, so the handler answers INVALID_ARGUMENT (grpc-js itself says INTERNAL). */
const UNDECODABLE = Symbol('undecodable');

let service: Grpc.ServiceDefinition | undefined;

/** The CloudTasks service definition (loaded once per process, ~0.1 s). */
function cloudTasksService(): Grpc.ServiceDefinition {
  if (service) return service;
  // Loaded lazily so REST-only users never pay for gRPC.
  const grpc = require('@grpc/grpc-js') as typeof Grpc; // eslint-disable-line @typescript-eslint/no-require-imports
  const loader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader'); // eslint-disable-line @typescript-eslint/no-require-imports
  // The package's exports map hides build/protos/protos.json; its "./build/protos" entry points beside it.
  const protos = dirname(require.resolve('@google-cloud/tasks/build/protos'));
  const definition = loader.fromJSON(JSON.parse(readFileSync(join(protos, 'protos.json'), 'utf8')), { longs: String, enums: String, defaults: false, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { google: { cloud: { tasks: { v2: { CloudTasks: { service: Grpc.ServiceDefinition } } } } } };
  service = Object.fromEntries(
    Object.entries(pkg.google.cloud.tasks.v2.CloudTasks.service).map(([name, m]) => [
      name,
      {
        ...m,
        requestDeserialize: (bytes: Buffer) => {
          try {
            return m.requestDeserialize(bytes);
          } catch (e) {
            return { [UNDECODABLE]: (e as Error).message };
          }
        },
      },
    ]),
  );
  return service;
}

export class CloudTasksGrpc {
  private server?: Grpc.Server;

  constructor(private readonly core: CloudTasksCore) {}

  /** Listens on loopback; returns "127.0.0.1:PORT" (the official client's apiEndpoint + port). */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const grpc = require('@grpc/grpc-js') as typeof Grpc; // eslint-disable-line @typescript-eslint/no-require-imports
    const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_REQUEST_BYTES });
    server.addService(cloudTasksService(), this.handlers());
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    this.server = server;
    return `${host}:${bound}`;
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = undefined;
    return new Promise((resolve) => {
      // In-flight calls get a moment; then everything is cut (a test or Ctrl-C should not wait on a client).
      const force = setTimeout(() => server.forceShutdown(), 500).unref();
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private handlers(): Grpc.UntypedServiceImplementation {
    const c = this.core;
    const name = (r: Request, field = 'name') => str(r[field], field) ?? '';
    const methods: Record<string, Method> = {
      ListQueues: (r) => {
        const res = c.listQueues(name(r, 'parent'), r.pageSize ?? 0, name(r, 'pageToken'));
        return { queues: res.queues.map((v) => queueMessage(v, enc)), nextPageToken: res.nextPageToken ?? '' };
      },
      GetQueue: (r) => queueMessage(c.getQueue(name(r)), enc),
      CreateQueue: (r) => queueMessage(c.createQueue(name(r, 'parent'), queueInput(r.queue)), enc),
      UpdateQueue: (r) => queueMessage(c.updateQueue(queueInput(r.queue), maskPaths(r.updateMask)), enc),
      DeleteQueue: (r) => (c.deleteQueue(name(r)), {}),
      PurgeQueue: (r) => queueMessage(c.purgeQueue(name(r)), enc),
      PauseQueue: (r) => queueMessage(c.pauseQueue(name(r)), enc),
      ResumeQueue: (r) => queueMessage(c.resumeQueue(name(r)), enc),
      GetIamPolicy: (r) => policyMessage(c.getIamPolicy(name(r, 'resource')), enc),
      SetIamPolicy: (r) => policyMessage(c.setIamPolicy(name(r, 'resource'), policyInput(r.policy)), enc),
      TestIamPermissions: (r) => ({ permissions: c.testIamPermissions(name(r, 'resource'), r.permissions ?? []) }),
      ListTasks: (r) => {
        const res = c.listTasks(name(r, 'parent'), r.pageSize ?? 0, name(r, 'pageToken'));
        return { tasks: res.tasks.map((t) => taskMessage(t, viewOf(r.responseView), enc)), nextPageToken: res.nextPageToken ?? '' };
      },
      GetTask: (r) => taskMessage(c.getTask(name(r)), viewOf(r.responseView), enc),
      CreateTask: (r) => taskMessage(c.createTask(name(r, 'parent'), taskInput(r.task)), viewOf(r.responseView), enc),
      DeleteTask: (r) => (c.deleteTask(name(r)), {}),
      RunTask: (r) => taskMessage(c.runTask(name(r)), viewOf(r.responseView), enc),
    };
    return Object.fromEntries(
      Object.entries(methods).map(([method, run]) => [
        method,
        (call: Grpc.ServerUnaryCall<Request, unknown>, callback: Grpc.sendUnaryData<unknown>) => {
          try {
            if (UNDECODABLE in call.request) throw invalid(`The request is not a valid ${method}Request message: ${call.request[UNDECODABLE as unknown as string]}.`);
            callback(null, run(call.request));
          } catch (e) {
            const err = e instanceof ApiError ? e : new ApiError('INTERNAL', (e as Error).message);
            callback({ code: CANONICAL[err.status].grpc, details: err.message, name: err.status, message: err.message });
          }
        },
      ]),
    );
  }
}

function maskPaths(mask: unknown): string[] {
  if (mask === undefined || mask === null) return [];
  const paths = (mask as { paths?: unknown }).paths;
  if (!Array.isArray(paths)) throw invalid("Invalid value at 'update_mask': expected a FieldMask.");
  return paths.map((p, i) => str(p, `update_mask.paths[${i}]`)!);
}
