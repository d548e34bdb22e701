// The dev server's ports from its flags: ops on --port + 2 unless another face or a handler has that port,
// explicit collisions as one clear error, and the dead-letter CLI pointed at the ports actually used.
import { LOCAL_DEV_PORTS } from '../../limits/local-dev';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { defaultEnvironment } from '../../limits';
import { busyPortsMessage, deadLetterCliFlags, devPorts, localHandlerEnv, portBusy, wantedPorts } from '../../local/dev-ops';

const DEFAULTS = { port: '8123', grpcPort: '8124', handlerPort: '8081' };

describe('devPorts', () => {
  test('GIVEN the default flags THEN REST, gRPC and ops are the shared defaults, ops only preferred', () => {
    expect(devPorts(DEFAULTS, 1)).toEqual({ rest: LOCAL_DEV_PORTS.rest, grpc: LOCAL_DEV_PORTS.grpc, ops: LOCAL_DEV_PORTS.ops, opsIsPreferred: true, handlers: [LOCAL_DEV_PORTS.handler] });
  });

  test('GIVEN two handlers THEN they take consecutive ports from --handler-port', () => {
    expect(devPorts(DEFAULTS, 2).handlers).toEqual([8081, 8082]);
  });

  test('GIVEN --port + 2 is a handler port (--port 8079) THEN ops takes any free port instead', () => {
    expect(devPorts({ ...DEFAULTS, port: '8079' }, 1)).toMatchObject({ rest: 8079, ops: 0, opsIsPreferred: true, handlers: [8081] });
  });

  test('GIVEN --port + 2 is the gRPC port THEN ops takes any free port instead', () => {
    expect(devPorts({ ...DEFAULTS, port: '9000', grpcPort: '9002' }, 1).ops).toBe(0);
  });

  test('GIVEN --port 0 THEN ops is any free port too', () => {
    expect(devPorts({ ...DEFAULTS, port: '0' }, 1).ops).toBe(0);
  });

  test('GIVEN --ops-port THEN it is used as given, not as a preference', () => {
    expect(devPorts({ ...DEFAULTS, opsPort: '9999' }, 1)).toMatchObject({ ops: 9999, opsIsPreferred: false });
  });

  test('GIVEN --port equal to the handler port THEN one error names both flags and the port', () => {
    expect(() => devPorts({ ...DEFAULTS, port: '8081' }, 1)).toThrow('--port and --handler-port are both 8081; give each a port of its own');
  });

  test('GIVEN --ops-port equal to the second handler port THEN the error names that handler', () => {
    expect(() => devPorts({ ...DEFAULTS, opsPort: '8082' }, 2)).toThrow('--ops-port and handler 2 (--handler-port + 1) are both 8082');
  });

  test('GIVEN --port and --grpc-port both 0 THEN that is no collision (each gets a free port)', () => {
    expect(devPorts({ ...DEFAULTS, port: '0', grpcPort: '0' }, 0)).toMatchObject({ rest: 0, grpc: 0, ops: 0 });
  });

  test('GIVEN a non-numeric and an out-of-range port THEN one error lists both', () => {
    const run = () => devPorts({ ...DEFAULTS, port: 'abc', grpcPort: '70000' }, 1);
    expect(run).toThrow('--port must be a port number from 0 to 65535 (0 = any free port), got "abc"');
    expect(run).toThrow('--grpc-port must be a port number from 0 to 65535 (0 = any free port), got "70000"');
  });

  test('GIVEN --port near the top THEN ops takes any free port instead of one past 65535', () => {
    expect(devPorts({ ...DEFAULTS, port: '65534', grpcPort: '0' }, 1)).toMatchObject({ rest: 65534, ops: 0, opsIsPreferred: true });
  });

  test('GIVEN --handler-port 0 THEN it is refused: queues point at handler ports before handlers start', () => {
    expect(() => devPorts({ ...DEFAULTS, handlerPort: '0' }, 2)).toThrow('--handler-port must be a port number from 1 to 65535 (handlers get consecutive ports from it), got "0"');
  });

  test('GIVEN --handler-port near the top THEN too many handlers is an error', () => {
    expect(() => devPorts({ ...DEFAULTS, handlerPort: '65535' }, 2)).toThrow('--handler-port 65535 leaves no room for 2 handlers (ports up to 65535)');
  });
});

