import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, Testing, Token } from 'cdktf';
import { Principal, SAMPLE_IMAGE, TaskHandlerService, TaskHandlerServiceProps } from '../constructs';
import { only, resources, synth } from './helpers';

const base: TaskHandlerServiceProps = {
  serviceName: 'orders-handler',
  location: 'us-central1',
  audience: 'https://orders.example/tasks',
  tokenServiceAccountEmail: 'enq@test-project.iam.gserviceaccount.com',
};
const service = (props: Partial<TaskHandlerServiceProps> = {}) =>
  synth((stack) => new TaskHandlerService(stack, 'Handler', { ...base, ...props }));
const env = (svc: any) => Object.fromEntries(svc.template.containers[0].env.map((e: any) => [e.name, e.value]));

describe('TaskHandlerService', () => {
  test('defaults: internal-only ingress, deletion protection, 600 s timeout, sample image', () => {
    const svc = only(service(), 'google_cloud_run_v2_service');
    expect(svc.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(svc.deletion_protection).toBe(true);
    expect(svc.template.timeout).toBe('600s');
    expect(svc.template.containers[0].image).toBe(SAMPLE_IMAGE);
  });

  test('never disables invoker IAM', () => {
    expect(only(service(), 'google_cloud_run_v2_service')).not.toHaveProperty('invoker_iam_disabled');
  });

  test('the audience is both a custom audience and TASKS_AUDIENCE, next to the token account', () => {
    const svc = only(service(), 'google_cloud_run_v2_service');
    expect(svc.custom_audiences).toEqual(['https://orders.example/tasks']);
    expect(env(svc)).toEqual({
      TASKS_AUDIENCE: 'https://orders.example/tasks',
      TASKS_SERVICE_ACCOUNT: 'enq@test-project.iam.gserviceaccount.com',
      TASKS_PATH: '/tasks',
      TASKS_DISPATCH_DEADLINE_SECONDS: '600',
    });
  });

  test('runs as a dedicated service account, not the default compute account', () => {
    const s = service();
    const [saId, sa] = Object.entries(resources(s, 'google_service_account'))[0] as [string, any];
    expect(sa.account_id).toBe('orders-handler-run');
    expect(only(s, 'google_cloud_run_v2_service').template.service_account).toBe(`\${google_service_account.${saId}.email}`);
  });

  test('uses a runtime account that is passed in, creating none', () => {
    const s = service({ runtimeServiceAccount: Principal.serviceAccount('rt@test-project.iam.gserviceaccount.com') });
    expect(resources(s, 'google_service_account')).toEqual({});
    expect(only(s, 'google_cloud_run_v2_service').template.service_account).toBe('rt@test-project.iam.gserviceaccount.com');
  });

  test('the timeout follows a longer dispatch deadline', () => {
    const svc = only(service({ dispatchDeadlineSeconds: 1800 }), 'google_cloud_run_v2_service');
    expect(svc.template.timeout).toBe('1800s');
    expect(env(svc).TASKS_DISPATCH_DEADLINE_SECONDS).toBe('1800');
  });

  test('deletion protection can be turned off explicitly', () => {
    expect(only(service({ deletionProtection: false }), 'google_cloud_run_v2_service').deletion_protection).toBe(false);
  });

  test('grantInvoke adds roles/run.invoker on this service only', () => {
    const s = synth((stack) =>
      new TaskHandlerService(stack, 'Handler', base).grantInvoke(Principal.serviceAccount('caller@test-project.iam.gserviceaccount.com')),
    );
    const grant = only(s, 'google_cloud_run_v2_service_iam_member');
    expect(grant.role).toBe('roles/run.invoker');
    expect(grant.member).toBe('serviceAccount:caller@test-project.iam.gserviceaccount.com');
    expect(grant.name).toMatch(/^\$\{google_cloud_run_v2_service\.\w+\.name\}$/);
    expect(grant.location).toBe('us-central1');
    expect(resources(s, 'google_project_iam_member')).toEqual({});
  });

  const invalid: Array<[string, Partial<TaskHandlerServiceProps>, RegExp]> = [
    ['service name', { serviceName: 'Orders_Handler' }, /'serviceName' must be a Cloud Run service name: lowercase letters.*got "Orders_Handler"/],
    ['deadline below 15 s', { dispatchDeadlineSeconds: 10 }, /'dispatchDeadlineSeconds' must be whole seconds from 15 to 1800.*got 10/],
    ['deadline above 30 min', { dispatchDeadlineSeconds: 1801 }, /'dispatchDeadlineSeconds' must be .*got 1801/],
    ['timeout above Cloud Run max', { timeoutSeconds: 3601 }, /'timeoutSeconds' must be whole seconds from 1 to 3600, got 3601/],
    ['timeout below deadline', { timeoutSeconds: 300 }, /'timeoutSeconds' must be >= dispatchDeadlineSeconds \(600\).*got 300/],
    ['ingress', { ingress: 'PUBLIC' as any }, /'ingress' must be one of INGRESS_TRAFFIC_ALL.*got "PUBLIC"/],
    ['token account email', { tokenServiceAccountEmail: 'enq' }, /'tokenServiceAccountEmail' must be a service account email address such as "NAME@PROJECT.iam.gserviceaccount.com", got "enq"/],
    ['empty audience', { audience: '' }, /'audience' must be a non-empty string, got ""/],
    ['path', { tasksPath: 'tasks' }, /'tasksPath' must be a path starting with "\/".*got "tasks"/],
    ['reserved env', { environment: { TASKS_AUDIENCE: 'x' } }, /'environment.TASKS_AUDIENCE' must be a variable name .*not TASKS_\* \(set by the handler construct\), got "TASKS_AUDIENCE"/],
    ['max instances', { maxInstanceCount: 0 }, /'maxInstanceCount' must be an integer from 1 to 1000, got 0/],
  ];
  test.each(invalid)('rejects an invalid %s', (_n, props, message) => {
    expect(() => service(props)).toThrow(message);
  });

  test('unresolved tokens skip validation', () => {
    expect(() => service({ serviceName: Token.asString({ Ref: 'n' }), timeoutSeconds: Token.asNumber({ Ref: 't' }) })).not.toThrow();
  });
});

describe('TaskHandlerService: Cloud Run settings', () => {
  const svc = (props: Partial<TaskHandlerServiceProps>) => only(service(props), 'google_cloud_run_v2_service');

  test('cpu and memory become resource limits, keeping request-based CPU', () => {
    expect(svc({ cpu: '2', memory: '1Gi' }).template.containers[0].resources).toEqual({ limits: { cpu: '2', memory: '1Gi' }, cpu_idle: true });
  });

  test('min and max instances become the template scaling', () => {
    expect(svc({ minInstanceCount: 1, maxInstanceCount: 20 }).template.scaling).toEqual({ min_instance_count: 1, max_instance_count: 20 });
  });

  test('bodyTimeoutSeconds and maxConnections reach the handler as TASKS_BODY_TIMEOUT_SECONDS and TASKS_MAX_CONNECTIONS', () => {
    const env = (props: object) => Object.fromEntries(svc(props).template.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env({ bodyTimeoutSeconds: 30, maxConnections: 250 })).toMatchObject({ TASKS_BODY_TIMEOUT_SECONDS: '30', TASKS_MAX_CONNECTIONS: '250' });
    // unset: the handler's own defaults apply, nothing is written
    expect(Object.keys(env({}))).not.toEqual(expect.arrayContaining(['TASKS_BODY_TIMEOUT_SECONDS']));
    expect(Object.keys(env({}))).not.toContain('TASKS_MAX_CONNECTIONS');
  });

  test('concurrency becomes max_instance_request_concurrency', () => {
    expect(svc({ concurrency: 8 }).template.max_instance_request_concurrency).toBe(8);
  });

  test('environment variables come before the TASKS_* ones', () => {
    const names = svc({ environment: { LOG_LEVEL: 'debug' } }).template.containers[0].env.map((e: any) => e.name);
    expect(names).toEqual(['LOG_LEVEL', 'TASKS_AUDIENCE', 'TASKS_SERVICE_ACCOUNT', 'TASKS_PATH', 'TASKS_DISPATCH_DEADLINE_SECONDS']);
  });

  test('a secret becomes a secret_key_ref env var (latest by default)', () => {
    const env = svc({ secrets: { API_KEY: { secret: 'orders-api-key' }, DB: { secret: 'db', version: '3' } } }).template.containers[0].env;
    expect(env).toContainEqual({ name: 'API_KEY', value_source: { secret_key_ref: { secret: 'orders-api-key', version: 'latest' } } });
    expect(env).toContainEqual({ name: 'DB', value_source: { secret_key_ref: { secret: 'db', version: '3' } } });
  });

  test('the runtime account may read each secret, on that secret only, and the service waits for it', () => {
    const s = service({ project: 'test-project', secrets: { API_KEY: { secret: 'orders-api-key' }, OTHER: { secret: 'projects/vault-project/secrets/shared' } } });
    const [runtimeId] = Object.keys(resources(s, 'google_service_account'));
    const grants = resources(s, 'google_secret_manager_secret_iam_member');
    expect(Object.values(grants)).toEqual(
      expect.arrayContaining([
        { project: 'test-project', secret_id: 'orders-api-key', role: 'roles/secretmanager.secretAccessor', member: `\${google_service_account.${runtimeId}.member}` },
        { project: 'vault-project', secret_id: 'shared', role: 'roles/secretmanager.secretAccessor', member: `\${google_service_account.${runtimeId}.member}` },
      ]),
    );
    expect(Object.keys(grants)).toHaveLength(2);
    expect(only(s, 'google_cloud_run_v2_service').depends_on.sort()).toEqual(Object.keys(grants).map((id) => `google_secret_manager_secret_iam_member.${id}`).sort());
  });

  test('two variables from one secret need one grant', () => {
    const s = service({ secrets: { A: { secret: 'k' }, B: { secret: 'k', version: '2' } } });
    expect(Object.keys(resources(s, 'google_secret_manager_secret_iam_member'))).toHaveLength(1);
  });

  test('Direct VPC egress: network, subnetwork and egress (private ranges by default)', () => {
    expect(svc({ vpcAccess: { network: 'default', subnetwork: 'run-subnet' } }).template.vpc_access).toEqual({
      network_interfaces: [{ network: 'default', subnetwork: 'run-subnet' }],
      egress: 'PRIVATE_RANGES_ONLY',
    });
    expect(svc({ vpcAccess: { subnetwork: 'run-subnet', egress: 'ALL_TRAFFIC' } }).template.vpc_access.egress).toBe('ALL_TRAFFIC');
  });

  test('labels go on the service', () => {
    expect(svc({ labels: { team: 'orders', env: 'prod' } }).labels).toEqual({ team: 'orders', env: 'prod' });
  });

  test('the service name is the one given', () => {
    expect(svc({ serviceName: 'billing-worker' }).name).toBe('billing-worker');
  });

  test('addTokenAccount: the handler accepts each account and each may invoke it', () => {
    const s = synth((stack) => {
      const h = new TaskHandlerService(stack, 'Handler', { ...base, tokenServiceAccountEmail: undefined });
      h.addTokenAccount(Principal.serviceAccount('a@test-project.iam.gserviceaccount.com'));
      h.addTokenAccount(Principal.serviceAccount('b@test-project.iam.gserviceaccount.com'));
    });
    expect(env(only(s, 'google_cloud_run_v2_service')).TASKS_SERVICE_ACCOUNT).toBe('a@test-project.iam.gserviceaccount.com,b@test-project.iam.gserviceaccount.com');
    expect(Object.values(resources(s, 'google_cloud_run_v2_service_iam_member')).map((g: any) => g.member).sort()).toEqual([
      'serviceAccount:a@test-project.iam.gserviceaccount.com',
      'serviceAccount:b@test-project.iam.gserviceaccount.com',
    ]);
  });

  test('a handler that accepts no token account fails synth', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new GoogleProvider(stack, 'google', { project: 'test-project', region: 'us-central1' });
    new TaskHandlerService(stack, 'Handler', { ...base, tokenServiceAccountEmail: undefined });
    expect(() => Testing.synth(stack, true)).toThrow(/'test\/Handler' accepts no token account/);
  });

  const invalid: Array<[string, Partial<TaskHandlerServiceProps>, RegExp]> = [
    ['cpu not in the table', { cpu: '3' }, /'cpu' must be CPUs as a string: 1, 2, 4, 6, 8, or from "0.08" to "1".*got "3"/],
    ['cpu below 0.08', { cpu: '0.05' }, /'cpu' must be CPUs.*got "0.05"/],
    ['memory below 128 MiB', { memory: '64Mi' }, /'memory' must be a memory size from "128Mi" to "32Gi".*got "64Mi"/],
    ['memory above 32 GiB', { memory: '33Gi' }, /'memory' must be a memory size.*got "33Gi"/],
    ['memory not a size', { memory: 'lots' }, /'memory' must be a memory size.*got "lots"/],
    ['too little memory for 4 CPUs', { cpu: '4', memory: '1Gi' }, /'memory' must be at least 2048 MiB when cpu is "4".*got "1Gi"/],
    ['too few CPUs for 8 GiB (default cpu)', { memory: '8Gi' }, /'cpu' must be at least 2 when memory is "8Gi".*got "1 \(the default\)"/],
    ['concurrency above 1 below one CPU', { cpu: '0.5', concurrency: 10 }, /'concurrency' must be 1 when cpu is below 1.*got 10/],
    ['min instances below 0', { minInstanceCount: -1 }, /'minInstanceCount' must be an integer from 0 to 1000, got -1/],
    ['min instances above max', { minInstanceCount: 5, maxInstanceCount: 2 }, /'minInstanceCount' must be <= maxInstanceCount \(2\), got 5/],
    ['max instances above 1000', { maxInstanceCount: 1001 }, /'maxInstanceCount' must be an integer from 1 to 1000, got 1001/],
    ['concurrency 0', { concurrency: 0 }, /'concurrency' must be an integer from 1 to 1000, got 0/],
    ['bodyTimeoutSeconds 0', { bodyTimeoutSeconds: 0 }, /'bodyTimeoutSeconds' must be whole seconds from 1 to 300, got 0/],
    ['bodyTimeoutSeconds above 300', { bodyTimeoutSeconds: 301 }, /'bodyTimeoutSeconds' must be whole seconds from 1 to 300, got 301/],
    ['maxConnections 0', { maxConnections: 0 }, /'maxConnections' must be an integer from 1 to 100000, got 0/],
    ['maxConnections above 100000', { maxConnections: 100_001 }, /'maxConnections' must be an integer from 1 to 100000, got 100001/],
    ['concurrency above 1000', { concurrency: 1001 }, /'concurrency' must be an integer from 1 to 1000, got 1001/],
    ['env PORT', { environment: { PORT: '1' } }, /'environment.PORT' must be a variable name.*got "PORT"/],
    ['env K_SERVICE', { environment: { K_SERVICE: 'x' } }, /'environment.K_SERVICE' must be a variable name.*got "K_SERVICE"/],
    ['env name with a digit first', { environment: { '1X': 'x' } }, /'environment.1X' must be a variable name.*got "1X"/],
    ['env value over 32 KB', { environment: { BIG: 'x'.repeat(40_000) } }, /'environment.BIG' must be a string of at most 32768 bytes, got "x{80}…" \(40000 characters\)/],
    ['a secret also in environment', { environment: { KEY: 'x' }, secrets: { KEY: { secret: 'k' } } }, /'secrets.KEY' must be a variable not also set in environment/],
    ['a bad secret id', { secrets: { KEY: { secret: 'my secret' } } }, /'secrets.KEY.secret' must be a Secret Manager secret.*got "my secret"/],
    ['a bad secret version', { secrets: { KEY: { secret: 'k', version: 'v1' } } }, /'secrets.KEY.version' must be "latest" or a version number.*got "v1"/],
    ['VPC access without network or subnetwork', { vpcAccess: { egress: 'ALL_TRAFFIC' } }, /'vpcAccess' must be a network or a subnetwork/],
    ['a bad network', { vpcAccess: { network: 'Bad_Net' } }, /'vpcAccess.network' must be a VPC network name.*got "Bad_Net"/],
    ['a bad subnetwork', { vpcAccess: { subnetwork: 'projects/p/regions/r/nets/x' } }, /'vpcAccess.subnetwork' must be a subnetwork name/],
    ['a bad egress', { vpcAccess: { network: 'default', egress: 'SOME' as any } }, /'vpcAccess.egress' must be one of ALL_TRAFFIC, PRIVATE_RANGES_ONLY, got "SOME"/],
    ['an uppercase label key', { labels: { Team: 'a' } }, /'labels.Team' must be a label key.*got "Team"/],
    ['an uppercase label value', { labels: { team: 'A' } }, /'labels.team' must be a label value.*got "A"/],
    ['more than 64 labels', { labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'x'])) }, /'labels' must be at most 64 labels/],
    ['an empty image', { image: '' }, /'image' must be a container image reference.*got ""/],
    ['an image with uppercase path', { image: 'gcr.io/Acme/handler' }, /'image' must be a container image reference.*got "gcr.io\/Acme\/handler"/],
    ['a service name over 49 characters', { serviceName: 'a'.repeat(50) }, /'serviceName' must be a Cloud Run service name/],
  ];
  test.each(invalid)('rejects %s', (_n, props, message) => {
    expect(() => service(props)).toThrow(message);
  });

  test('accepts a digest-pinned image and fractional CPU with concurrency 1', () => {
    expect(() => service({ image: `europe-docker.pkg.dev/acme/h/orders:1.0@sha256:${'a'.repeat(64)}`, cpu: '0.5', memory: '512Mi', concurrency: 1 })).not.toThrow();
  });
});
