// Adopting a hand-built pipeline: import ids in the provider's own formats, existing names held to the
// declared ones, and nothing imported unless asked.
import { TerraformStack } from 'cdktf';
import { HttpTargetPipeline, HttpTargetPipelineProps } from '../constructs/http-target-pipeline';
import { Principal } from '../constructs/principal';
import { ServiceAccount } from '../constructs/service-account';
import { TaskHandlerService } from '../constructs/task-handler-service';
import { TaskQueue } from '../constructs/task-queue';
import { resources, synth, Synthed } from './helpers';

const P = 'acme-prod';
const L = 'us-central1';
const QUEUE = `projects/${P}/locations/${L}/queues/orders`;
const ENQUEUER = `tasks-caller@${P}.iam.gserviceaccount.com`;
const SERVICE = `projects/${P}/locations/${L}/services/orders-worker`;
const RUNTIME = `orders-runtime@${P}.iam.gserviceaccount.com`;

/** The hand-built pipeline of the guide, adopted whole. */
const ADOPTED: HttpTargetPipelineProps = {
  queueId: 'orders',
  location: L,
  project: P,
  existingQueue: QUEUE,
  existingEnqueuerEmail: ENQUEUER,
  handler: { serviceName: 'orders-worker', existingService: SERVICE, existingRuntimeServiceAccountEmail: RUNTIME },
  adoptExisting: true,
  adoptExistingGrants: true,
};

function pipeline(props: Partial<HttpTargetPipelineProps> = {}, extra?: (stack: TerraformStack) => Partial<HttpTargetPipelineProps>): Synthed {
  return synth((stack) => new HttpTargetPipeline(stack, 'Pipeline', { ...ADOPTED, ...props, ...extra?.(stack) }));
}

type Import = { to: string; id: string };
const importsOf = (s: Synthed): Import[] => ((s.json as any).import ?? []) as Import[];
/** The one import block whose target is a resource of `type`. */
function importOf(s: Synthed, type: string): Import {
  const found = importsOf(s).filter((i) => i.to.startsWith(`${type}.`));
  if (found.length !== 1) throw new Error(`expected one import into ${type}, found ${found.length}`);
  return found[0];
}
/** The resource an import block targets. */
const target = (s: Synthed, i: Import) => resources(s, i.to.split('.')[0])[i.to.split('.')[1]];

/**
 * The provider 6.50.0 parsers, copied from its source (Go `(?P<name>` is JS `(?<name>`):
 * ids that match them are parsed into these parts, nothing filled in from provider defaults.
 */
