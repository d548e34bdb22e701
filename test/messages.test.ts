// One wording per rule: the constructs, the app config and the producers describe a rule the same way.
import { queuePath } from '../client/options';
import { resolveConfig } from '../config';
import { HttpTargetPipeline, Principal, ProjectFoundation, TaskQueue } from '../constructs';
import { RULES, show } from '../limits';
import { synth } from './helpers';

const thrown = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
};

describe('one wording per rule', () => {
  test('a bad project id reads the same in a construct, the app config and the producer library', () => {
    const allowed = `must be ${RULES.projectId.allowed}, got "Not A Project"`;
    expect(thrown(() => synth((s) => new TaskQueue(s, 'Q', { queueId: 'q', location: 'us-central1', project: 'Not A Project' })))).toContain(`'project' ${allowed}`);
    expect(thrown(() => resolveConfig({}, { PIPELINE_PROJECT: 'Not A Project' }))).toContain(`'PIPELINE_PROJECT' ${allowed}`);
    expect(thrown(() => queuePath({ project: 'Not A Project', location: 'us-central1', queue: 'q' }))).toContain(`project ${allowed}`);
  });

  test('a bad queue id reads the same in the pipeline construct and the app config', () => {
    const allowed = `must be ${RULES.queueId.allowed}, got "a_b"`;
    expect(thrown(() => synth((s) => new HttpTargetPipeline(s, 'P', { queueId: 'a_b', location: 'us-central1', handler: { serviceName: 'ab' } })))).toContain(`'queueId' ${allowed}`);
    expect(thrown(() => resolveConfig({ queueId: 'a_b' }, {}))).toContain(`'context.pipeline.queueId' ${allowed}`);
  });

  test('the project foundation refuses a project that is no project id', () => {
    expect(thrown(() => synth((s) => ProjectFoundation.of(s, 'Not A Project')))).toMatch(/'project' must be a project id.*got "Not A Project"/);
  });
});

describe('principals need an email where IAM does', () => {
  test.each([
    ['Principal.user("bob")', () => Principal.user('bob'), /'email' must be an email address such as "alice@example.com", got "bob"/],
    ['Principal.group("")', () => Principal.group(''), /'email' must be an email address.*got ""/],
    ['Principal.fromMember("user:bob")', () => Principal.fromMember('user:bob'), /'member' must be an IAM member .*need an email address; never allUsers or allAuthenticatedUsers\), got "user:bob"/],
  ])('%s is refused', (_n, make, message) => {
    expect(thrown(make)).toMatch(message);
  });

  test('domain and workload identity members need no email', () => {
    expect(Principal.fromMember('domain:example.com').member).toBe('domain:example.com');
  });
});

describe('values in messages', () => {
  test('short values are shown whole, as JSON', () => {
    expect(show('mars')).toBe('"mars"');
    expect(show(5)).toBe('5');
    expect(show(['a'])).toBe('["a"]');
  });

  test('a long value is cut to 80 characters and its length given', () => {
    expect(show('x'.repeat(83_000))).toBe(`"${'x'.repeat(80)}…" (83000 characters)`);
  });
});
