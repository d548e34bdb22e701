// The app's layout on a real project: one foundation stack per project, environments that own nothing
// project-wide, a first apply that cannot race, and an upgrade from the old layout that revokes nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../config';
import { buildApp } from '../main';
import { tempDir } from './temp';

type Json = Record<string, any>;
const PROJECT_LEVEL = ['google_project_service', 'google_project_iam_member', 'time_sleep'];

function synthApp(file: unknown = {}, env: Record<string, string> = {}) {
  const outdir = tempDir('foundation-');
  buildApp(resolveConfig(file, env), outdir).synth();
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  const stacks: Record<string, Json> = {};
  for (const name of Object.keys(manifest.stacks)) stacks[name] = JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  return { manifest, stacks };
}

/** Every resource of a stack as [address, body]. */
const resourcesOf = (tf: Json): [string, Json][] =>
  Object.entries<Json>(tf.resource ?? {}).flatMap(([type, byId]) => Object.entries<Json>(byId).map(([id, body]) => [`${type}.${id}`, body] as [string, Json]));
const count = (stacks: Record<string, Json>, type: string, where: (r: Json) => boolean = () => true) =>
  Object.values(stacks).flatMap((tf) => Object.values<Json>(tf.resource?.[type] ?? {})).filter(where).length;

const twoEnvsOneProject = { environments: { dev: { project: 'acme-orders', queueId: 'orders-dev' }, prod: { project: 'acme-orders', queueId: 'orders' } } };

