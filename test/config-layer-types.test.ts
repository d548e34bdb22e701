import { resolveConfig } from '../config';

const HEADER = 'Invalid pipeline config (cdktf.json context.pipeline and PIPELINE_* variables):';
const ROOT = 'context.pipeline';

/** The problem lines of the rejection (without the header), so a test sees every reported problem. */
const problems = (file: unknown, env: Record<string, string> = {}): string[] => {
  try {
    resolveConfig(file, env);
  } catch (e) {
    const text = (e as Error).message;
    expect(text.startsWith(HEADER)).toBe(true);
    return text
      .slice(HEADER.length)
      .split('\n')
      .map((l) => l.trim().replace(/^- /, ''))
      .filter((l) => l !== '');
  }
  throw new Error('expected the config to be rejected');
};

describe('wrong-type messages name the exact path and the expected kind', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a string setting given a number', { region: 5 }, `'${ROOT}.region' must be a string, got 5`],
    ['a number setting given a string', { maxAttempts: '5' }, `'${ROOT}.maxAttempts' must be a number, got "5"`],
    ['a boolean setting given a string', { alerts: 'yes' }, `'${ROOT}.alerts' must be true or false, got "yes"`],
    ['a map given a string', { labels: 'team' }, `'${ROOT}.labels' must be an object of strings, got "team"`],
    ['a map given an array', { labels: ['team'] }, `'${ROOT}.labels' must be an object of strings, got ["team"]`],
    ['secrets given a string', { handler: { secrets: 'key' } }, `'${ROOT}.handler.secrets' must be an object of secrets, got "key"`],
    ['secrets given an array', { handler: { secrets: ['key'] } }, `'${ROOT}.handler.secrets' must be an object of secrets, got ["key"]`],
    ['a handler given a number', { handler: 5 }, `'${ROOT}.handler' must be a handler name from handlers, or an object of handler settings, got 5`],
    ['a handler given an array', { handler: ['a'] }, `'${ROOT}.handler' must be a handler name from handlers, or an object of handler settings, got ["a"]`],
    ['environments given a string', { environments: 'dev' }, `'${ROOT}.environments' must be an object of settings, got "dev"`],
    ['queues given an array', { queues: ['a'] }, `'${ROOT}.queues' must be an object of settings, got ["a"]`],
    ['an alias given a number', { handlerImage: 5 }, `'${ROOT}.handlerImage' must be a string, got 5`],
    ['an alias in a queue given true', { queues: { a: { handlerPath: true } } }, `'${ROOT}.queues.a.handlerPath' must be a string, got true`],
  ];
  test.each(cases)('GIVEN %s WHEN resolved THEN the only problem names that path and kind', (_name, file, expected) => {
    expect(problems(file)).toEqual([expected]);
  });
});

describe('map and secrets entries', () => {
  test('GIVEN a map holding a number or an object WHEN resolved THEN each entry is refused as "a string" at its own path', () => {
    expect(problems({ labels: { team: 5, lane: { secret: 's' }, ok: 'fine' } })).toEqual([
      `'${ROOT}.labels.team' must be a string, got 5`,
      `'${ROOT}.labels.lane' must be a string, got {"secret":"s"}`,
    ]);
  });

  test('GIVEN string labels and env WHEN resolved THEN the handler carries them', () => {
    const h = resolveConfig({ handler: { labels: { team: 'orders' }, env: { MODE: 'fast' } } }, {}).environments.dev.queues.tasks.handler!;
    expect(h.labels).toEqual({ team: 'orders' });
    expect(h.env).toEqual({ MODE: 'fast' });
  });

  test('GIVEN secret ids and { secret } / { secret, version } objects WHEN resolved THEN all are accepted', () => {
    const h = resolveConfig({ handler: { secrets: { A: 'a-id', B: { secret: 'b-id' }, C: { secret: 'c-id', version: 'latest' } } } }, {}).environments.dev.queues.tasks.handler!;
    expect(h.secrets).toEqual({ A: { secret: 'a-id' }, B: { secret: 'b-id' }, C: { secret: 'c-id', version: 'latest' } });
  });

  const SECRET_FORMS = 'a secret id, "projects/P/secrets/ID", or { "secret": ID, "version": "latest" or a number }';
  const badSecrets: Array<[string, unknown, string]> = [
    ['an extra key', { secret: 's', other: 'x' }, '{"secret":"s","other":"x"}'],
    ['a numeric secret id', { secret: 1 }, '{"secret":1}'],
    ['only a version', { version: 'x' }, '{"version":"x"}'],
    ['a numeric version', { secret: 's', version: 3 }, '{"secret":"s","version":3}'],
    ['a number', 7, '7'],
    ['an array', ['s'], '["s"]'],
  ];
  test.each(badSecrets)('GIVEN a secret with %s WHEN resolved THEN it is refused naming the accepted forms', (_name, secret, shown) => {
    expect(problems({ handler: { secrets: { KEY: secret } } })).toEqual([`'${ROOT}.handler.secrets.KEY' must be ${SECRET_FORMS}, got ${shown}`]);
  });
});

