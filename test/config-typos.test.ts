// Config mistakes a newcomer makes: each fails synth with where, what and the likely fix.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonErrorPlace, loadConfig, resolveConfig } from '../config';
import { CLOUD_TASKS_LOCATIONS, closestMatch, editDistance } from '../limits';
import { tempDir } from './temp';

const problems = (file: unknown, env: Record<string, string> = {}): string => {
  try {
    resolveConfig(file, env);
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
};

describe('region: a Cloud Tasks location', () => {
  test.each(CLOUD_TASKS_LOCATIONS)('%s is accepted', (region) => {
    expect(resolveConfig({ region }, {}).environments.dev.region).toBe(region);
  });

  test('GIVEN "eu-west1" THEN it fails and suggests the Google name', () => {
    expect(problems({ region: 'eu-west1' })).toContain(`'context.pipeline.region' must be a Cloud Tasks location (did you mean "europe-west1"?); for a region newer than the list`);
  });

  test('GIVEN "europe-west99" in PIPELINE_REGION THEN the variable is named and a near location suggested', () => {
    expect(problems({}, { PIPELINE_REGION: 'europe-west99' })).toMatch(/'PIPELINE_REGION' must be a Cloud Tasks location \(did you mean "europe-west\d"\?\)/);
  });

  test('GIVEN an unlisted region far from any THEN no suggestion, and the way out is named', () => {
    expect(problems({ region: 'mars-north1' })).toContain(`must be a Cloud Tasks location; for a region newer than the list (limits/regions.ts, as of 2026-12-01) set "allowUnlistedRegion": true, got "mars-north1"`);
  });

  test('GIVEN allowUnlistedRegion true THEN a region newer than the list synthesizes', () => {
    expect(resolveConfig({ region: 'europe-north9', allowUnlistedRegion: true }, {}).environments.dev.region).toBe('europe-north9');
  });

  test('GIVEN allowUnlistedRegion in one environment THEN only that environment may use an unlisted region', () => {
    const message = problems({ region: 'europe-north9', environments: { dev: { allowUnlistedRegion: true }, prod: { project: 'prod-project-1' } } });
    expect(message).toContain(`'context.pipeline.region' must be a Cloud Tasks location`);
    expect(message.match(/must be a Cloud Tasks location/g)).toHaveLength(1);
  });

  test('GIVEN allowUnlistedRegion false THEN the list applies', () => {
    expect(problems({ region: 'europe-north9', allowUnlistedRegion: false })).toContain('must be a Cloud Tasks location');
  });
});

describe('unknown PIPELINE_* variables are refused like unknown keys', () => {
  test('GIVEN PIPELINE_REGOIN THEN it is named with a suggestion', () => {
    expect(problems({}, { PIPELINE_REGOIN: 'europe-west1' })).toContain(`'PIPELINE_REGOIN' must be a known variable (unknown PIPELINE_* variable (did you mean "PIPELINE_REGION"?); known: PIPELINE_PROJECT, PIPELINE_REGION`);
  });

  test.each(['PIPELINE_DEPLOY', 'PIPELINE_ALLOW_PLACEHOLDER', 'PIPELINE_WORKSPACE'])('%s (read by deploy, or set by CI) is not refused', (name) => {
    expect(problems({}, { [name]: '1' })).not.toContain(`'${name}'`);
  });

  test('other variables are none of the config\'s business', () => {
    expect(problems({}, { PIPELINEX: '1', MY_PIPELINE_REGION: 'x' })).toBe('(no error)');
  });
});

describe('unknown keys get "did you mean"', () => {
  test('GIVEN "regoin" THEN region is suggested', () => {
    expect(problems({ regoin: 'europe-west1' })).toContain(`'context.pipeline.regoin' must be a known setting (unknown key; did you mean "region"? known here:`);
  });

  test('GIVEN a key like none THEN no suggestion', () => {
    expect(problems({ colour: 'blue' })).toContain(`'context.pipeline.colour' must be a known setting (unknown key; known here:`);
  });

  test('edit distance counts insertions, deletions and substitutions, case-insensitive', () => {
    expect([editDistance('kitten', 'sitting'), editDistance('Region', 'region'), editDistance('', 'abc'), editDistance('abc', '')]).toEqual([3, 0, 3, 3]);
  });

  test('a match must be within a third of the word (1 to 3 edits)', () => {
    expect(closestMatch('quueId', ['queueId', 'region'])).toBe('queueId');
    expect(closestMatch('ab', ['cd'])).toBeUndefined();
    expect(closestMatch('abcdefghijklmnop', ['abcdefghijklwxyz'])).toBeUndefined(); // 4 edits: over the cap of 3
    expect(closestMatch('abcdefghijkl', ['abcdefghixyz'])).toBe('abcdefghixyz'); // 3 edits: a third of 12
  });
});

describe('cpu', () => {
  test('GIVEN "cpu": 2 (a number) THEN it is read as "2"', () => {
    expect(resolveConfig({ handler: { cpu: 2 } }, {}).environments.dev.queues.tasks.handler?.cpu).toBe('2');
  });

  test('GIVEN "cpu": 0.5 THEN it is read as "0.5"', () => {
    expect(resolveConfig({ handler: { cpu: 0.5, concurrency: 1 } }, {}).environments.dev.queues.tasks.handler?.cpu).toBe('0.5');
  });

  test('GIVEN "cpu": 3 THEN the message lists the allowed strings', () => {
    expect(problems({ handler: { cpu: 3 } })).toMatch(/'context.pipeline.handler.cpu' must be CPUs as a string: 1, 2, 4, 6, 8, .*got "3"/);
  });

  test('GIVEN "cpu": true THEN it is refused as neither a string nor a number', () => {
    expect(problems({ handler: { cpu: true } })).toContain(`'context.pipeline.handler.cpu' must be a string or a number, got true`);
  });
});

describe('invalid JSON in cdktf.json', () => {
  test('GIVEN a trailing comma THEN the message gives its line and column', () => {
    const dir = tempDir('cfg-json-');
    writeFileSync(join(dir, 'cdktf.json'), '{\n  "context": {\n    "pipeline": { "region": "europe-west1", }\n  }\n}\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/cdktf\.json is not valid JSON at line 3, column 45: /);
  });

  test('an error on the first line counts columns from 1', () => {
    expect(jsonErrorPlace('{ nope', 'Unexpected token n in JSON at position 2')).toBe(' at line 1, column 3');
  });

  test('an error that names no position adds nothing', () => {
    expect(jsonErrorPlace('', 'Unexpected end of JSON input')).toBe('');
  });
});

describe('edges of the new checks', () => {
  test('GIVEN a malformed region THEN only the region rule reports it (no location line on top)', () => {
    const message = problems({ region: 'Mars_1' });
    expect(message).toContain(`'context.pipeline.region'`);
    expect(message).not.toContain('Cloud Tasks location');
  });

  test('GIVEN an unknown PIPELINE_* variable that is unset (undefined) THEN it is ignored', () => {
    expect(problems({}, { PIPELINE_NOTHING: undefined } as unknown as Record<string, string>)).toBe('(no error)');
  });
});