describe('foundation stacks in the app', () => {
  test('two environments in one project share one foundation: one agent grant, one set of APIs', () => {
    const { manifest, stacks } = synthApp(twoEnvsOneProject);
    expect(Object.keys(manifest.stacks).sort()).toEqual(['dev', 'prod', 'project-acme-orders']);
    expect(Object.keys(manifest.stacks)[0]).toBe('dev'); // `npm run dev` serves the first stack
    expect(count(stacks, 'google_project_iam_member', (r) => r.role === 'roles/cloudtasks.serviceAgent')).toBe(1);
    const services = Object.values(stacks).flatMap((tf) => Object.values<Json>(tf.resource?.google_project_service ?? {})).map((r) => r.service);
    expect(new Set(services).size).toBe(services.length);
    expect(services).toEqual(expect.arrayContaining(['cloudtasks.googleapis.com', 'run.googleapis.com', 'iam.googleapis.com', 'monitoring.googleapis.com']));
    expect(count(stacks, 'time_sleep')).toBe(1);
    expect(manifest.stacks.dev.dependencies).toEqual(['project-acme-orders']);
    expect(manifest.stacks.prod.dependencies).toEqual(['project-acme-orders']);
  });

  test('environments in different projects get one foundation each', () => {
    const { stacks } = synthApp({ environments: { dev: { project: 'acme-dev' }, prod: { project: 'acme-prod' } } });
    expect(Object.keys(stacks).filter((n) => n.startsWith('project-')).sort()).toEqual(['project-acme-dev', 'project-acme-prod']);
    expect(stacks['project-acme-dev'].provider.google).toEqual([{ project: 'acme-dev' }]);
  });

  test('an environment stack holds no project-level resource, so destroying it cannot remove one', () => {
    const { stacks } = synthApp(twoEnvsOneProject);
    for (const env of ['dev', 'prod']) {
      expect(resourcesOf(stacks[env]).map(([address]) => address.split('.')[0]).filter((t) => PROJECT_LEVEL.includes(t))).toEqual([]);
      // What it used to own is only ever forgotten, never destroyed.
      for (const block of stacks[env].removed) expect(block.lifecycle).toEqual({ destroy: false });
    }
  });

  test('removing an environment from the app leaves its project foundation unchanged', () => {
    const both = synthApp(twoEnvsOneProject).stacks['project-acme-orders'];
    const prodOnly = synthApp(twoEnvsOneProject, { PIPELINE_ENVIRONMENTS: 'prod' }).stacks['project-acme-orders'];
    const strip = (tf: Json) => JSON.stringify(tf).replace(/"path":"[^"]*tfstate"/g, '');
    expect(strip(prodOnly)).toBe(strip(both));
  });

  describe('PIPELINE_ENVIRONMENTS picks a subset: the foundation still serves every environment of its project', () => {
    // dev needs only the required APIs (alerts off, log sink); staging needs Monitoring, Logging and Pub/Sub.
    const mixed = {
      environments: {
        dev: { project: 'acme-orders', queueId: 'orders-dev', alerts: false },
        staging: { project: 'acme-orders', queueId: 'orders-stg', deadLetterSink: 'pubsub' },
        other: { project: 'acme-other', queueId: 'other', deadLetterSink: 'pubsub' },
      },
    };
    const services = (tf: Json) => Object.values<Json>(tf.resource.google_project_service).map((r) => r.service).sort();
    // Key order aside (APIs join in another order), the same JSON.
    const canonical = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)])) : v;

    test("staging's APIs stay in the foundation when only dev is synthesized", () => {
      const devOnly = synthApp(mixed, { PIPELINE_ENVIRONMENTS: 'dev' }).stacks['project-acme-orders'];
      expect(services(devOnly)).toEqual(['cloudtasks.googleapis.com', 'iam.googleapis.com', 'logging.googleapis.com', 'monitoring.googleapis.com', 'pubsub.googleapis.com', 'run.googleapis.com']);
    });

    test('the foundation is the one the whole app synthesizes', () => {
      const all = synthApp(mixed).stacks['project-acme-orders'];
      const devOnly = synthApp(mixed, { PIPELINE_ENVIRONMENTS: 'dev' }).stacks['project-acme-orders'];
      expect(canonical(devOnly)).toEqual(canonical(all));
    });

    test('a project none of the synthesized environments uses gets no foundation stack', () => {
      expect(Object.keys(synthApp(mixed, { PIPELINE_ENVIRONMENTS: 'dev' }).stacks).sort()).toEqual(['dev', 'project-acme-orders']);
    });

    test('the left-out environments of a synthesized project are resolved and listed, the picked ones synthesized', () => {
      const c = resolveConfig(mixed, { PIPELINE_ENVIRONMENTS: 'dev' });
      expect([Object.keys(c.environments), Object.keys(c.unsynthesized ?? {})]).toEqual([['dev'], ['staging']]);
    });

    test("a left-out environment's own mistake is reported when it shares the project, not otherwise", () => {
      const broken = (project: string) => ({ environments: { dev: { project: 'acme-orders', queueId: 'a' }, staging: { project, queueId: 'b', maxAttempts: -9 } } });
      expect(() => resolveConfig(broken('acme-orders'), { PIPELINE_ENVIRONMENTS: 'dev' })).toThrow(/'context\.pipeline\.environments\.staging\.maxAttempts' must be an integer >= -1/);
      expect(Object.keys(resolveConfig(broken('acme-other'), { PIPELINE_ENVIRONMENTS: 'dev' }).environments)).toEqual(['dev']);
    });

    test('a left-out environment whose names collide with a picked one is still refused', () => {
      const clash = { environments: { dev: { project: 'acme-orders', queueId: 'orders' }, staging: { project: 'acme-orders', queueId: 'orders' } } };
      expect(() => resolveConfig(clash, { PIPELINE_ENVIRONMENTS: 'dev' })).toThrow(/environments\.staging.*orders/);
    });
  });

  test('the foundation stack is protected from destroy by default; foundationProtectFromDestroy: false opts out', () => {
    const on = synthApp().stacks['project-my-gcp-project'];
    for (const [, r] of resourcesOf(on).filter(([a]) => /^google_project_(service|iam_member)\./.test(a))) expect(r.lifecycle.prevent_destroy).toBe(true);
    const off = synthApp({ foundationProtectFromDestroy: false }).stacks['project-my-gcp-project'];
    for (const [, r] of resourcesOf(off).filter(([a]) => /^google_project_(service|iam_member)\./.test(a))) expect(r.lifecycle.prevent_destroy).toBe(false);
  });

  test('foundationWaitSeconds sets the wait; environments of one project must agree on it', () => {
    expect(Object.values<Json>(synthApp({ foundationWaitSeconds: 90 }).stacks['project-my-gcp-project'].resource.time_sleep)[0].create_duration).toBe('90s');
    expect(() =>
      resolveConfig({ environments: { dev: { project: 'acme-orders', queueId: 'a', foundationWaitSeconds: 30 }, prod: { project: 'acme-orders', queueId: 'b' } } }, {}),
    ).toThrow(/'context\.pipeline\.environments\.prod\.foundationWaitSeconds' must be the same as in environment "dev" \(30, context\.pipeline\.environments\.dev\.foundationWaitSeconds\), which shares project acme-orders and its foundation, got undefined/);
  });

  test('every stack, environment and foundation, requires Terraform >= 1.7 (removed blocks)', () => {
    const { stacks } = synthApp(twoEnvsOneProject);
    expect(Object.fromEntries(Object.entries(stacks).map(([name, tf]) => [name, tf.terraform.required_version]))).toEqual({ dev: '>= 1.7', prod: '>= 1.7', 'project-acme-orders': '>= 1.7' });
  });

  test('environment names starting with "project-" are refused (foundation stack names)', () => {
    expect(() => resolveConfig({ environments: { 'project-x': {} } }, {})).toThrow(/'context\.pipeline\.environments\.project-x' must be a name not starting with "project-".*got "project-x"/);
  });
});

