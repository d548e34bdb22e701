import { Token } from 'cdktf';
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
