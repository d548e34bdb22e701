/**
 * One environment's merged settings → its queues and handlers, every rule checked with the problem
 * reported where the user wrote the value.
 */
import {
  checkCloudRunSettings,
  checkExistingAccount,
  checkExistingPath,
  checkGrantAdoption,
  checkQueueDeadline,
  checkQueueSettings,
  CloudRunIngress,
  deriveAccountId,
  deriveServiceName,
  DISPATCH_DEADLINE,
  existingAccountId,
  isPlaceholderImage,
  Problems,
  RULES,
  SecretEnvRef,
  VpcEgress,
} from '../limits';
import type { EnvironmentSettings, HandlerSettings, QueueSettings } from './index';
import { Leaf, NAME_SUFFIX, Tree } from './layers';

/** A GCP name an environment will create, and where the user decided it. */
export interface NamedResource {
  readonly kind: string;
  readonly gcpName: string;
  readonly value: string;
  readonly origin: string;
  readonly what: string;
}

export interface ResolvedEnvironment {
  readonly name: string;
  readonly settings: EnvironmentSettings;
  /** Where the environment-wide settings were written (or would be). */
  readonly origins: Record<'project' | 'foundationWaitSeconds' | 'foundationProtectFromDestroy' | 'foundationAdoptExisting', string>;
  readonly resources: readonly NamedResource[];
  /** Handlers left on the placeholder image (Google's `hello` sample), and where their image would be set. */
  readonly placeholderImages: readonly PlaceholderImage[];
}

/** A handler that would deploy Google's `hello` sample, which acknowledges every task and drops it. */
export interface PlaceholderImage {
  /** The handler's name (the queue's name for a dedicated handler). */
  readonly handler: string;
  /** Where its image is (or would be) set. */
  readonly origin: string;
}

/** Construct prop → handler setting key (config names differ where the provider's are long). */
const HANDLER_KEYS: Record<string, string> = {
  serviceName: 'serviceName',
  image: 'image',
  tasksPath: 'path',
  timeoutSeconds: 'timeoutSeconds',
  ingress: 'ingress',
  cpu: 'cpu',
  memory: 'memory',
  minInstanceCount: 'minInstances',
  maxInstanceCount: 'maxInstances',
  concurrency: 'concurrency',
  vpcAccess: 'network',
  'vpcAccess.network': 'network',
  'vpcAccess.subnetwork': 'subnetwork',
  'vpcAccess.egress': 'egress',
  environment: 'env',
  secrets: 'secrets',
  labels: 'labels',
  existingRuntimeServiceAccountEmail: 'existingRuntimeEmail',
};

/** Queue prop → queue setting key. */
const QUEUE_KEYS: Record<string, string> = {
  'rateLimits.maxDispatchesPerSecond': 'maxDispatchesPerSecond',
  'rateLimits.maxConcurrentDispatches': 'maxConcurrentDispatches',
  'retry.maxAttempts': 'maxAttempts',
  'retry.maxRetryDuration': 'maxRetryDuration',
  'retry.minBackoff': 'minBackoff',
  'retry.maxBackoff': 'maxBackoff',
  'retry.maxDoublings': 'maxDoublings',
  loggingSamplingRatio: 'loggingSamplingRatio',
};

interface HandlerInput {
  readonly name: string;
  readonly tree: Tree;
  readonly labels: Tree;
  readonly defaultServiceName: string;
  /** The environment's `namePrefix` ("" without one): it goes in front of an explicit `serviceName` too. */
  readonly prefix: string;
  /** Where a derived service name comes from (the queue id or the handler's key). */
  readonly derivedFrom: string;
  /** Its queue adopts (a shared handler: some queue fronting it does). */
  readonly adopt: boolean;
}

