/**
 * `npm run dev`: the synthesized pipeline on one machine. Reads cdktf.out (re-synthesized when stale), starts a
 * token signer (JWKS), the handler from handler/ for each Cloud Run service (auth on, pointed at the local JWKS),
 * and the local Cloud Tasks API (REST and gRPC) + dispatcher with a durable SQLite store. Ctrl-C, a signal to
 * npm, or the death of the parent process stops everything; handlers stop with it.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { recordFingerprint, staleReason } from './freshness';
import { defaultEnvironment } from '../limits/environments';
import { LOCAL_DEV_PORTS } from '../limits/local-dev';
import { busyPortsMessage, deadLetterCliFlags, devPorts, formatStats, localHandlerEnv, pubsubReferences, wantedPorts } from './dev-ops';
import { LocalCloudTasks } from './index';
import { derivedReferences, queuesOf, readStacks, References, Resolver, servicesOf } from './terraform';

const root = join(__dirname, '..');

const HELP = `Usage: npm run dev -- [options]
  --stack NAME          environment (stack) from cdktf.out to run (default: the first environment by name,
                        the one npm run enqueue and npm run dead-letters use without --env)
  --out DIR             synthesized output (default: cdktf.out, re-synthesized when missing or stale)
  --synth               synthesize into --out first, even when it looks current
  --port N              local Cloud Tasks REST API port (default 8123)
  --grpc-port N         local Cloud Tasks gRPC port (default 8124)
  --ops-port N          local Pub/Sub (dead letters), metadata token and /stats port (default: --port + 2,
                        or any free port when that is taken; the banner shows which)
  --handler-port N      first local handler port (default 8081)
  --db FILE             task store (default .local/cloud-tasks.sqlite)
  --reset               delete the task store first
  --resolve REF=VALUE   local value for a Terraform reference (repeatable), e.g.
                        google_cloud_run_v2_service.X.uri=http://127.0.0.1:9000
  --no-handler          do not start handlers (map their uri with --resolve to your own)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stack: { type: 'string' },
      out: { type: 'string', default: join(root, 'cdktf.out') },
      synth: { type: 'boolean' },
      port: { type: 'string', default: String(LOCAL_DEV_PORTS.rest) },
      'grpc-port': { type: 'string', default: String(LOCAL_DEV_PORTS.grpc) },
      'ops-port': { type: 'string' },
      'handler-port': { type: 'string', default: String(LOCAL_DEV_PORTS.handler) },
      db: { type: 'string', default: join(root, '.local', 'cloud-tasks.sqlite') },
      reset: { type: 'boolean' },
      resolve: { type: 'string', multiple: true },
      'no-handler': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(HELP);

  const out = resolve(values.out!);
  const stale = staleReason(out, root);
  // The default output is ours to refresh; a folder named with --out may hold a custom synth: say what to run.
  if (values.synth || !existsSync(join(out, 'manifest.json')) || (stale && out === join(root, 'cdktf.out'))) {
    if (stale) process.stdout.write(`Synthesizing into ${out}: ${stale}.\n`);
    mkdirSync(out, { recursive: true });
    const synth = spawnSync(process.execPath, ['-r', join(root, 'scripts', 'register.js'), join(root, 'main.ts')], { cwd: root, stdio: 'inherit', env: { ...process.env, CDKTF_OUTDIR: out } });
    if (synth.status !== 0) throw new Error('synth failed');
    recordFingerprint(out, root);
  } else if (stale) {
    process.stderr.write(`warning: ${out} may be stale (${stale}). Run \`CDKTF_OUTDIR=${out} npm run synth\` or add --synth.\n`);
  }
  const stacks = readStacks(out);
  // Not named: the CLIs' default environment (one rule), so the banner's commands reach the queues served here.
  const name = values.stack ?? defaultEnvironment(stacks.map((s) => s.name));
  const stack = stacks.find((s) => s.name === name);
  if (!stack) throw new Error(`${name === undefined ? 'no environment stack' : `no stack ${JSON.stringify(name)}`} in ${out}; have: ${stacks.map((s) => s.name).join(', ') || 'none'}`);
  if (values.reset) for (const suffix of ['', '-wal', '-shm']) rmSync(`${values.db}${suffix}`, { force: true });

  // Explicit mappings first; then each Cloud Run service's uri → the local handler started for it.
  const explicit: References = {};
  for (const pair of values.resolve ?? []) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new Error(`--resolve must be REFERENCE=VALUE, got ${JSON.stringify(pair)}`);
    explicit[pair.slice(0, i)] = pair.slice(i + 1);
  }
  const services = servicesOf(stack);
  const refs: References = { ...explicit };
  const toStart = values['no-handler'] ? [] : services.filter((s) => !(`${s.address}.uri` in explicit));
  // REST on --port, gRPC on --grpc-port, ops on --port + 2 unless that is taken by another face or a handler.
  const ports = devPorts({ port: values.port!, grpcPort: values['grpc-port']!, opsPort: values['ops-port'], handlerPort: values['handler-port']! }, toStart.length);
  // Taken ports (another `npm run dev`?) are named with the flag that moves each, not a raw EADDRINUSE.
  const busy = await busyPortsMessage(wantedPorts(ports));
  if (busy) throw new Error(busy);
  const starts = toStart.map((s, i) => {
    refs[`${s.address}.uri`] = `http://127.0.0.1:${ports.handlers[i]}`;
    return { name: s.name, port: ports.handlers[i], env: s.rawEnv };
  });
  const queues = queuesOf(stack, refs);
  const local = await LocalCloudTasks.start({
    queues,
    db: values.db,
    port: ports.rest,
    grpcPort: ports.grpc,
    opsPort: ports.ops,
    opsPortIsPreferred: ports.opsIsPreferred,
    // Due tasks wait for the handlers: dispatching to a handler still starting would cost each an attempt.
    dispatch: false,
  });
  const resolver = new Resolver({ ...derivedReferences(stack), ...pubsubReferences(stack), ...refs });
  const project = queues[0]?.path.split('/')[1] ?? 'local';
  const children: ChildProcess[] = starts.map((s) =>
    // exit-with-parent: a handler stops when this process is gone, however it died.
    spawn(process.execPath, ['-r', join(root, 'scripts', 'register.js'), '-r', join(root, 'scripts', 'exit-with-parent.js'), join(root, 'handler', 'src', 'main.ts')], {
      stdio: 'inherit',
      env: {
        ...process.env,
        ...localHandlerEnv(Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, resolver.value(v) ?? ''])), { port: s.port, jwksUrl: local.jwksUrl, opsEndpoint: local.opsEndpoint, project }),
      },
    }),
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    await local.stop();
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGHUP', () => void stop());
  for (const c of children) c.once('exit', (code) => !stopping && (console.error(`handler exited with ${code}`), void stop()));
  // The banner (and "ready") only once every handler answers.
  await Promise.all(starts.map((s) => untilListening(s.port, () => stopping)));
  if (stopping) return;
  local.dispatcher.start();

  const lines = [
    `Local Cloud Tasks — stack "${stack.name}" (${out})`,
    `  REST    ${local.endpoint}    (CLOUD_TASKS_ENDPOINT; any bearer token is accepted)`,
    `  gRPC    ${local.grpcEndpoint}    (official clients' default transport: apiEndpoint + port, insecure channel credentials)`,
    `  JWKS    ${local.jwksUrl}`,
    `  ops     ${local.opsEndpoint}    (dead letters as local Pub/Sub; GET /stats; type "stats" + Enter here)`,
    `  store   ${values.db}`,
    ...queues.map((q) => `  queue   ${q.path}  ${q.rate.maxDispatchesPerSecond}/s, ${q.rate.maxConcurrentDispatches} concurrent, max ${q.retry.maxAttempts} attempts`),
    ...starts.map((s) => `  handler ${s.name} → http://127.0.0.1:${s.port} (auth on, audience ${resolver.value(s.env.TASKS_AUDIENCE)})`),
    ...Object.entries(refs).map(([k, v]) => `  mapped  ${k} → ${v}`),
    `Dead letters: npm run dead-letters -- list ${deadLetterCliFlags(local.endpoint, local.opsEndpoint)} --env ${stack.name}   (show ID, replay ID | --all)`,
    `Try: CLOUD_TASKS_ENDPOINT=${local.endpoint} CLOUD_TASKS_ACCESS_TOKEN=local npm run enqueue -- buffer --env ${stack.name} --data '{"hello":"world"}'`,
    'Ctrl-C stops everything.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.stdin.isTTY) {
    createInterface({ input: process.stdin }).on('line', (line) => {
      if (line.trim() === 'stats') process.stdout.write(formatStats(local.ops.stats()));
    });
  }
}

/** Waits until a handler answers /healthz (or the server is stopping). */
async function untilListening(port: number, stopping: () => boolean): Promise<void> {
  for (let waited = 0; !stopping(); waited += 50) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false)) return;
    if (waited > 30_000) throw new Error(`the handler on port ${port} did not start listening within 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

main().catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
