// The process-level pieces in-process (process.test.ts runs them for real, in a child process, where
// neither coverage nor mutation testing can see them): signal handling and the batched JSON logger.
import { jsonLogger, traceField } from '../src/log';
import type { TaskServer } from '../src/server';
import { installShutdown } from '../src/shutdown';

describe('installShutdown', () => {
  let added: Array<[string, (...args: unknown[]) => void]>;
  let exit: jest.SpyInstance;
  let write: jest.SpyInstance;

  beforeEach(() => {
    added = [];
    const spyOn = process.on.bind(process);
    jest.spyOn(process, 'on').mockImplementation(((event: string, fn: (...args: unknown[]) => void) => {
      if (event === 'SIGTERM' || event === 'SIGINT') added.push([event, fn]);
      return spyOn(event as never, fn as never);
    }) as never);
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    for (const [event, fn] of added) process.removeListener(event, fn);
    jest.restoreAllMocks();
  });

  function fakeServer(active: number) {
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const server = { activeTasks: active, shutdown: jest.fn(() => done) };
    return { server: server as unknown as TaskServer & typeof server, finish };
  }
  const flushed = () => new Promise((r) => setImmediate(r));
  const logged = () => write.mock.calls.map((c) => String(c[0])).join('');

  test.each(['SIGTERM', 'SIGINT'])('%s drains the server once, logs how many tasks are in flight, then exits 0', async (signal) => {
    const { server, finish } = fakeServer(2);
    installShutdown(server);
    // Call the installed listeners directly: emitting a real signal event would reach jest's own handlers too.
    const send = () => added.filter(([event]) => event === signal).forEach(([, fn]) => fn());
    expect(added.map(([event]) => event).sort()).toEqual(['SIGINT', 'SIGTERM']);
    send();
    send(); // a second signal while draining changes nothing
    expect(server.shutdown).toHaveBeenCalledTimes(1);
    await flushed();
    expect(exit).not.toHaveBeenCalled(); // still draining
    expect(JSON.parse(logged())).toEqual({ severity: 'INFO', message: `${signal}: draining 2 in-flight task(s)` });
    finish();
    await flushed();
    expect(exit).toHaveBeenCalledWith(0);
  });
});

describe('jsonLogger', () => {
  afterEach(() => jest.restoreAllMocks());

  test('lines logged in one event-loop turn go out in one write, one JSON object per line', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jsonLogger({ severity: 'INFO', message: 'a' });
    jsonLogger({ severity: 'ERROR', message: 'b', task: 't' });
    expect(write).not.toHaveBeenCalled();
    await new Promise((r) => setImmediate(r));
    expect(write).toHaveBeenCalledTimes(1);
    expect(String(write.mock.calls[0][0])).toBe('{"severity":"INFO","message":"a"}\n{"severity":"ERROR","message":"b","task":"t"}\n');
    jsonLogger({ severity: 'INFO', message: 'c' });
    await new Promise((r) => setImmediate(r));
    expect(write).toHaveBeenCalledTimes(2);
    expect(String(write.mock.calls[1][0])).toBe('{"severity":"INFO","message":"c"}\n');
  });

  test('flushes pending lines when the process exits', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jsonLogger({ severity: 'WARNING', message: 'last words' });
    const onExit = process.listeners('exit').find((fn) => fn.name === 'flush');
    expect(onExit).toBeDefined();
    onExit!(0);
    expect(String(write.mock.calls[0][0])).toBe('{"severity":"WARNING","message":"last words"}\n');
  });
});

test('an exit with nothing pending writes nothing', async () => {
  await new Promise((r) => setImmediate(r)); // let earlier lines flush
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    process.listeners('exit').find((fn) => fn.name === 'flush')!(0);
    expect(write).not.toHaveBeenCalled();
  } finally {
    write.mockRestore();
  }
});

describe('traceField', () => {
  const id = '105445aa7843bc8bf206b12000100000';
  test('with a project: the full trace resource name; without: the bare id', () => {
    expect(traceField(`${id}/1;o=1`, 'p')).toEqual({ 'logging.googleapis.com/trace': `projects/p/traces/${id}` });
    expect(traceField(`${id}/1;o=1`, undefined)).toEqual({ 'logging.googleapis.com/trace': id });
  });
  test.each([undefined, '', 'not-a-trace/1', `${id}0/1`, `x${id}/1`])('ignores a malformed header %p', (header) => {
    expect(traceField(header, 'p')).toEqual({});
  });
});