describe('a first apply that cannot race', () => {
  test('every queue, service, service account and IAM member depends, through the graph, on the wait and the agent grant', () => {
    const { stacks } = synthApp();
    const env = stacks.dev;
    const foundation = stacks['project-my-gcp-project'];
    const [anchorId, anchor] = Object.entries<Json>(env.resource.terraform_data)[0];

    // GIVEN the environment's resources WHEN following depends_on THEN each reaches the anchor
    const workloads = resourcesOf(env).filter(([a]) => /^google_(cloud_tasks_queue|cloud_run_v2_service|service_account)/.test(a));
    expect(new Set(workloads.map(([a]) => a.split('.')[0]))).toEqual(
      new Set(['google_cloud_tasks_queue', 'google_cloud_tasks_queue_iam_member', 'google_cloud_run_v2_service', 'google_cloud_run_v2_service_iam_member', 'google_service_account', 'google_service_account_iam_member']),
    );
    for (const [address, body] of workloads) expect([address, body.depends_on]).toEqual([address, expect.arrayContaining([`terraform_data.${anchorId}`])]);

    // AND the anchor's input comes from the foundation stack's outputs ...
    const remote = (ref: string) => /^\$\{data\.terraform_remote_state\.[\w-]+\.outputs\.([\w-]+)\}$/.exec(ref)![1];
    const waitOutput = foundation.output[remote(anchor.input.wait)].value;
    const grantOutput = foundation.output[remote(anchor.input.serviceAgentRole)].value;
    // ... which are the wait and the agent's grant
    const [waitId] = Object.keys(foundation.resource.time_sleep);
    const [grantId] = Object.keys(foundation.resource.google_project_iam_member);
    expect(waitOutput).toBe(`\${time_sleep.${waitId}.id}`);
    expect(grantOutput).toBe(`\${google_project_iam_member.${grantId}.id}`);
    // AND the grant itself waits, and the wait follows every API
    const [identityId] = Object.keys(foundation.resource.google_project_service_identity);
    expect(foundation.resource.google_project_iam_member[grantId].depends_on).toEqual([`time_sleep.${waitId}`, `google_project_service_identity.${identityId}`]);
    const apis = Object.keys(foundation.resource.google_project_service);
    expect(Object.values(foundation.resource.time_sleep[waitId].triggers).sort()).toEqual(apis.map((id) => `\${google_project_service.${id}.id}`).sort());
  });
});

describe('the service agent (issue 17, item 5)', () => {
  test('the foundation stack creates the agent with google-beta; environment stacks do not declare google-beta', () => {
    const { stacks } = synthApp(twoEnvsOneProject);
    expect(Object.keys(stacks['project-acme-orders'].resource.google_project_service_identity)).toHaveLength(1);
    expect(stacks['project-acme-orders'].terraform.required_providers['google-beta']).toEqual({ source: 'hashicorp/google-beta', version: '6.50.0' });
    for (const env of ['dev', 'prod']) expect([env, stacks[env].terraform.required_providers['google-beta']]).toEqual([env, undefined]);
  });

  test('no doc claims that nothing races', () => {
    const docs = [join(__dirname, '..', 'README.md'), ...readdirSync(join(__dirname, '..', 'docs')).map((f) => join(__dirname, '..', 'docs', f))];
    expect(docs.filter((f) => /nothing races/i.test(readFileSync(f, 'utf8')))).toEqual([]);
  });
});