const go = (pattern: string) => new RegExp(pattern.replace(/\(\?P</g, '(?<'));
const PARSERS = {
  // google/services/cloudtasks/resource_cloud_tasks_queue.go, resourceCloudTasksQueueImport (first form)
  queue: go('^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/queues/(?P<name>[^/]+)$'),
  // google/services/resourcemanager/resource_google_service_account.go, resourceGoogleServiceAccountImport;
  // anchored here: the provider's unanchored first form would also match longer strings
  serviceAccount: go('^projects/(?P<project>[^/]+)/serviceAccounts/(?P<email>[^/]+)$'),
  // google/services/cloudrunv2/resource_cloud_run_v2_service.go, resourceCloudRunV2ServiceImport (first form)
  service: go('^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/services/(?P<name>[^/]+)$'),
  // google/services/cloudtasks/iam_cloud_tasks_queue.go, CloudTasksQueueIdParseFunc (first form)
  queueIam: go('^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/queues/(?P<name>[^/]+)$'),
  // google/services/cloudrunv2/iam_cloud_run_v2_service.go, CloudRunV2ServiceIdParseFunc (first form)
  serviceIam: go('^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/services/(?P<name>[^/]+)$'),
};
/** google/tpgiamresource/resource_iam_member.go, iamMemberImport: `strings.Fields(id)`, exactly 3 parts without a condition. */
const iamParts = (id: string) => id.trim().split(/\s+/);

describe('import ids, one resource type at a time, against the provider 6.50.0 parsers', () => {
  const s = pipeline();

  test('google_cloud_tasks_queue: projects/P/locations/L/queues/Q, naming the queue the resource declares', () => {
    const i = importOf(s, 'google_cloud_tasks_queue');
    const r = target(s, i);
    expect(PARSERS.queue.exec(i.id)?.groups).toEqual({ project: r.project, location: r.location, name: r.name });
  });

  test('google_service_account (enqueuer): projects/P/serviceAccounts/EMAIL, the email being ACCOUNT_ID@PROJECT', () => {
    const [i] = importsOf(s).filter((x) => x.to.includes('Enqueuer') && x.to.startsWith('google_service_account.'));
    const r = target(s, i);
    expect(PARSERS.serviceAccount.exec(i.id)?.groups).toEqual({ project: P, email: `${r.account_id}@${r.project}.iam.gserviceaccount.com` });
    expect(i.id).toBe(`projects/${P}/serviceAccounts/${ENQUEUER}`);
  });

  test('google_service_account (runtime): the existing runtime account by its email', () => {
    const [i] = importsOf(s).filter((x) => x.to.includes('Runtime') && x.to.startsWith('google_service_account.'));
    expect(PARSERS.serviceAccount.exec(i.id)?.groups).toEqual({ project: P, email: RUNTIME });
    expect(target(s, i).account_id).toBe('orders-runtime');
  });

  test('google_cloud_run_v2_service: projects/P/locations/L/services/S', () => {
    const i = importOf(s, 'google_cloud_run_v2_service');
    const r = target(s, i);
    expect(PARSERS.service.exec(i.id)?.groups).toEqual({ project: r.project, location: r.location, name: r.name });
  });

  test('google_cloud_tasks_queue_iam_member: "QUEUE ROLE MEMBER", the queue in the IAM parser form', () => {
    const i = importOf(s, 'google_cloud_tasks_queue_iam_member');
    const [resource, role, member, ...rest] = iamParts(i.id);
    expect(rest).toEqual([]);
    expect(PARSERS.queueIam.exec(resource)?.groups).toEqual({ project: P, location: L, name: 'orders' });
    expect([role, member]).toEqual(['roles/cloudtasks.enqueuer', `serviceAccount:${ENQUEUER}`]);
  });

  test('google_service_account_iam_member: "projects/P/serviceAccounts/EMAIL ROLE MEMBER" (the parser takes the first part whole)', () => {
    const i = importOf(s, 'google_service_account_iam_member');
    const [resource, role, member, ...rest] = iamParts(i.id);
    expect(rest).toEqual([]);
    expect(PARSERS.serviceAccount.exec(resource)?.groups).toEqual({ project: P, email: ENQUEUER });
    expect([role, member]).toEqual(['roles/iam.serviceAccountUser', `serviceAccount:${ENQUEUER}`]);
  });

  test('google_cloud_run_v2_service_iam_member: "SERVICE ROLE MEMBER"', () => {
    const i = importOf(s, 'google_cloud_run_v2_service_iam_member');
    const [resource, role, member, ...rest] = iamParts(i.id);
    expect(rest).toEqual([]);
    expect(PARSERS.serviceIam.exec(resource)?.groups).toEqual({ project: P, location: L, name: 'orders-worker' });
    expect([role, member]).toEqual(['roles/run.invoker', `serviceAccount:${ENQUEUER}`]);
  });

  test('every import targets a resource of the stack, and the stack imports exactly these seven', () => {
    expect(importsOf(s).every((i) => target(s, i) !== undefined)).toBe(true);
    expect(importsOf(s)).toHaveLength(7);
  });
});

describe('what is adopted, and what is not', () => {
  test('without adoptExisting nothing is imported, but the existing accounts keep their own ids', () => {
    const s = pipeline({ adoptExisting: false, adoptExistingGrants: undefined });
    expect(importsOf(s)).toEqual([]);
    const ids = Object.values(resources(s, 'google_service_account')).map((r) => r.account_id).sort();
    expect(ids).toEqual(['orders-runtime', 'tasks-caller']);
  });

  test('without adoptExistingGrants the grants are created, not imported (grants made on the project are not theirs)', () => {
    const types = importsOf(pipeline({ adoptExistingGrants: undefined })).map((i) => i.to.split('.')[0]);
    expect(types.filter((t) => t.endsWith('_iam_member'))).toEqual([]);
    expect(types).toHaveLength(4);
  });

  test("Compute Engine's default runtime account is left alone: a dedicated one is created, not imported", () => {
    const s = pipeline({ handler: { ...ADOPTED.handler, existingRuntimeServiceAccountEmail: '123456789-compute@developer.gserviceaccount.com' } });
    expect(importsOf(s).filter((i) => i.to.includes('Runtime'))).toEqual([]);
    expect(Object.values(resources(s, 'google_service_account')).map((r) => r.account_id)).toContain('orders-worker-run');
  });

  test('a dedicated dispatch identity is new: only the enqueuer role on the queue is imported among the grants', () => {
    const s = pipeline({ dedicatedDispatchIdentity: true });
    expect(importsOf(s).filter((i) => i.to.includes('_iam_member')).map((i) => i.to.split('.')[0])).toEqual(['google_cloud_tasks_queue_iam_member']);
    expect(importsOf(s).filter((i) => i.to.includes('Dispatcher'))).toEqual([]);
  });

  test('an enqueuer given by email: its grants are imported under its own resource name, no account is created', () => {
    const other = `shared-caller@acme-ops.iam.gserviceaccount.com`;
    const s = pipeline({ existingEnqueuerEmail: undefined, enqueuer: Principal.serviceAccount(other) });
    expect(importOf(s, 'google_service_account_iam_member').id).toBe(`projects/acme-ops/serviceAccounts/${other} roles/iam.serviceAccountUser serviceAccount:${other}`);
    expect(importsOf(s).filter((i) => i.to.includes('Enqueuer'))).toEqual([]);
  });

  test('a shared handler is adopted where it is made; the queue does not import its invoker grant', () => {
    const s = synth((stack) => {
      const shared = new TaskHandlerService(stack, 'Shared', {
        serviceName: 'orders-worker',
        location: L,
        project: P,
        audience: 'https://orders-worker.aud',
        existingService: SERVICE,
        existingRuntimeServiceAccountEmail: RUNTIME,
        adoptExisting: true,
      });
      const { handler: _h, ...props } = ADOPTED;
      new HttpTargetPipeline(stack, 'Pipeline', { ...props, sharedHandler: shared });
    });
    expect(importOf(s, 'google_cloud_run_v2_service').id).toBe(SERVICE);
    expect(importsOf(s).filter((i) => i.to.startsWith('google_cloud_run_v2_service_iam_member.'))).toEqual([]);
  });

  test('TaskQueue alone: adoptExisting imports the queue at its own address', () => {
    const s = synth((stack) => new TaskQueue(stack, 'Q', { queueId: 'orders', location: L, project: P, existingQueue: QUEUE, adoptExisting: true }));
    expect(importsOf(s)).toEqual([{ to: `google_cloud_tasks_queue.${Object.keys(resources(s, 'google_cloud_tasks_queue'))[0]}`, id: QUEUE }]);
  });

  test('ServiceAccount alone: adoptExisting imports ACCOUNT_ID@PROJECT', () => {
    const s = synth((stack) => new ServiceAccount(stack, 'SA', { accountId: 'tasks-caller', project: P, adoptExisting: true }));
    expect(importsOf(s).map((i) => i.id)).toEqual([`projects/${P}/serviceAccounts/${ENQUEUER}`]);
  });
});

describe('convergence is never destructive: a replacement-forcing difference is refused at synth', () => {
  test.each([
    ['location', { location: 'us-east1', handler: { ...ADOPTED.handler, existingService: `projects/${P}/locations/us-east1/services/orders-worker` } }, /'location' must be "us-central1", the location of the existing queue \(existingQueue\).*forces replacement.*got "us-east1"/],
    ['queue id', { queueId: 'orders-v2' }, /'queueId' must be "orders", the queue id of the existing queue.*its tasks, got "orders-v2"/],
    ['project', { existingQueue: `projects/acme-old/locations/${L}/queues/orders` }, /'project' must be "acme-old", the project of the existing queue.*got "acme-prod"/],
    ['service name', { handler: { ...ADOPTED.handler, serviceName: 'orders-handler' } }, /'serviceName' must be "orders-worker", the service name of the existing service \(existingService\).*got "orders-handler"/],
    ['service location', { handler: { ...ADOPTED.handler, existingService: `projects/${P}/locations/europe-west1/services/orders-worker` } }, /'location' must be "europe-west1", the location of the existing service/],
    ['enqueuer project', { existingEnqueuerEmail: 'tasks-caller@acme-old.iam.gserviceaccount.com' }, /'project' must be "acme-old", the project of the existing enqueuer account \(existingEnqueuerEmail\): a service account's project forces replacement, got "acme-prod"/],
    ['runtime project', { handler: { ...ADOPTED.handler, existingRuntimeServiceAccountEmail: 'w-runtime@acme-old.iam.gserviceaccount.com' } }, /'project' must be "acme-old", the project of the existing runtime account/],
  ])('%s', (_field, props, message) => {
    expect(() => pipeline(props as Partial<HttpTargetPipelineProps>)).toThrow(message);
  });

  test('names are compared even when adoption is off (a later region change would still replace the adopted queue)', () => {
    expect(() => pipeline({ adoptExisting: false, adoptExistingGrants: false, queueId: 'orders-v2' })).toThrow(/'queueId' must be "orders"/);
  });

  test('a malformed existing queue name is refused with the expected shape', () => {
    expect(() => pipeline({ existingQueue: 'orders' })).toThrow(/'existingQueue' must be the existing queue's full name, projects\/PROJECT\/locations\/REGION\/queues\/QUEUE, got "orders"/);
  });

  test('a malformed existing service name is refused with the expected shape', () => {
    expect(() => pipeline({ handler: { ...ADOPTED.handler, existingService: 'orders-worker' } })).toThrow(/'existingService' must be the existing service's full name, projects\/PROJECT\/locations\/REGION\/services\/SERVICE/);
  });

  test('an enqueuer that is not a user-managed account cannot be adopted', () => {
    expect(() => pipeline({ existingEnqueuerEmail: '123-compute@developer.gserviceaccount.com' })).toThrow(/'existingEnqueuerEmail' must be a user-managed service account's email, ID@PROJECT.iam.gserviceaccount.com, got/);
  });

  test('a runtime account that is neither user-managed nor the default compute one is refused, naming both', () => {
    expect(() => pipeline({ handler: { ...ADOPTED.handler, existingRuntimeServiceAccountEmail: 'someone@example.com' } })).toThrow(/'existingRuntimeServiceAccountEmail' must be .*ID@PROJECT.iam.gserviceaccount.com, or Compute Engine's default/);
  });
});

describe('adoption without a name that cannot be derived is refused, saying where to find it', () => {
  test.each([
    ['the queue', { existingQueue: undefined }, /'existingQueue' must be the existing queue's full name.*when adoptExisting is true \(find it with: gcloud tasks queues describe QUEUE --location=REGION/],
    ['the enqueuer', { existingEnqueuerEmail: undefined }, /'existingEnqueuerEmail' must be the email of the existing enqueuer service account when adoptExisting is true \(find it with: gcloud iam service-accounts list/],
    ['the service', { handler: { ...ADOPTED.handler, existingService: undefined } }, /'existingService' must be .*when adoptExisting is true \(find it with: gcloud run services list/],
    ['the runtime account', { handler: { ...ADOPTED.handler, existingRuntimeServiceAccountEmail: undefined } }, /'existingRuntimeServiceAccountEmail' must be the email of the existing runtime service account when adoptExisting is true \(find it with: gcloud run services describe/],
    ['the project', { project: undefined }, /'project' must be set when adoptExisting is true/],
  ])('%s', (_what, props, message) => {
    expect(() => pipeline(props as Partial<HttpTargetPipelineProps>)).toThrow(message);
  });

  test('an enqueuer given as a principal needs no existing email', () => {
    const s = pipeline({ existingEnqueuerEmail: undefined, adoptExistingGrants: false, enqueuer: Principal.serviceAccount(ENQUEUER) });
    expect(importsOf(s).map((i) => i.id)).not.toContain(`projects/${P}/serviceAccounts/${ENQUEUER}`);
  });

  test('a handler given a runtime account needs no existing runtime email', () => {
    const s = pipeline({ handler: { ...ADOPTED.handler, existingRuntimeServiceAccountEmail: undefined, runtimeServiceAccount: Principal.serviceAccount(RUNTIME) } });
    expect(importsOf(s).filter((i) => i.to.includes('Runtime'))).toEqual([]);
  });

  test('adoptExistingGrants needs adoptExisting', () => {
    expect(() => pipeline({ adoptExisting: false })).toThrow(/'adoptExistingGrants' must be false unless adoptExisting is true/);
  });

  test('adoptExistingGrants needs an enqueuer email known at synth', () => {
    const s = () =>
      pipeline({ existingEnqueuerEmail: undefined }, (stack) => ({ enqueuer: new ServiceAccount(stack, 'Caller', { accountId: 'tasks-caller', project: P }) }));
    expect(s).toThrow(/'adoptExistingGrants' must be false unless .*known email/);
  });

  test('TaskQueue alone refuses adoption without a project', () => {
    expect(() => synth((stack) => new TaskQueue(stack, 'Q', { queueId: 'orders', location: L, existingQueue: QUEUE, adoptExisting: true }))).toThrow(/'project' must be set when adoptExisting is true/);
  });

  test('ServiceAccount alone refuses adoption without a project', () => {
    expect(() => synth((stack) => new ServiceAccount(stack, 'SA', { accountId: 'tasks-caller', adoptExisting: true }))).toThrow(/'project' must be set when adoptExisting is true/);
  });

  test('TaskHandlerService alone refuses adoption without a project', () => {
    expect(() =>
      synth((stack) => new TaskHandlerService(stack, 'H', { serviceName: 'orders-worker', location: L, audience: 'a', tokenServiceAccountEmail: ENQUEUER, existingService: SERVICE, existingRuntimeServiceAccountEmail: RUNTIME, adoptExisting: true })),
    ).toThrow(/'project' must be set when adoptExisting is true/);
  });
});
