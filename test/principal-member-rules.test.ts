// The member pattern, the public-member list and the consumer domains, tested directly: they are module
// constants, which Stryker's ignoreStatic leaves unmutated, so only these tests guard them.
import { CONSUMER_DOMAINS, isGrantableMember, isGrantableResolvedMember, isPublicMember, PUBLIC_MEMBERS } from '../constructs/principal';

describe('member rules', () => {
  test('the public members are allUsers, allAuthenticatedUsers and the public principalSet, lowercase', () => {
    expect(PUBLIC_MEMBERS).toEqual(['allusers', 'allauthenticatedusers', 'principalset://goog/public:all']);
  });

  test('the consumer domains are gmail.com and googlemail.com', () => {
    expect(CONSUMER_DOMAINS).toEqual(['gmail.com', 'googlemail.com']);
  });

  test.each([
    'allUsers',
    'allAuthenticatedUsers',
    'ALLUSERS',
    ' allUsers ',
    'principalSet://goog/public:all',
    'principalSet://goog/public:all/',
    'principalSet://goog/public:all//',
    'PRINCIPALSET://GOOG/PUBLIC:ALL',
    'principalSet://goog/public:anything',
    'domain:gmail.com',
    'domain:GMAIL.COM',
    'domain:gmail.com.',
    'domain:googlemail.com',
  ])('%j is public', (member) => {
    expect(isPublicMember(member)).toBe(true);
    expect(isGrantableMember(member)).toBe(false);
  });

  test.each(['domain:example.com', 'group:all@example.com', 'principalSet://goog/group/team@example.com', 'user:gmail.com@example.com'])('%j is not public', (member) => {
    expect(isPublicMember(member)).toBe(false);
  });

  test.each([
    'user:alice@example.com',
    'group:team@example.com',
    'serviceAccount:enq@test-project.iam.gserviceaccount.com',
    'domain:example.com',
    'domain:corp.example.co.uk',
    'principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/subject/user:alice',
    'principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/attribute.repository/acme/orders',
    'principal://goog/subject/alice@example.com',
    'principalSet://goog/group/team@example.com',
    'principalSet://cloudresourcemanager.googleapis.com/projects/123/type/ServiceAccount',
  ])('%j is grantable', (member) => {
    expect(isGrantableMember(member)).toBe(true);
  });

  test.each([
    ['no kind', 'alice@example.com'],
    ['an unknown kind', 'deleted:user:alice@example.com'],
    ['a user without an email', 'user:alice'],
    ['a principalSet with a trailing slash', 'principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/'],
    ['a principalSet with an empty segment', 'principalSet://iam.googleapis.com/projects//123'],
    ['a principalSet of an unknown issuer', 'principalSet://evil.example/anyone'],
    ['a principal with a space', 'principal://goog/subject/alice @example.com'],
    ['a principal with no path', 'principal://iam.googleapis.com'],
    ['a principalSet written in lowercase', 'principalset://goog/group/team@example.com'],
    ['a domain with one label', 'domain:localhost'],
    ['a domain with a space', 'domain:exa mple.com'],
    ['a domain label starting with a hyphen', 'domain:-example.com'],
    ['an empty domain', 'domain:'],
  ])('%s (%j) is not grantable', (_what, member) => {
    expect(isGrantableMember(member)).toBe(false);
  });

  test.each([
    ['a literal grantable member', 'group:team@example.com', true],
    ['a literal public member', 'allUsers', false],
    ['a service account resource member', '${google_service_account.Caller_1A2B3C4D.member}', true],
    ['a service account data source member', '${data.google_service_account.existing.member}', true],
    ['a serviceAccount kind before a computed email', 'serviceAccount:${google_service_account.x.email}', true],
    ['a user kind before a computed email', 'user:${var.email}', true],
    ['a whole member from a variable', '${var.member}', false],
    ['another resource attribute', '${google_service_account.x.email}', false],
    ['a principalSet with a computed part', 'principalSet://goog/${var.set}', false],
    ['a domain with a computed part', 'domain:${var.domain}', false],
    ['a function call', '${join("", ["all", "Users"])}', false],
    ['something that is not a string', { Ref: 'member' }, false],
  ])('a member resolving to %s (%j): grantable %s', (_what, resolved, ok) => {
    expect(isGrantableResolvedMember(resolved)).toBe(ok);
  });
});