describe('deadLetterCliFlags', () => {
  test('GIVEN the default ports THEN --local alone reaches the dev server', () => {
    expect(deadLetterCliFlags('http://127.0.0.1:8123', 'http://127.0.0.1:8125')).toBe('--local');
  });

  test('GIVEN other ports THEN the endpoints are spelled out', () => {
    expect(deadLetterCliFlags('http://127.0.0.1:18123', 'http://127.0.0.1:18125')).toBe('--local --pubsub-endpoint http://127.0.0.1:18125 --endpoint http://127.0.0.1:18123');
  });
});

describe('localHandlerEnv: the environment of a handler npm run dev starts', () => {
  const env = () => localHandlerEnv({ TASKS_AUDIENCE: 'a', TASKS_QUEUE_ID: 'orders' }, { port: 8081, jwksUrl: 'http://127.0.0.1:8123/oauth2/v3/certs', opsEndpoint: 'http://127.0.0.1:8125', project: 'p' });

  test('binds the handler to loopback only', () => {
    expect(env().TASKS_LISTEN_HOST).toBe('127.0.0.1');
  });

  test('keeps the stack values and points port, keys and dead letters at this machine', () => {
    expect(env()).toEqual({
      TASKS_AUDIENCE: 'a',
      TASKS_QUEUE_ID: 'orders',
      PORT: '8081',
      TASKS_LISTEN_HOST: '127.0.0.1',
      TASKS_JWKS_URL: 'http://127.0.0.1:8123/oauth2/v3/certs',
      TASKS_PUBSUB_ENDPOINT: 'http://127.0.0.1:8125',
      GCE_METADATA_HOST: '127.0.0.1:8125',
      TASKS_DEAD_LETTER_TOPIC: 'projects/p/topics/local-dead-letters',
    });
  });
});

describe('wantedPorts', () => {
  test('GIVEN the defaults THEN REST, gRPC and the handler must be free; the derived ops port may move', () => {
    expect(wantedPorts(devPorts(DEFAULTS, 1)).map((w) => [w.flag, w.port])).toEqual([['--port', 8123], ['--grpc-port', 8124], ['--handler-port', 8081]]);
  });

  test('GIVEN --ops-port and two handlers THEN ops is wanted too and each handler is named', () => {
    const wanted = wantedPorts(devPorts({ ...DEFAULTS, opsPort: '9000' }, 2));
    expect(wanted.map((w) => [w.flag, w.port, w.what]).slice(2)).toEqual([
      ['--ops-port', 9000, 'local Pub/Sub, metadata token and /stats'],
      ['--handler-port', 8081, 'handler 1 (--handler-port + 0)'],
      ['--handler-port', 8082, 'handler 2 (--handler-port + 1)'],
    ]);
  });

  test('GIVEN port 0 (any free port) THEN it is never reported busy', () => {
    expect(wantedPorts(devPorts({ port: '0', grpcPort: '0', handlerPort: '8081' }, 0))).toEqual([]);
  });
});

describe('busyPortsMessage', () => {
  test('GIVEN a port in use THEN it is named with the flag that moves it; free ones are not', async () => {
    const squatter = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    const port = (squatter.address() as AddressInfo).port;
    try {
      expect(await portBusy(port)).toBe(true);
      const message = await busyPortsMessage([{ flag: '--grpc-port', port, what: 'local Cloud Tasks gRPC' }]);
      expect(message).toContain(`port ${port} (local Cloud Tasks gRPC) is in use: choose another with --grpc-port N`);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
    expect(await portBusy(port)).toBe(false);
    expect(await busyPortsMessage([{ flag: '--port', port, what: 'x' }])).toBeUndefined();
  });
});

describe('defaultEnvironment (shared by npm run dev, enqueue and dead-letters)', () => {
  test('the first environment by name, whatever the order written', () => {
    expect(defaultEnvironment(['staging', 'dev', 'prod'])).toBe('dev');
  });

  test('never a project foundation stack', () => {
    expect(defaultEnvironment(['project-acme-prod', 'qa'])).toBe('qa');
  });

  test('undefined when there is no environment', () => {
    expect(defaultEnvironment(['project-acme-prod'])).toBeUndefined();
  });
});
