#!/usr/bin/env node
// Handler throughput against a bare node:http server, same machine, same run (npm run bench:handler).
//   a) bench/bare-server.js: returns 200, nothing else
//   b) the compiled handler (handler/dist) with full OIDC verification against a local JWKS, one valid token
//      reused (JWKS warm), a unique task name per request (so dedupe never short-circuits), logs to /dev/null
// Each server runs in its own process; autocannon drives both from this one with the same settings.
'use strict';
const { spawn } = require('node:child_process');
const { createServer } = require('node:http');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { SignJWT, exportJWK, generateKeyPair } = require('jose');

const DURATION = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const root = join(__dirname, '..');
const AUDIENCE = 'https://bench-handler.us-central1.cloudtasks.audience';
const SA = 'bench-enq@bench-project.iam.gserviceaccount.com';

/** A free loopback port: servers log to /dev/null (reading their logs here would steal the load generator's CPU). */
function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function start(args, env = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), ...args], { cwd: root, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);
    if (up) return { child, port };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`node ${args.join(' ')} did not start`);
}

function load(port, headers, duration = DURATION) {
  return autocannon({
    url: `http://127.0.0.1:${port}/tasks`,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    idReplacement: true, // [<id>] becomes a unique id per request
    headers: { 'content-type': 'application/json', ...headers },
    body: '{"order":42,"items":["a","b"]}',
  });
}

async function main() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const jwks = createServer((_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise((r) => jwks.listen(0, '127.0.0.1', r));
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ email: SA, email_verified: true, sub: '1' })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuer('https://accounts.google.com')
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);

  const bare = await start(['bench/bare-server.js']);
  const handler = await start(['handler/dist/handler/src/main.js'], {
    ...(process.env.BENCH_AUTH === 'disabled' && { TASKS_AUTH: 'disabled' }),
    TASKS_AUDIENCE: AUDIENCE,
    TASKS_SERVICE_ACCOUNT: SA,
    TASKS_JWKS_URL: `http://127.0.0.1:${jwks.address().port}/certs`,
  });
  const headers = {
    authorization: `Bearer ${token}`,
    'x-cloudtasks-queuename': 'bench',
    'x-cloudtasks-taskname': 'task-[<id>]',
    'x-cloudtasks-taskretrycount': '0',
    'x-cloudtasks-taskexecutioncount': '0',
    'x-cloudtasks-tasketa': String(now),
  };
  // Warm both (JIT, JWKS fetch, token cache), then alternate rounds so machine noise hits both alike.
  const warm = await load(handler.port, headers, 2);
  if (warm.non2xx > 0) throw new Error(`handler answered ${warm.non2xx} non-2xx responses: check the bench setup`);
  await load(bare.port, {}, 2);
  const rounds = { bare: [], handler: [] };
  for (let i = 0; i < ROUNDS; i++) {
    rounds.bare.push(await load(bare.port, {}));
    rounds.handler.push(await load(handler.port, headers));
  }
  bare.child.kill('SIGTERM');
  handler.child.kill('SIGTERM');
  jwks.close();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = (rs) => ({
    requests: { average: median(rs.map((r) => r.requests.average)) },
    latency: { p50: median(rs.map((r) => r.latency.p50)), p99: median(rs.map((r) => r.latency.p99)) },
    non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
  });
  const results = { bare: summary(rounds.bare), handler: summary(rounds.handler) };

  const row = (name, r) =>
    console.log(`${name.padEnd(9)}${r.requests.average.toFixed(0).padStart(9)} req/s   p50 ${String(r.latency.p50).padStart(3)} ms   p99 ${String(r.latency.p99).padStart(3)} ms   non-2xx ${r.non2xx}`);
  console.log(`autocannon: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s, medians`);
  row('bare', results.bare);
  row('handler', results.handler);
  const ratio = results.handler.requests.average / results.bare.requests.average;
  console.log(`\nhandler / bare: ${ratio.toFixed(2)} (goal >= 0.6); handler p99 ${results.handler.latency.p99} ms (goal <= 5 ms)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
