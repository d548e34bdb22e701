import { resolveConfig } from '../config';
import { ACCOUNT_ID_PATTERN, SERVICE_NAME_PATTERN } from '../limits';

const message = (file: unknown, env: Record<string, string> = {}): string => {
  try {
    resolveConfig(file, env);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the config to be rejected');
};

describe('app config: many queues per environment', () => {
  const threeQueues = {
    project: 'acme-orders-prod',
    labels: { team: 'orders' },
    maxAttempts: 20,
    handlers: { orders: { image: 'europe-docker.pkg.dev/acme/handlers/orders:1.0', timeoutSeconds: 1800 } },
    queues: {
      'orders-fast': { handler: 'orders', maxDispatchesPerSecond: 100 },
      'orders-slow': { handler: 'orders', dispatchDeadlineSeconds: 1800, bufferTask: false, maxAttempts: 5 },
      emails: { labels: { lane: 'mail' }, handler: { cpu: '2', memory: '1Gi' } },
    },
  };

  test('GIVEN a queues map WHEN resolved THEN each queue gets its key as id and the top-level queue settings as defaults', () => {
    const dev = resolveConfig(threeQueues, {}).environments.dev;
    expect(dev.singleQueue).toBe(false);
    expect(Object.keys(dev.queues)).toEqual(['orders-fast', 'orders-slow', 'emails']);
    expect(dev.queues['orders-fast']).toMatchObject({ queueId: 'orders-fast', maxAttempts: 20, maxDispatchesPerSecond: 100, sharedHandler: 'orders' });
    expect(dev.queues['orders-slow']).toMatchObject({ maxAttempts: 5, dispatchDeadlineSeconds: 1800 });
  });

  test('a shared handler takes the longest dispatch deadline of the queues in front of it', () => {
    const dev = resolveConfig(threeQueues, {}).environments.dev;
    expect(Object.keys(dev.handlers)).toEqual(['orders']);
    expect(dev.handlers.orders).toMatchObject({ serviceName: 'orders', dispatchDeadlineSeconds: 1800, runtimeAccountId: 'orders-run' });
  });

  test('labels: the common set on every handler, per-queue extras only on that queue\'s own handler', () => {
    const dev = resolveConfig(threeQueues, {}).environments.dev;
    expect(dev.handlers.orders.labels).toEqual({ team: 'orders' });
    expect(dev.queues.emails.handler!.labels).toEqual({ team: 'orders', lane: 'mail' });
  });

  test('a queue with handler settings gets its own handler, named after its queue id', () => {
    const emails = resolveConfig(threeQueues, {}).environments.dev.queues.emails;
    expect(emails.sharedHandler).toBeUndefined();
    expect(emails.handler).toMatchObject({ serviceName: 'emails-handler', cpu: '2', memory: '1Gi' });
  });

  test('PIPELINE_HANDLER_IMAGE is every handler\'s default image and does not turn a shared handler into a dedicated one', () => {
    const dev = resolveConfig({ handler: 'orders', handlers: { orders: {} }, queues: { a: {}, b: {} } }, { PIPELINE_HANDLER_IMAGE: 'europe-docker.pkg.dev/acme/h/x:2' }).environments.dev;
    expect(dev.queues.a.sharedHandler).toBe('orders');
    expect(dev.handlers.orders.image).toBe('europe-docker.pkg.dev/acme/h/x:2');
  });

  test('an environment block can change one queue of the shared map', () => {
    const c = resolveConfig({ project: 'acme-orders-dev', queues: { a: {}, b: {} }, environments: { dev: {}, prod: { project: 'acme-orders-prod', queues: { b: { maxAttempts: 3 } } } } }, {});
    expect(c.environments.dev.queues.b.maxAttempts).toBeUndefined();
    expect(c.environments.prod.queues.b.maxAttempts).toBe(3);
    expect(Object.keys(c.environments.prod.queues)).toEqual(['a', 'b']);
  });

  test('a secret written as a string means its latest version', () => {
    const h = resolveConfig({ handler: { secrets: { API_KEY: 'orders-api-key', DB: { secret: 'db', version: '3' } } } }, {}).environments.dev.queues.tasks.handler!;
    expect(h.secrets).toEqual({ API_KEY: { secret: 'orders-api-key' }, DB: { secret: 'db', version: '3' } });
  });
});

describe('app config: names that fit and never collide', () => {
  test('a 100-character queue id gets a valid, hashed service name and account ids', () => {
    const id = `Q${'a'.repeat(99)}`;
    const q = resolveConfig({ queueId: id }, {}).environments.dev.queues[id];
    expect(q.queueId).toBe(id);
    expect(q.handler!.serviceName).toMatch(SERVICE_NAME_PATTERN);
    expect(q.handler!.serviceName).toMatch(/^q?a+-[0-9a-f]{6}-handler$/);
    expect(q.enqueuerAccountId).toMatch(ACCOUNT_ID_PATTERN);
    expect(q.handler!.runtimeAccountId).toMatch(ACCOUNT_ID_PATTERN);
  });

  test('two long queue ids with a common prefix get different account ids', () => {
    const shared = 'customer-notifications-';
    const dev = resolveConfig({ queues: { [`${shared}email`]: {}, [`${shared}sms`]: {} } }, {}).environments.dev;
    const ids = Object.values(dev.queues).flatMap((q) => [q.enqueuerAccountId, q.handler!.runtimeAccountId]);
    expect(new Set(ids).size).toBe(4);
  });

  test('GIVEN two environments in one project whose queues map to the same names THEN one error names both places', () => {
    const text = message({ project: 'acme-shared-1', environments: { dev: { queueId: 'Orders' }, prod: { queueId: 'orders' } } });
    expect(text).toMatch(
      /'context.pipeline.environments.prod.queueId' must be a name that gives the enqueuer of queue "orders" of environment "prod" its own service account: the enqueuer of queue "Orders" of environment "dev" \(context.pipeline.environments.dev.queueId\) already gets projects\/acme-shared-1\/serviceAccounts\/orders-enq; or give environment "prod" a namePrefix \(context\.pipeline\.environments\.prod\.namePrefix, e\.g\. "prod-"\): it starts every GCP name of that environment, got "orders"/,
    );
    expect(text.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(1);
  });

  test('two handlers given the same service name in one region are rejected, naming both', () => {
    const text = message({ queues: { a: { handler: { serviceName: 'worker' } }, b: { handler: { serviceName: 'worker' } } } });
    expect(text).toMatch(/'context.pipeline.queues.b.handler.serviceName' must be a name that gives the handler "b" of environment "dev" its own Cloud Run service: the handler "a" of environment "dev" \(context.pipeline.queues.a.handler.serviceName\) already gets projects\/my-gcp-project\/locations\/us-central1\/services\/worker/);
  });
});

describe('app config: one complete error in the user\'s words', () => {
  test('GIVEN problems in two environments, in handler and in queue settings THEN one error lists all of them by the keys the user wrote', () => {
    const text = message(
      {
        project: 'acme-orders-dev',
        environments: {
          dev: { queues: { orders: { maxAttempts: -5, handler: { cpu: '3', env: { PORT: '1' } } } } },
          prod: { project: 'acme-orders-prod', handlers: { shared: { minInstances: 5, maxInstances: 2 } }, queues: { a: { handler: 'shared', minBackoff: 'soon' } } },
        },
      },
      { PIPELINE_REGION: 'mars' },
    );
    const lines = text.split('\n').slice(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}- 'PIPELINE_REGION' must be a region such as "us-central1", got "mars"$/),
        expect.stringMatching(/^ {2}- 'context.pipeline.environments.dev.queues.orders.maxAttempts' must be an integer >= -1/),
        expect.stringMatching(/^ {2}- 'context.pipeline.environments.dev.queues.orders.handler.cpu' must be CPUs as a string/),
        expect.stringMatching(/^ {2}- 'context.pipeline.environments.dev.queues.orders.handler.env.PORT' must be a variable name/),
        expect.stringMatching(/^ {2}- 'context.pipeline.environments.prod.queues.a.minBackoff' must be whole seconds/),
        expect.stringMatching(/^ {2}- 'context.pipeline.environments.prod.handlers.shared.minInstances' must be <= context.pipeline.environments.prod.handlers.shared.maxInstances \(2\), got 5$/),
      ]),
    );
    expect(lines).toHaveLength(6); // the region is reported once, not once per queue and handler
    expect(text).not.toMatch(/maxInstanceCount|minInstanceCount|tasksPath|serviceName'/); // no construct prop names
  });

  test('a long value is cut to a readable length, with its length given', () => {
    const text = message({ queueId: 'x'.repeat(81_000) });
    expect(text.length).toBeLessThan(400);
    expect(text).toMatch(/got "x{80}…" \(81000 characters\)/);
  });
});

