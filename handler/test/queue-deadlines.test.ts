// A handler shared by several queues budgets each task by the deadline of the queue that sent it
// (TASKS_QUEUE_DEADLINES): a fast lane never gets the slow lane's budget.
import { loadHandlerConfig, workTimeoutMsFor } from '../src/config';
import { gate, Harness, recordingWork, startHandler, taskHeaders } from './harness';

const noAuth = { TASKS_AUTH: 'disabled' };
const shared = { ...noAuth, TASKS_DISPATCH_DEADLINE_SECONDS: '1800', TASKS_QUEUE_DEADLINES: '{"orders-fast":600,"orders-slow":1800}' };

describe('per-queue deadlines of a shared handler', () => {
  test('GIVEN TASKS_QUEUE_DEADLINES WHEN loaded THEN each queue keeps its own deadline', () => {
    expect(loadHandlerConfig(shared).queueDeadlines).toEqual({ 'orders-fast': 600, 'orders-slow': 1800 });
  });

  test('GIVEN an empty TASKS_QUEUE_DEADLINES WHEN loaded THEN there are no per-queue deadlines', () => {
    expect(loadHandlerConfig({ ...noAuth, TASKS_QUEUE_DEADLINES: '' }).queueDeadlines).toEqual({});
  });

  test.each([
    ['not JSON', 'fast=600', `'TASKS_QUEUE_DEADLINES' must be a JSON object {"QUEUE_ID": SECONDS, ...}, got "fast=600"`],
    ['an array', '[600]', `'TASKS_QUEUE_DEADLINES' must be a JSON object`],
    ['null', 'null', `'TASKS_QUEUE_DEADLINES' must be a JSON object`],
    ['a deadline longer than the service deadline', '{"slow":1801}', `'TASKS_QUEUE_DEADLINES.slow' must be whole seconds from 15 to TASKS_DISPATCH_DEADLINE_SECONDS (1800), got 1801`],
    ['a deadline under 15 s', '{"fast":14}', `'TASKS_QUEUE_DEADLINES.fast' must be whole seconds from 15 to`],
    ['a deadline as a string', '{"fast":"600"}', `'TASKS_QUEUE_DEADLINES.fast' must be whole seconds from 15 to TASKS_DISPATCH_DEADLINE_SECONDS (1800), got "600"`],
    ['a fractional deadline', '{"fast":600.5}', `'TASKS_QUEUE_DEADLINES.fast' must be whole seconds`],
  ])('GIVEN %s WHEN loaded THEN it is refused by name', (_case, value, message) => {
    expect(() => loadHandlerConfig({ ...shared, TASKS_QUEUE_DEADLINES: value })).toThrow(message);
  });

  test('GIVEN a service deadline of 600 WHEN a queue says 601 THEN it is refused', () => {
    expect(() => loadHandlerConfig({ ...noAuth, TASKS_QUEUE_DEADLINES: '{"fast":601}' })).toThrow(`'TASKS_QUEUE_DEADLINES.fast' must be whole seconds from 15 to TASKS_DISPATCH_DEADLINE_SECONDS (600), got 601`);
  });

  test('GIVEN an unreadable service deadline WHEN loaded THEN only that is reported, not the valid per-queue deadlines', () => {
    let message = '';
    try {
      loadHandlerConfig({ ...noAuth, TASKS_DISPATCH_DEADLINE_SECONDS: 'ten', TASKS_QUEUE_DEADLINES: '{"fast":600}' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/'TASKS_DISPATCH_DEADLINE_SECONDS' must be whole seconds from 15 to 1800/);
    expect(message).not.toMatch(/TASKS_QUEUE_DEADLINES/);
  });

  test('GIVEN a queue at exactly the service deadline WHEN loaded THEN it is accepted', () => {
    expect(loadHandlerConfig({ ...noAuth, TASKS_QUEUE_DEADLINES: '{"fast":600,"tiny":15}' }).queueDeadlines).toEqual({ fast: 600, tiny: 15 });
  });

  test('each queue gets its own deadline minus 5 s', () => {
    const config = loadHandlerConfig(shared);
    expect(workTimeoutMsFor(config, 'orders-fast')).toBe(595_000);
    expect(workTimeoutMsFor(config, 'orders-slow')).toBe(1_795_000);
  });

  test('an unknown (or missing) queue name gets the smallest budget of the configured queues', () => {
    const config = loadHandlerConfig(shared);
    expect(workTimeoutMsFor(config, 'someone-else')).toBe(595_000);
    expect(workTimeoutMsFor(config, '')).toBe(595_000);
    expect(workTimeoutMsFor(config, 'toString')).toBe(595_000); // no inherited names
  });

  test('without per-queue deadlines every task gets the handler budget (the single-queue case)', () => {
    const config = loadHandlerConfig({ ...noAuth, TASKS_DISPATCH_DEADLINE_SECONDS: '900', TASKS_WORK_TIMEOUT_SECONDS: '100' });
    expect(workTimeoutMsFor(config, 'anything')).toBe(100_000);
  });

  test('a shorter deadline announced by the producer (X-Tasks-Dispatch-Deadline) shortens the budget', () => {
    const config = loadHandlerConfig(shared);
    expect(workTimeoutMsFor(config, 'orders-slow', '900')).toBe(895_000);
    expect(workTimeoutMsFor(config, 'orders-slow', '15')).toBe(10_000);
  });

  test('an announced deadline can never lengthen the budget', () => {
    const config = loadHandlerConfig(shared);
    expect(workTimeoutMsFor(config, 'orders-fast', '1800')).toBe(595_000);
  });

  test.each(['14', '1801', 'soon', '', '600.5', '-1'])('an announced deadline %j outside 15-1800 whole seconds is ignored', (value) => {
    const config = loadHandlerConfig(shared);
    expect(workTimeoutMsFor(config, 'orders-slow', value)).toBe(1_795_000);
  });

  test('an explicit TASKS_WORK_TIMEOUT_SECONDS below a queue budget still caps it', () => {
    const config = loadHandlerConfig({ ...shared, TASKS_WORK_TIMEOUT_SECONDS: '700' });
    expect(workTimeoutMsFor(config, 'orders-slow')).toBe(700_000);
    expect(workTimeoutMsFor(config, 'orders-fast')).toBe(595_000);
  });
});

describe('a shared handler at work', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  test('GIVEN a fast lane of 15 s and a slow lane of 1800 s WHEN fast work hangs THEN it is answered 503 after the fast budget (10 s)', async () => {
    const g = gate();
    const rec = recordingWork(() => g.promise);
    h = await startHandler(rec.work, { env: { ...noAuth, TASKS_DISPATCH_DEADLINE_SECONDS: '1800', TASKS_QUEUE_DEADLINES: '{"fast":15,"slow":1800}' } });
    const res = await h.post(taskHeaders('hangs', { 'X-CloudTasks-QueueName': 'fast' }));
    g.open();
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('work did not finish within 10000 ms; retry');
  }, 20_000);

  test('GIVEN a slow lane task announcing a 15 s deadline WHEN its work hangs THEN it is answered 503 after 10 s', async () => {
    const g = gate();
    const rec = recordingWork(() => g.promise);
    h = await startHandler(rec.work, { env: { ...noAuth, TASKS_DISPATCH_DEADLINE_SECONDS: '1800', TASKS_QUEUE_DEADLINES: '{"slow":1800}' } });
    const res = await h.post(taskHeaders('announced', { 'X-CloudTasks-QueueName': 'slow', 'X-Tasks-Dispatch-Deadline': '15' }));
    g.open();
    expect(res.body.error).toBe('work did not finish within 10000 ms; retry');
  }, 20_000);
});
