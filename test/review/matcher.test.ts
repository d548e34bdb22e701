import { asSynthesizedApp, reviewMatchers, SINGLE_STACK, toHaveNoDestructiveChanges } from '../../review';

expect.extend(reviewMatchers);

const service = { resource: { google_cloud_run_v2_service: { s: { name: 's', location: 'l', project: 'p' } } } };
const withImage = (image: string) => ({ resource: { google_cloud_run_v2_service: { s: { ...service.resource.google_cloud_run_v2_service.s, template: { image } } } } });

describe('toHaveNoDestructiveChanges', () => {
  test('passes for an in-place change', () => {
    expect(withImage('b')).toHaveNoDestructiveChanges(withImage('a'));
  });

  test('fails for a protected destroy, with the review in the message', () => {
    const r = toHaveNoDestructiveChanges({ resource: {} }, service);
    expect(r.pass).toBe(false);
    expect(r.message()).toMatch(/no unacknowledged destroy.*\n[\s\S]*google_cloud_run_v2_service.s: destroyed, but it has deletion_protection/);
  });

  test('passes for a protected destroy that is acknowledged', () => {
    expect({ resource: {} }).toHaveNoDestructiveChanges(service, { acknowledge: ['google_cloud_run_v2_service.s'] });
  });

  test('under .not, says that nothing blocking was found', () => {
    expect(toHaveNoDestructiveChanges(service, service).message()).toMatch(/^expected destructive changes, but the review found none that block/);
  });

  test('accepts the JSON text Testing.synth returns', () => {
    expect(toHaveNoDestructiveChanges(JSON.stringify({ resource: {} }), JSON.stringify(service)).pass).toBe(false);
  });
});

describe('asSynthesizedApp', () => {
  test('takes one stack as an app of one stack', () => {
    expect(asSynthesizedApp(service)).toEqual({ [SINGLE_STACK]: service });
  });

  test('takes an empty object as one empty stack', () => {
    expect(asSynthesizedApp({})).toEqual({ [SINGLE_STACK]: {} });
  });

  test('keeps an app (stack name → stack) as it is', () => {
    expect(asSynthesizedApp({ dev: service, prod: service })).toEqual({ dev: service, prod: service });
  });
});
