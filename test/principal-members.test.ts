import { Construct } from 'constructs';
import { Principal, ServiceAccount, TaskQueue } from '../constructs';
import { resources, synth } from './helpers';

const WORKLOAD_SUBJECT = 'principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/subject/user:alice';
const enqueuerIds = (fn: (queue: TaskQueue, scope: Construct) => void) =>
  Object.keys(resources(synth((stack) => fn(new TaskQueue(stack, 'Queue', { queueId: 'orders', location: 'us-central1' }), stack)), 'google_cloud_tasks_queue_iam_member'));

describe('Principal members', () => {
  test('GIVEN a workload identity subject that contains "user:" WHEN used as a member THEN it is accepted (only a member that starts with user: needs an email)', () => {
    expect(Principal.fromMember(WORKLOAD_SUBJECT).member).toBe(WORKLOAD_SUBJECT);
  });

  test('GIVEN the public principalSet with a trailing space WHEN used as a member THEN it is refused like the public principalSet itself', () => {
    expect(() => Principal.fromMember('principalSet://goog/public:all ')).toThrow(/Invalid principal:\n {2}- 'member' must be an IAM member .*never allUsers or allAuthenticatedUsers\), got "principalSet:\/\/goog\/public:all "/);
  });

  test('GIVEN a malformed user email WHEN Principal.user is called THEN the error says it is a user principal and names email', () => {
    expect(() => Principal.user('alice')).toThrow(`Invalid user principal:\n  - 'email' must be an email address such as "alice@example.com", got "alice"`);
  });

  test('GIVEN a malformed group email WHEN Principal.group is called THEN the error says it is a group principal and names email', () => {
    expect(() => Principal.group('team')).toThrow(`Invalid group principal:\n  - 'email' must be an email address such as "alice@example.com", got "team"`);
  });

  test('GIVEN a malformed service account email WHEN Principal.serviceAccount is called THEN the error says it is a service account principal', () => {
    expect(() => Principal.serviceAccount('invoker')).toThrow(/^Invalid service account principal:\n {2}- 'email' must be a service account email address/);
  });

  test('GIVEN a user member followed by a second line WHEN used as a member THEN it is refused', () => {
    expect(() => Principal.fromMember('user:alice@example.com\nuser:mallory@example.com')).toThrow(/'member' must be an IAM member/);
  });

  test('GIVEN a user member whose text only starts like a member WHEN used as a member THEN it is refused', () => {
    expect(() => Principal.fromMember('xuser:alice@example.com')).toThrow(/'member' must be an IAM member/);
  });

  test('GIVEN a service account email whose domain only starts like a project account WHEN no project is given THEN the project is required', () => {
    expect(() => Principal.serviceAccount('a@proj-1.iam.gserviceaccount.com.example.com')).toThrow(/'project' is required for service account/);
  });
});

describe('Grant ids', () => {
  test('GIVEN a member with "://" WHEN granted THEN each run of other characters becomes one hyphen in the Terraform address', () => {
    const [id] = enqueuerIds((q) => q.grantEnqueue(Principal.fromMember(WORKLOAD_SUBJECT)));
    expect(id).toContain('enqueuer-principal-iam-googleapis-com-projects-123-locations-global-workloadIdentityPools-ci-subject-user-alice');
  });

  test('GIVEN a service account construct whose id has a space and parentheses WHEN granted THEN its path becomes single hyphens in the Terraform address', () => {
    const [id] = enqueuerIds((q, stack) => q.grantEnqueue(new ServiceAccount(new Construct(stack, 'Team'), 'Ops (EU)', { accountId: 'ops-eu' })));
    expect(id).toContain('enqueuer-Team-Ops-EU');
    expect(id).not.toContain('--');
  });
});