export function resolveEnvironment(p: Problems, envName: string, env: Tree): ResolvedEnvironment {
  const project = env.value<string>('project')!;
  const region = env.value<string>('region')!;
  const placeOrigin = (prop: string) => (prop === 'project' ? env.origin('project') : prop === 'location' ? env.origin('region') : undefined);
  const resources: NamedResource[] = [];
  const images: PlaceholderImage[] = [];
  // Every GCP name of the environment starts with its namePrefix: queue ids (and so the account ids, topic and
  // metric names derived from them) and handler service names (and their runtime accounts), explicit or derived.
  const prefix = env.value<string>('namePrefix') ?? '';
  p.rule(env.origin('namePrefix'), env.value<string>('namePrefix'), RULES.namePrefix);
  const queuesTree = env.tree('queues');
  const singleQueue = !queuesTree || queuesTree.entries.size === 0;
  const queueId = env.leaf('queueId');
  if (!singleQueue && queueId && !queueId.origin.endsWith('(not set: default)')) {
    p.fail(queueId.origin, queueId.value, `unset when queues are configured (each queue's id is its key in queues or its own queueId)`);
  }

  const entries: [string, Tree][] = singleQueue
    ? [[String(queueId?.value ?? ''), env]]
    : [...queuesTree!.entries].filter((e): e is [string, Tree] => e[1] instanceof Tree).map(([name, entry]) => {
        const base = env.clone();
        base.entries.delete('queueId');
        base.entries.delete('queues');
        return [name, base.mergeFrom(entry)];
      });

  const handlerTrees = env.tree('handlers');
  const sharedUsers = new Map<string, { deadline: number; origin: string; adopt?: boolean }>();
  const queues: Record<string, QueueSettings> = {};
  let keeper: Leaf | undefined;
  for (const [name, q] of entries) {
    const idLeaf = q.leaf('queueId');
    const id = prefix + ((idLeaf?.value as string | undefined) ?? name);
    const idOrigin = idLeaf?.origin ?? q.home;
    const deadline = q.value<number>('dispatchDeadlineSeconds') ?? DISPATCH_DEADLINE.default;
    const bufferTask = q.value<boolean>('bufferTask') ?? true;
    const queue = {
      maxDispatchesPerSecond: q.value<number>('maxDispatchesPerSecond'),
      maxConcurrentDispatches: q.value<number>('maxConcurrentDispatches'),
      maxAttempts: q.value<number>('maxAttempts'),
      maxRetryDuration: q.value<string>('maxRetryDuration'),
      minBackoff: q.value<string>('minBackoff'),
      maxBackoff: q.value<string>('maxBackoff'),
      maxDoublings: q.value<number>('maxDoublings'),
      loggingSamplingRatio: q.value<number>('loggingSamplingRatio'),
      dedicatedDispatchIdentity: q.value<boolean>('dedicatedDispatchIdentity'),
      deadLetterSink: q.value<string>('deadLetterSink'),
      deadLetterRetentionDays: q.value<number>('deadLetterRetentionDays'),
      alerts: q.value<boolean>('alerts'),
      alertNotificationChannels: q.value<string>('alertNotificationChannels'),
      alertBacklogTasks: q.value<number>('alertBacklogTasks'),
      alertBacklogSeconds: q.value<number>('alertBacklogSeconds'),
      alertFailingAttemptRatio: q.value<number>('alertFailingAttemptRatio'),
      alertFailingAttemptSeconds: q.value<number>('alertFailingAttemptSeconds'),
      adoptExisting: q.value<boolean>('adoptExisting'),
      existingQueue: q.value<string>('existingQueue'),
      existingEnqueuerEmail: q.value<string>('existingEnqueuerEmail'),
      adoptExistingGrants: q.value<boolean>('adoptExistingGrants'),
    };
    checkOperations(p, q, queue);
    const named = p.renamed((prop) => (prop === 'queueId' ? idOrigin : (placeOrigin(prop) ?? q.origin(QUEUE_KEYS[prop] ?? prop))));
    checkQueueSettings(named, {
      queueId: id,
      location: region,
      project,
      rateLimits: { maxDispatchesPerSecond: queue.maxDispatchesPerSecond, maxConcurrentDispatches: queue.maxConcurrentDispatches },
      retry: { maxAttempts: queue.maxAttempts, maxRetryDuration: queue.maxRetryDuration, minBackoff: queue.minBackoff, maxBackoff: queue.maxBackoff, maxDoublings: queue.maxDoublings },
      loggingSamplingRatio: queue.loggingSamplingRatio,
    });
    p.rule(q.origin('dispatchDeadlineSeconds'), deadline, RULES.dispatchDeadlineSeconds);
    // What was built by hand: its names held to the declared ones (always), required when adopting.
    const adopt = queue.adoptExisting === true;
    checkExistingPath(named, 'queue', { adopt, existing: queue.existingQueue, declared: { project, location: region, name: id } });
    checkExistingAccount(named, 'existingEnqueuerEmail', { adopt, existing: queue.existingEnqueuerEmail, project, role: 'enqueuer' });
    checkGrantAdoption(named, { adopt, grants: queue.adoptExistingGrants === true, emailKnown: queue.existingEnqueuerEmail !== undefined });
    checkQueueDeadline(p.renamed((prop) => q.origin(prop)), { dispatchDeadlineSeconds: deadline, bufferTask });

    const enqueuerAccountId = existingAccountId(queue.existingEnqueuerEmail) ?? deriveAccountId(id, 'enq');
    const what = `queue "${name}" of environment "${envName}"`;
    resources.push(
      { kind: 'queue', gcpName: `projects/${project}/locations/${region}/queues/${id}`, value: id, origin: idOrigin, what },
      { kind: 'service account', gcpName: `projects/${project}/serviceAccounts/${enqueuerAccountId}`, value: id, origin: idOrigin, what: `the enqueuer of ${what}` },
    );
    if (queue.dedicatedDispatchIdentity) {
      const dispatcher = `projects/${project}/serviceAccounts/${deriveAccountId(id, 'dsp')}`;
      resources.push({ kind: 'service account', gcpName: dispatcher, value: id, origin: idOrigin, what: `the dispatch identity of ${what}` });
    }
    const sharedLeaf = q.leaf(`handler${NAME_SUFFIX}`);
    const shared = sharedLeaf?.value as string | undefined;
    let handler: HandlerSettings | undefined;
    if (shared !== undefined) {
      const known = handlerTrees?.tree(shared) !== undefined;
      p.fail(sharedLeaf!.origin, shared, `the name of a handler in handlers (configured: ${[...(handlerTrees?.entries.keys() ?? [])].join(', ') || 'none'})`, !known);
      p.fail(q.origin('deadLetterSink'), queue.deadLetterSink, `"log" or unset on a queue that fronts the shared handler "${shared}" (a shared service has one dead-letter sink for all its queues)`, queue.deadLetterSink === 'pubsub');
      const user = sharedUsers.get(shared);
      if (!user || deadline > user.deadline) sharedUsers.set(shared, { deadline, origin: q.origin('dispatchDeadlineSeconds'), adopt: user?.adopt });
      // A shared service is adopted when some queue in front of it is.
      if (adopt) sharedUsers.get(shared)!.adopt = true;
      // Handler settings written on this queue would silently do nothing: the shared service has its own.
      const own = singleQueue ? [] : [...(q.tree('handler')?.leaves() ?? [])].filter((l) => l.value !== undefined && l.origin.startsWith(`${q.home}.`));
      for (const l of own) p.fail(l.origin, l.value, `unset on a queue that fronts the shared handler "${shared}" (set it under handlers.${shared})`);
      // Queues take no labels (provider 6.50): a queue's extras only ever reach its own handler.
      const labels = singleQueue ? [] : [...(q.tree('labels')?.leaves() ?? [])].filter((l) => l.origin.startsWith(`${q.home}.`));
      for (const l of labels) p.fail(l.origin, l.value, `unset on a queue that fronts the shared handler "${shared}": queues take no labels, so a queue's labels go on its own handler only (label the shared one under handlers.${shared}.labels)`);
    } else {
      const tree = q.tree('handler') ?? new Tree(`${q.home}.handler`);
      const labels = (q.tree('labels')?.clone() ?? new Tree(`${q.home}.labels`)).mergeFrom(tree.tree('labels') ?? new Tree(`${tree.home}.labels`));
      handler = resolveHandler(p, { name, tree, labels, defaultServiceName: deriveServiceName(id), prefix, derivedFrom: idOrigin, adopt }, { deadline, deadlineOrigin: q.origin('dispatchDeadlineSeconds') }, placeOrigin, { resources, images }, envName, { project, region });
    }

    const keep = q.leaf('keepSingleQueueAddresses');
    if (keep?.value === true) {
      p.fail(keep.origin, true, `true for one queue only (${keeper?.origin} already is): the single-queue addresses exist once`, keeper !== undefined);
      keeper ??= keep;
    }
    const labels = q.tree('labels')?.plain<string>();
    queues[name] = { name, queueId: id, enqueuerAccountId, dispatchDeadlineSeconds: deadline, bufferTask, ...queue, sharedHandler: shared, handler, keepSingleQueueAddresses: keep?.value === true || undefined, ...(labels && { labels }) };
  }

  const handlers: Record<string, HandlerSettings> = {};
  for (const [name, entry] of handlerTrees?.entries ?? []) {
    if (!(entry instanceof Tree)) continue;
    p.rule(entry.home, name, RULES.handlerName);
    const user = sharedUsers.get(name);
    if (!user) {
      p.fail(entry.home, name, 'the name of a handler that at least one queue fronts (handler: "NAME"); remove it or point a queue at it', true);
      continue;
    }
    const tree = (env.tree('handler')?.clone() ?? new Tree(entry.home)).mergeFrom(entry);
    const labels = (env.tree('labels')?.clone() ?? new Tree(`${entry.home}.labels`)).mergeFrom(tree.tree('labels') ?? new Tree(`${entry.home}.labels`));
    handlers[name] = resolveHandler(p, { name, tree, labels, defaultServiceName: deriveServiceName(prefix + name, ''), prefix, derivedFrom: entry.home, adopt: user.adopt === true }, { deadline: user.deadline, deadlineOrigin: user.origin }, placeOrigin, { resources, images }, envName, { project, region });
  }

  p.rule(env.origin('foundationWaitSeconds'), env.value<number>('foundationWaitSeconds'), RULES.foundationWaitSeconds);
  const settings: EnvironmentSettings = {
    project,
    region,
    protectFromDestroy: env.value<boolean>('protectFromDestroy') ?? true,
    singleQueue,
    queues,
    handlers,
    foundationWaitSeconds: env.value<number>('foundationWaitSeconds'),
    foundationProtectFromDestroy: env.value<boolean>('foundationProtectFromDestroy'),
    foundationAdoptExisting: env.value<boolean>('foundationAdoptExisting'),
    labels: env.tree('labels')?.plain<string>(),
    ...(prefix && { namePrefix: prefix }),
  };
  const origins = {
    project: env.origin('project'),
    foundationWaitSeconds: env.origin('foundationWaitSeconds'),
    foundationProtectFromDestroy: env.origin('foundationProtectFromDestroy'),
    foundationAdoptExisting: env.origin('foundationAdoptExisting'),
  };
  return { name: envName, settings, origins, resources, placeholderImages: images };
}