describe('app config: the placeholder project', () => {
  test('synth warns loudly but goes on', () => {
    const c = resolveConfig({}, {});
    expect(c.warnings).toEqual([expect.stringMatching(/^WARNING: environment "dev" uses the placeholder project "my-gcp-project"/)]);
  });

  test('a real project and a real image give no warning', () => {
    expect(resolveConfig({ project: 'acme-orders-dev', handlerImage: 'europe-docker.pkg.dev/acme/h/orders:1' }, {}).warnings).toEqual([]);
  });

  test('npm run deploy (PIPELINE_DEPLOY=1) refuses it, naming where to set the project', () => {
    expect(message({}, { PIPELINE_DEPLOY: '1' })).toMatch(/'context.pipeline.project \/ PIPELINE_PROJECT \(not set: default\)' must be your project id for environment "dev" before deploying \("my-gcp-project" is a placeholder; set PIPELINE_ALLOW_PLACEHOLDER=1/);
  });

  test('PIPELINE_ALLOW_PLACEHOLDER=1 opts in', () => {
    expect(() => resolveConfig({}, { PIPELINE_DEPLOY: '1', PIPELINE_ALLOW_PLACEHOLDER: '1' })).not.toThrow();
  });
});

test('npm run deploy is what sets PIPELINE_DEPLOY=1 (so a plain synth only warns)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { scripts } = require('../package.json');
  expect(scripts.deploy).toMatch(/^PIPELINE_DEPLOY=1 .*cdktf deploy/);
  expect(scripts.synth).not.toMatch(/PIPELINE_DEPLOY/);
});

