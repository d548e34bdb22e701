import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Principal, TaskHandlerService, TaskHandlerServiceProps } from '../constructs';
import { only, synth } from './helpers';

const base: TaskHandlerServiceProps = { serviceName: 'orders-handler', location: 'us-central1', audience: 'https://orders.example/tasks' };
const envList = (s: ReturnType<typeof synth>) => only(s, 'google_cloud_run_v2_service').template.containers[0].env as Array<{ name: string; value?: string }>;
const envOf = (s: ReturnType<typeof synth>) => Object.fromEntries(envList(s).map((e) => [e.name, e.value]));
const A = 'a@test-project.iam.gserviceaccount.com';

describe('TaskHandlerService token accounts', () => {
  test('GIVEN a handler with a token account WHEN synthesized with validations THEN it synthesizes', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new GoogleProvider(stack, 'google', { project: 'test-project', region: 'us-central1' });
    new TaskHandlerService(stack, 'Handler', { ...base, tokenServiceAccountEmail: A });
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  test('GIVEN the same account added twice WHEN synthesized THEN the handler lists it once and tokenServiceAccountEmails says so', () => {
    let handler!: TaskHandlerService;
    const s = synth((stack) => {
      handler = new TaskHandlerService(stack, 'Handler', { ...base, tokenServiceAccountEmail: A });
      handler.addTokenAccount(Principal.serviceAccount(A));
      handler.addTokenAccount(Principal.serviceAccount('b@test-project.iam.gserviceaccount.com'));
    });
    expect(envOf(s).TASKS_SERVICE_ACCOUNT).toBe(`${A},b@test-project.iam.gserviceaccount.com`);
    expect(handler.tokenServiceAccountEmails).toEqual([A, 'b@test-project.iam.gserviceaccount.com']);
  });
});

describe('TaskHandlerService per-queue retry limits', () => {
  test('GIVEN one queue\'s limits WHEN synthesized THEN TASKS_QUEUE_RETRY_LIMITS holds them', () => {
    const s = synth((stack) => new TaskHandlerService(stack, 'H', { ...base, tokenServiceAccountEmail: A }).addQueueRetryLimits('orders', { maxAttempts: 5 }));
    expect(JSON.parse(envOf(s).TASKS_QUEUE_RETRY_LIMITS!)).toEqual({ orders: { maxAttempts: 5, maxRetryDuration: '0s' } });
  });

  test('GIVEN three queues\' limits WHEN synthesized THEN there is one TASKS_QUEUE_RETRY_LIMITS variable with all three', () => {
    const s = synth((stack) => {
      const h = new TaskHandlerService(stack, 'H', { ...base, tokenServiceAccountEmail: A });
      h.addQueueRetryLimits('orders');
      h.addQueueRetryLimits('emails', { maxRetryDuration: '3600s' });
      h.addQueueRetryLimits('billing', { maxAttempts: -1 });
    });
    const vars = envList(s).filter((e) => e.name === 'TASKS_QUEUE_RETRY_LIMITS');
    expect(vars).toHaveLength(1);
    expect(JSON.parse(vars[0].value!)).toEqual({
      orders: { maxAttempts: 100, maxRetryDuration: '0s' },
      emails: { maxAttempts: 100, maxRetryDuration: '3600s' },
      billing: { maxAttempts: -1, maxRetryDuration: '0s' },
    });
  });
});

describe('TaskHandlerService dead-letter variables', () => {
  test('GIVEN a dead-letter topic and no queue retry WHEN synthesized THEN only TASKS_DEAD_LETTER_TOPIC is set', () => {
    const s = synth((stack) => new TaskHandlerService(stack, 'H', { ...base, tokenServiceAccountEmail: A, deadLetterTopic: 'projects/test-project/topics/dead' }));
    const deadLetterVars = Object.entries(envOf(s)).filter(([k]) => /^TASKS_(MAX|MIN|DEAD|QUEUE_RETRY)/.test(k));
    expect(deadLetterVars).toEqual([['TASKS_DEAD_LETTER_TOPIC', 'projects/test-project/topics/dead']]);
  });

  test('GIVEN queue retry without limits WHEN synthesized THEN the service defaults are written (100 attempts, no duration limit)', () => {
    const s = synth((stack) => new TaskHandlerService(stack, 'H', { ...base, tokenServiceAccountEmail: A, queueRetry: {} }));
    expect(envOf(s)).toMatchObject({ TASKS_MAX_ATTEMPTS: '100', TASKS_MAX_RETRY_DURATION: '0s' });
  });
});

describe('TaskHandlerService labels and secrets', () => {
  test('GIVEN empty labels WHEN synthesized THEN the service has no labels', () => {
    expect(only(synth((stack) => new TaskHandlerService(stack, 'H', { ...base, tokenServiceAccountEmail: A, labels: {} })), 'google_cloud_run_v2_service')).not.toHaveProperty('labels');
  });

  test('GIVEN two variables from one secret and one from another WHEN constructed THEN secretGrants holds one grant per secret', () => {
    let h!: TaskHandlerService;
    synth((stack) => {
      h = new TaskHandlerService(stack, 'H', {
        ...base,
        tokenServiceAccountEmail: A,
        secrets: { API_KEY: { secret: 'api-key' }, API_KEY_OLD: { secret: 'api-key', version: '1' }, DB: { secret: 'projects/other-project/secrets/db' } },
      });
    });
    expect(h.secretGrants.map((g) => g.terraformResourceType)).toEqual(['google_secret_manager_secret_iam_member', 'google_secret_manager_secret_iam_member']);
  });

  test('GIVEN no secrets WHEN constructed THEN secretGrants is empty', () => {
    let h!: TaskHandlerService;
    synth((stack) => {
      h = new TaskHandlerService(stack, 'H', { ...base, tokenServiceAccountEmail: A });
    });
    expect(h.secretGrants).toEqual([]);
  });
});
