// Derived service account ids are always valid, and explicit ones are checked with a clear message.
import fc from 'fast-check';
import { Token } from 'cdktf';
import { Principal, ServiceAccount } from '../constructs';
import { grantId } from '../constructs/principal';
import { deriveAccountId } from '../constructs/service-account';
import { ACCOUNT_ID_PATTERN } from '../limits';
import { synth } from './helpers';

describe('deriveAccountId', () => {
  test.each([
    ['orders', 'enq', 'orders-enq'],
    ['Orders__Queue!!', 'enq', 'orders-queue-enq'],
    ['123-orders', 'run', 'orders-run'],
    ['a', 'x', 'a-x-sa'],
    ['---', '--run', 'run-sa'],
    ['9', '9', 'sa-9-sa'],
    ['orders-', 'enq-', 'orders-enq'],
    ['', '9run', 'sa-9run'],
  ])('(%p, %p) → %p', (name, suffix, id) => {
    expect(deriveAccountId(name, suffix)).toBe(id);
  });

  test('a name too long to fit is shortened with a stable hash of the whole name, so long names sharing a prefix differ', () => {
    const a = deriveAccountId(`${'q'.repeat(40)}a`, 'enq');
    const b = deriveAccountId(`${'q'.repeat(40)}b`, 'enq');
    expect(a).toMatch(/^q{19}-[0-9a-f]{6}-enq$/);
    expect(b).toMatch(/^q{19}-[0-9a-f]{6}-enq$/);
    expect(a).not.toBe(b);
    expect(deriveAccountId(`${'q'.repeat(40)}a`, 'enq')).toBe(a);
    // An over-long suffix still gives a valid id of at most 30 characters.
    const long = deriveAccountId('orders', 'x'.repeat(40));
    expect(long).toMatch(ACCOUNT_ID_PATTERN);
    expect(long.length).toBeLessThanOrEqual(30);
  });

  test('any name and suffix give a valid 6-30 character account id without doubled or trailing hyphens', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.constantFrom('enq', 'run', 'dlq', 'x'), (name, suffix) => {
        const id = deriveAccountId(name, suffix);
        return ACCOUNT_ID_PATTERN.test(id) && !id.includes('--');
      }),
      { numRuns: 500, seed: 13 },
    );
  });
});

describe('ServiceAccount validation', () => {
  test('an invalid account id names the prop, the value and the rule', () => {
    expect(() => synth((stack) => new ServiceAccount(stack, 'Sa', { accountId: 'Bad_Id' }))).toThrow(
      /'accountId' must be a service account id: 6-30 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen, got "Bad_Id"/,
    );
  });

  test('an invalid project names the prop, the value and the rule', () => {
    expect(() => synth((stack) => new ServiceAccount(stack, 'Sa', { accountId: 'good-id', project: 'P' }))).toThrow(
      /'project' must be a project id: 6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen \(e\.g\. "acme-orders-prod"\), got "P"/,
    );
  });
});

describe('principals and grant ids', () => {
  test('a grant to a token member gets a stable hashed id', () => {
    const member = Token.asString({ Ref: 'member' });
    const id = grantId('roles/run.invoker', { member });
    expect(id).toMatch(/^runinvoker-[0-9a-f]{12}$/);
    expect(grantId('roles/run.invoker', { member })).toBe(id);
  });

  test('a grant to a plain member uses the member, punctuation folded', () => {
    expect(grantId('roles/run.invoker', Principal.user('a.b@example.com'))).toBe('runinvoker-user-a-b-example-com');
  });

  test('the project is derived only from a whole NAME@PROJECT.iam.gserviceaccount.com email', () => {
    expect(Principal.serviceAccount('n@proj-1.iam.gserviceaccount.com').resourceName).toBe('projects/proj-1/serviceAccounts/n@proj-1.iam.gserviceaccount.com');
    expect(() => Principal.serviceAccount('n@proj-1.iam.gserviceaccount.com.evil.example')).toThrow(/'project' is required for service account .*its project cannot be derived from the email/);
  });
});