describe('app config: each handler setting is checked and reported by its cdktf.json key', () => {
  const h = 'context.pipeline.handler';
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ serviceName: 'Bad_Name' }, new RegExp(`'${h}.serviceName' must be a Cloud Run service name`)],
    [{ image: 'Bad Image' }, new RegExp(`'${h}.image' must be a container image reference`)],
    [{ path: 'tasks' }, new RegExp(`'${h}.path' must be a path starting with "/"`)],
    [{ ingress: 'PUBLIC' }, new RegExp(`'${h}.ingress' must be one of INGRESS_TRAFFIC_ALL`)],
    [{ timeoutSeconds: 300 }, new RegExp(`'${h}.timeoutSeconds' must be >= context.pipeline.dispatchDeadlineSeconds \\(not set: default\\) \\(600\\)`)],
    [{ cpu: '3' }, new RegExp(`'${h}.cpu' must be CPUs as a string`)],
    [{ memory: '64Mi' }, new RegExp(`'${h}.memory' must be a memory size`)],
    [{ cpu: '4', memory: '1Gi' }, new RegExp(`'${h}.memory' must be at least 2048 MiB when ${h}.cpu is "4"`)],
    [{ minInstances: -1 }, new RegExp(`'${h}.minInstances' must be an integer from 0 to 1000`)],
    [{ maxInstances: 0 }, new RegExp(`'${h}.maxInstances' must be an integer from 1 to 1000`)],
    [{ concurrency: 1001 }, new RegExp(`'${h}.concurrency' must be an integer from 1 to 1000`)],
    [{ bodyTimeoutSeconds: 0 }, new RegExp(`'${h}.bodyTimeoutSeconds' must be whole seconds from 1 to 300`)],
    [{ maxConnections: 100_001 }, new RegExp(`'${h}.maxConnections' must be an integer from 1 to 100000`)],
    [{ env: { TASKS_AUTH: 'disabled' } }, new RegExp(`'${h}.env.TASKS_AUTH' must be a variable name`)],
    [{ secrets: { KEY: { secret: 'k', version: 'v1' } } }, new RegExp(`'${h}.secrets.KEY' must be "latest" or a version number`)],
    [{ env: { KEY: 'x' }, secrets: { KEY: 'k' } }, new RegExp(`'${h}.secrets.KEY' must be a variable not also set in ${h}.env`)],
    [{ egress: 'ALL_TRAFFIC' }, new RegExp(`'${h}.network' must be a network or a subnetwork`)],
    [{ network: 'Bad_Net' }, new RegExp(`'${h}.network' must be a VPC network name`)],
    [{ subnetwork: 'bad sub' }, new RegExp(`'${h}.subnetwork' must be a subnetwork name`)],
    [{ network: 'default', egress: 'SOME' }, new RegExp(`'${h}.egress' must be one of ALL_TRAFFIC, PRIVATE_RANGES_ONLY`)],
    [{ labels: { Team: 'a' } }, new RegExp(`'${h}.labels.Team' must be a label key`)],
  ];
  test.each(cases)('%j', (handler, expected) => {
    expect(message({ project: 'acme-orders-dev', handler })).toMatch(expected);
  });

  test('a common label is reported where it was written', () => {
    expect(message({ project: 'acme-orders-dev', environments: { dev: { labels: { team: 'A' } } } })).toMatch(/'context.pipeline.environments.dev.labels.team' must be a label value/);
  });
});

test('the foundation wait is checked with the construct\'s rule and reported by its cdktf.json key', () => {
  expect(message({ environments: { dev: { foundationWaitSeconds: 601 } } })).toMatch(
    /'context.pipeline.environments.dev.foundationWaitSeconds' must be whole seconds from 0 to 600, got 601/,
  );
});

test('handler settings on a queue that fronts a shared handler are refused, not ignored', () => {
  expect(message({ handlers: { orders: {} }, queues: { a: { handler: 'orders', handlerImage: 'gcr.io/acme/x' } } })).toMatch(
    /'context.pipeline.queues.a.handlerImage' must be unset on a queue that fronts the shared handler "orders" \(set it under handlers.orders\), got "gcr.io\/acme\/x"/,
  );
});

test('labels on a queue that fronts a shared handler are refused: queues take no labels', () => {
  expect(message({ handlers: { orders: {} }, queues: { a: { handler: 'orders', labels: { lane: 'fast' } } } })).toMatch(
    /'context.pipeline.queues.a.labels.lane' must be unset on a queue that fronts the shared handler "orders": queues take no labels/,
  );
});