function resolveHandler(
  p: Problems,
  h: HandlerInput,
  deadline: { deadline: number; deadlineOrigin: string },
  placeOrigin: (prop: string) => string | undefined,
  found: { resources: NamedResource[]; images: PlaceholderImage[] },
  envName: string,
  place: { project: string; region: string },
): HandlerSettings {
  const t = h.tree;
  const env = t.tree('env');
  const secretTree = t.tree('secrets');
  const secrets = secretTree?.plain<string | SecretEnvRef>();
  const settings: HandlerSettings = {
    name: h.name,
    serviceName: withPrefix(h.prefix, t.value<string>('serviceName')) ?? h.defaultServiceName,
    runtimeAccountId: '',
    image: t.value<string>('image'),
    path: t.value<string>('path') ?? '/tasks',
    ingress: t.value<string>('ingress'),
    timeoutSeconds: t.value<number>('timeoutSeconds'),
    dispatchDeadlineSeconds: deadline.deadline,
    cpu: t.value<string>('cpu'),
    memory: t.value<string>('memory'),
    minInstances: t.value<number>('minInstances'),
    maxInstances: t.value<number>('maxInstances'),
    concurrency: t.value<number>('concurrency'),
    bodyTimeoutSeconds: t.value<number>('bodyTimeoutSeconds'),
    maxConnections: t.value<number>('maxConnections'),
    env: env?.plain<string>(),
    secrets: secrets && Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, typeof v === 'string' ? { secret: v } : v])),
    network: t.value<string>('network'),
    subnetwork: t.value<string>('subnetwork'),
    egress: t.value<string>('egress'),
    labels: h.labels.plain<string>(),
    existingService: t.value<string>('existingService'),
    existingRuntimeEmail: t.value<string>('existingRuntimeEmail'),
    adoptExisting: h.adopt || undefined,
  };
  const serviceOrigin = t.leaf('serviceName')?.origin ?? h.derivedFrom;
  const named = p.renamed((prop) => {
    const place = placeOrigin(prop);
    if (place) return place;
    if (prop === 'serviceName') return serviceOrigin;
    if (prop === 'dispatchDeadlineSeconds') return deadline.deadlineOrigin;
    const [head, key] = splitProp(prop);
    if (key !== undefined && (head === 'environment' || head === 'secrets' || head === 'labels')) {
      const block = head === 'labels' ? h.labels : head === 'environment' ? env : secretTree;
      return block?.origin(key) ?? `${t.home}.${HANDLER_KEYS[head]}.${key}`;
    }
    if (head === 'labels') return h.labels.home;
    return t.origin(HANDLER_KEYS[prop] ?? prop);
  });
  checkCloudRunSettings(named, {
    serviceName: settings.serviceName,
    image: settings.image,
    tasksPath: settings.path,
    dispatchDeadlineSeconds: settings.dispatchDeadlineSeconds,
    timeoutSeconds: settings.timeoutSeconds,
    ingress: settings.ingress as CloudRunIngress | undefined,
    cpu: settings.cpu,
    memory: settings.memory,
    minInstanceCount: settings.minInstances,
    maxInstanceCount: settings.maxInstances,
    concurrency: settings.concurrency,
    bodyTimeoutSeconds: settings.bodyTimeoutSeconds,
    maxConnections: settings.maxConnections,
    environment: settings.env,
    secrets: settings.secrets,
    vpcAccess: settings.network ?? settings.subnetwork ?? settings.egress ? { network: settings.network, subnetwork: settings.subnetwork, egress: settings.egress as VpcEgress | undefined } : undefined,
    labels: settings.labels,
  });

  checkExistingPath(named, 'service', { adopt: h.adopt, existing: settings.existingService, declared: { project: place.project, location: place.region, name: settings.serviceName } });
  checkExistingAccount(named, 'existingRuntimeServiceAccountEmail', { adopt: h.adopt, existing: settings.existingRuntimeEmail, project: place.project, role: 'runtime' });
  const runtimeAccountId = existingAccountId(settings.existingRuntimeEmail) ?? deriveAccountId(settings.serviceName, 'run');
  const what = `the handler "${h.name}" of environment "${envName}"`;
  if (isPlaceholderImage(settings.image)) found.images.push({ handler: h.name, origin: settings.image === undefined ? `${t.origin('image')} (not set: default)` : t.origin('image') });
  found.resources.push(
    { kind: 'Cloud Run service', gcpName: `projects/${place.project}/locations/${place.region}/services/${settings.serviceName}`, value: settings.serviceName, origin: serviceOrigin, what },
    { kind: 'service account', gcpName: `projects/${place.project}/serviceAccounts/${runtimeAccountId}`, value: settings.serviceName, origin: serviceOrigin, what: `the runtime account of ${what}` },
  );
  return { ...settings, runtimeAccountId };
}

