// Idle-socket flood against the handler (loopback only): opens N sockets that send nothing, in waves, then times
// a valid signed task on a new connection; repeats ROUNDS times per N and prints one JSON line per round.
//   node -r ./scripts/register.js bench/idle-flood.ts [N ...]      (default: 1100 1300; ROUNDS=5)
import { connect, Socket } from 'node:net';
import { JwksServer, makeKey, recordingWork, sign, startHandler, taskHeaders } from '../handler/test/harness';

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });

async function main(): Promise<void> {
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0 && n <= 5000);
  const rounds = Math.min(Number(process.env.ROUNDS ?? 5), 20);
  const key = await makeKey('k1');
  const jwks = await new JwksServer().start();
  jwks.keys = [key.publicJwk];
  const token = await sign(key);
  const h = await startHandler(recordingWork().work, { jwks });
  const port = Number(new URL(h.base).port);
  await h.post({ ...taskHeaders('warm-up'), Authorization: `Bearer ${token}` });
  for (const count of counts.length ? counts : [1100, 1300]) {
    for (let round = 0; round < rounds; round++) {
      const flood: Socket[] = [];
      const opening = Date.now();
      for (let i = 0; i < count; i += 100) {
        flood.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => open(port)))));
        await new Promise((r) => setTimeout(r, 10));
      }
      const openedMs = Date.now() - opening;
      const started = Date.now();
      const res = await h.post({ ...taskHeaders(`flood-${count}-${round}`), Authorization: `Bearer ${token}`, Connection: 'close' });
      const taskMs = Date.now() - started;
      const alive = flood.filter((s) => !s.destroyed).length;
      console.log(JSON.stringify({ idleSockets: count, round, openedMs, status: res.status, taskMs, serverConnections: h.server.openConnections, clientSocketsStillOpen: alive }));
      for (const s of flood) s.destroy();
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await h.close();
  await jwks.stop();
}

void main();
