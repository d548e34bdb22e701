// Grants and env that cannot open the door: no public members, no malformed members, no TASKS_* from users.
import { Lazy, Token } from 'cdktf';
import { IPrincipal, Principal, ServiceAccount, TaskHandlerService, TaskHandlerServiceProps, TaskQueue } from '../constructs';
import { iamRows, synth } from './helpers';

const tokenAccount = Principal.serviceAccount('enq@test-project.iam.gserviceaccount.com');
const handlerProps: TaskHandlerServiceProps = {
  serviceName: 'orders-handler',
  location: 'us-central1',
  audience: 'https://orders.example/tasks',
  tokenServiceAccountEmail: tokenAccount.email,
};

type Grant = (stack: any, principal: IPrincipal) => unknown;
const queue = (stack: any) =>
  new TaskQueue(stack, 'Queue', {
    queueId: 'orders',
    location: 'us-central1',
    httpTarget: { uriOverride: { host: 'h.example.com' }, oidcToken: { serviceAccount: tokenAccount, audience: 'aud' } },
  });
const grants: [string, Grant][] = [
  ['handler.grantInvoke', (stack, p) => new TaskHandlerService(stack, 'Handler', handlerProps).grantInvoke(p)],
  ['queue.grantEnqueue', (stack, p) => queue(stack).grantEnqueue(p)],
  ['queue.grantEnqueueWithTaskToken', (stack, p) => queue(stack).grantEnqueueWithTaskToken(p)],
  ['imported queue.grantEnqueue', (stack, p) => TaskQueue.fromQueueAttributes(stack, 'Q', { project: 'test-project', location: 'us-central1', queueName: 'q' }).grantEnqueue(p)],
];
const publicMembers = ['allUsers', 'allAuthenticatedUsers', 'ALLUSERS', 'principalSet://goog/public:all'];

describe.each(grants)('%s', (_name, grant) => {
  test.each(publicMembers)('refuses the public member %s, naming it', (member) => {
    // GIVEN a principal built by hand (not through Principal) WHEN it is granted THEN synth fails
    expect(() => synth((stack) => grant(stack, { member }))).toThrow(
      new RegExp(`Invalid grant of roles/[\\w.]+ on 'test/\\w+':\\n  - 'member' must be an IAM member .*never allUsers or allAuthenticatedUsers\\), got "${member.replace(/[/.]/g, '\\$&')}"`),
    );
  });

  test('refuses a malformed member', () => {
    expect(() => synth((stack) => grant(stack, { member: 'alice@example.com' }))).toThrow(/'member' must be an IAM member.*got "alice@example.com"/);
  });

  test('accepts a group and writes it unchanged', () => {
    const s = synth((stack) => grant(stack, Principal.group('team@example.com')));
    expect(iamRows(s).every((row) => row.endsWith('| group:team@example.com'))).toBe(true);
  });

  test('refuses a member that resolves to allUsers only at synth (a Lazy)', () => {
    expect(() => synth((stack) => grant(stack, { member: Lazy.stringValue({ produce: () => 'allUsers' }) }))).toThrow(/'member' must be an IAM member .*got "allUsers"/);
  });

  test('accepts a member that resolves at synth to a grantable member, and writes the resolved value', () => {
    const s = synth((stack) => grant(stack, { member: Lazy.stringValue({ produce: () => 'group:team@example.com' }) }));
    expect(iamRows(s).every((row) => row.endsWith('| group:team@example.com'))).toBe(true);
  });

  test('accepts the member of a service account created in the stack (known only at apply time)', () => {
    const s = synth((stack) => grant(stack, new ServiceAccount(stack, 'Caller', { accountId: 'orders-caller', project: 'test-project' })));
    expect(iamRows(s).some((row) => /\| \$\{google_service_account\.Caller_[0-9A-F]+\.member\}$/.test(row))).toBe(true);
  });

  test('refuses an unresolved member that resolves to no member string', () => {
    expect(() => synth((stack) => grant(stack, { member: Token.asString({ Ref: 'member' }) }))).toThrow(/'member' must be an IAM member .*got \{"Ref":"member"\}/);
  });
});

describe('Principal.fromMember', () => {
  test.each(publicMembers)('refuses %s', (member) => {
    expect(() => Principal.fromMember(member)).toThrow(/Invalid principal:\n {2}- 'member' must be an IAM member/);
  });
});

describe('TaskHandlerService environment', () => {
  const withEnv = (environment: Record<string, string>) => () => synth((stack) => new TaskHandlerService(stack, 'Handler', { ...handlerProps, environment }));

  test.each(['TASKS_AUTH', 'TASKS_JWKS_URL', 'TASKS_ISSUERS', 'TASKS_AUDIENCE', 'TASKS_ANYTHING_NEW', 'tasks_auth'])(
    'refuses %s: every TASKS_* variable is the construct\'s',
    (key) => {
      expect(withEnv({ [key]: 'disabled' })).toThrow(new RegExp(`'environment.${key}' must be a variable name .*not TASKS_\\* \\(set by the handler construct\\), got "${key}"`));
    },
  );

  test.each(['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'])('refuses %s (set by Cloud Run)', (key) => {
    expect(withEnv({ [key]: '1' })).toThrow(new RegExp(`'environment.${key}' must be a variable name .*not PORT, K_SERVICE, K_REVISION, K_CONFIGURATION \\(set by Cloud Run\\)`));
  });

  test('lists every reserved key in one error', () => {
    expect(withEnv({ TASKS_AUTH: 'disabled', TASKS_JWKS_URL: 'http://evil', LOG_LEVEL: 'debug' })).toThrow(/'environment.TASKS_AUTH' must be[^\n]*\n\s+- 'environment.TASKS_JWKS_URL' must be/);
  });

  test('passes other variables through beside the construct\'s own', () => {
    const s = synth((stack) => new TaskHandlerService(stack, 'Handler', { ...handlerProps, environment: { LOG_LEVEL: 'debug' } }));
    const env = (Object.values(s.json.resource!.google_cloud_run_v2_service)[0] as any).template.containers[0].env;
    expect(env).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
    expect(env.filter((e: any) => e.name.startsWith('TASKS_')).map((e: any) => e.name).sort()).toEqual([
      'TASKS_AUDIENCE',
      'TASKS_DISPATCH_DEADLINE_SECONDS',
      'TASKS_PATH',
      'TASKS_SERVICE_ACCOUNT',
    ]);
  });
});
