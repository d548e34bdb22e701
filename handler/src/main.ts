import { loadHandlerConfig } from './config';
import { jsonLogger } from './log';
import { deadLettersFromEnv } from './sinks';
import { TaskServer } from './server';
import { installShutdown } from './shutdown';
import { sampleWork } from './work';

/** Production entry point: `node dist/handler/src/main.js` (see handler/Dockerfile). */
async function main(): Promise<void> {
  let config;
  let deadLetters;
  try {
    config = loadHandlerConfig();
    deadLetters = deadLettersFromEnv();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  if (!config.auth) {
    jsonLogger({
      severity: 'WARNING',
      message: '!!! TASKS_AUTH=disabled: requests are NOT authenticated. Local experiments only, never deploy this. !!!',
    });
  }
  const server = new TaskServer({ config, work: sampleWork, deadLetters });
  installShutdown(server);
  // All interfaces on Cloud Run; `npm run dev` sets TASKS_LISTEN_HOST=127.0.0.1 so a dev machine's handler is not
  // reachable from its network.
  const address = await server.listen(undefined, process.env.TASKS_LISTEN_HOST || undefined);
  jsonLogger({ severity: 'INFO', message: `listening on ${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}${config.path}`, auth: config.auth ? 'oidc' : 'disabled', deadLetters: deadLetters ? deadLetters.sink.constructor.name : 'off (TASKS_MAX_ATTEMPTS unset)' });
}

if (require.main === module) void main();
