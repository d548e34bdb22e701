import { deriveAccountId, Principal } from '../constructs';
import { ACCOUNT_ID_PATTERN } from '../limits';

describe('Principal', () => {
  test('service account: member and resource name derived from a user-managed email', () => {
    expect(Principal.serviceAccount('a-sa@my-project.iam.gserviceaccount.com')).toEqual({
      email: 'a-sa@my-project.iam.gserviceaccount.com',
      member: 'serviceAccount:a-sa@my-project.iam.gserviceaccount.com',
      resourceName: 'projects/my-project/serviceAccounts/a-sa@my-project.iam.gserviceaccount.com',
    });
  });

  test('service account whose project cannot be derived needs an explicit project', () => {
    expect(() => Principal.serviceAccount('123-compute@developer.gserviceaccount.com')).toThrow(/'project' is required for service account/);
    expect(Principal.serviceAccount('123-compute@developer.gserviceaccount.com', 'p-123456').resourceName).toBe(
      'projects/p-123456/serviceAccounts/123-compute@developer.gserviceaccount.com',
    );
  });

  test('rejects a malformed email and a malformed member', () => {
    expect(() => Principal.serviceAccount('not-an-email')).toThrow(/'email' must be a service account email address such as "NAME@PROJECT.iam.gserviceaccount.com", got "not-an-email"/);
    expect(() => Principal.fromMember('alice@example.com')).toThrow(/'member' must be an IAM member such as "serviceAccount:EMAIL".*got "alice@example.com"/);
  });

  test('users and groups get their member prefixes', () => {
    expect(Principal.user('a@example.com').member).toBe('user:a@example.com');
    expect(Principal.group('g@example.com').member).toBe('group:g@example.com');
  });
});

describe('deriveAccountId', () => {
  test.each([
    ['orders', 'enq', 'orders-enq'],
    ['Orders_Queue', 'enq', 'orders-queue-enq'],
    // Too long for an account id: shortened, with a hash of the whole name so similar names stay apart.
    ['a-very-long-queue-name-for-monthly-reports', 'enq', 'a-very-long-queue-n-dad8c7-enq'],
    ['a-very-long-queue-name-for-weekly-reports', 'enq', 'a-very-long-queue-n-4cd595-enq'],
    ['9lives', 'run', 'lives-run'],
    ['q', 'run', 'q-run-sa'],
    ['---', 'enq', 'enq-sa'],
  ])('%s + %s → %s (always a valid account id)', (name, suffix, expected) => {
    const id = deriveAccountId(name, suffix);
    expect(id).toBe(expected);
    expect(id).toMatch(ACCOUNT_ID_PATTERN);
  });
});