describe('undefined values, aliases and empty blocks', () => {
  test('GIVEN settings and aliases that are undefined WHEN resolved THEN they are skipped like unset keys', () => {
    const c = resolveConfig({ region: undefined, maxAttempts: undefined, handlerImage: undefined, handler: undefined, environments: { dev: { project: undefined } } }, {});
    const dev = c.environments.dev;
    expect(dev.region).toBe('us-central1');
    expect(dev.queues.tasks.handler).toMatchObject({ serviceName: 'tasks-handler', path: '/tasks' });
  });

  test('GIVEN handlerImage and handlerPath aliases WHEN resolved THEN they set the handler image and path', () => {
    const h = resolveConfig({ handlerImage: 'us-docker.pkg.dev/p/r/img:1', handlerPath: '/work' }, {}).environments.dev.queues.tasks.handler!;
    expect(h).toMatchObject({ image: 'us-docker.pkg.dev/p/r/img:1', path: '/work' });
  });

  test('GIVEN empty labels, env and secrets blocks WHEN resolved THEN the handler has none of them', () => {
    const h = resolveConfig({ labels: {}, handler: { labels: {}, env: {}, secrets: {} } }, {}).environments.dev.queues.tasks.handler!;
    expect(h.labels).toBeUndefined();
    expect(h.env).toBeUndefined();
    expect(h.secrets).toBeUndefined();
  });

  test('GIVEN common handler env and a queue fronting a shared handler WHEN resolved THEN the shared handler gets the env', () => {
    const c = resolveConfig({ handler: { env: { MODE: 'fast' } }, handlers: { shared: {} }, queues: { a: { handler: 'shared' } } }, {});
    expect(c.environments.dev.handlers.shared.env).toEqual({ MODE: 'fast' });
  });

  test('GIVEN a default shared handler and a queue with its own handler block WHEN resolved THEN that queue gets its own handler', () => {
    const c = resolveConfig({ handler: 'shared', handlers: { shared: {} }, queues: { a: {}, b: { handler: { cpu: '2' } } } }, {});
    const dev = c.environments.dev;
    expect(dev.queues.b.handler).toMatchObject({ cpu: '2' });
    expect(dev.queues.a.handler).toBeUndefined();
  });
});

describe('a refused value leaves the lower layers alone', () => {
  test('GIVEN an environment region of the wrong type WHEN resolved THEN only that type problem is reported', () => {
    expect(problems({ region: 'europe-west1', environments: { dev: { region: 5 } } })).toEqual([`'${ROOT}.environments.dev.region' must be a string, got 5`]);
  });

  test('GIVEN an environment handler of the wrong type over a shared one WHEN resolved THEN only that type problem is reported', () => {
    expect(problems({ handler: 'shared', handlers: { shared: {} }, environments: { dev: { handler: 5 } } })).toEqual([
      `'${ROOT}.environments.dev.handler' must be a handler name from handlers, or an object of handler settings, got 5`,
    ]);
  });
});
