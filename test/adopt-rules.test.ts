// limits/adopt.ts: the shared rules behind adoption, at their edges.
import { checkExistingAccount, checkExistingPath, existingAccountId, isDefaultComputeAccount, parseResourcePath, Problems, userManagedAccount } from '../limits';

const TOKEN = '${TfToken[TOKEN.1]}';
const problems = () => new Problems((v) => v === TOKEN);

describe('names of existing resources', () => {
  test('a full name parses only whole: nothing before projects/, nothing after the id', () => {
    expect(parseResourcePath('queues', 'projects/p/locations/l/queues/q')).toEqual({ project: 'p', location: 'l', name: 'q' });
    expect(parseResourcePath('queues', 'x/projects/p/locations/l/queues/q')).toBeUndefined();
    expect(parseResourcePath('queues', 'projects/p/locations/l/queues/q/tasks/t')).toBeUndefined();
    expect(parseResourcePath('queues', 'projects/p/locations/l/services/q')).toBeUndefined();
  });

  test('a user-managed account has a valid id and a project domain', () => {
    expect(userManagedAccount('tasks-caller@acme-prod.iam.gserviceaccount.com')).toEqual({ accountId: 'tasks-caller', project: 'acme-prod' });
    expect(userManagedAccount('abc@acme-prod.iam.gserviceaccount.com')).toBeUndefined(); // ids are 6-30 characters
    expect(userManagedAccount('tasks-caller@acme-prod.iam.gserviceaccount.com.evil')).toBeUndefined();
    expect(existingAccountId(undefined)).toBeUndefined();
  });

  test("Compute Engine's default account is NUMBER-compute@developer.gserviceaccount.com exactly", () => {
    expect(isDefaultComputeAccount('123-compute@developer.gserviceaccount.com')).toBe(true);
    expect(isDefaultComputeAccount('x123-compute@developer.gserviceaccount.com')).toBe(false);
    expect(isDefaultComputeAccount('123-compute@developer.gserviceaccount.com.x')).toBe(false);
  });
});

describe('comparisons skip what synth cannot know', () => {
  test('an existing name that is a token is not checked', () => {
    const p = problems();
    checkExistingPath(p, 'queue', { adopt: true, existing: TOKEN, declared: { location: 'l', name: 'q' } });
    checkExistingAccount(p, 'existingEnqueuerEmail', { adopt: true, existing: TOKEN, role: 'enqueuer' });
    expect(p.list).toEqual([]);
  });

  test('an undeclared or token project is not compared', () => {
    const p = problems();
    checkExistingPath(p, 'queue', { adopt: true, existing: 'projects/acme-prod/locations/l/queues/q', declared: { project: TOKEN, location: 'l', name: 'q' } });
    checkExistingAccount(p, 'existingEnqueuerEmail', { adopt: true, existing: 'tasks-caller@acme-prod.iam.gserviceaccount.com', role: 'enqueuer' });
    expect(p.list).toEqual([]);
  });

  test('without adoption a missing name is fine', () => {
    const p = problems();
    checkExistingPath(p, 'service', { adopt: false, existing: undefined, declared: { location: 'l', name: 's' } });
    checkExistingAccount(p, 'existingRuntimeServiceAccountEmail', { adopt: false, existing: undefined, role: 'runtime' });
    expect(p.list).toEqual([]);
  });
});