function withPrefix(prefix: string, name: string | undefined): string | undefined {
  return name === undefined ? undefined : prefix + name;
}

/** "environment.FOO" → ["environment", "FOO"]; "secrets.FOO.version" → ["secrets", "FOO"]. */
function splitProp(prop: string): [string, string | undefined] {
  const i = prop.indexOf('.');
  if (i < 0) return [prop, undefined];
  const head = prop.slice(0, i);
  let key = prop.slice(i + 1);
  if (head === 'secrets') key = key.replace(/\.(secret|version)$/, '');
  return [head, key];
}

/** Dead-letter and alert settings of one queue, by the rules the constructs use, reported where they were written. */
function checkOperations(p: Problems, q: Tree, s: Pick<QueueSettings, 'deadLetterSink' | 'deadLetterRetentionDays' | 'alertNotificationChannels' | 'alertBacklogTasks' | 'alertBacklogSeconds' | 'alertFailingAttemptRatio' | 'alertFailingAttemptSeconds'>): void {
  p.rule(q.origin('deadLetterSink'), s.deadLetterSink, RULES.deadLetterSink)
    .rule(q.origin('deadLetterRetentionDays'), s.deadLetterRetentionDays, RULES.retentionDays)
    .rule(q.origin('alertBacklogTasks'), s.alertBacklogTasks, RULES.alertTasks)
    .rule(q.origin('alertBacklogSeconds'), s.alertBacklogSeconds, RULES.alertSeconds)
    .rule(q.origin('alertFailingAttemptRatio'), s.alertFailingAttemptRatio, RULES.alertRatio)
    .rule(q.origin('alertFailingAttemptSeconds'), s.alertFailingAttemptSeconds, RULES.alertSeconds);
  for (const channel of notificationChannels(s) ?? []) {
    p.rule(q.origin('alertNotificationChannels'), channel, RULES.notificationChannel);
  }
}

/** A queue's notification channel ids, from its comma-separated `alertNotificationChannels`. */
export function notificationChannels(q: Pick<QueueSettings, 'alertNotificationChannels'>): string[] | undefined {
  return q.alertNotificationChannels?.split(',').map((c) => c.trim()).filter(Boolean);
}