describe('upgrade from the layout where each environment owned the foundation', () => {
  // Addresses deployed by earlier versions (environment stack "dev", project my-gcp-project).
  const OLD_FOUNDATION = [
    'google_project_service.CloudTasksServiceAgent-my-gcp-project_cloudtasks_904355F2',
    'google_project_service.CloudTasksServiceAgent-my-gcp-project_run_A1258BBA',
    'google_project_service.CloudTasksServiceAgent-my-gcp-project_iam_1F9D659C',
    'google_project_iam_member.CloudTasksServiceAgent-my-gcp-project_ServiceAgentRole_DFBC79E7',
  ];

  // What the last in-stack release (git d873427) also created, with alerts on (the default) and the "pubsub" sink:
  // synthesized from that commit with `{ "deadLetterSink": "pubsub" }`.
  const OLD_OPTIONAL_APIS = [
    'google_project_service.CloudTasksServiceAgent-my-gcp-project_monitoring_D310B443',
    'google_project_service.CloudTasksServiceAgent-my-gcp-project_logging_6A519154',
    'google_project_service.CloudTasksServiceAgent-my-gcp-project_pubsub_EC2D2E43',
  ];

  test('the environment stack forgets (never destroys) every API and the agent grant the old layout created, monitoring/logging/pubsub included', () => {
    const env = synthApp().stacks.dev;
    const [grant, ...apis] = [OLD_FOUNDATION[3], ...OLD_FOUNDATION.slice(0, 3), ...OLD_OPTIONAL_APIS];
    expect(env.removed).toEqual([...apis, grant].map((from) => ({ from, lifecycle: { destroy: false } })));
    const addresses = resourcesOf(env).map(([a]) => a);
    for (const from of OLD_FOUNDATION) expect(addresses).not.toContain(from);
  });

  test('the foundation stack holds them at the same addresses, and foundationAdoptExisting imports them', () => {
    const plain = synthApp().stacks['project-my-gcp-project'];
    const held = resourcesOf(plain).map(([a]) => a).filter((a) => !a.startsWith('time_sleep.'));
    expect(held).toEqual(expect.arrayContaining(OLD_FOUNDATION));
    // Anything else is an API added since (alerts need Monitoring and Logging) or the agent's creation: added, never moved.
    expect(held.filter((a) => !OLD_FOUNDATION.includes(a)).sort()).toEqual([
      'google_project_service.CloudTasksServiceAgent-my-gcp-project_logging_6A519154',
      'google_project_service.CloudTasksServiceAgent-my-gcp-project_monitoring_D310B443',
      'google_project_service_identity.CloudTasksServiceAgent-my-gcp-project_ServiceAgent_36DD2D04',
    ]);
    expect(plain.import).toBeUndefined();

    const adopting = synthApp({ foundationAdoptExisting: true }).stacks['project-my-gcp-project'];
    expect(adopting.import.map((i: Json) => i.to).sort()).toEqual([...OLD_FOUNDATION].sort());
    expect(adopting.import).toContainEqual({ to: OLD_FOUNDATION[0], id: 'my-gcp-project/cloudtasks.googleapis.com' });
  });

  test('an unchanged queue, service, accounts and grants keep their Terraform addresses', () => {
    const addresses = resourcesOf(synthApp().stacks.dev).map(([a]) => a);
    expect(addresses).toEqual(
      expect.arrayContaining([
        'google_cloud_tasks_queue.Pipeline_Queue_C13966F5',
        'google_cloud_run_v2_service.Pipeline_Handler_ECA328F9',
        'google_service_account.Pipeline_Enqueuer_6D7BF324',
        'google_service_account.Pipeline_Handler_Runtime_E8EA4958',
        'google_cloud_tasks_queue_iam_member.Pipeline_Queue_cloudtasksenqueuer-Pipeline-Enqueuer_FAA88D29',
        'google_service_account_iam_member.Pipeline_Queue_iamserviceAccountUser-Pipeline-Enqueuer_D69118E9',
        'google_cloud_run_v2_service_iam_member.Pipeline_Handler_runinvoker-Pipeline-Enqueuer_27AC8D50',
      ]),
    );
  });
});

describe('identities from config', () => {
  test('dedicatedDispatchIdentity: the token names a "-dsp" account and the enqueuer holds only the enqueuer role', () => {
    const env = synthApp({ dedicatedDispatchIdentity: true }).stacks.dev;
    const accounts = Object.entries<Json>(env.resource.google_service_account);
    const [dspId] = accounts.find(([, sa]) => sa.account_id === 'tasks-dsp')!;
    const [enqId] = accounts.find(([, sa]) => sa.account_id === 'tasks-enq')!;
    expect(Object.values<Json>(env.resource.google_cloud_tasks_queue)[0].http_target.oidc_token.service_account_email).toBe(`\${google_service_account.${dspId}.email}`);
    const grantsOf = (id: string) =>
      resourcesOf(env).filter(([a, r]) => a.includes('_iam_member.') && r.member === `\${google_service_account.${id}.member}`).map(([, r]) => r.role);
    expect(grantsOf(enqId)).toEqual(['roles/cloudtasks.enqueuer']);
    expect(grantsOf(dspId)).toEqual(['roles/run.invoker']);
  });
});
